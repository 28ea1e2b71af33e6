import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, arrayContains, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import {
  missingForDeclaration,
  type closeIncidentBodySchema,
  type createIncidentBodySchema,
  type DeclarationContent,
  type IncidentDetail,
  type IncidentSummary,
  type INCIDENT_STATUSES,
  type Nis2Category,
  type ObligationKind,
  type revisionSchema,
  type saveDraftBodySchema,
  type updateIncidentBodySchema,
  type updateNis2BodySchema,
  type updateObligationBodySchema,
} from '../../../contracts/incidents';
import type { ErrorBody } from '../../../contracts/common';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { AppError, conflict, invalid, invalidField, notFound } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { detectAround } from './detection';
import { OBLIGATION_LABELS, syncObligations } from './obligations';
import { incidentPolicy as policy } from './policy';
import { incidents, nis2Settings, obligations, revisions, timeline } from './schema';

type IncidentAction = 'incident.read' | 'incident.declare' | 'incident.follow' | 'region.inbox';
type IncidentRow = typeof incidents.$inferSelect;

const NOT_DRAFT = 'Cet incident a déjà été déclaré : complétez la déclaration au lieu de modifier le brouillon.';
const CLOSED = 'Cet incident est clos : il ne peut plus être modifié.';

/** 409 whose body carries the incident as saved by someone else, so nothing typed is lost. */
export class IncidentConflict extends AppError {
  constructor(public readonly current: IncidentDetail) {
    super(409, 'conflict', 'Quelqu’un vient d’enregistrer cet incident avant vous : comparez avec votre saisie, puis enregistrez à nouveau.');
  }

  override toBody(): ErrorBody & { current: IncidentDetail } {
    return { ...super.toBody(), current: this.current };
  }
}

/**
 * The incident with its establishment, or 404 when the actor may not know of it; then the
 * policy. The first line of every method that works on one incident, in this module's files.
 */
export async function loadIncident(db: Db, actor: Actor, id: string, action: IncidentAction): Promise<{ row: IncidentRow; org: OrgRef }> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw notFound('Cet incident n’existe pas ou vous n’y avez pas accès.');
  const org = await loadVisibleOrg(db, actor, row.orgId);
  // A draft is its authors' work in progress: the region sees declarations, not drafts — a 404
  // before any rule, so that a refused write does not reveal that the draft exists.
  if (row.status === 'draft' && !policy.rules['incident.declare'](actor, org)) throw notFound('Cet incident n’existe pas ou vous n’y avez pas accès.');
  requireAccess(actor, policy, action, org);
  return { row, org };
}

/** The nearest pending deadline of each incident, in one query. */
const nextDeadline = sql<string | null>`(select min(${obligations.dueAt}) from ${obligations} where ${obligations.incidentId} = ${incidents.id} and ${obligations.status} = 'pending')`;
const nextDeadlineKind = sql<string | null>`(select ${obligations.kind} from ${obligations} where ${obligations.incidentId} = ${incidents.id} and ${obligations.status} = 'pending' order by ${obligations.dueAt}, ${obligations.kind} limit 1)`;

/** Lists of incidents: one query, whatever their number. `where` picks them. */
export async function summaries(db: Db, where: SQL | undefined, order: 'created' | 'declared' = 'created'): Promise<IncidentSummary[]> {
  const rows = await db
    .select({ i: incidents, orgName: organisations.name, nextDeadline, nextDeadlineKind })
    .from(incidents)
    .innerJoin(organisations, eq(organisations.id, incidents.orgId))
    .where(where)
    .orderBy(order === 'declared' ? desc(incidents.declaredAt) : desc(incidents.createdAt), asc(incidents.id));
  return rows.map((r) => toSummary(r.i, r.orgName, r.nextDeadline, r.nextDeadlineKind));
}

function toSummary(i: IncidentRow, orgName: string, deadline: string | Date | null, deadlineKind: string | null): IncidentSummary {
  return {
    id: i.id,
    orgId: i.orgId,
    orgName,
    reference: i.reference,
    title: i.title || 'Incident sans titre',
    status: i.status,
    type: i.type,
    origin: i.origin,
    discoveredAt: i.discoveredAt?.toISOString() ?? null,
    declaredAt: i.declaredAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
    careImpact: i.careImpact,
    personalData: i.personalData,
    supportRequested: i.supportRequested,
    regionStatus: i.regionStatus,
    nextDeadline: deadline && deadlineKind && i.status === 'declared' ? { kind: deadlineKind as ObligationKind, dueAt: new Date(deadline).toISOString() } : null,
    version: i.version,
    updatedAt: i.updatedAt.toISOString(),
  };
}

/** The incident as every page shows it: the declaration, the clocks, who did what. */
export async function incidentDetail(db: Db, id: string): Promise<IncidentDetail> {
  const [summary] = await summaries(db, and(eq(incidents.id, id)));
  if (!summary) throw notFound();
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  const names = await userNames(db, [row.createdBy, row.declaredBy, row.regionAcknowledgedBy]);
  const obligationRows = await db
    .select({ o: obligations, doneByName: users.displayName })
    .from(obligations)
    .leftJoin(users, eq(users.id, obligations.doneBy))
    .where(eq(obligations.incidentId, id))
    .orderBy(asc(obligations.dueAt), asc(obligations.kind));
  return {
    incident: summary,
    content: row.content,
    nis2: await nis2Of(db, row.orgId),
    obligations: obligationRows.map(({ o, doneByName }) => ({
      id: o.id,
      kind: o.kind,
      dueAt: o.dueAt.toISOString(),
      status: o.status,
      doneAt: o.doneAt?.toISOString() ?? null,
      doneByName,
      reference: o.reference,
      note: o.note,
    })),
    lessons: row.lessons,
    regionAcknowledgedAt: row.regionAcknowledgedAt?.toISOString() ?? null,
    regionAcknowledgedByName: row.regionAcknowledgedBy ? (names.get(row.regionAcknowledgedBy) ?? null) : null,
    regionNote: row.regionNote,
    createdByName: row.createdBy ? (names.get(row.createdBy) ?? null) : null,
    declaredByName: row.declaredBy ? (names.get(row.declaredBy) ?? null) : null,
  };
}

async function userNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const rows = await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function nis2Of(db: Db, orgId: string): Promise<Nis2Category> {
  const [row] = await db.select({ category: nis2Settings.category }).from(nis2Settings).where(eq(nis2Settings.orgId, orgId));
  return row?.category ?? 'none';
}

/** The columns copied from the declaration for lists, deadlines and statistics. */
function columnsOf(content: DeclarationContent) {
  return {
    title: content.title ?? '',
    type: content.type ?? null,
    origin: content.origin ?? null,
    discoveredAt: content.discoveredAt ? new Date(content.discoveredAt) : null,
    careImpact: content.impacts?.careImpact === true,
    degradedMode: content.impacts?.degradedMode === true,
    personalData: content.impacts?.personalData === true,
    supportRequested: content.supportRequested === true,
  };
}

/** Dotted paths of the leaves that differ between two declarations ("impacts.personalData"). */
export function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) || isObject(after)) {
    const a = isObject(before) ? before : {};
    const b = isObject(after) ? after : {};
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => changedFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  if (empty(before) && empty(after)) return [];
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

const digestOf = (value: unknown) => createHash('sha256').update(canonicalize(value) ?? '').digest('hex');

/**
 * Incidents of an establishment: a draft saved as the person types, declared with an
 * Idempotency-Key so that a retry never makes a second one, completed later with every
 * change kept, its regulatory clocks kept in line with what is declared, and closed with
 * its lessons. Every method checks access first.
 */
export class IncidentService {
  constructor(private readonly p: Platform) {}

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string, targetId: string, details: Record<string, unknown> = {}) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType: 'incident', targetId, ip: meta.ip, details }, tx);
  }

  /** Incidents of an establishment, or of the establishments below a GHT or a region (declared ones only above). */
  async list(actor: Actor, orgId: string, status?: (typeof INCIDENT_STATUSES)[number]): Promise<IncidentSummary[]> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'incident.read', org);
    const below = or(eq(organisations.id, org.orgId), arrayContains(organisations.ancestors, [org.orgId]));
    // Drafts stay with the people who may declare for their establishment.
    const drafts = policy.rules['incident.declare'](actor, org) ? undefined : sql`${incidents.status} <> 'draft'`;
    return summaries(this.p.db, and(below, status ? eq(incidents.status, status) : undefined, drafts));
  }

  async get(actor: Actor, id: string): Promise<IncidentDetail> {
    await loadIncident(this.p.db, actor, id, 'incident.read');
    return incidentDetail(this.p.db, id);
  }

  /**
   * Starts a declaration (a draft, or declared at once). The actor's Idempotency-Key makes
   * it safe to retry: the same key with the same request returns the incident made the
   * first time (`replayed`); with a different request, 409. Concurrent identical requests
   * make one incident: the insert is guarded by a unique index on (creator, key).
   */
  async create(actor: Actor, meta: RequestMeta, key: string, input: z.infer<typeof createIncidentBodySchema>): Promise<{ detail: IncidentDetail; replayed: boolean }> {
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    requireAccess(actor, policy, 'incident.declare', org);
    if (org.kind !== 'establishment') {
      throw invalidField('orgId', 'Un incident se déclare pour un établissement : choisissez un établissement, pas un GHT, une région, un site ni un service.');
    }
    const digest = digestOf({ orgId: input.orgId, content: input.content, declare: input.declare });
    const replay = await this.replay(actor, key, digest);
    if (replay) return { detail: replay, replayed: true };
    await this.checkPerimeter(org, input.content);
    if (input.declare) {
      const missing = missingForDeclaration(input.content);
      if (missing.length) throw invalid(missing, `Il manque ${missing.length === 1 ? 'une information' : `${missing.length} informations`} pour déclarer l’incident.`);
    }

    const now = this.p.clock.now();
    const result = await this.p.db.transaction(async (tx) => {
      // One creation at a time per establishment: references are numbered in order.
      await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, org.orgId)).for('update');
      const year = new Intl.DateTimeFormat('fr-FR', { year: 'numeric', timeZone: 'Europe/Paris' }).format(now);
      // The highest number of the year plus one, not the count: once a draft is discarded, counting would repeat a reference in use.
      const [{ n }] = await tx
        .select({ n: sql<number>`coalesce(max(split_part(${incidents.reference}, '-', 3)::int), 0)` })
        .from(incidents)
        .where(and(eq(incidents.orgId, org.orgId), sql`${incidents.reference} like ${`INC-${year}-%`}`));
      const reference = `INC-${year}-${String(Number(n) + 1).padStart(3, '0')}`;
      const [row] = await tx
        .insert(incidents)
        .values({
          orgId: org.orgId,
          reference,
          content: input.content,
          ...columnsOf(input.content),
          idempotencyKey: key,
          requestDigest: digest,
          createdBy: actor.userId,
          createdAt: now,
          updatedBy: actor.userId,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: [incidents.createdBy, incidents.idempotencyKey] })
        .returning({ id: incidents.id });
      if (!row) return null;
      await this.audit(tx, actor, meta, 'incident.created', org.orgId, row.id, { reference });
      const mailIds = input.declare ? await this.declareIn(tx, actor, meta, row.id, org, input.content, now) : [];
      return { id: row.id, mailIds };
    });
    if (!result) {
      // Someone (this person's other tab or retry) created it in the meantime.
      const again = await this.replay(actor, key, digest);
      if (again) return { detail: again, replayed: true };
      throw conflict('Cette déclaration est en cours d’enregistrement : réessayez dans un instant.');
    }
    await this.p.mail.dispatch(result.mailIds);
    return { detail: await incidentDetail(this.p.db, result.id), replayed: false };
  }

  private async replay(actor: Actor, key: string, digest: string): Promise<IncidentDetail | null> {
    const [found] = await this.p.db
      .select({ id: incidents.id, digest: incidents.requestDigest })
      .from(incidents)
      .where(and(eq(incidents.createdBy, actor.userId), eq(incidents.idempotencyKey, key)));
    if (!found) return null;
    if (found.digest !== digest) {
      throw conflict('Cette clé de déclaration (Idempotency-Key) a déjà servi pour une autre demande : utilisez une nouvelle clé pour une nouvelle déclaration.');
    }
    return incidentDetail(this.p.db, found.id);
  }

  /** Sites and services named in the perimeter must be the establishment's own. */
  private async checkPerimeter(org: OrgRef, content: DeclarationContent): Promise<void> {
    const ids = [...new Set(content.perimeter?.orgIds ?? [])];
    if (!ids.length) return;
    const rows = await this.p.db
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(inArray(organisations.id, ids), arrayContains(organisations.ancestors, [org.orgId]), inArray(organisations.kind, ['site', 'service'])));
    if (rows.length !== ids.length) {
      throw invalidField('content.perimeter.orgIds', 'Le périmètre ne peut contenir que des sites et services de cet établissement.');
    }
  }

  /** Saves the draft as the person types. `version` is the one the page started from: 409 with the current one if stale. */
  async saveDraft(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof saveDraftBodySchema>): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.declare');
    if (row.status !== 'draft') throw conflict(NOT_DRAFT);
    await this.checkPerimeter(org, input.content);
    const now = this.p.clock.now();
    const saved = await this.p.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(incidents)
        .set({ content: input.content, ...columnsOf(input.content), version: sql`${incidents.version} + 1`, updatedBy: actor.userId, updatedAt: now })
        .where(and(eq(incidents.id, id), eq(incidents.version, input.version), eq(incidents.status, 'draft')))
        .returning({ id: incidents.id });
      return !!updated;
    });
    if (!saved) await this.stale(id, 'draft');
    return incidentDetail(this.p.db, id);
  }

  /** After a refused conditional update: 409 with the current incident, or the state error. */
  private async stale(id: string, expected: 'draft' | 'declared'): Promise<never> {
    const current = await incidentDetail(this.p.db, id);
    if (expected === 'draft' && current.incident.status !== 'draft') throw conflict(NOT_DRAFT);
    if (expected === 'declared' && current.incident.status === 'closed') throw conflict(CLOSED);
    throw new IncidentConflict(current);
  }

  /** Declares a draft. Declaring again what is already declared answers the incident as it is (a retry). */
  async declare(actor: Actor, meta: RequestMeta, id: string, version: number): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.declare');
    if (row.status !== 'draft') return incidentDetail(this.p.db, id);
    if (row.version !== version) throw new IncidentConflict(await incidentDetail(this.p.db, id));
    const missing = missingForDeclaration(row.content);
    if (missing.length) throw invalid(missing, `Il manque ${missing.length === 1 ? 'une information' : `${missing.length} informations`} pour déclarer l’incident.`);
    const now = this.p.clock.now();
    const mailIds = await this.p.db.transaction(async (tx) => {
      const [locked] = await tx.select({ status: incidents.status, version: incidents.version }).from(incidents).where(eq(incidents.id, id)).for('update');
      if (locked.status !== 'draft') return null;
      if (locked.version !== version) throw new IncidentConflict(await incidentDetail(tx, id));
      return this.declareIn(tx, actor, meta, id, org, row.content, now);
    });
    if (mailIds) await this.p.mail.dispatch(mailIds);
    return incidentDetail(this.p.db, id);
  }

  /** Inside the declaring transaction: status, first revision, clocks, timeline, the region told, campaigns looked for. */
  private async declareIn(tx: Db, actor: Actor, meta: RequestMeta, id: string, org: OrgRef, content: DeclarationContent, now: Date): Promise<string[]> {
    const [region] = org.ancestors.length
      ? await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(and(inArray(organisations.id, [...org.ancestors]), eq(organisations.kind, 'region')))
      : [];
    const [row] = await tx
      .update(incidents)
      .set({ status: 'declared', declaredAt: now, declaredBy: actor.userId, regionId: region?.id ?? null, version: sql`${incidents.version} + 1`, updatedBy: actor.userId, updatedAt: now })
      .where(eq(incidents.id, id))
      .returning();
    await tx.insert(revisions).values({ incidentId: id, version: row.version, content, changedFields: [], comment: 'Déclaration initiale', authorId: actor.userId, at: now });
    await syncObligations(tx, id, content, await nis2Of(tx, org.orgId));
    await tx.insert(timeline).values({ incidentId: id, kind: 'system', body: `Incident déclaré par ${actor.displayName}.`, occurredAt: now, authorId: actor.userId, createdAt: now });
    await this.audit(tx, actor, meta, 'incident.declared', org.orgId, id, { reference: row.reference, type: row.type });

    const mailIds: string[] = [];
    if (region) {
      const coordinators = await tx
        .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.orgId, region.id), eq(memberships.role, 'coord_region'), eq(users.status, 'active')));
      const title = `Nouvelle déclaration d’incident : ${org.name}`;
      const link = `/incidents/${id}`;
      await this.p.notify(tx, coordinators.map((c) => ({ userId: c.id, orgId: region.id, kind: 'incident.declared', title, body: `${row.reference} — ${row.title}`, link })));
      for (const c of coordinators) {
        mailIds.push(
          await this.p.mail.enqueue(tx, {
            to: c.email,
            subject: `Hygie : ${title}${row.supportRequested ? ' (appui demandé)' : ''}`,
            text: [
              `Bonjour ${c.displayName},`,
              '',
              `${org.name} vient de déclarer l’incident ${row.reference} « ${row.title} ».`,
              row.supportRequested ? 'L’établissement demande un appui de la région.' : 'L’établissement ne demande pas d’appui pour l’instant.',
              '',
              'Pour en prendre connaissance et accuser réception :',
              `${this.p.config.publicUrl}${link}`,
              '',
              'Ce message vous est envoyé par Hygie parce que vous êtes coordinateur régional.',
            ].join('\n'),
          }),
        );
      }
    }
    mailIds.push(...(await detectAround(this.p, tx, id)));
    return mailIds;
  }

  /** Completes a declared incident as facts come in: the whole new content, each change kept in the history. */
  async update(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof updateIncidentBodySchema>): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.declare');
    if (row.status === 'draft') throw conflict('Cet incident n’est pas encore déclaré : enregistrez le brouillon puis déclarez-le.');
    if (row.status === 'closed') throw conflict(CLOSED);
    await this.checkPerimeter(org, input.content);
    const missing = missingForDeclaration(input.content);
    if (missing.length) throw invalid(missing, 'Une déclaration ne peut pas perdre ses informations obligatoires.');
    const fields = changedFields(row.content, input.content);
    const now = this.p.clock.now();
    const mailIds = await this.p.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(incidents)
        .set({ content: input.content, ...columnsOf(input.content), version: sql`${incidents.version} + 1`, updatedBy: actor.userId, updatedAt: now })
        .where(and(eq(incidents.id, id), eq(incidents.version, input.version), eq(incidents.status, 'declared')))
        .returning({ version: incidents.version });
      if (!updated) return null;
      if (fields.length === 0) return [];
      await tx.insert(revisions).values({ incidentId: id, version: updated.version, content: input.content, changedFields: fields, comment: input.comment ?? null, authorId: actor.userId, at: now });
      await syncObligations(tx, id, input.content, await nis2Of(tx, org.orgId));
      await tx.insert(timeline).values({
        incidentId: id,
        kind: 'system',
        body: `Déclaration complétée par ${actor.displayName}${input.comment ? ` : ${input.comment}` : ''}.`,
        occurredAt: now,
        authorId: actor.userId,
        createdAt: now,
      });
      await this.audit(tx, actor, meta, 'incident.updated', org.orgId, id, { fields });
      return fields.includes('type') ? detectAround(this.p, tx, id) : [];
    });
    if (mailIds === null) await this.stale(id, 'declared');
    await this.p.mail.dispatch(mailIds ?? []);
    return incidentDetail(this.p.db, id);
  }

  /** Each saved state of the declaration, newest first. */
  async history(actor: Actor, id: string): Promise<z.infer<typeof revisionSchema>[]> {
    await loadIncident(this.p.db, actor, id, 'incident.read');
    const rows = await this.p.db
      .select({ r: revisions, authorName: users.displayName })
      .from(revisions)
      .leftJoin(users, eq(users.id, revisions.authorId))
      .where(eq(revisions.incidentId, id))
      .orderBy(desc(revisions.version));
    return rows.map(({ r, authorName }) => ({ version: r.version, at: r.at.toISOString(), authorName, comment: r.comment, changedFields: r.changedFields, content: r.content }));
  }

  /** Records that an obligation was met (with the portal's reference), or does not apply (with why). */
  async updateObligation(actor: Actor, meta: RequestMeta, id: string, obligationId: string, input: z.infer<typeof updateObligationBodySchema>): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.follow');
    if (row.status === 'closed') throw conflict(CLOSED);
    const [o] = await this.p.db.select().from(obligations).where(and(eq(obligations.id, obligationId), eq(obligations.incidentId, id)));
    if (!o) throw notFound('Cette obligation n’existe pas pour cet incident.');
    const now = this.p.clock.now();
    const doneAt = input.doneAt ? new Date(input.doneAt) : now;
    if (input.status === 'done' && doneAt.getTime() > now.getTime() + 60_000) throw invalidField('doneAt', 'La date ne peut pas être dans le futur.');
    if (input.status === 'not_applicable' && !input.note) throw invalidField('note', 'Expliquez en une phrase pourquoi cette obligation ne s’applique pas.');
    await this.p.db.transaction(async (tx) => {
      await tx
        .update(obligations)
        .set(
          input.status === 'pending'
            ? { status: 'pending', doneAt: null, doneBy: null, reference: null, note: input.note ?? null }
            : { status: input.status, doneAt: input.status === 'done' ? doneAt : null, doneBy: actor.userId, reference: input.reference ?? null, note: input.note ?? null },
        )
        .where(eq(obligations.id, obligationId));
      const label = OBLIGATION_LABELS[o.kind];
      const body =
        input.status === 'done'
          ? `${label} : faite${input.reference ? ` (référence ${input.reference})` : ''}.`
          : input.status === 'not_applicable'
            ? `${label} : ne s’applique pas (${input.note}).`
            : `${label} : de nouveau à faire.`;
      await tx.insert(timeline).values({ incidentId: id, kind: 'system', body, occurredAt: input.status === 'done' ? doneAt : now, authorId: actor.userId, createdAt: now });
      await this.audit(tx, actor, meta, 'incident.obligation.updated', org.orgId, id, { kind: o.kind, status: input.status });
    });
    return incidentDetail(this.p.db, id);
  }

  /** Closes a declared incident with its lessons learned. */
  async close(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof closeIncidentBodySchema>): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.follow');
    if (row.status === 'draft') throw conflict('Un brouillon ne se clôt pas : déclarez-le, ou supprimez-le s’il n’a pas lieu d’être.');
    if (row.status === 'closed') throw conflict('Cet incident est déjà clos.');
    const now = this.p.clock.now();
    await this.p.db.transaction(async (tx) => {
      await tx
        .update(incidents)
        .set({ status: 'closed', closedAt: now, closedBy: actor.userId, lessons: input.lessons, version: sql`${incidents.version} + 1`, updatedAt: now, updatedBy: actor.userId })
        .where(eq(incidents.id, id));
      await tx.insert(timeline).values({ incidentId: id, kind: 'system', body: `Incident clos par ${actor.displayName}.`, occurredAt: now, authorId: actor.userId, createdAt: now });
      await this.audit(tx, actor, meta, 'incident.closed', org.orgId, id);
    });
    return incidentDetail(this.p.db, id);
  }

  /** Deletes a draft that turned out not to be an incident. Declarations are never deleted. */
  async discard(actor: Actor, meta: RequestMeta, id: string): Promise<void> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'incident.declare');
    if (row.status !== 'draft') throw conflict('Une déclaration ne se supprime pas : elle reste dans l’historique de l’établissement. Vous pouvez la clore.');
    await this.p.db.transaction(async (tx) => {
      await tx.delete(incidents).where(and(eq(incidents.id, id), eq(incidents.status, 'draft')));
      await this.audit(tx, actor, meta, 'incident.draft.discarded', org.orgId, id, { reference: row.reference });
    });
  }

  // --- NIS2 status of an establishment --------------------------------------------------------

  async nis2(actor: Actor, orgId: string): Promise<{ orgId: string; category: Nis2Category; updatedAt: string | null }> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'nis2.read', org);
    const [row] = await this.p.db.select().from(nis2Settings).where(eq(nis2Settings.orgId, org.orgId));
    return { orgId: org.orgId, category: row?.category ?? 'none', updatedAt: row?.updatedAt.toISOString() ?? null };
  }

  /** Sets the NIS2 status; the clocks of open incidents follow. */
  async setNis2(actor: Actor, meta: RequestMeta, input: z.infer<typeof updateNis2BodySchema>) {
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    requireAccess(actor, policy, 'nis2.manage', org);
    if (org.kind !== 'establishment') throw invalidField('orgId', 'Le statut NIS2 se règle pour un établissement.');
    const now = this.p.clock.now();
    await this.p.db.transaction(async (tx) => {
      await tx
        .insert(nis2Settings)
        .values({ orgId: org.orgId, category: input.category, updatedBy: actor.userId, updatedAt: now })
        .onConflictDoUpdate({ target: nis2Settings.orgId, set: { category: input.category, updatedBy: actor.userId, updatedAt: now } });
      const open = await tx.select({ id: incidents.id, content: incidents.content }).from(incidents).where(and(eq(incidents.orgId, org.orgId), eq(incidents.status, 'declared')));
      for (const i of open) await syncObligations(tx, i.id, i.content, input.category);
      await this.audit(tx, actor, meta, 'incident.nis2.set', org.orgId, org.orgId, { category: input.category });
    });
    // No second access check: a platform administrator sets the status without reading incidents ('nis2.read').
    const [row] = await this.p.db.select().from(nis2Settings).where(eq(nis2Settings.orgId, org.orgId));
    return { orgId: org.orgId, category: row.category, updatedAt: row.updatedAt.toISOString() };
  }
}

