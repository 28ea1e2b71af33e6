/**
 * Incidents at regional scale: a region of synthetic establishments, each with its past
 * declarations (generated in SQL), then, on PGlite and on PostgreSQL:
 * - GET /api/v1/incidents/stats for the whole region (a coordinator): the yearly-report
 *   figures, counted in SQL over every declaration of the region;
 * - POST /api/v1/incidents (declare at once, a fresh Idempotency-Key each time, an RSSI):
 *   a declaration with its revision, regulatory clocks, timeline, audit entry, the region's
 *   coordinators told (in the app and a mail kept in the database) and the campaign detection;
 * - GET /api/v1/incidents/inbox for the region (its first page: the 100 newest declarations);
 * - against GET /api/v1/me (an agent), measured in the same run with the same settings.
 * Each: requests one at a time (the cost of one, and its SQL), then under load.
 *
 * BENCH_INC_ESTABLISHMENTS   synthetic establishments in the region (default 200)
 * BENCH_INC_PER_ESTABLISHMENT declarations each, spread over the last 12 months (default 25)
 * BENCH_INC_SECONDS          measured run per request (default 3)
 * BENCH_INC_WARMUP_SECONDS   warm-up before each (default 1)
 * BENCH_INC_CONNECTIONS      concurrent connections (default 4)
 * BENCH_INC_PROBE            sequential requests for the per-request cost (default 10)
 * BENCH_INC_POSTGRES         0 to skip PostgreSQL (default 1)
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { WorldUser } from '../test/support/world';
import { completeContent } from '../test/support/incidents';
import { startAppTarget, type AppTarget } from './lib/app-target';
import { assertClean, fetchOnce, measure, type LoadResult } from './lib/load';
import { createPostgresDatabase, redact } from './lib/postgres';
import { fixed, int, loadTable, section, table } from './lib/report';
import type { BenchContext, BenchSettings } from './lib/settings';
import { measureWorkers } from './lib/workers';

const USERS: WorldUser[] = ['agent', 'coordRegion', 'rssi'];
const TYPES = ['ransomware', 'phishing', 'compromised_account', 'data_leak', 'exploited_vulnerability', 'denial_of_service', 'supplier_incident', 'malware', 'fraud', 'failure', 'other'];

function intFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return value;
}

function incSettings() {
  return {
    establishments: intFrom('BENCH_INC_ESTABLISHMENTS', 200, 1, 100_000),
    perEstablishment: intFrom('BENCH_INC_PER_ESTABLISHMENT', 25, 1, 1_000),
    seconds: intFrom('BENCH_INC_SECONDS', 3, 1, 600),
    warmupSeconds: intFrom('BENCH_INC_WARMUP_SECONDS', 1, 0, 60),
    connections: intFrom('BENCH_INC_CONNECTIONS', 4, 1, 200),
    probe: intFrom('BENCH_INC_PROBE', 10, 1, 10_000),
    postgres: intFrom('BENCH_INC_POSTGRES', 1, 0, 1) === 1,
  };
}
type IncSettings = ReturnType<typeof incSettings>;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const uidSql = (expr: string) => `('c1000000-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;

/** The synthetic establishments, in the world's north region, and their declarations over the last twelve months. */
async function generate(target: AppTarget, inc: IncSettings): Promise<{ region: string; hospital: string; seconds: number; incidents: number }> {
  const t0 = performance.now();
  const { rows } = await target.sql<{ region: string; hospital: string }>(
    `select (select id::text from organisations where name = 'Région Nord') as region, (select id::text from organisations where name = 'CH Nord') as hospital`,
  );
  const { region, hospital } = rows[0];
  const R = quote(region);
  const types = `array[${TYPES.map(quote).join(', ')}]`;
  await target.sql(`
    begin;
    insert into organisations (id, kind, name, parent_id, ancestors, category)
      select ${uidSql('i')}, 'establishment', 'Établissement synthétique ' || i, ${R}, array[${R}::uuid], 'CH'
      from generate_series(1, ${inc.establishments}) i;
    insert into incidents (org_id, region_id, reference, status, content, version, title, type, origin, discovered_at,
                           care_impact, degraded_mode, personal_data, created_at, updated_at, declared_at, closed_at, lessons)
      select ${uidSql('i')}, ${R}, 'INC-B-' || lpad(j::text, 4, '0'), case when j % 5 = 0 then 'closed' else 'declared' end, '{}'::jsonb, 2,
             'Incident synthétique ' || j, (${types})[1 + (i * 7 + j) % ${TYPES.length}],
             (array['malicious', 'accidental', 'unknown'])[1 + (i + j) % 3],
             d - (1 + (i * 3 + j) % 72) * interval '1 hour', (i + j) % 4 = 0, (i + j) % 6 = 0, (i + j) % 5 = 0, d, d, d,
             case when j % 5 = 0 then d + interval '10 days' end, case when j % 5 = 0 then 'Retour d’expérience synthétique.' end
      from generate_series(1, ${inc.establishments}) i
      cross join generate_series(1, ${inc.perEstablishment}) j
      cross join lateral (select now() - ((i * ${inc.perEstablishment} + j) % 360) * interval '1 day' - (j * 37) * interval '1 minute' as d) x;
    commit;
  `);
  await target.sql('vacuum (analyze) organisations, incidents');
  const { rows: counted } = await target.sql<{ n: number }>(`select count(*)::int as n from incidents`);
  return { region, hospital, seconds: (performance.now() - t0) / 1000, incidents: counted[0].n };
}

const KINDS = ['me', 'stats', 'inbox', 'declare'] as const;
type Kind = (typeof KINDS)[number];
const LABELS: Record<Kind, string> = {
  me: 'GET /me (agent, baseline)',
  stats: 'GET /incidents/stats (region)',
  inbox: 'GET /incidents/inbox (region, page 1)',
  declare: 'POST /incidents (declare, RSSI)',
};

interface Measured {
  load: LoadResult;
  meanMs: number;
  statements: number;
  sqlMs: number;
  top: [string, number, number][];
}

const oneLine = (text: string, max = 100) => {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** Waits until what a load run left in flight has finished, so that what follows counts its own only. */
async function settle(target: AppTarget) {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const { sql, inFlight } = await target.stats();
    if (inFlight === 0 && sql.queries === last) return;
    last = sql.queries;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A complete declaration, declared at once, with a fresh Idempotency-Key: one new incident per request. */
function declarer(target: AppTarget, hospital: string) {
  const rssi = target.as('rssi');
  return async () => {
    const content = completeContent({ type: 'phishing', title: 'Hameçonnage (banc d’essai)', discoveredAt: new Date(Date.now() - 2 * 3_600_000).toISOString() });
    const res = await fetch(`${target.origin}/api/v1/incidents`, {
      method: 'POST',
      headers: { ...rssi.headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ orgId: hospital, content, declare: true }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  };
}

async function runDatabase(ctx: BenchContext, inc: IncSettings, title: string, target: AppTarget): Promise<Record<Kind, Measured>> {
  console.log(section(title));
  const data = await generate(target, inc);
  console.log(`${int(inc.establishments)} synthetic establishments × ${inc.perEstablishment} declarations in the region: ${int(data.incidents)} incidents (generated in ${fixed(data.seconds, 1)} s)`);
  const gets: Record<Exclude<Kind, 'declare'>, { who: WorldUser; path: string }> = {
    me: { who: 'agent', path: '/api/v1/me' },
    stats: { who: 'coordRegion', path: `/api/v1/incidents/stats?orgId=${data.region}` },
    inbox: { who: 'coordRegion', path: `/api/v1/incidents/inbox?regionId=${data.region}` },
  };
  const load: BenchSettings = { ...ctx.settings, seconds: inc.seconds, warmupSeconds: inc.warmupSeconds, connections: inc.connections };
  const out = {} as Record<Kind, Measured>;
  for (const kind of KINDS) {
    await settle(target);
    let once: () => Promise<void>;
    let loadRun: () => Promise<LoadResult>;
    if (kind === 'declare') {
      const step = declarer(target, data.hospital);
      once = async () => {
        const status = await step();
        if (status !== 201) throw new Error(`POST /incidents answered ${status}`);
      };
      loadRun = async () => {
        const result = await measureWorkers(target.as('rssi'), LABELS[kind], load, step);
        assertClean(result, 'a declaration was refused or failed');
        return result;
      };
    } else {
      const { who, path } = gets[kind];
      const view = target.as(who);
      once = async () => {
        const res = await fetchOnce(view, path);
        if (res.status !== 200) throw new Error(`GET ${path} as ${who} answered ${res.status}: ${res.body.slice(0, 300)}`);
      };
      loadRun = async () => {
        const result = await measure(view, path, load, { label: LABELS[kind] });
        assertClean(result, `${path} failed under load`);
        return result;
      };
    }
    await once();
    if (kind === 'stats') {
      const res = await fetchOnce(target.as('coordRegion'), gets.stats.path);
      const body = JSON.parse(res.body) as { total: number; byMonth: unknown[]; medianHoursToDeclare: number | null };
      console.log(`stats of the region: ${int(body.total)} declarations over the last 12 months, ${body.byMonth.length} months, median ${fixed(body.medianHoursToDeclare ?? Number.NaN, 1)} h to declare`);
    }
    if (kind === 'inbox') {
      const res = await fetchOnce(target.as('coordRegion'), gets.inbox.path);
      const body = JSON.parse(res.body) as { incidents: unknown[]; total: number };
      console.log(`inbox of the region: ${int(body.incidents.length)} of ${int(body.total)} declarations on the first page, ${fixed(res.body.length / 1024, 0)} KiB of JSON`);
    }
    await target.stats(true);
    const t1 = performance.now();
    for (let i = 0; i < inc.probe; i++) await once();
    const meanMs = (performance.now() - t1) / inc.probe;
    const sql = (await target.stats(true)).sql;
    const top = Object.entries(sql.statements)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 3)
      .map(([text, st]): [string, number, number] => [oneLine(text), st.count / inc.probe, st.ms / inc.probe]);
    out[kind] = { load: await loadRun(), meanMs, statements: sql.queries / inc.probe, sqlMs: sql.ms / inc.probe, top };
  }

  console.log(loadTable(KINDS.map((k) => out[k].load)));
  console.log(
    table(
      ['one request at a time', 'mean ms', 'SQL statements', 'ms in SQL driver'],
      KINDS.map((k) => [LABELS[k], fixed(out[k].meanMs), fixed(out[k].statements, 1), fixed(out[k].sqlMs)]),
    ),
  );
  console.log('\nRatios against GET /me (same settings, same run):');
  for (const k of ['stats', 'inbox', 'declare'] as const) {
    const m = out[k].load;
    const me = out.me.load;
    console.log(`  ${LABELS[k].padEnd(32)} throughput ×${fixed(m.rps / me.rps, 3)}   p95 ×${fixed(m.p95 / me.p95, 1)}   p99 ×${fixed(m.p99 / me.p99, 1)}`);
  }
  console.log('The slowest statements of one request (per request: count, ms):');
  for (const k of ['stats', 'inbox', 'declare'] as const) {
    console.log(`  ${LABELS[k]}`);
    for (const [text, n, ms] of out[k].top) console.log(`    ${fixed(n, 1)}×  ${fixed(ms)} ms  ${text}`);
  }
  const { rows } = await target.sql<{ n: number }>(`select count(*)::int as n from incidents`);
  console.log(`${int(rows[0].n - data.incidents)} declarations made during the run.`);
  return out;
}

export default async function incidentsBenchmark(ctx: BenchContext): Promise<void> {
  const inc = incSettings();
  console.log(
    `Incidents of a region: ${int(inc.establishments)} establishments × ${inc.perEstablishment} declarations. Per request: ${inc.probe} requests one at a time, ` +
      `then ${inc.warmupSeconds} s warm-up and ${inc.seconds} s measured with ${inc.connections} connections. Latencies of 2xx answers, ms; memory of the server process, MiB.`,
  );
  {
    const target = await startAppTarget({ database: 'pglite', users: USERS });
    const close = ctx.defer(() => target.close());
    try {
      await runDatabase(ctx, inc, 'PGlite (embedded, in-memory, in the server process)', target);
    } finally {
      await close();
    }
  }
  if (!inc.postgres) return;
  const created = await createPostgresDatabase(ctx.settings.databaseUrl, 'hygie_bench_inc');
  if ('unreachable' in created) {
    console.log(section('PostgreSQL'));
    console.log(`SKIPPED: PostgreSQL unreachable at ${redact(ctx.settings.databaseUrl)} (${created.unreachable}). Set BENCH_DATABASE_URL to measure it.`);
    return;
  }
  const drop = ctx.defer(() => created.drop());
  try {
    const target = await startAppTarget({ database: 'postgresql', url: created.url, users: USERS });
    const close = ctx.defer(() => target.close());
    try {
      await runDatabase(ctx, inc, `PostgreSQL ${created.version} (${redact(created.url)}, pool of 10)`, target);
    } finally {
      await close();
    }
  } finally {
    await drop();
  }
}
