import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentExportSchema } from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { IncidentExportService } from './export';
import { incidentPolicy } from './policy';
import { attachment } from '../../platform/http/download';

const tags = ['incidents'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** Downloads: an ASCII file name built by the service from the reference and the day, never cached nor sniffed. */
const download = (fileName: string) => ({
  'content-disposition': attachment(fileName),
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
});

/** The exports of a declaration for the official channels (ARS, CERT Santé): PDF laid out like the form, and JSON. */
export async function exportRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new IncidentExportService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = policyAccess(incidentPolicy, 'incident.read');

  r.get('/incidents/:id/export.pdf', {
    config: { access: read },
    schema: {
      tags,
      summary: 'La déclaration en PDF, présentée comme le formulaire officiel (brouillon marqué « BROUILLON »)',
      params: idParams,
    },
    handler: async (request, reply) => {
      const file = await service.pdf(actorOf(request), metaOf(request), request.params.id);
      return reply.header('content-type', file.contentType).headers(download(file.fileName)).send(file.data);
    },
  });
  r.get('/incidents/:id/export.json', {
    config: { access: read },
    schema: {
      tags,
      summary: 'La déclaration en JSON structuré (codes et libellés en français), pour les canaux officiels',
      params: idParams,
      response: { 200: incidentExportSchema },
    },
    handler: async (request, reply) => {
      const { body, fileName } = await service.json(actorOf(request), metaOf(request), request.params.id);
      reply.headers(download(fileName));
      return body;
    },
  });
}
