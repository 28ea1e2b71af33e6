import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import {
  benchmarkQuerySchema,
  benchmarkSchema,
  campaignDetailSchema,
  campaignListQuerySchema,
  campaignListResponseSchema,
  createCampaignBodySchema,
  createProgrammeBodySchema,
  declarationResponseSchema,
  declareBodySchema,
  observatoryEstablishmentsQuerySchema,
  observatoryEstablishmentsResponseSchema,
  observatoryQuerySchema,
  observatorySchema,
  programmeListQuerySchema,
  programmeListResponseSchema,
  programmeResponseSchema,
  remindResponseSchema,
  reviewBodySchema,
} from '../../../contracts/assessment-region';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { assessmentPolicy } from './policy';
import { RegionService } from './region';
import { attachment } from '../../platform/http/download';

const tags = ['assessment'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** Campaigns, funding programmes and the observatory: declared access → validated input → one service call. */
export async function regionRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const region = new RegionService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();

  // --- Campaigns ------------------------------------------------------------------------

  r.get('/campaigns', {
    config: { access: policyAccess(assessmentPolicy, 'campaign.manage') },
    schema: { tags, summary: 'Campagnes d’évaluation lancées par une région ou un GHT', querystring: campaignListQuerySchema, response: { 200: campaignListResponseSchema } },
    handler: async (request) => ({ campaigns: await region.listCampaigns(actorOf(request), request.query.orgId) }),
  });
  r.post('/campaigns', {
    config: { access: policyAccess(assessmentPolicy, 'campaign.manage') },
    schema: { tags, summary: 'Lancer une campagne d’évaluation', body: createCampaignBodySchema, response: { 200: campaignDetailSchema } },
    handler: async (request) => region.createCampaign(actorOf(request), metaOf(request), request.body),
  });
  r.get('/campaigns/:id', {
    config: { access: policyAccess(assessmentPolicy, 'campaign.manage') },
    schema: { tags, summary: 'Suivi d’une campagne : où en est chaque établissement', params: idParams, response: { 200: campaignDetailSchema } },
    handler: async (request) => region.campaignDetail(actorOf(request), request.params.id),
  });
  r.post('/campaigns/:id/remind', {
    config: { access: policyAccess(assessmentPolicy, 'campaign.manage') },
    schema: { tags, summary: 'Relancer par courriel les établissements qui n’ont pas soumis', params: idParams, response: { 200: remindResponseSchema } },
    handler: async (request) => region.remindLate(actorOf(request), metaOf(request), request.params.id),
  });

  // --- Funding programmes -----------------------------------------------------------------

  r.get('/funding/programmes', {
    config: { access: policyAccess(assessmentPolicy, 'funding.read') },
    schema: { tags, summary: 'Programmes de financement et avancement des établissements', querystring: programmeListQuerySchema, response: { 200: programmeListResponseSchema } },
    handler: async (request) => ({ programmes: await region.listProgrammes(actorOf(request), request.query.orgId) }),
  });
  r.post('/funding/programmes', {
    config: { access: policyAccess(assessmentPolicy, 'funding.manage') },
    schema: { tags, summary: 'Créer un programme de financement (prérequis puis objectifs)', body: createProgrammeBodySchema, response: { 200: programmeResponseSchema } },
    handler: async (request) => ({ programme: await region.createProgramme(actorOf(request), metaOf(request), request.body) }),
  });
  r.post('/funding/milestones/:id/declarations', {
    config: { access: policyAccess(assessmentPolicy, 'funding.declare') },
    schema: { tags, summary: 'Déclarer un jalon atteint, preuve à l’appui', params: idParams, body: declareBodySchema, response: { 200: declarationResponseSchema } },
    handler: async (request) => ({ declaration: await region.declare(actorOf(request), metaOf(request), request.params.id, request.body) }),
  });
  r.post('/funding/milestones/:id/review', {
    config: { access: policyAccess(assessmentPolicy, 'funding.manage') },
    schema: { tags, summary: 'Valider une déclaration ou demander des compléments', params: idParams, body: reviewBodySchema, response: { 200: declarationResponseSchema } },
    handler: async (request) => {
      const { orgId, ...decision } = request.body;
      return { declaration: await region.review(actorOf(request), metaOf(request), request.params.id, orgId, decision) };
    },
  });

  // --- Observatory --------------------------------------------------------------------------

  r.get('/observatory', {
    config: { access: policyAccess(assessmentPolicy, 'observatory.read', 'observatory.national') },
    schema: { tags, summary: 'Observatoire : scores par objectif, répartition, catégories, évolution', querystring: observatoryQuerySchema, response: { 200: observatorySchema } },
    handler: async (request) => region.observatory(actorOf(request), request.query),
  });
  r.get('/observatory/establishments', {
    config: { access: policyAccess(assessmentPolicy, 'observatory.read', 'observatory.national') },
    schema: {
      tags,
      summary: 'Observatoire : résultats par établissement',
      querystring: observatoryEstablishmentsQuerySchema,
      response: { 200: observatoryEstablishmentsResponseSchema },
    },
    handler: async (request) => region.observatoryEstablishments(actorOf(request), request.query),
  });
  r.get('/observatory/export.csv', {
    config: { access: policyAccess(assessmentPolicy, 'observatory.read', 'observatory.national') },
    schema: { tags, summary: 'Observatoire : export CSV des résultats par établissement', querystring: observatoryQuerySchema },
    handler: async (request, reply) => {
      const { filename, rows } = await region.observatoryCsv(actorOf(request), metaOf(request), request.query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(filename))
        .send(stringify(rows, { delimiter: ';', bom: true }));
    },
  });
  r.get('/observatory/benchmark', {
    config: { access: policyAccess(assessmentPolicy, 'observatory.benchmark') },
    schema: { tags, summary: 'Se comparer : ses scores à côté des médianes anonymes de sa catégorie et de sa région', querystring: benchmarkQuerySchema, response: { 200: benchmarkSchema } },
    handler: async (request) => region.benchmark(actorOf(request), request.query.orgId, request.query.frameworkId),
  });
}
