import { createHash, randomBytes } from 'node:crypto';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Feed } from 'feed';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import { createdFeedTokenSchema, feedTokenListSchema } from '../../../contracts/incidents';
import { requireAccess, type Actor } from '../../platform/access/engine';
import type { Platform, RequestMeta } from '../../platform/context';
import { actorOf, metaOf } from '../../platform/http/access';
import { AppError, conflict, notFound } from '../../platform/http/errors';
import { users } from '../../platform/tenancy/schema';
import { alertPath, SEVERITY_LABELS, type AlertRow, type AlertService } from './alerts';
import { incidentPolicy as policy } from './policy';
import { feedTokens } from './schema';

/** A person keeps at most this many live feed links (one per feed reader is plenty). */
export const MAX_FEED_TOKENS = 5;
/** Entries in the feed: the newest alerts. */
export const FEED_ENTRIES = 50;
export const FEED_PATH = '/api/v1/feeds/alerts.atom';

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** 401 for any token that does not open a feed (unknown, revoked, its owner disabled): nothing else is said. */
const badToken = () =>
  new AppError(401, 'unauthenticated', 'Ce lien de flux d’alertes n’est pas valide ou a été révoqué. Créez un nouveau lien dans Hygie, depuis votre profil.', undefined, {
    'www-authenticate': 'Bearer realm="hygie-alerts"',
  });

/** Text for the feed's HTML fields (Atom `type="html"`): special characters escaped, line breaks kept. */
function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}

function entryContent(a: AlertRow, regionName: string): string {
  const parts = [`<p><strong>Gravité : ${html(SEVERITY_LABELS[a.severity])}</strong> — alerte de ${html(regionName)}</p>`, `<p>${html(a.summary)}</p>`];
  if (a.products.length) parts.push(`<p>Produits concernés : ${html(a.products.join(', '))}</p>`);
  if (a.whatToCheck) parts.push('<h2>Ce qu’il faut vérifier</h2>', `<p>${html(a.whatToCheck)}</p>`);
  if (a.whatToDo) parts.push('<h2>Ce qu’il faut faire</h2>', `<p>${html(a.whatToDo)}</p>`);
  return parts.join('\n');
}

/**
 * Personal Atom feeds of the alerts a person receives, for people who read feeds. The
 * feed is opened by a token (a feed reader cannot sign in): only its SHA-256 is stored,
 * it is shown once, and a revoked token, or one whose owner is disabled, stops at once.
 */
export class FeedService {
  constructor(
    private readonly p: Platform,
    private readonly alerts: AlertService,
  ) {}

  async list(actor: Actor) {
    requireAccess(actor, policy, 'feed.manage', null);
    const rows = await this.p.db
      .select()
      .from(feedTokens)
      .where(and(eq(feedTokens.userId, actor.userId), isNull(feedTokens.revokedAt)))
      .orderBy(desc(feedTokens.createdAt), desc(feedTokens.id));
    return { tokens: rows.map((r) => ({ id: r.id, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null })) };
  }

  /** A new feed link. The token is in the answer, once: it cannot be shown again. */
  async create(actor: Actor, meta: RequestMeta) {
    requireAccess(actor, policy, 'feed.manage', null);
    const token = randomBytes(32).toString('base64url');
    const now = this.p.clock.now();
    const row = await this.p.db.transaction(async (tx) => {
      // One creation at a time per person, so the limit holds against concurrent requests.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, actor.userId)).for('update');
      const [{ n }] = await tx
        .select({ n: count() })
        .from(feedTokens)
        .where(and(eq(feedTokens.userId, actor.userId), isNull(feedTokens.revokedAt)));
      if (Number(n) >= MAX_FEED_TOKENS) {
        throw conflict(`Vous avez déjà ${MAX_FEED_TOKENS} liens de flux actifs : révoquez celui que vous n’utilisez plus avant d’en créer un autre.`);
      }
      const [created] = await tx.insert(feedTokens).values({ userId: actor.userId, tokenHash: hashOf(token), createdAt: now }).returning();
      await this.p.audit({ action: 'incident.feed_token.created', actorId: actor.userId, actorLabel: actor.email, targetType: 'feed_token', targetId: created.id, ip: meta.ip }, tx);
      return created;
    });
    return {
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: null,
      token,
      url: `${this.p.config.publicUrl}${FEED_PATH}?token=${token}`,
    };
  }

  /** Revokes one of the person's own feed links; it stops working at once. */
  async revoke(actor: Actor, meta: RequestMeta, id: string): Promise<void> {
    requireAccess(actor, policy, 'feed.manage', null);
    await this.p.db.transaction(async (tx) => {
      const [row] = await tx
        .update(feedTokens)
        .set({ revokedAt: this.p.clock.now() })
        .where(and(eq(feedTokens.id, id), eq(feedTokens.userId, actor.userId), isNull(feedTokens.revokedAt)))
        .returning({ id: feedTokens.id });
      if (!row) throw notFound('Ce lien de flux n’existe pas, a déjà été révoqué, ou n’est pas le vôtre.');
      await this.p.audit({ action: 'incident.feed_token.revoked', actorId: actor.userId, actorLabel: actor.email, targetType: 'feed_token', targetId: id, ip: meta.ip }, tx);
    });
  }

  /** The Atom document of the token's owner, or 401. */
  async atom(token: string | undefined): Promise<string> {
    if (!token || token.length > 200) throw badToken();
    const [found] = await this.p.db
      .select({ id: feedTokens.id, userId: feedTokens.userId, displayName: users.displayName })
      .from(feedTokens)
      .innerJoin(users, eq(users.id, feedTokens.userId))
      .where(and(eq(feedTokens.tokenHash, hashOf(token)), isNull(feedTokens.revokedAt), eq(users.status, 'active')));
    if (!found) throw badToken();
    const now = this.p.clock.now();
    await this.p.db.update(feedTokens).set({ lastUsedAt: now }).where(eq(feedTokens.id, found.id));

    const items = await this.alerts.forPerson(this.p.db, found.userId, FEED_ENTRIES);
    const base = this.p.config.publicUrl;
    const feed = new Feed({
      id: `${base}/alertes`,
      title: 'Hygie — alertes de sécurité reçues',
      description: `Les alertes et bulletins de votre région adressés à ${found.displayName} et à ses établissements.`,
      link: `${base}/alertes`,
      feed: `${base}${FEED_PATH}`,
      language: 'fr',
      updated: items[0]?.alert.publishedAt ?? now,
      generator: 'Hygie',
      copyright: 'Diffusion restreinte aux destinataires de l’alerte',
    });
    for (const { alert, regionName } of items) {
      const link = `${base}${alertPath(alert.id)}`;
      feed.addItem({
        id: link,
        link,
        title: html(`[${SEVERITY_LABELS[alert.severity]}] ${alert.title}`),
        description: html(alert.summary),
        content: entryContent(alert, regionName),
        date: alert.publishedAt,
        published: alert.publishedAt,
        author: [{ name: regionName }],
      });
    }
    return feed.atom1();
  }
}

export async function feedRoutes(app: FastifyInstance, { platform, alerts }: { platform: Platform; alerts: AlertService }) {
  const service = new FeedService(platform, alerts);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alerts'];

  // Personal feed links: each person manages his own (the service checks `feed.manage`).
  r.get('/feeds/tokens', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Mes liens de flux Atom actifs (sans le jeton, qui n’est montré qu’à la création)', response: { 200: feedTokenListSchema } },
    handler: async (request) => service.list(actorOf(request)),
  });
  r.post('/feeds/tokens', {
    config: { access: 'signed-in' },
    schema: {
      tags,
      summary: `Créer un lien de flux Atom des alertes reçues (le jeton n’est montré qu’une fois ; ${MAX_FEED_TOKENS} liens actifs au plus)`,
      response: { 201: createdFeedTokenSchema, 409: errorBodySchema },
    },
    handler: async (request, reply) => reply.status(201).send(await service.create(actorOf(request), metaOf(request))),
  });
  r.delete('/feeds/tokens/:id', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Révoquer un de mes liens de flux : il cesse aussitôt de fonctionner', params: z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) }), response: { 200: okSchema } },
    handler: async (request) => {
      await service.revoke(actorOf(request), metaOf(request), request.params.id);
      return { ok: true as const };
    },
  });

  // The feed itself: a feed reader sends no cookie, the token is its key (header, or `?token=` masked in the logs).
  r.get('/feeds/alerts.atom', {
    config: { access: 'public', rateLimit: { max: platform.config.rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags,
      summary: 'Flux Atom des alertes reçues, ouvert par un jeton personnel (en-tête Authorization: Bearer, ou paramètre token)',
      querystring: z.object({ token: z.string().optional() }),
    },
    handler: async (request, reply) => {
      const header = request.headers.authorization;
      const bearer = typeof header === 'string' && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
      const xml = await service.atom(bearer || request.query.token);
      return reply.type('application/atom+xml; charset=utf-8').send(xml);
    },
  });
}
