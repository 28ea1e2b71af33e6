import { createHash } from 'node:crypto';
import { and, arrayContains, asc, desc, eq, inArray, not, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import {
  SHAREABLE_TLP,
  TLP_LEVELS,
  type addIndicatorBodySchema,
  type addTimelineEntryBodySchema,
  type attachmentSchema,
  type createTaskBodySchema,
  type followUpSchema,
  type Indicator,
  type sharedIndicatorSchema,
  type taskSchema,
  type timelineEntrySchema,
  type Tlp,
  type updateTaskBodySchema,
} from '../../../contracts/incidents';
import type { ErrorBody } from '../../../contracts/common';
import type { Role } from '../../../contracts/tenancy';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { newFileKey } from '../../platform/files/store';
import { checkUpload, type UploadedFile } from '../../platform/files/upload';
import { AppError, conflict, invalidField, notFound } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { detectAround } from './detection';
import { INDICATOR_LABELS, normaliseIndicator } from './indicators';
import { incidentPolicy as policy } from './policy';
import { attachments, incidents, indicators, tasks, timeline } from './schema';
import { loadIncident } from './service';
import { buildStixBundle, type StixBundle } from './stix';

type Task = z.infer<typeof taskSchema>;
type TimelineEntry = z.infer<typeof timelineEntrySchema>;
type Attachment = z.infer<typeof attachmentSchema>;
type SharedIndicator = z.infer<typeof sharedIndicatorSchema>;
type IncidentRow = typeof incidents.$inferSelect;

/**
 * Roles whose holders (on the establishment or above) may own a task of its incidents: the
 * people who follow it. A service referent cannot open an incident, so he is not offered.
 */
export const TASK_OWNER_ROLES: readonly Role[] = ['rssi', 'direction', 'coord_ght'];

const DRAFT = 'Cet incident est encore un brouillon : déclarez d’abord l’incident, puis suivez-le ici (chronologie, tâches, pièces jointes, indicateurs).';
const CLOSED = 'Cet incident est clos : son suivi ne peut plus être modifié.';
const NO_INCIDENT = 'Cet incident n’existe pas ou vous n’y avez pas accès.';
/** A minute of tolerance for the clocks of phones and computers. */
const CLOCK_SKEW_MS = 60_000;

/** 409 whose body carries the task as saved by someone else. */
export class TaskConflict extends AppError {
  constructor(public readonly current: Task) {
    super(409, 'conflict', 'Quelqu’un vient de modifier cette tâche avant vous : vérifiez la tâche à jour, puis recommencez votre modification.');
  }

  override toBody(): ErrorBody & { current: Task } {
    return { ...super.toBody(), current: this.current };
  }
}

/** Follow-up is written on declared incidents only: a draft is not declared yet, a closed one is history. */
function assertWritable(status: IncidentRow['status']): void {
  if (status === 'draft') throw conflict(DRAFT);
  if (status === 'closed') throw conflict(CLOSED);
}

/** Inside the writing transaction: the incident locked, and still open to follow-up (a close may have landed meanwhile). */
async function lockWritable(tx: Db, id: string): Promise<void> {
  const [locked] = await tx.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, id)).for('update');
  if (!locked) throw notFound(NO_INCIDENT);
  assertWritable(locked.status);
}

const isUniqueViolation = (err: unknown): boolean => {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: string }).code === '23505') return true;
  }
  return false;
};

/**
 * The follow-up of a declared incident: its timeline (facts, decisions, actions,
 * communications, and Hygie's own entries), tasks with owners, attachments checked by
 * type and size, indicators of compromise with their TLP level, their STIX export, and
 * the indicators other establishments of the region agreed to share. Every method loads
 * the incident (404 when it may not be known) and checks the policy first; every write is
 * one transaction with its audit entry.
 */
export class FollowUpService {
  constructor(private readonly p: Platform) {}

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string, targetId: string, details: Record<string, unknown> = {}) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType: 'incident', targetId, ip: meta.ip, details }, tx);
  }

  private system(tx: Db, actor: Actor, incidentId: string, body: string, now: Date) {
    return tx.insert(timeline).values({ incidentId, kind: 'system', body, occurredAt: now, authorId: actor.userId, createdAt: now });
  }

  /** Loads the incident for a write: follow right, then declared and not closed. */
  private async writable(actor: Actor, id: string) {
    const loaded = await loadIncident(this.p.db, actor, id, 'incident.follow');
    assertWritable(loaded.row.status);
    return loaded;
  }

  // --- Reading -------------------------------------------------------------------------------

  async followUp(actor: Actor, id: string): Promise<z.infer<typeof followUpSchema>> {
    await loadIncident(this.p.db, actor, id, 'incident.read');
    const db = this.p.db;
    const [timelineRows, taskRows, attachmentRows, indicatorRows] = await Promise.all([
      db
        .select({ t: timeline, authorName: users.displayName })
        .from(timeline)
        .leftJoin(users, eq(users.id, timeline.authorId))
        .where(eq(timeline.incidentId, id))
        .orderBy(desc(timeline.occurredAt), desc(timeline.createdAt), desc(timeline.id)),
      this.taskRows(db, id),
      db
        .select({ a: attachments, createdByName: users.displayName })
        .from(attachments)
        .leftJoin(users, eq(users.id, attachments.createdBy))
        .where(eq(attachments.incidentId, id))
        .orderBy(desc(attachments.createdAt), asc(attachments.id)),
      db
        .select({ i: indicators, createdByName: users.displayName })
        .from(indicators)
        .leftJoin(users, eq(users.id, indicators.createdBy))
        .where(eq(indicators.incidentId, id))
        .orderBy(desc(indicators.createdAt), asc(indicators.id)),
    ]);
    return {
      timeline: timelineRows.map(({ t, authorName }) => toTimelineEntry(t, authorName)),
      tasks: taskRows,
      attachments: attachmentRows.map(({ a, createdByName }) => toAttachment(a, createdByName)),
      indicators: indicatorRows.map(({ i, createdByName }) => toIndicator(i, createdByName)),
    };
  }

  private async taskRows(db: Db, incidentId: string, taskId?: string): Promise<Task[]> {
    const rows = await db
      .select({ t: tasks, ownerName: users.displayName })
      .from(tasks)
      .leftJoin(users, eq(users.id, tasks.ownerId))
      .where(and(eq(tasks.incidentId, incidentId), taskId ? eq(tasks.id, taskId) : undefined))
      // Open tasks first, the nearest due date first, then in the order they were made.
      .orderBy(sql`case ${tasks.status} when 'done' then 1 else 0 end`, sql`${tasks.dueDate} asc nulls last`, asc(tasks.createdAt), asc(tasks.id));
    return rows.map(({ t, ownerName }) => toTask(t, ownerName));
  }

  /** People who may own a task of the incident: active holders of a follow-up role on its establishment or above. */
  async people(actor: Actor, id: string): Promise<{ id: string; name: string }[]> {
    const { org } = await loadIncident(this.p.db, actor, id, 'incident.read');
    return this.owners(this.p.db, org);
  }

  private async owners(db: Db, org: OrgRef): Promise<{ id: string; name: string }[]> {
    const rows = await db
      .selectDistinct({ id: users.id, name: users.displayName })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(inArray(memberships.orgId, [org.orgId, ...org.ancestors]), inArray(memberships.role, [...TASK_OWNER_ROLES]), eq(users.status, 'active')))
      .orderBy(asc(users.displayName), asc(users.id));
    return rows;
  }

  /** The owner chosen for a task must be one of the people offered: the id from the page is never trusted as is. */
  private async checkOwner(db: Db, org: OrgRef, ownerId: string | null | undefined): Promise<{ id: string; name: string } | null> {
    if (!ownerId) return null;
    const found = (await this.owners(db, org)).find((p) => p.id === ownerId);
    if (!found) throw invalidField('ownerId', 'Choisissez le responsable parmi les personnes proposées (RSSI, direction, coordination du GHT, référents de l’établissement).');
    return found;
  }

  // --- Timeline ------------------------------------------------------------------------------

  async addTimelineEntry(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof addTimelineEntryBodySchema>): Promise<TimelineEntry> {
    const { org } = await this.writable(actor, id);
    const now = this.p.clock.now();
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
    if (occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalidField('occurredAt', 'La date et l’heure ne peuvent pas être dans le futur.');
    return this.p.db.transaction(async (tx) => {
      await lockWritable(tx, id);
      const [row] = await tx.insert(timeline).values({ incidentId: id, kind: input.kind, body: input.body, occurredAt, authorId: actor.userId, createdAt: now }).returning();
      await this.audit(tx, actor, meta, 'incident.timeline.added', org.orgId, id, { entryId: row.id, kind: input.kind });
      return toTimelineEntry(row, actor.displayName);
    });
  }

  // --- Tasks ---------------------------------------------------------------------------------

  async createTask(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof createTaskBodySchema>): Promise<Task> {
    const { row: incident, org } = await this.writable(actor, id);
    const owner = await this.checkOwner(this.p.db, org, input.ownerId);
    const now = this.p.clock.now();
    const taskId = await this.p.db.transaction(async (tx) => {
      await lockWritable(tx, id);
      const [row] = await tx
        .insert(tasks)
        .values({ incidentId: id, title: input.title, ownerId: owner?.id ?? null, dueDate: input.dueDate ?? null, createdBy: actor.userId, createdAt: now })
        .returning({ id: tasks.id });
      await this.system(tx, actor, id, `Tâche créée par ${actor.displayName} : « ${input.title} »${owner ? ` (responsable : ${owner.name})` : ''}.`, now);
      await this.audit(tx, actor, meta, 'incident.task.created', org.orgId, id, { taskId: row.id, ownerId: owner?.id ?? null });
      if (owner) await this.tellOwner(tx, actor, incident, org, owner.id, input.title);
      return row.id;
    });
    const [task] = await this.taskRows(this.p.db, id, taskId);
    return task;
  }

  /** A task given to someone else: he is told in the app. */
  private async tellOwner(tx: Db, actor: Actor, incident: IncidentRow, org: OrgRef, ownerId: string, title: string) {
    if (ownerId === actor.userId) return;
    await this.p.notify(tx, [
      {
        userId: ownerId,
        orgId: org.orgId,
        kind: 'incident.task.assigned',
        title: `${actor.displayName} vous a confié une tâche : ${title}`,
        body: `Incident ${incident.reference} — ${incident.title || 'sans titre'} (${org.name})`,
        link: `/incidents/${incident.id}`,
      },
    ]);
  }

  /** Changes a task. `version` is the one the page started from: 409 with the current task if someone changed it meanwhile. */
  async updateTask(actor: Actor, meta: RequestMeta, id: string, taskId: string, input: z.infer<typeof updateTaskBodySchema>): Promise<Task> {
    const { row: incident, org } = await this.writable(actor, id);
    const [current] = await this.p.db.select().from(tasks).where(and(eq(tasks.id, taskId), eq(tasks.incidentId, id)));
    if (!current) throw notFound('Cette tâche n’existe pas pour cet incident.');
    const owner = input.ownerId === undefined ? undefined : await this.checkOwner(this.p.db, org, input.ownerId);
    const now = this.p.clock.now();
    const saved = await this.p.db.transaction(async (tx) => {
      await lockWritable(tx, id);
      const status = input.status ?? current.status;
      const [updated] = await tx
        .update(tasks)
        .set({
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(owner !== undefined ? { ownerId: owner?.id ?? null } : {}),
          ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
          ...(input.status !== undefined ? { status: input.status, doneAt: status === 'done' ? (current.status === 'done' ? current.doneAt : now) : null } : {}),
          version: sql`${tasks.version} + 1`,
        })
        .where(and(eq(tasks.id, taskId), eq(tasks.incidentId, id), eq(tasks.version, input.version)))
        .returning();
      if (!updated) return null;
      const changed = [
        input.title !== undefined && input.title !== current.title ? 'title' : null,
        owner !== undefined && (owner?.id ?? null) !== current.ownerId ? 'ownerId' : null,
        input.dueDate !== undefined && input.dueDate !== current.dueDate ? 'dueDate' : null,
        input.status !== undefined && input.status !== current.status ? 'status' : null,
      ].filter((x): x is string => x !== null);
      await this.audit(tx, actor, meta, 'incident.task.updated', org.orgId, id, { taskId, fields: changed, status: updated.status });
      if (changed.includes('status') && updated.status === 'done') {
        await this.system(tx, actor, id, `Tâche terminée : « ${updated.title} » (${actor.displayName}).`, now);
      } else if (changed.includes('status') && current.status === 'done') {
        await this.system(tx, actor, id, `Tâche rouverte : « ${updated.title} » (${actor.displayName}).`, now);
      }
      if (changed.includes('ownerId') && updated.ownerId) await this.tellOwner(tx, actor, incident, org, updated.ownerId, updated.title);
      return updated;
    });
    const [task] = await this.taskRows(this.p.db, id, taskId);
    if (!saved) throw new TaskConflict(task);
    return task;
  }

  // --- Attachments ---------------------------------------------------------------------------

  /** A file checked by its content (type, size), stored under a random key with its SHA-256; the row, the timeline and the audit entry in one transaction. */
  async addAttachment(actor: Actor, meta: RequestMeta, id: string, file: UploadedFile): Promise<Attachment> {
    const { org } = await this.writable(actor, id);
    const checked = await checkUpload(file);
    const sha256 = createHash('sha256').update(checked.data).digest('hex');
    const key = newFileKey();
    await this.p.files.put(key, checked.data);
    try {
      return await this.p.db.transaction(async (tx) => {
        await lockWritable(tx, id);
        const now = this.p.clock.now();
        const [saved] = await tx
          .insert(attachments)
          .values({ incidentId: id, fileKey: key, fileName: checked.fileName, mimeType: checked.mimeType, size: checked.size, sha256, createdBy: actor.userId, createdAt: now })
          .returning();
        await this.system(tx, actor, id, `Pièce jointe ajoutée par ${actor.displayName} : ${checked.fileName}.`, now);
        await this.audit(tx, actor, meta, 'incident.attachment.added', org.orgId, id, { attachmentId: saved.id, mimeType: checked.mimeType, size: checked.size, sha256 });
        return toAttachment(saved, actor.displayName);
      });
    } catch (err) {
      // Nothing was recorded: the stored bytes go too (a failure here must not hide the first one).
      await this.p.files.delete(key).catch(() => undefined);
      throw err;
    }
  }

  /** The stored bytes of an attachment, with the type detected at upload. */
  async downloadAttachment(actor: Actor, id: string, attachmentId: string): Promise<{ data: Buffer; fileName: string; mimeType: string; sha256: string }> {
    await loadIncident(this.p.db, actor, id, 'incident.read');
    const [row] = await this.p.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.incidentId, id)));
    if (!row) throw notFound('Cette pièce jointe n’existe pas pour cet incident.');
    const data = await this.p.files.get(row.fileKey);
    if (!data) throw notFound('Ce fichier n’est plus disponible.');
    return { data, fileName: row.fileName, mimeType: row.mimeType, sha256: row.sha256 };
  }

  async deleteAttachment(actor: Actor, meta: RequestMeta, id: string, attachmentId: string): Promise<void> {
    const { org } = await this.writable(actor, id);
    const [found] = await this.p.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.id, attachmentId), eq(attachments.incidentId, id)));
    if (!found) throw notFound('Cette pièce jointe n’existe pas pour cet incident.');
    await this.p.db.transaction(async (tx) => {
      await lockWritable(tx, id);
      const now = this.p.clock.now();
      await tx.delete(attachments).where(eq(attachments.id, attachmentId));
      await this.system(tx, actor, id, `Pièce jointe retirée par ${actor.displayName} : ${found.fileName}.`, now);
      await this.audit(tx, actor, meta, 'incident.attachment.deleted', org.orgId, id, { attachmentId, fileName: found.fileName, sha256: found.sha256 });
    });
    // After the commit: a file whose row is gone is never served again, even if this fails.
    await this.p.files.delete(found.fileKey);
  }

  // --- Indicators of compromise --------------------------------------------------------------

  /** Adds an indicator, validated and normalised for its type; the region's campaign detection runs with it. */
  async addIndicator(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof addIndicatorBodySchema>): Promise<Indicator> {
    const { org } = await this.writable(actor, id);
    const normalised = normaliseIndicator(input.type, input.value);
    if (!normalised.ok) throw invalidField('value', normalised.message);
    const value = normalised.value;
    const duplicate = () =>
      conflict(`Cet indicateur (${INDICATOR_LABELS[input.type].toLowerCase()} ${value}) est déjà enregistré pour cet incident.`);
    const [existing] = await this.p.db
      .select({ id: indicators.id })
      .from(indicators)
      .where(and(eq(indicators.incidentId, id), eq(indicators.type, input.type), eq(indicators.value, value)));
    if (existing) throw duplicate();
    let result: { indicator: Indicator; mailIds: string[] };
    try {
      result = await this.p.db.transaction(async (tx) => {
        await lockWritable(tx, id);
        const now = this.p.clock.now();
        const [row] = await tx
          .insert(indicators)
          .values({ incidentId: id, type: input.type, value, tlp: input.tlp, description: input.description || null, shareIdentity: input.shareIdentity, createdBy: actor.userId, createdAt: now })
          .returning();
        await this.audit(tx, actor, meta, 'incident.indicator.added', org.orgId, id, { indicatorId: row.id, type: input.type, value, tlp: input.tlp });
        const mailIds = await detectAround(this.p, tx, id);
        return { indicator: toIndicator(row, actor.displayName), mailIds };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate();
      throw err;
    }
    await this.p.mail.dispatch(result.mailIds);
    return result.indicator;
  }

  async deleteIndicator(actor: Actor, meta: RequestMeta, id: string, indicatorId: string): Promise<void> {
    const { org } = await this.writable(actor, id);
    const [found] = await this.p.db
      .select()
      .from(indicators)
      .where(and(eq(indicators.id, indicatorId), eq(indicators.incidentId, id)));
    if (!found) throw notFound('Cet indicateur n’existe pas pour cet incident.');
    await this.p.db.transaction(async (tx) => {
      await lockWritable(tx, id);
      await tx.delete(indicators).where(eq(indicators.id, indicatorId));
      await this.system(tx, actor, id, `Indicateur retiré par ${actor.displayName} : ${INDICATOR_LABELS[found.type].toLowerCase()} ${found.value}.`, this.p.clock.now());
      await this.audit(tx, actor, meta, 'incident.indicator.deleted', org.orgId, id, { indicatorId, type: found.type, value: found.value });
    });
  }

  /** The incident and its indicators as a STIX 2.1 bundle. */
  async stix(actor: Actor, id: string): Promise<{ bundle: StixBundle; reference: string }> {
    const { row } = await loadIncident(this.p.db, actor, id, 'incident.read');
    const [org] = await this.p.db.select({ id: organisations.id, name: organisations.name, createdAt: organisations.createdAt }).from(organisations).where(eq(organisations.id, row.orgId));
    const rows = await this.p.db.select().from(indicators).where(eq(indicators.incidentId, id)).orderBy(asc(indicators.createdAt), asc(indicators.id));
    const bundle = buildStixBundle({
      establishment: org,
      incident: {
        id: row.id,
        reference: row.reference,
        title: row.title,
        description: row.content.description || null,
        origin: row.origin,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      },
      indicators: rows.map((r) => ({ id: r.id, type: r.type, value: r.value, tlp: r.tlp, description: r.description, createdAt: r.createdAt })),
    });
    return { bundle, reference: row.reference };
  }

  // --- Indicators shared in the region ---------------------------------------------------------

  /**
   * Indicators that other establishments of the organisation's region reported on their
   * declared (or closed) incidents with TLP:CLEAR or TLP:GREEN, one line per indicator,
   * with how many establishments reported it. Establishments are named only where the
   * declarant allowed it; the free-text description likewise, since it may name them.
   */
  async sharedIndicators(actor: Actor, orgId: string): Promise<SharedIndicator[]> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'indicator.shared', org);
    const regionId = org.kind === 'region' ? org.orgId : await this.regionOf(org);
    if (!regionId) return [];
    // "Other" establishments: outside the caller's own establishment (or GHT); the region sees all of its own.
    const own = org.kind === 'region' ? null : await this.ownScope(org);
    const rows = await this.p.db
      .select({
        type: indicators.type,
        value: indicators.value,
        tlp: indicators.tlp,
        description: indicators.description,
        shareIdentity: indicators.shareIdentity,
        createdAt: indicators.createdAt,
        orgId: incidents.orgId,
        orgName: organisations.name,
      })
      .from(indicators)
      .innerJoin(incidents, eq(incidents.id, indicators.incidentId))
      .innerJoin(organisations, eq(organisations.id, incidents.orgId))
      .where(
        and(
          eq(incidents.regionId, regionId),
          inArray(incidents.status, ['declared', 'closed']),
          inArray(indicators.tlp, [...SHAREABLE_TLP]),
          own ? not(or(eq(organisations.id, own), arrayContains(organisations.ancestors, [own]))!) : undefined,
        ),
      )
      .orderBy(asc(indicators.createdAt), asc(indicators.id));

    const groups = new Map<string, { type: SharedIndicator['type']; value: string; tlp: Tlp; description: string | null; first: Date; orgs: Set<string>; named: Set<string> }>();
    for (const r of rows) {
      const key = `${r.type}\u0000${r.value}`;
      let g = groups.get(key);
      if (!g) {
        g = { type: r.type, value: r.value, tlp: r.tlp, description: null, first: r.createdAt, orgs: new Set(), named: new Set() };
        groups.set(key, g);
      }
      g.orgs.add(r.orgId);
      if (TLP_LEVELS.indexOf(r.tlp) > TLP_LEVELS.indexOf(g.tlp)) g.tlp = r.tlp;
      if (r.createdAt < g.first) g.first = r.createdAt;
      if (r.shareIdentity) {
        g.named.add(r.orgName);
        g.description ??= r.description;
      }
    }
    return [...groups.values()]
      .map((g) => ({
        type: g.type,
        value: g.value,
        tlp: g.tlp,
        description: g.description,
        firstReportedAt: g.first.toISOString(),
        establishments: g.orgs.size,
        namedBy: [...g.named].sort((a, b) => a.localeCompare(b, 'fr')),
      }))
      .sort((a, b) => b.establishments - a.establishments || b.firstReportedAt.localeCompare(a.firstReportedAt) || a.value.localeCompare(b.value));
  }

  private async regionOf(org: OrgRef): Promise<string | null> {
    if (!org.ancestors.length) return null;
    const [region] = await this.p.db
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(inArray(organisations.id, [...org.ancestors]), eq(organisations.kind, 'region')));
    return region?.id ?? null;
  }

  /** The caller's own perimeter, excluded from "shared by others": the GHT or establishment itself, or the establishment above a site or service. */
  private async ownScope(org: OrgRef): Promise<string> {
    if (org.kind === 'establishment' || org.kind === 'ght') return org.orgId;
    const [establishment] = await this.p.db
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(inArray(organisations.id, [...org.ancestors]), eq(organisations.kind, 'establishment')));
    return establishment?.id ?? org.orgId;
  }
}

function toTimelineEntry(t: typeof timeline.$inferSelect, authorName: string | null): TimelineEntry {
  return { id: t.id, kind: t.kind, body: t.body, occurredAt: t.occurredAt.toISOString(), authorName, createdAt: t.createdAt.toISOString() };
}

function toTask(t: typeof tasks.$inferSelect, ownerName: string | null): Task {
  return {
    id: t.id,
    title: t.title,
    ownerId: t.ownerId,
    ownerName,
    dueDate: t.dueDate,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    doneAt: t.doneAt?.toISOString() ?? null,
    version: t.version,
  };
}

function toAttachment(a: typeof attachments.$inferSelect, createdByName: string | null): Attachment {
  return { id: a.id, fileName: a.fileName, mimeType: a.mimeType, size: a.size, createdAt: a.createdAt.toISOString(), createdByName };
}

function toIndicator(i: typeof indicators.$inferSelect, createdByName: string | null): Indicator {
  return {
    id: i.id,
    type: i.type,
    value: i.value,
    tlp: i.tlp,
    description: i.description,
    shareIdentity: i.shareIdentity,
    createdAt: i.createdAt.toISOString(),
    createdByName,
  };
}
