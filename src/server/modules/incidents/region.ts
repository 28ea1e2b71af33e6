import { and, asc, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { REGION_STATUSES, type detectionSchema, type IncidentDetail, type IncidentSummary, type regionFollowUpBodySchema } from '../../../contracts/incidents';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { invalidField, notFound } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { incidentPolicy as policy } from './policy';
import { detections, incidents, timeline } from './schema';
import { incidentDetail, loadIncident, summaries } from './service';

type RegionStatus = (typeof REGION_STATUSES)[number];
type Detection = z.infer<typeof detectionSchema>;

/** What the establishment reads in its timeline when the region moves a declaration to a status. */
const TIMELINE_TEXT: Record<Exclude<RegionStatus, 'new'>, string> = {
  acknowledged: 'Réception accusée par la région',
  supporting: 'Appui de la région en cours',
  closed: 'Suivi de la région terminé',
};

/** The subject of the notification and e-mail sent to the establishment. */
const NEWS: Record<Exclude<RegionStatus, 'new'>, (region: string, ref: string) => string> = {
  acknowledged: (region, ref) => `${region} a accusé réception de l’incident ${ref}`,
  supporting: (region, ref) => `${region} vous apporte son appui pour l’incident ${ref}`,
  closed: (region, ref) => `${region} a terminé son suivi de l’incident ${ref}`,
};

/** A region the actor may see, refused unless it is a region and he may use `action` on it. */
async function loadRegion(db: Db, actor: Actor, regionId: string, action: 'region.inbox' | 'region.detections'): Promise<OrgRef> {
  const org = await loadVisibleOrg(db, actor, regionId);
  requireAccess(actor, policy, action, org);
  if (org.kind !== 'region') throw invalidField('regionId', 'Choisissez une région : la boîte de réception et les campagnes détectées sont celles d’une région.');
  return org;
}

/**
 * The region's side of incidents: its coordinators' inbox of the declarations of the
 * region (never drafts), their follow-up of each (acknowledgement, support, end of
 * follow-up) told to the establishment, and the campaigns detected across establishments.
 */
export class RegionIncidentService {
  constructor(private readonly p: Platform) {}

  /** Declarations of the region, newest first, a page at a time, optionally only those at one follow-up status. */
  async inbox(actor: Actor, query: { regionId: string; status?: RegionStatus; page: number; pageSize: number }): Promise<{ incidents: IncidentSummary[]; total: number; page: number; pageSize: number }> {
    const region = await loadRegion(this.p.db, actor, query.regionId, 'region.inbox');
    const where = and(eq(incidents.regionId, region.orgId), inArray(incidents.status, ['declared', 'closed']), query.status ? eq(incidents.regionStatus, query.status) : undefined);
    const [{ total }] = await this.p.db.select({ total: count() }).from(incidents).where(where);
    const page = await this.p.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(where)
      .orderBy(desc(incidents.declaredAt), asc(incidents.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    const list = page.length ? await summaries(this.p.db, inArray(incidents.id, page.map((r) => r.id)), 'declared') : [];
    return { incidents: list, total: Number(total), page: query.page, pageSize: query.pageSize };
  }

  /**
   * The region's follow-up of one declaration. The first move away from « nouvelle » records
   * who acknowledged it and when; a declaration acknowledged cannot become « nouvelle » again.
   * The establishment's RSSI and direction and the declarant are told in the app and by e-mail.
   */
  async follow(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof regionFollowUpBodySchema>): Promise<IncidentDetail> {
    const { row, org } = await loadIncident(this.p.db, actor, id, 'region.inbox');
    if (row.status === 'draft') throw notFound('Cet incident n’existe pas ou vous n’y avez pas accès.');
    const [region] = row.regionId
      ? await this.p.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.id, row.regionId))
      : [];
    const regionName = region?.name ?? 'La région';
    const now = this.p.clock.now();
    const note = input.note === undefined ? undefined : input.note || null;

    const mailIds = await this.p.db.transaction(async (tx) => {
      const [current] = await tx
        .select({ regionStatus: incidents.regionStatus, regionNote: incidents.regionNote, acknowledgedAt: incidents.regionAcknowledgedAt })
        .from(incidents)
        .where(eq(incidents.id, id))
        .for('update');
      const statusChanged = input.status !== current.regionStatus;
      const noteChanged = note !== undefined && note !== current.regionNote;
      if (input.status === 'new') {
        if (current.regionStatus !== 'new') throw invalidField('status', 'La réception de cette déclaration a déjà été accusée : elle ne peut pas redevenir « nouvelle ».');
        if (noteChanged) throw invalidField('status', 'Pour écrire une note à l’établissement, accusez d’abord réception de la déclaration.');
      }
      if (!statusChanged && !noteChanged) return [];
      if (input.status === 'new') return [];

      const firstMove = current.acknowledgedAt === null;
      await tx
        .update(incidents)
        .set({
          regionStatus: input.status,
          ...(note !== undefined ? { regionNote: note } : {}),
          ...(firstMove ? { regionAcknowledgedAt: now, regionAcknowledgedBy: actor.userId } : {}),
        })
        .where(eq(incidents.id, id));

      const what = statusChanged ? `${TIMELINE_TEXT[input.status]} (${actor.displayName}, ${regionName})` : `Note de la région mise à jour (${actor.displayName}, ${regionName})`;
      const body = note ? `${what} : ${note}` : `${what}.`;
      await tx.insert(timeline).values({ incidentId: id, kind: 'system', body, occurredAt: now, authorId: actor.userId, createdAt: now });
      await this.p.audit(
        {
          action: 'incident.region.updated',
          actorId: actor.userId,
          actorLabel: actor.email,
          orgId: org.orgId,
          targetType: 'incident',
          targetId: id,
          ip: meta.ip,
          details: { from: current.regionStatus, to: input.status, note: note === undefined ? 'unchanged' : note ? 'set' : 'cleared' },
        },
        tx,
      );

      // The establishment's security people and the person who declared.
      const declarant = row.declaredBy ?? row.createdBy;
      const recipients = await tx
        .select({ id: users.id, email: users.email, displayName: users.displayName })
        .from(users)
        .where(
          and(
            eq(users.status, 'active'),
            or(
              inArray(users.id, tx.select({ id: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, row.orgId), inArray(memberships.role, ['rssi', 'direction'])))),
              declarant ? eq(users.id, declarant) : undefined,
            ),
          ),
        )
        .orderBy(users.email);
      const title = statusChanged ? NEWS[input.status](regionName, row.reference) : `${regionName} a ajouté une note à l’incident ${row.reference}`;
      const link = `/incidents/${id}`;
      await this.p.notify(tx, recipients.map((u) => ({ userId: u.id, orgId: row.orgId, kind: 'incident.region', title, body: note ?? row.title, link })));
      const ids: string[] = [];
      for (const u of recipients) {
        ids.push(
          await this.p.mail.enqueue(tx, {
            to: u.email,
            subject: `Hygie : ${title}`,
            text: [
              `Bonjour ${u.displayName},`,
              '',
              `${title} « ${row.title} » (${org.name}).`,
              ...(note ? ['', `Message de la région : ${note}`] : []),
              '',
              'Pour suivre l’incident dans Hygie :',
              `${this.p.config.publicUrl}${link}`,
              '',
              'Ce message vous est envoyé par Hygie parce que vous suivez les incidents de cet établissement.',
            ].join('\n'),
          }),
        );
      }
      return ids;
    });
    await this.p.mail.dispatch(mailIds);
    return incidentDetail(this.p.db, id);
  }

  /** Campaigns detected in the region, open ones first, with the declarations they gather (named: the region sees its establishments). */
  async detections(actor: Actor, regionId: string, status?: 'open' | 'closed'): Promise<Detection[]> {
    const region = await loadRegion(this.p.db, actor, regionId, 'region.detections');
    const rows = await this.p.db
      .select()
      .from(detections)
      .where(and(eq(detections.regionId, region.orgId), status ? eq(detections.status, status) : undefined))
      .orderBy(sql`${detections.status} = 'open' desc`, desc(detections.updatedAt), desc(detections.id));
    return this.withIncidents(this.p.db, rows);
  }

  /** The region has looked into a campaign: it leaves the list of open ones (a new declaration then opens a new one). */
  async closeDetection(actor: Actor, meta: RequestMeta, id: string): Promise<Detection> {
    const [found] = await this.p.db.select().from(detections).where(eq(detections.id, id));
    if (!found) throw notFound('Cette campagne n’existe pas ou vous n’y avez pas accès.');
    const region = await loadVisibleOrg(this.p.db, actor, found.regionId);
    requireAccess(actor, policy, 'region.detections', region);
    const row = await this.p.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(detections)
        .set({ status: 'closed', updatedAt: this.p.clock.now() })
        .where(and(eq(detections.id, id), eq(detections.status, 'open')))
        .returning();
      if (!updated) return null;
      await this.p.audit(
        {
          action: 'incident.detection.closed',
          actorId: actor.userId,
          actorLabel: actor.email,
          orgId: region.orgId,
          targetType: 'incident_detection',
          targetId: id,
          ip: meta.ip,
          details: { key: updated.key, incidents: updated.incidentIds.length },
        },
        tx,
      );
      return updated;
    });
    // Closing again what is closed answers it as it is (a retry).
    const [detection] = await this.withIncidents(this.p.db, [row ?? found]);
    return detection;
  }

  private async withIncidents(db: Db, rows: (typeof detections.$inferSelect)[]): Promise<Detection[]> {
    const ids = [...new Set(rows.flatMap((r) => r.incidentIds))];
    const found = ids.length
      ? await db
          .select({ incidentId: incidents.id, orgId: incidents.orgId, orgName: organisations.name, reference: incidents.reference, title: incidents.title, declaredAt: incidents.declaredAt })
          .from(incidents)
          .innerJoin(organisations, eq(organisations.id, incidents.orgId))
          .where(and(inArray(incidents.id, ids), inArray(incidents.status, ['declared', 'closed'])))
      : [];
    const byId = new Map(found.map((i) => [i.incidentId, { ...i, title: i.title || 'Incident sans titre', declaredAt: i.declaredAt?.toISOString() ?? null }]));
    return rows.map((r) => ({
      id: r.id,
      regionId: r.regionId,
      kind: r.kind,
      indicatorType: r.indicatorType,
      value: r.value,
      detectedAt: r.detectedAt.toISOString(),
      status: r.status,
      incidents: r.incidentIds
        .map((i) => byId.get(i))
        .filter((i) => i !== undefined)
        .sort((a, b) => (a.declaredAt ?? '').localeCompare(b.declaredAt ?? '') || a.orgName.localeCompare(b.orgName, 'fr')),
    }));
  }
}
