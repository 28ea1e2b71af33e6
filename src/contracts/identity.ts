import { z } from 'zod';
import { displayNameSchema, emailSchema, newPasswordSchema } from './common';
import { ESTABLISHMENT_CATEGORIES, ORG_KINDS, ROLES, finessSchema, membershipSchema, organisationSchema } from './tenancy';

export const meResponseSchema = z.object({
  user: z.object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    locale: z.enum(['fr', 'en']),
    platformAdmin: z.boolean(),
    mfaEnabled: z.boolean(),
    /** true when a role of this user makes two-factor authentication compulsory */
    mfaCompulsory: z.boolean(),
  }),
  memberships: z.array(membershipSchema),
  activeOrgId: z.uuid().nullable(),
  /** Demo mode: two-factor authentication is not enforced; the UI shows a banner. */
  demo: z.boolean(),
});
export type Me = z.infer<typeof meResponseSchema>;

export const switchOrgBodySchema = z.object({ orgId: z.uuid({ message: "Choisissez une organisation." }) });

export const updateProfileBodySchema = z.object({
  displayName: displayNameSchema.optional(),
  locale: z.enum(['fr', 'en']).optional(),
});

// --- Organisations ------------------------------------------------------------

export const orgListQuerySchema = z.object({
  /** Only the organisations below this one (itself included) */
  under: z.uuid().optional(),
  kind: z.enum(ORG_KINDS).optional(),
  q: z.string().trim().max(100).optional(),
});
export const orgListResponseSchema = z.object({ organisations: z.array(organisationSchema) });

export const createOrgBodySchema = z.object({
  kind: z.enum(ORG_KINDS, { message: "Choisissez le type d'organisation." }),
  name: z.string().trim().min(2, 'Le nom doit contenir au moins 2 caractères.').max(200, 'Le nom est trop long.'),
  parentId: z.uuid({ message: "Choisissez l'organisation de rattachement." }).nullable(),
  finess: finessSchema.nullable().optional(),
  category: z.enum(ESTABLISHMENT_CATEGORIES).nullable().optional(),
});
export const updateOrgBodySchema = z.object({
  name: z.string().trim().min(2, 'Le nom doit contenir au moins 2 caractères.').max(200).optional(),
  finess: finessSchema.nullable().optional(),
  category: z.enum(ESTABLISHMENT_CATEGORIES).nullable().optional(),
  archived: z.boolean().optional(),
});
export const orgResponseSchema = z.object({ organisation: organisationSchema });

// --- Users and memberships ------------------------------------------------------

export const userSummarySchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'disabled']),
  mfaEnabled: z.boolean(),
  lastLoginAt: z.string().nullable(),
  memberships: z.array(membershipSchema),
});
export type UserSummary = z.infer<typeof userSummarySchema>;
export const userListQuerySchema = z.object({
  orgId: z.uuid({ message: 'Choisissez une organisation.' }),
  q: z.string().trim().max(100).optional(),
});
export const userListResponseSchema = z.object({ users: z.array(userSummarySchema) });
export const setUserStatusBodySchema = z.object({
  orgId: z.uuid(),
  status: z.enum(['active', 'disabled'], { message: 'Statut inconnu.' }),
});
export const setMembershipBodySchema = z.object({
  orgId: z.uuid({ message: 'Choisissez une organisation.' }),
  role: z.enum(ROLES, { message: 'Choisissez un rôle.' }),
});
export const removeMembershipQuerySchema = z.object({ orgId: z.uuid() });

// --- Invitations -----------------------------------------------------------------

export const createInvitationBodySchema = z.object({
  email: emailSchema,
  orgId: z.uuid({ message: 'Choisissez une organisation.' }),
  role: z.enum(ROLES, { message: 'Choisissez un rôle.' }),
});
export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  orgId: z.uuid(),
  orgName: z.string(),
  role: z.enum(ROLES),
  status: z.enum(['pending', 'accepted', 'expired', 'revoked']),
  expiresAt: z.string(),
  createdAt: z.string(),
});
export const invitationResponseSchema = z.object({ invitation: invitationSchema });
export const invitationListQuerySchema = z.object({ orgId: z.uuid({ message: 'Choisissez une organisation.' }) });
export const invitationListResponseSchema = z.object({ invitations: z.array(invitationSchema) });
/** What the invited person sees before accepting (token from the e-mailed link). */
export const invitationPreviewBodySchema = z.object({ token: z.string().min(20, 'Le lien est incomplet.').max(200) });
export const invitationPreviewResponseSchema = z.object({
  email: z.string(),
  orgName: z.string(),
  role: z.enum(ROLES),
  /** true when an account already exists for this address: accepting needs a login, not a new password */
  accountExists: z.boolean(),
});
export const acceptInvitationBodySchema = z.object({
  token: z.string().min(20).max(200),
  displayName: displayNameSchema.optional(),
  password: newPasswordSchema.optional(),
});

// --- Mails kept in the database (no SMTP configured) -------------------------------

export const mailSchema = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  text: z.string().nullable(),
  status: z.enum(['queued', 'sending', 'sent', 'kept', 'failed']),
  createdAt: z.string(),
});
export const mailListResponseSchema = z.object({ mails: z.array(mailSchema) });
