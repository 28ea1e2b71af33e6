import { sql } from 'drizzle-orm';
import { type AnyPgColumn, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ORG_KINDS, ROLES, ESTABLISHMENT_CATEGORIES } from '../../../contracts/tenancy';

/** Region → GHT (optional) → establishment → site → service. */
export const organisations = pgTable(
  'organisations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ORG_KINDS }).notNull(),
    name: text('name').notNull(),
    parentId: uuid('parent_id').references((): AnyPgColumn => organisations.id),
    /** Ids of every ancestor, root first, self excluded: subtree queries use `= ANY(ancestors)`. */
    ancestors: uuid('ancestors').array().notNull().default(sql`'{}'::uuid[]`),
    finess: text('finess'),
    category: text('category', { enum: ESTABLISHMENT_CATEGORIES }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('organisations_finess_key').on(t.finess),
    index('organisations_parent_idx').on(t.parentId),
    index('organisations_ancestors_idx').using('gin', t.ancestors),
  ],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Always stored lower-cased. */
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    platformAdmin: boolean('platform_admin').notNull().default(false),
    locale: text('locale', { enum: ['fr', 'en'] }).notNull().default('fr'),
    /** TOTP secret, encrypted with a key derived from SESSION_SECRET (AES-256-GCM). */
    totpSecret: text('totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** Last accepted TOTP time step: a code is never accepted twice. */
    totpLastStep: integer('totp_last_step'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('memberships_user_org_key').on(t.userId, t.orgId), index('memberships_org_idx').on(t.orgId)],
);
