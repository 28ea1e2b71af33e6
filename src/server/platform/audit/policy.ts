import { definePolicy, hasRoleOver, isPlatformAdmin, type Actor, type OrgScoped } from '../access/engine';

/** Security officers, direction and coordinators read the log of their perimeter; administrators all of it. */
const READERS = ['rssi', 'direction', 'coord_ght', 'coord_region'] as const;

export const auditPolicy = definePolicy('audit', {
  'log.read': (actor: Actor, org: OrgScoped | null) => isPlatformAdmin(actor) || (org !== null && hasRoleOver(actor, org, READERS)),
  /** The check walks the whole chain and reveals only whether it holds and where it breaks. */
  'log.verify': (actor: Actor, _r: null) => isPlatformAdmin(actor) || actor.memberships.some((m) => (READERS as readonly string[]).includes(m.role)),
});
