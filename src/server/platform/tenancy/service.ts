import { and, arrayOverlaps, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { OrgKind } from '../../../contracts/tenancy';
import type { Actor, OrgScoped } from '../access/engine';
import type { Db } from '../db/client';
import { notFound } from '../http/errors';
import { memberships, organisations, users } from './schema';

export interface OrgRef extends OrgScoped {
  kind: OrgKind;
  name: string;
}

/** Loads an organisation by id as a resource for policies; 404 when it does not exist. */
export async function loadOrg(db: Db, orgId: string): Promise<OrgRef> {
  const [org] = await db
    .select({ orgId: organisations.id, ancestors: organisations.ancestors, kind: organisations.kind, name: organisations.name })
    .from(organisations)
    .where(eq(organisations.id, orgId));
  if (!org) throw notFound();
  return org;
}

/**
 * An organisation the actor may at least know of: one of his, or below one of his
 * (administrators see all). Anything else is "not found", so existence is not revealed.
 */
export async function loadVisibleOrg(db: Db, actor: Actor, orgId: string): Promise<OrgRef> {
  const org = await loadOrg(db, orgId);
  if (!actor.platformAdmin && !actor.memberships.some((m) => m.orgId === org.orgId || org.ancestors.includes(m.orgId))) {
    throw notFound();
  }
  return org;
}

/** Ids of the organisation and of everything below it. */
export async function subtreeIds(db: Db, rootIds: string[]): Promise<string[]> {
  if (rootIds.length === 0) return [];
  const rows = await db
    .select({ id: organisations.id })
    .from(organisations)
    .where(or(inArray(organisations.id, rootIds), arrayOverlaps(organisations.ancestors, rootIds)));
  return rows.map((r) => r.id);
}

/** The actor behind a session: the user and every membership, with the organisation's name and kind. */
export async function loadActor(db: Db, userId: string, activeOrgId: string | null): Promise<Actor | null> {
  const rows = await db
    .select({
      email: users.email,
      displayName: users.displayName,
      platformAdmin: users.platformAdmin,
      locale: users.locale,
      totpEnabledAt: users.totpEnabledAt,
      status: users.status,
      orgId: memberships.orgId,
      role: memberships.role,
      orgName: organisations.name,
      orgKind: organisations.kind,
    })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .leftJoin(organisations, and(eq(organisations.id, memberships.orgId), isNull(organisations.archivedAt)))
    .where(eq(users.id, userId))
    .orderBy(sql`${organisations.ancestors} nulls first`, organisations.name);
  const first = rows[0];
  if (!first || first.status !== 'active') return null;
  const list = rows
    .filter((r) => r.orgId && r.role && r.orgName && r.orgKind)
    .map((r) => ({ orgId: r.orgId!, role: r.role!, orgName: r.orgName!, orgKind: r.orgKind! }));
  const active = list.some((m) => m.orgId === activeOrgId) ? activeOrgId : (list[0]?.orgId ?? null);
  return {
    userId,
    email: first.email,
    displayName: first.displayName,
    platformAdmin: first.platformAdmin,
    locale: first.locale,
    mfaEnabled: first.totpEnabledAt !== null,
    memberships: list,
    activeOrgId: active,
  };
}
