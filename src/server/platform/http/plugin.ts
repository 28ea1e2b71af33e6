import helmet from '@fastify/helmet';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AccessDenied } from '../access/engine';
import type { Platform } from '../context';
import { AppError, type FieldError } from './errors';
import { metaOf } from './access';

const MESSAGES: Record<string, [number, string]> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'La requête est vide : un contenu JSON est attendu.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'Le contenu envoyé n’est pas du JSON valide.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'Ce type de contenu n’est pas accepté ici (JSON attendu, ou un formulaire d’envoi de fichier).'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'Le contenu envoyé est trop volumineux.'],
};

function zodFields(err: FastifyError): FieldError[] {
  return (err.validation ?? []).map((v) => {
    const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    return { path: path || (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') || 'body', message: v.message ?? 'Valeur invalide.' };
  });
}

/** Errors become French answers; security headers; same-origin checks for state changes. */
export const httpPlugin = fp(async (app: FastifyInstance, { platform }: { platform: Platform }) => {
  const publicOrigin = new URL(platform.config.publicUrl).origin;

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: platform.config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: platform.config.publicUrl.startsWith('https:') ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  /**
   * Same-origin only for anything that changes state: a browser always sends Origin on
   * such requests, and Sec-Fetch-Site tells a cross-site one. Scripts send neither.
   */
  app.addHook('onRequest', async (request) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    if ((origin && origin !== publicOrigin) || site === 'cross-site') {
      request.log.warn({ origin }, 'cross-origin state change refused');
      throw new AppError(403, 'csrf', 'Requête refusée : elle ne vient pas de Hygie.');
    }
  });

  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    if (err instanceof AccessDenied && request.actor) {
      await platform
        .audit({
          action: 'access.denied',
          outcome: 'denied',
          actorId: request.actor.userId,
          actorLabel: request.actor.email,
          orgId: request.actor.activeOrgId,
          ip: metaOf(request).ip,
          details: { policy: `${err.module}:${err.action}`, method: request.method, route: request.routeOptions.url ?? request.url },
        })
        .catch((e) => request.log.error(e, 'audit of a denial failed'));
    }
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return reply.status(err.status).send(err.toBody());
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = zodFields(err);
      return reply.status(400).send(
        new AppError(400, 'validation', fields.length === 1 ? fields[0].message : `Le formulaire contient ${fields.length} erreurs.`, fields).toBody(),
      );
    }
    const known = err.code ? MESSAGES[err.code] : undefined;
    if (known) return reply.status(known[0]).send(new AppError(known[0], 'validation', known[1]).toBody());
    if (err.statusCode === 429) {
      return reply.status(429).send(new AppError(429, 'too_many_requests', 'Trop de requêtes. Patientez un instant puis réessayez.').toBody());
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(new AppError(err.statusCode, 'validation', 'La requête est invalide.').toBody());
    }
    request.log.error(err);
    return reply.status(500).send(new AppError(500, 'internal', 'Une erreur inattendue s’est produite. Réessayez ; si elle persiste, prévenez votre administrateur.').toBody());
  });
});
