import { ASSESSMENT_ROLES } from '../../../contracts/assessment';
import { definePolicy, hasRoleOver, isPlatformAdmin, type Actor, type OrgScoped } from '../../platform/access/engine';

/**
 * Assessments belong to an establishment. Its RSSI and direction work on them; the GHT's
 * coordinator (often a mutualised RSSI) too; the region's coordinator reads the results of
 * his region. Nobody else (service referents keep their service's crisis plan, not this).
 */
const { read: READ, edit: EDIT, submit: SUBMIT, validate: VALIDATE, plan: PLAN } = ASSESSMENT_ROLES;

export const assessmentPolicy = definePolicy('assessment', {
  /** Frameworks are shared content: anyone with a role somewhere reads them. */
  'framework.read': (actor: Actor, _r: null) => isPlatformAdmin(actor) || actor.memberships.length > 0,
  /** Importing a framework makes it available to everyone: administrators and regional coordinators. */
  'framework.import': (actor: Actor, _r: null) => isPlatformAdmin(actor) || actor.memberships.some((m) => m.role === 'coord_region'),
  'assessment.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, READ),
  'assessment.edit': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, EDIT),
  'assessment.submit': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, SUBMIT),
  'assessment.validate': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, VALIDATE),
  'plan.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, READ),
  'plan.manage': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, PLAN),
  /** Campaigns are run by a region's or a GHT's coordinator, over their perimeter. */
  'campaign.manage': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['coord_region', 'coord_ght']),
  'funding.manage': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['coord_region']),
  'funding.declare': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['rssi', 'direction']),
  'funding.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['rssi', 'direction', 'coord_ght', 'coord_region']),
  /** Named results across a perimeter: the coordinators of that perimeter. */
  'observatory.read': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['coord_ght', 'coord_region']),
  /** The whole country (every region), for the platform's administrators. */
  'observatory.national': (actor: Actor, _r: null) => isPlatformAdmin(actor),
  /** An establishment's own scores beside anonymous medians. */
  'observatory.benchmark': (actor: Actor, org: OrgScoped) => hasRoleOver(actor, org, ['rssi', 'direction', 'coord_ght', 'coord_region']),
});
