import type { CampaignEstablishment, Declaration } from '../../../contracts/assessment-region';
import type { Me } from '../../../contracts/identity';
import type { Role } from '../../../contracts/tenancy';
import type { Tone } from '../../ui';

const COORDINATORS: readonly Role[] = ['coord_region', 'coord_ght'];
const ESTABLISHMENT_ROLES: readonly Role[] = ['rssi', 'direction'];

const activeRole = (me: Me) => me.memberships.find((m) => m.orgId === me.activeOrgId)?.role;

/** A regional or GHT coordinator in the active organisation (the server decides; the page only hides what would be refused). */
export const isCoordinator = (me: Me) => {
  const role = activeRole(me);
  return role !== undefined && COORDINATORS.includes(role);
};

/** A region's coordinator in the active organisation: only a region carries a funding programme. */
export const isRegionCoordinator = (me: Me) => {
  const membership = me.memberships.find((m) => m.orgId === me.activeOrgId);
  return membership?.role === 'coord_region' && membership.orgKind === 'region';
};

/** Sees the « Pilotage régional » group: coordinators and platform administrators. */
export const seesRegion = (me: Me) => me.user.platformAdmin || isCoordinator(me);

/** An establishment's RSSI or direction: funding milestones and « Se situer ». */
export const isEstablishmentLead = (me: Me) => {
  const role = activeRole(me);
  return role !== undefined && ESTABLISHMENT_ROLES.includes(role);
};

/** Where an establishment stands in a campaign, in words and colour: late wins until it submits. */
export type CampaignStatusKey = 'notStarted' | 'started' | 'submitted' | 'validated' | 'late';

export function campaignStatus(row: Pick<CampaignEstablishment, 'progress' | 'late'>): { key: CampaignStatusKey; tone: Tone } {
  if (row.progress === 'validated') return { key: 'validated', tone: 'success' };
  if (row.progress === 'submitted') return { key: 'submitted', tone: 'info' };
  if (row.late) return { key: 'late', tone: 'danger' };
  if (row.progress === 'started') return { key: 'started', tone: 'warning' };
  return { key: 'notStarted', tone: 'neutral' };
}

export const DECLARATION_TONES: Record<Declaration['status'], Tone> = { none: 'neutral', declared: 'info', more_info: 'warning', validated: 'success' };

/** Rounded to the unit, or null. */
export const round = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(value));
