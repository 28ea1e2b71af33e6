import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import {
  addIndicatorBodySchema,
  addTimelineEntryBodySchema,
  attachmentSchema,
  createTaskBodySchema,
  followUpSchema,
  indicatorSchema,
  peopleResponseSchema,
  sharedIndicatorsQuerySchema,
  sharedIndicatorsResponseSchema,
  taskConflictSchema,
  taskSchema,
  timelineEntrySchema,
  updateTaskBodySchema,
} from '../../../contracts/incidents';
import type { Platform } from '../../platform/context';
import { readUpload } from '../../platform/files/upload';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { FollowUpService } from './followup';
import { incidentPolicy } from './policy';
import { attachment } from '../../platform/http/download';

const tags = ['incidents'];
const id = z.uuid({ message: 'Identifiant invalide.' });
const idParams = z.object({ id });

/** Follow-up of an incident: each route declares its access, validates with the shared contract, calls one service method. */
export async function followUpRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new FollowUpService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = policyAccess(incidentPolicy, 'incident.read');
  const follow = policyAccess(incidentPolicy, 'incident.follow');

  r.get('/incidents/shared-indicators', {
    config: { access: policyAccess(incidentPolicy, 'indicator.shared') },
    schema: {
      tags,
      summary: 'Indicateurs partagés par les autres établissements de la région (TLP:CLEAR et TLP:GREEN), établissements nommés seulement avec leur accord',
      querystring: sharedIndicatorsQuerySchema,
      response: { 200: sharedIndicatorsResponseSchema },
    },
    handler: async (request) => ({ indicators: await service.sharedIndicators(actorOf(request), request.query.orgId) }),
  });
  r.get('/incidents/:id/follow-up', {
    config: { access: read },
    schema: { tags, summary: 'Suivi d’un incident : chronologie (la plus récente d’abord), tâches, pièces jointes, indicateurs', params: idParams, response: { 200: followUpSchema } },
    handler: async (request) => service.followUp(actorOf(request), request.params.id),
  });
  r.get('/incidents/:id/people', {
    config: { access: read },
    schema: { tags, summary: 'Personnes à qui confier une tâche de l’incident', params: idParams, response: { 200: peopleResponseSchema } },
    handler: async (request) => ({ people: await service.people(actorOf(request), request.params.id) }),
  });
  r.post('/incidents/:id/timeline', {
    config: { access: follow },
    schema: { tags, summary: 'Ajouter un fait, une décision, une action ou une communication à la chronologie', params: idParams, body: addTimelineEntryBodySchema, response: { 201: timelineEntrySchema } },
    handler: async (request, reply) => reply.status(201).send(await service.addTimelineEntry(actorOf(request), metaOf(request), request.params.id, request.body)),
  });
  r.post('/incidents/:id/tasks', {
    config: { access: follow },
    schema: { tags, summary: 'Créer une tâche (le responsable choisi est prévenu dans Hygie)', params: idParams, body: createTaskBodySchema, response: { 201: taskSchema } },
    handler: async (request, reply) => reply.status(201).send(await service.createTask(actorOf(request), metaOf(request), request.params.id, request.body)),
  });
  r.patch('/incidents/:id/tasks/:taskId', {
    config: { access: follow },
    schema: {
      tags,
      summary: 'Modifier une tâche (409 avec la tâche actuelle si quelqu’un l’a modifiée entre-temps)',
      params: z.object({ id, taskId: id }),
      body: updateTaskBodySchema,
      response: { 200: taskSchema, 409: z.union([taskConflictSchema, errorBodySchema]) },
    },
    handler: async (request) => service.updateTask(actorOf(request), metaOf(request), request.params.id, request.params.taskId, request.body),
  });
  r.post('/incidents/:id/attachments', {
    config: { access: follow },
    schema: {
      tags,
      summary: 'Joindre un fichier à l’incident (formulaire multipart : champ file, 10 Mo au plus)',
      description: 'Formats acceptés, reconnus à leur contenu : PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, texte (.txt) ou CSV.',
      consumes: ['multipart/form-data'],
      params: idParams,
      response: { 201: attachmentSchema },
    },
    handler: async (request, reply) => {
      const { file } = await readUpload(request);
      return reply.status(201).send(await service.addAttachment(actorOf(request), metaOf(request), request.params.id, file));
    },
  });
  r.get('/incidents/:id/attachments/:attachmentId', {
    config: { access: read },
    schema: { tags, summary: 'Télécharger une pièce jointe', params: z.object({ id, attachmentId: id }) },
    handler: async (request, reply) => {
      const file = await service.downloadAttachment(actorOf(request), request.params.id, request.params.attachmentId);
      const type = file.mimeType.startsWith('text/') ? `${file.mimeType}; charset=utf-8` : file.mimeType;
      return reply
        .header('content-type', type)
        .header('content-disposition', attachment(file.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(file.data);
    },
  });
  r.delete('/incidents/:id/attachments/:attachmentId', {
    config: { access: follow },
    schema: { tags, summary: 'Retirer une pièce jointe', params: z.object({ id, attachmentId: id }), response: { 200: okSchema } },
    handler: async (request) => {
      await service.deleteAttachment(actorOf(request), metaOf(request), request.params.id, request.params.attachmentId);
      return { ok: true as const };
    },
  });
  r.post('/incidents/:id/indicators', {
    config: { access: follow },
    schema: {
      tags,
      summary: 'Ajouter un indicateur de compromission (vérifié et normalisé selon son type ; les formes « désamorcées » comme hxxp:// ou exemple[.]fr sont acceptées)',
      params: idParams,
      body: addIndicatorBodySchema,
      response: { 201: indicatorSchema },
    },
    handler: async (request, reply) => reply.status(201).send(await service.addIndicator(actorOf(request), metaOf(request), request.params.id, request.body)),
  });
  r.delete('/incidents/:id/indicators/:indicatorId', {
    config: { access: follow },
    schema: { tags, summary: 'Retirer un indicateur', params: z.object({ id, indicatorId: id }), response: { 200: okSchema } },
    handler: async (request) => {
      await service.deleteIndicator(actorOf(request), metaOf(request), request.params.id, request.params.indicatorId);
      return { ok: true as const };
    },
  });
  r.get('/incidents/:id/stix', {
    config: { access: read },
    schema: { tags, summary: 'Exporter l’incident et ses indicateurs au format STIX 2.1 (fichier JSON)', params: idParams },
    handler: async (request, reply) => {
      const { bundle, reference } = await service.stix(actorOf(request), request.params.id);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', attachment(`${reference}.stix.json`))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(JSON.stringify(bundle, null, 2));
    },
  });
}
