import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  changePasswordBodySchema,
  csrfResponseSchema,
  loginBodySchema,
  loginResponseSchema,
  mfaBodySchema,
  mfaEnrolConfirmBodySchema,
  mfaEnrolStartResponseSchema,
  oidcInfoResponseSchema,
  recoveryCodesResponseSchema,
  resetConfirmBodySchema,
  resetInfoBodySchema,
  resetInfoResponseSchema,
  resetRequestBodySchema,
} from '../../../contracts/auth';
import { okSchema } from '../../../contracts/common';
import type { Platform } from '../context';
import { actorOf, metaOf, sessionOf } from '../http/access';
import { clearSessionCookie, setSessionCookie } from './plugin';
import { AuthService } from './service';

const tags = ['auth'];

export async function authRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const auth = new AuthService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const maxHours = platform.config.sessionMaxHours;
  /** Volume limit of the endpoints open without a session, per address and process; brute force is throttled in the database. */
  const anonymousLimit = { max: platform.config.rateLimitPerMinute, timeWindow: '1 minute' };

  r.get('/auth/csrf', {
    config: { access: 'session' },
    schema: { tags, summary: 'Jeton anti-CSRF de la session', response: { 200: csrfResponseSchema } },
    handler: async (request) => ({ token: sessionOf(request).csrfToken }),
  });

  r.post('/auth/login', {
    config: { access: 'public', rateLimit: anonymousLimit },
    schema: { tags, summary: 'Connexion par adresse e-mail et mot de passe', body: loginBodySchema, response: { 200: loginResponseSchema } },
    handler: async (request, reply) => {
      // A new login always starts a new session: the old one (if any) is dropped.
      if (request.session) await platform.sessions.revoke(request.session.tokenHash);
      const result = await auth.login(metaOf(request), request.body.email, request.body.password);
      setSessionCookie(reply, result.token, maxHours);
      return { mfaRequired: result.mfaRequired, mfaEnrollmentRequired: result.mfaEnrollmentRequired };
    },
  });

  r.post('/auth/mfa', {
    config: { access: 'session', rateLimit: anonymousLimit },
    schema: { tags, summary: 'Second facteur : code TOTP ou code de secours', body: mfaBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await auth.completeMfa(sessionOf(request), metaOf(request), request.body.code);
      return { ok: true as const };
    },
  });

  r.post('/auth/logout', {
    config: { access: 'session' },
    schema: { tags, summary: 'Déconnexion (la session est supprimée côté serveur)', response: { 200: okSchema } },
    handler: async (request, reply) => {
      await auth.logout(sessionOf(request), metaOf(request));
      clearSessionCookie(reply);
      return { ok: true as const };
    },
  });

  r.post('/auth/mfa/enrol', {
    config: { access: 'session' },
    schema: { tags, summary: 'Commencer l’activation de la double authentification', response: { 200: mfaEnrolStartResponseSchema } },
    handler: async (request) => auth.startEnrolment(sessionOf(request)),
  });

  r.post('/auth/mfa/enrol/confirm', {
    config: { access: 'session' },
    schema: { tags, summary: 'Confirmer l’activation avec un premier code', body: mfaEnrolConfirmBodySchema, response: { 200: recoveryCodesResponseSchema } },
    handler: async (request) => ({ recoveryCodes: await auth.confirmEnrolment(sessionOf(request), metaOf(request), request.body.code) }),
  });

  r.post('/auth/mfa/recovery-codes', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Générer de nouveaux codes de secours', response: { 200: recoveryCodesResponseSchema } },
    handler: async (request) => ({ recoveryCodes: await auth.regenerateRecoveryCodes(actorOf(request).userId, metaOf(request)) }),
  });

  r.post('/auth/password/reset-request', {
    config: { access: 'public', rateLimit: anonymousLimit },
    schema: { tags, summary: 'Demander un lien de réinitialisation du mot de passe', body: resetRequestBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await auth.requestReset(metaOf(request), request.body.email);
      return { ok: true as const };
    },
  });

  r.post('/auth/password/reset/info', {
    config: { access: 'public', rateLimit: anonymousLimit },
    schema: { tags, summary: 'Ce que demande un lien de réinitialisation', body: resetInfoBodySchema, response: { 200: resetInfoResponseSchema } },
    handler: async (request) => auth.resetInfo(request.body.token),
  });

  r.post('/auth/password/reset', {
    config: { access: 'public', rateLimit: anonymousLimit },
    schema: { tags, summary: 'Choisir un nouveau mot de passe avec le lien reçu', body: resetConfirmBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await auth.resetPassword(metaOf(request), request.body);
      return { ok: true as const };
    },
  });

  r.post('/auth/password/change', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Changer son mot de passe', body: changePasswordBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await auth.changePassword(sessionOf(request), metaOf(request), request.body.currentPassword, request.body.newPassword);
      return { ok: true as const };
    },
  });

  r.get('/auth/oidc', {
    config: { access: 'public' },
    schema: { tags, summary: 'Connexion externe OpenID Connect disponible ?', response: { 200: oidcInfoResponseSchema } },
    handler: async () => ({ enabled: Boolean(platform.config.oidc), label: platform.config.oidc?.label ?? null }),
  });
}
