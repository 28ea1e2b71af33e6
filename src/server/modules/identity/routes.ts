import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { okSchema } from '../../../contracts/common';
import {
  acceptInvitationBodySchema,
  createInvitationBodySchema,
  createOrgBodySchema,
  invitationListQuerySchema,
  invitationListResponseSchema,
  invitationPreviewBodySchema,
  invitationPreviewResponseSchema,
  invitationResponseSchema,
  mailListResponseSchema,
  meResponseSchema,
  orgListQuerySchema,
  orgListResponseSchema,
  orgResponseSchema,
  removeMembershipQuerySchema,
  setMembershipBodySchema,
  setUserStatusBodySchema,
  switchOrgBodySchema,
  updateOrgBodySchema,
  updateProfileBodySchema,
  userListQuerySchema,
  userListResponseSchema,
} from '../../../contracts/identity';
import type { Platform } from '../../platform/context';
import { actorOf, metaOf, policyAccess, sessionOf } from '../../platform/http/access';
import { identityPolicy } from './policy';
import { IdentityService } from './service';

const tags = ['identity'];
const idParams = z.object({ id: z.uuid({ message: 'Identifiant invalide.' }) });

/** Each route: declared access → validated input → one service call. */
export async function identityRoutes(app: FastifyInstance, { platform }: { platform: Platform }) {
  const identity = new IdentityService(platform);
  const r = app.withTypeProvider<ZodTypeProvider>();
  const ok = { ok: true as const };

  r.get('/me', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'La personne connectée et ses organisations', response: { 200: meResponseSchema } },
    handler: async (request) => identity.me(actorOf(request)),
  });
  r.patch('/me', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Modifier son profil', body: updateProfileBodySchema, response: { 200: meResponseSchema } },
    handler: async (request) => identity.updateProfile(actorOf(request), request.body),
  });
  r.post('/me/active-organisation', {
    config: { access: 'signed-in' },
    schema: { tags, summary: 'Changer d’organisation active', body: switchOrgBodySchema, response: { 200: meResponseSchema } },
    handler: async (request) => identity.switchOrganisation(actorOf(request), sessionOf(request), request.body.orgId),
  });

  r.get('/organisations', {
    config: { access: policyAccess(identityPolicy, 'organisation.read') },
    schema: { tags, summary: 'Organisations visibles', querystring: orgListQuerySchema, response: { 200: orgListResponseSchema } },
    handler: async (request) => ({ organisations: await identity.listOrganisations(actorOf(request), request.query) }),
  });
  r.post('/organisations', {
    config: { access: policyAccess(identityPolicy, 'organisation.create') },
    schema: { tags, summary: 'Créer une organisation', body: createOrgBodySchema, response: { 200: orgResponseSchema } },
    handler: async (request) => ({ organisation: await identity.createOrganisation(actorOf(request), metaOf(request), request.body) }),
  });
  r.patch('/organisations/:id', {
    config: { access: policyAccess(identityPolicy, 'organisation.update') },
    schema: { tags, summary: 'Renommer, compléter ou archiver une organisation', params: idParams, body: updateOrgBodySchema, response: { 200: orgResponseSchema } },
    handler: async (request) => ({ organisation: await identity.updateOrganisation(actorOf(request), metaOf(request), request.params.id, request.body) }),
  });

  r.get('/users', {
    config: { access: policyAccess(identityPolicy, 'member.list') },
    schema: { tags, summary: 'Membres d’une organisation et de ses sous-organisations', querystring: userListQuerySchema, response: { 200: userListResponseSchema } },
    handler: async (request) => ({ users: await identity.listUsers(actorOf(request), request.query.orgId, request.query.q) }),
  });
  r.post('/users/:id/status', {
    config: { access: policyAccess(identityPolicy, 'account.status') },
    schema: { tags, summary: 'Désactiver ou réactiver un compte', params: idParams, body: setUserStatusBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await identity.setStatus(actorOf(request), metaOf(request), request.params.id, request.body.status);
      return ok;
    },
  });
  r.put('/users/:id/membership', {
    config: { access: policyAccess(identityPolicy, 'member.manage') },
    schema: { tags, summary: 'Donner ou changer un rôle', params: idParams, body: setMembershipBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await identity.setMembership(actorOf(request), metaOf(request), request.params.id, request.body);
      return ok;
    },
  });
  r.delete('/users/:id/membership', {
    config: { access: policyAccess(identityPolicy, 'member.manage') },
    schema: { tags, summary: 'Retirer une personne d’une organisation', params: idParams, querystring: removeMembershipQuerySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await identity.removeMembership(actorOf(request), metaOf(request), request.params.id, request.query.orgId);
      return ok;
    },
  });

  r.get('/invitations', {
    config: { access: policyAccess(identityPolicy, 'member.list') },
    schema: { tags, summary: 'Invitations d’une organisation', querystring: invitationListQuerySchema, response: { 200: invitationListResponseSchema } },
    handler: async (request) => ({ invitations: await identity.listInvitations(actorOf(request), request.query.orgId) }),
  });
  r.post('/invitations', {
    config: { access: policyAccess(identityPolicy, 'member.manage') },
    schema: { tags, summary: 'Inviter une personne par e-mail', body: createInvitationBodySchema, response: { 200: invitationResponseSchema } },
    handler: async (request) => ({ invitation: await identity.invite(actorOf(request), metaOf(request), request.body) }),
  });
  r.post('/invitations/:id/revoke', {
    config: { access: policyAccess(identityPolicy, 'member.manage') },
    schema: { tags, summary: 'Annuler une invitation', params: idParams, response: { 200: okSchema } },
    handler: async (request) => {
      await identity.revokeInvitation(actorOf(request), metaOf(request), request.params.id);
      return ok;
    },
  });
  r.post('/invitations/preview', {
    config: { access: 'public', rateLimit: { max: platform.config.rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: { tags, summary: 'Ce que propose une invitation (jeton du lien reçu)', body: invitationPreviewBodySchema, response: { 200: invitationPreviewResponseSchema } },
    handler: async (request) => identity.previewInvitation(request.body.token),
  });
  r.post('/invitations/accept', {
    config: { access: 'public', rateLimit: { max: platform.config.rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: { tags, summary: 'Accepter une invitation', body: acceptInvitationBodySchema, response: { 200: okSchema } },
    handler: async (request) => {
      await identity.acceptInvitation(request.session, metaOf(request), request.body);
      return ok;
    },
  });

  r.get('/admin/mails', {
    config: { access: policyAccess(identityPolicy, 'mail.read') },
    schema: { tags, summary: 'Courriels conservés dans la base (sans serveur SMTP)', response: { 200: mailListResponseSchema } },
    handler: async (request) => ({ mails: await identity.listMails(actorOf(request)) }),
  });
}
