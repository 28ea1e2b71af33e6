import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { frameworkDetailSchema, frameworkListResponseSchema, importBodySchema, importResponseSchema } from '../../../contracts/assessment';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { FrameworkService } from './frameworks';
import { assessmentPolicy } from './policy';
import { attachment } from '../../platform/http/download';

const tags = ['assessment'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });
/** The YAML text travels in JSON (escaped): a 5 MB library needs a little more than 5 MB of body. */
const IMPORT_BODY_LIMIT = 6 * 1024 * 1024;

/** Frameworks: list, read, import a CISO Assistant library (or check it first), export. */
export async function frameworkRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new FrameworkService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/frameworks', {
    config: { access: policyAccess(assessmentPolicy, 'framework.read') },
    schema: { tags, summary: 'Référentiels disponibles', response: { 200: frameworkListResponseSchema } },
    handler: async (request) => ({ frameworks: await service.list(actorOf(request)) }),
  });

  r.get('/frameworks/:id', {
    config: { access: policyAccess(assessmentPolicy, 'framework.read') },
    schema: { tags, summary: 'Un référentiel et ses exigences, dans l’ordre', params: idParams, response: { 200: frameworkDetailSchema } },
    handler: async (request) => service.get(actorOf(request), request.params.id),
  });

  r.post('/frameworks/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    config: { access: policyAccess(assessmentPolicy, 'framework.import') },
    schema: {
      tags,
      summary: 'Importer une bibliothèque CISO Assistant (YAML), ou seulement la vérifier (dryRun)',
      description:
        'Un fichier invalide reçoit une réponse 400 : `error.fields` donne une erreur par ligne (« ligne N: chemin ») et `preview.problems` la même liste, avec le numéro de ligne à part.',
      body: importBodySchema,
      response: { 200: importResponseSchema },
    },
    handler: async (request) =>
      request.body.dryRun
        ? { preview: await service.preview(actorOf(request), request.body.yaml), frameworkId: null }
        : service.import(actorOf(request), metaOf(request), request.body.yaml),
  });

  r.get('/frameworks/:id/export.yaml', {
    config: { access: policyAccess(assessmentPolicy, 'framework.read') },
    schema: { tags, summary: 'Exporter un référentiel au format CISO Assistant (YAML)', params: idParams },
    handler: async (request, reply) => {
      const { filename, text } = await service.export(actorOf(request), request.params.id);
      return reply.header('content-type', 'application/yaml; charset=utf-8').header('content-disposition', attachment(filename)).send(text);
    },
  });
}
