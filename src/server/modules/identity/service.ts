import { and, asc, desc, eq, ilike, inArray, isNull, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type {
  acceptInvitationBodySchema,
  createInvitationBodySchema,
  createOrgBodySchema,
  orgListQuerySchema,
  setMembershipBodySchema,
  updateOrgBodySchema,
  updateProfileBodySchema,
  Me,
  UserSummary,
} from '../../../contracts/identity';
import { ALLOWED_PARENTS, type Organisation, type Role } from '../../../contracts/tenancy';
import { requireAccess, type Actor } from '../../platform/access/engine';
import { randomToken, sha256 } from '../../platform/auth/crypto';
import { assertAcceptablePassword, hashPassword } from '../../platform/auth/passwords';
import { mfaCompulsoryFor } from '../../platform/auth/service';
import type { Session } from '../../platform/auth/sessions';
import type { Platform, RequestMeta } from '../../platform/context';
import type { Db } from '../../platform/db/client';
import { containsPattern } from '../../platform/db/like';
import { conflict, forbidden, invalid, invalidField, notFound } from '../../platform/http/errors';
import { mails } from '../../platform/mail/schema';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { loadOrg, loadVisibleOrg, subtreeIds, type OrgRef } from '../../platform/tenancy/service';
import { identityPolicy as policy } from './policy';
import { invitations } from './schema';

const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
const ROLE_LABELS: Record<Role, string> = {
  agent: 'agent',
  referent: 'référent cyber de service',
  rssi: 'RSSI',
  direction: 'membre de la direction',
  coord_ght: 'coordinateur GHT',
  coord_region: 'coordinateur régional',
};

type OrgRow = typeof organisations.$inferSelect;
const toOrganisation = (o: OrgRow): Organisation => ({
  id: o.id,
  kind: o.kind,
  name: o.name,
  parentId: o.parentId,
  finess: o.finess,
  category: o.category,
  archived: o.archivedAt !== null,
});

const isUniqueViolation = (err: unknown) => (err as { code?: string; cause?: { code?: string } })?.code === '23505' || (err as { cause?: { code?: string } })?.cause?.code === '23505';

/**
 * People, organisations, memberships and invitations. Every public method checks access
 * with the module's policy first, then applies its rule inside one transaction.
 */
export class IdentityService {
  constructor(private readonly p: Platform) {}

  // --- The signed-in user -----------------------------------------------------------

  /** Built from the actor the request already loaded: no further query. */
  me(actor: Actor): Me {
    return {
      user: {
        id: actor.userId,
        email: actor.email,
        displayName: actor.displayName,
        locale: actor.locale,
        platformAdmin: actor.platformAdmin,
        mfaEnabled: actor.mfaEnabled,
        mfaCompulsory: mfaCompulsoryFor(this.p.config.demo, actor.platformAdmin, actor.memberships.map((m) => m.role)),
      },
      memberships: actor.memberships,
      activeOrgId: actor.activeOrgId,
      demo: this.p.config.demo,
    };
  }

  async updateProfile(actor: Actor, input: z.infer<typeof updateProfileBodySchema>): Promise<Me> {
    // An empty change is not an error: there is simply nothing to write.
    if (Object.values(input).some((v) => v !== undefined)) await this.p.db.update(users).set(input).where(eq(users.id, actor.userId));
    return this.me({ ...actor, displayName: input.displayName ?? actor.displayName, locale: input.locale ?? actor.locale });
  }

  async switchOrganisation(actor: Actor, session: Session, orgId: string): Promise<Me> {
    if (!actor.memberships.some((m) => m.orgId === orgId)) throw notFound('Vous n’êtes pas membre de cette organisation.');
    await this.p.sessions.update(session.tokenHash, { activeOrgId: orgId });
    return this.me({ ...actor, activeOrgId: orgId });
  }

  // --- Organisations -------------------------------------------------------------------

  /** The organisations the actor may see: those of his memberships and everything below. */
  async listOrganisations(actor: Actor, query: z.infer<typeof orgListQuerySchema>): Promise<Organisation[]> {
    let scope: string[] | null = actor.platformAdmin ? null : await subtreeIds(this.p.db, actor.memberships.map((m) => m.orgId));
    if (query.under) {
      requireAccess(actor, policy, 'organisation.read', await loadVisibleOrg(this.p.db, actor, query.under));
      const under = await subtreeIds(this.p.db, [query.under]);
      scope = scope ? under.filter((id) => scope!.includes(id)) : under;
    }
    const rows = await this.p.db
      .select()
      .from(organisations)
      .where(
        and(
          scope ? (scope.length ? inArray(organisations.id, scope) : sql`false`) : undefined,
          query.kind ? eq(organisations.kind, query.kind) : undefined,
          query.q ? ilike(organisations.name, containsPattern(query.q)) : undefined,
        ),
      )
      .orderBy(sql`cardinality(${organisations.ancestors})`, asc(organisations.name));
    return rows.map(toOrganisation);
  }

  async createOrganisation(actor: Actor, meta: RequestMeta, input: z.infer<typeof createOrgBodySchema>): Promise<Organisation> {
    const parent = input.parentId ? await loadOrg(this.p.db, input.parentId) : null;
    requireAccess(actor, policy, 'organisation.create', { parent, kind: input.kind });
    if (!ALLOWED_PARENTS[input.kind].includes(parent?.kind ?? null)) {
      throw invalidField('parentId', parent ? `Un(e) ${input.kind} ne peut pas être rattaché(e) à ce type d’organisation.` : 'Choisissez l’organisation de rattachement.');
    }
    const isEstablishment = input.kind === 'establishment';
    if (!isEstablishment && (input.finess || input.category)) {
      throw invalidField('finess', 'Le numéro FINESS et la catégorie ne concernent que les établissements.');
    }
    if (isEstablishment && !input.category) throw invalidField('category', 'Choisissez la catégorie de l’établissement.');
    try {
      return await this.p.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(organisations)
          .values({
            kind: input.kind,
            name: input.name,
            parentId: parent?.orgId ?? null,
            ancestors: parent ? [...parent.ancestors, parent.orgId] : [],
            finess: input.finess ?? null,
            category: input.category ?? null,
          })
          .returning();
        await this.audit(tx, actor, meta, 'identity.organisation.created', row.id, 'organisation', row.id, { name: row.name, kind: row.kind });
        return toOrganisation(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw invalidField('finess', 'Ce numéro FINESS est déjà utilisé par un autre établissement.');
      throw err;
    }
  }

  async updateOrganisation(actor: Actor, meta: RequestMeta, id: string, input: z.infer<typeof updateOrgBodySchema>): Promise<Organisation> {
    const org = await loadVisibleOrg(this.p.db, actor, id);
    requireAccess(actor, policy, 'organisation.update', org);
    if (org.kind !== 'establishment' && (input.finess || input.category)) {
      throw invalidField('finess', 'Le numéro FINESS et la catégorie ne concernent que les établissements.');
    }
    if (Object.values(input).every((v) => v === undefined)) {
      // Nothing to change: answer the organisation as it is, write nothing.
      const [current] = await this.p.db.select().from(organisations).where(eq(organisations.id, id));
      return toOrganisation(current);
    }
    try {
      return await this.p.db.transaction(async (tx) => {
        const [row] = await tx
          .update(organisations)
          .set({
            name: input.name,
            finess: input.finess,
            category: input.category,
            archivedAt: input.archived === undefined ? undefined : input.archived ? this.p.clock.now() : null,
          })
          .where(eq(organisations.id, id))
          .returning();
        await this.audit(tx, actor, meta, 'identity.organisation.updated', id, 'organisation', id, { changes: Object.keys(input) });
        return toOrganisation(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw invalidField('finess', 'Ce numéro FINESS est déjà utilisé par un autre établissement.');
      throw err;
    }
  }

  // --- Users and memberships -------------------------------------------------------------

  async listUsers(actor: Actor, orgId: string, q?: string): Promise<UserSummary[]> {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'member.list', org);
    const scope = await subtreeIds(this.p.db, [org.orgId]);
    const rows = await this.p.db
      .select({ user: users, orgId: memberships.orgId, role: memberships.role, orgName: organisations.name, orgKind: organisations.kind })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(
        and(
          inArray(memberships.orgId, scope),
          q ? or(ilike(users.displayName, containsPattern(q)), ilike(users.email, containsPattern(q))) : undefined,
        ),
      )
      .orderBy(asc(users.displayName));
    const byUser = new Map<string, UserSummary>();
    for (const r of rows) {
      const entry =
        byUser.get(r.user.id) ??
        byUser
          .set(r.user.id, {
            id: r.user.id,
            email: r.user.email,
            displayName: r.user.displayName,
            status: r.user.status,
            mfaEnabled: r.user.totpEnabledAt !== null,
            lastLoginAt: r.user.lastLoginAt?.toISOString() ?? null,
            memberships: [],
          })
          .get(r.user.id)!;
      entry.memberships.push({ orgId: r.orgId, orgName: r.orgName, orgKind: r.orgKind, role: r.role });
    }
    return [...byUser.values()];
  }

  /** Only people already in the actor's perimeter can be targeted; anyone else is "not found". */
  private async userInScope(actor: Actor, userId: string): Promise<{ user: typeof users.$inferSelect; orgs: OrgRef[] }> {
    const [user] = await this.p.db.select().from(users).where(eq(users.id, userId));
    if (!user) throw notFound();
    const orgRows = await this.p.db
      .select({ orgId: organisations.id, ancestors: organisations.ancestors, kind: organisations.kind, name: organisations.name })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.orgId))
      .where(eq(memberships.userId, userId));
    const visible = actor.platformAdmin || orgRows.some((o) => actor.memberships.some((m) => m.orgId === o.orgId || o.ancestors.includes(m.orgId)));
    if (!visible) throw notFound();
    return { user, orgs: orgRows };
  }

  async setMembership(actor: Actor, meta: RequestMeta, userId: string, input: z.infer<typeof setMembershipBodySchema>): Promise<void> {
    const { user } = await this.userInScope(actor, userId);
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    requireAccess(actor, policy, 'member.manage', { org, role: input.role, targetUserId: user.id });
    await this.p.db.transaction(async (tx) => {
      await tx
        .insert(memberships)
        .values({ userId: user.id, orgId: org.orgId, role: input.role })
        .onConflictDoUpdate({ target: [memberships.userId, memberships.orgId], set: { role: input.role } });
      await this.audit(tx, actor, meta, 'identity.membership.set', org.orgId, 'user', user.id, { role: input.role, email: user.email });
    });
  }

  async removeMembership(actor: Actor, meta: RequestMeta, userId: string, orgId: string): Promise<void> {
    const { user } = await this.userInScope(actor, userId);
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    const [current] = await this.p.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.userId, user.id), eq(memberships.orgId, org.orgId)));
    if (!current) throw notFound('Cette personne n’est pas membre de cette organisation.');
    requireAccess(actor, policy, 'member.manage', { org, role: current.role, targetUserId: user.id });
    await this.p.db.transaction(async (tx) => {
      await tx.delete(memberships).where(eq(memberships.id, current.id));
      await this.audit(tx, actor, meta, 'identity.membership.removed', org.orgId, 'user', user.id, { role: current.role, email: user.email });
    });
  }

  /** Disabling an account closes all its sessions at once. */
  async setStatus(actor: Actor, meta: RequestMeta, userId: string, status: 'active' | 'disabled'): Promise<void> {
    const { user, orgs } = await this.userInScope(actor, userId);
    requireAccess(actor, policy, 'account.status', { targetUserId: user.id, orgs });
    await this.p.db.transaction(async (tx) => {
      await tx.update(users).set({ status }).where(eq(users.id, user.id));
      if (status === 'disabled') await this.p.sessions.revokeAllForUser(tx, user.id);
      await this.audit(tx, actor, meta, status === 'disabled' ? 'identity.user.disabled' : 'identity.user.enabled', orgs[0]?.orgId ?? null, 'user', user.id, { email: user.email });
    });
  }

  // --- Invitations ---------------------------------------------------------------------

  async listInvitations(actor: Actor, orgId: string) {
    const org = await loadVisibleOrg(this.p.db, actor, orgId);
    requireAccess(actor, policy, 'member.list', org);
    const scope = await subtreeIds(this.p.db, [org.orgId]);
    const rows = await this.p.db
      .select({ invitation: invitations, orgName: organisations.name })
      .from(invitations)
      .innerJoin(organisations, eq(organisations.id, invitations.orgId))
      .where(inArray(invitations.orgId, scope))
      .orderBy(desc(invitations.createdAt))
      .limit(500);
    const now = this.p.clock.now();
    return rows.map(({ invitation: i, orgName }) => ({
      id: i.id,
      email: i.email,
      orgId: i.orgId,
      orgName,
      role: i.role,
      status: i.acceptedAt ? ('accepted' as const) : i.revokedAt ? ('revoked' as const) : i.expiresAt <= now ? ('expired' as const) : ('pending' as const),
      expiresAt: i.expiresAt.toISOString(),
      createdAt: i.createdAt.toISOString(),
    }));
  }

  /** A new invitation replaces a pending one for the same address and organisation. */
  async invite(actor: Actor, meta: RequestMeta, input: z.infer<typeof createInvitationBodySchema>) {
    const org = await loadVisibleOrg(this.p.db, actor, input.orgId);
    // Inviting one's own address would change one's own role, which member.manage refuses.
    const [invited] = await this.p.db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
    requireAccess(actor, policy, 'member.manage', { org, role: input.role, targetUserId: invited?.id });
    const token = randomToken();
    const now = this.p.clock.now();
    const { id, mailId } = await this.p.db.transaction(async (tx) => {
      await tx
        .update(invitations)
        .set({ revokedAt: now })
        .where(and(eq(invitations.email, input.email), eq(invitations.orgId, org.orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
      const [row] = await tx
        .insert(invitations)
        .values({ tokenHash: sha256(token), email: input.email, orgId: org.orgId, role: input.role, invitedBy: actor.userId, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS), createdAt: now })
        .returning({ id: invitations.id });
      await this.audit(tx, actor, meta, 'identity.invitation.created', org.orgId, 'invitation', row.id, { email: input.email, role: input.role });
      const mail = await this.p.mail.enqueue(tx, {
        to: input.email,
        subject: `Hygie : invitation à rejoindre ${org.name}`,
        text: [
          'Bonjour,',
          '',
          `${actor.displayName} vous invite à rejoindre ${org.name} sur Hygie, la plateforme de cyber-résilience de votre établissement, comme ${ROLE_LABELS[input.role]}.`,
          '',
          'Pour accepter, ouvrez ce lien dans les 7 jours :',
          `${this.p.config.publicUrl}/invitation#token=${token}`,
          '',
          'Si vous ne vous attendiez pas à cette invitation, ignorez ce message.',
        ].join('\n'),
      });
      return { id: row.id, mailId: mail };
    });
    await this.p.mail.dispatch([mailId]);
    return (await this.listInvitations(actor, org.orgId)).find((i) => i.id === id)!;
  }

  async revokeInvitation(actor: Actor, meta: RequestMeta, id: string): Promise<void> {
    const [invitation] = await this.p.db.select().from(invitations).where(eq(invitations.id, id));
    if (!invitation) throw notFound();
    const org = await loadVisibleOrg(this.p.db, actor, invitation.orgId);
    requireAccess(actor, policy, 'member.manage', { org, role: invitation.role });
    if (invitation.acceptedAt) throw conflict('Cette invitation a déjà été acceptée.');
    await this.p.db.transaction(async (tx) => {
      await tx.update(invitations).set({ revokedAt: this.p.clock.now() }).where(eq(invitations.id, id));
      await this.audit(tx, actor, meta, 'identity.invitation.revoked', org.orgId, 'invitation', id, { email: invitation.email });
    });
  }

  private async pendingInvitation(token: string) {
    const [row] = await this.p.db
      .select({ invitation: invitations, orgName: organisations.name })
      .from(invitations)
      .innerJoin(organisations, eq(organisations.id, invitations.orgId))
      .where(eq(invitations.tokenHash, sha256(token)));
    const now = this.p.clock.now();
    if (!row || row.invitation.acceptedAt || row.invitation.revokedAt || row.invitation.expiresAt <= now) {
      throw invalidField('token', 'Cette invitation n’est plus valable : elle a déjà servi, a été annulée ou a expiré. Demandez-en une nouvelle.');
    }
    return row;
  }

  async previewInvitation(token: string) {
    const { invitation, orgName } = await this.pendingInvitation(token);
    const [existing] = await this.p.db.select({ id: users.id }).from(users).where(eq(users.email, invitation.email));
    return { email: invitation.email, orgName, role: invitation.role, accountExists: Boolean(existing) };
  }

  /**
   * New address: creates the account with the chosen password. Known address: the invited
   * person must be signed in as that address. Single use, even when two accepts race.
   */
  async acceptInvitation(session: Session | null, meta: RequestMeta, input: z.infer<typeof acceptInvitationBodySchema>): Promise<void> {
    const { invitation } = await this.pendingInvitation(input.token);
    const [existing] = await this.p.db.select().from(users).where(eq(users.email, invitation.email));
    let passwordHash: string | undefined;
    if (existing) {
      if (!session || session.userId !== existing.id || session.mfaState !== 'verified') {
        throw forbidden(`Connectez-vous d’abord avec l’adresse ${invitation.email} pour accepter cette invitation.`);
      }
    } else {
      const fields = [];
      if (!input.displayName) fields.push({ path: 'displayName', message: 'Le nom est obligatoire.' });
      if (!input.password) fields.push({ path: 'password', message: 'Choisissez un mot de passe d’au moins 12 caractères.' });
      if (fields.length) throw invalid(fields);
      assertAcceptablePassword(input.password!, invitation.email);
      passwordHash = await hashPassword(input.password!);
    }
    await this.p.db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(invitations)
        .set({ acceptedAt: this.p.clock.now() })
        .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
        .returning({ id: invitations.id });
      if (!claimed) throw invalidField('token', 'Cette invitation a déjà servi.');
      const userId =
        existing?.id ??
        (await tx.insert(users).values({ email: invitation.email, displayName: input.displayName!, passwordHash }).returning({ id: users.id }))[0].id;
      await tx
        .insert(memberships)
        .values({ userId, orgId: invitation.orgId, role: invitation.role })
        .onConflictDoUpdate({ target: [memberships.userId, memberships.orgId], set: { role: invitation.role } });
      await this.p.audit(
        { action: 'identity.invitation.accepted', actorId: userId, actorLabel: invitation.email, orgId: invitation.orgId, targetType: 'invitation', targetId: invitation.id, ip: meta.ip, details: { role: invitation.role, newAccount: !existing } },
        tx,
      );
    }).catch((err: unknown) => {
      // Two invitations to the same new address accepted at once: the account was created by the other one.
      if (!existing && isUniqueViolation(err)) {
        throw conflict('Un compte vient d’être créé pour cette adresse : connectez-vous, puis ouvrez à nouveau le lien pour accepter cette invitation.');
      }
      throw err;
    });
  }

  // --- Mails kept in the database --------------------------------------------------------

  async listMails(actor: Actor) {
    requireAccess(actor, policy, 'mail.read', null);
    const rows = await this.p.db.select().from(mails).orderBy(desc(mails.createdAt)).limit(200);
    return rows.map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, status: m.status, createdAt: m.createdAt.toISOString() }));
  }

  private audit(tx: Db, actor: Actor, meta: RequestMeta, action: string, orgId: string | null, targetType: string, targetId: string, details: Record<string, unknown>) {
    return this.p.audit({ action, actorId: actor.userId, actorLabel: actor.email, orgId, targetType, targetId, ip: meta.ip, details }, tx);
  }
}
