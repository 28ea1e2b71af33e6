import { sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { INCIDENT_ORIGINS, INCIDENT_TYPES, type IncidentStats, type IncidentType, type statsQuerySchema } from '../../../contracts/incidents';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { invalidField } from '../../platform/http/errors';
import { loadVisibleOrg, type OrgRef } from '../../platform/tenancy/service';
import { TYPE_LABELS } from './detection';
import { incidentPolicy as policy } from './policy';

type StatsQuery = z.infer<typeof statsQuerySchema>;

/** The longest period one request may cover. */
export const MAX_YEARS = 5;

const PARIS_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
const FRENCH_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const FRENCH_MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'long', year: 'numeric' });

const ORIGIN_LABELS: Record<(typeof INCIDENT_ORIGINS)[number], string> = { malicious: 'Malveillante', accidental: 'Accidentelle', unknown: 'Inconnue' };

/** « 3 mars 2026 » for a day written AAAA-MM-JJ. */
const frenchDay = (day: string) => FRENCH_DAY.format(new Date(`${day}T00:00:00Z`));
/** « mars 2026 » for a month written AAAA-MM. */
export const frenchMonth = (month: string) => FRENCH_MONTH.format(new Date(`${month}-01T00:00:00Z`));
/** A number with a French decimal comma, for spreadsheets set to French. */
const decimal = (n: number | null) => (n === null ? '' : String(n).replace('.', ','));

/** AAAA-MM-JJ of a calendar day shifted by whole months or years (the day is clamped to the month's end). */
function shiftDay(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}
const firstOfMonth = (day: string) => `${day.slice(0, 7)}-01`;

/**
 * The period asked for, in days of Europe/Paris. By default the last twelve months: from the
 * first day of the month eleven months back to today (this month so far included); with
 * only `to`, the twelve months ending with `to`'s month; with only `from`, up to today.
 */
export function periodOf(query: Pick<StatsQuery, 'from' | 'to'>, now: Date): { from: string; to: string } {
  const today = PARIS_DAY.format(now);
  const to = query.to ?? today;
  const from = query.from ?? firstOfMonth(shiftDay(to, -11));
  if (from > to) throw invalidField('to', 'La date de fin doit être postérieure ou égale à la date de début.');
  if (to >= shiftDay(from, 12 * MAX_YEARS)) throw invalidField('to', `La période ne peut pas dépasser ${MAX_YEARS} ans : choisissez une date de début plus récente ou une date de fin plus proche.`);
  return { from, to };
}

interface Row {
  total: number;
  malicious: number;
  care_impact: number;
  degraded_mode: number;
  personal_data: number;
  median_hours: number | string | null;
  by_month: { month: string; total: number; malicious: number }[] | string;
  by_type: { type: IncidentType; count: number }[] | string;
  by_origin: { origin: (typeof INCIDENT_ORIGINS)[number]; count: number }[] | string;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/**
 * Statistics of the declared incidents of an organisation and everything below it, like the
 * national observatory's yearly report: how many, how many malicious, with an impact on
 * care, a degraded mode or a personal-data breach, the median time from discovery to
 * declaration, per month (every month of the period, in Paris time), per type and origin.
 * One SQL statement does the counting, whatever the number of establishments.
 */
export class IncidentStatsService {
  constructor(private readonly p: Platform) {}

  private async scope(actor: Actor, orgId: string): Promise<OrgRef> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'stats.read', org);
    if (org.kind !== 'establishment' && org.kind !== 'ght' && org.kind !== 'region') {
      throw invalidField('orgId', 'Les statistiques portent sur un établissement, un GHT ou une région : choisissez l’un d’eux, pas un site ni un service.');
    }
    return org;
  }

  async stats(actor: Actor, query: StatsQuery): Promise<IncidentStats> {
    const org = await this.scope(actor, query.orgId);
    return computeStats(this.p.db, org.orgId, periodOf(query, this.p.clock.now()));
  }

  /** The same figures as a spreadsheet (« ; », BOM, French headers): a summary, a row per month, then types and origins. */
  async csv(actor: Actor, meta: RequestMeta, query: StatsQuery): Promise<{ filename: string; rows: (string | number)[][] }> {
    const org = await this.scope(actor, query.orgId);
    const period = periodOf(query, this.p.clock.now());
    const s = await computeStats(this.p.db, org.orgId, period);
    await this.p.audit({
      action: 'incident.stats.exported',
      actorId: actor.userId,
      actorLabel: actor.email,
      orgId: org.orgId,
      targetType: 'organisation',
      targetId: org.orgId,
      ip: meta.ip,
      details: { from: s.from, to: s.to },
    });
    const rows: (string | number)[][] = [
      ['Incidents de sécurité déclarés', org.name],
      ['Période', `du ${frenchDay(s.from)} au ${frenchDay(s.to)}`],
      ['Déclarations', s.total],
      ['Dont d’origine malveillante', s.malicious],
      ['Avec un impact sur la prise en charge des patients', s.careImpact],
      ['Avec un fonctionnement en mode dégradé', s.degradedMode],
      ['Avec une violation de données personnelles', s.personalData],
      ['Délai médian entre la découverte et la déclaration (heures)', decimal(s.medianHoursToDeclare)],
      [],
      ['Mois', 'Déclarations', 'Dont d’origine malveillante'],
      ...s.byMonth.map((m) => [frenchMonth(m.month), m.total, m.malicious]),
      [],
      ['Type d’incident', 'Déclarations'],
      ...s.byType.map((t) => [TYPE_LABELS[t.type], t.count]),
      [],
      ['Origine', 'Déclarations'],
      ...s.byOrigin.map((o) => [ORIGIN_LABELS[o.origin], o.count]),
    ];
    const slug = org.name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return { filename: `incidents-${slug || 'organisation'}-${s.from}-au-${s.to}.csv`, rows };
  }
}

/** The figures for `orgId`'s subtree and a period of Paris days (bounds included). */
export async function computeStats(db: Db, orgId: string, period: { from: string; to: string }): Promise<IncidentStats> {
  const { from, to } = period;
  const [row] = ((await db.execute(statsQuery(orgId, period))) as unknown as { rows: Row[] }).rows;
  const typeOrder = (t: IncidentType) => INCIDENT_TYPES.indexOf(t);
  const byOrigin = new Map(json(row.by_origin).map((o) => [o.origin, Number(o.count)]));
  const median = row.median_hours === null ? null : Math.round(Number(row.median_hours) * 10) / 10;
  return {
    orgId,
    from,
    to,
    total: Number(row.total),
    malicious: Number(row.malicious),
    careImpact: Number(row.care_impact),
    degradedMode: Number(row.degraded_mode),
    personalData: Number(row.personal_data),
    medianHoursToDeclare: median,
    byMonth: json(row.by_month).map((m) => ({ month: m.month, total: Number(m.total), malicious: Number(m.malicious) })),
    // Most frequent first; types nobody declared are left out.
    byType: json(row.by_type)
      .map((t) => ({ type: t.type, count: Number(t.count) }))
      .sort((a, b) => b.count - a.count || typeOrder(a.type) - typeOrder(b.type)),
    // Every origin, in the form's order, even at zero.
    byOrigin: INCIDENT_ORIGINS.map((origin) => ({ origin, count: byOrigin.get(origin) ?? 0 })),
  };
}

/** The one statement behind the figures: the declarations of the subtree in the period, counted every way at once. */
export function statsQuery(orgId: string, { from, to }: { from: string; to: string }): SQL {
  return sql`
    with scope as (
      select i.type, i.origin, i.care_impact, i.degraded_mode, i.personal_data, i.declared_at, i.discovered_at
      from incidents i
      where i.status in ('declared', 'closed')
        and i.declared_at >= (${from}::date)::timestamp at time zone 'Europe/Paris'
        and i.declared_at < (${to}::date + 1)::timestamp at time zone 'Europe/Paris'
        and i.org_id in (select o.id from organisations o where o.id = ${orgId}::uuid or o.ancestors @> array[${orgId}::uuid])
    ),
    totals as (
      select count(*)::int as total,
             (count(*) filter (where origin = 'malicious'))::int as malicious,
             (count(*) filter (where care_impact))::int as care_impact,
             (count(*) filter (where degraded_mode))::int as degraded_mode,
             (count(*) filter (where personal_data))::int as personal_data,
             percentile_cont(0.5) within group (order by greatest(0, extract(epoch from declared_at - discovered_at)) / 3600.0)
               filter (where discovered_at is not null) as median_hours
      from scope
    ),
    months as (
      select date_trunc('month', declared_at at time zone 'Europe/Paris') as month, count(*)::int as total, (count(*) filter (where origin = 'malicious'))::int as malicious
      from scope group by 1
    )
    select t.*,
      (select coalesce(json_agg(json_build_object('month', to_char(g.month, 'YYYY-MM'), 'total', coalesce(m.total, 0), 'malicious', coalesce(m.malicious, 0)) order by g.month), '[]'::json)
         from generate_series(date_trunc('month', ${from}::date::timestamp), date_trunc('month', ${to}::date::timestamp), interval '1 month') as g(month)
         left join months m on m.month = g.month) as by_month,
      (select coalesce(json_agg(json_build_object('type', x.type, 'count', x.n)), '[]'::json)
         from (select type, count(*)::int as n from scope where type is not null group by type) x) as by_type,
      (select coalesce(json_agg(json_build_object('origin', x.origin, 'count', x.n)), '[]'::json)
         from (select origin, count(*)::int as n from scope where origin is not null group by origin) x) as by_origin
    from totals t`;
}
