import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import {
  closeIncidentBodySchema,
  createIncidentBodySchema,
  draftConflictSchema,
  historyResponseSchema,
  idempotencyKeySchema,
  incidentDetailSchema,
  incidentListQuerySchema,
  incidentListResponseSchema,
  nis2QuerySchema,
  nis2SettingsSchema,
  saveDraftBodySchema,
  updateIncidentBodySchema,
  updateNis2BodySchema,
  updateObligationBodySchema,
} from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { incidentPolicy } from './policy';
import { IncidentService } from './service';

const tags = ['incidents'];
const id = z.uuid({ message: 'Identifiant invalide.' });
const idParams = z.object({ id });

/** Declarations: each route declares its access, validates with the shared contract, calls one service method. */
export async function declarationRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new IncidentService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = policyAccess(incidentPolicy, 'incident.read');
  const declare = policyAccess(incidentPolicy, 'incident.declare');
  const follow = policyAccess(incidentPolicy, 'incident.follow');

  r.get('/incidents', {
    config: { access: read },
    schema: { tags, summary: 'Incidents d’un établissement, ou des établissements d’un GHT ou d’une région', querystring: incidentListQuerySchema, response: { 200: incidentListResponseSchema } },
    handler: async (request) => ({ incidents: await service.list(actorOf(request), request.query.orgId, request.query.status) }),
  });
  r.post('/incidents', {
    config: { access: declare },
    schema: {
      tags,
      summary: 'Commencer une déclaration (brouillon) ou déclarer d’emblée. L’en-tête Idempotency-Key rend la demande rejouable sans doublon.',
      headers: z.object({ 'idempotency-key': idempotencyKeySchema }),
      body: createIncidentBodySchema,
      response: { 200: incidentDetailSchema, 201: incidentDetailSchema, 409: errorBodySchema },
    },
    handler: async (request, reply) => {
      const { detail, replayed } = await service.create(actorOf(request), metaOf(request), request.headers['idempotency-key'], request.body);
      if (replayed) return reply.status(200).header('idempotent-replayed', 'true').send(detail);
      return reply.status(201).send(detail);
    },
  });
  r.get('/incidents/nis2', {
    config: { access: policyAccess(incidentPolicy, 'nis2.read') },
    schema: { tags, summary: 'Statut NIS2 d’un établissement (entité essentielle, importante, ou non concernée)', querystring: nis2QuerySchema, response: { 200: nis2SettingsSchema } },
    handler: async (request) => service.nis2(actorOf(request), request.query.orgId),
  });
  r.put('/incidents/nis2', {
    config: { access: policyAccess(incidentPolicy, 'nis2.manage') },
    schema: { tags, summary: 'Régler le statut NIS2 d’un établissement (les échéances des incidents en cours suivent)', body: updateNis2BodySchema, response: { 200: nis2SettingsSchema } },
    handler: async (request) => service.setNis2(actorOf(request), metaOf(request), request.body),
  });
  r.get('/incidents/:id', {
    config: { access: read },
    schema: { tags, summary: 'Un incident : déclaration, échéances réglementaires, suivi par la région', params: idParams, response: { 200: incidentDetailSchema } },
    handler: async (request) => service.get(actorOf(request), request.params.id),
  });
  r.put('/incidents/:id/draft', {
    config: { access: declare },
    schema: {
      tags,
      summary: 'Enregistrer le brouillon (409 avec l’incident actuel si quelqu’un a enregistré entre-temps)',
      params: idParams,
      body: saveDraftBodySchema,
      response: { 200: incidentDetailSchema, 409: z.union([draftConflictSchema, errorBodySchema]) },
    },
    handler: async (request) => service.saveDraft(actorOf(request), metaOf(request), request.params.id, request.body),
  });
  r.delete('/incidents/:id', {
    config: { access: declare },
    schema: { tags, summary: 'Supprimer un brouillon (une déclaration ne se supprime pas)', params: idParams, response: { 200: okSchema } },
    handler: async (request) => {
      await service.discard(actorOf(request), metaOf(request), request.params.id);
      return { ok: true as const };
    },
  });
  r.post('/incidents/:id/declare', {
    config: { access: declare },
    schema: {
      tags,
      summary: 'Déclarer l’incident (400 avec la liste de ce qui manque ; rejouable)',
      params: idParams,
      body: z.object({ version: z.number().int().min(1) }),
      response: { 200: incidentDetailSchema, 409: z.union([draftConflictSchema, errorBodySchema]) },
    },
    handler: async (request) => service.declare(actorOf(request), metaOf(request), request.params.id, request.body.version),
  });
  r.put('/incidents/:id', {
    config: { access: declare },
    schema: {
      tags,
      summary: 'Compléter la déclaration (chaque modification est gardée dans l’historique)',
      params: idParams,
      body: updateIncidentBodySchema,
      response: { 200: incidentDetailSchema, 409: z.union([draftConflictSchema, errorBodySchema]) },
    },
    handler: async (request) => service.update(actorOf(request), metaOf(request), request.params.id, request.body),
  });
  r.get('/incidents/:id/history', {
    config: { access: read },
    schema: { tags, summary: 'Historique de la déclaration', params: idParams, response: { 200: historyResponseSchema } },
    handler: async (request) => ({ revisions: await service.history(actorOf(request), request.params.id) }),
  });
  r.put('/incidents/:id/obligations/:obligationId', {
    config: { access: follow },
    schema: {
      tags,
      summary: 'Indiquer qu’une obligation réglementaire est faite (avec sa référence) ou ne s’applique pas',
      params: z.object({ id, obligationId: id }),
      body: updateObligationBodySchema,
      response: { 200: incidentDetailSchema },
    },
    handler: async (request) => service.updateObligation(actorOf(request), metaOf(request), request.params.id, request.params.obligationId, request.body),
  });
  r.post('/incidents/:id/close', {
    config: { access: follow },
    schema: { tags, summary: 'Clore l’incident avec son retour d’expérience', params: idParams, body: closeIncidentBodySchema, response: { 200: incidentDetailSchema } },
    handler: async (request) => service.close(actorOf(request), metaOf(request), request.params.id, request.body),
  });
}
