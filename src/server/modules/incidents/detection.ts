import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { RARE_INCIDENT_TYPES, type IncidentType, type IndicatorType } from '../../../contracts/incidents';
import { INCIDENT_LABELS_FR } from '../../../contracts/incidents-labels';
import type { Platform } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { detections, incidents, indicators } from './schema';

/** Two declarations sharing an indicator or a rare type within this many days make a campaign. */
export const DETECTION_WINDOW_DAYS = 14;
const DAY = 86_400_000;

/** Incident types in French, for the region's messages and exports. */
export const TYPE_LABELS: Record<IncidentType, string> = INCIDENT_LABELS_FR.type;

/** What detection needs of the platform: the time, in-app notifications and the mail outbox. */
export type DetectionDeps = Pick<Platform, 'clock' | 'notify'> & { mail: Pick<Platform['mail'], 'enqueue'>; config: Pick<Platform['config'], 'publicUrl'> };

interface Candidate {
  kind: 'indicator' | 'type';
  key: string;
  indicatorType: IndicatorType | null;
  value: string;
  incidentIds: string[];
}

/**
 * Looks for campaigns around one declared incident: the same indicator, or the same rare
 * type, declared by two or more establishments of its region within the window. A new
 * campaign, or a new establishment joining one, alerts the region's coordinators (in the
 * app and by e-mail). Returns the mails to dispatch once the caller's transaction commits.
 */
export async function detectAround(platform: DetectionDeps, tx: Db, incidentId: string): Promise<string[]> {
  const [incident] = await tx
    .select({ id: incidents.id, regionId: incidents.regionId, type: incidents.type, status: incidents.status, at: sql<Date>`coalesce(${incidents.discoveredAt}, ${incidents.declaredAt})`.mapWith((v) => new Date(v)) })
    .from(incidents)
    .where(eq(incidents.id, incidentId));
  if (!incident || incident.status === 'draft' || !incident.regionId) return [];
  const regionId = incident.regionId;
  const from = new Date(incident.at.getTime() - DETECTION_WINDOW_DAYS * DAY);
  const to = new Date(incident.at.getTime() + DETECTION_WINDOW_DAYS * DAY);
  const when = sql`coalesce(${incidents.discoveredAt}, ${incidents.declaredAt})`;
  const inWindow = and(eq(incidents.regionId, regionId), inArray(incidents.status, ['declared', 'closed']), gte(when, from), lte(when, to));

  const rare = incident.type && RARE_INCIDENT_TYPES.includes(incident.type) ? incident.type : null;
  const own = await tx.select({ type: indicators.type, value: indicators.value }).from(indicators).where(eq(indicators.incidentId, incidentId));
  // What this incident could share with others, each key locked (in one order: no deadlock)
  // before looking: two establishments declaring at the same moment wait for each other, so
  // the second one sees the first once committed — neither misses the campaign, and they
  // never both open it.
  const keys = [...(rare ? [`type:${rare}`] : []), ...own.map((i) => `indicator:${i.type}:${i.value}`)].sort();
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`incident-detection:${regionId}:${key}`}, 0))`);

  const candidates: Candidate[] = [];
  if (rare) {
    const rows = await tx.select({ id: incidents.id, orgId: incidents.orgId }).from(incidents).where(and(inWindow, eq(incidents.type, rare)));
    if (new Set(rows.map((r) => r.orgId)).size >= 2) {
      candidates.push({ kind: 'type', key: `type:${rare}`, indicatorType: null, value: rare, incidentIds: rows.map((r) => r.id) });
    }
  }
  for (const ind of own) {
    const rows = await tx
      .select({ id: incidents.id, orgId: incidents.orgId })
      .from(indicators)
      .innerJoin(incidents, eq(incidents.id, indicators.incidentId))
      .where(and(inWindow, eq(indicators.type, ind.type), eq(indicators.value, ind.value)));
    if (new Set(rows.map((r) => r.orgId)).size >= 2) {
      candidates.push({ kind: 'indicator', key: `indicator:${ind.type}:${ind.value}`, indicatorType: ind.type, value: ind.value, incidentIds: rows.map((r) => r.id) });
    }
  }

  const now = platform.clock.now();
  const news: { detectionId: string; kind: Candidate['kind']; label: string; fresh: boolean; incidentIds: string[] }[] = [];
  for (const c of candidates) {
    const [open] = await tx
      .select()
      .from(detections)
      .where(and(eq(detections.regionId, regionId), eq(detections.key, c.key), eq(detections.status, 'open')))
      .for('update');
    // « Rançongiciel », or the indicator itself.
    const label = c.kind === 'type' ? `« ${TYPE_LABELS[c.value as IncidentType]} »` : c.value;
    if (!open) {
      const [row] = await tx
        .insert(detections)
        .values({ regionId, kind: c.kind, key: c.key, indicatorType: c.indicatorType, value: c.value, incidentIds: c.incidentIds, detectedAt: now, updatedAt: now })
        .returning({ id: detections.id });
      news.push({ detectionId: row.id, kind: c.kind, label, fresh: true, incidentIds: c.incidentIds });
    } else {
      const merged = [...new Set([...open.incidentIds, ...c.incidentIds])];
      if (merged.length === open.incidentIds.length) continue;
      await tx.update(detections).set({ incidentIds: merged, updatedAt: now }).where(eq(detections.id, open.id));
      news.push({ detectionId: open.id, kind: c.kind, label, fresh: false, incidentIds: merged });
    }
  }
  if (news.length === 0) return [];

  const coordinators = await tx
    .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, regionId), eq(memberships.role, 'coord_region'), eq(users.status, 'active')));
  const mailIds: string[] = [];
  for (const n of news) {
    const title =
      n.kind === 'type'
        ? n.fresh
          ? `Campagne possible : des incidents de type ${n.label} dans plusieurs établissements`
          : `Campagne en cours : un établissement de plus déclare un incident de type ${n.label}`
        : n.fresh
          ? `Campagne possible : l’indicateur ${n.label} signalé par plusieurs établissements`
          : `Campagne en cours : un établissement de plus signale l’indicateur ${n.label}`;
    const link = '/region/incidents/campagnes';
    // The region is alerted with the list: each establishment once, with its declarations.
    const declared = await tx
      .select({ orgName: organisations.name, reference: incidents.reference, title: incidents.title })
      .from(incidents)
      .innerJoin(organisations, eq(organisations.id, incidents.orgId))
      .where(inArray(incidents.id, n.incidentIds))
      .orderBy(asc(organisations.name), asc(incidents.reference));
    const names = [...new Set(declared.map((d) => d.orgName))];
    const body = `Établissements concernés : ${names.join(', ')}.`;
    await platform.notify(tx, coordinators.map((c) => ({ userId: c.id, orgId: regionId, kind: 'incident.detection', title, body, link })));
    for (const c of coordinators) {
      mailIds.push(
        await platform.mail.enqueue(tx, {
          to: c.email,
          subject: `Hygie : ${title}`,
          text: [
            `Bonjour ${c.displayName},`,
            '',
            `Plusieurs établissements de votre région ont déclaré en moins de ${DETECTION_WINDOW_DAYS} jours ${n.kind === 'type' ? `des incidents de type ${n.label}` : `des incidents avec le même indicateur, ${n.label}`} :`,
            '',
            ...declared.map((d) => `- ${d.orgName} : ${d.reference} « ${d.title || 'Incident sans titre'} »`),
            '',
            'Le détail des déclarations est dans Hygie :',
            `${platform.config.publicUrl}${link}`,
            '',
            'Ce message vous est envoyé par Hygie parce que vous êtes coordinateur régional.',
          ].join('\n'),
        }),
      );
    }
  }
  return mailIds;
}
