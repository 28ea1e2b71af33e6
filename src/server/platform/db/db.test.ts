import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { fromPglite } from './client';
import { acquireLock, LockError } from './lock';

test('the lock file refuses a second opening while the first holder lives', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hygie-lock-'));
  const file = path.join(dir, 'hygie.lock');
  const lock = acquireLock(file);
  assert.throws(() => acquireLock(file), (err: unknown) => err instanceof LockError && /déjà ouverte/.test(err.message) && /PostgreSQL/.test(err.message));
  lock.release();
  acquireLock(file).release();
});

test('a lock left by a process that is gone is taken over', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hygie-lock-'));
  const file = path.join(dir, 'hygie.lock');
  writeFileSync(file, '2147483646'); // no such process
  const lock = acquireLock(file);
  lock.release();
});

test('embedded: the root handle used inside a transaction fails at once instead of deadlocking', async () => {
  const database = fromPglite(await PGlite.create());
  try {
    await assert.rejects(
      database.db.transaction(async () => {
        await database.db.execute(sql`select 1`);
      }),
      (err: Error) => /use the transaction handle/.test(String((err.cause as Error | undefined)?.message ?? err.message)),
    );
    // Concurrent work outside the transaction still simply waits its turn.
    const [a, b] = await Promise.all([
      database.db.transaction(async (tx) => ((await tx.execute(sql`select 1 as n`)) as unknown as { rows: { n: number }[] }).rows[0]),
      database.sql.query<{ n: number }>('select 2 as n').then((r) => r.rows[0]),
    ]);
    assert.deepEqual([a, b], [{ n: 1 }, { n: 2 }]);
  } finally {
    await database.close();
  }
});
