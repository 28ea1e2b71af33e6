/**
 * The regional observatory at national scale: synthetic establishments (spread over 18
 * regions and the categories) × the 43 measures of Hygie's référentiel × 3 campaigns,
 * answers AND the maintained node scores, generated in SQL; then, per size, the latency
 * of the regional observatory, the national one, an establishment's benchmark, and saving
 * one answer through the real PUT endpoint. PGlite up to 3,000 establishments, PostgreSQL
 * for every size. The point: the cost grows with the establishments, not with the answers.
 *
 * BENCH_OBS_SIZES            sizes, establishments, ascending (default 300,3000,45000)
 * BENCH_OBS_PGLITE_MAX       largest size run on PGlite (default 3000)
 * BENCH_OBS_SECONDS          measured run per request and size, at least (default 3; longer
 *                            for a slow request, up to 30 s, so that it completes a sample)
 * BENCH_OBS_WARMUP_SECONDS   warm-up before each (default 1)
 * BENCH_OBS_CONNECTIONS      concurrent connections (default 4)
 * BENCH_OBS_PROBE            sequential requests for the per-request cost (default 10; fewer,
 *                            down to 3, when one takes more than half a second)
 */
import { performance } from 'node:perf_hooks';
import type { WorldUser } from '../test/support/world';
import { startAppTarget, type AppTarget } from './lib/app-target';
import { assertClean, fetchOnce, measure, type LoadResult } from './lib/load';
import { createPostgresDatabase, redact } from './lib/postgres';
import { fixed, int, loadTable, section, table } from './lib/report';
import type { BenchContext, BenchSettings } from './lib/settings';
import { measureWorkers } from './lib/workers';

const USERS: WorldUser[] = ['coordRegion', 'admin', 'rssi'];
const REGIONS = 18;
const CAMPAIGNS = 3;
/** Answer profiles: each synthetic assessment copies one, so scores stay consistent with answers. */
const PROFILES = 97;
/** Categories, weighted as in real life (médico-social establishments are the many). */
const CATEGORIES = ['CHU', 'CH', 'CH', 'CH', 'PSY', 'SMR', 'CLINIQUE', 'CLINIQUE', 'EHPAD', 'EHPAD', 'EHPAD', 'EHPAD', 'EHPAD', 'EHPAD', 'EHPAD', 'ESMS', 'ESMS', 'ESMS', 'ESMS', 'CABINET'];

interface ObsSettings {
  sizes: number[];
  pgliteMax: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  probe: number;
}

function intFrom(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  return value;
}

function obsSettings(): ObsSettings {
  const raw = process.env.BENCH_OBS_SIZES || '300,3000,45000';
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < REGIONS || n > 500_000) || sizes.some((n, i) => i > 0 && n <= sizes[i - 1])) {
    throw new Error(`BENCH_OBS_SIZES must be ascending integers between ${REGIONS} and 500000, comma-separated (got "${raw}")`);
  }
  return {
    sizes,
    pgliteMax: intFrom('BENCH_OBS_PGLITE_MAX', 3000, 0, 500_000),
    seconds: intFrom('BENCH_OBS_SECONDS', 3, 1, 600),
    warmupSeconds: intFrom('BENCH_OBS_WARMUP_SECONDS', 1, 0, 60),
    connections: intFrom('BENCH_OBS_CONNECTIONS', 4, 1, 100),
    probe: intFrom('BENCH_OBS_PROBE', 10, 1, 10_000),
  };
}

// --- synthetic data ----------------------------------------------------------------------------

/**
 * Ids built from a counter, so that rows go into the primary-key indexes in order (bulk
 * loading stays fast). kind: 1 region, 2 establishment, 3 campaign, 4 assessment, 5 the
 * assessment answered during the run.
 */
const uid = (kind: number, n: number) => `b${kind}000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const uidSql = (kind: number, expr: string) => `('b${kind}000000-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface Dataset {
  frameworkId: string;
  measures: string[];
  region: string;
  establishment: string;
  draft: string;
}

/**
 * Once per database: the answer profiles of the référentiel (answers, and the node and
 * overall scores computed from them by the scoring rule — essential measures weigh twice,
 * maturity on the 0-3 scale, « non applicable » left out), the regions and their campaigns.
 */
async function prepare(target: Pick<AppTarget, 'sql'>): Promise<Dataset> {
  const { rows } = await target.sql<{ id: string; min: number; max: number }>(
    `select id::text, min_score as min, max_score as max from assessment_frameworks where kind = 'referentiel' order by created_at limit 1`,
  );
  if (!rows[0]) throw new Error('Hygie’s référentiel is not installed (content/frameworks)');
  const { id: fw, min, max } = rows[0];
  const F = quote(fw);
  await target.sql(`
    create table bench_nodes as
      select id, urn, parent_urn, assessable, case when priority = 'essential' then 2 else 1 end as weight, position
      from assessment_framework_nodes where framework_id = ${F};
    create table bench_closure as
      with recursive up(measure, node) as (
        select m.id, p.id from bench_nodes m join bench_nodes p on p.urn = m.parent_urn where m.assessable
        union all
        select up.measure, g.id from up join bench_nodes c on c.id = up.node join bench_nodes g on g.urn = c.parent_urn
      ) select * from up;
    select setseed(0.42);
    create table bench_profile_answers as
      select profile, node_id, weight,
             case when na then 'na' when m = ${min} then 'non' when m = ${max} then 'oui' else 'partiel' end as status,
             case when na then null else m end as maturity
      from (select p.profile, n.id as node_id, n.weight, random() < 0.05 as na,
                   least(${max}, greatest(${min}, round(${min} + p.profile::numeric / ${PROFILES - 1} * (${max} - ${min}) + (random() - 0.5) * 2)))::int as m
            from generate_series(0, ${PROFILES - 1}) p(profile) cross join bench_nodes n
            where n.assessable order by p.profile, n.position) x;
    create table bench_profile_scores as
      select pa.profile, c.node as node_id,
             (sum((pa.maturity - ${min}) * 100.0 / (${max} - ${min}) * pa.weight) filter (where pa.status <> 'na')
               / nullif(sum(pa.weight) filter (where pa.status <> 'na'), 0))::real as score,
             count(*)::int as answered, count(*)::int as total
      from bench_profile_answers pa join bench_closure c on c.measure = pa.node_id
      group by pa.profile, c.node;
    create table bench_profile_overall as
      select profile,
             (sum((maturity - ${min}) * 100.0 / (${max} - ${min}) * weight) filter (where status <> 'na')
               / nullif(sum(weight) filter (where status <> 'na'), 0))::real as score,
             count(*)::int as answered
      from bench_profile_answers group by profile;
    insert into organisations (id, kind, name, ancestors)
      select ${uidSql(1, 'r')}, 'region', 'Région synthétique ' || r, '{}' from generate_series(1, ${REGIONS}) r;
    insert into assessment_campaigns (id, org_id, framework_id, title, deadline, created_at)
      select ${uidSql(3, 'r * 10 + k')}, ${uidSql(1, 'r')}, ${F}, 'Campagne ' || (2023 + k), make_date(2023 + k, 6, 30), make_date(2023 + k, 1, 15)
      from generate_series(1, ${REGIONS}) r cross join generate_series(1, ${CAMPAIGNS}) k;
  `);
  const measures = (await target.sql<{ id: string }>(`select id::text from bench_nodes where assessable order by position`)).rows.map((r) => r.id);
  return { frameworkId: fw, measures, region: uid(1, 1), establishment: uid(2, 1), draft: uid(5, 1) };
}

/**
 * Establishments from+1..to, each with 3 assessments (one per campaign of its region: the
 * first two validated, the last submitted — or still a draft for one in five), their
 * answers and their maintained node scores. Foreign-key triggers are off for the load
 * (replica role), as a restore does: the rows are consistent by construction.
 */
async function grow(target: Pick<AppTarget, 'sql'>, data: Dataset, from: number, to: number): Promise<number> {
  const F = quote(data.frameworkId);
  const series = `generate_series(${from + 1}, ${to}) i cross join generate_series(1, ${CAMPAIGNS}) k`;
  const assessment = uidSql(4, 'i * 3 + k - 1');
  const profile = `(i * 7 + k * 13) % ${PROFILES}`;
  const region = uidSql(1, `1 + (i - 1) % ${REGIONS}`);
  const start = performance.now();
  await target.sql(`
    begin;
    set local session_replication_role = replica;
    insert into organisations (id, kind, name, parent_id, ancestors, category)
      select ${uidSql(2, 'i')}, 'establishment', 'Établissement synthétique ' || i, ${region}, array[${region}],
             (array[${CATEGORIES.map(quote).join(', ')}])[1 + i % ${CATEGORIES.length}]
      from generate_series(${from + 1}, ${to}) i;
    insert into assessments (id, org_id, framework_id, campaign_id, title, status, created_at, submitted_at, validated_at, score, answered_count, assessable_count)
      select ${assessment}, ${uidSql(2, 'i')}, ${F}, ${uidSql(3, `(1 + (i - 1) % ${REGIONS}) * 10 + k`)}, 'Campagne ' || (2023 + k),
             s.status, make_date(2023 + k, 1, 20),
             case when s.status = 'draft' then null else make_date(2023 + k, 3, 1) + (i % 90) * interval '1 day' end,
             case when s.status = 'validated' then make_date(2023 + k, 3, 11) + (i % 90) * interval '1 day' end,
             o.score, o.answered, ${data.measures.length}
      from ${series}
      cross join lateral (select case when k < ${CAMPAIGNS} then 'validated' when i % 5 = 0 then 'draft' else 'submitted' end as status) s
      join bench_profile_overall o on o.profile = ${profile};
    insert into assessment_answers (assessment_id, node_id, status, maturity, version, updated_at)
      select ${assessment}, pa.node_id, pa.status, pa.maturity, 1, make_date(2023 + k, 2, 1)
      from ${series} join bench_profile_answers pa on pa.profile = ${profile};
    insert into assessment_node_scores (assessment_id, node_id, score, answered, total)
      select ${assessment}, ps.node_id, ps.score, ps.answered, ps.total
      from ${series} join bench_profile_scores ps on ps.profile = ${profile};
    commit;
  `);
  await target.sql('vacuum (analyze) organisations, assessments, assessment_answers, assessment_node_scores');
  return (performance.now() - start) / 1000;
}

/** The people of the run get roles in the synthetic data; the RSSI gets a draft to answer. */
async function attachPeople(target: Pick<AppTarget, 'sql'>, data: Dataset) {
  await target.sql(`
    insert into memberships (user_id, org_id, role) select id, ${quote(data.region)}, 'coord_region' from users where email = 'coordregion@test.hygie.fr';
    insert into memberships (user_id, org_id, role) select id, ${quote(data.establishment)}, 'rssi' from users where email = 'rssi@test.hygie.fr';
    insert into assessments (id, org_id, framework_id, title, status, assessable_count)
      values (${quote(data.draft)}, ${quote(data.establishment)}, ${quote(data.frameworkId)}, 'Diagnostic en cours (banc d’essai)', 'draft', ${data.measures.length});
  `);
}

async function counts(target: AppTarget) {
  const { rows } = await target.sql<Record<string, number>>(`
    select (select count(*)::int from organisations where kind = 'establishment') as establishments,
           (select count(*)::int from assessments) as assessments,
           (select count(*)::int from assessment_answers) as answers,
           (select count(*)::int from assessment_node_scores) as node_scores`);
  return rows[0];
}

// --- measurements ------------------------------------------------------------------------------

const KINDS = ['regional', 'national', 'benchmark', 'save'] as const;
type Kind = (typeof KINDS)[number];
const LABELS: Record<Kind, string> = {
  regional: 'regional observatory (coordinator, 1 region of 18)',
  national: 'national observatory (administrator)',
  benchmark: 'benchmark of one establishment (RSSI)',
  save: 'save one answer (PUT, RSSI)',
};

interface Measured {
  load: LoadResult;
  /** sequential: mean latency, SQL statements and their time per request */
  meanMs: number;
  statements: number;
  sqlMs: number;
  /** the slowest statements of the sequential requests: text, per request count and ms */
  top: [string, number, number][];
}

/**
 * Waits until the requests a load run left in flight have finished (no statement running,
 * none started for a quarter of a second), so that what follows counts its own only.
 */
async function settle(target: AppTarget) {
  let last = -1;
  for (let i = 0; i < 400; i++) {
    const { sql, inFlight } = await target.stats();
    if (inFlight === 0 && sql.queries === last) return;
    last = sql.queries;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const oneLine = (text: string, max = 100) => {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** Saving answers: one measure per connection, each keeping the version its last save returned. */
function saver(target: AppTarget, data: Dataset, versions: Map<string, number>) {
  const rssi = target.as('rssi');
  const cycle = [
    { status: 'oui', maturity: 3 },
    { status: 'partiel', maturity: 1 },
    { status: 'non', maturity: 0 },
  ];
  let turn = 0;
  return async (worker: number) => {
    const nodeId = data.measures[worker % data.measures.length];
    const version = versions.get(nodeId) ?? 0;
    const res = await fetch(`${target.origin}/api/v1/assessments/${data.draft}/answers/${nodeId}`, {
      method: 'PUT',
      headers: { ...rssi.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ version, ...cycle[turn++ % cycle.length] }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { answer?: { version: number }; current?: { version: number } };
    const next = body.answer?.version ?? body.current?.version;
    if (next !== undefined) versions.set(nodeId, next);
    return res.status;
  };
}

/**
 * Per request kind: one request to check it answers (and time it), requests one at a time
 * (the cost of one request, and its SQL), then the load run. The load run lasts at least
 * BENCH_OBS_SECONDS and long enough for about 20 sequential requests' worth of work (at
 * most 30 s), so that a slow national view still completes a sample.
 */
async function measureSize(target: AppTarget, data: Dataset, obs: ObsSettings, settings: BenchSettings, versions: Map<string, number>): Promise<Record<Kind, Measured>> {
  const gets: Record<Exclude<Kind, 'save'>, { who: WorldUser; path: string }> = {
    regional: { who: 'coordRegion', path: `/api/v1/observatory?orgId=${data.region}` },
    national: { who: 'admin', path: '/api/v1/observatory' },
    benchmark: { who: 'rssi', path: `/api/v1/observatory/benchmark?orgId=${data.establishment}` },
  };
  const out = {} as Record<Kind, Measured>;
  for (const kind of KINDS) {
    await settle(target); // what the previous load run left in flight
    let once: () => Promise<void>;
    let loadRun: (load: BenchSettings, label: string) => Promise<LoadResult>;
    if (kind === 'save') {
      const step = saver(target, data, versions);
      once = async () => {
        const status = await step(0);
        if (status !== 200) throw new Error(`PUT answer answered ${status}`);
      };
      loadRun = async (load, label) => {
        const result = await measureWorkers(target.as('rssi'), label, load, step);
        assertClean(result, 'a save was refused (version conflict?) or failed');
        return result;
      };
    } else {
      const { who, path } = gets[kind];
      const view = target.as(who);
      once = async () => {
        const res = await fetchOnce(view, path);
        if (res.status !== 200) throw new Error(`GET ${path} as ${who} answered ${res.status}: ${res.body.slice(0, 300)}`);
      };
      loadRun = async (load, label) => {
        const result = await measure(view, path, load, { label });
        assertClean(result, 'the observatory failed under load');
        return result;
      };
    }
    const t0 = performance.now();
    await once();
    const firstMs = performance.now() - t0;
    const n = Math.max(3, Math.min(obs.probe, Math.floor(5000 / firstMs)));
    await target.stats(true);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await once();
    const meanMs = (performance.now() - t1) / n;
    const sql = (await target.stats(true)).sql;
    const top = Object.entries(sql.statements)
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 3)
      .map(([text, st]): [string, number, number] => [oneLine(text), st.count / n, st.ms / n]);
    const seconds = Math.min(30, Math.max(obs.seconds, Math.ceil((20 * meanMs) / 1000)));
    const load: BenchSettings = { ...settings, seconds, warmupSeconds: obs.warmupSeconds, connections: obs.connections };
    const result = await loadRun(load, seconds > obs.seconds ? `${LABELS[kind]} [${seconds} s]` : LABELS[kind]);
    out[kind] = { load: result, meanMs, statements: sql.queries / n, sqlMs: sql.ms / n, top };
  }
  return out;
}

async function runDatabase(ctx: BenchContext, obs: ObsSettings, title: string, target: AppTarget, sizes: number[]): Promise<Map<number, Record<Kind, Measured>>> {
  console.log(section(title));
  const results = new Map<number, Record<Kind, Measured>>();
  const t0 = performance.now();
  const data = await prepare(target);
  console.log(`référentiel ${data.frameworkId}: ${data.measures.length} measures; ${REGIONS} regions × ${CAMPAIGNS} campaigns; ${PROFILES} answer profiles (prepared in ${fixed((performance.now() - t0) / 1000, 1)} s)`);
  const versions = new Map<string, number>();
  let current = 0;
  for (const size of sizes) {
    const seconds = await grow(target, data, current, size);
    if (current === 0) await attachPeople(target, data);
    current = size;
    const c = await counts(target);
    console.log(
      `\n${int(size)} establishments — generated in ${fixed(seconds, 1)} s: ${int(c.establishments)} establishments, ${int(c.assessments)} assessments, ` +
        `${int(c.answers)} answers, ${int(c.node_scores)} node scores`,
    );
    const measured = await measureSize(target, data, obs, ctx.settings, versions);
    results.set(size, measured);
    console.log(loadTable(KINDS.map((k) => measured[k].load)));
    console.log(
      table(
        ['one request at a time', 'mean ms', 'SQL statements', 'ms in SQL driver'],
        KINDS.map((k) => [LABELS[k], fixed(measured[k].meanMs), fixed(measured[k].statements, 1), fixed(measured[k].sqlMs)]),
      ),
    );
    if (size === sizes.at(-1)) {
      console.log('The slowest statements of one request (per request: count, ms):');
      for (const k of KINDS) {
        console.log(`  ${LABELS[k]}`);
        for (const [text, n, ms] of measured[k].top) console.log(`    ${fixed(n, 1)}×  ${fixed(ms)} ms  ${text}`);
      }
    }
  }
  return results;
}

function ratios(title: string, results: Map<number, Record<Kind, Measured>>) {
  const sizes = [...results.keys()];
  if (sizes.length < 2) return;
  const base = results.get(sizes[0])!;
  console.log(`\n${title}: each size against ${int(sizes[0])} establishments (establishments ×${sizes.map((s) => fixed(s / sizes[0], 0)).join(', ×')}; answers grow alike)`);
  console.log(
    table(
      ['', ...sizes.flatMap((s) => [`${int(s)}: p50 ms`, 'ratio', 'mean ms (seq.)', 'ratio', 'req/s'])],
      KINDS.map((k) => [
        LABELS[k],
        ...sizes.flatMap((s) => {
          const m = results.get(s)![k];
          return [fixed(m.load.p50), `×${fixed(m.load.p50 / base[k].load.p50, 1)}`, fixed(m.meanMs), `×${fixed(m.meanMs / base[k].meanMs, 1)}`, int(m.load.rps)];
        }),
      ]),
    ),
  );
}

export default async function observatoryBenchmark(ctx: BenchContext): Promise<void> {
  const obs = obsSettings();
  console.log(
    `Observatory at scale: ${obs.sizes.map(int).join(' / ')} establishments over ${REGIONS} regions × the référentiel's measures × ${CAMPAIGNS} campaigns ` +
      `(PGlite up to ${int(obs.pgliteMax)}). Per request and size: up to ${obs.probe} requests one at a time (the cost of one), then under load: ` +
      `${obs.warmupSeconds} s warm-up, ${obs.seconds} s measured (longer for a slow request, [n s]), ${obs.connections} connections. Latencies of 2xx answers, ms.`,
  );
  const all: [string, Map<number, Record<Kind, Measured>>][] = [];

  const small = obs.sizes.filter((s) => s <= obs.pgliteMax);
  if (small.length) {
    const target = await startAppTarget({ database: 'pglite', users: USERS });
    const close = ctx.defer(() => target.close());
    try {
      all.push(['PGlite', await runDatabase(ctx, obs, 'PGlite (embedded, in-memory, in the server process)', target, small)]);
    } finally {
      await close();
    }
  }

  const created = await createPostgresDatabase(ctx.settings.databaseUrl, 'hygie_bench_obs');
  if ('unreachable' in created) {
    console.log(section('PostgreSQL'));
    console.log(`SKIPPED: PostgreSQL unreachable at ${redact(ctx.settings.databaseUrl)} (${created.unreachable}). Set BENCH_DATABASE_URL to measure it.`);
  } else {
    const drop = ctx.defer(() => created.drop());
    try {
      const target = await startAppTarget({ database: 'postgresql', url: created.url, users: USERS });
      const close = ctx.defer(() => target.close());
      try {
        all.push(['PostgreSQL', await runDatabase(ctx, obs, `PostgreSQL ${created.version} (${redact(created.url)}, pool of 10)`, target, obs.sizes)]);
      } finally {
        await close();
      }
    } finally {
      await drop();
    }
  }

  console.log(section('Growth'));
  for (const [name, results] of all) ratios(name, results);
}
