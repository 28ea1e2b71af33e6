import { queryOptions } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { csrfResponseSchema } from '../../../contracts/auth';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import type { Me } from '../../../contracts/identity';
import {
  attachmentSchema,
  followUpSchema,
  INCIDENT_ROLES,
  INDICATOR_TYPES,
  indicatorSchema,
  peopleResponseSchema,
  sharedIndicatorsResponseSchema,
  taskSchema,
  timelineEntrySchema,
  type addIndicatorBodySchema,
  type addTimelineEntryBodySchema,
  type createTaskBodySchema,
  type IndicatorType,
  type updateTaskBodySchema,
} from '../../../contracts/incidents';
import type { Role } from '../../../contracts/tenancy';
import { i18n } from '../../i18n';
import { API_BASE, ApiError, request } from '../../lib/api';

/**
 * The web side of an incident's follow-up: timeline (« main courante »), tasks, attachments,
 * indicators of compromise and their STIX export, and the indicators shared in the region.
 */

type Body<S extends z.ZodType> = z.input<S>;
const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export type FollowUp = z.infer<typeof followUpSchema>;
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
export type Task = z.infer<typeof taskSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type Person = z.infer<typeof peopleResponseSchema>['people'][number];

export const followUpKey = (incidentId: string) => ['incidents', 'follow-up', incidentId] as const;

export const followUpQuery = (incidentId: string) =>
  queryOptions({
    queryKey: followUpKey(incidentId),
    queryFn: () => request(followUpSchema, `/incidents/${path(incidentId)}/follow-up`),
  });

/** Who may own a task of this incident. */
export const peopleQuery = (incidentId: string) =>
  queryOptions({
    queryKey: ['incidents', 'people', incidentId],
    queryFn: () => request(peopleResponseSchema, `/incidents/${path(incidentId)}/people`),
    staleTime: 5 * 60_000,
  });

export const addTimelineEntry = (incidentId: string, body: Body<typeof addTimelineEntryBodySchema>) =>
  request(timelineEntrySchema, `/incidents/${path(incidentId)}/timeline`, { method: 'POST', body });

export const createTask = (incidentId: string, body: Body<typeof createTaskBodySchema>) =>
  request(taskSchema, `/incidents/${path(incidentId)}/tasks`, { method: 'POST', body });

export const updateTask = (incidentId: string, taskId: string, body: Body<typeof updateTaskBodySchema>) =>
  request(taskSchema, `/incidents/${path(incidentId, 'tasks', taskId)}`, { method: 'PATCH', body });

export const deleteAttachment = (incidentId: string, attachmentId: string) =>
  request(okSchema, `/incidents/${path(incidentId, 'attachments', attachmentId)}`, { method: 'DELETE' });

export const attachmentHref = (incidentId: string, attachmentId: string) => `${API_BASE}/incidents/${path(incidentId, 'attachments', attachmentId)}`;

export const addIndicator = (incidentId: string, body: Body<typeof addIndicatorBodySchema>) =>
  request(indicatorSchema, `/incidents/${path(incidentId)}/indicators`, { method: 'POST', body });

export const deleteIndicator = (incidentId: string, indicatorId: string) =>
  request(okSchema, `/incidents/${path(incidentId, 'indicators', indicatorId)}`, { method: 'DELETE' });

/** The incident's indicators as a STIX 2.1 bundle (a download). */
export const stixHref = (incidentId: string) => `${API_BASE}/incidents/${path(incidentId)}/stix`;

export const sharedIndicatorsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['incidents', 'shared-indicators', orgId],
    queryFn: () => request(sharedIndicatorsResponseSchema, '/incidents/shared-indicators', { query: { orgId } }),
  });

// --- Attachments: a multipart upload with its progress ---------------------------------------

/** What the server accepts (src/server/platform/files/upload.ts): said before the person chooses. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_ACCEPT = '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt,.ods,.txt,.csv';

function errorFrom(status: number, text: string): ApiError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) return new ApiError(status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.fields ?? []);
  return new ApiError(status, status >= 500 ? 'internal' : 'validation', i18n.t('errors.unexpected', { status: String(status) }));
}

/**
 * Sends one file (field `file`) with a fresh CSRF token; `onProgress` receives the share sent
 * (0 to 1). XMLHttpRequest rather than fetch: only it reports the upload's progress.
 */
export async function uploadAttachment(incidentId: string, file: File, onProgress: (share: number) => void): Promise<Attachment> {
  let token: string | null = null;
  try {
    const res = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    token = res.ok ? csrfResponseSchema.parse(await res.json()).token : null;
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }
  const form = new FormData();
  form.append('file', file, file.name);
  return new Promise<Attachment>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/incidents/${path(incidentId)}/attachments`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', i18n.t('errors.network')));
    xhr.onabort = () => reject(new ApiError(0, 'network', i18n.t('errors.network')));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(attachmentSchema.parse(JSON.parse(xhr.responseText)));
        } catch {
          reject(new ApiError(xhr.status, 'internal', i18n.t('errors.generic')));
        }
        return;
      }
      reject(errorFrom(xhr.status, xhr.responseText));
    };
    xhr.send(form);
  });
}

// --- Who may do what (the server decides; the page only hides what would be refused) -------

/** The roles the person holds over an establishment: there, or in the active organisation above it. */
function rolesOver(me: Me, orgId: string): Role[] {
  const roles = me.memberships.filter((m) => m.orgId === orgId).map((m) => m.role);
  const active = me.memberships.find((m) => m.orgId === me.activeOrgId);
  if (active && active.orgId !== orgId && (active.orgKind === 'ght' || active.orgKind === 'region')) roles.push(active.role);
  return roles;
}

/** May add to the follow-up of this establishment's incidents (RSSI, direction, GHT coordinator). */
export const mayFollow = (me: Me, orgId: string) => rolesOver(me, orgId).some((role) => (INCIDENT_ROLES.follow as readonly Role[]).includes(role));

/** Sees the indicators shared in the region, from the active organisation. */
export function seesSharedIndicators(me: Me): boolean {
  const role = me.memberships.find((m) => m.orgId === me.activeOrgId)?.role;
  return role !== undefined && ([...INCIDENT_ROLES.follow, ...INCIDENT_ROLES.region] as readonly Role[]).includes(role);
}

// --- The shared-indicators page's search, kept in the URL -----------------------------------

export interface SharedIndicatorsSearch {
  type?: IndicatorType;
}

export function parseSharedIndicatorsSearch(search: Record<string, unknown>): SharedIndicatorsSearch {
  const type = search.type;
  return typeof type === 'string' && (INDICATOR_TYPES as readonly string[]).includes(type) ? { type: type as IndicatorType } : {};
}

// --- Dates, times and sizes as people read them, in Europe/Paris ----------------------------

const TIME_ZONE = 'Europe/Paris';
const toDate = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);

function parisParts(date: Date): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const out: Record<string, number> = {};
  for (const part of parts) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Now (or `date`) as the value of a datetime-local field, in Paris: « 2026-03-02T14:05 ». */
export function parisLocalInput(date = new Date()): string {
  const p = parisParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Today in Paris, as AAAA-MM-JJ. */
export const parisToday = (now = new Date()) => parisLocalInput(now).slice(0, 10);

/** The value of a datetime-local field, read as Paris time, as an ISO instant; null when it is not a date. */
export function parisLocalToIso(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offset of Paris at that moment (tried twice: the first guess may sit across a change of hour).
  const offsetAt = (instant: number) => {
    const p = parisParts(new Date(instant));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - instant;
  };
  let instant = wall - offsetAt(wall);
  instant = wall - offsetAt(instant);
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** « lundi 3 mars 2026 à 14 h 05 », « lundi 3 mars 2026 », « 350 Ko », « 2,4 Mo ». */
export function useFollowFormat() {
  const { i18n: current, t } = useTranslation();
  const english = current.language === 'en';
  const locale = english ? 'en-GB' : 'fr-FR';
  const dateFormat = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, dateStyle: 'full' });
  const time = (iso: string) => {
    const p = parisParts(toDate(iso));
    return english ? `${pad(p.hour)}:${pad(p.minute)}` : `${p.hour}\u00a0h\u00a0${pad(p.minute)}`;
  };
  return {
    date: (iso: string) => dateFormat.format(toDate(iso)),
    time,
    dateTime: (iso: string) => t('incidents.follow.format.dateTime', { date: dateFormat.format(toDate(iso)), time: time(iso) }),
    size: (bytes: number) =>
      bytes < 1024 * 1024
        ? t('incidents.follow.format.kilobytes', { value: String(Math.max(1, Math.round(bytes / 1024))) })
        : t('incidents.follow.format.megabytes', { value: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024)) }),
  };
}

/** The message of an error, with the fields' messages when the server named fields. */
export const messageOf = (error: unknown) =>
  error instanceof ApiError && error.fields.length > 0 ? error.fields.map((field) => field.message).join(' ') : error instanceof Error ? error.message : String(error);
