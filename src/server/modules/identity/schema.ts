import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ROLES } from '../../../contracts/tenancy';
import { organisations, users } from '../../platform/tenancy/schema';

/** Invitations by e-mail: single-use, expiring; only the token's hash is stored. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    email: text('email').notNull(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    role: text('role', { enum: ROLES }).notNull(),
    invitedBy: uuid('invited_by')
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('invitations_org_idx').on(t.orgId)],
);
