import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from '../../schema';
import { acquireLock, type Lock } from './lock';

export type Schema = typeof schema;
/** The typed handle every service uses; a transaction is one too. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseKind = 'embedded' | 'postgresql';

/** Plain SQL access, for the job queue adapter and a few maintenance tasks. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements at once, no parameters. */
  exec(text: string): Promise<void>;
}

export interface Database {
  kind: DatabaseKind;
  db: Db;
  sql: SqlRunner;
  close(): Promise<void>;
  /** Present in embedded mode only. */
  pglite?: PGlite;
  /** Present in PostgreSQL mode only. */
  pool?: pg.Pool;
}

/**
 * PGlite has one connection: a query sent on the root handle while a transaction of the
 * same async flow is open would wait for that transaction forever. The guard turns that
 * deadlock into an immediate error naming the mistake (inside a transaction, use `tx`).
 */
function guardTransactions(client: PGlite): PGlite {
  const inTransaction = new AsyncLocalStorage<true>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'transaction') {
        return (fn: (tx: unknown) => Promise<unknown>) => target.transaction((tx) => inTransaction.run(true, () => fn(tx)));
      }
      if (prop === 'query' || prop === 'exec') {
        return (...args: unknown[]) => {
          if (inTransaction.getStore()) {
            return Promise.reject(new Error('Root database handle used inside a transaction (it would deadlock PGlite): use the transaction handle `tx`.'));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function fromPglite(client: PGlite, onClose?: () => Promise<void> | void): Database {
  const guarded = guardTransactions(client);
  return {
    kind: 'embedded',
    db: drizzlePglite(guarded, { schema }) as unknown as Db,
    pglite: client,
    sql: {
      query: async (text, values) => client.query(text, values as unknown[]) as never,
      exec: async (text) => {
        await client.exec(text);
      },
    },
    async close() {
      await client.close();
      await onClose?.();
    },
  };
}

export function fromPool(pool: pg.Pool): Database {
  return {
    kind: 'postgresql',
    db: drizzlePg(pool, { schema }) as unknown as Db,
    pool,
    sql: {
      query: async (text, values) => pool.query(text, values as unknown[]) as never,
      exec: async (text) => {
        await pool.query(text);
      },
    },
    close: () => pool.end(),
  };
}

/**
 * PostgreSQL when a URL is given; otherwise the embedded PGlite database in `dataDir`,
 * guarded by a lock file because PGlite must never be opened by two processes.
 */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle connection closed by the server (restart, failover) must not crash the process.
    pool.on('error', (err) => console.error(`[database] connexion PostgreSQL perdue : ${err.message}`));
    await pool.query('select 1');
    return fromPool(pool);
  }
  const dir = path.resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const lock: Lock = acquireLock(path.join(dir, 'hygie.lock'));
  try {
    const client = await PGlite.create({ dataDir: path.join(dir, 'pgdata') });
    return fromPglite(client, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}
