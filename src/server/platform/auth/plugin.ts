import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { Platform } from '../context';
import { AppError, mfaRequired, unauthenticated } from '../http/errors';
import { loadActor } from '../tenancy/service';
import { safeEqual } from './crypto';
import { SESSION_COOKIE } from './sessions';

export function setSessionCookie(reply: FastifyReply, token: string, maxHours: number) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: maxHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Loads the session and the actor, then enforces the route's declared access:
 * deny by default, CSRF token on every state change made with a session.
 */
export const authPlugin = fp(async (app: FastifyInstance, { platform }: { platform: Platform }) => {
  await app.register(cookie);
  app.decorateRequest('session', null);
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1') && !route.config?.access) {
      throw new Error(`Route ${route.method} ${route.url} declares no access: add config.access`);
    }
  });

  // preValidation: authenticate before validating input (a stranger learns nothing of the schema).
  app.addHook('preValidation', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    if (!request.url.startsWith('/api/v1') || request.is404) return;
    if (!access) throw new AppError(403, 'forbidden', 'Accès refusé.');

    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await platform.sessions.find(token) : null;
    if (token && !session) clearSessionCookie(reply);
    request.session = session;

    if (session && UNSAFE.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        throw new AppError(403, 'csrf', 'Jeton de sécurité manquant ou périmé : rechargez la page et recommencez.');
      }
    }
    if (access === 'public') return;
    if (!session) throw unauthenticated();
    if (access === 'session') return;
    if (session.mfaState === 'pending') throw mfaRequired();
    if (session.mfaState === 'enrol') {
      throw new AppError(401, 'mfa_enrolment_required', 'Activez la double authentification pour continuer : elle est obligatoire pour votre rôle.');
    }
    const actor = await loadActor(platform.db, session.userId, session.activeOrgId);
    if (!actor) {
      await platform.sessions.revoke(session.tokenHash);
      clearSessionCookie(reply);
      throw unauthenticated();
    }
    request.actor = actor;
  });
});
