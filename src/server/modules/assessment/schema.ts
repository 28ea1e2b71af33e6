import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations, users } from '../../platform/tenancy/schema';

/**
 * Frameworks are data: Hygie's référentiel, the express diagnostic, and libraries
 * imported from CISO Assistant share one shape (a library holding one framework).
 */
export const frameworks = pgTable(
  'assessment_frameworks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The library's URN: importing it again with a higher version updates this row. */
    libraryUrn: text('library_urn').notNull(),
    urn: text('urn').notNull(),
    refId: text('ref_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    version: integer('version').notNull(),
    locale: text('locale').notNull().default('fr'),
    provider: text('provider'),
    copyright: text('copyright'),
    /** 'content' for Hygie's own, shipped under content/; 'import' for uploaded libraries */
    origin: text('origin', { enum: ['content', 'import'] }).notNull(),
    kind: text('kind', { enum: ['referentiel', 'express', 'other'] }).notNull().default('other'),
    minScore: integer('min_score').notNull().default(0),
    maxScore: integer('max_score').notNull().default(3),
    scoresDefinition: jsonb('scores_definition').$type<{ score: number; name: string; description?: string }[]>().notNull().default([]),
    implementationGroups: jsonb('implementation_groups').$type<{ refId: string; name: string; description?: string }[]>().notNull().default([]),
    /** Everything of the library not mapped to a column, kept for a faithful export. */
    extra: jsonb('extra').$type<Record<string, unknown>>().notNull().default({}),
    importedBy: uuid('imported_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('assessment_frameworks_library_key').on(t.libraryUrn)],
);

export interface NodeQuestion {
  urn: string;
  type: 'unique_choice' | 'multiple_choice' | 'text' | 'date';
  text: string;
  choices: { urn: string; value: string }[];
}

/** The tree of a framework: objectives → sub-objectives → measures (the assessable nodes). */
export const frameworkNodes = pgTable(
  'assessment_framework_nodes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => frameworks.id, { onDelete: 'cascade' }),
    urn: text('urn').notNull(),
    parentUrn: text('parent_urn'),
    refId: text('ref_id'),
    name: text('name'),
    description: text('description'),
    annotation: text('annotation'),
    typicalEvidence: text('typical_evidence'),
    depth: integer('depth').notNull(),
    assessable: boolean('assessable').notNull(),
    position: integer('position').notNull(),
    implementationGroups: text('implementation_groups').array().notNull().default(sql`'{}'::text[]`),
    /** Hygie: 'essential' measures weigh twice as much as 'recommended' ones. */
    priority: text('priority', { enum: ['essential', 'recommended'] }),
    /** Hygie: what each maturity level (0-3) means for this measure. */
    maturityLevels: jsonb('maturity_levels').$type<{ level: number; description: string }[]>(),
    /** Hygie: the remediation actions usually taken, suggested when creating a plan. */
    suggestedActions: jsonb('suggested_actions').$type<string[]>(),
    /** Hygie: public sources this measure rests on. */
    sources: jsonb('sources').$type<{ title: string; url?: string }[]>(),
    questions: jsonb('questions').$type<NodeQuestion[]>(),
    /** Node fields not mapped to a column, kept for a faithful export. */
    extra: jsonb('extra').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [uniqueIndex('assessment_framework_nodes_urn_key').on(t.frameworkId, t.urn), index('assessment_framework_nodes_parent_idx').on(t.frameworkId, t.parentUrn)],
);

/**
 * Nodes a newer version of their library dropped are kept (answers, evidence and plans may
 * point at them) but marked `extra.removed = true`: they are no longer part of the framework.
 * Every query over a framework's current nodes adds this condition.
 */
export const activeNode = () => sql`not coalesce(${frameworkNodes.extra} -> 'removed' = 'true'::jsonb, false)`;

/** A campaign launched by a region or a GHT: a framework, establishments, a deadline. */
export const campaigns = pgTable(
  'assessment_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => frameworks.id),
    title: text('title').notNull(),
    deadline: date('deadline', { mode: 'string' }).notNull(),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [index('assessment_campaigns_org_idx').on(t.orgId)],
);

export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'validated'] as const;

/** One establishment's assessment of one framework, alone or within a campaign. */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    frameworkId: uuid('framework_id')
      .notNull()
      .references(() => frameworks.id),
    campaignId: uuid('campaign_id').references(() => campaigns.id),
    title: text('title').notNull(),
    status: text('status', { enum: ASSESSMENT_STATUSES }).notNull().default('draft'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    submittedBy: uuid('submitted_by').references(() => users.id),
    validatedAt: timestamp('validated_at', { withTimezone: true }),
    validatedBy: uuid('validated_by').references(() => users.id),
    /** Maintained on every answer: overall score (0-100, null until something is answered) and progress. */
    score: real('score'),
    answeredCount: integer('answered_count').notNull().default(0),
    assessableCount: integer('assessable_count').notNull().default(0),
  },
  (t) => [
    index('assessments_org_idx').on(t.orgId, t.createdAt),
    index('assessments_campaign_idx').on(t.campaignId),
    uniqueIndex('assessments_campaign_org_key').on(t.campaignId, t.orgId),
    /** The observatory: each establishment's latest submitted or validated assessment of a framework. */
    index('assessments_observatory_idx')
      .on(t.frameworkId, t.orgId, t.submittedAt.desc().nullsLast(), t.createdAt.desc())
      .where(sql`status in ('submitted', 'validated')`),
  ],
);

export const ANSWER_STATUSES = ['non', 'partiel', 'oui', 'na'] as const;

/** One measure's answer. `version` grows on each save: a stale save is refused, never silently overwrites. */
export const answers = pgTable(
  'assessment_answers',
  {
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    nodeId: uuid('node_id')
      .notNull()
      .references(() => frameworkNodes.id),
    status: text('status', { enum: ANSWER_STATUSES }),
    maturity: integer('maturity'),
    comment: text('comment'),
    /** answers to the node's questions, by question URN */
    questionAnswers: jsonb('question_answers').$type<Record<string, string[]>>().notNull().default({}),
    version: integer('version').notNull().default(1),
    updatedBy: uuid('updated_by').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.assessmentId, t.nodeId] })],
);

/** Evidence for an answer: an uploaded file (stored by the files service) or a link. */
export const evidence = pgTable(
  'assessment_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    nodeId: uuid('node_id')
      .notNull()
      .references(() => frameworkNodes.id),
    kind: text('kind', { enum: ['file', 'link'] }).notNull(),
    url: text('url'),
    fileKey: text('file_key'),
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    size: integer('size'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('assessment_evidence_answer_idx').on(t.assessmentId, t.nodeId)],
);

/**
 * Scores kept up to date as answers change, per assessment and per non-assessable node
 * (objectives, sub-objectives) — so dashboards read one row per establishment and
 * objective, whatever the number of answers.
 */
export const nodeScores = pgTable(
  'assessment_node_scores',
  {
    assessmentId: uuid('assessment_id')
      .notNull()
      .references(() => assessments.id, { onDelete: 'cascade' }),
    nodeId: uuid('node_id')
      .notNull()
      .references(() => frameworkNodes.id),
    score: real('score'),
    answered: integer('answered').notNull(),
    total: integer('total').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.assessmentId, t.nodeId] }),
    index('assessment_node_scores_node_idx').on(t.nodeId),
    /**
     * The observatory reads the objectives' scores of thousands of assessments: with the
     * score in the index it never visits the table (index-only scans, about 4× faster).
     */
    index('assessment_node_scores_observatory_idx').on(t.assessmentId, t.nodeId, t.score),
  ],
);

export const ACTION_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const;

/** The remediation plan: actions of an establishment, linked to the measures they address. */
export const actions = pgTable(
  'remediation_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    assessmentId: uuid('assessment_id').references(() => assessments.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description'),
    ownerId: uuid('owner_id').references(() => users.id),
    dueDate: date('due_date', { mode: 'string' }),
    priority: text('priority', { enum: ['high', 'medium', 'low'] }).notNull().default('medium'),
    effort: text('effort', { enum: ['small', 'medium', 'large'] }),
    costEstimate: numeric('cost_estimate', { precision: 12, scale: 2 }),
    status: text('status', { enum: ACTION_STATUSES }).notNull().default('todo'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Reminders already sent, so the daily job never sends one twice. */
    reminderBeforeSentAt: timestamp('reminder_before_sent_at', { withTimezone: true }),
    reminderLateSentAt: timestamp('reminder_late_sent_at', { withTimezone: true }),
  },
  (t) => [index('remediation_actions_org_idx').on(t.orgId, t.status), index('remediation_actions_due_idx').on(t.status, t.dueDate)],
);

export const actionMeasures = pgTable(
  'remediation_action_measures',
  {
    actionId: uuid('action_id')
      .notNull()
      .references(() => actions.id, { onDelete: 'cascade' }),
    nodeId: uuid('node_id')
      .notNull()
      .references(() => frameworkNodes.id),
  },
  (t) => [primaryKey({ columns: [t.actionId, t.nodeId] }), index('remediation_action_measures_node_idx').on(t.nodeId)],
);

/** A funding programme of a region (as CaRE): milestones that establishments declare met. */
export const fundingProgrammes = pgTable('funding_programmes', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id')
    .notNull()
    .references(() => organisations.id),
  name: text('name').notNull(),
  description: text('description'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const fundingMilestones = pgTable(
  'funding_milestones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    programmeId: uuid('programme_id')
      .notNull()
      .references(() => fundingProgrammes.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['prerequisite', 'objective'] }).notNull(),
    code: text('code').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    /** Amount paid per establishment when validated, in euros (optional). */
    amount: numeric('amount', { precision: 12, scale: 2 }),
    position: integer('position').notNull(),
  },
  (t) => [uniqueIndex('funding_milestones_code_key').on(t.programmeId, t.code)],
);

export const fundingDeclarations = pgTable(
  'funding_declarations',
  {
    milestoneId: uuid('milestone_id')
      .notNull()
      .references(() => fundingMilestones.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organisations.id),
    status: text('status', { enum: ['declared', 'validated', 'more_info'] }).notNull(),
    evidence: text('evidence'),
    comment: text('comment'),
    reviewComment: text('review_comment'),
    declaredBy: uuid('declared_by').references(() => users.id),
    declaredAt: timestamp('declared_at', { withTimezone: true }).notNull(),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.milestoneId, t.orgId] })],
);
