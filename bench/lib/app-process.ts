/**
 * Child process: the real app on its database, for benchmarks that need data of their own
 * and several signed-in people. Driven over IPC by bench/lib/app-target.ts.
 *
 * Like server-process.ts (same production-like settings, same SQL counters), plus:
 * - the parent may run SQL on the app's database ({ type: 'sql' }): with PGlite the
 *   database lives in this process, so this is the only way to fill it;
 * - several world users are signed in at start; the ready message carries each one's
 *   session cookie and CSRF token.
 * With PostgreSQL, Hygie's frameworks (content/) are installed as `npm start` does; the
 * PGlite test template already holds them.
 *
 * Spec (JSON in argv[2]):
 *   { "database": "pglite", "users": ["coordRegion", …] }
 *   { "database": "postgresql", "url": "postgres://…", "users": [...] }
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Database } from '../../src/server/platform/db/client';
import type { TestApp } from '../../test/support/app';
import type { WorldUser } from '../../test/support/world';
import type { SqlStats, TargetStats } from './server-process';

export type AppSpec = { database: 'pglite'; users: WorldUser[] } | { database: 'postgresql'; url: string; users: WorldUser[] };

/** TargetStats, and how many SQL statements are running right now. */
export type AppStats = TargetStats & { inFlight: number };

export type AppChildMessage =
  | { type: 'ready'; origin: string; sessions: Partial<Record<WorldUser, { cookie: string; csrf: string }>>; originHeader: string; info: Record<string, string> }
  | { type: 'stats'; stats: AppStats }
  | { type: 'sql'; id: number; ms: number; rows: Record<string, unknown>[]; error?: string }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

export type AppParentMessage = { type: 'stats'; reset: boolean; gc?: boolean } | { type: 'sql'; id: number; text: string } | { type: 'close' };

const sql: SqlStats = { queries: 0, ms: 0, statements: {} };
let inFlight = 0;

function record(text: string, ms: number) {
  sql.queries += 1;
  sql.ms += ms;
  const entry = (sql.statements[text] ??= { count: 0, ms: 0 });
  entry.count += 1;
  entry.ms += ms;
}

const textOf = (first: unknown) => (typeof first === 'string' ? first : String((first as { text?: string; sql?: string } | undefined)?.text ?? '?'));

/** Wraps an object's `query` (promise style) so that every statement is counted and timed. */
function timeQueries(target: { query: (...args: unknown[]) => Promise<unknown> }) {
  const original = target.query.bind(target);
  target.query = async (...args: unknown[]) => {
    const start = performance.now();
    inFlight++;
    try {
      return await original(...args);
    } finally {
      inFlight--;
      record(textOf(args[0]), performance.now() - start);
    }
  };
}

/**
 * Counts and times every statement (a few microseconds of overhead), transactions included
 * — the observatory's statements run in one:
 * - PGlite: its `query`, and the `query` of each transaction it opens;
 * - PostgreSQL: every pg client's `query` (the pool's own `query` goes through one), in the
 *   promise and the callback styles.
 */
async function instrument(database: Database) {
  if (database.pglite) {
    const client = database.pglite as unknown as { query: (...args: unknown[]) => Promise<unknown>; transaction: (fn: (tx: unknown) => Promise<unknown>) => Promise<unknown> };
    timeQueries(client);
    const transaction = client.transaction.bind(client);
    client.transaction = (fn) =>
      transaction((tx) => {
        timeQueries(tx as { query: (...args: unknown[]) => Promise<unknown> });
        return fn(tx);
      });
    return;
  }
  const { default: pg } = await import('pg');
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    const text = textOf(args[0]);
    inFlight++;
    const done = () => {
      inFlight--;
      record(text, performance.now() - start);
    };
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...r: unknown[]) => void;
      args[last] = (...r: unknown[]) => {
        done();
        callback(...r);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as Promise<unknown> | undefined;
    if (result && typeof result.then === 'function') return result.finally(done);
    done();
    return result;
  };
}

function send(message: AppChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

async function startApp(spec: AppSpec) {
  const [{ buildApp }, { loadConfig }, { FakeClock }, { openDatabase }, { migrate }, { TEST_ORIGIN }, { createTestDatabase }, { seedWorld, signIn }, { syncContent }] = await Promise.all([
    import('../../src/server/app'),
    import('../../src/server/config'),
    import('../../src/server/platform/clock'),
    import('../../src/server/platform/db/client'),
    import('../../src/server/platform/db/migrate'),
    import('../../test/support/app'),
    import('../../test/support/db'),
    import('../../test/support/world'),
    import('../../src/server/modules/assessment/frameworks'),
  ]);
  let database: Database;
  let run: (text: string) => Promise<Record<string, unknown>[]>;
  if (spec.database === 'pglite') {
    delete process.env.TEST_DATABASE_URL; // always the in-memory PGlite, from the cached template
    database = await createTestDatabase();
    const client = database.pglite!;
    // Several statements at once, the last one's rows returned.
    run = async (text) => {
      const results = await client.exec(text);
      return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
    };
    await instrument(database);
  } else {
    database = await openDatabase({ databaseUrl: spec.url, dataDir: '' });
    await migrate(database);
    await syncContent(database.db);
    const pool = database.pool!;
    run = async (text) => {
      const result = (await pool.query(text)) as unknown as { rows?: Record<string, unknown>[] } | { rows?: Record<string, unknown>[] }[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      return last?.rows ?? [];
    };
    await instrument(database);
  }
  const config = loadConfig({
    NODE_ENV: 'production',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    HYGIE_DEMO: 'off',
    PUBLIC_URL: TEST_ORIGIN,
    LOG_LEVEL: 'silent',
    ...(spec.database === 'postgresql' ? { DATABASE_URL: spec.url } : {}),
  });
  const { app, platform } = await buildApp({ config, database, secret: config.sessionSecret!, logger: false });
  await app.ready();
  const close = async () => {
    await app.close();
    await platform.jobs.stop();
    await database.close();
  };
  const world = await seedWorld(platform.db);
  const t: TestApp = { app, platform, database, config, clock: new FakeClock(new Date()), close };
  // Each person's session cookie, and the CSRF token the web app sends with state changes.
  const sessions: Partial<Record<WorldUser, { cookie: string; csrf: string }>> = {};
  for (const user of spec.users) {
    const client = await signIn(t, world.users[user].email);
    if (!client.cookie) throw new Error(`sign-in as ${user} returned no session cookie`);
    const res = await client.get('/api/v1/auth/csrf');
    if (res.statusCode !== 200) throw new Error(`no CSRF token for ${user}: ${res.statusCode} ${res.body}`);
    sessions[user] = { cookie: client.cookie, csrf: res.json().token as string };
  }
  return { app, sessions, origin: TEST_ORIGIN, info: { database: database.kind }, run, close };
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{}') as AppSpec;
  const target = await startApp(spec);
  await target.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = target.app.server.address() as AddressInfo;

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await target.close();
  };
  process.on('disconnect', () => void close().finally(() => process.exit(1)));

  process.on('message', (message: AppParentMessage) => {
    void (async () => {
      if (message.type === 'stats') {
        const memory = process.memoryUsage();
        let heapLiveBytes: number | undefined;
        if (message.gc && typeof globalThis.gc === 'function') {
          globalThis.gc();
          heapLiveBytes = process.memoryUsage().heapUsed;
        }
        await send({ type: 'stats', stats: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapLiveBytes, sql: structuredClone(sql), inFlight } });
        if (message.reset) Object.assign(sql, { queries: 0, ms: 0, statements: {} });
      } else if (message.type === 'sql') {
        const start = performance.now();
        try {
          const rows = await target.run(message.text);
          await send({ type: 'sql', id: message.id, ms: performance.now() - start, rows: JSON.parse(JSON.stringify(rows)) });
        } catch (err) {
          await send({ type: 'sql', id: message.id, ms: performance.now() - start, rows: [], error: err instanceof Error ? err.message : String(err) });
        }
      } else if (message.type === 'close') {
        await close();
        await send({ type: 'closed' });
        process.exit(0);
      }
    })().catch(async (err: unknown) => {
      await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    });
  });

  await send({ type: 'ready', origin: `http://127.0.0.1:${port}`, sessions: target.sessions, originHeader: target.origin, info: target.info });
}

main().catch(async (err: unknown) => {
  await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
