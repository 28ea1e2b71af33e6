import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acknowledgeAlertBodySchema,
  alertDetailSchema,
  alertListQuerySchema,
  alertListResponseSchema,
  publishAlertBodySchema,
} from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { AlertService } from './alerts';
import { feedRoutes } from './feed';
import { incidentPolicy } from './policy';

const tags = ['alerts'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant d’alerte invalide.' }) });

/** Alerts and bulletins of the region, and the personal Atom feed of the alerts a person receives. */
export async function alertRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new AlertService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/alerts', {
    config: { access: policyAccess(incidentPolicy, 'alert.publish', 'alert.receive') },
    schema: {
      tags,
      summary: 'Alertes envoyées par une région (avec le nombre d’accusés de réception), ou reçues par un établissement ou les établissements d’un GHT',
      querystring: alertListQuerySchema,
      response: { 200: alertListResponseSchema },
    },
    handler: async (request) => service.list(actorOf(request), request.query.orgId),
  });
  r.post('/alerts', {
    config: { access: policyAccess(incidentPolicy, 'alert.publish') },
    schema: {
      tags,
      summary: 'Publier une alerte à tous les établissements de la région (establishmentIds: null) ou à certains ; elle arrive dans l’application et par courriel',
      body: publishAlertBodySchema,
      response: { 201: alertDetailSchema },
    },
    handler: async (request, reply) => reply.status(201).send(await service.publish(actorOf(request), metaOf(request), request.body)),
  });
  r.get('/alerts/:id', {
    config: { access: policyAccess(incidentPolicy, 'alert.publish', 'alert.receive') },
    schema: {
      tags,
      summary: 'Une alerte : la région voit chaque établissement destinataire et qui n’a pas accusé réception ; un établissement voit sa propre ligne',
      params: idParams,
      response: { 200: alertDetailSchema },
    },
    handler: async (request) => service.get(actorOf(request), request.params.id),
  });
  r.post('/alerts/:id/acknowledge', {
    config: { access: policyAccess(incidentPolicy, 'alert.acknowledge') },
    schema: { tags, summary: 'Accuser réception d’une alerte pour son établissement (rejouable : le premier accusé est gardé)', params: idParams, body: acknowledgeAlertBodySchema, response: { 200: alertDetailSchema } },
    handler: async (request) => service.acknowledge(actorOf(request), metaOf(request), request.params.id, request.body),
  });

  await app.register(feedRoutes, { platform, alerts: service });
}
