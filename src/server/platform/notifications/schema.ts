import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations, users } from '../tenancy/schema';

/** In-app notifications: one row per person, read or not. Any module writes them through `platform.notify`. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The organisation the notification is about, if any (shown beside it). */
    orgId: uuid('org_id').references(() => organisations.id),
    /** What kind of thing it is, e.g. "incident.deadline", "incident.alert": the web app picks an icon from it. */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    /** A path inside the web app ("/incidents/…"), never an external address. */
    link: text('link'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.createdAt)],
);
