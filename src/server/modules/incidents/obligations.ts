import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { DeclarationContent, Nis2Category, ObligationKind } from '../../../contracts/incidents';
import { INCIDENT_LABELS_FR } from '../../../contracts/incidents-labels';
import type { Platform } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { incidents, obligations } from './schema';

const HOUR = 3_600_000;
const TZ = 'Europe/Paris';

/**
 * The regulatory clocks, all counted from the discovery of the incident:
 * - health authorities (ARS and CERT Santé): "sans délai" since 2017 — Hygie sets 24 h as
 *   the target, the most an RSSI should take;
 * - CNIL, when personal data are breached: 72 h (GDPR art. 33);
 * - NIS2, for establishments flagged "essentielle" or "importante": early warning within
 *   24 h, notification within 72 h, final report one month after the notification.
 */
export function requiredObligations(content: DeclarationContent, nis2: Nis2Category, discoveredAt: Date): { kind: ObligationKind; dueAt: Date }[] {
  const t = discoveredAt.getTime();
  const list: { kind: ObligationKind; dueAt: Date }[] = [{ kind: 'health_authorities', dueAt: new Date(t + 24 * HOUR) }];
  if (content.impacts?.personalData) list.push({ kind: 'cnil', dueAt: new Date(t + 72 * HOUR) });
  if (nis2 !== 'none') {
    const notification = new Date(t + 72 * HOUR);
    const finalReport = new Date(notification);
    finalReport.setUTCMonth(finalReport.getUTCMonth() + 1);
    list.push({ kind: 'nis2_early_warning', dueAt: new Date(t + 24 * HOUR) }, { kind: 'nis2_notification', dueAt: notification }, { kind: 'nis2_final_report', dueAt: finalReport });
  }
  return list;
}

/**
 * Brings the stored obligations of a declared incident in line with its declaration: new
 * ones appear (personal data found later: the CNIL clock starts), pending ones follow a
 * corrected discovery date, pending ones no longer required go. Met ones are never touched.
 */
export async function syncObligations(tx: Db, incidentId: string, content: DeclarationContent, nis2: Nis2Category): Promise<void> {
  if (!content.discoveredAt) return;
  const wanted = requiredObligations(content, nis2, new Date(content.discoveredAt));
  const current = await tx.select().from(obligations).where(eq(obligations.incidentId, incidentId));
  for (const w of wanted) {
    const found = current.find((o) => o.kind === w.kind);
    if (!found) {
      await tx.insert(obligations).values({ incidentId, kind: w.kind, dueAt: w.dueAt });
    } else if (found.status === 'pending' && found.dueAt.getTime() !== w.dueAt.getTime()) {
      // A new deadline re-arms its reminders.
      await tx.update(obligations).set({ dueAt: w.dueAt, remindersSent: [] }).where(eq(obligations.id, found.id));
    }
  }
  const gone = current.filter((o) => o.status === 'pending' && !wanted.some((w) => w.kind === o.kind)).map((o) => o.id);
  if (gone.length) await tx.delete(obligations).where(inArray(obligations.id, gone));
}

/** The obligations in French, for reminders, the timeline and exports. */
export const OBLIGATION_LABELS: Record<ObligationKind, string> = INCIDENT_LABELS_FR.obligation;

const LONG_DAY = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: TZ });
const HOUR_MINUTE = new Intl.DateTimeFormat('fr-FR', { hour: 'numeric', minute: '2-digit', hourCycle: 'h23', timeZone: TZ });
/** "lundi 3 mars 2026 à 14 h 05", "dimanche 1er mars 2026 à 6 h 00", as UX.md asks (Europe/Paris). */
export function frenchDateTime(d: Date): string {
  const parts = HOUR_MINUTE.formatToParts(d);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? '0');
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return `${LONG_DAY.format(d).replace(/(^|\s)1 /, '$11er ')} à ${hour} h ${minute}`;
}

/** A deadline is "close" when less than this is left: a quarter of a 24 h clock, three days of a month. */
function soonWindow(kind: ObligationKind): number {
  return kind === 'nis2_final_report' ? 72 * HOUR : 6 * HOUR;
}

export const INCIDENT_REMINDERS_JOB = 'incidents.reminders';

/**
 * Reminds the establishment's RSSI and direction (and the declarant) of deadlines that are
 * close or past, by e-mail and in the app, each reminder once per deadline. Safe to run
 * twice at once: a reminder is claimed with an update before it is written.
 */
export async function runIncidentReminders(platform: Platform, now: Date): Promise<{ soon: number; overdue: number }> {
  const db = platform.db;
  const horizon = new Date(now.getTime() + 72 * HOUR);
  const rows = await db
    .select({
      id: obligations.id,
      kind: obligations.kind,
      dueAt: obligations.dueAt,
      remindersSent: obligations.remindersSent,
      incidentId: incidents.id,
      reference: incidents.reference,
      title: incidents.title,
      orgId: incidents.orgId,
      orgName: organisations.name,
      ancestors: organisations.ancestors,
      declaredBy: incidents.declaredBy,
    })
    .from(obligations)
    .innerJoin(incidents, eq(incidents.id, obligations.incidentId))
    .innerJoin(organisations, eq(organisations.id, incidents.orgId))
    .where(and(eq(obligations.status, 'pending'), eq(incidents.status, 'declared'), lte(obligations.dueAt, horizon)));

  const sent = { soon: 0, overdue: 0 };
  for (const row of rows) {
    const overdue = row.dueAt.getTime() <= now.getTime();
    const stage = overdue ? 'overdue' : 'soon';
    if (!overdue && row.dueAt.getTime() - now.getTime() > soonWindow(row.kind)) continue;
    if (row.remindersSent.includes(stage)) continue;

    const mailIds = await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(obligations)
        .set({ remindersSent: sql`array_append(${obligations.remindersSent}, ${stage})` })
        .where(and(eq(obligations.id, row.id), eq(obligations.status, 'pending'), sql`not (${stage} = any(${obligations.remindersSent}))`))
        .returning({ id: obligations.id });
      if (!claimed) return null;
      const people = await recipients(tx, row.orgId, row.ancestors, row.declaredBy);
      const what = OBLIGATION_LABELS[row.kind];
      const due = frenchDateTime(row.dueAt);
      const title = overdue ? `Échéance dépassée : ${what}` : `Échéance proche : ${what}`;
      const link = `/incidents/${row.incidentId}`;
      await platform.notify(
        tx,
        people.map((p) => ({ userId: p.id, orgId: row.orgId, kind: 'incident.deadline', title, body: `${row.reference} — ${row.title} : échéance ${due}.`, link })),
      );
      const ids: string[] = [];
      for (const p of people) {
        ids.push(
          await platform.mail.enqueue(tx, {
            to: p.email,
            subject: `Hygie : ${overdue ? 'échéance dépassée' : 'échéance proche'} — ${what}`,
            text: [
              `Bonjour ${p.displayName},`,
              '',
              overdue
                ? `Pour l’incident ${row.reference} « ${row.title} » de ${row.orgName}, l’échéance « ${what} » était fixée au ${due}. Elle est dépassée.`
                : `Pour l’incident ${row.reference} « ${row.title} » de ${row.orgName}, l’échéance « ${what} » arrive le ${due}.`,
              '',
              'Si c’est fait, indiquez-le dans Hygie avec la date et la référence reçue ; sinon, faites-le dès maintenant :',
              `${platform.config.publicUrl}${link}`,
              '',
              'Ce message est envoyé une seule fois pour cette échéance par Hygie, la plateforme de cyber-résilience de votre établissement.',
            ].join('\n'),
          }),
        );
      }
      return ids;
    });
    if (!mailIds) continue;
    await platform.mail.dispatch(mailIds);
    sent[stage]++;
  }
  return sent;
}

/** Who answers for an establishment's deadlines: its RSSI and direction, the declarant; failing those, the GHT's coordinator. */
async function recipients(tx: Db, orgId: string, ancestors: string[], declaredBy: string | null) {
  const base = tx
    .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id));
  const own = await base.where(
    and(
      eq(users.status, 'active'),
      sql`((${memberships.orgId} = ${orgId} and ${memberships.role} in ('rssi', 'direction')) or ${users.id} = ${declaredBy ?? sql`null`})`,
    ),
  );
  if (own.length || ancestors.length === 0) return own;
  return tx
    .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(users.status, 'active'), inArray(memberships.orgId, ancestors), eq(memberships.role, 'coord_ght')));
}

/** Every quarter of an hour: 24 h clocks need reminders measured in hours, not days. */
export async function startIncidentJobs(platform: Platform): Promise<void> {
  await platform.jobs.schedule(INCIDENT_REMINDERS_JOB, '*/15 * * * *', async () => {
    await runIncidentReminders(platform, platform.clock.now());
  });
}
