import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, asc, count, desc, eq, gt, gte, ilike, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containsPattern, prefixPattern } from '../db/like';
import { auditLog } from './schema';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  /** dotted verb, e.g. `auth.login`, `identity.membership.set` */
  action: string;
  outcome?: AuditOutcome;
  actorId?: string | null;
  actorLabel?: string | null;
  orgId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  /** Never a secret: no passwords, tokens, codes. */
  details?: Record<string, unknown>;
}

export const GENESIS = '0'.repeat(64);
const LOCK_KEY = 7245002;

type Row = typeof auditLog.$inferSelect;

/** The hash covers every column but the hash itself, in a canonical (RFC 8785) form. */
export function entryHash(row: Omit<Row, 'hash'>): string {
  const body = canonicalize({
    seq: row.seq,
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    orgId: row.orgId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    ip: row.ip,
    details: row.details,
  });
  return createHash('sha256').update(`${row.prevHash}\n${body}`).digest('hex');
}

/**
 * Appends one entry. Inside the caller's transaction when given one, so the entry lands
 * with the change it records, or not at all. Writers take turns on an advisory lock.
 */
export async function appendAudit(db: Db, event: AuditEvent, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    const [last] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const row: Omit<Row, 'hash'> = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date(Math.floor(now.getTime())),
      actorId: event.actorId ?? null,
      actorLabel: event.actorLabel ?? null,
      orgId: event.orgId ?? null,
      action: event.action,
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      outcome: event.outcome ?? 'success',
      ip: event.ip ?? null,
      details: JSON.parse(JSON.stringify(event.details ?? {})),
      prevHash: last?.hash ?? GENESIS,
    };
    await tx.insert(auditLog).values({ ...row, hash: entryHash(row) });
  });
}

export interface VerifyResult {
  valid: boolean;
  checked: number;
  brokenAt: number | null;
}

/** Walks the whole chain in order; the first entry that does not match breaks it. */
export async function verifyAuditChain(db: Db, batch = 2000): Promise<VerifyResult> {
  let prevHash = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    for (const row of rows) {
      const { hash, ...rest } = row;
      if (row.seq !== expectedSeq || row.prevHash !== prevHash || entryHash(rest) !== hash) {
        return { valid: false, checked, brokenAt: expectedSeq };
      }
      prevHash = hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < batch) return { valid: true, checked, brokenAt: null };
  }
}

export interface AuditFilter {
  /** Only entries of these organisations (a subtree); undefined = every entry (administrators). */
  orgIds?: string[];
  action?: string;
  actor?: string;
  outcome?: AuditOutcome;
  /** inclusive day bounds, Europe/Paris */
  from?: string;
  to?: string;
}

function where(filter: AuditFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = [];
  if (filter.orgIds) {
    parts.push(
      filter.orgIds.length
        ? sql`${auditLog.orgId} in (${sql.join(
            filter.orgIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`
        : sql`false`,
    );
  }
  if (filter.action) parts.push(ilike(auditLog.action, prefixPattern(filter.action)));
  if (filter.actor) parts.push(ilike(auditLog.actorLabel, containsPattern(filter.actor)));
  if (filter.outcome) parts.push(eq(auditLog.outcome, filter.outcome));
  if (filter.from) parts.push(gte(auditLog.at, sql`(${filter.from}::date)::timestamp at time zone 'Europe/Paris'`));
  if (filter.to) parts.push(lt(auditLog.at, sql`(${filter.to}::date + 1)::timestamp at time zone 'Europe/Paris'`));
  const defined = parts.filter((p): p is SQL => p !== undefined);
  return defined.length ? and(...defined) : undefined;
}

export async function listAudit(db: Db, filter: AuditFilter, page: number, pageSize: number) {
  const condition = where(filter);
  const [entries, [{ total }]] = await Promise.all([
    db
      .select()
      .from(auditLog)
      .where(condition)
      .orderBy(desc(auditLog.seq))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ total: count() }).from(auditLog).where(condition),
  ]);
  return { entries, total };
}

/** Streams matching entries oldest first, in batches, for exports of any size. */
export async function* iterateAudit(db: Db, filter: AuditFilter, batch = 1000) {
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(where(filter), gt(auditLog.seq, after)))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    yield* rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1].seq;
  }
}

