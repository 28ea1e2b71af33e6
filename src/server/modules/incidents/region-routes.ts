import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  detectionListQuerySchema,
  detectionListResponseSchema,
  detectionSchema,
  incidentDetailSchema,
  regionFollowUpBodySchema,
  regionInboxQuerySchema,
  regionInboxResponseSchema,
} from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { incidentPolicy } from './policy';
import { RegionIncidentService } from './region';

const tags = ['incidents'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** The region's inbox, its follow-up of declarations and the campaigns detected: declared access → validated input → one service call. */
export async function regionIncidentRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new RegionIncidentService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const inbox = policyAccess(incidentPolicy, 'region.inbox');
  const detections = policyAccess(incidentPolicy, 'region.detections');

  r.get('/incidents/inbox', {
    config: { access: inbox },
    schema: { tags, summary: 'Boîte de réception de la région : déclarations de ses établissements, les plus récentes d’abord, par pages', querystring: regionInboxQuerySchema, response: { 200: regionInboxResponseSchema } },
    handler: async (request) => service.inbox(actorOf(request), request.query),
  });
  r.get('/incidents/detections', {
    config: { access: detections },
    schema: {
      tags,
      summary: 'Campagnes détectées dans la région : même indicateur ou même type rare déclaré par plusieurs établissements',
      querystring: detectionListQuerySchema,
      response: { 200: detectionListResponseSchema },
    },
    handler: async (request) => ({ detections: await service.detections(actorOf(request), request.query.regionId, request.query.status) }),
  });
  r.post('/incidents/detections/:id/close', {
    config: { access: detections },
    schema: { tags, summary: 'Clore une campagne détectée (elle a été examinée)', params: idParams, response: { 200: detectionSchema } },
    handler: async (request) => service.closeDetection(actorOf(request), metaOf(request), request.params.id),
  });
  r.put('/incidents/:id/region', {
    config: { access: inbox },
    schema: {
      tags,
      summary: 'Suivi par la région : accuser réception, apporter un appui, terminer le suivi (l’établissement est prévenu)',
      params: idParams,
      body: regionFollowUpBodySchema,
      response: { 200: incidentDetailSchema },
    },
    handler: async (request) => service.follow(actorOf(request), metaOf(request), request.params.id, request.body),
  });
}
