import type { FastifyRequest } from 'fastify';
import type { Actor, AnyRule, Policy } from '../access/engine';
import type { Session } from '../auth/sessions';
import type { RequestMeta } from '../context';
import { unauthenticated } from './errors';

/**
 * What a route needs, declared on every /api/v1 route (a test fails otherwise):
 * - 'public': anyone;
 * - 'session': a session, even one still waiting for its second factor (login steps);
 * - 'signed-in': a fully signed-in actor acting on his own account only;
 * - a policy and the actions its service checks: a fully signed-in actor.
 */
export type RouteAccess =
  | 'public'
  | 'session'
  | 'signed-in'
  | { policy: Policy<Record<string, AnyRule>>; actions: readonly string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    session: Session | null;
    actor: Actor | null;
  }
}

/** The signed-in actor; the access hook guarantees it on policy routes. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function sessionOf(request: FastifyRequest): Session {
  if (!request.session) throw unauthenticated();
  return request.session;
}

export const metaOf = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
});

export const policyAccess = <R extends Record<string, AnyRule>>(policy: Policy<R>, ...actions: (keyof R & string)[]): RouteAccess => ({
  policy: policy as unknown as Policy<Record<string, AnyRule>>,
  actions,
});
