import { eq, lt, or } from 'drizzle-orm';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { randomToken, sha256 } from './crypto';
import { sessions } from './schema';

export const SESSION_COOKIE = '__Host-hygie_session';

export type MfaState = 'verified' | 'pending' | 'enrol';
export type Session = typeof sessions.$inferSelect;

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  /** A new session always gets a new random id (no fixation); returns the cookie value. */
  async create(input: {
    userId: string;
    mfaState: MfaState;
    method: 'password' | 'oidc';
    ip: string;
    userAgent?: string;
    activeOrgId?: string | null;
  }): Promise<{ token: string; session: Session }> {
    const token = randomToken();
    const now = this.clock.now();
    const [session] = await this.db
      .insert(sessions)
      .values({
        tokenHash: sha256(token),
        userId: input.userId,
        mfaState: input.mfaState,
        method: input.method,
        csrfToken: randomToken(),
        activeOrgId: input.activeOrgId ?? null,
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 300) ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.policy.maxHours * 3_600_000),
      })
      .returning();
    return { token, session };
  }

  /**
   * The live session for a cookie value, or null. Expired ones (idle or absolute) are
   * deleted on sight; the idle clock is refreshed at most once a minute to spare writes.
   */
  async find(token: string): Promise<Session | null> {
    const hash = sha256(token);
    const [session] = await this.db.select().from(sessions).where(eq(sessions.tokenHash, hash));
    if (!session) return null;
    const now = this.clock.now();
    const idleLimit = new Date(now.getTime() - this.policy.idleMinutes * 60_000);
    if (session.expiresAt <= now || session.lastSeenAt <= idleLimit) {
      await this.db.delete(sessions).where(eq(sessions.tokenHash, hash));
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      await this.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, hash));
      session.lastSeenAt = now;
    }
    return session;
  }

  async update(tokenHash: string, values: Partial<Pick<Session, 'mfaState' | 'activeOrgId' | 'csrfToken'>>) {
    await this.db.update(sessions).set(values).where(eq(sessions.tokenHash, tokenHash));
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
  }

  /** Logs the user out everywhere (disabled account, password reset), maybe but one session. */
  async revokeAllForUser(db: Db, userId: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.userId, userId));
  }

  async purgeExpired(): Promise<void> {
    const now = this.clock.now();
    const idleLimit = new Date(now.getTime() - this.policy.idleMinutes * 60_000);
    await this.db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleLimit)));
  }
}
