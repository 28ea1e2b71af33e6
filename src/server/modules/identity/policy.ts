import { ROLES_BY_KIND, type OrgKind, type Role } from '../../../contracts/tenancy';
import { definePolicy, hasRoleOver, isPlatformAdmin, rolesOver, type Actor, type OrgScoped } from '../../platform/access/engine';

/** Who administers which level of the tree (for its whole subtree). */
const MANAGERS: Record<OrgKind, readonly Role[]> = {
  region: ['coord_region'],
  ght: ['coord_region', 'coord_ght'],
  establishment: ['coord_region', 'coord_ght', 'rssi', 'direction'],
  site: ['coord_region', 'coord_ght', 'rssi', 'direction'],
  service: ['coord_region', 'coord_ght', 'rssi', 'direction'],
};

type Org = OrgScoped & { kind: OrgKind };

const manages = (actor: Actor, org: Org) => isPlatformAdmin(actor) || hasRoleOver(actor, org, MANAGERS[org.kind]);

/** Which kinds of organisation a role may create below a parent it manages. */
const CREATES: Partial<Record<Role, readonly OrgKind[]>> = {
  coord_region: ['ght', 'establishment', 'site', 'service'],
  coord_ght: ['establishment', 'site', 'service'],
  rssi: ['site', 'service'],
  direction: ['site', 'service'],
};

export const identityPolicy = definePolicy('identity', {
  /** See an organisation: any role on it or above it. */
  'organisation.read': (actor: Actor, org: OrgScoped) => isPlatformAdmin(actor) || rolesOver(actor, org).length > 0,
  'organisation.create': (actor: Actor, r: { parent: Org | null; kind: OrgKind }) => {
    if (isPlatformAdmin(actor)) return true;
    if (!r.parent) return false; // regions are created by administrators only
    return rolesOver(actor, r.parent).some((role) => CREATES[role]?.includes(r.kind));
  },
  'organisation.update': (actor: Actor, org: Org) => manages(actor, org),
  'member.list': (actor: Actor, org: Org) => manages(actor, org),
  /** Grant, change or remove a role in an organisation, or invite someone to it. */
  'member.manage': (actor: Actor, r: { org: Org; role: Role; targetUserId?: string }) =>
    manages(actor, r.org) && ROLES_BY_KIND[r.org.kind].includes(r.role) && r.targetUserId !== actor.userId,
  /** Disable or enable an account: every organisation it belongs to must be one the actor manages. */
  'account.status': (actor: Actor, r: { targetUserId: string; orgs: Org[] }) =>
    r.targetUserId !== actor.userId && (isPlatformAdmin(actor) || (r.orgs.length > 0 && r.orgs.every((o) => manages(actor, o)))),
  'mail.read': (actor: Actor, _r: null) => isPlatformAdmin(actor),
});
