import { z } from 'zod';
import { queryOptions } from '@tanstack/react-query';
import {
  loginResponseSchema,
  mfaEnrolStartResponseSchema,
  oidcInfoResponseSchema,
  recoveryCodesResponseSchema,
  resetInfoResponseSchema,
  type changePasswordBodySchema,
  type loginBodySchema,
  type resetConfirmBodySchema,
} from '../../../contracts/auth';
import { okSchema } from '../../../contracts/common';
import {
  invitationListResponseSchema,
  invitationPreviewResponseSchema,
  invitationResponseSchema,
  mailListResponseSchema,
  meResponseSchema,
  orgResponseSchema,
  orgListResponseSchema,
  userListResponseSchema,
  type acceptInvitationBodySchema,
  type createInvitationBodySchema,
  type createOrgBodySchema,
  type setMembershipBodySchema,
  type setUserStatusBodySchema,
  type updateOrgBodySchema,
  type updateProfileBodySchema,
} from '../../../contracts/identity';
import { request, resetCsrfToken } from '../../lib/api';

type Body<S extends z.ZodType> = z.output<S>;

// --- Session ---------------------------------------------------------------------

/** Who is signed in; the signed-in area loads it first. */
export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: () => request(meResponseSchema, '/me'),
  staleTime: 60_000,
});

/** The same, for public pages that only want to know whether someone is signed in. */
export const optionalMeQuery = queryOptions({
  queryKey: ['me', 'optional'],
  queryFn: () => request(meResponseSchema, '/me', { redirectOnAuthError: false }).catch(() => null),
});

export const oidcQuery = queryOptions({
  queryKey: ['oidc'],
  queryFn: () => request(oidcInfoResponseSchema, '/auth/oidc', { redirectOnAuthError: false }),
  staleTime: Infinity,
});

/** Each of these starts or ends a session, whose CSRF token is new. */
async function changesSession<T>(call: Promise<T>): Promise<T> {
  const result = await call;
  resetCsrfToken();
  return result;
}

export const login = (body: Body<typeof loginBodySchema>) =>
  changesSession(request(loginResponseSchema, '/auth/login', { method: 'POST', body, redirectOnAuthError: false }));

export const verifyMfa = (code: string) =>
  changesSession(request(okSchema, '/auth/mfa', { method: 'POST', body: { code }, redirectOnAuthError: false }));

export const logout = () => changesSession(request(okSchema, '/auth/logout', { method: 'POST', redirectOnAuthError: false }));

export const startMfaEnrolment = () => request(mfaEnrolStartResponseSchema, '/auth/mfa/enrol', { method: 'POST' });

export const confirmMfaEnrolment = (code: string) =>
  changesSession(request(recoveryCodesResponseSchema, '/auth/mfa/enrol/confirm', { method: 'POST', body: { code } }));

export const renewRecoveryCodes = () => request(recoveryCodesResponseSchema, '/auth/mfa/recovery-codes', { method: 'POST' });

// --- Passwords -------------------------------------------------------------------

const publicCall = { method: 'POST', redirectOnAuthError: false } as const;

export const requestPasswordReset = (email: string) => request(okSchema, '/auth/password/reset-request', { ...publicCall, body: { email } });

export const passwordResetInfo = (token: string) => request(resetInfoResponseSchema, '/auth/password/reset/info', { ...publicCall, body: { token } });

export const resetPassword = (body: Body<typeof resetConfirmBodySchema>) => request(okSchema, '/auth/password/reset', { ...publicCall, body });

export const changePassword = (body: Body<typeof changePasswordBodySchema>) =>
  request(okSchema, '/auth/password/change', { method: 'POST', body });

// --- Profile and active organisation ----------------------------------------------

export const updateProfile = (body: Body<typeof updateProfileBodySchema>) => request(meResponseSchema, '/me', { method: 'PATCH', body });

export const switchOrganisation = (orgId: string) =>
  request(meResponseSchema, '/me/active-organisation', { method: 'POST', body: { orgId } });

// --- Organisations ----------------------------------------------------------------

export const organisationsQuery = (under: string | null) =>
  queryOptions({
    queryKey: ['organisations', under],
    queryFn: () => request(orgListResponseSchema, '/organisations', { query: { under } }),
  });

export const createOrganisation = (body: Body<typeof createOrgBodySchema>) =>
  request(orgResponseSchema, '/organisations', { method: 'POST', body });

export const updateOrganisation = (id: string, body: Body<typeof updateOrgBodySchema>) =>
  request(orgResponseSchema, `/organisations/${encodeURIComponent(id)}`, { method: 'PATCH', body });

// --- Users ------------------------------------------------------------------------

export const usersQuery = (orgId: string, q: string | undefined) =>
  queryOptions({
    queryKey: ['users', orgId, q ?? ''],
    queryFn: () => request(userListResponseSchema, '/users', { query: { orgId, q } }),
  });

export const setUserStatus = (userId: string, body: Body<typeof setUserStatusBodySchema>) =>
  request(okSchema, `/users/${encodeURIComponent(userId)}/status`, { method: 'POST', body });

export const setMembership = (userId: string, body: Body<typeof setMembershipBodySchema>) =>
  request(okSchema, `/users/${encodeURIComponent(userId)}/membership`, { method: 'PUT', body });

export const removeMembership = (userId: string, orgId: string) =>
  request(okSchema, `/users/${encodeURIComponent(userId)}/membership`, { method: 'DELETE', query: { orgId } });

// --- Invitations --------------------------------------------------------------------

export const invitationsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ['invitations', orgId],
    queryFn: () => request(invitationListResponseSchema, '/invitations', { query: { orgId } }),
  });


export const createInvitation = (body: Body<typeof createInvitationBodySchema>) =>
  request(invitationResponseSchema, '/invitations', { method: 'POST', body });

export const revokeInvitation = (id: string) => request(okSchema, `/invitations/${encodeURIComponent(id)}/revoke`, { method: 'POST' });

export const previewInvitation = (token: string) =>
  request(invitationPreviewResponseSchema, '/invitations/preview', { ...publicCall, body: { token } });

export const acceptInvitation = (body: Body<typeof acceptInvitationBodySchema>) =>
  request(okSchema, '/invitations/accept', { ...publicCall, body });

// --- Mails kept in the database -------------------------------------------------------

export const mailsQuery = queryOptions({
  queryKey: ['mails'],
  queryFn: () => request(mailListResponseSchema, '/admin/mails'),
});
