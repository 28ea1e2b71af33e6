import { z } from 'zod';
import { queryOptions } from '@tanstack/react-query';
import {
  ALERT_SEVERITIES,
  INCIDENT_ROLES,
  REGION_STATUSES,
  alertDetailSchema,
  alertListResponseSchema,
  createdFeedTokenSchema,
  detectionListResponseSchema,
  feedTokenListSchema,
  regionInboxResponseSchema,
  statsSchema,
  type publishAlertBodySchema,
  type regionFollowUpBodySchema,
} from '../../../contracts/incidents';
import type { Me } from '../../../contracts/identity';
import { orgListResponseSchema } from '../../../contracts/identity';
import type { Role } from '../../../contracts/tenancy';
import { API_BASE, buildQuery, request } from '../../lib/api';
import type { Tone } from '../../ui';

/**
 * The region's side of the incidents module (inbox, detected campaigns, alerts, feeds,
 * statistics): the calls to the API, checked against the contracts, and the small rules the
 * pages share. The server decides who may do what; the pages only hide what would be refused.
 */

type Body<S extends z.ZodType> = z.input<S>;
const id = (value: string) => encodeURIComponent(value);
/** Answers the page does not read (it reloads what it shows instead). */
const anyJson = z.unknown();

export type RegionStatus = (typeof REGION_STATUSES)[number];
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

// --- Who sees what ---------------------------------------------------------------------------

const activeMembership = (me: Me) => me.memberships.find((m) => m.orgId === me.activeOrgId);
const hasActiveRole = (me: Me, roles: readonly Role[]) => {
  const role = activeMembership(me)?.role;
  return role !== undefined && roles.includes(role);
};

/** The region's coordinator, working in his region: the inbox, the campaigns, publishing alerts. */
export function activeRegionId(me: Me): string | null {
  const m = activeMembership(me);
  return m && m.orgKind === 'region' && (INCIDENT_ROLES.region as readonly Role[]).includes(m.role) ? m.orgId : null;
}

/** The establishment (or GHT) whose security people receive and acknowledge alerts. */
export const receivesAlerts = (me: Me) => hasActiveRole(me, INCIDENT_ROLES.alertReceive);

/** Who reads the statistics of the active organisation. */
export const readsStats = (me: Me) => hasActiveRole(me, INCIDENT_ROLES.stats);

/** Who may hold a personal Atom feed of alerts (the server's `feed.manage`). */
export const managesFeeds = (me: Me) => me.memberships.some((m) => (INCIDENT_ROLES.alertReceive as readonly Role[]).includes(m.role) || m.role === 'coord_region');

// --- Words and colours ------------------------------------------------------------------------

export const REGION_STATUS_TONES: Record<RegionStatus, Tone> = { new: 'warning', acknowledged: 'neutral', supporting: 'info', closed: 'success' };
export const SEVERITY_TONES: Record<AlertSeverity, Tone> = { info: 'info', low: 'neutral', medium: 'warning', high: 'danger', critical: 'danger' };

// --- URL search parameters ------------------------------------------------------------------

/** `/region/incidents?suivi=new`: the region's follow-up status to show. */
export interface InboxSearch {
  suivi?: RegionStatus;
}

export function parseInboxSearch(search: Record<string, unknown>): InboxSearch {
  const suivi = search.suivi;
  return typeof suivi === 'string' && (REGION_STATUSES as readonly string[]).includes(suivi) ? { suivi: suivi as RegionStatus } : {};
}

export interface StatsSearch {
  du?: string;
  au?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (value: unknown): value is string => typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T12:00:00Z`));

export function parseStatsSearch(search: Record<string, unknown>): StatsSearch {
  return { ...(validDate(search.du) ? { du: search.du } : {}), ...(validDate(search.au) ? { au: search.au } : {}) };
}

// --- Inbox and the region's follow-up -------------------------------------------------------

export const inboxQuery = (regionId: string, status?: RegionStatus) =>
  queryOptions({
    queryKey: ['incidents', 'region', 'inbox', regionId, status ?? null],
    queryFn: () => request(regionInboxResponseSchema, '/incidents/inbox', { query: { regionId, status } }),
  });

/** The answer's shape is the server's business: the pages reload what they show. */
export const updateRegionFollowUp = (incidentId: string, body: Body<typeof regionFollowUpBodySchema>) =>
  request(anyJson, `/incidents/${id(incidentId)}/region`, { method: 'PUT', body });

// --- Detected campaigns ------------------------------------------------------------------------

export const detectionsQuery = (regionId: string) =>
  queryOptions({
    queryKey: ['incidents', 'region', 'detections', regionId],
    queryFn: () => request(detectionListResponseSchema, '/incidents/detections', { query: { regionId } }),
  });

export const closeDetection = (detectionId: string) => request(anyJson, `/incidents/detections/${id(detectionId)}/close`, { method: 'POST' });

// --- Alerts -----------------------------------------------------------------------------------

export const alertsQuery = (orgId: string) =>
  queryOptions({ queryKey: ['incidents', 'alerts', orgId], queryFn: () => request(alertListResponseSchema, '/alerts', { query: { orgId } }) });

export const alertQuery = (alertId: string) =>
  queryOptions({ queryKey: ['incidents', 'alert', alertId], queryFn: () => request(alertDetailSchema, `/alerts/${id(alertId)}`) });

export const publishAlert = (body: Body<typeof publishAlertBodySchema>) => request(alertDetailSchema, '/alerts', { method: 'POST', body });

export const acknowledgeAlert = (alertId: string, orgId: string) => request(anyJson, `/alerts/${id(alertId)}/acknowledge`, { method: 'POST', body: { orgId } });

/** The establishments of a region, to choose the recipients of an alert. */
export const regionEstablishmentsQuery = (regionId: string) =>
  queryOptions({
    queryKey: ['organisations', regionId, 'establishment'],
    queryFn: () => request(orgListResponseSchema, '/organisations', { query: { under: regionId, kind: 'establishment' } }),
  });

// --- Personal Atom feeds -----------------------------------------------------------------------

export const feedTokensQuery = queryOptions({ queryKey: ['incidents', 'feed-tokens'], queryFn: () => request(feedTokenListSchema, '/feeds/tokens') });
export const createFeedToken = () => request(createdFeedTokenSchema, '/feeds/tokens', { method: 'POST' });
export const revokeFeedToken = (tokenId: string) => request(anyJson, `/feeds/tokens/${id(tokenId)}`, { method: 'DELETE' });

// --- Statistics --------------------------------------------------------------------------------

/** Without a period the server takes the last twelve months; its answer says which. */
export const statsQuery = (orgId: string, from?: string, to?: string) =>
  queryOptions({ queryKey: ['incidents', 'stats', orgId, from ?? null, to ?? null], queryFn: () => request(statsSchema, '/incidents/stats', { query: { orgId, from, to } }) });

export const statsCsvHref = (orgId: string, from: string, to: string) => `${API_BASE}/incidents/stats.csv${buildQuery({ orgId, from, to })}`;
