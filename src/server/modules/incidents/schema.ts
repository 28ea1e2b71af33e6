import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import {
  ALERT_SEVERITIES,
  INCIDENT_ORIGINS,
  INCIDENT_STATUSES,
  INCIDENT_TYPES,
  INDICATOR_TYPES,
  NIS2_CATEGORIES,
  OBLIGATION_KINDS,
  OBLIGATION_STATUSES,
  REGION_STATUSES,
  TASK_STATUSES,
  TIMELINE_ALL_KINDS,
  TLP_LEVELS,
  type DeclarationContent,
} from '../../../contracts/incidents';
import { organisations, users } from '../../platform/tenancy/schema';

const at = (name: string) => timestamp(name, { withTimezone: true });

/** An establishment's NIS2 status (absent: not subject to NIS2). */
export const nis2Settings = pgTable('incident_nis2_settings', {
  orgId: uuid('org_id')
    .primaryKey()
    .references(() => organisations.id),
  category: text('category', { enum: NIS2_CATEGORIES }).notNull(),
  updatedBy: uuid('updated_by').references(() => users.id),
  updatedAt: at('updated_at').notNull(),
});

/**
 * A security incident of an establishment: a draft while it is being written, then declared,
 * then closed with its lessons. `content` holds the declaration as the official form asks;
 * the columns beside it copy what lists, deadlines and statistics need.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    /** Region of the establishment at declaration time: the region's inbox and detections query it. */
    regionId: uuid('region_id').references(() => organisations.id),
    /** Human reference, unique per establishment and year: "INC-2026-007". */
    reference: text('reference').notNull(),
    status: text('status', { enum: INCIDENT_STATUSES }).notNull().default('draft'),
    content: jsonb('content').$type<DeclarationContent>().notNull().default({}),
    /** Grows on each save: a stale save is refused, never silently overwrites. */
    version: integer('version').notNull().default(1),
    title: text('title').notNull().default(''),
    type: text('type', { enum: INCIDENT_TYPES }),
    origin: text('origin', { enum: INCIDENT_ORIGINS }),
    discoveredAt: at('discovered_at'),
    careImpact: boolean('care_impact').notNull().default(false),
    degradedMode: boolean('degraded_mode').notNull().default(false),
    personalData: boolean('personal_data').notNull().default(false),
    supportRequested: boolean('support_requested').notNull().default(false),
    /** The creator's Idempotency-Key and a digest of his first request: a retry returns the same incident. */
    idempotencyKey: text('idempotency_key'),
    requestDigest: text('request_digest'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: at('updated_at').notNull(),
    declaredBy: uuid('declared_by').references(() => users.id),
    declaredAt: at('declared_at'),
    closedBy: uuid('closed_by').references(() => users.id),
    closedAt: at('closed_at'),
    lessons: text('lessons'),
    regionStatus: text('region_status', { enum: REGION_STATUSES }).notNull().default('new'),
    regionAcknowledgedAt: at('region_acknowledged_at'),
    regionAcknowledgedBy: uuid('region_acknowledged_by').references(() => users.id),
    regionNote: text('region_note'),
  },
  (t) => [
    uniqueIndex('incidents_reference_key').on(t.orgId, t.reference),
    uniqueIndex('incidents_idempotency_key').on(t.createdBy, t.idempotencyKey),
    index('incidents_org_idx').on(t.orgId, t.createdAt),
    index('incidents_region_idx').on(t.regionId, t.declaredAt),
  ],
);

/** Each saved state of a declared incident, with who changed what: the declaration's history. */
export const revisions = pgTable(
  'incident_revisions',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    content: jsonb('content').$type<DeclarationContent>().notNull(),
    changedFields: text('changed_fields').array().notNull().default(sql`'{}'::text[]`),
    comment: text('comment'),
    authorId: uuid('author_id').references(() => users.id),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.version] })],
);

/** A regulatory obligation the declaration triggered, with its deadline and when it was met. */
export const obligations = pgTable(
  'incident_obligations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: OBLIGATION_KINDS }).notNull(),
    dueAt: at('due_at').notNull(),
    status: text('status', { enum: OBLIGATION_STATUSES }).notNull().default('pending'),
    doneAt: at('done_at'),
    doneBy: uuid('done_by').references(() => users.id),
    reference: text('reference'),
    note: text('note'),
    /** Reminders already sent: 'soon' (before the deadline), 'overdue'. Each goes once. */
    remindersSent: text('reminders_sent').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [uniqueIndex('incident_obligations_kind_key').on(t.incidentId, t.kind), index('incident_obligations_due_idx').on(t.status, t.dueAt)],
);

/** The incident's timeline: facts, decisions, actions, communications, and Hygie's own entries. */
export const timeline = pgTable(
  'incident_timeline',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: TIMELINE_ALL_KINDS }).notNull(),
    body: text('body').notNull(),
    occurredAt: at('occurred_at').notNull(),
    authorId: uuid('author_id').references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('incident_timeline_incident_idx').on(t.incidentId, t.occurredAt)],
);

export const tasks = pgTable(
  'incident_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    ownerId: uuid('owner_id').references(() => users.id),
    dueDate: date('due_date', { mode: 'string' }),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('todo'),
    version: integer('version').notNull().default(1),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
    doneAt: at('done_at'),
  },
  (t) => [index('incident_tasks_incident_idx').on(t.incidentId)],
);

export const attachments = pgTable(
  'incident_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    fileKey: text('file_key').notNull(),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [index('incident_attachments_incident_idx').on(t.incidentId)],
);

/** Indicators of compromise. `value` is normalised for its type, so equal indicators compare equal. */
export const indicators = pgTable(
  'incident_indicators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    type: text('type', { enum: INDICATOR_TYPES }).notNull(),
    value: text('value').notNull(),
    tlp: text('tlp', { enum: TLP_LEVELS }).notNull(),
    description: text('description'),
    shareIdentity: boolean('share_identity').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [uniqueIndex('incident_indicators_value_key').on(t.incidentId, t.type, t.value), index('incident_indicators_lookup_idx').on(t.type, t.value)],
);

/**
 * A campaign detected in a region: the same indicator, or the same rare type of incident,
 * reported by two or more establishments within the detection window. `key` identifies
 * what they share ("indicator:domain:evil.example", "type:ransomware").
 */
export const detections = pgTable(
  'incident_detections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    regionId: uuid('region_id')
      .notNull()
      .references(() => organisations.id),
    kind: text('kind', { enum: ['indicator', 'type'] }).notNull(),
    key: text('key').notNull(),
    indicatorType: text('indicator_type', { enum: INDICATOR_TYPES }),
    value: text('value').notNull(),
    incidentIds: uuid('incident_ids').array().notNull(),
    detectedAt: at('detected_at').notNull(),
    updatedAt: at('updated_at').notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
  },
  (t) => [index('incident_detections_region_idx').on(t.regionId, t.detectedAt), index('incident_detections_key_idx').on(t.regionId, t.key)],
);

/** An alert or bulletin a region publishes to all or some of its establishments. */
export const alerts = pgTable(
  'incident_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    regionId: uuid('region_id')
      .notNull()
      .references(() => organisations.id),
    title: text('title').notNull(),
    severity: text('severity', { enum: ALERT_SEVERITIES }).notNull(),
    summary: text('summary').notNull(),
    whatToCheck: text('what_to_check').notNull().default(''),
    whatToDo: text('what_to_do').notNull().default(''),
    products: text('products').array().notNull().default(sql`'{}'::text[]`),
    publishedBy: uuid('published_by').references(() => users.id),
    publishedAt: at('published_at').notNull(),
  },
  (t) => [index('incident_alerts_region_idx').on(t.regionId, t.publishedAt)],
);

/** One row per establishment an alert went to; acknowledged once by someone of that establishment. */
export const alertRecipients = pgTable(
  'incident_alert_recipients',
  {
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    acknowledgedAt: at('acknowledged_at'),
    acknowledgedBy: uuid('acknowledged_by').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.orgId] }), index('incident_alert_recipients_org_idx').on(t.orgId)],
);

/** Personal Atom feed tokens: only the SHA-256 is stored; revoked tokens stop working at once. */
export const feedTokens = pgTable(
  'incident_feed_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    createdAt: at('created_at').notNull(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('incident_feed_tokens_hash_key').on(t.tokenHash), index('incident_feed_tokens_user_idx').on(t.userId)],
);
