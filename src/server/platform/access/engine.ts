import type { OrgKind, Role } from '../../../contracts/tenancy';
import { AppError } from '../http/errors';

export interface ActorMembership {
  orgId: string;
  orgName: string;
  orgKind: OrgKind;
  role: Role;
}

/** The person acting, as loaded from the session; never built from client input. */
export interface Actor {
  userId: string;
  email: string;
  displayName: string;
  platformAdmin: boolean;
  locale: 'fr' | 'en';
  mfaEnabled: boolean;
  memberships: ActorMembership[];
  activeOrgId: string | null;
}

/** Something owned by an organisation: its id and those of all its ancestors. */
export interface OrgScoped {
  orgId: string;
  ancestors: readonly string[];
}

export type Rule<R> = (actor: Actor, resource: R) => boolean;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each rule names its own resource type
export type AnyRule = Rule<any>;

export interface Policy<Rules extends Record<string, AnyRule>> {
  module: string;
  rules: Rules;
}

const registry = new Map<string, Policy<Record<string, AnyRule>>>();

/** Each module declares its rules once, in its policy.ts. */
export function definePolicy<const Rules extends Record<string, AnyRule>>(module: string, rules: Rules): Policy<Rules> {
  const policy = { module, rules };
  registry.set(module, policy as Policy<Record<string, AnyRule>>);
  return policy;
}

export function declaredActions(module: string): string[] | undefined {
  const policy = registry.get(module);
  return policy ? Object.keys(policy.rules) : undefined;
}

/** A refusal by a policy: answered 403 and written to the audit log by the HTTP layer. */
export class AccessDenied extends AppError {
  constructor(
    public readonly module: string,
    public readonly action: string,
  ) {
    super(403, 'forbidden', "Vous n'avez pas accès à cette action.");
  }
}

/** Whether the actor may do `action` on `resource`. Unknown actions are denied. */
export function can<Rules extends Record<string, AnyRule>, A extends keyof Rules & string>(
  actor: Actor,
  policy: Policy<Rules>,
  action: A,
  resource: Parameters<Rules[A]>[1],
): boolean {
  const rule: AnyRule | undefined = policy.rules[action];
  return rule ? rule(actor, resource) === true : false;
}

/** The first line of every service function: throws 403 (audited by the HTTP layer) when not allowed. */
export function requireAccess<Rules extends Record<string, AnyRule>, A extends keyof Rules & string>(
  actor: Actor,
  policy: Policy<Rules>,
  action: A,
  resource: Parameters<Rules[A]>[1],
): void {
  if (!can(actor, policy, action, resource)) {
    throw new AccessDenied(policy.module, action);
  }
}

// --- Building blocks for rules ---------------------------------------------------

/** Roles the actor holds on this organisation, directly or through an ancestor. */
export function rolesOver(actor: Actor, target: OrgScoped): Role[] {
  const chain = new Set([target.orgId, ...target.ancestors]);
  return actor.memberships.filter((m) => chain.has(m.orgId)).map((m) => m.role);
}

export function hasRoleOver(actor: Actor, target: OrgScoped, roles: readonly Role[]): boolean {
  return rolesOver(actor, target).some((r) => roles.includes(r));
}

/** Member of the organisation itself, of one of its ancestors, or of one of its descendants (for reading names). */
export function isMember(actor: Actor, orgId: string): boolean {
  return actor.memberships.some((m) => m.orgId === orgId);
}

export const isPlatformAdmin = (actor: Actor) => actor.platformAdmin;
