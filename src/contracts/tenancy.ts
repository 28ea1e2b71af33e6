import { z } from 'zod';

export const ORG_KINDS = ['region', 'ght', 'establishment', 'site', 'service'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Which kind of organisation may sit under which. */
export const ALLOWED_PARENTS: Record<OrgKind, readonly (OrgKind | null)[]> = {
  region: [null],
  ght: ['region'],
  establishment: ['region', 'ght'],
  site: ['establishment'],
  service: ['establishment', 'site'],
};

export const ESTABLISHMENT_CATEGORIES = ['CHU', 'CH', 'PSY', 'SMR', 'CLINIQUE', 'EHPAD', 'ESMS', 'CABINET', 'AUTRE'] as const;
export type EstablishmentCategory = (typeof ESTABLISHMENT_CATEGORIES)[number];

/** The categories in French: shown by the web app and written by the server in exports. */
export const CATEGORY_LABELS_FR: Record<EstablishmentCategory, string> = {
  CHU: 'Centre hospitalier universitaire (CHU)',
  CH: 'Centre hospitalier (CH)',
  PSY: 'Établissement de santé mentale',
  SMR: 'Soins médicaux et de réadaptation (SMR)',
  CLINIQUE: 'Clinique',
  EHPAD: 'EHPAD (hébergement pour personnes âgées dépendantes)',
  ESMS: 'Autre établissement ou service médico-social (ESMS)',
  CABINET: 'Cabinet ou centre de santé',
  AUTRE: 'Autre',
};

/**
 * Roles held in an organisation; they apply to that organisation and all below it.
 * The platform administrator is a flag on the user, not a membership.
 */
export const ROLES = ['agent', 'referent', 'rssi', 'direction', 'coord_ght', 'coord_region'] as const;
export type Role = (typeof ROLES)[number];

/** Roles for which two-factor authentication is compulsory (and for administrators). */
export const MFA_ROLES: readonly Role[] = ['rssi', 'direction', 'coord_ght', 'coord_region'];

/** Which roles may be held in which kind of organisation. */
export const ROLES_BY_KIND: Record<OrgKind, readonly Role[]> = {
  region: ['coord_region'],
  ght: ['coord_ght', 'rssi', 'direction'],
  establishment: ['agent', 'referent', 'rssi', 'direction'],
  site: ['agent', 'referent'],
  service: ['agent', 'referent'],
};

export const finessSchema = z
  .string()
  .trim()
  .regex(/^[0-9][0-9AB][0-9]{7}$/, 'Le numéro FINESS compte 9 caractères (chiffres, et A ou B en 2e position pour la Corse).');

export const membershipSchema = z.object({
  orgId: z.uuid(),
  orgName: z.string(),
  orgKind: z.enum(ORG_KINDS),
  role: z.enum(ROLES),
});
export type Membership = z.infer<typeof membershipSchema>;

export const organisationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(ORG_KINDS),
  name: z.string(),
  parentId: z.uuid().nullable(),
  finess: z.string().nullable(),
  category: z.enum(ESTABLISHMENT_CATEGORIES).nullable(),
  archived: z.boolean(),
});
export type Organisation = z.infer<typeof organisationSchema>;
