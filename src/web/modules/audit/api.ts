import type { z } from 'zod';
import { queryOptions } from '@tanstack/react-query';
import { auditListResponseSchema, auditQuerySchema, auditVerifyResponseSchema } from '../../../contracts/audit';
import { API_BASE, buildQuery, request } from '../../lib/api';

/** The journal's filters, as kept in the page's URL and sent to the API. */
export const auditFilterSchema = auditQuerySchema.pick({ action: true, actor: true, outcome: true, from: true, to: true });
export type AuditFilters = z.output<typeof auditFilterSchema>;
type AuditSearch = AuditFilters & { page?: number };

/** Reads the search params leniently: a bad value is dropped, the good ones are kept. */
export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  const candidate: Record<string, unknown> = {};
  for (const key of Object.keys(auditFilterSchema.shape)) {
    if (search[key] !== undefined && search[key] !== '') candidate[key] = search[key];
  }
  let filters = auditFilterSchema.safeParse(candidate);
  if (!filters.success) {
    for (const issue of filters.error.issues) delete candidate[String(issue.path[0])];
    filters = auditFilterSchema.safeParse(candidate);
  }
  const page = auditQuerySchema.shape.page.safeParse(search.page ?? 1);
  return { ...(filters.success ? filters.data : {}), ...(page.success && page.data > 1 ? { page: page.data } : {}) };
}

export const auditQuery = (orgId: string | null, search: AuditSearch, pageSize?: number) =>
  queryOptions({
    queryKey: ['audit', orgId, search, pageSize],
    queryFn: () => request(auditListResponseSchema, '/audit', { query: { orgId, ...search, pageSize } }),
  });

export const verifyAudit = () => request(auditVerifyResponseSchema, '/audit/verify');

export const auditExportHref = (orgId: string | null, filters: AuditFilters) => `${API_BASE}/audit/export.csv${buildQuery({ orgId, ...filters })}`;
