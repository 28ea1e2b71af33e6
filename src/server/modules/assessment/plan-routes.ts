import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  actionListQuerySchema,
  actionListResponseSchema,
  actionResponseSchema,
  createActionBodySchema,
  suggestionsResponseSchema,
  updateActionBodySchema,
} from '../../../contracts/assessment';
import { createFromSuggestionsBodySchema, createFromSuggestionsResponseSchema } from '../../../contracts/assessment-plan';
import { okSchema } from '../../../contracts/common';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { PlanService } from './plan';
import { assessmentPolicy } from './policy';

const tags = ['assessment'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** The remediation plan: each route declares its access, validates, calls one service method. */
export async function planRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const plan = new PlanService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/plan/actions', {
    config: { access: policyAccess(assessmentPolicy, 'plan.read') },
    schema: { tags, summary: 'Actions du plan d’action et avancement', querystring: actionListQuerySchema, response: { 200: actionListResponseSchema } },
    handler: async (request) => plan.list(actorOf(request), request.query),
  });
  r.post('/plan/actions', {
    config: { access: policyAccess(assessmentPolicy, 'plan.manage') },
    schema: { tags, summary: 'Ajouter une action au plan', body: createActionBodySchema, response: { 200: actionResponseSchema } },
    handler: async (request) => plan.create(actorOf(request), metaOf(request), request.body),
  });
  r.patch('/plan/actions/:id', {
    config: { access: policyAccess(assessmentPolicy, 'plan.manage') },
    schema: { tags, summary: 'Modifier une action ou changer son statut', params: idParams, body: updateActionBodySchema, response: { 200: actionResponseSchema } },
    handler: async (request) => plan.update(actorOf(request), metaOf(request), request.params.id, request.body),
  });
  r.delete('/plan/actions/:id', {
    config: { access: policyAccess(assessmentPolicy, 'plan.manage') },
    schema: { tags, summary: 'Supprimer une action du plan', params: idParams, response: { 200: okSchema } },
    handler: async (request) => {
      await plan.delete(actorOf(request), metaOf(request), request.params.id);
      return { ok: true as const };
    },
  });
  r.get('/assessments/:id/suggestions', {
    config: { access: policyAccess(assessmentPolicy, 'plan.read') },
    schema: { tags, summary: 'Actions suggérées à partir des écarts d’un diagnostic', params: idParams, response: { 200: suggestionsResponseSchema } },
    handler: async (request) => plan.suggestions(actorOf(request), request.params.id),
  });
  r.post('/assessments/:id/suggestions', {
    config: { access: policyAccess(assessmentPolicy, 'plan.manage') },
    schema: {
      tags,
      summary: 'Créer au plan les actions suggérées retenues',
      params: idParams,
      body: createFromSuggestionsBodySchema,
      response: { 200: createFromSuggestionsResponseSchema },
    },
    handler: async (request) => plan.createFromSuggestions(actorOf(request), metaOf(request), request.params.id, request.body.items),
  });
}
