import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { statsQuerySchema, statsSchema } from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { incidentPolicy } from './policy';
import { IncidentStatsService } from './stats';
import { attachment } from '../../platform/http/download';

const tags = ['incidents'];

/** Statistics of declared incidents for an establishment, a GHT or a region, and their CSV export. */
export async function incidentStatsRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new IncidentStatsService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const access = policyAccess(incidentPolicy, 'stats.read');

  r.get('/incidents/stats', {
    config: { access },
    schema: {
      tags,
      summary: 'Statistiques des incidents déclarés (établissement, GHT ou région) : par mois, type, origine, impacts, délai de déclaration',
      querystring: statsQuerySchema,
      response: { 200: statsSchema },
    },
    handler: async (request) => service.stats(actorOf(request), request.query),
  });
  r.get('/incidents/stats.csv', {
    config: { access },
    schema: { tags, summary: 'Statistiques des incidents déclarés, en CSV (séparateur « ; »)', querystring: statsQuerySchema },
    handler: async (request, reply) => {
      const { filename, rows } = await service.csv(actorOf(request), metaOf(request), request.query);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(filename))
        .send(stringify(rows, { delimiter: ';', bom: true }));
    },
  });
}
