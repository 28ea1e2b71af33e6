import { and, arrayContains, arrayOverlaps, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { acknowledgeAlertBodySchema, Alert, alertDetailSchema, publishAlertBodySchema, receivedAlertSchema } from '../../../contracts/incidents';
import { INCIDENT_ROLES, type ALERT_SEVERITIES } from '../../../contracts/incidents';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { invalidField, notFound } from '../../platform/http/errors';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadOrg, loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { incidentPolicy as policy } from './policy';
import { alertRecipients, alerts } from './schema';
import { INCIDENT_LABELS_FR } from '../../../contracts/incidents-labels';

type Severity = (typeof ALERT_SEVERITIES)[number];
export type AlertRow = typeof alerts.$inferSelect;
type AlertDetail = z.infer<typeof alertDetailSchema>;
type ReceivedAlert = z.infer<typeof receivedAlertSchema>;

/** Severity as a nurse reads it, in the subject of the e-mail, the notification and the feed. */
export const SEVERITY_LABELS: Record<Severity, string> = INCIDENT_LABELS_FR.severity;

/** The web app's page of an alert: the link of notifications, e-mails and feed entries. */
export const alertPath = (id: string) => `/alertes/${id}`;

const NOT_FOUND = 'Cette alerte n’existe pas ou ne vous est pas adressée.';

/** Number of recipient establishments, and of those that acknowledged, per alert (one query). */
const recipientCount = sql<number>`(select count(*)::int from ${alertRecipients} where ${alertRecipients.alertId} = ${alerts.id})`;
const acknowledgedCount = sql<number>`(select count(*)::int from ${alertRecipients} where ${alertRecipients.alertId} = ${alerts.id} and ${alertRecipients.acknowledgedAt} is not null)`;

function toAlert(a: AlertRow, publishedByName: string | null, recipients: number, acknowledged: number): Alert {
  return {
    id: a.id,
    regionId: a.regionId,
    title: a.title,
    severity: a.severity,
    summary: a.summary,
    whatToCheck: a.whatToCheck,
    whatToDo: a.whatToDo,
    products: a.products,
    publishedAt: a.publishedAt.toISOString(),
    publishedByName,
    recipientCount: Number(recipients),
    acknowledgedCount: Number(acknowledged),
  };
}

/** The French e-mail of an alert: severity in the subject, what to check and what to do in the body. */
export function alertMail(p: Platform, a: Pick<AlertRow, 'id' | 'title' | 'severity' | 'summary' | 'whatToCheck' | 'whatToDo' | 'products'>, regionName: string, person: { displayName: string }) {
  const lines = [`Bonjour ${person.displayName},`, '', `${regionName} publie une alerte de sécurité (gravité : ${SEVERITY_LABELS[a.severity]}).`, '', a.title, '', a.summary];
  if (a.products.length) lines.push('', `Produits concernés : ${a.products.join(', ')}.`);
  if (a.whatToCheck) lines.push('', 'Ce qu’il faut vérifier :', a.whatToCheck);
  if (a.whatToDo) lines.push('', 'Ce qu’il faut faire :', a.whatToDo);
  lines.push(
    '',
    'Pour lire l’alerte et en accuser réception pour votre établissement :',
    `${p.config.publicUrl}${alertPath(a.id)}`,
    '',
    'Ce message vous est envoyé par Hygie parce que vous êtes responsable de la sécurité ou de la direction d’un établissement destinataire.',
  );
  return { subject: `Hygie : alerte ${SEVERITY_LABELS[a.severity].toLowerCase()} — ${a.title}`, text: lines.join('\n') };
}

/**
 * Alerts and bulletins a region publishes to all or some of its establishments: they
 * arrive in the app and by e-mail, each establishment acknowledges them, and the region
 * sees who has not. Every method checks access first.
 */
export class AlertService {
  constructor(private readonly p: Platform) {}

  /**
   * The region an alert is published for. A region the actor belongs below (an agent of
   * one of its hospitals) is known to him: refused with 403; any other one is "not found".
   */
  private async loadRegionForPublishing(actor: Actor, regionId: string): Promise<OrgRef> {
    const org = await loadOrg(this.p.db, regionId).catch(() => null);
    if (!org) throw notFound('Cette région n’existe pas ou vous n’y avez pas accès.');
    const visible = actor.platformAdmin || actor.memberships.some((m) => m.orgId === org.orgId || org.ancestors.includes(m.orgId));
    if (!visible) {
      const mine = actor.memberships.map((m) => m.orgId);
      const below = mine.length
        ? await this.p.db
            .select({ id: organisations.id })
            .from(organisations)
            .where(and(inArray(organisations.id, mine), arrayContains(organisations.ancestors, [org.orgId])))
            .limit(1)
        : [];
      if (!below.length) throw notFound('Cette région n’existe pas ou vous n’y avez pas accès.');
    }
    return org;
  }

  /** Publishes an alert: one transaction for the alert, its recipients, the notifications, the e-mails and the audit entry. */
  async publish(actor: Actor, meta: RequestMeta, input: z.infer<typeof publishAlertBodySchema>): Promise<AlertDetail> {
    const region = await this.loadRegionForPublishing(actor, input.regionId);
    requireAccess(actor, policy, 'alert.publish', region);
    if (region.kind !== 'region') throw invalidField('regionId', 'Une alerte se publie au nom d’une région : choisissez votre région.');

    const establishments = await this.p.db
      .select({ id: organisations.id, name: organisations.name, ancestors: organisations.ancestors })
      .from(organisations)
      .where(and(eq(organisations.kind, 'establishment'), isNull(organisations.archivedAt), arrayContains(organisations.ancestors, [region.orgId])));
    let chosen = establishments;
    if (input.establishmentIds !== null) {
      const wanted = new Set(input.establishmentIds);
      chosen = establishments.filter((e) => wanted.has(e.id));
      if (chosen.length !== wanted.size) {
        throw invalidField('establishmentIds', 'Choisissez uniquement des établissements de votre région (les établissements archivés ne reçoivent plus d’alerte).');
      }
    }
    if (chosen.length === 0) throw invalidField('establishmentIds', 'Votre région n’a encore aucun établissement à alerter.');

    const now = this.p.clock.now();
    const { alertId, mailIds } = await this.p.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(alerts)
        .values({
          regionId: region.orgId,
          title: input.title,
          severity: input.severity,
          summary: input.summary,
          whatToCheck: input.whatToCheck,
          whatToDo: input.whatToDo,
          products: input.products,
          publishedBy: actor.userId,
          publishedAt: now,
        })
        .returning();
      await tx.insert(alertRecipients).values(chosen.map((e) => ({ alertId: row.id, orgId: e.id })));

      // The security people and the direction of each recipient, and the GHT coordinators above them.
      const chosenIds = chosen.map((e) => e.id);
      const ghtIds = [...new Set(chosen.flatMap((e) => e.ancestors))].filter((id) => id !== region.orgId);
      const people = await tx
        .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName, orgId: memberships.orgId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .innerJoin(organisations, eq(organisations.id, memberships.orgId))
        .where(
          and(
            eq(users.status, 'active'),
            isNull(organisations.archivedAt),
            or(
              and(inArray(memberships.orgId, chosenIds), inArray(memberships.role, ['rssi', 'direction'])),
              ghtIds.length ? and(inArray(memberships.orgId, ghtIds), eq(organisations.kind, 'ght'), eq(memberships.role, 'coord_ght')) : undefined,
            ),
          ),
        )
        .orderBy(asc(users.email));
      const once = new Map<string, (typeof people)[number]>();
      for (const person of people) if (!once.has(person.id)) once.set(person.id, person);
      const link = alertPath(row.id);
      const title = `Alerte ${SEVERITY_LABELS[row.severity].toLowerCase()} de ${region.name} : ${row.title}`;
      await this.p.notify(
        tx,
        [...once.values()].map((person) => ({ userId: person.id, orgId: person.orgId, kind: 'incident.alert', title, body: row.summary, link })),
      );
      const mailIds: string[] = [];
      for (const person of once.values()) mailIds.push(await this.p.mail.enqueue(tx, { to: person.email, ...alertMail(this.p, row, region.name, person) }));
      await this.p.audit(
        {
          action: 'incident.alert.published',
          actorId: actor.userId,
          actorLabel: actor.email,
          orgId: region.orgId,
          targetType: 'alert',
          targetId: row.id,
          ip: meta.ip,
          details: { severity: row.severity, recipients: chosen.length, everyEstablishment: input.establishmentIds === null },
        },
        tx,
      );
      return { alertId: row.id, mailIds };
    });
    await this.p.mail.dispatch(mailIds);
    return this.get(actor, alertId);
  }

  /** The alerts a region sent, or those an establishment (or the establishments of a GHT) received. */
  async list(actor: Actor, orgId: string): Promise<{ sent: Alert[]; received: ReceivedAlert[] }> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    if (org.kind === 'region') {
      requireAccess(actor, policy, 'alert.publish', org);
      const rows = await this.p.db
        .select({ a: alerts, name: users.displayName, recipientCount, acknowledgedCount })
        .from(alerts)
        .leftJoin(users, eq(users.id, alerts.publishedBy))
        .where(eq(alerts.regionId, org.orgId))
        .orderBy(desc(alerts.publishedAt), asc(alerts.id));
      return { sent: rows.map((r) => toAlert(r.a, r.name, r.recipientCount, r.acknowledgedCount)), received: [] };
    }
    requireAccess(actor, policy, 'alert.receive', org);
    if (org.kind !== 'establishment' && org.kind !== 'ght') {
      throw invalidField('orgId', 'Les alertes s’adressent aux établissements : choisissez un établissement, un GHT ou une région.');
    }
    const where = org.kind === 'establishment' ? eq(alertRecipients.orgId, org.orgId) : arrayContains(organisations.ancestors, [org.orgId]);
    return { sent: [], received: await this.received(this.p.db, where) };
  }

  /** Alerts as establishments received them, newest first: one row per alert and establishment. */
  private async received(db: Db, where: SQL | undefined, limit?: number): Promise<ReceivedAlert[]> {
    const query = db
      .select({ a: alerts, name: users.displayName, orgId: alertRecipients.orgId, orgName: organisations.name, acknowledgedAt: alertRecipients.acknowledgedAt })
      .from(alertRecipients)
      .innerJoin(alerts, eq(alerts.id, alertRecipients.alertId))
      .innerJoin(organisations, eq(organisations.id, alertRecipients.orgId))
      .leftJoin(users, eq(users.id, alerts.publishedBy))
      .where(where)
      .orderBy(desc(alerts.publishedAt), asc(alerts.id), asc(organisations.name));
    const rows = limit ? await query.limit(limit) : await query;
    return rows.map((r) => ({
      // Counts about this establishment only: an establishment does not learn who else was alerted.
      ...toAlert(r.a, r.name, 1, r.acknowledgedAt ? 1 : 0),
      orgId: r.orgId,
      orgName: r.orgName,
      acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    }));
  }

  /**
   * One alert. The coordinator of its region sees every recipient and who has not
   * acknowledged; an establishment's people see the alert and their own establishments'
   * rows only; anyone else is told it does not exist.
   */
  async get(actor: Actor, id: string): Promise<AlertDetail> {
    const [found] = await this.p.db.select({ a: alerts, name: users.displayName }).from(alerts).leftJoin(users, eq(users.id, alerts.publishedBy)).where(eq(alerts.id, id));
    if (!found) throw notFound(NOT_FOUND);
    const region = await loadOrg(this.p.db, found.a.regionId);
    const acknowledger = alias(users, 'acknowledger');
    const rows = await this.p.db
      .select({
        orgId: alertRecipients.orgId,
        orgName: organisations.name,
        ancestors: organisations.ancestors,
        acknowledgedAt: alertRecipients.acknowledgedAt,
        acknowledgedByName: acknowledger.displayName,
      })
      .from(alertRecipients)
      .innerJoin(organisations, eq(organisations.id, alertRecipients.orgId))
      .leftJoin(acknowledger, eq(acknowledger.id, alertRecipients.acknowledgedBy))
      .where(eq(alertRecipients.alertId, id))
      .orderBy(asc(organisations.name), asc(organisations.id));
    const coordinator = policy.rules['alert.publish'](actor, region);
    const visible = coordinator ? rows : rows.filter((r) => policy.rules['alert.receive'](actor, { orgId: r.orgId, ancestors: r.ancestors }));
    if (!visible.length) throw notFound(NOT_FOUND);
    return {
      alert: toAlert(found.a, found.name, visible.length, visible.filter((r) => r.acknowledgedAt).length),
      recipients: visible.map((r) => ({ orgId: r.orgId, orgName: r.orgName, acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null, acknowledgedByName: r.acknowledgedAt ? r.acknowledgedByName : null })),
    };
  }

  /** An establishment acknowledges an alert it received. Again: keeps the first time and person. */
  async acknowledge(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof acknowledgeAlertBodySchema>): Promise<AlertDetail> {
    const [alert] = await this.p.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, id));
    if (!alert) throw notFound(NOT_FOUND);
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    requireAccess(actor, policy, 'alert.acknowledge', org);
    const [recipient] = await this.p.db
      .select({ acknowledgedAt: alertRecipients.acknowledgedAt })
      .from(alertRecipients)
      .where(and(eq(alertRecipients.alertId, id), eq(alertRecipients.orgId, org.orgId)));
    if (!recipient) throw notFound(NOT_FOUND);
    if (!recipient.acknowledgedAt) {
      const now = this.p.clock.now();
      await this.p.db.transaction(async (tx) => {
        const [updated] = await tx
          .update(alertRecipients)
          .set({ acknowledgedAt: now, acknowledgedBy: actor.userId })
          .where(and(eq(alertRecipients.alertId, id), eq(alertRecipients.orgId, org.orgId), isNull(alertRecipients.acknowledgedAt)))
          .returning({ alertId: alertRecipients.alertId });
        // Someone of the establishment acknowledged in the meantime: his is the one kept.
        if (!updated) return;
        await this.p.audit({ action: 'incident.alert.acknowledged', actorId: actor.userId, actorLabel: actor.email, orgId: org.orgId, targetType: 'alert', targetId: id, ip: meta.ip }, tx);
      });
    }
    return this.get(actor, id);
  }

  /**
   * The alerts a person receives, for his Atom feed: those addressed to the establishments
   * he looks after (rssi, direction, GHT coordinator), and those of the regions he
   * coordinates. Newest first.
   */
  async forPerson(db: Db, userId: string, limit: number): Promise<{ alert: AlertRow; regionName: string }[]> {
    const mine = await db
      .select({ orgId: memberships.orgId, role: memberships.role })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(and(eq(memberships.userId, userId), isNull(organisations.archivedAt)));
    const receiving = mine.filter((m) => (INCIDENT_ROLES.alertReceive as readonly string[]).includes(m.role)).map((m) => m.orgId);
    const coordinating = mine.filter((m) => (INCIDENT_ROLES.region as readonly string[]).includes(m.role)).map((m) => m.orgId);
    if (!receiving.length && !coordinating.length) return [];
    const addressedToMine = receiving.length
      ? sql`exists (select 1 from ${alertRecipients} inner join ${organisations} on ${organisations.id} = ${alertRecipients.orgId}
          where ${alertRecipients.alertId} = ${alerts.id} and (${inArray(organisations.id, receiving)} or ${arrayOverlaps(organisations.ancestors, receiving)}))`
      : undefined;
    const region = alias(organisations, 'region');
    const rows = await db
      .select({ alert: alerts, regionName: region.name })
      .from(alerts)
      .innerJoin(region, eq(region.id, alerts.regionId))
      .where(or(addressedToMine, coordinating.length ? inArray(alerts.regionId, coordinating) : undefined))
      .orderBy(desc(alerts.publishedAt), asc(alerts.id))
      .limit(limit);
    return rows;
  }
}
