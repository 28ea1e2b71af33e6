/**
 * GET /api/v1/me, signed in as an agent, against a bare Fastify 5 route measured in the
 * same run with the same settings — once on PGlite (in-memory), once on PostgreSQL.
 */
import { assertClean, fetchOnce, measure, probe, type LoadResult } from './lib/load';
import { createPostgresDatabase, redact } from './lib/postgres';
import { fixed, loadTable, section } from './lib/report';
import { startTarget, type Target, type TargetSpec, type TargetStats } from './lib/server';
import type { BenchContext } from './lib/settings';

const ME = '/api/v1/me';
const BARE = '/bare';

const oneLine = (text: string, max = 110) => {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

function statementLines(sql: TargetStats['sql'], perRequests: number): string[] {
  return Object.entries(sql.statements)
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([text, s]) => `      ${fixed(s.count / perRequests)}×  ${fixed(s.ms / perRequests, 3)} ms  ${oneLine(text)}`);
}

async function benchDatabase(ctx: BenchContext, title: string, bare: Target, app: Target) {
  const { settings } = ctx;
  console.log(section(title));

  // The cookie must be accepted before anything is measured.
  const check = await fetchOnce(app, ME);
  if (check.status !== 200) throw new Error(`GET ${ME} answered ${check.status} before the run — the session cookie was rejected: ${check.body}`);
  const me = JSON.parse(check.body) as { user?: { email?: string } };
  if (me.user?.email !== app.info.email) throw new Error(`GET ${ME} answered for ${me.user?.email}, expected ${app.info.email}`);

  const bareResult = await measure(bare, BARE, settings, { label: `GET ${BARE} (baseline)` });
  assertClean(bareResult, 'the bare server should never fail');

  const meResult: LoadResult = await measure(app, ME, settings, { beforeMeasured: async () => void (await app.stats(true)) });
  assertClean(meResult, 'was the session cookie rejected, or did the database fail?');
  const underLoad = (await app.stats(true)).sql;

  // Requests one at a time: what one /me request costs, and how much of it is SQL.
  const n = settings.probeRequests;
  const bareProbe = await probe(bare, BARE, n);
  const meProbe = await probe(app, ME, n);
  const sequential = (await app.stats(true)).sql;

  console.log(`signed in as: ${app.info.user} (${app.info.email}); app server pid ${app.pid}, bare server pid ${bare.pid}\n`);
  console.log(loadTable([bareResult, meResult]));
  console.log('\nRatios (same settings, same run):');
  const throughput = meResult.rps / bareResult.rps;
  console.log(`  /me throughput / bare throughput = ${fixed(throughput, 3)}   (bare serves ${fixed(1 / throughput, 1)}× as many requests/s)`);
  console.log(`  /me p99 / bare p99               = ${fixed(meResult.p99 / bareResult.p99, 2)}`);
  console.log(`\nOne /me request (${n} sequential requests, no concurrency, times seen by the client over loopback):`);
  console.log(`  mean latency: /me ${fixed(meProbe.meanMs, 3)} ms, bare ${fixed(bareProbe.meanMs, 3)} ms`);
  console.log(
    `  SQL: ${fixed(sequential.queries / n)} statements per request, ${fixed(sequential.ms / n, 3)} ms in the driver ` +
      `(${fixed((100 * sequential.ms) / n / meProbe.meanMs, 0)}% of the /me latency):`,
  );
  for (const line of statementLines(sequential, n)) console.log(line);
  if (meResult.requests > 0) {
    console.log(
      `  under load (${settings.connections} connections): ≈${fixed(underLoad.queries / meResult.requests)} statements per request, ` +
        `${fixed(underLoad.ms / meResult.requests, 3)} ms in the driver per request (waiting for a connection included) ` +
        `of a ${fixed(meResult.p50)} ms median latency`,
    );
  }
}

export default async function meBenchmark(ctx: BenchContext): Promise<void> {
  const { settings } = ctx;
  console.log(
    `GET ${ME} (signed in) vs GET ${BARE} (bare Fastify 5, same run) — each: ${settings.warmupSeconds} s warm-up, then ${settings.seconds} s measured, ` +
      `${settings.connections} connections, pipelining ${settings.pipelining}, 127.0.0.1. Latencies of 2xx answers, ms; ` +
      `memory (MiB) of the server process before the warm-up and after the measured run.`,
  );

  const bare = await startTarget({ kind: 'bare' });
  const closeBare = ctx.defer(() => bare.close());
  try {
    const ok = await fetchOnce(bare, BARE);
    if (ok.status !== 200) throw new Error(`GET ${BARE} answered ${ok.status}: ${ok.body}`);

    // PGlite: in-memory, loaded from the test template (test/support/db.ts).
    {
      const app = await startTarget({ kind: 'app', database: 'pglite' });
      const closeApp = ctx.defer(() => app.close());
      try {
        await benchDatabase(ctx, 'PGlite (embedded, in-memory, in the server process)', bare, app);
      } finally {
        await closeApp();
      }
    }

    // PostgreSQL: a fresh database for the run, dropped after.
    {
      const created = await createPostgresDatabase(settings.databaseUrl);
      if ('unreachable' in created) {
        console.log(section('PostgreSQL'));
        console.log(`SKIPPED: PostgreSQL unreachable at ${redact(settings.databaseUrl)} (${created.unreachable}). Set BENCH_DATABASE_URL to measure it.`);
      } else {
        const drop = ctx.defer(() => created.drop());
        try {
          const spec: TargetSpec = { kind: 'app', database: 'postgresql', url: created.url };
          const app = await startTarget(spec);
          const closeApp = ctx.defer(() => app.close());
          try {
            await benchDatabase(ctx, `PostgreSQL ${created.version} (${redact(created.url)}, pool of 10)`, bare, app);
          } finally {
            await closeApp();
          }
        } finally {
          await drop();
        }
      }
    }
  } finally {
    await closeBare();
  }
}
