import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type {
  Benchmark,
  CampaignDetail,
  CampaignEstablishment,
  CampaignProgress,
  CampaignSummary,
  CampaignTotals,
  CreateCampaignBody,
  CreateProgrammeBody,
  Declaration,
  DeclareBody,
  EstablishmentFunding,
  FundingTotals,
  Observatory,
  ObservatoryEstablishment,
  ObservatoryQuery,
  Programme,
  ReviewBody,
  Stats,
} from '../../../contracts/assessment-region';
import type { EstablishmentCategory } from '../../../contracts/tenancy';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { conflict, invalid, invalidField, notFound, type FieldError } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { assessmentPolicy as policy } from './policy';
import { assessments, campaigns, frameworkNodes, frameworks, fundingDeclarations, fundingMilestones, fundingProgrammes } from './schema';

/** Medians over fewer establishments than this are withheld from an establishment's benchmark. */
export const MINIMUM_GROUP = 3;

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const FRENCH_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const FRENCH_SHORT_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' });

/** Today in Europe/Paris, as AAAA-MM-JJ. */
export const parisToday = (now: Date) => PARIS_DAY.format(now);
/** « lundi 3 mars 2026 » */
const frenchDate = (isoDay: string) => FRENCH_DAY.format(new Date(`${isoDay}T00:00:00Z`));
/** ISO timestamps of raw SQL, in one format whatever the driver. */
const isoText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** One decimal, as a number in JSON. */
const round1 = (expr: SQL) => sql`round((${expr})::numeric, 1)`;

/** The rows of a raw SQL statement (both drivers answer `{ rows }`). */
async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

type Tx = Db;
type OrgRow = Pick<typeof organisations.$inferSelect, 'id' | 'name' | 'kind' | 'ancestors' | 'archivedAt'>;

const ROLE_LABEL = { rssi: 'RSSI', direction: 'membre de la direction' } as const;
const EMPTY_FUNDING = (): FundingTotals => ({ declared: 0, moreInfo: 0, validated: 0, amountValidated: 0 });

/** The perimeter of an observatory view: a region or a GHT, or the whole country. */
interface Scope {
  kind: 'region' | 'ght' | 'national';
  root: string | null;
  /** the root's ancestors (a GHT's region) */
  ancestors: readonly string[];
  name: string;
}

interface FrameworkRef {
  id: string;
  name: string;
  objectives: { nodeId: string; refId: string | null; name: string | null }[];
}

/**
 * The regional and GHT side of assessments: campaigns, funding programmes (as CaRE) and
 * the observatory. The observatory reads only assessments, their maintained node scores
 * and organisations — never answers — so its cost follows the number of establishments.
 */
export class RegionService {
  constructor(private readonly p: Platform) {}

  private get db() {
    return this.p.db;
  }

  private today() {
    return parisToday(this.p.clock.now());
  }

  // --- Campaigns ------------------------------------------------------------------------

  async createCampaign(actor: Actor, meta: RequestMeta, input: CreateCampaignBody): Promise<CampaignDetail> {
    const org = await loadVisibleOrg(this.db, actor, input.orgId);
    requireAccess(actor, policy, 'campaign.manage', org);
    if (org.kind !== 'region' && org.kind !== 'ght') throw invalidField('orgId', 'Une campagne est lancée par une région ou par un GHT.');

    const fields: FieldError[] = [];
    const [framework] = await this.db.select({ id: frameworks.id, name: frameworks.name }).from(frameworks).where(eq(frameworks.id, input.frameworkId));
    if (!framework) fields.push({ path: 'frameworkId', message: 'Ce référentiel n’existe pas.' });
    if (input.deadline <= this.today()) fields.push({ path: 'deadline', message: 'La date limite doit être postérieure à aujourd’hui.' });

    const ids = [...new Set(input.establishmentIds)];
    const found = await this.db
      .select({ id: organisations.id, name: organisations.name, kind: organisations.kind, ancestors: organisations.ancestors, archivedAt: organisations.archivedAt })
      .from(organisations)
      .where(inArray(organisations.id, ids));
    const byId = new Map(found.map((o) => [o.id, o]));
    const wrong = ids.filter((id) => {
      const o = byId.get(id);
      return !o || o.kind !== 'establishment' || o.archivedAt !== null || !o.ancestors.includes(org.orgId);
    });
    if (wrong.length) {
      // Name what the actor may know of; anything else by the identifier he sent.
      const label = (id: string) => {
        const o = byId.get(id);
        return o && visibleTo(actor, o) ? `« ${o.name} »` : id;
      };
      fields.push({
        path: 'establishmentIds',
        message:
          wrong.length === 1
            ? `Cette organisation n’est pas un établissement de ${org.name} : ${label(wrong[0])}.`
            : `Ces organisations ne sont pas des établissements de ${org.name} : ${wrong.map(label).join(', ')}.`,
      });
    }
    if (fields.length) throw invalid(fields);

    const [{ assessable }] = await this.db
      .select({ assessable: count() })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, framework.id), eq(frameworkNodes.assessable, true)));
    const now = this.p.clock.now();
    const { campaignId, mailIds } = await this.db.transaction(async (tx) => {
      const [campaign] = await tx
        .insert(campaigns)
        .values({ orgId: org.orgId, frameworkId: framework.id, title: input.title, deadline: input.deadline, createdBy: actor.userId, createdAt: now })
        .returning({ id: campaigns.id });
      const created = await tx
        .insert(assessments)
        .values(
          ids.map((orgId) => ({
            orgId,
            frameworkId: framework.id,
            campaignId: campaign.id,
            title: input.title,
            status: 'draft' as const,
            createdBy: actor.userId,
            createdAt: now,
            assessableCount: assessable,
          })),
        )
        .returning({ id: assessments.id, orgId: assessments.orgId });
      await this.audit(tx, actor, meta, 'assessment.campaign.created', org.orgId, 'campaign', campaign.id, {
        title: input.title,
        frameworkId: framework.id,
        deadline: input.deadline,
        establishments: ids.length,
      });
      for (const a of created) {
        await this.audit(tx, actor, meta, 'assessment.created', a.orgId, 'assessment', a.id, { campaignId: campaign.id, title: input.title, frameworkId: framework.id });
      }
      const mailIds: string[] = [];
      for (const r of await this.recipients(tx, ids)) {
        const est = byId.get(r.orgId)!;
        mailIds.push(
          await this.p.mail.enqueue(tx, {
            to: r.email,
            subject: `Hygie : campagne « ${input.title} » — diagnostic à soumettre avant le ${frenchDate(input.deadline)}`,
            text: [
              'Bonjour,',
              '',
              `${org.name} lance la campagne d’évaluation « ${input.title} » sur le référentiel « ${framework.name} ».`,
              `Le diagnostic de ${est.name} vous attend dans Hygie : remplissez-le puis soumettez-le au plus tard le ${frenchDate(input.deadline)}.`,
              '',
              `Pour le commencer, connectez-vous à Hygie : ${this.p.config.publicUrl}/`,
              '',
              `Vous recevez ce message en tant que ${ROLE_LABEL[r.role]} de ${est.name}.`,
            ].join('\n'),
          }),
        );
      }
      return { campaignId: campaign.id, mailIds };
    });
    await this.p.mail.dispatch(mailIds);
    return this.campaignDetail(actor, campaignId);
  }

  /** The campaigns launched by the organisation or below it (a region sees its GHTs' campaigns). */
  async listCampaigns(actor: Actor, orgId: string): Promise<CampaignSummary[]> {
    const org = await loadVisibleOrg(this.db, actor, orgId);
    requireAccess(actor, policy, 'campaign.manage', org);
    const today = this.today();
    const rows = await rowsOf<CampaignRow & CampaignTotals>(
      this.db,
      sql`select c.id, c.org_id as "orgId", co.name as "orgName", c.framework_id as "frameworkId", f.name as "frameworkName", c.title,
            c.deadline::text as deadline, ${isoText(sql`c.created_at`)} as "createdAt", ${isoText(sql`c.closed_at`)} as "closedAt",
            count(a.id)::int as establishments,
            count(*) filter (where a.status = 'draft' and a.answered_count = 0)::int as "notStarted",
            count(*) filter (where a.status = 'draft' and a.answered_count > 0)::int as started,
            count(*) filter (where a.status = 'submitted')::int as submitted,
            count(*) filter (where a.status = 'validated')::int as validated,
            count(*) filter (where a.status = 'draft' and c.deadline < ${today}::date)::int as late
          from assessment_campaigns c
          join organisations co on co.id = c.org_id
          join assessment_frameworks f on f.id = c.framework_id
          left join assessments a on a.campaign_id = c.id
          where c.org_id = ${org.orgId}::uuid or co.ancestors @> array[${org.orgId}::uuid]
          group by c.id, co.name, f.name
          order by c.deadline desc, c.created_at desc`,
    );
    return rows.map((r) => toCampaignSummary(r, r, today));
  }

  async campaignDetail(actor: Actor, id: string): Promise<CampaignDetail> {
    const campaign = await this.loadCampaign(id);
    const org = await loadVisibleOrg(this.db, actor, campaign.orgId);
    requireAccess(actor, policy, 'campaign.manage', org);
    const today = this.today();
    const rows = await this.db
      .select({ a: assessments, orgName: organisations.name, category: organisations.category })
      .from(assessments)
      .innerJoin(organisations, eq(organisations.id, assessments.orgId))
      .where(eq(assessments.campaignId, id))
      .orderBy(asc(organisations.name), asc(organisations.id));
    const establishments: CampaignEstablishment[] = rows.map(({ a, orgName, category }) => {
      const progress: CampaignProgress = a.status === 'validated' ? 'validated' : a.status === 'submitted' ? 'submitted' : a.answeredCount > 0 ? 'started' : 'not_started';
      return {
        assessment: {
          id: a.id,
          orgId: a.orgId,
          orgName,
          frameworkId: a.frameworkId,
          frameworkName: campaign.frameworkName,
          campaignId: id,
          campaignTitle: campaign.title,
          deadline: campaign.deadline,
          title: a.title,
          status: a.status,
          score: a.score,
          answeredCount: a.answeredCount,
          assessableCount: a.assessableCount,
          createdAt: a.createdAt.toISOString(),
          submittedAt: a.submittedAt?.toISOString() ?? null,
          validatedAt: a.validatedAt?.toISOString() ?? null,
        },
        category,
        progress,
        percent: a.assessableCount > 0 ? Math.round((100 * a.answeredCount) / a.assessableCount) : 0,
        late: a.status === 'draft' && campaign.deadline < today,
      };
    });
    const totals: CampaignTotals = {
      establishments: establishments.length,
      notStarted: establishments.filter((e) => e.progress === 'not_started').length,
      started: establishments.filter((e) => e.progress === 'started').length,
      submitted: establishments.filter((e) => e.progress === 'submitted').length,
      validated: establishments.filter((e) => e.progress === 'validated').length,
      late: establishments.filter((e) => e.late).length,
    };
    return { campaign: toCampaignSummary(campaign, totals, today), establishments };
  }

  /** E-mails the RSSI and direction of every establishment that has not submitted yet. */
  async remindLate(actor: Actor, meta: RequestMeta, id: string): Promise<{ establishments: number; mails: number }> {
    const campaign = await this.loadCampaign(id);
    const org = await loadVisibleOrg(this.db, actor, campaign.orgId);
    requireAccess(actor, policy, 'campaign.manage', org);
    if (campaign.closedAt) throw conflict('Cette campagne est close : il n’y a plus personne à relancer.');
    const today = this.today();
    const overdue = campaign.deadline < today;
    const { pending, mailIds } = await this.db.transaction(async (tx) => {
      const pending = await tx
        .select({ orgId: assessments.orgId, name: organisations.name })
        .from(assessments)
        .innerJoin(organisations, eq(organisations.id, assessments.orgId))
        .where(and(eq(assessments.campaignId, id), eq(assessments.status, 'draft')));
      const names = new Map(pending.map((e) => [e.orgId, e.name]));
      const mailIds: string[] = [];
      for (const r of await this.recipients(
        tx,
        pending.map((e) => e.orgId),
      )) {
        const name = names.get(r.orgId)!;
        mailIds.push(
          await this.p.mail.enqueue(tx, {
            to: r.email,
            subject: overdue ? `Hygie : le diagnostic de ${name} est en retard (campagne « ${campaign.title} »)` : `Hygie : rappel — diagnostic de ${name} à soumettre avant le ${frenchDate(campaign.deadline)}`,
            text: [
              'Bonjour,',
              '',
              overdue
                ? `La date limite de la campagne « ${campaign.title} » (${campaign.orgName}) était le ${frenchDate(campaign.deadline)}, et le diagnostic de ${name} n’a pas encore été soumis.`
                : `La campagne « ${campaign.orgName} » « ${campaign.title} » se termine le ${frenchDate(campaign.deadline)} : le diagnostic de ${name} n’a pas encore été soumis.`,
              'Terminez les réponses puis soumettez le diagnostic ; si vous avez besoin d’aide, répondez à votre coordinateur.',
              '',
              `Connectez-vous à Hygie : ${this.p.config.publicUrl}/`,
              '',
              `Vous recevez ce message en tant que ${ROLE_LABEL[r.role]} de ${name}.`,
            ].join('\n'),
          }),
        );
      }
      await this.audit(tx, actor, meta, 'assessment.campaign.reminded', org.orgId, 'campaign', id, { establishments: pending.length, mails: mailIds.length, overdue });
      return { pending, mailIds };
    });
    await this.p.mail.dispatch(mailIds);
    return { establishments: pending.length, mails: mailIds.length };
  }

  private async loadCampaign(id: string) {
    const [row] = await this.db
      .select({
        id: campaigns.id,
        orgId: campaigns.orgId,
        orgName: organisations.name,
        frameworkId: campaigns.frameworkId,
        frameworkName: frameworks.name,
        title: campaigns.title,
        deadline: campaigns.deadline,
        createdAt: campaigns.createdAt,
        closedAt: campaigns.closedAt,
      })
      .from(campaigns)
      .innerJoin(organisations, eq(organisations.id, campaigns.orgId))
      .innerJoin(frameworks, eq(frameworks.id, campaigns.frameworkId))
      .where(eq(campaigns.id, id));
    if (!row) throw notFound();
    return { ...row, createdAt: row.createdAt.toISOString(), closedAt: row.closedAt?.toISOString() ?? null };
  }

  /** The active RSSI and direction members of these establishments, one line per person and establishment. */
  private async recipients(tx: Tx, orgIds: string[]) {
    if (orgIds.length === 0) return [];
    const rows = await tx
      .select({ orgId: memberships.orgId, email: users.email, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(inArray(memberships.orgId, orgIds), inArray(memberships.role, ['rssi', 'direction']), eq(users.status, 'active')))
      .orderBy(asc(memberships.orgId), asc(users.email));
    return rows as { orgId: string; email: string; role: 'rssi' | 'direction' }[];
  }

  // --- Funding programmes ------------------------------------------------------------------

  async createProgramme(actor: Actor, meta: RequestMeta, input: CreateProgrammeBody): Promise<Programme> {
    const org = await loadVisibleOrg(this.db, actor, input.orgId);
    requireAccess(actor, policy, 'funding.manage', org);
    if (org.kind !== 'region') throw invalidField('orgId', 'Un programme de financement est porté par une région.');
    const now = this.p.clock.now();
    const id = await this.db.transaction(async (tx) => {
      const [programme] = await tx
        .insert(fundingProgrammes)
        .values({ orgId: org.orgId, name: input.name, description: input.description ?? null, createdAt: now })
        .returning({ id: fundingProgrammes.id });
      await tx.insert(fundingMilestones).values(
        input.milestones.map((m, position) => ({
          programmeId: programme.id,
          kind: m.kind,
          code: m.code,
          title: m.title,
          description: m.description ?? null,
          amount: m.amount === null || m.amount === undefined ? null : m.amount.toFixed(2),
          position,
        })),
      );
      await this.audit(tx, actor, meta, 'assessment.funding.programme.created', org.orgId, 'funding_programme', programme.id, {
        name: input.name,
        milestones: input.milestones.map((m) => m.code),
      });
      return programme.id;
    });
    const [programme] = await this.programmesFor(org, eq(fundingProgrammes.id, id));
    return programme;
  }

  /**
   * The programmes of the organisation's region, with the status of the establishments the
   * organisation covers: all of the region's for its coordinator, a GHT's for the GHT, its
   * own only for an establishment.
   */
  async listProgrammes(actor: Actor, orgId: string): Promise<Programme[]> {
    const org = await loadVisibleOrg(this.db, actor, orgId);
    requireAccess(actor, policy, 'funding.read', org);
    if (org.kind !== 'region' && org.kind !== 'ght' && org.kind !== 'establishment') {
      throw invalidField('orgId', 'Choisissez une région, un GHT ou un établissement.');
    }
    return this.programmesFor(org, inArray(fundingProgrammes.orgId, [org.orgId, ...org.ancestors]));
  }

  async declare(actor: Actor, meta: RequestMeta, milestoneId: string, input: DeclareBody): Promise<Declaration> {
    const milestone = await this.loadMilestone(milestoneId);
    const org = await loadVisibleOrg(this.db, actor, input.orgId);
    requireAccess(actor, policy, 'funding.declare', org);
    // A programme of another region is not the establishment's business.
    if (!org.ancestors.includes(milestone.regionId) && org.orgId !== milestone.regionId) throw notFound();
    if (org.kind !== 'establishment') throw invalidField('orgId', 'Seul un établissement déclare un jalon atteint.');
    const now = this.p.clock.now();
    await this.db.transaction(async (tx) => {
      const [current] = await tx
        .select({ status: fundingDeclarations.status })
        .from(fundingDeclarations)
        .where(and(eq(fundingDeclarations.milestoneId, milestoneId), eq(fundingDeclarations.orgId, org.orgId)))
        .for('update');
      if (current?.status === 'validated') throw conflict('Ce jalon est déjà validé par la région : il n’y a plus rien à déclarer.');
      if (milestone.kind === 'objective') {
        const missing = await tx
          .select({ code: fundingMilestones.code })
          .from(fundingMilestones)
          .leftJoin(fundingDeclarations, and(eq(fundingDeclarations.milestoneId, fundingMilestones.id), eq(fundingDeclarations.orgId, org.orgId)))
          .where(and(eq(fundingMilestones.programmeId, milestone.programmeId), eq(fundingMilestones.kind, 'prerequisite'), sql`${fundingDeclarations.status} is distinct from 'validated'`))
          .orderBy(asc(fundingMilestones.position));
        if (missing.length) {
          throw conflict(
            `Un objectif ne peut être déclaré qu’une fois tous les prérequis validés par la région. Prérequis à faire valider d’abord : ${missing.map((m) => m.code).join(', ')}.`,
          );
        }
      }
      const values = { status: 'declared' as const, evidence: input.evidence, comment: input.comment ?? null, declaredBy: actor.userId, declaredAt: now };
      await tx
        .insert(fundingDeclarations)
        .values({ milestoneId, orgId: org.orgId, ...values })
        .onConflictDoUpdate({ target: [fundingDeclarations.milestoneId, fundingDeclarations.orgId], set: values });
      await this.audit(tx, actor, meta, current ? 'assessment.funding.redeclared' : 'assessment.funding.declared', org.orgId, 'funding_milestone', milestoneId, {
        programmeId: milestone.programmeId,
        code: milestone.code,
        previous: current?.status ?? null,
      });
    });
    return this.declarationOf(milestoneId, org.orgId);
  }

  async review(actor: Actor, meta: RequestMeta, milestoneId: string, orgId: string, input: Omit<ReviewBody, 'orgId'>): Promise<Declaration> {
    const milestone = await this.loadMilestone(milestoneId);
    const region = await loadVisibleOrg(this.db, actor, milestone.regionId);
    requireAccess(actor, policy, 'funding.manage', region);
    const org = await loadVisibleOrg(this.db, actor, orgId);
    if (!org.ancestors.includes(region.orgId)) throw notFound();
    const comment = input.comment || null;
    const mailIds = await this.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(fundingDeclarations)
        .set({ status: input.decision, reviewComment: comment, reviewedBy: actor.userId, reviewedAt: this.p.clock.now() })
        .where(and(eq(fundingDeclarations.milestoneId, milestoneId), eq(fundingDeclarations.orgId, org.orgId), eq(fundingDeclarations.status, 'declared')))
        .returning({ status: fundingDeclarations.status });
      if (!updated) {
        const [current] = await tx
          .select({ status: fundingDeclarations.status })
          .from(fundingDeclarations)
          .where(and(eq(fundingDeclarations.milestoneId, milestoneId), eq(fundingDeclarations.orgId, org.orgId)));
        throw conflict(
          !current
            ? `${org.name} n’a pas encore déclaré ce jalon : il n’y a rien à examiner.`
            : current.status === 'validated'
              ? 'Ce jalon est déjà validé.'
              : 'Des compléments ont déjà été demandés : attendez la nouvelle déclaration de l’établissement.',
        );
      }
      await this.audit(tx, actor, meta, input.decision === 'validated' ? 'assessment.funding.validated' : 'assessment.funding.more_info', org.orgId, 'funding_milestone', milestoneId, {
        programmeId: milestone.programmeId,
        code: milestone.code,
        comment,
      });
      if (input.decision !== 'more_info') return [];
      const rssi = (await this.recipients(tx, [org.orgId])).filter((r) => r.role === 'rssi');
      const ids: string[] = [];
      for (const r of rssi) {
        ids.push(
          await this.p.mail.enqueue(tx, {
            to: r.email,
            subject: `Hygie : la région demande des compléments sur le jalon ${milestone.code} (${milestone.programmeName})`,
            text: [
              'Bonjour,',
              '',
              `${region.name} a examiné la déclaration de ${org.name} pour le jalon « ${milestone.code} — ${milestone.title} » du programme « ${milestone.programmeName} » et demande des compléments :`,
              '',
              comment ?? '',
              '',
              `Complétez la preuve puis déclarez à nouveau le jalon dans Hygie : ${this.p.config.publicUrl}/`,
            ].join('\n'),
          }),
        );
      }
      return ids;
    });
    await this.p.mail.dispatch(mailIds);
    return this.declarationOf(milestoneId, org.orgId);
  }

  private async loadMilestone(id: string) {
    const [row] = await this.db
      .select({
        id: fundingMilestones.id,
        kind: fundingMilestones.kind,
        code: fundingMilestones.code,
        title: fundingMilestones.title,
        programmeId: fundingMilestones.programmeId,
        programmeName: fundingProgrammes.name,
        regionId: fundingProgrammes.orgId,
      })
      .from(fundingMilestones)
      .innerJoin(fundingProgrammes, eq(fundingProgrammes.id, fundingMilestones.programmeId))
      .where(eq(fundingMilestones.id, id));
    if (!row) throw notFound();
    return row;
  }

  private async declarationOf(milestoneId: string, orgId: string): Promise<Declaration> {
    const [d] = await this.declarations(and(eq(fundingDeclarations.milestoneId, milestoneId), eq(fundingDeclarations.orgId, orgId)));
    return d;
  }

  private async declarations(where: SQL | undefined): Promise<Declaration[]> {
    const declarer = alias(users, 'declarer');
    const reviewer = alias(users, 'reviewer');
    const rows = await this.db
      .select({ d: fundingDeclarations, declaredByName: declarer.displayName, reviewedByName: reviewer.displayName })
      .from(fundingDeclarations)
      .innerJoin(organisations, eq(organisations.id, fundingDeclarations.orgId))
      .leftJoin(declarer, eq(declarer.id, fundingDeclarations.declaredBy))
      .leftJoin(reviewer, eq(reviewer.id, fundingDeclarations.reviewedBy))
      .where(where);
    return rows.map(({ d, declaredByName, reviewedByName }) => ({
      milestoneId: d.milestoneId,
      orgId: d.orgId,
      status: d.status,
      evidence: d.evidence,
      comment: d.comment,
      reviewComment: d.reviewComment,
      declaredAt: d.declaredAt.toISOString(),
      declaredByName,
      reviewedAt: d.reviewedAt?.toISOString() ?? null,
      reviewedByName,
    }));
  }

  /** Programmes matching `where`, with the statuses of the establishments `org` covers. */
  private async programmesFor(org: OrgRef, where: SQL | undefined): Promise<Programme[]> {
    const rows = await this.db
      .select({ p: fundingProgrammes, orgName: organisations.name })
      .from(fundingProgrammes)
      .innerJoin(organisations, eq(organisations.id, fundingProgrammes.orgId))
      .where(where)
      .orderBy(desc(fundingProgrammes.createdAt), asc(fundingProgrammes.name));
    if (rows.length === 0) return [];
    const milestones = await this.db
      .select()
      .from(fundingMilestones)
      .where(
        inArray(
          fundingMilestones.programmeId,
          rows.map((r) => r.p.id),
        ),
      )
      .orderBy(asc(fundingMilestones.position));
    const covered = org.kind === 'establishment' ? eq(organisations.id, org.orgId) : and(eq(organisations.kind, 'establishment'), sql`${organisations.ancestors} @> array[${org.orgId}::uuid]`, sql`${organisations.archivedAt} is null`);
    const establishments = await this.db
      .select({ id: organisations.id, name: organisations.name, category: organisations.category })
      .from(organisations)
      .where(covered)
      .orderBy(asc(organisations.name), asc(organisations.id));
    const declared = milestones.length
      ? await this.declarations(
          and(
            inArray(
              fundingDeclarations.milestoneId,
              milestones.map((m) => m.id),
            ),
            covered,
          ),
        )
      : [];
    const byKey = new Map(declared.map((d) => [`${d.milestoneId}|${d.orgId}`, d]));
    const add = (t: FundingTotals, d: Declaration, amount: number | null) => {
      if (d.status === 'declared') t.declared++;
      else if (d.status === 'more_info') t.moreInfo++;
      else if (d.status === 'validated') {
        t.validated++;
        t.amountValidated += amount ?? 0;
      }
    };
    return rows.map(({ p, orgName }) => {
      const own = milestones.filter((m) => m.programmeId === p.id);
      const amounts = new Map(own.map((m) => [m.id, m.amount === null ? null : Number(m.amount)]));
      const milestoneTotals = new Map(own.map((m) => [m.id, EMPTY_FUNDING()]));
      const totals = { ...EMPTY_FUNDING(), establishments: establishments.length };
      const perEstablishment: EstablishmentFunding[] = establishments.map((e) => {
        const estTotals = EMPTY_FUNDING();
        const list = own.map((m): Declaration => {
          const d = byKey.get(`${m.id}|${e.id}`);
          if (!d) return { milestoneId: m.id, orgId: e.id, status: 'none', evidence: null, comment: null, reviewComment: null, declaredAt: null, declaredByName: null, reviewedAt: null, reviewedByName: null };
          for (const t of [estTotals, milestoneTotals.get(m.id)!, totals]) add(t, d, amounts.get(m.id) ?? null);
          return d;
        });
        const prerequisitesMet = own.every((m, i) => m.kind !== 'prerequisite' || list[i].status === 'validated');
        return { orgId: e.id, orgName: e.name, category: e.category, declarations: list, prerequisitesMet, totals: estTotals };
      });
      return {
        id: p.id,
        orgId: p.orgId,
        orgName,
        name: p.name,
        description: p.description,
        createdAt: p.createdAt.toISOString(),
        milestones: own.map((m) => ({
          id: m.id,
          kind: m.kind,
          code: m.code,
          title: m.title,
          description: m.description,
          amount: amounts.get(m.id) ?? null,
          position: m.position,
          totals: milestoneTotals.get(m.id)!,
        })),
        establishments: perEstablishment,
        totals,
      };
    });
  }

  // --- Observatory -----------------------------------------------------------------------

  /** Scores across the perimeter: by objective, distribution, categories, campaigns (and regions, nationally). */
  async observatory(actor: Actor, query: ObservatoryQuery): Promise<Observatory> {
    const { scope, framework, campaign } = await this.observatoryContext(actor, query);
    const national = scope.kind === 'national';
    interface Group {
      everyone: boolean;
      category: EstablishmentCategory | null;
      nodeId: string | null;
      rows: number;
      count: number;
      mean: number | null;
      q: [number, number, number] | null;
    }
    const [row] = await this.analytical<{
      total: number;
      with_result: number;
      groups: Group[];
      distribution: { band: number; count: number }[];
      evolution: Observatory['evolution'];
      regions: Observatory['regions'] | null;
    }>(
      sql`with ${latestCtes(scope, framework, campaign?.id ?? null)},
        vals as (
          select s.category, s.node_id, s.score from scores s
          union all
          select l.category, null::uuid, l.score from latest l
        ),
        -- one pass: by objective (and overall: node_id null) for everyone, and by category
        agg as materialized (
          select grouping(v.category) = 1 as everyone, v.category, v.node_id, count(*)::int as rows, count(v.score)::int as count, avg(v.score) as mean,
                 percentile_cont(array[0.25, 0.5, 0.75]) within group (order by v.score) as q
          from vals v
          group by grouping sets ((v.node_id), (v.category, v.node_id))
        )
        select
          (select count(*)::int from est) as total,
          (select count(*)::int from latest) as with_result,
          (select coalesce(json_agg(json_build_object('everyone', g.everyone, 'category', g.category, 'nodeId', g.node_id, 'rows', g.rows, 'count', g.count, 'mean', g.mean, 'q', g.q)), '[]'::json)
             from agg g) as groups,
          (select coalesce(json_agg(json_build_object('band', d.band, 'count', d.count)), '[]'::json)
             from (select least(floor(l.score / 10), 9)::int as band, count(*)::int as count from latest l where l.score is not null group by 1) d) as distribution,
          (select coalesce(json_agg(json_build_object('campaignId', e.id, 'title', e.title, 'orgName', e.org_name, 'deadline', e.deadline, 'count', e.count, 'median', e.median)
                    order by e.deadline, e.created_at), '[]'::json)
             from (select c.id, c.title, co.name as org_name, c.deadline::text as deadline, c.created_at, x.count, ${round1(sql`x.median`)} as median
                     from (select a.campaign_id, count(a.score)::int as count, percentile_cont(0.5) within group (order by a.score) as median
                             from est
                             cross join lateral (
                               select a.campaign_id, a.score
                               from assessments a
                               where a.framework_id = ${framework.id}::uuid and a.org_id = est.id and a.status in ('submitted', 'validated') and a.campaign_id is not null
                               offset 0 -- per establishment, by assessments_observatory_idx
                             ) a
                            group by a.campaign_id) x
                     join assessment_campaigns c on c.id = x.campaign_id
                     join organisations co on co.id = c.org_id
                    order by c.deadline desc, c.created_at desc
                    limit 10) e) as evolution,
          ${
            national
              ? sql`(select coalesce(json_agg(json_build_object('orgId', r.id, 'name', r.name, 'count', x.count, 'median', x.median) order by r.name), '[]'::json)
                       from (select l.region_id, count(*)::int as count, ${round1(sql`percentile_cont(0.5) within group (order by l.score)`)} as median
                               from latest l group by l.region_id) x
                       join organisations r on r.id = x.region_id)`
              : sql`null::json`
          } as regions`,
    );
    const stats = (g: Group | undefined): Stats => ({
      count: g?.count ?? 0,
      mean: tenth(g?.mean ?? null),
      q1: tenth(g?.q?.[0] ?? null),
      median: tenth(g?.q?.[1] ?? null),
      q3: tenth(g?.q?.[2] ?? null),
    });
    const find = (everyone: boolean, nodeId: string | null, category: string | null = null) =>
      row.groups.find((g) => g.everyone === everyone && g.nodeId === nodeId && (everyone || g.category === category));
    const categories = row.groups
      .filter((g) => !g.everyone && g.nodeId === null)
      .sort((a, b) => (a.category! < b.category! ? -1 : 1))
      .map((g) => ({
        category: g.category!,
        count: g.rows,
        overall: stats(g),
        objectives: framework.objectives.map((o) => ({ nodeId: o.nodeId, median: tenth(find(false, o.nodeId, g.category)?.q?.[1] ?? null) })),
      }));
    const bands = new Map(row.distribution.map((d) => [d.band, d.count]));
    return {
      scope: { kind: scope.kind, orgId: scope.root, name: scope.name },
      framework: { id: framework.id, name: framework.name },
      campaign,
      establishments: { total: row.total, withResult: row.with_result },
      overall: stats(find(true, null)),
      objectives: framework.objectives.map((o) => ({ ...o, stats: stats(find(true, o.nodeId)) })),
      distribution: Array.from({ length: 10 }, (_, band) => ({ from: band * 10, to: band * 10 + 10, count: bands.get(band) ?? 0 })),
      categories,
      evolution: row.evolution,
      regions: row.regions ?? [],
    };
  }

  /** Named results per establishment, for the perimeter's coordinators, a page at a time. */
  async observatoryEstablishments(actor: Actor, query: ObservatoryQuery & { page: number; pageSize: number }) {
    const { scope, framework, campaign } = await this.observatoryContext(actor, query);
    const { rows, total } = await this.establishmentResults(scope, framework, campaign?.id ?? null, { limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
    return { objectives: framework.objectives, establishments: rows, total, page: query.page, pageSize: query.pageSize };
  }

  /** The same, every establishment, as CSV for a spreadsheet (`;`, BOM, French headers and decimals). */
  async observatoryCsv(actor: Actor, meta: RequestMeta, query: ObservatoryQuery): Promise<{ filename: string; rows: (string | number)[][] }> {
    const { scope, framework, campaign } = await this.observatoryContext(actor, query);
    const { rows } = await this.establishmentResults(scope, framework, campaign?.id ?? null, null);
    await this.p.audit({
      action: 'assessment.observatory.exported',
      actorId: actor.userId,
      actorLabel: actor.email,
      orgId: scope.root,
      ip: meta.ip,
      details: { frameworkId: framework.id, campaignId: campaign?.id ?? null, rows: rows.length },
    });
    const decimal = (n: number | null) => (n === null ? '' : String(n).replace('.', ','));
    const header = [
      'Établissement',
      'FINESS',
      'Catégorie',
      'Région',
      'Statut',
      'Soumis le',
      'Score global',
      ...framework.objectives.map((o) => [o.refId, o.name].filter(Boolean).join(' — ')),
    ];
    const body = rows.map((e) => {
      const byNode = new Map(e.scores.map((s) => [s.nodeId, s.score]));
      return [
        e.name,
        e.finess ?? '',
        e.category,
        e.regionName ?? '',
        e.status === 'validated' ? 'validé' : 'soumis',
        e.submittedAt ? FRENCH_SHORT_DAY.format(new Date(e.submittedAt)) : '',
        decimal(e.score),
        ...framework.objectives.map((o) => decimal(byNode.get(o.nodeId) ?? null)),
      ];
    });
    const slug = scope.name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return { filename: `observatoire-${slug || 'hygie'}.csv`, rows: [header, ...body] };
  }

  /**
   * An establishment's own latest scores beside the anonymous medians of its category in
   * its region and of its whole region. Only aggregates leave the query; a median over
   * fewer than MINIMUM_GROUP establishments is withheld.
   */
  async benchmark(actor: Actor, orgId: string, frameworkId?: string): Promise<Benchmark> {
    const org = await loadVisibleOrg(this.db, actor, orgId);
    requireAccess(actor, policy, 'observatory.benchmark', org);
    if (org.kind !== 'establishment') throw invalidField('orgId', 'La comparaison se fait pour un établissement.');
    const framework = await this.resolveFramework(frameworkId);
    const regionId = org.ancestors[0];
    const [info] = await this.db
      .select({ category: organisations.category, regionName: sql<string>`(select r.name from organisations r where r.id = ${regionId}::uuid)` })
      .from(organisations)
      .where(eq(organisations.id, org.orgId));
    const category: EstablishmentCategory = info.category ?? 'AUTRE';
    const scope: Scope = { kind: 'region', root: regionId, ancestors: [], name: info.regionName };
    const [row] = await this.analytical<{
      assessment: { id: string; status: 'submitted' | 'validated'; submitted_at: string | null } | null;
      rows: { nodeId: string | null; own: number | null; catMedian: number | null; catCount: number; regionMedian: number | null; regionCount: number }[] | null;
    }>(
      sql`with ${latestCtes(scope, framework, null)},
        vals as (
          select s.org_id, s.category, s.node_id, s.score from scores s
          union all
          select l.org_id, l.category, null::uuid, l.score from latest l
        )
        select
          (select json_build_object('id', l.id, 'status', l.status, 'submitted_at', l.submitted_at) from latest l where l.org_id = ${org.orgId}::uuid) as assessment,
          (select json_agg(json_build_object(
              'nodeId', g.node_id, 'own', g.own, 'catMedian', g.cat_median, 'catCount', g.cat_count, 'regionMedian', g.region_median, 'regionCount', g.region_count))
             from (select v.node_id,
                          ${round1(sql`max(v.score) filter (where v.org_id = ${org.orgId}::uuid)`)} as own,
                          count(v.score) filter (where v.category = ${category})::int as cat_count,
                          ${round1(sql`percentile_cont(0.5) within group (order by v.score) filter (where v.category = ${category})`)} as cat_median,
                          count(v.score)::int as region_count,
                          ${round1(sql`percentile_cont(0.5) within group (order by v.score)`)} as region_median
                     from vals v group by v.node_id) g) as rows`,
    );
    const byNode = new Map((row.rows ?? []).map((r) => [r.nodeId, r]));
    const line = (nodeId: string | null) => {
      const r = byNode.get(nodeId);
      const median = (value: number | null | undefined, n: number | undefined) => {
        const countOf = n ?? 0;
        const suppressed = countOf < MINIMUM_GROUP;
        return { median: suppressed ? null : (value ?? null), count: countOf, suppressed };
      };
      return { own: r?.own ?? null, category: median(r?.catMedian, r?.catCount), region: median(r?.regionMedian, r?.regionCount) };
    };
    return {
      org: { id: org.orgId, name: org.name, category },
      regionName: info.regionName,
      framework: { id: framework.id, name: framework.name },
      assessment: row.assessment ? { id: row.assessment.id, status: row.assessment.status, submittedAt: row.assessment.submitted_at } : null,
      minimumGroup: MINIMUM_GROUP,
      overall: line(null),
      objectives: framework.objectives.map((o) => ({ ...o, ...line(o.nodeId) })),
    };
  }

  /** Access, perimeter, framework and campaign of an observatory view, checked in that order. */
  private async observatoryContext(actor: Actor, query: ObservatoryQuery) {
    let scope: Scope;
    if (query.orgId) {
      const org = await loadVisibleOrg(this.db, actor, query.orgId);
      requireAccess(actor, policy, 'observatory.read', org);
      if (org.kind !== 'region' && org.kind !== 'ght') throw invalidField('orgId', 'L’observatoire couvre une région ou un GHT.');
      scope = { kind: org.kind, root: org.orgId, ancestors: org.ancestors, name: org.name };
    } else {
      requireAccess(actor, policy, 'observatory.national', null);
      scope = { kind: 'national', root: null, ancestors: [], name: 'France entière' };
    }
    let campaign: { id: string; title: string; frameworkId: string } | null = null;
    if (query.campaignId) {
      const [row] = await this.db
        .select({ id: campaigns.id, title: campaigns.title, frameworkId: campaigns.frameworkId, orgId: campaigns.orgId, ancestors: organisations.ancestors })
        .from(campaigns)
        .innerJoin(organisations, eq(organisations.id, campaigns.orgId))
        .where(eq(campaigns.id, query.campaignId));
      // A campaign of the perimeter, of a GHT inside it, or of the region around a GHT.
      const related = row && (scope.root === null || row.orgId === scope.root || row.ancestors.includes(scope.root) || scope.ancestors.includes(row.orgId));
      if (!row || !related) throw notFound('Cette campagne n’existe pas ou ne concerne pas ce périmètre.');
      if (query.frameworkId && query.frameworkId !== row.frameworkId) throw invalidField('campaignId', 'Cette campagne porte sur un autre référentiel.');
      campaign = { id: row.id, title: row.title, frameworkId: row.frameworkId };
    }
    const framework = await this.resolveFramework(query.frameworkId ?? campaign?.frameworkId);
    return { scope, framework, campaign: campaign && { id: campaign.id, title: campaign.title } };
  }

  /** The framework asked for, or Hygie's référentiel; with its objectives (depth-1 nodes) in order. */
  private async resolveFramework(frameworkId: string | undefined): Promise<FrameworkRef> {
    const [fw] = await this.db
      .select({ id: frameworks.id, name: frameworks.name })
      .from(frameworks)
      .where(frameworkId ? eq(frameworks.id, frameworkId) : eq(frameworks.kind, 'referentiel'))
      .orderBy(asc(frameworks.createdAt))
      .limit(1);
    if (!fw) {
      throw invalidField('frameworkId', frameworkId ? 'Ce référentiel n’existe pas.' : 'Le référentiel Hygie n’est pas encore installé : choisissez un référentiel.');
    }
    const objectives = await this.db
      .select({ nodeId: frameworkNodes.id, refId: frameworkNodes.refId, name: frameworkNodes.name })
      .from(frameworkNodes)
      .where(and(eq(frameworkNodes.frameworkId, fw.id), eq(frameworkNodes.depth, 1)))
      .orderBy(asc(frameworkNodes.position));
    return { ...fw, objectives };
  }

  private async establishmentResults(scope: Scope, framework: FrameworkRef, campaignId: string | null, page: { limit: number; offset: number } | null): Promise<{ rows: ObservatoryEstablishment[]; total: number }> {
    const [row] = await this.analytical<{ total: number; rows: ObservatoryEstablishment[] }>(
      sql`with ${latestCtes(scope, framework, campaignId)},
        page as (select l.* from latest l order by l.name, l.org_id ${page ? sql`limit ${page.limit} offset ${page.offset}` : sql``})
        select
          (select count(*)::int from latest) as total,
          (select coalesce(json_agg(json_build_object(
              'orgId', p.org_id, 'name', p.name, 'finess', p.finess, 'category', p.category, 'regionName', r.name,
              'assessmentId', p.id, 'status', p.status, 'submittedAt', p.submitted_at, 'score', ${round1(sql`p.score`)},
              'scores', (select coalesce(json_agg(json_build_object('nodeId', ns.node_id, 'score', ${round1(sql`ns.score`)}, 'answered', ns.answered, 'total', ns.total)), '[]'::json)
                           from assessment_node_scores ns where ns.assessment_id = p.id and ns.node_id = any(${objectiveArray(framework)}::uuid[]))
            ) order by p.name, p.org_id), '[]'::json)
             from page p left join organisations r on r.id = p.region_id) as rows`,
    );
    // Scores in the framework's order.
    const order = new Map(framework.objectives.map((o, i) => [o.nodeId, i]));
    for (const e of row.rows) e.scores.sort((a, b) => order.get(a.nodeId)! - order.get(b.nodeId)!);
    return { rows: row.rows, total: row.total };
  }

  /**
   * An observatory statement. Its cost estimate is large (thousands of index probes), which
   * would make PostgreSQL compile it with JIT first — half a second lost, measured at 45,000
   * establishments; and its sorts (percentiles over every establishment's objectives) fit in
   * memory with a little more than the default 4 MB. Both for this statement only.
   */
  private analytical<T>(query: SQL): Promise<T[]> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`set local jit = off`);
      await tx.execute(sql`set local work_mem = '32MB'`);
      return rowsOf<T>(tx, query);
    });
  }

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string | null, targetType: string, targetId: string, details: Record<string, unknown>) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType, targetId, ip: meta.ip, details }, tx);
  }
}

interface CampaignRow {
  id: string;
  orgId: string;
  orgName: string;
  frameworkId: string;
  frameworkName: string;
  title: string;
  deadline: string;
  createdAt: string;
  closedAt: string | null;
}

function toCampaignSummary(c: CampaignRow, t: CampaignTotals, today: string): CampaignSummary {
  return {
    id: c.id,
    orgId: c.orgId,
    orgName: c.orgName,
    frameworkId: c.frameworkId,
    frameworkName: c.frameworkName,
    title: c.title,
    deadline: c.deadline,
    createdAt: c.createdAt,
    closedAt: c.closedAt,
    overdue: c.deadline < today,
    totals: { establishments: t.establishments, notStarted: t.notStarted, started: t.started, submitted: t.submitted, validated: t.validated, late: t.late },
  };
}

/** Whether the actor may know of this organisation (one of his, or below one of his). */
function visibleTo(actor: Actor, o: OrgRow): boolean {
  return actor.platformAdmin || actor.memberships.some((m) => m.orgId === o.id || o.ancestors.includes(m.orgId));
}

/**
 * The common part of every observatory query, whose cost follows the establishments of the
 * perimeter and never the answers:
 * - `est`: the establishments of the perimeter (GIN index on ancestors);
 * - `latest`: for each, its latest submitted or validated assessment of the framework
 *   (optionally within one campaign): one probe of assessments_observatory_idx per
 *   establishment (LATERAL … LIMIT 1), so a small region never scans the whole table;
 * - `scores`: the maintained score of each objective (depth-1 node) of those assessments,
 *   looked up by primary key in assessment_node_scores, assessment by assessment.
 * The LATERAL subqueries keep the planner from hashing whole tables, which it otherwise
 * prefers as soon as they are large, whatever the size of the perimeter.
 */
function latestCtes(scope: Scope, framework: FrameworkRef, campaignId: string | null): SQL {
  const perimeter = scope.root ? sql`and o.ancestors @> array[${scope.root}::uuid]` : sql``;
  const inCampaign = campaignId ? sql`and a.campaign_id = ${campaignId}::uuid` : sql``;
  return sql`est as materialized (
      select o.id, o.name, o.finess, coalesce(o.category, 'AUTRE') as category, o.ancestors[1] as region_id
      from organisations o
      where o.kind = 'establishment' and o.archived_at is null ${perimeter}
    ),
    latest as materialized (
      select l.id, est.id as org_id, l.score, l.status, ${isoText(sql`l.submitted_at`)} as submitted_at, est.name, est.finess, est.category, est.region_id
      from est
      cross join lateral (
        select a.id, a.score, a.status, a.submitted_at
        from assessments a
        where a.framework_id = ${framework.id}::uuid and a.org_id = est.id and a.status in ('submitted', 'validated') ${inCampaign}
        order by a.submitted_at desc nulls last, a.created_at desc nulls last
        limit 1
      ) l
    ),
    scores as materialized (
      select l.org_id, l.category, s.node_id, s.score
      from latest l
      cross join lateral (
        select ns.node_id, ns.score
        from assessment_node_scores ns
        where ns.assessment_id = l.id and ns.node_id = any(${objectiveArray(framework)}::uuid[])
        offset 0 -- keeps the lookup per assessment: never a scan of every assessment's scores
      ) s
    )`;
}

/** The framework's objectives as one array parameter ('{id,…}'). */
const objectiveArray = (framework: FrameworkRef) => `{${framework.objectives.map((o) => o.nodeId).join(',')}}`;

/** One decimal, for scores computed in JavaScript from raw aggregates. */
const tenth = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
