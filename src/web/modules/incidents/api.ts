import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import { csrfResponseSchema } from '../../../contracts/auth';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import {
  historyResponseSchema,
  incidentDetailSchema,
  incidentListResponseSchema,
  INCIDENT_STATUSES,
  nis2SettingsSchema,
  type closeIncidentBodySchema,
  type DeclarationContent,
  type IncidentDetail,
  type IncidentStatus,
  type Nis2Category,
  type updateIncidentBodySchema,
  type updateObligationBodySchema,
} from '../../../contracts/incidents';
import { i18n } from '../../i18n';
import { API_BASE, ApiError, request } from '../../lib/api';

/**
 * The web side of the declarations (lead's API): the list, one incident (used by the
 * follow-up and region panels too), the draft saved as the person types, declaring,
 * completing, history, regulatory obligations, closing, the NIS2 status, the exports.
 */

type Body<S extends z.ZodType> = z.input<S>;
const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export const incidentKeys = {
  all: ['incidents'] as const,
  lists: ['incidents', 'list'] as const,
  detail: (id: string) => ['incidents', 'detail', id] as const,
};

/** The incidents of an establishment, or of the establishments of a GHT or a region. */
export const incidentsQuery = (orgId: string, status?: IncidentStatus) =>
  queryOptions({
    queryKey: [...incidentKeys.lists, orgId, status ?? null],
    queryFn: () => request(incidentListResponseSchema, '/incidents', { query: { orgId, status } }),
  });

/** One incident: declaration, regulatory obligations, the region's follow-up. */
export const incidentQuery = (id: string) =>
  queryOptions({
    queryKey: incidentKeys.detail(id),
    queryFn: () => request(incidentDetailSchema, `/incidents/${path(id)}`),
  });

export const historyQuery = (id: string) =>
  queryOptions({
    queryKey: ['incidents', 'history', id],
    queryFn: () => request(historyResponseSchema, `/incidents/${path(id, 'history')}`),
  });

export const nis2Query = (orgId: string) =>
  queryOptions({
    queryKey: ['incidents', 'nis2', orgId],
    queryFn: () => request(nis2SettingsSchema, '/incidents/nis2', { query: { orgId } }),
  });

export const setNis2 = (orgId: string, category: Nis2Category) => request(nis2SettingsSchema, '/incidents/nis2', { method: 'PUT', body: { orgId, category } });

/**
 * Starts a declaration (a draft). The JSON client sends no custom header, so this one goes by
 * hand: a fresh CSRF token, the Idempotency-Key, the same errors as elsewhere. Sent again
 * with the same key and the same body after a dropped network, it answers the same draft.
 */
export async function createIncident(idempotencyKey: string, body: { orgId: string; content: DeclarationContent; declare?: boolean }): Promise<IncidentDetail> {
  const call = async () => {
    const tokenRes = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const token = tokenRes.ok ? csrfResponseSchema.parse(await tokenRes.json()).token : null;
    return fetch(`${API_BASE}/incidents`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...(token ? { 'x-csrf-token': token } : {}) },
      body: JSON.stringify({ declare: false, ...body }),
    });
  };
  let res: Response;
  try {
    res = await call();
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }
  if (res.ok) {
    try {
      return incidentDetailSchema.parse(await res.json());
    } catch {
      // The answer was cut off: the draft may exist; sending again with the same key finds it.
      throw new ApiError(0, 'network', i18n.t('errors.network'));
    }
  }
  const parsed = errorBodySchema.safeParse(await res.json().catch(() => null));
  if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.fields ?? []);
  throw new ApiError(res.status, res.status >= 500 ? 'internal' : 'validation', i18n.t('errors.unexpected', { status: String(res.status) }));
}

export const saveDraft = (id: string, body: { content: DeclarationContent; version: number }) =>
  request(incidentDetailSchema, `/incidents/${path(id, 'draft')}`, { method: 'PUT', body });

export const discardDraft = (id: string) => request(okSchema, `/incidents/${path(id)}`, { method: 'DELETE' });

export const declareIncident = (id: string, version: number) => request(incidentDetailSchema, `/incidents/${path(id, 'declare')}`, { method: 'POST', body: { version } });

export const updateIncident = (id: string, body: Body<typeof updateIncidentBodySchema>) => request(incidentDetailSchema, `/incidents/${path(id)}`, { method: 'PUT', body });

export const updateObligation = (id: string, obligationId: string, body: Body<typeof updateObligationBodySchema>) =>
  request(incidentDetailSchema, `/incidents/${path(id, 'obligations', obligationId)}`, { method: 'PUT', body });

export const closeIncident = (id: string, body: Body<typeof closeIncidentBodySchema>) => request(incidentDetailSchema, `/incidents/${path(id, 'close')}`, { method: 'POST', body });

/** The exports for the official channels (PDF laid out like the official form, structured JSON). */
export const exportHrefs = (id: string) => ({
  pdf: `${API_BASE}/incidents/${path(id, 'export.pdf')}`,
  json: `${API_BASE}/incidents/${path(id, 'export.json')}`,
});

// --- Searches kept in the URL (French words) ------------------------------------------------

const STATUS_WORDS = { draft: 'brouillon', declared: 'declare', closed: 'clos' } as const satisfies Record<IncidentStatus, string>;
type StatusWord = (typeof STATUS_WORDS)[IncidentStatus];
export const statusWord = (status: IncidentStatus) => STATUS_WORDS[status];

/** `etat`, not `statut`: the plan's links carry their own `statut` through every search of the app. */
export interface IncidentsSearch {
  etat?: StatusWord;
}

/** `/incidents?etat=brouillon|declare|clos`: anything else is dropped. */
export function parseIncidentsSearch(search: Record<string, unknown>): IncidentsSearch {
  const word = INCIDENT_STATUSES.map((status) => STATUS_WORDS[status]).find((w) => w === search.etat);
  return word ? { etat: word } : {};
}

export const statusOfWord = (word: string | undefined): IncidentStatus | undefined => INCIDENT_STATUSES.find((status) => STATUS_WORDS[status] === word);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `/incidents/declarer?brouillon=<id>`: resume a draft kept on the server. */
export function parseDeclareSearch(search: Record<string, unknown>): { brouillon?: string } {
  return typeof search.brouillon === 'string' && UUID.test(search.brouillon) ? { brouillon: search.brouillon.toLowerCase() } : {};
}
