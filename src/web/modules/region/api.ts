import type { z } from 'zod';
import { queryOptions } from '@tanstack/react-query';
import { frameworkListResponseSchema } from '../../../contracts/assessment';
import {
  benchmarkSchema,
  campaignDetailSchema,
  campaignListResponseSchema,
  declarationResponseSchema,
  observatoryEstablishmentsResponseSchema,
  observatorySchema,
  programmeListResponseSchema,
  programmeResponseSchema,
  remindResponseSchema,
  type createCampaignBodySchema,
  type createProgrammeBodySchema,
  type declareBodySchema,
  type reviewBodySchema,
} from '../../../contracts/assessment-region';
import { orgListResponseSchema } from '../../../contracts/identity';
import { API_BASE, buildQuery, request } from '../../lib/api';

type Body<S extends z.ZodType> = z.input<S>;
const id = (value: string) => encodeURIComponent(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// --- Campaigns --------------------------------------------------------------------------

export const campaignsQuery = (orgId: string) =>
  queryOptions({ queryKey: ['region', 'campaigns', orgId], queryFn: () => request(campaignListResponseSchema, '/campaigns', { query: { orgId } }) });

export const campaignQuery = (campaignId: string) =>
  queryOptions({ queryKey: ['region', 'campaign', campaignId], queryFn: () => request(campaignDetailSchema, `/campaigns/${id(campaignId)}`) });

export const createCampaign = (body: Body<typeof createCampaignBodySchema>) => request(campaignDetailSchema, '/campaigns', { method: 'POST', body });
export const remindCampaign = (campaignId: string) => request(remindResponseSchema, `/campaigns/${id(campaignId)}/remind`, { method: 'POST' });

/** The référentiels a campaign may use. */
export const frameworksQuery = queryOptions({
  queryKey: ['assessment', 'frameworks'],
  queryFn: () => request(frameworkListResponseSchema, '/frameworks'),
});

/** The establishments below the active region or GHT. */
export const establishmentsUnderQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['organisations', orgId, 'establishment'],
    queryFn: () => request(orgListResponseSchema, '/organisations', { query: { under: orgId, kind: 'establishment' } }),
  });

// --- Funding ------------------------------------------------------------------------------

export const programmesQuery = (orgId: string) =>
  queryOptions({ queryKey: ['region', 'programmes', orgId], queryFn: () => request(programmeListResponseSchema, '/funding/programmes', { query: { orgId } }) });

export const createProgramme = (body: Body<typeof createProgrammeBodySchema>) => request(programmeResponseSchema, '/funding/programmes', { method: 'POST', body });

export const declareMilestone = (milestoneId: string, body: Body<typeof declareBodySchema>) =>
  request(declarationResponseSchema, `/funding/milestones/${id(milestoneId)}/declarations`, { method: 'POST', body });

export const reviewMilestone = (milestoneId: string, body: Body<typeof reviewBodySchema>) =>
  request(declarationResponseSchema, `/funding/milestones/${id(milestoneId)}/review`, { method: 'POST', body });

// --- Observatory --------------------------------------------------------------------------

/** The observatory's selectors, kept in the page's URL. */
export interface ObservatorySearch {
  referentiel?: string;
  campagne?: string;
}

export function parseObservatorySearch(search: Record<string, unknown>): ObservatorySearch {
  const pick = (value: unknown) => (typeof value === 'string' && UUID.test(value) ? value : undefined);
  const referentiel = pick(search.referentiel);
  const campagne = pick(search.campagne);
  return { ...(referentiel ? { referentiel } : {}), ...(campagne ? { campagne } : {}) };
}

const observatoryParams = (orgId: string | null, search: ObservatorySearch) => ({ orgId, frameworkId: search.referentiel, campaignId: search.campagne });

export const observatoryQuery = (orgId: string | null, search: ObservatorySearch) =>
  queryOptions({
    queryKey: ['region', 'observatory', orgId, search],
    queryFn: () => request(observatorySchema, '/observatory', { query: observatoryParams(orgId, search) }),
  });

export const observatoryEstablishmentsQuery = (orgId: string | null, search: ObservatorySearch) =>
  queryOptions({
    queryKey: ['region', 'observatory', 'establishments', orgId, search],
    queryFn: () => request(observatoryEstablishmentsResponseSchema, '/observatory/establishments', { query: { ...observatoryParams(orgId, search), pageSize: 200 } }),
  });

export const observatoryExportHref = (orgId: string | null, search: ObservatorySearch) => `${API_BASE}/observatory/export.csv${buildQuery(observatoryParams(orgId, search))}`;

export const benchmarkQuery = (orgId: string, frameworkId?: string) =>
  queryOptions({ queryKey: ['region', 'benchmark', orgId, frameworkId], queryFn: () => request(benchmarkSchema, '/observatory/benchmark', { query: { orgId, frameworkId } }) });
