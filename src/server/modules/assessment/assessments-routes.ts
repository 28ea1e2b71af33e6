import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addLinkEvidenceBodySchema,
  answerConflictSchema,
  assessmentDetailSchema,
  assessmentListQuerySchema,
  assessmentListResponseSchema,
  compareQuerySchema,
  compareResponseSchema,
  createAssessmentBodySchema,
  evidenceSchema,
  saveAnswerBodySchema,
  saveAnswerResponseSchema,
} from '../../../contracts/assessment';
import { errorBodySchema, okSchema } from '../../../contracts/common';
import type { Platform } from '../../platform/context';
import { readUpload } from '../../platform/files/upload';
import { actorOf, metaOf, policyAccess } from '../../platform/http/access';
import { invalidField } from '../../platform/http/errors';
import { assessmentPolicy } from './policy';
import { AssessmentService } from './service';
import { attachment } from '../../platform/http/download';

const tags = ['assessment'];
const id = z.uuid({ message: 'Identifiant invalide.' });
const idParams = z.object({ id });
const answerParams = z.object({ id, nodeId: id });
const evidenceParams = z.object({ id, evidenceId: id });

/** Assessments: each route declares its access, validates with the shared contract, calls one service method. */
export async function assessmentsRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const service = new AssessmentService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = policyAccess(assessmentPolicy, 'assessment.read');
  const edit = policyAccess(assessmentPolicy, 'assessment.edit');

  r.get('/assessments', {
    config: { access: read },
    schema: { tags, summary: 'Diagnostics d’un établissement, ou des établissements d’un GHT ou d’une région', querystring: assessmentListQuerySchema, response: { 200: assessmentListResponseSchema } },
    handler: async (request) => ({ assessments: await service.list(actorOf(request), request.query.orgId) }),
  });
  r.post('/assessments', {
    config: { access: edit },
    schema: { tags, summary: 'Démarrer un diagnostic', body: createAssessmentBodySchema, response: { 200: assessmentDetailSchema } },
    handler: async (request) => service.create(actorOf(request), metaOf(request), request.body),
  });
  r.get('/assessments/:id', {
    config: { access: read },
    schema: { tags, summary: 'Un diagnostic : réponses, preuves, scores et écarts', params: idParams, response: { 200: assessmentDetailSchema } },
    handler: async (request) => service.get(actorOf(request), request.params.id),
  });
  r.put('/assessments/:id/answers/:nodeId', {
    config: { access: edit },
    schema: {
      tags,
      summary: 'Enregistrer la réponse à une mesure (409 avec la réponse actuelle si quelqu’un a enregistré entre-temps)',
      params: answerParams,
      body: saveAnswerBodySchema,
      response: { 200: saveAnswerResponseSchema, 409: z.union([answerConflictSchema, errorBodySchema]) },
    },
    handler: async (request) => service.saveAnswer(actorOf(request), metaOf(request), request.params.id, request.params.nodeId, request.body),
  });

  r.post('/assessments/:id/submit', {
    config: { access: policyAccess(assessmentPolicy, 'assessment.submit') },
    schema: { tags, summary: 'Soumettre le diagnostic à la direction', params: idParams, response: { 200: assessmentDetailSchema } },
    handler: async (request) => service.submit(actorOf(request), metaOf(request), request.params.id),
  });
  r.post('/assessments/:id/validate', {
    config: { access: policyAccess(assessmentPolicy, 'assessment.validate') },
    schema: { tags, summary: 'Valider le diagnostic (direction)', params: idParams, response: { 200: assessmentDetailSchema } },
    handler: async (request) => service.validate(actorOf(request), metaOf(request), request.params.id),
  });
  r.post('/assessments/:id/reopen', {
    config: { access: policyAccess(assessmentPolicy, 'assessment.submit', 'assessment.validate') },
    schema: { tags, summary: 'Rouvrir un diagnostic soumis pour le corriger', params: idParams, response: { 200: assessmentDetailSchema } },
    handler: async (request) => service.reopen(actorOf(request), metaOf(request), request.params.id),
  });

  r.post('/assessments/:id/evidence', {
    config: { access: edit },
    schema: {
      tags,
      summary: 'Joindre un fichier de preuve à une mesure (formulaire multipart : champs nodeId et file, 10 Mo au plus)',
      description: 'Formats acceptés, reconnus à leur contenu : PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, texte (.txt) ou CSV.',
      consumes: ['multipart/form-data'],
      params: idParams,
      response: { 200: evidenceSchema },
    },
    handler: async (request) => {
      const { fields, file } = await readUpload(request);
      const nodeId = addLinkEvidenceBodySchema.shape.nodeId.safeParse(fields.nodeId);
      if (!nodeId.success) throw invalidField('nodeId', 'Indiquez la mesure à laquelle joindre ce fichier.');
      return service.addFileEvidence(actorOf(request), metaOf(request), request.params.id, nodeId.data, file);
    },
  });
  r.post('/assessments/:id/evidence/link', {
    config: { access: edit },
    schema: { tags, summary: 'Joindre un lien de preuve à une mesure', params: idParams, body: addLinkEvidenceBodySchema, response: { 200: evidenceSchema } },
    handler: async (request) => service.addLinkEvidence(actorOf(request), metaOf(request), request.params.id, request.body),
  });
  r.get('/assessments/:id/evidence/:evidenceId', {
    config: { access: read },
    schema: { tags, summary: 'Télécharger un fichier de preuve', params: evidenceParams },
    handler: async (request, reply) => {
      const file = await service.downloadEvidence(actorOf(request), request.params.id, request.params.evidenceId);
      const type = file.mimeType.startsWith('text/') ? `${file.mimeType}; charset=utf-8` : file.mimeType;
      return reply
        .header('content-type', type)
        .header('content-disposition', attachment(file.fileName))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(file.data);
    },
  });
  r.delete('/assessments/:id/evidence/:evidenceId', {
    config: { access: edit },
    schema: { tags, summary: 'Retirer une preuve', params: evidenceParams, response: { 200: okSchema } },
    handler: async (request) => {
      await service.deleteEvidence(actorOf(request), metaOf(request), request.params.id, request.params.evidenceId);
      return { ok: true as const };
    },
  });

  r.get('/assessments/:id/compare', {
    config: { access: read },
    schema: { tags, summary: 'Comparer deux diagnostics du même établissement', params: idParams, querystring: compareQuerySchema, response: { 200: compareResponseSchema } },
    handler: async (request) => service.compare(actorOf(request), request.params.id, request.query.with),
  });
}
