import { z } from 'zod';
import type { Role } from './tenancy';

/** Shared shapes of the assessment module (capability 1: diagnostic & plan d'action). */

export const ANSWER_STATUSES = ['non', 'partiel', 'oui', 'na'] as const;
export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'validated'] as const;
export const ACTION_STATUSES = ['todo', 'in_progress', 'done', 'cancelled'] as const;
export const ACTION_PRIORITIES = ['high', 'medium', 'low'] as const;
export const ACTION_EFFORTS = ['small', 'medium', 'large'] as const;

/**
 * Who works on an establishment's assessments and plan (roles held on it or above it):
 * the server's policy enforces these, the web app only uses them to hide what would be refused.
 */
export const ASSESSMENT_ROLES = {
  read: ['rssi', 'direction', 'coord_ght', 'coord_region'],
  edit: ['rssi', 'direction', 'coord_ght'],
  submit: ['rssi', 'coord_ght'],
  validate: ['direction'],
  plan: ['rssi', 'direction', 'coord_ght'],
} as const satisfies Record<string, readonly Role[]>;

const uuid = (message = 'Identifiant invalide.') => z.uuid({ message });
const isoDate = z.iso.date({ message: 'Date invalide (AAAA-MM-JJ).' });

// --- Frameworks -----------------------------------------------------------------------

export const frameworkSummarySchema = z.object({
  id: z.uuid(),
  libraryUrn: z.string(),
  refId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  version: z.number(),
  origin: z.enum(['content', 'import']),
  kind: z.enum(['referentiel', 'express', 'other']),
  provider: z.string().nullable(),
  assessableCount: z.number(),
});
export type FrameworkSummary = z.infer<typeof frameworkSummarySchema>;

export const frameworkNodeSchema = z.object({
  id: z.uuid(),
  urn: z.string(),
  parentUrn: z.string().nullable(),
  refId: z.string().nullable(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  annotation: z.string().nullable(),
  typicalEvidence: z.string().nullable(),
  depth: z.number(),
  assessable: z.boolean(),
  priority: z.enum(['essential', 'recommended']).nullable(),
  maturityLevels: z.array(z.object({ level: z.number(), description: z.string() })).nullable(),
  suggestedActions: z.array(z.string()).nullable(),
  sources: z.array(z.object({ title: z.string(), url: z.string().optional() })).nullable(),
  questions: z
    .array(z.object({ urn: z.string(), type: z.enum(['unique_choice', 'multiple_choice', 'text', 'date']), text: z.string(), choices: z.array(z.object({ urn: z.string(), value: z.string() })) }))
    .nullable(),
});
export type FrameworkNode = z.infer<typeof frameworkNodeSchema>;

export const frameworkDetailSchema = frameworkSummarySchema.extend({
  minScore: z.number(),
  maxScore: z.number(),
  scoresDefinition: z.array(z.object({ score: z.number(), name: z.string(), description: z.string().optional() })),
  nodes: z.array(frameworkNodeSchema),
});
export type FrameworkDetail = z.infer<typeof frameworkDetailSchema>;

export const frameworkListResponseSchema = z.object({ frameworks: z.array(frameworkSummarySchema) });

/** One problem of an imported file, tied to its line when known. */
export const importProblemSchema = z.object({ line: z.number().nullable(), path: z.string(), message: z.string() });
export const importPreviewSchema = z.object({
  libraryUrn: z.string(),
  name: z.string(),
  version: z.number(),
  /** what importing would do */
  action: z.enum(['create', 'update', 'unchanged', 'older']),
  currentVersion: z.number().nullable(),
  nodeCount: z.number(),
  assessableCount: z.number(),
  added: z.number(),
  removed: z.number(),
  changed: z.number(),
  problems: z.array(importProblemSchema),
});
export type ImportPreview = z.infer<typeof importPreviewSchema>;
/** The upload is the library's YAML text (JSON body `{ yaml, dryRun }`, at most 5 MB). */
export const importBodySchema = z.object({
  yaml: z.string({ message: 'Joignez le fichier YAML de la bibliothèque.' }).min(1, 'Le fichier est vide.').max(5_000_000, 'Le fichier dépasse 5 Mo.'),
  /** true: check and describe only, write nothing */
  dryRun: z.boolean().default(false),
});
export const importResponseSchema = z.object({ preview: importPreviewSchema, frameworkId: z.uuid().nullable() });

// --- Assessments ----------------------------------------------------------------------------

export const scoreSchema = z.object({
  nodeId: z.uuid(),
  score: z.number().nullable(),
  answered: z.number(),
  total: z.number(),
});
export type Score = z.infer<typeof scoreSchema>;

export const assessmentSummarySchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  orgName: z.string(),
  frameworkId: z.uuid(),
  frameworkName: z.string(),
  campaignId: z.uuid().nullable(),
  campaignTitle: z.string().nullable(),
  deadline: z.string().nullable(),
  title: z.string(),
  status: z.enum(ASSESSMENT_STATUSES),
  score: z.number().nullable(),
  answeredCount: z.number(),
  assessableCount: z.number(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  validatedAt: z.string().nullable(),
});
export type AssessmentSummary = z.infer<typeof assessmentSummarySchema>;

export const answerSchema = z.object({
  nodeId: z.uuid(),
  status: z.enum(ANSWER_STATUSES).nullable(),
  maturity: z.number().int().nullable(),
  comment: z.string().nullable(),
  questionAnswers: z.record(z.string(), z.array(z.string())),
  version: z.number(),
  updatedAt: z.string(),
  updatedByName: z.string().nullable(),
});
export type Answer = z.infer<typeof answerSchema>;

export const evidenceSchema = z.object({
  id: z.uuid(),
  nodeId: z.uuid(),
  kind: z.enum(['file', 'link']),
  url: z.string().nullable(),
  fileName: z.string().nullable(),
  mimeType: z.string().nullable(),
  size: z.number().nullable(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const assessmentDetailSchema = z.object({
  assessment: assessmentSummarySchema,
  answers: z.array(answerSchema),
  evidence: z.array(evidenceSchema),
  /** per objective / sub-objective */
  scores: z.array(scoreSchema),
  /** applicable measures below 100, essential first then lowest */
  gaps: z.array(z.object({ nodeId: z.uuid(), score: z.number(), priority: z.enum(['essential', 'recommended']).nullable() })),
});
export type AssessmentDetail = z.infer<typeof assessmentDetailSchema>;

export const assessmentListQuerySchema = z.object({ orgId: uuid('Choisissez une organisation.') });
export const assessmentListResponseSchema = z.object({ assessments: z.array(assessmentSummarySchema) });
export const createAssessmentBodySchema = z.object({
  orgId: uuid("Choisissez l'établissement."),
  frameworkId: uuid('Choisissez un référentiel.'),
  title: z.string().trim().min(3, 'Le titre doit contenir au moins 3 caractères.').max(200, 'Le titre est trop long.').optional(),
});

/**
 * Saving one measure. `version` is the one the person started from (0 for a first answer):
 * if someone else saved in between, the answer is refused (409) with the current one.
 */
export const saveAnswerBodySchema = z.object({
  version: z.number().int().min(0),
  status: z.enum(ANSWER_STATUSES, { message: 'Choisissez : oui, partiel, non ou non applicable.' }).nullable().optional(),
  maturity: z.number({ message: 'Le niveau de maturité est un nombre.' }).int('Le niveau de maturité est un nombre entier.').nullable().optional(),
  comment: z.string().max(5000, 'Le commentaire dépasse 5 000 caractères.').nullable().optional(),
  questionAnswers: z.record(z.string(), z.array(z.string().max(2000)).max(50)).optional(),
});
export const saveAnswerResponseSchema = z.object({ answer: answerSchema, scores: z.array(scoreSchema), overall: scoreSchema });
/** 409 body: the answer as saved by someone else, so nothing typed is lost and the person can merge. */
export const answerConflictSchema = z.object({
  error: z.object({ code: z.literal('conflict'), message: z.string() }),
  current: answerSchema,
});

export const addLinkEvidenceBodySchema = z.object({
  nodeId: uuid(),
  url: z.url({ message: 'Saisissez une adresse complète, commençant par https://' }).max(2000).refine((u) => /^https?:\/\//i.test(u), 'Seuls les liens http(s) sont acceptés.'),
});

/** Two assessments of the same establishment side by side. */
export const compareQuerySchema = z.object({ with: uuid() });
export const compareResponseSchema = z.object({
  left: assessmentSummarySchema,
  right: assessmentSummarySchema,
  rows: z.array(z.object({ nodeId: z.uuid(), left: z.number().nullable(), right: z.number().nullable() })),
});

// --- Remediation plan --------------------------------------------------------------------

export const actionSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  assessmentId: z.uuid().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  ownerId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  dueDate: z.string().nullable(),
  priority: z.enum(ACTION_PRIORITIES),
  effort: z.enum(ACTION_EFFORTS).nullable(),
  costEstimate: z.number().nullable(),
  status: z.enum(ACTION_STATUSES),
  measures: z.array(z.object({ nodeId: z.uuid(), refId: z.string().nullable(), name: z.string().nullable() })),
  late: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RemediationAction = z.infer<typeof actionSchema>;

export const actionListQuerySchema = z.object({
  orgId: uuid('Choisissez une organisation.'),
  status: z.enum(ACTION_STATUSES).optional(),
  ownerId: z.uuid().optional(),
});
export const actionListResponseSchema = z.object({
  actions: z.array(actionSchema),
  /** share of non-cancelled actions that are done, 0-100 */
  progress: z.number().nullable(),
});
const actionFields = {
  title: z.string().trim().min(3, "L'intitulé doit contenir au moins 3 caractères.").max(300, "L'intitulé est trop long."),
  description: z.string().max(5000).nullable().optional(),
  ownerId: z.uuid({ message: 'Choisissez un responsable.' }).nullable().optional(),
  dueDate: isoDate.nullable().optional(),
  priority: z.enum(ACTION_PRIORITIES, { message: 'Priorité inconnue.' }).optional(),
  effort: z.enum(ACTION_EFFORTS, { message: 'Effort inconnu.' }).nullable().optional(),
  costEstimate: z.number().min(0, 'Le coût ne peut pas être négatif.').max(9_999_999_999.99, 'Le coût dépasse le maximum (10 milliards d’euros).').nullable().optional(),
  nodeIds: z.array(z.uuid()).max(50).optional(),
};
export const createActionBodySchema = z.object({ orgId: uuid('Choisissez une organisation.'), assessmentId: z.uuid().nullable().optional(), ...actionFields });
export const updateActionBodySchema = z.object({ ...actionFields, title: actionFields.title.optional(), status: z.enum(ACTION_STATUSES, { message: 'Statut inconnu.' }).optional() });
export const actionResponseSchema = z.object({
  action: actionSchema,
  /** set when this change closed the last open action of a measure: propose re-assessing it */
  reassess: z.array(z.object({ nodeId: z.uuid(), assessmentId: z.uuid() })),
});
/** Actions suggested from an assessment's gaps (the measures' usual actions), not yet created. */
export const suggestionsResponseSchema = z.object({
  suggestions: z.array(z.object({ nodeId: z.uuid(), refId: z.string().nullable(), measure: z.string().nullable(), title: z.string(), priority: z.enum(ACTION_PRIORITIES) })),
});
