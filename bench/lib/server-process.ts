/**
 * Child process: one HTTP server under test, on 127.0.0.1 and a free port, driven over
 * IPC by bench/lib/server.ts. The server runs in its own process so that the load
 * generator (autocannon, in the parent) does not share its event loop, and so that the
 * memory figures are the server's alone.
 *
 * Spec (JSON in argv[2]):
 *   { "kind": "bare" }                                  Fastify 5, GET /bare → { ok: true }
 *   { "kind": "app", "database": "pglite" }             the real app on in-memory PGlite
 *   { "kind": "app", "database": "postgresql", "url" }  the real app on that (empty) database
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../../src/server/platform/db/client';
import type { TestApp } from '../../test/support/app';
import type { WorldUser } from '../../test/support/world';

export type TargetSpec = { kind: 'bare' } | { kind: 'app'; database: 'pglite'; user?: WorldUser } | { kind: 'app'; database: 'postgresql'; url: string; user?: WorldUser };

export interface SqlStats {
  queries: number;
  /** Time from the driver call to its answer, waiting for a connection included. */
  ms: number;
  /** Per statement text: how many times, how long. */
  statements: Record<string, { count: number; ms: number }>;
}

export interface TargetStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** Heap used after a forced full garbage collection (when asked): what is really retained. */
  heapLiveBytes?: number;
  sql: SqlStats;
}

export type ChildMessage =
  | { type: 'ready'; origin: string; headers: Record<string, string>; info: Record<string, string> }
  | { type: 'stats'; stats: TargetStats }
  | { type: 'closed' }
  | { type: 'failed'; error: string };

export type ParentMessage = { type: 'stats'; reset: boolean; gc?: boolean } | { type: 'close' };

const sql: SqlStats = { queries: 0, ms: 0, statements: {} };

/** Counts and times every statement the driver runs (a few microseconds of overhead). */
function instrument(client: object) {
  const target = client as { query: (...args: unknown[]) => Promise<unknown> };
  const original = target.query.bind(target);
  target.query = async (...args: unknown[]) => {
    const start = performance.now();
    try {
      return await original(...args);
    } finally {
      const ms = performance.now() - start;
      const first = args[0];
      const text = typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text ?? '?');
      sql.queries += 1;
      sql.ms += ms;
      const entry = (sql.statements[text] ??= { count: 0, ms: 0 });
      entry.count += 1;
      entry.ms += ms;
    }
  };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

async function startBare(): Promise<{ app: FastifyInstance; headers: Record<string, string>; info: Record<string, string>; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/bare', async () => ({ ok: true }));
  return { app, headers: {}, info: {}, close: () => app.close() };
}

async function startApp(spec: Extract<TargetSpec, { kind: 'app' }>) {
  // Imported here, so that the bare server's memory does not include the app's modules.
  const [{ buildApp }, { loadConfig }, { FakeClock }, { openDatabase }, { migrate }, { TEST_ORIGIN }, { createTestDatabase }, { seedWorld, signIn }] = await Promise.all([
    import('../../src/server/app'),
    import('../../src/server/config'),
    import('../../src/server/platform/clock'),
    import('../../src/server/platform/db/client'),
    import('../../src/server/platform/db/migrate'),
    import('../../test/support/app'),
    import('../../test/support/db'),
    import('../../test/support/world'),
  ]);
  let database: Database;
  if (spec.database === 'pglite') {
    delete process.env.TEST_DATABASE_URL; // always the in-memory PGlite, from the cached template
    database = await createTestDatabase();
    instrument(database.pglite!);
  } else {
    // As src/server/main.ts does: a pool of 10, then the migrations.
    database = await openDatabase({ databaseUrl: spec.url, dataDir: '' });
    await migrate(database);
    instrument(database.pool!);
  }
  // Production-like: no demo mode (so the MFA rules apply), no logger, the system clock.
  // The job and mail workers are not started (buildApp does not start them).
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
  const user = spec.user ?? 'agent';
  // signIn drives the login through app.inject; its clock is only used for MFA codes,
  // which an agent does not need.
  const t: TestApp = { app, platform, database, config, clock: new FakeClock(new Date()), close };
  const client = await signIn(t, world.users[user].email);
  if (!client.cookie) throw new Error(`sign-in as ${user} returned no session cookie`);
  return {
    app,
    headers: { cookie: client.cookie, origin: TEST_ORIGIN },
    info: { user, email: world.users[user].email, database: database.kind },
    close,
  };
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
  const target = spec.kind === 'bare' ? await startBare() : await startApp(spec);
  await target.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = target.app.server.address() as AddressInfo;

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await target.close();
  };
  // The parent went away without asking: stop anyway (a PostgreSQL database is dropped by the parent).
  process.on('disconnect', () => void close().finally(() => process.exit(1)));

  process.on('message', (message: ParentMessage) => {
    void (async () => {
      if (message.type === 'stats') {
        const memory = process.memoryUsage();
        let heapLiveBytes: number | undefined;
        if (message.gc && typeof globalThis.gc === 'function') {
          globalThis.gc();
          heapLiveBytes = process.memoryUsage().heapUsed;
        }
        await send({ type: 'stats', stats: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapLiveBytes, sql: structuredClone(sql) } });
        if (message.reset) Object.assign(sql, { queries: 0, ms: 0, statements: {} });
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

  await send({ type: 'ready', origin: `http://127.0.0.1:${port}`, headers: target.headers, info: target.info });
}

main().catch(async (err: unknown) => {
  await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
