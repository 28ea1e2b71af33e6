import type { z } from 'zod';
import { queryOptions } from '@tanstack/react-query';
import {
  ACTION_STATUSES,
  actionListResponseSchema,
  actionResponseSchema,
  assessmentDetailSchema,
  assessmentListResponseSchema,
  compareResponseSchema,
  evidenceSchema,
  frameworkDetailSchema,
  frameworkListResponseSchema,
  importResponseSchema,
  saveAnswerResponseSchema,
  suggestionsResponseSchema,
  type createActionBodySchema,
  type importBodySchema,
  type saveAnswerBodySchema,
  type updateActionBodySchema,
} from '../../../contracts/assessment';
import { createFromSuggestionsResponseSchema, type CreateFromSuggestionsBody } from '../../../contracts/assessment-plan';
import { csrfResponseSchema } from '../../../contracts/auth';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import { i18n } from '../../i18n';
import { API_BASE, ApiError, request } from '../../lib/api';

export type ActionStatus = (typeof ACTION_STATUSES)[number];

type Body<S extends z.ZodType> = z.input<S>;
const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

// --- Frameworks ------------------------------------------------------------------------

export const frameworksQuery = queryOptions({
  queryKey: ['assessment', 'frameworks'],
  queryFn: () => request(frameworkListResponseSchema, '/frameworks'),
});

/** A framework's tree: content that changes only on import, kept for the session. */
export const frameworkQuery = (id: string) =>
  queryOptions({
    queryKey: ['assessment', 'framework', id],
    queryFn: () => request(frameworkDetailSchema, `/frameworks/${path(id)}`),
    staleTime: 5 * 60_000,
  });

export const importFramework = (body: Body<typeof importBodySchema>) => request(importResponseSchema, '/frameworks/import', { method: 'POST', body });

export const frameworkExportHref = (id: string) => `${API_BASE}/frameworks/${path(id)}/export.yaml`;

// --- Assessments ----------------------------------------------------------------------------

export const assessmentsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['assessment', 'list', orgId],
    queryFn: () => request(assessmentListResponseSchema, '/assessments', { query: { orgId } }),
  });

export const assessmentQuery = (id: string) =>
  queryOptions({
    queryKey: ['assessment', 'detail', id],
    queryFn: () => request(assessmentDetailSchema, `/assessments/${path(id)}`),
  });

export const createAssessment = (body: { orgId: string; frameworkId: string; title?: string }) =>
  request(assessmentDetailSchema, '/assessments', { method: 'POST', body });

export const saveAnswer = (assessmentId: string, nodeId: string, body: Body<typeof saveAnswerBodySchema>) =>
  request(saveAnswerResponseSchema, `/assessments/${path(assessmentId, 'answers', nodeId)}`, { method: 'PUT', body });

export type Transition = 'submit' | 'validate' | 'reopen';
export const transitionAssessment = (id: string, transition: Transition) =>
  request(assessmentDetailSchema, `/assessments/${path(id, transition)}`, { method: 'POST' });

export const addLinkEvidence = (assessmentId: string, body: { nodeId: string; url: string }) =>
  request(evidenceSchema, `/assessments/${path(assessmentId)}/evidence/link`, { method: 'POST', body });

export const deleteEvidence = (assessmentId: string, evidenceId: string) =>
  request(okSchema, `/assessments/${path(assessmentId, 'evidence', evidenceId)}`, { method: 'DELETE' });

export const evidenceHref = (assessmentId: string, evidenceId: string) => `${API_BASE}/assessments/${path(assessmentId, 'evidence', evidenceId)}`;

/**
 * A file sent as multipart (the JSON client sends JSON only): a fresh CSRF token, then the
 * form with the measure first and the file; errors become the same ApiError as elsewhere.
 */
export async function uploadEvidence(assessmentId: string, nodeId: string, file: File) {
  const call = async () => {
    const tokenRes = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const token = tokenRes.ok ? csrfResponseSchema.parse(await tokenRes.json()).token : null;
    const form = new FormData();
    form.append('nodeId', nodeId);
    form.append('file', file, file.name);
    return fetch(`${API_BASE}/assessments/${path(assessmentId)}/evidence`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(token ? { 'x-csrf-token': token } : {}) },
      body: form,
    });
  };
  let res: Response;
  try {
    res = await call();
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }
  if (res.ok) return evidenceSchema.parse(await res.json());
  const parsed = errorBodySchema.safeParse(await res.json().catch(() => null));
  if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.fields ?? []);
  throw new ApiError(res.status, res.status >= 500 ? 'internal' : 'validation', i18n.t('errors.unexpected', { status: String(res.status) }));
}

export const compareQuery = (id: string, withId: string) =>
  queryOptions({
    queryKey: ['assessment', 'compare', id, withId],
    queryFn: () => request(compareResponseSchema, `/assessments/${path(id)}/compare`, { query: { with: withId } }),
  });

/** Report exports, offered only when the server has them (see `reportLinksQuery`). */
export const reportHrefs = (id: string) => ({
  pdf: `${API_BASE}/assessments/${path(id)}/report.pdf`,
  csv: `${API_BASE}/assessments/${path(id)}/export.csv`,
  xlsx: `${API_BASE}/assessments/${path(id)}/export.xlsx`,
});

// --- Remediation plan ---------------------------------------------------------------------

export const actionsQuery = (orgId: string, filters: { status?: ActionStatus; ownerId?: string } = {}) =>
  queryOptions({
    queryKey: ['assessment', 'actions', orgId, filters],
    queryFn: () => request(actionListResponseSchema, '/plan/actions', { query: { orgId, ...filters } }),
  });

export const createAction = (body: Body<typeof createActionBodySchema>) => request(actionResponseSchema, '/plan/actions', { method: 'POST', body });

export const updateAction = (id: string, body: Body<typeof updateActionBodySchema>) =>
  request(actionResponseSchema, `/plan/actions/${path(id)}`, { method: 'PATCH', body });

export const deleteAction = (id: string) => request(okSchema, `/plan/actions/${path(id)}`, { method: 'DELETE' });

export const suggestionsQuery = (assessmentId: string) =>
  queryOptions({
    queryKey: ['assessment', 'suggestions', assessmentId],
    queryFn: () => request(suggestionsResponseSchema, `/assessments/${path(assessmentId)}/suggestions`),
  });

export const createFromSuggestions = (assessmentId: string, body: CreateFromSuggestionsBody) =>
  request(createFromSuggestionsResponseSchema, `/assessments/${path(assessmentId)}/suggestions`, { method: 'POST', body });

// --- Searches kept in the URL ---------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrUndefined = (value: unknown) => (typeof value === 'string' && UUID.test(value) ? value : undefined);
const compact = <T extends Record<string, unknown>>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** `/diagnostic/plan?vue=tableau&statut=todo&responsable=…&retard=1`: a bad value is dropped, the others kept. */
export interface PlanSearch {
  vue?: 'tableau';
  statut?: ActionStatus;
  responsable?: string;
  retard?: 1;
}
export function parsePlanSearch(search: Record<string, unknown>): PlanSearch {
  return compact({
    vue: search.vue === 'tableau' ? ('tableau' as const) : undefined,
    statut: (ACTION_STATUSES as readonly unknown[]).includes(search.statut) ? (search.statut as ActionStatus) : undefined,
    responsable: uuidOrUndefined(search.responsable),
    retard: search.retard === 1 || search.retard === '1' || search.retard === true ? (1 as const) : undefined,
  });
}

/** `/diagnostic/:id?mesure=…`: the measure to open and show. */
export const parseMeasureSearch = (search: Record<string, unknown>): { mesure?: string } => compact({ mesure: uuidOrUndefined(search.mesure) });

/** `/diagnostic/:id/resultats?avec=…`: the assessment to compare with. */
export const parseCompareSearch = (search: Record<string, unknown>): { avec?: string } => compact({ avec: uuidOrUndefined(search.avec) });

/** `/diagnostic/plan/nouvelle-action?diagnostic=…&mesure=…`: an action created from a gap. */
export const parseNewActionSearch = (search: Record<string, unknown>): { diagnostic?: string; mesure?: string } =>
  compact({ diagnostic: uuidOrUndefined(search.diagnostic), mesure: uuidOrUndefined(search.mesure) });

/** `/diagnostic/nouveau?referentiel=…`: the framework chosen beforehand. */
export const parseStartSearch = (search: Record<string, unknown>): { referentiel?: string } => compact({ referentiel: uuidOrUndefined(search.referentiel) });
