import { createContext, useContext } from 'react';
import type { Me } from '../../contracts/identity';
import type { Membership, Role } from '../../contracts/tenancy';

/** The signed-in person, provided by the app shell once /me has answered. */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe must be used inside the signed-in area');
  return me;
}

export function activeMembership(me: Me): Membership | null {
  return me.memberships.find((membership) => membership.orgId === me.activeOrgId) ?? null;
}

/** Roles that oversee an organisation: they read its audit log and administer its people and organisations. */
const MANAGER_ROLES: readonly Role[] = ['rssi', 'direction', 'coord_ght', 'coord_region'];

export function isManager(me: Me): boolean {
  const role = activeMembership(me)?.role;
  return me.user.platformAdmin || (role !== undefined && MANAGER_ROLES.includes(role));
}
