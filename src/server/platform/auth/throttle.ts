import { and, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { tooManyRequests } from '../http/errors';
import { sha256 } from './crypto';
import { loginAttempts } from './schema';

/** Failures allowed in the window before the account, or the address, must wait. */
export const ACCOUNT_LIMIT = 5;
export const IP_LIMIT = 30;
export const WINDOW_MS = 15 * 60_000;

export const emailKey = (email: string) => sha256(`login:${email.toLowerCase()}`);

/**
 * Brute-force protection kept in the database, so it holds across processes and restarts.
 * A success clears the account's count; the address's count only ages out.
 */
export async function assertLoginAllowed(db: Db, email: string, ip: string, now: Date): Promise<void> {
  const since = new Date(now.getTime() - WINDOW_MS);
  const accountFailures = await recentFailures(db, and(eq(loginAttempts.emailHash, emailKey(email)), gt(loginAttempts.at, since)));
  const ipFailures = await recentFailures(db, and(eq(loginAttempts.ip, ip), gt(loginAttempts.at, since)), IP_LIMIT);
  const waits = [waitFor(accountFailures, ACCOUNT_LIMIT, now), waitFor(ipFailures, IP_LIMIT, now)].filter((w) => w > 0);
  if (waits.length) throw tooManyRequests(Math.max(...waits));
}

async function recentFailures(db: Db, where: ReturnType<typeof and>, limit = ACCOUNT_LIMIT) {
  const rows = await db
    .select({ at: loginAttempts.at, success: loginAttempts.success })
    .from(loginAttempts)
    .where(where)
    .orderBy(desc(loginAttempts.at))
    .limit(limit);
  const failures: Date[] = [];
  for (const r of rows) {
    if (r.success) break; // a success resets the count
    failures.push(r.at);
  }
  return failures;
}

/** Seconds to wait: the window counted from the oldest of the last `limit` failures. */
function waitFor(failures: Date[], limit: number, now: Date): number {
  if (failures.length < limit) return 0;
  const oldest = failures[limit - 1];
  return Math.max(1, Math.ceil((oldest.getTime() + WINDOW_MS - now.getTime()) / 1000));
}

export async function recordAttempt(db: Db, email: string, ip: string, success: boolean, now: Date): Promise<void> {
  await db.insert(loginAttempts).values({ emailHash: emailKey(email), ip, success, at: now });
}
