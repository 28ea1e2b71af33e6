import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Platform } from '../context';
import { metaOf } from '../http/access';
import { notFound } from '../http/errors';
import { memberships, users } from '../tenancy/schema';
import { describeOidcFailure, newOidcChecks, type OidcChecks, type OidcClient, type OidcIdentity } from './oidc';
import { setSessionCookie } from './plugin';
import { externalIdentities } from './schema';

/** Holds state, nonce and PKCE verifier between the start and the callback, sealed (AES-GCM). */
export const OIDC_COOKIE = '__Host-hygie_oidc';
const OIDC_COOKIE_TTL_MS = 10 * 60_000;
const cookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } as const;

/** Where the callback sends the browser back: the login page explains `erreur`. */
const LOGIN_ERROR = {
  session: '/connexion?erreur=oidc_session',
  refused: '/connexion?erreur=oidc_refus',
  unknown: '/connexion?erreur=compte_inconnu',
  disabled: '/connexion?erreur=compte_desactive',
} as const;

const tags = ['auth'];
type User = typeof users.$inferSelect;

interface SealedChecks extends OidcChecks {
  purpose: 'oidc';
  exp: number;
}

/**
 * Pro Santé Connect login: `start` sends the browser to the provider, `callback` takes it
 * back, checks everything, and opens a session for an account that already exists (accounts
 * are created by invitation only). The code and state in the callback URL are never logged
 * (see logging.ts) nor written to the audit log.
 */
export async function oidcRoutes(app: FastifyInstance, { platform, oidc }: { platform: Platform; oidc: OidcClient | null }) {
  const { db } = platform;

  const seal = (checks: OidcChecks): string =>
    platform.secrets.seal(JSON.stringify({ purpose: 'oidc', ...checks, exp: platform.clock.now().getTime() + OIDC_COOKIE_TTL_MS } satisfies SealedChecks));

  const unseal = (value: string | undefined): OidcChecks | null => {
    if (!value) return null;
    try {
      const data = JSON.parse(platform.secrets.open(value)) as Partial<SealedChecks>;
      const { state, nonce, codeVerifier, exp } = data;
      if (data.purpose !== 'oidc' || typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') return null;
      if (typeof exp !== 'number' || exp <= platform.clock.now().getTime()) return null;
      return { state, nonce, codeVerifier };
    } catch {
      return null; // tampered, truncated or sealed with another key
    }
  };

  const redirect = (reply: FastifyReply, location: string) => reply.header('cache-control', 'no-store').redirect(location, 302);

  const refuse = async (request: FastifyRequest, reply: FastifyReply, location: string, details: Record<string, unknown>, user?: Pick<User, 'id' | 'email'>) => {
    await platform.audit({ action: 'auth.oidc', outcome: 'failure', actorId: user?.id ?? null, actorLabel: user?.email ?? null, ip: request.ip, details });
    request.log.warn({ oidc: details }, 'connexion OIDC refusée');
    return redirect(reply, location);
  };

  const primaryOrg = async (userId: string): Promise<string | null> => {
    const [m] = await db.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId)).limit(1);
    return m?.orgId ?? null;
  };

  /**
   * The Hygie account of an external identity: the one already linked (issuer, subject),
   * else an active account with the same e-mail, verified by the provider, which gets linked.
   */
  const findAccount = async (request: FastifyRequest, identity: OidcIdentity): Promise<{ user: User | null; reason?: string }> => {
    const [linked] = await db
      .select({ user: users })
      .from(externalIdentities)
      .innerJoin(users, eq(users.id, externalIdentities.userId))
      .where(and(eq(externalIdentities.issuer, identity.issuer), eq(externalIdentities.subject, identity.subject)));
    if (linked) return { user: linked.user };

    if (!identity.email) return { user: null, reason: 'unknown_account' };
    if (!identity.emailVerified) return { user: null, reason: 'email_not_verified' };
    const [candidate] = await db.select().from(users).where(eq(users.email, identity.email));
    if (!candidate) return { user: null, reason: 'unknown_account' };
    if (candidate.status !== 'active') return { user: candidate }; // never linked; refused as disabled below

    // One identity per provider and account: another subject claiming the same address is refused.
    const [other] = await db
      .select({ id: externalIdentities.id })
      .from(externalIdentities)
      .where(and(eq(externalIdentities.userId, candidate.id), eq(externalIdentities.issuer, identity.issuer)));
    if (other) return { user: null, reason: 'already_linked' };

    const orgId = await primaryOrg(candidate.id);
    const linkedNow = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(externalIdentities)
        .values({ userId: candidate.id, issuer: identity.issuer, subject: identity.subject, createdAt: platform.clock.now() })
        .onConflictDoNothing()
        .returning({ userId: externalIdentities.userId });
      if (row) {
        await platform.audit(
          {
            action: 'auth.oidc.linked',
            actorId: candidate.id,
            actorLabel: candidate.email,
            orgId,
            targetType: 'user',
            targetId: candidate.id,
            ip: request.ip,
            details: { issuer: identity.issuer, subject: identity.subject },
          },
          tx,
        );
      }
      return row?.userId ?? null;
    });
    if (linkedNow) return { user: candidate };
    // Linked meanwhile by a concurrent login: take whatever the link now says.
    const [raced] = await db
      .select({ user: users })
      .from(externalIdentities)
      .innerJoin(users, eq(users.id, externalIdentities.userId))
      .where(and(eq(externalIdentities.issuer, identity.issuer), eq(externalIdentities.subject, identity.subject)));
    return raced ? { user: raced.user } : { user: null, reason: 'unknown_account' };
  };

  app.get('/auth/oidc/start', {
    config: { access: 'public' },
    schema: { tags, summary: 'Connexion externe : redirection vers le fournisseur OpenID Connect' },
    handler: async (_request, reply) => {
      if (!oidc) throw notFound('La connexion externe n’est pas activée sur ce serveur.');
      const checks = newOidcChecks();
      const location = await oidc.authorizationUrl(checks);
      reply.setCookie(OIDC_COOKIE, seal(checks), { ...cookieOptions, maxAge: OIDC_COOKIE_TTL_MS / 1000 });
      return redirect(reply, location);
    },
  });

  app.get('/auth/oidc/callback', {
    config: { access: 'public' },
    schema: { tags, summary: 'Connexion externe : retour du fournisseur OpenID Connect' },
    handler: async (request, reply) => {
      if (!oidc) throw notFound('La connexion externe n’est pas activée sur ce serveur.');
      const checks = unseal(request.cookies[OIDC_COOKIE]);
      reply.clearCookie(OIDC_COOKIE, cookieOptions);
      if (!checks) return refuse(request, reply, LOGIN_ERROR.session, { reason: 'no_pending_login' });

      // The URL the provider redirected to, as registered (PUBLIC_URL), with its parameters.
      const current = new URL(oidc.redirectUri);
      const query = request.url.indexOf('?');
      current.search = query >= 0 ? request.url.slice(query) : '';

      let identity: OidcIdentity;
      try {
        identity = await oidc.callback(current, checks);
      } catch (err) {
        return refuse(request, reply, LOGIN_ERROR.refused, describeOidcFailure(err));
      }

      const { user, reason } = await findAccount(request, identity);
      if (!user) {
        return refuse(request, reply, LOGIN_ERROR.unknown, {
          reason: reason ?? 'unknown_account',
          issuer: identity.issuer,
          subject: identity.subject,
          emailVerified: identity.emailVerified,
        });
      }
      if (user.status !== 'active') return refuse(request, reply, LOGIN_ERROR.disabled, { reason: 'disabled', issuer: identity.issuer }, user);

      // A new login always starts a new session: the old one (if any) is dropped.
      if (request.session) await platform.sessions.revoke(request.session.tokenHash);
      const meta = metaOf(request);
      const orgId = await primaryOrg(user.id);
      // The provider's eIDAS substantial authentication is a strong authentication: no TOTP on top.
      const created = await platform.sessions.create({ userId: user.id, mfaState: 'verified', method: 'oidc', ip: meta.ip, userAgent: meta.userAgent, activeOrgId: orgId });
      setSessionCookie(reply, created.token, platform.config.sessionMaxHours);
      await db.update(users).set({ lastLoginAt: platform.clock.now() }).where(eq(users.id, user.id));
      await platform.audit({ action: 'auth.login', actorId: user.id, actorLabel: user.email, orgId, ip: meta.ip, details: { method: 'oidc', acr: identity.acr } });
      return redirect(reply, '/');
    },
  });
}
