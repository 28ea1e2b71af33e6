import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every e-mail Hygie sends. With SMTP configured a job sends it and its body is then
 * erased (it may hold a single-use link); without SMTP it is kept here, readable by
 * administrators, so nothing is silently dropped.
 */
export const mails = pgTable(
  'mails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text'),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'kept', 'failed'] }).notNull().default('queued'),
    error: text('error'),
    /** When a worker claimed it for sending: a claim older than a few minutes was lost in a crash. */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('mails_created_idx').on(t.createdAt)],
);
