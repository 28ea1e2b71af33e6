import type { z } from 'zod';
import { csrfResponseSchema } from '../../contracts/auth';
import { errorBodySchema, type ErrorBody } from '../../contracts/common';
import { i18n } from '../i18n';

export const API_BASE = '/api/v1';

type ErrorCode = ErrorBody['error']['code'];
interface FieldError {
  path: string;
  message: string;
}

/** An error answer of the API, or a network failure (status 0, code "network"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type QueryValue = string | number | boolean | null | undefined;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, QueryValue>;
  /**
   * When false, a 401 is handed back to the caller instead of sending the person to the
   * sign-in page: for the sign-in pages themselves and the public pages.
   */
  redirectOnAuthError?: boolean;
}

type AuthRedirect = (code: 'unauthenticated' | 'mfa_required' | 'mfa_enrolment_required') => void;
let authRedirect: AuthRedirect | null = null;
/** The app installs here how to send the person to the sign-in page (or to the code page). */
export function setAuthRedirect(handler: AuthRedirect): void {
  authRedirect = handler;
}

let csrfToken: Promise<string | null> | null = null;

/** Forget the CSRF token: it changes with each new session (login, MFA, logout). */
export function resetCsrfToken(): void {
  csrfToken = null;
}

async function fetchCsrfToken(): Promise<string | null> {
  const res = await fetch(`${API_BASE}/auth/csrf`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  // Without a session there is no token, and public requests need none.
  if (!res.ok) return null;
  return csrfResponseSchema.parse(await res.json()).token;
}

function csrf(): Promise<string | null> {
  if (!csrfToken) {
    csrfToken = fetchCsrfToken().then(
      (token) => {
        if (token === null) csrfToken = null;
        return token;
      },
      () => {
        csrfToken = null;
        return null;
      },
    );
  }
  return csrfToken;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, fields } = parsed.data.error;
    return new ApiError(res.status, code, message, fields ?? []);
  }
  return new ApiError(res.status, res.status >= 500 ? 'internal' : 'validation', i18n.t('errors.unexpected', { status: String(res.status) }));
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = await csrf();
    if (token) headers['x-csrf-token'] = token;
  }
  try {
    return await fetch(`${API_BASE}${path}${buildQuery(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }
}

/** Call the API and check the answer against its contract schema. */
export async function request<S extends z.ZodType>(schema: S, path: string, options: RequestOptions = {}): Promise<z.output<S>> {
  let res = await send(path, options);
  let error = res.ok ? null : await toApiError(res);
  if (error?.status === 403 && error.code === 'csrf') {
    resetCsrfToken();
    res = await send(path, options);
    error = res.ok ? null : await toApiError(res);
  }
  if (error) {
    if (error.status === 401) resetCsrfToken();
    const authCode =
      error.code === 'mfa_required' || error.code === 'mfa_enrolment_required' || (error.status === 401 && error.code === 'unauthenticated') ? error.code : null;
    if (authCode && options.redirectOnAuthError !== false) authRedirect?.(authCode);
    throw error;
  }
  return schema.parse(await res.json());
}
