import { z } from 'zod';
import type { Role } from './tenancy';

/**
 * Shared shapes of the incidents module (capability 2: signalement & alertes): the
 * declaration of a security incident with the content of the official form, the
 * regulatory clocks, the follow-up, the region's inbox, campaign detection, alerts
 * and statistics.
 */

// --- Vocabulary ------------------------------------------------------------------------------

export const INCIDENT_STATUSES = ['draft', 'declared', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_ORIGINS = ['malicious', 'accidental', 'unknown'] as const;
export const INCIDENT_TYPES = [
  'ransomware',
  'phishing',
  'compromised_account',
  'data_leak',
  'exploited_vulnerability',
  'denial_of_service',
  'supplier_incident',
  'malware',
  'fraud',
  'failure',
  'other',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/**
 * Types rare enough that two establishments of a region reporting one within the detection
 * window is worth the region's attention (phishing, failures and "other" are too common).
 */
export const RARE_INCIDENT_TYPES: readonly IncidentType[] = ['ransomware', 'exploited_vulnerability', 'denial_of_service', 'supplier_incident', 'data_leak'];

/** Where the handling stands, as the official form asks. */
export const HANDLING_STATES = ['analysis', 'containment', 'remediation', 'resolved'] as const;

/** Systems concerned, in the words of a hospital. */
export const SYSTEM_KINDS = [
  'patient_record',
  'lab',
  'imaging',
  'pharmacy',
  'admin_billing',
  'messaging',
  'telephony',
  'network',
  'workstations',
  'servers',
  'biomedical',
  'website',
  'other',
] as const;

/** Data concerned. */
export const DATA_KINDS = ['health', 'identity', 'administrative', 'financial', 'staff', 'credentials', 'other', 'unknown'] as const;

export const OBLIGATION_KINDS = ['health_authorities', 'cnil', 'nis2_early_warning', 'nis2_notification', 'nis2_final_report'] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];
export const OBLIGATION_STATUSES = ['pending', 'done', 'not_applicable'] as const;

/** NIS2 status of an establishment: entities "essentielles" and "importantes" owe the NIS2 deadlines. */
export const NIS2_CATEGORIES = ['none', 'important', 'essential'] as const;
export type Nis2Category = (typeof NIS2_CATEGORIES)[number];

export const TIMELINE_KINDS = ['fact', 'decision', 'action', 'communication'] as const;
/** 'system' entries are written by Hygie itself (declared, completed, obligation done, closed…). */
export const TIMELINE_ALL_KINDS = [...TIMELINE_KINDS, 'system'] as const;
export const TASK_STATUSES = ['todo', 'in_progress', 'done'] as const;

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'sha256', 'sha1', 'md5'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
/** Traffic Light Protocol 2.0. */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber_strict', 'red'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];
/** Indicators that may be shared with the region's other establishments (with the declarant's consent). */
export const SHAREABLE_TLP: readonly Tlp[] = ['clear', 'green'];

/** The region's follow-up of a declaration in its inbox. */
export const REGION_STATUSES = ['new', 'acknowledged', 'supporting', 'closed'] as const;

export const ALERT_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/**
 * Who does what on an establishment's incidents (roles held on it or above it): the server's
 * policy enforces these, the web app only uses them to hide what would be refused.
 */
export const INCIDENT_ROLES = {
  read: ['rssi', 'direction', 'coord_ght', 'coord_region'],
  declare: ['rssi', 'direction', 'coord_ght'],
  follow: ['rssi', 'direction', 'coord_ght'],
  region: ['coord_region'],
  alertReceive: ['rssi', 'direction', 'coord_ght'],
  stats: ['rssi', 'direction', 'coord_ght', 'coord_region'],
  nis2: ['rssi', 'direction', 'coord_region'],
} as const satisfies Record<string, readonly Role[]>;

// --- Field helpers ----------------------------------------------------------------------------

const uuid = (message = 'Identifiant invalide.') => z.uuid({ message });
const isoDateTime = (message = 'Date et heure invalides.') => z.iso.datetime({ offset: true, message });
const isoDate = z.iso.date({ message: 'Date invalide (AAAA-MM-JJ).' });
const text = (max: number, label: string) => z.string().trim().max(max, `${label} : ${max} caractères au plus.`);
const enumOf = <T extends readonly [string, ...string[]]>(values: T, message: string) => z.enum(values, { message });

// --- The declaration ----------------------------------------------------------------------------

/**
 * What the official declaration asks. Every field is optional while the declaration is a
 * draft (it is saved as the person types); `missingForDeclaration` lists what must be
 * filled in before it can be declared.
 */
export const declarationContentSchema = z.object({
  declarant: z
    .object({
      name: text(120, 'Nom du déclarant').optional(),
      jobTitle: text(120, 'Fonction du déclarant').optional(),
      phone: text(30, 'Téléphone').optional(),
      email: z.union([z.literal(''), z.email({ message: 'Adresse e-mail invalide.' })]).optional(),
    })
    .optional(),
  title: text(200, 'Titre').optional(),
  description: text(10_000, 'Description').optional(),
  discoveredAt: isoDateTime('Date et heure de découverte invalides.').optional(),
  startedAt: isoDateTime('Date et heure de début invalides.').optional(),
  /** Sites and services of the establishment concerned; empty with `wholeEstablishment` when all is hit. */
  perimeter: z
    .object({
      wholeEstablishment: z.boolean().optional(),
      orgIds: z.array(uuid('Site ou service invalide.')).max(200, '200 sites ou services au plus.').optional(),
      details: text(2000, 'Précisions sur le périmètre').optional(),
    })
    .optional(),
  systems: z.array(enumOf(SYSTEM_KINDS, 'Système inconnu.')).max(SYSTEM_KINDS.length).optional(),
  systemsDetails: text(2000, 'Précisions sur les systèmes').optional(),
  data: z.array(enumOf(DATA_KINDS, 'Type de données inconnu.')).max(DATA_KINDS.length).optional(),
  dataDetails: text(2000, 'Précisions sur les données').optional(),
  handling: enumOf(HANDLING_STATES, 'État de la prise en charge inconnu.').optional(),
  handlingDetails: text(4000, 'Mesures prises').optional(),
  impacts: z
    .object({
      confidentiality: z.boolean().optional(),
      integrity: z.boolean().optional(),
      availability: z.boolean().optional(),
      /** A breach of personal data: the CNIL must be notified within 72 h. */
      personalData: z.boolean().optional(),
      careImpact: z.boolean().optional(),
      degradedMode: z.boolean().optional(),
      patientsEndangered: z.boolean().optional(),
      careDetails: text(4000, 'Conséquences sur les soins').optional(),
      systemsDetails: text(4000, 'Conséquences sur les systèmes').optional(),
      operationsDetails: text(4000, 'Conséquences sur le fonctionnement').optional(),
    })
    .optional(),
  causes: text(4000, 'Causes').optional(),
  origin: enumOf(INCIDENT_ORIGINS, 'Origine inconnue.').optional(),
  type: enumOf(INCIDENT_TYPES, 'Type d’incident inconnu.').optional(),
  supportRequested: z.boolean().optional(),
  supportDetails: text(2000, 'Appui demandé').optional(),
});
export type DeclarationContent = z.infer<typeof declarationContentSchema>;

/** Fields a declaration needs, with the French message shown at the field. */
export function missingForDeclaration(c: DeclarationContent): { path: string; message: string }[] {
  const missing: { path: string; message: string }[] = [];
  if (!c.title) missing.push({ path: 'content.title', message: 'Donnez un titre court à l’incident (par exemple « Rançongiciel sur les serveurs du laboratoire »).' });
  if (!c.discoveredAt) missing.push({ path: 'content.discoveredAt', message: 'Indiquez la date et l’heure de découverte.' });
  if (!c.type) missing.push({ path: 'content.type', message: 'Choisissez le type d’incident (« Autre » si aucun ne convient).' });
  if (!c.origin) missing.push({ path: 'content.origin', message: 'Choisissez l’origine (« Inconnue » si vous ne savez pas encore).' });
  if (!c.handling) missing.push({ path: 'content.handling', message: 'Indiquez où en est la prise en charge.' });
  if (!c.declarant?.name) missing.push({ path: 'content.declarant.name', message: 'Indiquez le nom de la personne qui déclare.' });
  if (!c.declarant?.phone && !c.declarant?.email) {
    missing.push({ path: 'content.declarant.phone', message: 'Indiquez un téléphone ou une adresse e-mail pour vous joindre.' });
  }
  if (!c.perimeter?.wholeEstablishment && !(c.perimeter?.orgIds?.length) && !c.perimeter?.details) {
    missing.push({ path: 'content.perimeter', message: 'Indiquez le périmètre touché : tout l’établissement, des sites ou services, ou une précision.' });
  }
  return missing;
}

export const idempotencyKeySchema = z
  .string({ message: 'L’en-tête Idempotency-Key est obligatoire : une clé unique par déclaration (un UUID par exemple).' })
  .trim()
  .min(8, 'L’en-tête Idempotency-Key doit contenir entre 8 et 128 caractères.')
  .max(128, 'L’en-tête Idempotency-Key doit contenir entre 8 et 128 caractères.')
  .regex(/^[\x21-\x7e]+$/, 'L’en-tête Idempotency-Key ne doit contenir que des caractères imprimables sans espace.');

export const createIncidentBodySchema = z.object({
  orgId: uuid('Choisissez l’établissement concerné.'),
  content: declarationContentSchema.default({}),
  /** true: declare at once (the content must be complete); false: keep as a draft. */
  declare: z.boolean().default(false),
});

export const saveDraftBodySchema = z.object({
  content: declarationContentSchema,
  /** The version the person started from: a stale save is refused with the current content. */
  version: z.number().int().min(1),
});

/** Completing a declared incident as facts come in: the whole new content, each change kept in the history. */
export const updateIncidentBodySchema = z.object({
  content: declarationContentSchema,
  version: z.number().int().min(1),
  /** Why it changed, shown in the history (optional). */
  comment: text(500, 'Commentaire').optional(),
});

export const obligationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(OBLIGATION_KINDS),
  dueAt: z.string(),
  status: z.enum(OBLIGATION_STATUSES),
  doneAt: z.string().nullable(),
  doneByName: z.string().nullable(),
  reference: z.string().nullable(),
  note: z.string().nullable(),
});
export type Obligation = z.infer<typeof obligationSchema>;

export const updateObligationBodySchema = z.object({
  status: z.enum(OBLIGATION_STATUSES, { message: 'Statut inconnu.' }),
  /** When it was done (defaults to now); not in the future. */
  doneAt: isoDateTime().optional(),
  /** The number given by the portal (ticket, receipt). */
  reference: text(200, 'Référence').optional(),
  note: text(1000, 'Commentaire').optional(),
});

export const incidentSummarySchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  orgName: z.string(),
  reference: z.string(),
  title: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  type: z.enum(INCIDENT_TYPES).nullable(),
  origin: z.enum(INCIDENT_ORIGINS).nullable(),
  discoveredAt: z.string().nullable(),
  declaredAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  careImpact: z.boolean(),
  personalData: z.boolean(),
  supportRequested: z.boolean(),
  regionStatus: z.enum(REGION_STATUSES),
  /** The nearest pending regulatory deadline, if any. */
  nextDeadline: z.object({ kind: z.enum(OBLIGATION_KINDS), dueAt: z.string() }).nullable(),
  version: z.number(),
  updatedAt: z.string(),
});
export type IncidentSummary = z.infer<typeof incidentSummarySchema>;

export const incidentDetailSchema = z.object({
  incident: incidentSummarySchema,
  content: declarationContentSchema,
  nis2: z.enum(NIS2_CATEGORIES),
  obligations: z.array(obligationSchema),
  lessons: z.string().nullable(),
  regionAcknowledgedAt: z.string().nullable(),
  regionAcknowledgedByName: z.string().nullable(),
  regionNote: z.string().nullable(),
  createdByName: z.string().nullable(),
  declaredByName: z.string().nullable(),
});
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export const draftConflictSchema = z.object({
  error: z.object({ code: z.literal('conflict'), message: z.string() }),
  current: incidentDetailSchema,
});

export const incidentListQuerySchema = z.object({
  orgId: uuid('Choisissez une organisation.'),
  status: z.enum(INCIDENT_STATUSES, { message: 'Statut inconnu.' }).optional(),
});
export const incidentListResponseSchema = z.object({ incidents: z.array(incidentSummarySchema) });

export const revisionSchema = z.object({
  version: z.number(),
  at: z.string(),
  authorName: z.string().nullable(),
  comment: z.string().nullable(),
  /** Dotted paths of the fields that changed (e.g. "impacts.personalData"). */
  changedFields: z.array(z.string()),
  content: declarationContentSchema,
});
export const historyResponseSchema = z.object({ revisions: z.array(revisionSchema) });

export const closeIncidentBodySchema = z.object({
  lessons: text(10_000, 'Retour d’expérience').min(10, 'Décrivez en quelques lignes les enseignements tirés (10 caractères au moins).'),
});

// --- NIS2 status ------------------------------------------------------------------------------

export const nis2SettingsSchema = z.object({ orgId: z.uuid(), category: z.enum(NIS2_CATEGORIES), updatedAt: z.string().nullable() });
export const nis2QuerySchema = z.object({ orgId: uuid('Choisissez un établissement.') });
export const updateNis2BodySchema = z.object({ orgId: uuid('Choisissez un établissement.'), category: enumOf(NIS2_CATEGORIES, 'Catégorie NIS2 inconnue.') });

// --- Follow-up: timeline, tasks, attachments, indicators ------------------------------------

export const timelineEntrySchema = z.object({
  id: z.uuid(),
  kind: z.enum(TIMELINE_ALL_KINDS),
  body: z.string(),
  occurredAt: z.string(),
  authorName: z.string().nullable(),
  createdAt: z.string(),
});
export const addTimelineEntryBodySchema = z.object({
  kind: enumOf(TIMELINE_KINDS, 'Choisissez : fait, décision, action ou communication.'),
  body: text(4000, 'Texte').min(2, 'Écrivez ce qui s’est passé.'),
  /** When it happened (defaults to now); not in the future. */
  occurredAt: isoDateTime().optional(),
});

export const taskSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  ownerId: z.uuid().nullable(),
  ownerName: z.string().nullable(),
  dueDate: z.string().nullable(),
  status: z.enum(TASK_STATUSES),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
  version: z.number(),
});
export const createTaskBodySchema = z.object({
  title: text(300, 'Tâche').min(2, 'Décrivez la tâche.'),
  ownerId: uuid('Responsable invalide.').nullable().optional(),
  dueDate: isoDate.nullable().optional(),
});
export const updateTaskBodySchema = z.object({
  title: text(300, 'Tâche').min(2, 'Décrivez la tâche.').optional(),
  ownerId: uuid('Responsable invalide.').nullable().optional(),
  dueDate: isoDate.nullable().optional(),
  status: enumOf(TASK_STATUSES, 'Statut inconnu.').optional(),
  version: z.number().int().min(1),
});

export const attachmentSchema = z.object({
  id: z.uuid(),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});

export const indicatorSchema = z.object({
  id: z.uuid(),
  type: z.enum(INDICATOR_TYPES),
  value: z.string(),
  tlp: z.enum(TLP_LEVELS),
  description: z.string().nullable(),
  /** The declarant allows his establishment to be named beside this indicator when it is shared. */
  shareIdentity: z.boolean(),
  createdAt: z.string(),
  createdByName: z.string().nullable(),
});
export type Indicator = z.infer<typeof indicatorSchema>;
export const addIndicatorBodySchema = z.object({
  type: enumOf(INDICATOR_TYPES, 'Type d’indicateur inconnu.'),
  value: z.string().trim().min(1, 'Saisissez la valeur de l’indicateur.').max(2048, 'La valeur est trop longue (2 048 caractères au plus).'),
  tlp: enumOf(TLP_LEVELS, 'Choisissez un niveau TLP.'),
  description: text(1000, 'Description').optional(),
  shareIdentity: z.boolean().default(false),
});

export const followUpSchema = z.object({
  timeline: z.array(timelineEntrySchema),
  tasks: z.array(taskSchema),
  attachments: z.array(attachmentSchema),
  indicators: z.array(indicatorSchema),
});
/** Who may own a task of an incident: names only. */
export const taskPersonSchema = z.object({ id: z.uuid(), name: z.string() });
export const peopleResponseSchema = z.object({ people: z.array(taskPersonSchema) });
/** A task changed by someone else in the meantime: 409 with the task as saved, so nothing typed is lost. */
export const taskConflictSchema = z.object({
  error: z.object({ code: z.literal('conflict'), message: z.string() }),
  current: taskSchema,
});

// --- Region: inbox, detections, shared indicators --------------------------------------------

export const regionInboxQuerySchema = z.object({
  regionId: uuid('Choisissez une région.'),
  status: z.enum(REGION_STATUSES, { message: 'Statut inconnu.' }).optional(),
  /** Pages of the inbox, newest declaration first: a region's history runs into thousands. */
  page: z.coerce.number({ message: 'Numéro de page invalide.' }).int('Numéro de page invalide.').min(1, 'Numéro de page invalide.').default(1),
  pageSize: z.coerce.number({ message: 'Taille de page invalide.' }).int('Taille de page invalide.').min(1, 'Taille de page invalide.').max(500, '500 déclarations par page au plus.').default(100),
});
export const regionFollowUpBodySchema = z.object({
  status: enumOf(REGION_STATUSES, 'Statut inconnu.'),
  note: text(2000, 'Note').optional(),
});

export const detectionSchema = z.object({
  id: z.uuid(),
  regionId: z.uuid(),
  kind: z.enum(['indicator', 'type']),
  /** The indicator (type and value) or the incident type shared by the establishments. */
  indicatorType: z.enum(INDICATOR_TYPES).nullable(),
  value: z.string(),
  detectedAt: z.string(),
  status: z.enum(['open', 'closed']),
  incidents: z.array(z.object({ incidentId: z.uuid(), orgId: z.uuid(), orgName: z.string(), reference: z.string(), title: z.string(), declaredAt: z.string().nullable() })),
});
export const detectionListResponseSchema = z.object({ detections: z.array(detectionSchema) });
export const detectionListQuerySchema = z.object({
  regionId: uuid('Choisissez une région.'),
  status: z.enum(['open', 'closed'], { message: 'Statut inconnu : « open » ou « closed ».' }).optional(),
});
export const regionInboxResponseSchema = z.object({
  incidents: z.array(incidentSummarySchema),
  /** How many declarations match, over all pages. */
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

export const sharedIndicatorSchema = z.object({
  type: z.enum(INDICATOR_TYPES),
  value: z.string(),
  tlp: z.enum(TLP_LEVELS),
  description: z.string().nullable(),
  firstReportedAt: z.string(),
  /** How many establishments reported it. */
  establishments: z.number(),
  /** Only the establishments that allowed it to be named. */
  namedBy: z.array(z.string()),
});
export const sharedIndicatorsQuerySchema = z.object({ orgId: uuid('Choisissez un établissement.') });
export const sharedIndicatorsResponseSchema = z.object({ indicators: z.array(sharedIndicatorSchema) });

// --- Alerts and bulletins ---------------------------------------------------------------------

export const alertSchema = z.object({
  id: z.uuid(),
  regionId: z.uuid(),
  title: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  summary: z.string(),
  whatToCheck: z.string(),
  whatToDo: z.string(),
  products: z.array(z.string()),
  publishedAt: z.string(),
  publishedByName: z.string().nullable(),
  recipientCount: z.number(),
  acknowledgedCount: z.number(),
});
export type Alert = z.infer<typeof alertSchema>;
export const publishAlertBodySchema = z.object({
  regionId: uuid('Choisissez la région.'),
  title: text(200, 'Titre').min(5, 'Donnez un titre à l’alerte (5 caractères au moins).'),
  severity: enumOf(ALERT_SEVERITIES, 'Choisissez la gravité.'),
  summary: text(4000, 'Résumé').min(10, 'Résumez l’alerte en une ou deux phrases.'),
  whatToCheck: text(8000, 'Ce qu’il faut vérifier').default(''),
  whatToDo: text(8000, 'Ce qu’il faut faire').default(''),
  products: z.array(text(200, 'Produit').min(1, 'Nom de produit vide.')).max(50, '50 produits au plus.').default([]),
  /** null: every establishment of the region; otherwise the chosen ones. */
  establishmentIds: z.array(uuid('Établissement invalide.')).min(1, 'Choisissez au moins un établissement.').max(5000).nullable().default(null),
});
export const alertRecipientSchema = z.object({ orgId: z.uuid(), orgName: z.string(), acknowledgedAt: z.string().nullable(), acknowledgedByName: z.string().nullable() });
export const alertDetailSchema = z.object({ alert: alertSchema, recipients: z.array(alertRecipientSchema) });
/** An alert as an establishment receives it. */
export const receivedAlertSchema = alertSchema.extend({ orgId: z.uuid(), orgName: z.string(), acknowledgedAt: z.string().nullable() });
export const alertListQuerySchema = z.object({ orgId: uuid('Choisissez une organisation.') });
export const alertListResponseSchema = z.object({ sent: z.array(alertSchema), received: z.array(receivedAlertSchema) });
export const acknowledgeAlertBodySchema = z.object({ orgId: uuid('Choisissez l’établissement qui accuse réception.') });

export const feedTokenSchema = z.object({ id: z.uuid(), createdAt: z.string(), lastUsedAt: z.string().nullable() });
/** The token is shown once, at creation. */
export const createdFeedTokenSchema = feedTokenSchema.extend({ token: z.string(), url: z.string() });
export const feedTokenListSchema = z.object({ tokens: z.array(feedTokenSchema) });

// --- Statistics -------------------------------------------------------------------------------

export const statsQuerySchema = z.object({
  orgId: uuid('Choisissez une organisation.'),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export const statsSchema = z.object({
  orgId: z.uuid(),
  from: z.string(),
  to: z.string(),
  total: z.number(),
  malicious: z.number(),
  careImpact: z.number(),
  degradedMode: z.number(),
  personalData: z.number(),
  /** Median hours between discovery and declaration; null with no declaration. */
  medianHoursToDeclare: z.number().nullable(),
  byMonth: z.array(z.object({ month: z.string(), total: z.number(), malicious: z.number() })),
  byType: z.array(z.object({ type: z.enum(INCIDENT_TYPES), count: z.number() })),
  byOrigin: z.array(z.object({ origin: z.enum(INCIDENT_ORIGINS), count: z.number() })),
});
export type IncidentStats = z.infer<typeof statsSchema>;

// --- Export of a declaration for the official channels (JSON) ------------------------------

/** A code of the vocabulary with its French label, so that the file reads without Hygie. */
const labelled = <T extends readonly [string, ...string[]]>(values: T) => z.object({ code: z.enum(values), label: z.string() });

export const INCIDENT_EXPORT_FORMAT = 'hygie-incident-declaration';
export const incidentExportSchema = z.object({
  format: z.literal(INCIDENT_EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  /** A draft is exported for review only: it has not been declared. */
  draft: z.boolean(),
  establishment: z.object({
    id: z.uuid(),
    name: z.string(),
    finess: z.string().nullable(),
    category: z.object({ code: z.string(), label: z.string() }).nullable(),
    nis2: labelled(NIS2_CATEGORIES),
  }),
  incident: z.object({
    id: z.uuid(),
    reference: z.string(),
    status: labelled(INCIDENT_STATUSES),
    createdAt: z.string(),
    declaredAt: z.string().nullable(),
    declaredByName: z.string().nullable(),
    closedAt: z.string().nullable(),
    updatedAt: z.string(),
    version: z.number(),
    lessons: z.string().nullable(),
  }),
  declaration: z.object({
    declarant: z.object({ name: z.string().nullable(), jobTitle: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
    title: z.string().nullable(),
    description: z.string().nullable(),
    discoveredAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    type: labelled(INCIDENT_TYPES).nullable(),
    origin: labelled(INCIDENT_ORIGINS).nullable(),
    perimeter: z.object({
      wholeEstablishment: z.boolean(),
      /** The sites and services named, with their names. */
      units: z.array(z.object({ id: z.uuid(), kind: z.enum(['site', 'service']), name: z.string() })),
      details: z.string().nullable(),
    }),
    systems: z.array(labelled(SYSTEM_KINDS)),
    systemsDetails: z.string().nullable(),
    data: z.array(labelled(DATA_KINDS)),
    dataDetails: z.string().nullable(),
    /** null: not stated yet. */
    impacts: z.object({
      confidentiality: z.boolean().nullable(),
      integrity: z.boolean().nullable(),
      availability: z.boolean().nullable(),
      personalData: z.boolean().nullable(),
      careImpact: z.boolean().nullable(),
      degradedMode: z.boolean().nullable(),
      patientsEndangered: z.boolean().nullable(),
      careDetails: z.string().nullable(),
      systemsDetails: z.string().nullable(),
      operationsDetails: z.string().nullable(),
    }),
    causes: z.string().nullable(),
    handling: labelled(HANDLING_STATES).nullable(),
    handlingDetails: z.string().nullable(),
    supportRequested: z.boolean().nullable(),
    supportDetails: z.string().nullable(),
  }),
  obligations: z.array(
    z.object({
      kind: labelled(OBLIGATION_KINDS),
      dueAt: z.string(),
      status: labelled(OBLIGATION_STATUSES),
      doneAt: z.string().nullable(),
      doneByName: z.string().nullable(),
      reference: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
  revisions: z.array(
    z.object({
      version: z.number(),
      at: z.string(),
      authorName: z.string().nullable(),
      comment: z.string().nullable(),
      changedFields: z.array(z.object({ path: z.string(), label: z.string() })),
    }),
  ),
});
export type IncidentExport = z.infer<typeof incidentExportSchema>;
