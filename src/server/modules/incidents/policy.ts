import { INCIDENT_ROLES } from '../../../contracts/incidents';
import { definePolicy, hasRoleOver, isPlatformAdmin, type Actor, type OrgScoped } from '../../platform/access/engine';

/**
 * Incidents belong to an establishment. Its RSSI and direction declare and follow them, with
 * the GHT's coordinator (often a mutualised RSSI); the region's coordinator receives the
 * declarations of his region, alerts its establishments and sees its statistics. Nobody
 * else: agents and service referents do not see incidents. Resources are organisations
 * (the incident's establishment, or the region), loaded with `loadVisibleOrg` so that a
 * foreign one is "not found" before any rule runs.
 */
const R = INCIDENT_ROLES;

export const incidentPolicy = definePolicy('incidents', {
  'incident.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.read),
  'incident.declare': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.declare),
  /** Timeline, tasks, attachments, indicators, regulatory obligations, closure. */
  'incident.follow': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.follow),
  /** The region's inbox and its follow-up of a declaration (acknowledgement, support). */
  'region.inbox': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.region),
  'region.detections': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.region),
  'alert.publish': (actor: Actor, region: OrgScoped) => hasRoleOver(actor, region, R.region),
  /** Alerts addressed to an establishment: read and acknowledged by its security people. */
  'alert.receive': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, [...R.alertReceive, ...R.region]),
  'alert.acknowledge': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.alertReceive),
  /** Indicators other establishments of the region shared (TLP:CLEAR and TLP:GREEN). */
  'indicator.shared': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, [...R.follow, ...R.region]),
  'stats.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.stats),
  'nis2.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, R.read),
  'nis2.manage': (actor: Actor, org: OrgScoped) => isPlatformAdmin(actor) || hasRoleOver(actor, org, R.nis2),
  /** A personal feed of the alerts a person receives: anyone with a role that receives alerts. */
  'feed.manage': (actor: Actor, _r: null) => actor.memberships.some((m) => (R.alertReceive as readonly string[]).includes(m.role) || m.role === 'coord_region'),
});
