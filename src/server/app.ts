import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config';
import { assessmentRoutes } from './modules/assessment/routes';
import { identityRoutes } from './modules/identity/routes';
import { incidentRoutes } from './modules/incidents/routes';
import { auditRoutes } from './platform/audit/routes';
import { appendAudit } from './platform/audit/service';
import { SecretBox } from './platform/auth/crypto';
import { authPlugin } from './platform/auth/plugin';
import { authRoutes } from './platform/auth/routes';
import { oidcRoutes } from './platform/auth/oidc-routes';
import type { OidcClient } from './platform/auth/oidc';
import { SessionStore } from './platform/auth/sessions';
import { systemClock, type Clock } from './platform/clock';
import type { Platform } from './platform/context';
import type { Database } from './platform/db/client';
import { DiskFileStore, type FileStore } from './platform/files/store';
import { MULTIPART_LIMITS } from './platform/files/upload';
import { httpPlugin } from './platform/http/plugin';
import { createJobQueue, type JobQueue } from './platform/jobs/queue';
import { MailService, type MailTransport } from './platform/mail/service';
import { loggerOptions } from './platform/logging';
import { notificationRoutes } from './platform/notifications/routes';
import { writeNotifications } from './platform/notifications/service';

z.config(z.locales.fr());

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(ROOT, 'dist/web');
export const VERSION: string = (await import('../../package.json', { with: { type: 'json' } })).default.version;

export interface AppDeps {
  config: Config;
  database: Database;
  /** SESSION_SECRET, or the one generated for the embedded database. */
  secret: string;
  clock?: Clock;
  /** null: no SMTP, mails are kept in the database. */
  mailTransport?: MailTransport | null;
  jobs?: JobQueue;
  oidc?: OidcClient | null;
  /** Where uploaded files go; by default HYGIE_DATA_DIR/files. */
  files?: FileStore;
  logger?: boolean;
}

export interface App {
  app: FastifyInstance;
  platform: Platform;
}

/** Platform plugins first, then each module under /api/v1. Does not listen nor start workers. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const db = deps.database.db;
  const jobs = deps.jobs ?? createJobQueue(deps.database);
  const platform: Platform = {
    config: deps.config,
    database: deps.database,
    db,
    clock,
    secrets: new SecretBox(deps.secret),
    sessions: new SessionStore(db, clock, { idleMinutes: deps.config.sessionIdleMinutes, maxHours: deps.config.sessionMaxHours }),
    jobs,
    mail: new MailService(db, clock, jobs, deps.mailTransport ?? null, deps.config.smtpFrom),
    files: deps.files ?? new DiskFileStore(path.join(deps.config.dataDir, 'files')),
    audit: (event, tx) => appendAudit(tx ?? db, event, clock.now()),
    notify: (tx, items) => writeNotifications(tx, items, clock.now()),
    version: VERSION,
  };

  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(deps.config),
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1_048_576,
    
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'API Hygie', version: VERSION, description: 'Plateforme de cyber-résilience des établissements de santé. Voir README, section « Scripter l’API ».' },
      tags: [
        { name: 'platform', description: 'Santé du service' },
        { name: 'auth', description: 'Connexion, double authentification, mots de passe' },
        { name: 'identity', description: 'Personnes, organisations, invitations' },
        { name: 'audit', description: 'Journal d’audit' },
        { name: 'assessment', description: 'Diagnostic, plan d’action, campagnes, financements, observatoire' },
        { name: 'incidents', description: 'Signalement des incidents, échéances réglementaires, suivi, boîte de réception régionale, statistiques' },
        { name: 'alerts', description: 'Alertes et bulletins de la région, flux Atom' },
        { name: 'notifications', description: 'Notifications dans l’application' },
      ],
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-hygie_session' }, csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  await app.register(rateLimit, { global: false });
  await app.register(multipart, { limits: MULTIPART_LIMITS });
  await app.register(httpPlugin, { platform });
  await app.register(authPlugin, { platform });

  app.get('/api/health', { schema: { tags: ['platform'], summary: 'État du service', response: { 200: z.object({ status: z.literal('ok'), database: z.enum(['embedded', 'postgresql']), version: z.string() }) } } }, async () => {
    await deps.database.sql.query('select 1');
    return { status: 'ok' as const, database: deps.database.kind, version: VERSION };
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (api) => {
      await api.register(authRoutes, { platform });
      await api.register(oidcRoutes, { platform, oidc: deps.oidc ?? null });
      await api.register(identityRoutes, { platform });
      await api.register(auditRoutes, { platform });
      await api.register(assessmentRoutes, { platform });
      await api.register(incidentRoutes, { platform });
      await api.register(notificationRoutes, { platform });
      api.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'not_found', message: 'Cette adresse d’API n’existe pas.' } }));
    },
    { prefix: '/api/v1' },
  );

  if (existsSync(WEB_DIR)) {
    await app.register(fastifyStatic, { root: WEB_DIR, wildcard: false, index: false });
    // The web app's own routes: any other GET that is not the API answers index.html.
    app.setNotFoundHandler((request, reply) => {
      if (request.method !== 'GET' || request.url.startsWith('/api/')) {
        return reply.status(404).send({ error: { code: 'not_found', message: 'Cette adresse n’existe pas.' } });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }

  return { app, platform };
}
