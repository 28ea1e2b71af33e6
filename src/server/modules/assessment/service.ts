import { and, arrayContains, asc, count, desc, eq, isNotNull, notInArray, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  Answer,
  AssessmentDetail,
  AssessmentSummary,
  Evidence,
  Score,
  addLinkEvidenceBodySchema,
  compareResponseSchema,
  createAssessmentBodySchema,
  saveAnswerBodySchema,
  saveAnswerResponseSchema,
} from '../../../contracts/assessment';
import type { ErrorBody } from '../../../contracts/common';
import { requireAccess, can, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { newFileKey } from '../../platform/files/store';
import { checkUpload, type UploadedFile } from '../../platform/files/upload';
import { AppError, conflict, invalid, invalidField, notFound } from '../../platform/http/errors';
import { organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { assessmentPolicy as policy } from './policy';
import { activeNode, answers, assessments, campaigns, evidence, frameworkNodes, frameworks, nodeScores } from './schema';
import { gaps, measureScore, scoreTree, type NodeScore, type Scale, type ScoredAnswer, type TreeNode } from './scoring';

type AssessmentAction = 'assessment.read' | 'assessment.edit' | 'assessment.submit' | 'assessment.validate';
type SaveAnswerInput = z.infer<typeof saveAnswerBodySchema>;

/** Scores are kept and shown with two decimals. */
const round = (score: number | null) => (score === null ? null : Math.round(score * 100) / 100);
const toScore = (s: NodeScore): Score => ({ nodeId: s.nodeId, score: round(s.score), answered: s.answered, total: s.total });

const NOT_DRAFT = 'Ce diagnostic a été soumis : il ne peut plus être modifié. Demandez à le rouvrir pour le corriger.';
const MONTH_YEAR = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

/** 409 whose body carries the answer as saved by someone else, so nothing typed is lost. */
export class AnswerConflict extends AppError {
  constructor(public readonly current: Answer) {
    super(409, 'conflict', 'Quelqu’un vient d’enregistrer cette mesure avant vous : comparez sa réponse avec la vôtre, puis enregistrez à nouveau.');
  }

  override toBody(): ErrorBody & { current: Answer } {
    return { ...super.toBody(), current: this.current };
  }
}

/** The framework's current tree (nodes dropped by a newer version left out) as the scoring rule needs it, in order. */
async function loadTree(db: Db, frameworkId: string) {
  return db
    .select({
      id: frameworkNodes.id,
      urn: frameworkNodes.urn,
      parentUrn: frameworkNodes.parentUrn,
      assessable: frameworkNodes.assessable,
      priority: frameworkNodes.priority,
    })
    .from(frameworkNodes)
    .where(and(eq(frameworkNodes.frameworkId, frameworkId), activeNode()))
    .orderBy(asc(frameworkNodes.position));
}

async function loadScoredAnswers(db: Db, assessmentId: string): Promise<Map<string, ScoredAnswer>> {
  const rows = await db.select({ nodeId: answers.nodeId, status: answers.status, maturity: answers.maturity }).from(answers).where(eq(answers.assessmentId, assessmentId));
  return new Map(rows.map((r) => [r.nodeId, { status: r.status, maturity: r.maturity }]));
}

/**
 * Recomputes an assessment's scores from its answers and stores them: one row per
 * objective / sub-objective in assessment_node_scores, the overall score and progress on
 * the assessment. Costs one framework's size (its nodes and this assessment's answers),
 * whatever the number of assessments. Call it inside the transaction that changed answers
 * (or created the assessment), so the scores land with the change.
 */
export async function refreshScores(tx: Db, assessmentId: string): Promise<{ nodes: Score[]; overall: Score }> {
  const [a] = await tx
    .select({ frameworkId: assessments.frameworkId, min: frameworks.minScore, max: frameworks.maxScore })
    .from(assessments)
    .innerJoin(frameworks, eq(frameworks.id, assessments.frameworkId))
    .where(eq(assessments.id, assessmentId));
  if (!a) throw notFound();
  const tree: TreeNode[] = await loadTree(tx, a.frameworkId);
  const result = scoreTree(tree, await loadScoredAnswers(tx, assessmentId), { min: a.min, max: a.max });
  const nodes = result.nodes.map(toScore);
  // The whole framework is reported under the framework's id (the tree has no single root).
  const overall = toScore({ ...result.overall, nodeId: a.frameworkId });
  if (nodes.length) {
    await tx
      .insert(nodeScores)
      .values(nodes.map((n) => ({ assessmentId, nodeId: n.nodeId, score: n.score, answered: n.answered, total: n.total })))
      .onConflictDoUpdate({
        target: [nodeScores.assessmentId, nodeScores.nodeId],
        set: { score: sql`excluded.score`, answered: sql`excluded.answered`, total: sql`excluded.total` },
      });
  }
  // Groups a newer version of the framework dropped no longer have a score.
  await tx
    .delete(nodeScores)
    .where(and(eq(nodeScores.assessmentId, assessmentId), nodes.length ? notInArray(nodeScores.nodeId, nodes.map((n) => n.nodeId)) : undefined));
  await tx.update(assessments).set({ score: overall.score, answeredCount: overall.answered, assessableCount: overall.total }).where(eq(assessments.id, assessmentId));
  return { nodes, overall };
}

const summaryColumns = {
  a: assessments,
  orgName: organisations.name,
  frameworkName: frameworks.name,
  minScore: frameworks.minScore,
  maxScore: frameworks.maxScore,
  campaignTitle: campaigns.title,
  deadline: campaigns.deadline,
};
type SummaryRow = {
  a: typeof assessments.$inferSelect;
  orgName: string;
  frameworkName: string;
  minScore: number;
  maxScore: number;
  campaignTitle: string | null;
  deadline: string | null;
};

function summaryQuery(db: Db) {
  return db
    .select(summaryColumns)
    .from(assessments)
    .innerJoin(organisations, eq(organisations.id, assessments.orgId))
    .innerJoin(frameworks, eq(frameworks.id, assessments.frameworkId))
    .leftJoin(campaigns, eq(campaigns.id, assessments.campaignId));
}

const toSummary = (r: SummaryRow): AssessmentSummary => ({
  id: r.a.id,
  orgId: r.a.orgId,
  orgName: r.orgName,
  frameworkId: r.a.frameworkId,
  frameworkName: r.frameworkName,
  campaignId: r.a.campaignId,
  campaignTitle: r.campaignTitle,
  deadline: r.deadline,
  title: r.a.title,
  status: r.a.status,
  score: round(r.a.score),
  answeredCount: r.a.answeredCount,
  assessableCount: r.a.assessableCount,
  createdAt: r.a.createdAt.toISOString(),
  submittedAt: r.a.submittedAt?.toISOString() ?? null,
  validatedAt: r.a.validatedAt?.toISOString() ?? null,
});

type AnswerRow = typeof answers.$inferSelect & { updatedByName: string | null };
const toAnswer = (r: AnswerRow): Answer => ({
  nodeId: r.nodeId,
  status: r.status,
  maturity: r.maturity,
  comment: r.comment,
  questionAnswers: r.questionAnswers,
  version: r.version,
  updatedAt: r.updatedAt.toISOString(),
  updatedByName: r.updatedByName,
});

type EvidenceRow = typeof evidence.$inferSelect & { createdByName: string | null };
const toEvidence = (r: EvidenceRow): Evidence => ({
  id: r.id,
  nodeId: r.nodeId,
  kind: r.kind,
  url: r.url,
  fileName: r.fileName,
  mimeType: r.mimeType,
  size: r.size,
  createdAt: r.createdAt.toISOString(),
  createdByName: r.createdByName,
});

/**
 * Assessments of an establishment: answers saved one measure at a time by several people
 * without overwriting each other, scores maintained on every save, evidence, submission
 * and validation, comparison over time. Every method checks access first.
 */
export class AssessmentService {
  constructor(private readonly p: Platform) {}

  // --- Loading with access -----------------------------------------------------------------

  /** The assessment with its establishment, or 404 when the actor may not know of it; then the policy. */
  private async access(actor: Actor, id: string, action: AssessmentAction): Promise<{ row: SummaryRow; org: OrgRef }> {
    const [row] = await summaryQuery(this.p.db).where(eq(assessments.id, id));
    if (!row) throw notFound();
    const org = await loadVisibleOrg(this.p.db, actor, row.a.orgId);
    requireAccess(actor, policy, action, org);
    return { row, org };
  }

  /** A measure of the assessment's framework: 404 for a node of another framework, 400 for a group. */
  private async assessableNode(frameworkId: string, nodeId: string, field = 'nodeId') {
    const [node] = await this.p.db.select().from(frameworkNodes).where(eq(frameworkNodes.id, nodeId));
    if (!node || node.frameworkId !== frameworkId || node.extra.removed === true) throw notFound('Cette mesure ne fait pas partie du référentiel de ce diagnostic.');
    if (!node.assessable) {
      throw invalidField(field, 'Seules les mesures reçoivent une réponse ou une preuve, pas les objectifs ni les sous-objectifs.');
    }
    return node;
  }

  /** Inside a transaction: locks the assessment (saves of one assessment take turns) and checks it is still a draft. */
  private async lockDraft(tx: Db, id: string): Promise<void> {
    const [locked] = await tx.select({ status: assessments.status }).from(assessments).where(eq(assessments.id, id)).for('update');
    if (!locked) throw notFound();
    if (locked.status !== 'draft') throw conflict(NOT_DRAFT);
  }

  private async detail(id: string): Promise<AssessmentDetail> {
    const db = this.p.db;
    const [row] = await summaryQuery(db).where(eq(assessments.id, id));
    if (!row) throw notFound();
    const answerRows = await db
      .select({ answer: answers, updatedByName: users.displayName })
      .from(answers)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, answers.nodeId))
      .leftJoin(users, eq(users.id, answers.updatedBy))
      .where(eq(answers.assessmentId, id))
      .orderBy(asc(frameworkNodes.position));
    const evidenceRows = await db
      .select({ evidence, createdByName: users.displayName })
      .from(evidence)
      .leftJoin(users, eq(users.id, evidence.createdBy))
      .where(eq(evidence.assessmentId, id))
      .orderBy(asc(evidence.createdAt), asc(evidence.id));
    const scoreRows = await db
      .select({ nodeId: nodeScores.nodeId, score: nodeScores.score, answered: nodeScores.answered, total: nodeScores.total })
      .from(nodeScores)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, nodeScores.nodeId))
      .where(and(eq(nodeScores.assessmentId, id), activeNode()))
      .orderBy(asc(frameworkNodes.position));
    const tree = await loadTree(db, row.a.frameworkId);
    const scored = new Map(answerRows.map((r) => [r.answer.nodeId, { status: r.answer.status, maturity: r.answer.maturity }]));
    return {
      assessment: toSummary(row),
      answers: answerRows.map((r) => toAnswer({ ...r.answer, updatedByName: r.updatedByName })),
      evidence: evidenceRows.map((r) => toEvidence({ ...r.evidence, createdByName: r.createdByName })),
      scores: scoreRows.map((s) => ({ ...s, score: round(s.score) })),
      gaps: gaps(tree, scored, { min: row.minScore, max: row.maxScore }).map((g) => ({ ...g, score: round(g.score)! })),
    };
  }

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string, targetId: string, details: Record<string, unknown>) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType: 'assessment', targetId, ip: meta.ip, details }, tx);
  }

  // --- Listing and creating -----------------------------------------------------------------

  /** Assessments of an establishment, or of the establishments below a GHT or a region. */
  async list(actor: Actor, orgId: string): Promise<AssessmentSummary[]> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'assessment.read', org);
    // The organisation and everything below it, in SQL: a region may hold thousands of establishments.
    const rows = await summaryQuery(this.p.db)
      .where(or(eq(organisations.id, org.orgId), arrayContains(organisations.ancestors, [org.orgId])))
      .orderBy(desc(assessments.createdAt), asc(organisations.name), asc(assessments.id));
    return rows.map(toSummary);
  }

  async create(actor: Actor, meta: RequestMeta, input: z.infer<typeof createAssessmentBodySchema>): Promise<AssessmentDetail> {
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    requireAccess(actor, policy, 'assessment.edit', org);
    if (org.kind !== 'establishment') {
      throw invalidField('orgId', 'Un diagnostic se fait pour un établissement : choisissez un établissement, pas un GHT, une région, un site ni un service.');
    }
    const [framework] = await this.p.db.select({ id: frameworks.id, name: frameworks.name }).from(frameworks).where(eq(frameworks.id, input.frameworkId));
    if (!framework) throw invalidField('frameworkId', 'Ce référentiel n’existe pas : choisissez-en un dans la liste.');
    const now = this.p.clock.now();
    const title = input.title ?? `${framework.name} — ${MONTH_YEAR.format(now)}`.slice(0, 200);
    const id = await this.p.db.transaction(async (tx) => {
      const [{ n }] = await tx
        .select({ n: count() })
        .from(frameworkNodes)
        .where(and(eq(frameworkNodes.frameworkId, framework.id), eq(frameworkNodes.assessable, true), activeNode()));
      const [row] = await tx
        .insert(assessments)
        .values({ orgId: org.orgId, frameworkId: framework.id, title, createdBy: actor.userId, createdAt: now, assessableCount: Number(n) })
        .returning({ id: assessments.id });
      await refreshScores(tx, row.id);
      await this.audit(tx, actor, meta, 'assessment.created', org.orgId, row.id, { frameworkId: framework.id, title });
      return row.id;
    });
    return this.detail(id);
  }

  async get(actor: Actor, id: string): Promise<AssessmentDetail> {
    await this.access(actor, id, 'assessment.read');
    return this.detail(id);
  }

  // --- Answers ----------------------------------------------------------------------------------

  /**
   * Saves one measure. `version` is the one the person started from (0 for a first answer):
   * if someone saved in between, 409 with the current answer. Scores are recomputed and
   * stored in the same transaction.
   */
  async saveAnswer(actor: Actor, meta: RequestMeta, id: string, nodeId: string, body: SaveAnswerInput): Promise<z.infer<typeof saveAnswerResponseSchema>> {
    const { row } = await this.access(actor, id, 'assessment.edit');
    const node = await this.assessableNode(row.a.frameworkId, nodeId);
    if (body.maturity !== undefined && body.maturity !== null && (body.maturity < row.minScore || body.maturity > row.maxScore)) {
      throw invalidField('maturity', `Le niveau de maturité va de ${row.minScore} à ${row.maxScore}.`);
    }
    if (body.questionAnswers) checkQuestionAnswers(node.questions ?? [], body.questionAnswers);
    if (row.a.status !== 'draft') throw conflict(NOT_DRAFT);

    const now = this.p.clock.now();
    return this.p.db.transaction(async (tx) => {
      await this.lockDraft(tx, id);
      const [found] = await tx
        .select({ answer: answers, updatedByName: users.displayName })
        .from(answers)
        .leftJoin(users, eq(users.id, answers.updatedBy))
        .where(and(eq(answers.assessmentId, id), eq(answers.nodeId, nodeId)));
      const current = found ? { ...found.answer, updatedByName: found.updatedByName } : null;
      const currentVersion = current?.version ?? 0;
      if (body.version !== currentVersion) {
        throw new AnswerConflict(
          current
            ? toAnswer(current)
            : { nodeId, status: null, maturity: null, comment: null, questionAnswers: {}, version: 0, updatedAt: row.a.createdAt.toISOString(), updatedByName: null },
        );
      }
      const values = {
        status: body.status !== undefined ? body.status : (current?.status ?? null),
        maturity: body.maturity !== undefined ? body.maturity : (current?.maturity ?? null),
        comment: body.comment !== undefined ? body.comment : (current?.comment ?? null),
        questionAnswers: body.questionAnswers ?? current?.questionAnswers ?? {},
        updatedBy: actor.userId,
        updatedAt: now,
      };
      const [saved] = current
        ? await tx
            .update(answers)
            .set({ ...values, version: currentVersion + 1 })
            .where(and(eq(answers.assessmentId, id), eq(answers.nodeId, nodeId), eq(answers.version, currentVersion)))
            .returning()
        : await tx
            .insert(answers)
            .values({ assessmentId: id, nodeId, ...values, version: 1 })
            .onConflictDoNothing()
            .returning();
      if (!saved) throw conflict('Quelqu’un vient d’enregistrer cette mesure avant vous : rechargez-la puis recommencez.');
      const scores = await refreshScores(tx, id);
      await this.audit(tx, actor, meta, 'assessment.answer.saved', row.a.orgId, id, { nodeId, status: saved.status, maturity: saved.maturity, version: saved.version });
      return { answer: toAnswer({ ...saved, updatedByName: actor.displayName }), scores: scores.nodes, overall: scores.overall };
    });
  }

  // --- Workflow ---------------------------------------------------------------------------------

  /** draft → submitted, once every measure has an answer (« non applicable » is one). */
  async submit(actor: Actor, meta: RequestMeta, id: string): Promise<AssessmentDetail> {
    const { row } = await this.access(actor, id, 'assessment.submit');
    if (row.a.status !== 'draft') throw conflict('Ce diagnostic a déjà été soumis.');
    await this.p.db.transaction(async (tx) => {
      const [locked] = await tx.select({ status: assessments.status }).from(assessments).where(eq(assessments.id, id)).for('update');
      if (locked?.status !== 'draft') throw conflict('Ce diagnostic a déjà été soumis.');
      const [{ total }] = await tx
        .select({ total: count() })
        .from(frameworkNodes)
        .where(and(eq(frameworkNodes.frameworkId, row.a.frameworkId), eq(frameworkNodes.assessable, true), activeNode()));
      const [{ answered }] = await tx
        .select({ answered: count() })
        .from(answers)
        .innerJoin(frameworkNodes, eq(frameworkNodes.id, answers.nodeId))
        .where(and(eq(answers.assessmentId, id), eq(frameworkNodes.assessable, true), activeNode(), isNotNull(answers.status)));
      const remaining = Number(total) - Number(answered);
      if (remaining > 0) {
        const message =
          remaining === 1
            ? 'Il reste 1 mesure sans réponse : répondez à toutes les mesures (ou indiquez « non applicable ») avant de soumettre.'
            : `Il reste ${remaining} mesures sans réponse : répondez à toutes les mesures (ou indiquez « non applicable ») avant de soumettre.`;
        throw invalid([{ path: 'answers', message }]);
      }
      await tx.update(assessments).set({ status: 'submitted', submittedAt: this.p.clock.now(), submittedBy: actor.userId }).where(eq(assessments.id, id));
      await this.audit(tx, actor, meta, 'assessment.submitted', row.a.orgId, id, { score: row.a.score });
    });
    return this.detail(id);
  }

  /** submitted → validated, by the direction. */
  async validate(actor: Actor, meta: RequestMeta, id: string): Promise<AssessmentDetail> {
    const { row } = await this.access(actor, id, 'assessment.validate');
    await this.transition(id, 'submitted', 'Seul un diagnostic soumis, et pas encore validé, peut être validé.', async (tx) => {
      await tx.update(assessments).set({ status: 'validated', validatedAt: this.p.clock.now(), validatedBy: actor.userId }).where(eq(assessments.id, id));
      await this.audit(tx, actor, meta, 'assessment.validated', row.a.orgId, id, {});
    });
    return this.detail(id);
  }

  /** submitted → draft, to correct it: by whoever may submit it (RSSI) or validate it (direction). */
  async reopen(actor: Actor, meta: RequestMeta, id: string): Promise<AssessmentDetail> {
    const [found] = await this.p.db.select({ orgId: assessments.orgId }).from(assessments).where(eq(assessments.id, id));
    if (!found) throw notFound();
    const org = await loadVisibleOrg(this.p.db, actor, found.orgId);
    // Either right suffices; the refusal names the RSSI's.
    const { row } = await this.access(actor, id, can(actor, policy, 'assessment.validate', org) ? 'assessment.validate' : 'assessment.submit');
    await this.transition(id, 'submitted', 'Seul un diagnostic soumis, et pas encore validé, peut être rouvert.', async (tx) => {
      await tx.update(assessments).set({ status: 'draft', submittedAt: null, submittedBy: null }).where(eq(assessments.id, id));
      await this.audit(tx, actor, meta, 'assessment.reopened', row.a.orgId, id, {});
    });
    return this.detail(id);
  }

  private async transition(id: string, from: 'draft' | 'submitted', message: string, apply: (tx: Db) => Promise<void>) {
    await this.p.db.transaction(async (tx) => {
      const [locked] = await tx.select({ status: assessments.status }).from(assessments).where(eq(assessments.id, id)).for('update');
      if (!locked) throw notFound();
      if (locked.status !== from) throw conflict(message);
      await apply(tx);
    });
  }

  // --- Evidence ---------------------------------------------------------------------------------

  /** A file checked by its content (type, size), stored under a random key; the row and the audit entry in one transaction. */
  async addFileEvidence(actor: Actor, meta: RequestMeta, id: string, nodeId: string, file: UploadedFile): Promise<Evidence> {
    const { row } = await this.access(actor, id, 'assessment.edit');
    await this.assessableNode(row.a.frameworkId, nodeId);
    if (row.a.status !== 'draft') throw conflict(NOT_DRAFT);
    const checked = await checkUpload(file);
    const key = newFileKey();
    await this.p.files.put(key, checked.data);
    try {
      return await this.p.db.transaction(async (tx) => {
        await this.lockDraft(tx, id);
        const [saved] = await tx
          .insert(evidence)
          .values({ assessmentId: id, nodeId, kind: 'file', fileKey: key, fileName: checked.fileName, mimeType: checked.mimeType, size: checked.size, createdBy: actor.userId, createdAt: this.p.clock.now() })
          .returning();
        await this.audit(tx, actor, meta, 'assessment.evidence.added', row.a.orgId, id, { evidenceId: saved.id, nodeId, kind: 'file', mimeType: checked.mimeType, size: checked.size });
        return toEvidence({ ...saved, createdByName: actor.displayName });
      });
    } catch (err) {
      // Nothing was recorded: the stored bytes go too (a failure here must not hide the first one).
      await this.p.files.delete(key).catch(() => undefined);
      throw err;
    }
  }

  async addLinkEvidence(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof addLinkEvidenceBodySchema>): Promise<Evidence> {
    const { row } = await this.access(actor, id, 'assessment.edit');
    await this.assessableNode(row.a.frameworkId, input.nodeId);
    if (row.a.status !== 'draft') throw conflict(NOT_DRAFT);
    return this.p.db.transaction(async (tx) => {
      await this.lockDraft(tx, id);
      const [saved] = await tx
        .insert(evidence)
        .values({ assessmentId: id, nodeId: input.nodeId, kind: 'link', url: input.url, createdBy: actor.userId, createdAt: this.p.clock.now() })
        .returning();
      await this.audit(tx, actor, meta, 'assessment.evidence.added', row.a.orgId, id, { evidenceId: saved.id, nodeId: input.nodeId, kind: 'link' });
      return toEvidence({ ...saved, createdByName: actor.displayName });
    });
  }

  /** The stored bytes of a file evidence, with the type detected at upload. */
  async downloadEvidence(actor: Actor, id: string, evidenceId: string): Promise<{ data: Buffer; fileName: string; mimeType: string }> {
    await this.access(actor, id, 'assessment.read');
    const [row] = await this.p.db
      .select()
      .from(evidence)
      .where(and(eq(evidence.id, evidenceId), eq(evidence.assessmentId, id), eq(evidence.kind, 'file')));
    if (!row?.fileKey) throw notFound();
    const data = await this.p.files.get(row.fileKey);
    if (!data) throw notFound('Ce fichier n’est plus disponible.');
    return { data, fileName: row.fileName ?? 'preuve', mimeType: row.mimeType ?? 'application/octet-stream' };
  }

  async deleteEvidence(actor: Actor, meta: RequestMeta, id: string, evidenceId: string): Promise<void> {
    const { row } = await this.access(actor, id, 'assessment.edit');
    const [found] = await this.p.db
      .select()
      .from(evidence)
      .where(and(eq(evidence.id, evidenceId), eq(evidence.assessmentId, id)));
    if (!found) throw notFound();
    if (row.a.status !== 'draft') throw conflict(NOT_DRAFT);
    await this.p.db.transaction(async (tx) => {
      await this.lockDraft(tx, id);
      await tx.delete(evidence).where(eq(evidence.id, evidenceId));
      await this.audit(tx, actor, meta, 'assessment.evidence.deleted', row.a.orgId, id, { evidenceId, nodeId: found.nodeId, kind: found.kind });
    });
    // After the commit: a file whose row is gone is never served again, even if this fails.
    if (found.fileKey) await this.p.files.delete(found.fileKey);
  }

  // --- Comparison -------------------------------------------------------------------------------

  /** Two assessments of the same establishment and framework, node by node, in the framework's order. */
  async compare(actor: Actor, id: string, withId: string): Promise<z.infer<typeof compareResponseSchema>> {
    const { row: left } = await this.access(actor, id, 'assessment.read');
    const { row: right } = await this.access(actor, withId, 'assessment.read');
    if (left.a.id === right.a.id) throw invalidField('with', 'Choisissez un autre diagnostic à comparer.');
    if (left.a.orgId !== right.a.orgId || left.a.frameworkId !== right.a.frameworkId) {
      throw invalidField('with', 'Seuls deux diagnostics du même établissement et du même référentiel se comparent.');
    }
    const tree = await loadTree(this.p.db, left.a.frameworkId);
    const scale: Scale = { min: left.minScore, max: left.maxScore };
    const side = async (assessmentId: string) => {
      const stored = await this.p.db.select({ nodeId: nodeScores.nodeId, score: nodeScores.score }).from(nodeScores).where(eq(nodeScores.assessmentId, assessmentId));
      const groups = new Map(stored.map((s) => [s.nodeId, round(s.score)]));
      const measures = await loadScoredAnswers(this.p.db, assessmentId);
      return (node: TreeNode) => (node.assessable ? round(measureScore(measures.get(node.id), scale)) : (groups.get(node.id) ?? null));
    };
    const l = await side(left.a.id);
    const r = await side(right.a.id);
    return { left: toSummary(left), right: toSummary(right), rows: tree.map((n) => ({ nodeId: n.id, left: l(n), right: r(n) })) };
  }
}

/** Answers to a measure's questions: known questions only, and known choices for choice questions. */
function checkQuestionAnswers(questions: { urn: string; type: string; choices: { urn: string }[] }[], given: Record<string, string[]>) {
  const byUrn = new Map(questions.map((q) => [q.urn, q]));
  for (const [urn, values] of Object.entries(given)) {
    const question = byUrn.get(urn);
    if (!question) throw invalidField('questionAnswers', 'Cette question ne fait pas partie de la mesure.');
    if (question.type === 'unique_choice' || question.type === 'multiple_choice') {
      const choices = new Set(question.choices.map((c) => c.urn));
      if (values.some((v) => !choices.has(v))) throw invalidField('questionAnswers', 'Choisissez parmi les réponses proposées.');
      if (question.type === 'unique_choice' && values.length > 1) throw invalidField('questionAnswers', 'Une seule réponse est possible à cette question.');
    } else if (values.length > 1) {
      throw invalidField('questionAnswers', 'Une seule réponse est attendue à cette question.');
    }
  }
}
