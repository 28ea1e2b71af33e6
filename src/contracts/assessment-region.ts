import { z } from 'zod';
import { assessmentSummarySchema, scoreSchema } from './assessment';
import { pageQuerySchema } from './common';
import { ESTABLISHMENT_CATEGORIES } from './tenancy';

/**
 * Shapes of the regional and GHT side of the assessment module: campaigns, funding
 * programmes (as CaRE) and the observatory. The assessments and scores themselves are
 * those of `assessment.ts`.
 */

const uuid = (message = 'Identifiant invalide.') => z.uuid({ message });
const isoDate = (message = 'Date invalide (AAAA-MM-JJ).') => z.iso.date({ message });

// --- Campaigns --------------------------------------------------------------------------

/** Where an establishment stands in a campaign: not started = draft with no answer yet. */
export const CAMPAIGN_PROGRESS = ['not_started', 'started', 'submitted', 'validated'] as const;
export type CampaignProgress = (typeof CAMPAIGN_PROGRESS)[number];

export const createCampaignBodySchema = z.object({
  orgId: uuid('Choisissez la région ou le GHT qui lance la campagne.'),
  frameworkId: uuid('Choisissez un référentiel.'),
  title: z
    .string({ message: 'Le titre est obligatoire.' })
    .trim()
    .min(3, 'Le titre doit contenir au moins 3 caractères.')
    .max(200, 'Le titre doit contenir au plus 200 caractères.'),
  /** the last day to submit, Europe/Paris */
  deadline: isoDate('Choisissez une date limite (AAAA-MM-JJ).'),
  establishmentIds: z
    .array(uuid('Établissement inconnu.'), { message: 'Choisissez les établissements.' })
    .min(1, 'Choisissez au moins un établissement.')
    .max(5000, 'Au plus 5 000 établissements par campagne.'),
});
export type CreateCampaignBody = z.infer<typeof createCampaignBodySchema>;

export const campaignTotalsSchema = z.object({
  establishments: z.number(),
  notStarted: z.number(),
  started: z.number(),
  submitted: z.number(),
  validated: z.number(),
  /** deadline passed and not submitted */
  late: z.number(),
});
export type CampaignTotals = z.infer<typeof campaignTotalsSchema>;

export const campaignSummarySchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  orgName: z.string(),
  frameworkId: z.uuid(),
  frameworkName: z.string(),
  title: z.string(),
  deadline: z.string(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  /** the deadline has passed (Europe/Paris) */
  overdue: z.boolean(),
  totals: campaignTotalsSchema,
});
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;

export const campaignEstablishmentSchema = z.object({
  assessment: assessmentSummarySchema,
  category: z.enum(ESTABLISHMENT_CATEGORIES).nullable(),
  progress: z.enum(CAMPAIGN_PROGRESS),
  /** measures answered, 0-100 */
  percent: z.number(),
  late: z.boolean(),
});
export type CampaignEstablishment = z.infer<typeof campaignEstablishmentSchema>;

export const campaignDetailSchema = z.object({
  campaign: campaignSummarySchema,
  establishments: z.array(campaignEstablishmentSchema),
});
export type CampaignDetail = z.infer<typeof campaignDetailSchema>;

export const campaignListQuerySchema = z.object({ orgId: uuid('Choisissez une région ou un GHT.') });
export const campaignListResponseSchema = z.object({ campaigns: z.array(campaignSummarySchema) });
export const remindResponseSchema = z.object({
  /** establishments not yet submitted */
  establishments: z.number(),
  /** mails sent to their RSSI and direction */
  mails: z.number(),
});

// --- Funding programmes (as CaRE: prerequisites first, then objectives) -------------------

export const MILESTONE_KINDS = ['prerequisite', 'objective'] as const;
/** `none`: not declared yet. */
export const DECLARATION_STATUSES = ['none', 'declared', 'more_info', 'validated'] as const;

const milestoneInputSchema = z.object({
  kind: z.enum(MILESTONE_KINDS, { message: 'Choisissez : prérequis ou objectif.' }),
  code: z
    .string({ message: 'Le code du jalon est obligatoire.' })
    .trim()
    .min(1, 'Le code du jalon est obligatoire.')
    .max(30, 'Le code du jalon doit contenir au plus 30 caractères.'),
  title: z
    .string({ message: "L'intitulé du jalon est obligatoire." })
    .trim()
    .min(3, "L'intitulé du jalon doit contenir au moins 3 caractères.")
    .max(300, "L'intitulé du jalon est trop long."),
  description: z.string({ message: 'La description doit être un texte.' }).max(5000, 'La description dépasse 5 000 caractères.').nullable().optional(),
  /** paid to each establishment once validated, in euros */
  amount: z
    .number({ message: 'Le montant est un nombre (en euros).' })
    .min(0, 'Le montant ne peut pas être négatif.')
    .max(1_000_000_000, 'Le montant est trop élevé.')
    .nullable()
    .optional(),
});

export const createProgrammeBodySchema = z
  .object({
    orgId: uuid('Choisissez la région.'),
    name: z
      .string({ message: 'Le nom du programme est obligatoire.' })
      .trim()
      .min(3, 'Le nom du programme doit contenir au moins 3 caractères.')
      .max(200, 'Le nom du programme est trop long.'),
    description: z.string({ message: 'La description doit être un texte.' }).max(5000, 'La description dépasse 5 000 caractères.').nullable().optional(),
    milestones: z
      .array(milestoneInputSchema, { message: 'Ajoutez les jalons du programme.' })
      .min(1, 'Ajoutez au moins un jalon.')
      .max(100, 'Au plus 100 jalons par programme.'),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.milestones.forEach((m, i) => {
      const key = m.code.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['milestones', i, 'code'], message: `Le code « ${m.code} » est déjà utilisé par un autre jalon.` });
      seen.add(key);
    });
  });
export type CreateProgrammeBody = z.infer<typeof createProgrammeBodySchema>;

export const declarationSchema = z.object({
  milestoneId: z.uuid(),
  orgId: z.uuid(),
  status: z.enum(DECLARATION_STATUSES),
  evidence: z.string().nullable(),
  comment: z.string().nullable(),
  /** what the region asked for, or said when validating */
  reviewComment: z.string().nullable(),
  declaredAt: z.string().nullable(),
  declaredByName: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewedByName: z.string().nullable(),
});
export type Declaration = z.infer<typeof declarationSchema>;

export const fundingTotalsSchema = z.object({
  /** awaiting the region's review */
  declared: z.number(),
  moreInfo: z.number(),
  validated: z.number(),
  /** sum of the validated milestones' amounts, euros */
  amountValidated: z.number(),
});
export type FundingTotals = z.infer<typeof fundingTotalsSchema>;

export const milestoneSchema = z.object({
  id: z.uuid(),
  kind: z.enum(MILESTONE_KINDS),
  code: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  amount: z.number().nullable(),
  position: z.number(),
  /** over the establishments listed */
  totals: fundingTotalsSchema,
});
export type Milestone = z.infer<typeof milestoneSchema>;

export const establishmentFundingSchema = z.object({
  orgId: z.uuid(),
  orgName: z.string(),
  category: z.enum(ESTABLISHMENT_CATEGORIES).nullable(),
  /** one per milestone, in the programme's order */
  declarations: z.array(declarationSchema),
  /** every prerequisite validated: objectives may be declared */
  prerequisitesMet: z.boolean(),
  totals: fundingTotalsSchema,
});
export type EstablishmentFunding = z.infer<typeof establishmentFundingSchema>;

export const programmeSchema = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  orgName: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  milestones: z.array(milestoneSchema),
  /** the establishments the asker may see: all of the region for its coordinator, his own for an establishment */
  establishments: z.array(establishmentFundingSchema),
  totals: fundingTotalsSchema.extend({ establishments: z.number() }),
});
export type Programme = z.infer<typeof programmeSchema>;

export const programmeListQuerySchema = z.object({ orgId: uuid('Choisissez une organisation.') });
export const programmeListResponseSchema = z.object({ programmes: z.array(programmeSchema) });
export const programmeResponseSchema = z.object({ programme: programmeSchema });

export const declareBodySchema = z.object({
  orgId: uuid("Choisissez l'établissement."),
  evidence: z
    .string({ message: 'Décrivez la preuve (document, lien, procès-verbal…).' })
    .trim()
    .min(3, 'Décrivez la preuve (document, lien, procès-verbal…) en au moins 3 caractères.')
    .max(5000, 'La preuve dépasse 5 000 caractères.'),
  comment: z.string({ message: 'Le commentaire doit être un texte.' }).trim().max(5000, 'Le commentaire dépasse 5 000 caractères.').nullable().optional(),
});
export type DeclareBody = z.infer<typeof declareBodySchema>;

export const reviewBodySchema = z
  .object({
    orgId: uuid("Choisissez l'établissement."),
    decision: z.enum(['validated', 'more_info'], { message: 'Choisissez : valider ou demander des compléments.' }),
    comment: z.string({ message: 'Le commentaire doit être un texte.' }).trim().max(5000, 'Le commentaire dépasse 5 000 caractères.').nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.decision === 'more_info' && !body.comment) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: "Précisez ce qui manque : l'établissement recevra votre commentaire." });
    }
  });
export type ReviewBody = z.infer<typeof reviewBodySchema>;

export const declarationResponseSchema = z.object({ declaration: declarationSchema });

// --- Observatory ----------------------------------------------------------------------------

/**
 * Perimeter: a region or a GHT (its coordinators); without `orgId`, the whole country
 * (platform administrators). Framework: Hygie's référentiel unless told (or the campaign's).
 */
export const observatoryQuerySchema = z.object({
  orgId: uuid('Choisissez une région ou un GHT.').optional(),
  frameworkId: uuid('Choisissez un référentiel.').optional(),
  campaignId: uuid('Choisissez une campagne.').optional(),
});
export type ObservatoryQuery = z.infer<typeof observatoryQuerySchema>;

/** Scores 0-100 over establishments, rounded to one decimal; null when nobody has a score. */
export const statsSchema = z.object({
  count: z.number(),
  mean: z.number().nullable(),
  q1: z.number().nullable(),
  median: z.number().nullable(),
  q3: z.number().nullable(),
});
export type Stats = z.infer<typeof statsSchema>;

export const objectiveRefSchema = z.object({ nodeId: z.uuid(), refId: z.string().nullable(), name: z.string().nullable() });

export const observatoryScopeSchema = z.object({
  kind: z.enum(['region', 'ght', 'national']),
  orgId: z.uuid().nullable(),
  name: z.string(),
});

export const observatorySchema = z.object({
  scope: observatoryScopeSchema,
  framework: z.object({ id: z.uuid(), name: z.string() }),
  campaign: z.object({ id: z.uuid(), title: z.string() }).nullable(),
  /** establishments of the perimeter, and those with a submitted or validated assessment */
  establishments: z.object({ total: z.number(), withResult: z.number() }),
  overall: statsSchema,
  objectives: z.array(objectiveRefSchema.extend({ stats: statsSchema })),
  /** overall scores in bands of 10 points: [0,10), [10,20) … [90,100] */
  distribution: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  categories: z.array(
    z.object({
      category: z.enum(ESTABLISHMENT_CATEGORIES),
      count: z.number(),
      overall: statsSchema,
      objectives: z.array(z.object({ nodeId: z.uuid(), median: z.number().nullable() })),
    }),
  ),
  /** the last campaigns of this framework over the perimeter, oldest first */
  evolution: z.array(z.object({ campaignId: z.uuid(), title: z.string(), orgName: z.string(), deadline: z.string(), count: z.number(), median: z.number().nullable() })),
  /** national scope only: one line per region */
  regions: z.array(z.object({ orgId: z.uuid(), name: z.string(), count: z.number(), median: z.number().nullable() })),
});
export type Observatory = z.infer<typeof observatorySchema>;

export const observatoryEstablishmentsQuerySchema = observatoryQuerySchema.extend(pageQuerySchema.shape);
export const observatoryEstablishmentSchema = z.object({
  orgId: z.uuid(),
  name: z.string(),
  finess: z.string().nullable(),
  category: z.enum(ESTABLISHMENT_CATEGORIES),
  regionName: z.string().nullable(),
  assessmentId: z.uuid(),
  status: z.enum(['submitted', 'validated']),
  submittedAt: z.string().nullable(),
  score: z.number().nullable(),
  /** by objective, in the framework's order */
  scores: z.array(scoreSchema),
});
export type ObservatoryEstablishment = z.infer<typeof observatoryEstablishmentSchema>;
export const observatoryEstablishmentsResponseSchema = z.object({
  objectives: z.array(objectiveRefSchema),
  establishments: z.array(observatoryEstablishmentSchema),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

export const benchmarkQuerySchema = z.object({
  orgId: uuid("Choisissez l'établissement."),
  frameworkId: uuid('Choisissez un référentiel.').optional(),
});

/** A median over other establishments: null and `suppressed` when fewer than `minimumGroup` take part. */
export const anonymousMedianSchema = z.object({ median: z.number().nullable(), count: z.number(), suppressed: z.boolean() });

export const benchmarkRowSchema = z.object({
  own: z.number().nullable(),
  category: anonymousMedianSchema,
  region: anonymousMedianSchema,
});

/** An establishment's own scores beside anonymous medians: never another establishment's name, id or answers. */
export const benchmarkSchema = z.object({
  org: z.object({ id: z.uuid(), name: z.string(), category: z.enum(ESTABLISHMENT_CATEGORIES) }),
  regionName: z.string(),
  framework: z.object({ id: z.uuid(), name: z.string() }),
  /** the latest submitted or validated assessment compared, if any */
  assessment: z.object({ id: z.uuid(), status: z.enum(['submitted', 'validated']), submittedAt: z.string().nullable() }).nullable(),
  /** medians computed over fewer establishments than this are withheld */
  minimumGroup: z.number(),
  overall: benchmarkRowSchema,
  objectives: z.array(objectiveRefSchema.extend(benchmarkRowSchema.shape)),
});
export type Benchmark = z.infer<typeof benchmarkSchema>;
