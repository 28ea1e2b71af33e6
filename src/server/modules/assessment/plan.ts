import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { CreateFromSuggestionsBody } from '../../../contracts/assessment-plan';
import type {
  ACTION_PRIORITIES,
  actionListQuerySchema,
  createActionBodySchema,
  RemediationAction,
  suggestionsResponseSchema,
  updateActionBodySchema,
} from '../../../contracts/assessment';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { invalid, invalidField, notFound, type FieldError } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, subtreeIds } from '../../platform/tenancy/service';
import { assessmentPolicy as policy } from './policy';
import { actionMeasures, activeNode, actions, answers, assessments, frameworkNodes, frameworks } from './schema';
import { gaps, type Gap, type ScoredAnswer, type TreeNode } from './scoring';

type Priority = (typeof ACTION_PRIORITIES)[number];
type ActionRow = typeof actions.$inferSelect;
type Suggestion = z.infer<typeof suggestionsResponseSchema>['suggestions'][number];

/** Open actions: still to do. Done and cancelled ones are closed. */
const OPEN = ['todo', 'in_progress'] as const;
const isOpen = (status: ActionRow['status']) => (OPEN as readonly string[]).includes(status);
/** Assessments a measure can still be re-assessed in: a draft, or a submitted one not yet validated. */
const REOPENABLE = ['draft', 'submitted'] as const;
/** numeric(12, 2): the largest cost the column holds. */
const MAX_COST = 9_999_999_999.99;

export const PLAN_REMINDERS_JOB = 'plan.reminders';
const TZ = 'Europe/Paris';

// --- Dates, in Europe/Paris ------------------------------------------------------------------

const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
/** The calendar day (AAAA-MM-JJ) it is in Paris at `now`: an action due that day is late from the next midnight, Paris time. */
export const parisDate = (now: Date): string => parisDay.format(now);

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const frenchDay = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
/** « lundi 3 mars 2026 », « dimanche 1er mars 2026 ». */
export function frenchDate(day: string): string {
  return frenchDay.format(new Date(`${day}T00:00:00Z`)).replace(/^(\S+) 1 /, '$1 1er ');
}

const normalise = (title: string) => title.trim().replace(/\s+/g, ' ').toLocaleLowerCase('fr');
const measureKey = (nodeId: string, title: string) => `${nodeId}\u0000${normalise(title)}`;

/** From a gap: essential measures far from the goal come first, recommended ones nearly there last. */
export function priorityOf(gap: Pick<Gap, 'priority' | 'score'>): Priority {
  if (gap.priority === 'essential') return gap.score < 50 ? 'high' : 'medium';
  return gap.score >= 50 ? 'low' : 'medium';
}

const toNumeric = (cost: number | null | undefined) => (cost === undefined ? undefined : cost === null ? null : cost.toFixed(2));

/**
 * The remediation plan of an establishment: actions with an owner, a due date, a priority,
 * the measures they address; suggested from an assessment's gaps; reminders by e-mail.
 */
export class PlanService {
  constructor(private readonly p: Platform) {}

  // --- Reading ---------------------------------------------------------------------------------

  /**
   * The actions of the organisation's subtree: one establishment, or for a coordinator every
   * establishment below his GHT or region. `progress` covers the whole plan of that scope,
   * whatever the filters.
   */
  async list(actor: Actor, query: z.infer<typeof actionListQuerySchema>) {
    const org = await loadVisibleOrg(this.p.db, actor, query.orgId);
    requireAccess(actor, policy, 'plan.read', org);
    const scope = await subtreeIds(this.p.db, [org.orgId]);
    const list = await this.load(
      this.p.db,
      and(inArray(actions.orgId, scope), query.status ? eq(actions.status, query.status) : undefined, query.ownerId ? eq(actions.ownerId, query.ownerId) : undefined),
    );
    const [totals] = await this.p.db
      .select({
        done: sql<number>`count(*) filter (where ${actions.status} = 'done')`.mapWith(Number),
        counted: sql<number>`count(*) filter (where ${actions.status} <> 'cancelled')`.mapWith(Number),
      })
      .from(actions)
      .where(inArray(actions.orgId, scope));
    return { actions: list, progress: totals.counted > 0 ? Math.round((totals.done / totals.counted) * 100) : null };
  }

  // --- Writing -----------------------------------------------------------------------------------

  async create(actor: Actor, meta: RequestMeta, body: z.infer<typeof createActionBodySchema>) {
    const org = await loadVisibleOrg(this.p.db, actor, body.orgId);
    requireAccess(actor, policy, 'plan.manage', org);
    if (org.kind !== 'establishment') throw invalidField('orgId', 'Un plan d’action se tient au niveau d’un établissement : choisissez l’établissement.');
    if (body.assessmentId) {
      const [assessment] = await this.p.db.select({ orgId: assessments.orgId }).from(assessments).where(eq(assessments.id, body.assessmentId));
      if (!assessment || assessment.orgId !== org.orgId) throw notFound('Ce diagnostic n’existe pas dans cet établissement.');
    }
    await this.checkFields(org.orgId, body);
    const nodeIds = [...new Set(body.nodeIds ?? [])];
    const now = this.p.clock.now();
    const id = await this.p.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(actions)
        .values({
          orgId: org.orgId,
          assessmentId: body.assessmentId ?? null,
          title: body.title,
          description: body.description ?? null,
          ownerId: body.ownerId ?? null,
          dueDate: body.dueDate ?? null,
          priority: body.priority ?? 'medium',
          effort: body.effort ?? null,
          costEstimate: toNumeric(body.costEstimate) ?? null,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: actions.id });
      if (nodeIds.length) await tx.insert(actionMeasures).values(nodeIds.map((nodeId) => ({ actionId: row.id, nodeId })));
      await this.audit(tx, actor, meta, 'assessment.action.created', org.orgId, row.id, {
        title: body.title,
        ownerId: body.ownerId ?? null,
        dueDate: body.dueDate ?? null,
        nodeIds,
        assessmentId: body.assessmentId ?? null,
      });
      return row.id;
    });
    return { action: await this.one(id), reassess: [] };
  }

  /**
   * Changes an action. Marking done the last open action of a measure answers, in `reassess`,
   * that measure with the assessment to re-assess it in. A new due date or owner re-arms the
   * reminders.
   */
  async update(actor: Actor, meta: RequestMeta, id: string, body: z.infer<typeof updateActionBodySchema>) {
    const current = await this.row(id);
    const org = await loadVisibleOrg(this.p.db, actor, current.orgId);
    requireAccess(actor, policy, 'plan.manage', org);
    await this.checkFields(org.orgId, body);
    const changes = (Object.keys(body) as (keyof typeof body)[]).filter((k) => body[k] !== undefined);
    if (changes.length === 0) return { action: await this.one(id), reassess: [] };

    const now = this.p.clock.now();
    const statusChanged = body.status !== undefined && body.status !== current.status;
    const closing = statusChanged && body.status === 'done' && isOpen(current.status);
    const rearm = (body.dueDate !== undefined && body.dueDate !== current.dueDate) || (body.ownerId !== undefined && body.ownerId !== current.ownerId);
    const nodeIds = body.nodeIds ? [...new Set(body.nodeIds)] : undefined;
    const reassess = await this.p.db.transaction(async (tx) => {
      await tx
        .update(actions)
        .set({
          title: body.title,
          description: body.description,
          ownerId: body.ownerId,
          dueDate: body.dueDate,
          priority: body.priority,
          effort: body.effort,
          costEstimate: toNumeric(body.costEstimate),
          status: body.status,
          updatedAt: now,
          ...(statusChanged ? { completedAt: body.status === 'done' ? now : null } : {}),
          ...(rearm ? { reminderBeforeSentAt: null, reminderLateSentAt: null } : {}),
        })
        .where(eq(actions.id, id));
      if (nodeIds) {
        await tx.delete(actionMeasures).where(eq(actionMeasures.actionId, id));
        if (nodeIds.length) await tx.insert(actionMeasures).values(nodeIds.map((nodeId) => ({ actionId: id, nodeId })));
      }
      const proposals = closing ? await this.reassessAfterClosing(tx, current.orgId, id) : [];
      await this.audit(tx, actor, meta, 'assessment.action.updated', current.orgId, id, {
        changes,
        ...(statusChanged ? { status: { from: current.status, to: body.status } } : {}),
        ...(proposals.length ? { reassess: proposals.map((r) => r.nodeId) } : {}),
      });
      return proposals;
    });
    return { action: await this.one(id), reassess };
  }

  async delete(actor: Actor, meta: RequestMeta, id: string): Promise<void> {
    const current = await this.row(id);
    const org = await loadVisibleOrg(this.p.db, actor, current.orgId);
    requireAccess(actor, policy, 'plan.manage', org);
    await this.p.db.transaction(async (tx) => {
      await tx.delete(actions).where(eq(actions.id, id));
      await this.audit(tx, actor, meta, 'assessment.action.deleted', current.orgId, id, { title: current.title, status: current.status });
    });
  }

  // --- Suggestions from an assessment's gaps --------------------------------------------------

  /**
   * One suggestion per usual action of each gap measure, in the order of the gap list
   * (essential first, then the lowest scores); the actions already open for that measure
   * are left out.
   */
  async suggestions(actor: Actor, assessmentId: string): Promise<{ suggestions: Suggestion[] }> {
    const assessment = await this.assessment(assessmentId);
    const org = await loadVisibleOrg(this.p.db, actor, assessment.orgId);
    requireAccess(actor, policy, 'plan.read', org);
    const { nodes, gapList } = await this.gapsOf(this.p.db, assessment);
    const open = await this.openTitles(this.p.db, org.orgId, gapList.map((g) => g.nodeId));
    const suggestions: Suggestion[] = [];
    for (const gap of gapList) {
      const node = nodes.get(gap.nodeId)!;
      for (const title of node.suggestedActions ?? []) {
        const key = measureKey(node.id, title);
        if (open.has(key) || !title.trim()) continue;
        open.add(key); // the same action listed twice for one measure is suggested once
        suggestions.push({ nodeId: node.id, refId: node.refId, measure: node.name, title: title.trim(), priority: priorityOf(gap) });
      }
    }
    return { suggestions };
  }

  /**
   * Creates the chosen suggestions in one transaction, linked to the assessment and to their
   * measure. An action already open for that measure (same title) is skipped, not doubled.
   */
  async createFromSuggestions(actor: Actor, meta: RequestMeta, assessmentId: string, items: CreateFromSuggestionsBody['items']) {
    const assessment = await this.assessment(assessmentId);
    const org = await loadVisibleOrg(this.p.db, actor, assessment.orgId);
    requireAccess(actor, policy, 'plan.manage', org);
    const { nodes, gapList } = await this.gapsOf(this.p.db, assessment);
    const fields: FieldError[] = [];
    items.forEach((item, i) => {
      if (!nodes.get(item.nodeId)?.assessable) fields.push({ path: `items.${i}.nodeId`, message: 'Cette mesure n’appartient pas au référentiel de ce diagnostic.' });
    });
    if (fields.length) throw invalid(fields);
    const gapByNode = new Map(gapList.map((g) => [g.nodeId, g]));
    const now = this.p.clock.now();
    const { ids, skipped } = await this.p.db.transaction(async (tx) => {
      const taken = await this.openTitles(tx, org.orgId, [...new Set(items.map((i) => i.nodeId))]);
      const created: string[] = [];
      let left = 0;
      for (const item of items) {
        const key = measureKey(item.nodeId, item.title);
        if (taken.has(key)) {
          left++;
          continue;
        }
        taken.add(key);
        const gap = gapByNode.get(item.nodeId);
        const [row] = await tx
          .insert(actions)
          .values({
            orgId: org.orgId,
            assessmentId: assessment.id,
            title: item.title,
            priority: gap ? priorityOf(gap) : 'medium',
            createdBy: actor.userId,
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: actions.id });
        await tx.insert(actionMeasures).values({ actionId: row.id, nodeId: item.nodeId });
        await this.audit(tx, actor, meta, 'assessment.action.created', org.orgId, row.id, {
          title: item.title,
          nodeIds: [item.nodeId],
          assessmentId: assessment.id,
          fromSuggestion: true,
        });
        created.push(row.id);
      }
      return { ids: created, skipped: left };
    });
    const byId = new Map((ids.length ? await this.load(this.p.db, inArray(actions.id, ids)) : []).map((a) => [a.id, a]));
    return { actions: ids.map((id) => byId.get(id)!), skipped };
  }

  // --- Internals -------------------------------------------------------------------------------

  private async row(id: string): Promise<ActionRow> {
    const [row] = await this.p.db.select().from(actions).where(eq(actions.id, id));
    if (!row) throw notFound('Cette action n’existe pas ou vous n’y avez pas accès.');
    return row;
  }

  private async one(id: string): Promise<RemediationAction> {
    const [action] = await this.load(this.p.db, eq(actions.id, id));
    return action;
  }

  private async assessment(id: string) {
    const [row] = await this.p.db
      .select({ id: assessments.id, orgId: assessments.orgId, frameworkId: assessments.frameworkId })
      .from(assessments)
      .where(eq(assessments.id, id));
    if (!row) throw notFound('Ce diagnostic n’existe pas ou vous n’y avez pas accès.');
    return row;
  }

  /** Owner within the establishment, measures that exist, a cost the column holds. */
  private async checkFields(orgId: string, body: { ownerId?: string | null; nodeIds?: string[]; costEstimate?: number | null }) {
    const fields: FieldError[] = [];
    if (body.ownerId) {
      const scope = await subtreeIds(this.p.db, [orgId]);
      const [member] = await this.p.db
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.userId, body.ownerId), inArray(memberships.orgId, scope), eq(users.status, 'active')))
        .limit(1);
      if (!member) fields.push({ path: 'ownerId', message: 'Choisissez comme responsable une personne de l’établissement.' });
    }
    const nodeIds = [...new Set(body.nodeIds ?? [])];
    if (nodeIds.length) {
      const found = await this.p.db
        .select({ id: frameworkNodes.id })
        .from(frameworkNodes)
        .where(and(inArray(frameworkNodes.id, nodeIds), eq(frameworkNodes.assessable, true), activeNode()));
      if (found.length !== nodeIds.length) fields.push({ path: 'nodeIds', message: 'Mesure inconnue : choisissez les mesures parmi celles d’un référentiel.' });
    }
    if (body.costEstimate != null && body.costEstimate > MAX_COST) fields.push({ path: 'costEstimate', message: 'Le coût estimé est trop élevé.' });
    if (fields.length) throw invalid(fields);
  }

  /** Actions with their owner's name and their measures, as the API shows them. */
  private async load(db: Db, where: SQL | undefined): Promise<RemediationAction[]> {
    const rows = await db
      .select({ action: actions, ownerName: users.displayName })
      .from(actions)
      .leftJoin(users, eq(users.id, actions.ownerId))
      .where(where)
      .orderBy(sql`${actions.dueDate} asc nulls last`, asc(actions.createdAt), asc(actions.id));
    if (rows.length === 0) return [];
    const links = await db
      .select({ actionId: actionMeasures.actionId, nodeId: frameworkNodes.id, refId: frameworkNodes.refId, name: frameworkNodes.name })
      .from(actionMeasures)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, actionMeasures.nodeId))
      .where(
        inArray(
          actionMeasures.actionId,
          rows.map((r) => r.action.id),
        ),
      )
      .orderBy(asc(frameworkNodes.position));
    const measures = new Map<string, RemediationAction['measures']>();
    for (const l of links) {
      const list = measures.get(l.actionId) ?? measures.set(l.actionId, []).get(l.actionId)!;
      list.push({ nodeId: l.nodeId, refId: l.refId, name: l.name });
    }
    const today = parisDate(this.p.clock.now());
    return rows.map(({ action: a, ownerName }) => ({
      id: a.id,
      orgId: a.orgId,
      assessmentId: a.assessmentId,
      title: a.title,
      description: a.description,
      ownerId: a.ownerId,
      ownerName: ownerName ?? null,
      dueDate: a.dueDate,
      priority: a.priority,
      effort: a.effort,
      costEstimate: a.costEstimate === null ? null : Number(a.costEstimate),
      status: a.status,
      measures: measures.get(a.id) ?? [],
      late: a.dueDate !== null && a.dueDate < today && isOpen(a.status),
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
    }));
  }

  /**
   * After `actionId` was marked done: its measures that no other open action of the
   * establishment addresses, each with the latest assessment of that establishment for the
   * measure's framework still open to changes (a measure with none is not proposed).
   */
  private async reassessAfterClosing(tx: Db, orgId: string, actionId: string) {
    const others = tx
      .select({ one: sql`1` })
      .from(actionMeasures)
      .innerJoin(actions, eq(actions.id, actionMeasures.actionId))
      .where(
        and(
          sql`${actionMeasures.nodeId} = ${frameworkNodes.id}`,
          eq(actions.orgId, orgId),
          ne(actions.id, actionId),
          inArray(actions.status, [...OPEN]),
        ),
      );
    const closed = await tx
      .select({ nodeId: frameworkNodes.id, frameworkId: frameworkNodes.frameworkId })
      .from(actionMeasures)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, actionMeasures.nodeId))
      .where(and(eq(actionMeasures.actionId, actionId), sql`not exists (${others})`))
      .orderBy(asc(frameworkNodes.position));
    const latest = new Map<string, string | null>();
    const proposals: { nodeId: string; assessmentId: string }[] = [];
    for (const m of closed) {
      if (!latest.has(m.frameworkId)) {
        const [a] = await tx
          .select({ id: assessments.id })
          .from(assessments)
          .where(and(eq(assessments.orgId, orgId), eq(assessments.frameworkId, m.frameworkId), inArray(assessments.status, [...REOPENABLE])))
          .orderBy(desc(assessments.createdAt), desc(assessments.id))
          .limit(1);
        latest.set(m.frameworkId, a?.id ?? null);
      }
      const assessmentId = latest.get(m.frameworkId);
      if (assessmentId) proposals.push({ nodeId: m.nodeId, assessmentId });
    }
    return proposals;
  }

  /** The assessment's framework nodes by id and its gap list, by the scoring rule. */
  private async gapsOf(db: Db, assessment: { id: string; frameworkId: string }) {
    const [framework] = await db.select({ min: frameworks.minScore, max: frameworks.maxScore }).from(frameworks).where(eq(frameworks.id, assessment.frameworkId));
    const rows = await db
      .select({
        id: frameworkNodes.id,
        urn: frameworkNodes.urn,
        parentUrn: frameworkNodes.parentUrn,
        assessable: frameworkNodes.assessable,
        priority: frameworkNodes.priority,
        refId: frameworkNodes.refId,
        name: frameworkNodes.name,
        suggestedActions: frameworkNodes.suggestedActions,
      })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, assessment.frameworkId), activeNode()))
      .orderBy(asc(frameworkNodes.position));
    const given = await db.select({ nodeId: answers.nodeId, status: answers.status, maturity: answers.maturity }).from(answers).where(eq(answers.assessmentId, assessment.id));
    const answerMap = new Map<string, ScoredAnswer>(given.map((a) => [a.nodeId, { status: a.status, maturity: a.maturity }]));
    const tree: TreeNode[] = rows;
    return { nodes: new Map(rows.map((n) => [n.id, n])), gapList: gaps(tree, answerMap, { min: framework.min, max: framework.max }) };
  }

  /** Keys (measure, normalised title) of the establishment's open actions on these measures. */
  private async openTitles(db: Db, orgId: string, nodeIds: string[]): Promise<Set<string>> {
    if (nodeIds.length === 0) return new Set();
    const rows = await db
      .select({ nodeId: actionMeasures.nodeId, title: actions.title })
      .from(actions)
      .innerJoin(actionMeasures, eq(actionMeasures.actionId, actions.id))
      .where(and(eq(actions.orgId, orgId), inArray(actions.status, [...OPEN]), inArray(actionMeasures.nodeId, nodeIds)));
    return new Set(rows.map((r) => measureKey(r.nodeId, r.title)));
  }

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string, targetId: string, details: Record<string, unknown>) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType: 'remediation_action', targetId, ip: meta.ip, details }, tx);
  }
}

// --- Reminders ------------------------------------------------------------------------------

/**
 * The daily job's body: for each open action with an owner and a due date, one mail when the
 * due date is 7 days away or less, and one when it has passed. Each is claimed in the database
 * before the mail is written (in the same transaction), so a second run, or two processes at
 * once, never send it again.
 */
export async function runPlanReminders(platform: Platform, now: Date): Promise<{ before: number; late: number }> {
  const db = platform.db;
  const today = parisDate(now);
  const horizon = addDays(today, 7);
  const dueSoon = and(gte(actions.dueDate, today), lte(actions.dueDate, horizon), isNull(actions.reminderBeforeSentAt));
  const overdue = and(lt(actions.dueDate, today), isNull(actions.reminderLateSentAt));
  const rows = await db
    .select({
      id: actions.id,
      title: actions.title,
      dueDate: actions.dueDate,
      ownerEmail: users.email,
      ownerName: users.displayName,
      orgName: organisations.name,
    })
    .from(actions)
    .innerJoin(users, eq(users.id, actions.ownerId))
    .innerJoin(organisations, eq(organisations.id, actions.orgId))
    .where(and(inArray(actions.status, [...OPEN]), isNotNull(actions.dueDate), eq(users.status, 'active'), or(dueSoon, overdue)))
    .orderBy(asc(actions.dueDate), asc(actions.id));
  const refs = new Map<string, string[]>();
  if (rows.length) {
    const links = await db
      .select({ actionId: actionMeasures.actionId, refId: frameworkNodes.refId, name: frameworkNodes.name })
      .from(actionMeasures)
      .innerJoin(frameworkNodes, eq(frameworkNodes.id, actionMeasures.nodeId))
      .where(
        inArray(
          actionMeasures.actionId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(frameworkNodes.position));
    for (const l of links) {
      const label = [l.refId, l.name].filter(Boolean).join(' ');
      (refs.get(l.actionId) ?? refs.set(l.actionId, []).get(l.actionId)!).push(label);
    }
  }

  const sent = { before: 0, late: 0 };
  for (const row of rows) {
    const late = row.dueDate! < today;
    const mailId = await db.transaction(async (tx) => {
      const column = late ? actions.reminderLateSentAt : actions.reminderBeforeSentAt;
      const [claimed] = await tx
        .update(actions)
        .set(late ? { reminderLateSentAt: now } : { reminderBeforeSentAt: now })
        .where(and(eq(actions.id, row.id), isNull(column), inArray(actions.status, [...OPEN])))
        .returning({ id: actions.id });
      if (!claimed) return null;
      return platform.mail.enqueue(tx, reminderMail(platform.config.publicUrl, { ...row, dueDate: row.dueDate!, measures: refs.get(row.id) ?? [] }, late, today));
    });
    if (!mailId) continue;
    await platform.mail.dispatch([mailId]);
    sent[late ? 'late' : 'before']++;
  }
  return sent;
}

function reminderMail(
  publicUrl: string,
  action: { title: string; dueDate: string; ownerEmail: string; ownerName: string; orgName: string; measures: string[] },
  late: boolean,
  today: string,
) {
  const due = frenchDate(action.dueDate);
  const when = action.dueDate === today ? `aujourd’hui, ${due}` : `le ${due}`;
  const lines = [
    `Bonjour ${action.ownerName},`,
    '',
    late
      ? `L’action « ${action.title} » du plan d’action de ${action.orgName}, dont vous êtes responsable, était à échéance le ${due}. Elle est maintenant en retard.`
      : `L’action « ${action.title} » du plan d’action de ${action.orgName}, dont vous êtes responsable, est à échéance ${when}.`,
  ];
  if (action.measures.length) lines.push('', `${action.measures.length > 1 ? 'Mesures concernées' : 'Mesure concernée'} : ${action.measures.join(' ; ')}.`);
  lines.push(
    '',
    late
      ? 'Si elle est faite, indiquez-la comme terminée ; sinon, fixez une nouvelle échéance réaliste :'
      : 'Pour la consulter ou indiquer où vous en êtes, ouvrez le plan d’action :',
    `${publicUrl}/diagnostic/plan`,
    '',
    'Ce message est envoyé une seule fois par Hygie, la plateforme de cyber-résilience de votre établissement.',
  );
  return {
    to: action.ownerEmail,
    subject: late ? `Hygie : action en retard — ${action.title}` : `Hygie : action à échéance le ${due} — ${action.title}`,
    text: lines.join('\n'),
  };
}

/** Registers the daily reminders job (07:00, Paris time). Called once per process at start-up. */
export async function startPlanJobs(platform: Platform): Promise<void> {
  await platform.jobs.schedule(
    PLAN_REMINDERS_JOB,
    '0 7 * * *',
    async () => {
      await runPlanReminders(platform, platform.clock.now());
    },
    { tz: TZ },
  );
}
