import { and, eq, gt, isNull, ne } from 'drizzle-orm';
import { MFA_ROLES, type Role } from '../../../contracts/tenancy';
import type { Platform, RequestMeta } from '../context';
import type { Db } from '../db/client';
import { AppError, invalidField, unauthenticated } from '../http/errors';
import { memberships, users } from '../tenancy/schema';
import { randomToken, sha256 } from './crypto';
import { hashRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, otpauthUri, qrCodeDataUrl } from './mfa';
import { assertAcceptablePassword, hashPassword, verifyPassword } from './passwords';
import { passwordResets, recoveryCodes, sessions } from './schema';
import type { MfaState, Session } from './sessions';
import { assertLoginAllowed, recordAttempt } from './throttle';

const RESET_TTL_MS = 60 * 60_000;
const BAD_CREDENTIALS = 'Adresse e-mail ou mot de passe incorrect.';
const BAD_CODE = 'Ce code ne convient pas. Vérifiez l’heure de votre téléphone et saisissez le code affiché maintenant, ou un code de secours.';

type User = typeof users.$inferSelect;

/** Two-factor authentication is compulsory for administrators and sensitive roles, except in demo mode. */
export function mfaCompulsoryFor(demo: boolean, platformAdmin: boolean, roles: readonly Role[]): boolean {
  return !demo && (platformAdmin || roles.some((r) => MFA_ROLES.includes(r)));
}

export class AuthService {
  constructor(private readonly p: Platform) {}

  private get db() {
    return this.p.db;
  }

  private async primaryOrg(userId: string): Promise<string | null> {
    const [m] = await this.db.select({ orgId: memberships.orgId }).from(memberships).where(eq(memberships.userId, userId)).limit(1);
    return m?.orgId ?? null;
  }

  async mfaCompulsory(user: Pick<User, 'id' | 'platformAdmin'>): Promise<boolean> {
    const roles = await this.db.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, user.id));
    return mfaCompulsoryFor(this.p.config.demo, user.platformAdmin, roles.map((r) => r.role));
  }

  async mfaStateFor(user: User): Promise<MfaState> {
    if (user.totpEnabledAt) return 'pending';
    return (await this.mfaCompulsory(user)) ? 'enrol' : 'verified';
  }

  async login(meta: RequestMeta, email: string, password: string) {
    const now = this.p.clock.now();
    try {
      await assertLoginAllowed(this.db, email, meta.ip, now);
    } catch (err) {
      await this.p.audit({ action: 'auth.login.throttled', outcome: 'denied', actorLabel: email, ip: meta.ip });
      throw err;
    }
    const [user] = await this.db.select().from(users).where(eq(users.email, email));
    const ok = (await verifyPassword(user?.passwordHash, password)) && user?.status === 'active';
    await recordAttempt(this.db, email, meta.ip, ok, now);
    if (!ok) {
      await this.p.audit({
        action: 'auth.login',
        outcome: 'failure',
        actorId: user?.id,
        actorLabel: email,
        orgId: user ? await this.primaryOrg(user.id) : null,
        ip: meta.ip,
        details: { reason: !user ? 'unknown_account' : user.status !== 'active' ? 'disabled' : 'bad_password' },
      });
      throw new AppError(401, 'unauthenticated', BAD_CREDENTIALS);
    }
    const mfaState = await this.mfaStateFor(user);
    const orgId = await this.primaryOrg(user.id);
    const created = await this.p.sessions.create({ userId: user.id, mfaState, method: 'password', ip: meta.ip, userAgent: meta.userAgent, activeOrgId: orgId });
    if (mfaState === 'verified') await this.db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
    await this.p.audit({ action: 'auth.login', actorId: user.id, actorLabel: user.email, orgId, ip: meta.ip, details: { method: 'password', mfa: mfaState } });
    return { token: created.token, mfaRequired: mfaState === 'pending', mfaEnrollmentRequired: mfaState === 'enrol' };
  }

  /** Second step of the login: a TOTP code or a recovery code, throttled like passwords. */
  async completeMfa(session: Session, meta: RequestMeta, code: string): Promise<void> {
    if (session.mfaState !== 'pending') throw new AppError(400, 'validation', 'Aucun code n’est attendu pour cette session.');
    const user = await this.userOf(session);
    const now = this.p.clock.now();
    const key = `mfa:${user.email}`;
    try {
      await assertLoginAllowed(this.db, key, meta.ip, now);
    } catch (err) {
      await this.p.audit({ action: 'auth.mfa.throttled', outcome: 'denied', actorId: user.id, actorLabel: user.email, ip: meta.ip });
      throw err;
    }
    const ok = await this.db.transaction((tx) => this.checkSecondFactor(tx, user, code, meta));
    await recordAttempt(this.db, key, meta.ip, ok, now);
    const orgId = await this.primaryOrg(user.id);
    await this.p.audit({ action: 'auth.mfa', outcome: ok ? 'success' : 'failure', actorId: user.id, actorLabel: user.email, orgId, ip: meta.ip });
    if (!ok) throw invalidField('code', BAD_CODE);
    await this.p.sessions.update(session.tokenHash, { mfaState: 'verified', csrfToken: randomToken() });
    await this.db.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
  }

  /** TOTP (never the same step twice) or an unused recovery code, which is then spent. */
  private async checkSecondFactor(tx: Db, user: User, code: string, meta: RequestMeta): Promise<boolean> {
    if (!user.totpSecret || !user.totpEnabledAt) return false;
    const digits = code.replace(/\s/g, '');
    if (/^[0-9]{6}$/.test(digits)) {
      const step = matchTotp(this.p.secrets.open(user.totpSecret), digits, this.p.clock.now(), user.totpLastStep);
      if (step === null) return false;
      await tx.update(users).set({ totpLastStep: step }).where(eq(users.id, user.id));
      return true;
    }
    const [used] = await tx
      .update(recoveryCodes)
      .set({ usedAt: this.p.clock.now() })
      .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, hashRecoveryCode(code)), isNull(recoveryCodes.usedAt)))
      .returning({ id: recoveryCodes.id });
    if (used) await this.p.audit({ action: 'auth.recovery_code.used', actorId: user.id, actorLabel: user.email, ip: meta.ip }, tx);
    return Boolean(used);
  }

  async logout(session: Session, meta: RequestMeta): Promise<void> {
    await this.p.sessions.revoke(session.tokenHash);
    await this.p.audit({ action: 'auth.logout', actorId: session.userId, ip: meta.ip, orgId: session.activeOrgId });
  }

  /** Starts (or restarts) enrolment: a new secret, kept sealed, active only once confirmed. */
  async startEnrolment(session: Session) {
    const user = await this.userOf(session);
    if (user.totpEnabledAt) throw new AppError(409, 'conflict', 'La double authentification est déjà activée sur ce compte.');
    if (session.mfaState === 'pending') throw unauthenticated();
    const secret = newTotpSecret();
    await this.db.update(users).set({ totpSecret: this.p.secrets.seal(secret) }).where(eq(users.id, user.id));
    const uri = otpauthUri(user.email, secret);
    return { otpauthUri: uri, secret, qrCode: await qrCodeDataUrl(uri) };
  }

  async confirmEnrolment(session: Session, meta: RequestMeta, code: string): Promise<string[]> {
    const user = await this.userOf(session);
    if (user.totpEnabledAt) throw new AppError(409, 'conflict', 'La double authentification est déjà activée sur ce compte.');
    if (!user.totpSecret) throw invalidField('code', 'Commencez par scanner le QR code.');
    const step = matchTotp(this.p.secrets.open(user.totpSecret), code, this.p.clock.now(), null);
    if (step === null) throw invalidField('code', BAD_CODE);
    const codes = newRecoveryCodes();
    await this.db.transaction(async (tx) => {
      const now = this.p.clock.now();
      await tx.update(users).set({ totpEnabledAt: now, totpLastStep: step, lastLoginAt: now }).where(eq(users.id, user.id));
      await this.replaceRecoveryCodes(tx, user.id, codes);
      await this.p.audit({ action: 'auth.mfa.enrolled', actorId: user.id, actorLabel: user.email, orgId: session.activeOrgId, ip: meta.ip }, tx);
    });
    // A fresh session id once the account is better protected.
    await this.p.sessions.update(session.tokenHash, { mfaState: 'verified', csrfToken: randomToken() });
    return codes;
  }

  async regenerateRecoveryCodes(userId: string, meta: RequestMeta): Promise<string[]> {
    const [user] = await this.db.select().from(users).where(eq(users.id, userId));
    if (!user?.totpEnabledAt) throw new AppError(409, 'conflict', 'Activez d’abord la double authentification.');
    const codes = newRecoveryCodes();
    await this.db.transaction(async (tx) => {
      await this.replaceRecoveryCodes(tx, userId, codes);
      await this.p.audit({ action: 'auth.recovery_codes.regenerated', actorId: userId, actorLabel: user.email, ip: meta.ip }, tx);
    });
    return codes;
  }

  private async replaceRecoveryCodes(tx: Db, userId: string, codes: string[]) {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashRecoveryCode(c) })));
  }

  /** Always answers the same, whether the address is known or not; the link is single-use and expires in 1 hour. */
  async requestReset(meta: RequestMeta, email: string): Promise<void> {
    const [user] = await this.db.select().from(users).where(eq(users.email, email));
    if (!user || user.status !== 'active') {
      await this.p.audit({ action: 'auth.password.reset_requested', outcome: 'failure', actorLabel: email, ip: meta.ip, details: { reason: 'unknown_or_disabled' } });
      return;
    }
    const token = randomToken();
    const now = this.p.clock.now();
    const orgId = await this.primaryOrg(user.id);
    const mailId = await this.db.transaction(async (tx) => {
      await tx.insert(passwordResets).values({ tokenHash: sha256(token), userId: user.id, expiresAt: new Date(now.getTime() + RESET_TTL_MS), createdAt: now });
      await this.p.audit({ action: 'auth.password.reset_requested', actorId: user.id, actorLabel: user.email, orgId, ip: meta.ip }, tx);
      return this.p.mail.enqueue(tx, {
        to: user.email,
        subject: 'Hygie : réinitialiser votre mot de passe',
        text: [
          `Bonjour ${user.displayName},`,
          '',
          'Vous avez demandé à réinitialiser votre mot de passe Hygie. Ouvrez ce lien dans l’heure :',
          `${this.p.config.publicUrl}/reinitialiser-mot-de-passe#token=${token}`,
          '',
          'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe ne change pas.',
          user.totpEnabledAt ? 'Votre code de double authentification vous sera demandé.' : '',
        ].join('\n'),
      });
    });
    await this.p.mail.dispatch([mailId]);
  }

  private async findReset(token: string) {
    const [reset] = await this.db
      .select({ reset: passwordResets, user: users })
      .from(passwordResets)
      .innerJoin(users, eq(users.id, passwordResets.userId))
      .where(and(eq(passwordResets.tokenHash, sha256(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, this.p.clock.now())));
    if (!reset || reset.user.status !== 'active') {
      throw invalidField('token', 'Ce lien n’est plus valable : il a déjà servi ou a expiré. Demandez-en un nouveau.');
    }
    return reset;
  }

  async resetInfo(token: string) {
    const { user } = await this.findReset(token);
    return { mfaRequired: Boolean(user.totpEnabledAt) };
  }

  /** A reset never bypasses two-factor authentication: the code is required when enrolled. */
  async resetPassword(meta: RequestMeta, input: { token: string; password: string; code?: string }): Promise<void> {
    const { user, reset } = await this.findReset(input.token);
    assertAcceptablePassword(input.password, user.email);
    const passwordHash = await hashPassword(input.password);
    const now = this.p.clock.now();
    const key = `mfa:${user.email}`;
    if (user.totpEnabledAt) {
      if (!input.code) throw invalidField('code', 'Saisissez le code de votre application de double authentification, ou un code de secours.');
      await assertLoginAllowed(this.db, key, meta.ip, now);
    }
    const orgId = await this.primaryOrg(user.id);
    const outcome = await this.db.transaction(async (tx) => {
      if (user.totpEnabledAt && !(await this.checkSecondFactor(tx, user, input.code!, meta))) return 'bad_code' as const;
      const [claimed] = await tx
        .update(passwordResets)
        .set({ usedAt: now })
        .where(and(eq(passwordResets.tokenHash, reset.tokenHash), isNull(passwordResets.usedAt)))
        .returning({ tokenHash: passwordResets.tokenHash });
      if (!claimed) return 'used' as const;
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
      await this.p.sessions.revokeAllForUser(tx, user.id);
      await this.p.audit({ action: 'auth.password.reset', actorId: user.id, actorLabel: user.email, orgId, ip: meta.ip }, tx);
      return 'done' as const;
    });
    if (user.totpEnabledAt) await recordAttempt(this.db, key, meta.ip, outcome !== 'bad_code', now);
    if (outcome === 'bad_code') {
      await this.p.audit({ action: 'auth.password.reset', outcome: 'failure', actorId: user.id, actorLabel: user.email, ip: meta.ip, details: { reason: 'bad_code' } });
      throw invalidField('code', BAD_CODE);
    }
    if (outcome === 'used') throw invalidField('token', 'Ce lien a déjà servi. Demandez-en un nouveau.');
  }

  async changePassword(session: Session, meta: RequestMeta, current: string, next: string): Promise<void> {
    const user = await this.userOf(session);
    if (!(await verifyPassword(user.passwordHash, current))) {
      await this.p.audit({ action: 'auth.password.changed', outcome: 'failure', actorId: user.id, actorLabel: user.email, ip: meta.ip });
      throw invalidField('currentPassword', 'Le mot de passe actuel est incorrect.');
    }
    assertAcceptablePassword(next, user.email, 'newPassword');
    const passwordHash = await hashPassword(next);
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      // Every other session is closed; this one stays.
      await tx.delete(sessions).where(and(eq(sessions.userId, user.id), ne(sessions.tokenHash, session.tokenHash)));
      await this.p.audit({ action: 'auth.password.changed', actorId: user.id, actorLabel: user.email, orgId: session.activeOrgId, ip: meta.ip }, tx);
    });
  }

  private async userOf(session: Session): Promise<User> {
    const [user] = await this.db.select().from(users).where(eq(users.id, session.userId));
    if (!user || user.status !== 'active') throw unauthenticated();
    return user;
  }
}
