import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { assessmentPolicy } from './policy';
import { ReportService, type ReportFile } from './report';
import { attachment } from '../../platform/http/download';

const tags = ['assessment'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** A download: the type, an ASCII file name (built by the service from the establishment's name), never cached nor sniffed. */
function send(reply: FastifyReply, file: ReportFile) {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', attachment(file.fileName))
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.data);
}

/** The report for the direction and the exports of an assessment's answers. */
export async function reportRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new ReportService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = policyAccess(assessmentPolicy, 'assessment.read');

  r.get('/assessments/:id/report.pdf', {
    config: { access: read },
    schema: {
      tags,
      summary: 'Restitution du diagnostic pour la direction (PDF)',
      description: 'Scores, graphique par objectif, écarts prioritaires, plan d’action et mode de calcul, en français.',
      params: idParams,
    },
    handler: async (request, reply) => send(reply, await service.pdf(actorOf(request), metaOf(request), request.params.id)),
  });
  r.get('/assessments/:id/export.csv', {
    config: { access: read },
    schema: { tags, summary: 'Export des réponses du diagnostic (CSV, séparateur point-virgule)', params: idParams },
    handler: async (request, reply) => send(reply, await service.csv(actorOf(request), metaOf(request), request.params.id)),
  });
  r.get('/assessments/:id/export.xlsx', {
    config: { access: read },
    schema: { tags, summary: 'Export des réponses et des scores du diagnostic (Excel)', params: idParams },
    handler: async (request, reply) => send(reply, await service.xlsx(actorOf(request), metaOf(request), request.params.id)),
  });
}
