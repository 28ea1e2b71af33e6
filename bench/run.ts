/**
 * npm run bench [-- name ...]
 * Runs every bench/<name>.bench.ts (its default export, a Benchmark), one after the other,
 * or only those whose name is given. Exits 1 if any of them failed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSettings, type Benchmark, type BenchContext } from './lib/settings';

const DIR = path.dirname(fileURLToPath(import.meta.url));

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Pending clean-ups, newest first and one at a time (a server closes before its database is dropped). */
async function runAll(pending: Set<() => Promise<void>>) {
  for (const cleanup of [...pending].reverse()) {
    await cleanup().catch((err: unknown) => console.error(`clean-up failed: ${err instanceof Error ? err.message : String(err)}`));
  }
}

async function main(): Promise<number> {
  let settings: BenchContext['settings'];
  try {
    settings = loadSettings();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const wanted = process.argv.slice(2);
  const all = readdirSync(DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => ({ name: f.replace(/\.bench\.ts$/, ''), file: path.join(DIR, f) }));
  const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = wanted.length ? all.filter((b) => wanted.includes(b.name)) : all;

  const cpus = os.cpus();
  console.log('Hygie benchmarks');
  console.log(`  commit ${commit()}, node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}`);
  console.log(`  load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
  console.log(
    `  settings: BENCH_SECONDS=${settings.seconds} BENCH_WARMUP_SECONDS=${settings.warmupSeconds} BENCH_CONNECTIONS=${settings.connections} ` +
      `BENCH_PROBE_REQUESTS=${settings.probeRequests}`,
  );
  console.log(`  benchmarks: ${selected.map((b) => b.name).join(', ')}`);

  // Clean-ups still pending, run on Ctrl-C so that no server or database outlives the run.
  const pending = new Set<() => Promise<void>>();
  const ctx: BenchContext = {
    settings,
    defer(cleanup) {
      let done: Promise<void> | undefined;
      const run = () => {
        pending.delete(run);
        done ??= cleanup();
        return done;
      };
      pending.add(run);
      return run;
    },
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: cleaning up…`);
    void runAll(pending).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const failures: string[] = [];
  const started = performance.now();
  for (const bench of selected) {
    console.log(`\n### ${bench.name}  (${path.relative(process.cwd(), bench.file)})\n`);
    const t0 = performance.now();
    try {
      const mod = (await import(pathToFileURL(bench.file).href)) as { default?: Benchmark };
      if (typeof mod.default !== 'function') throw new Error(`${bench.file} must export default an async function (ctx: BenchContext)`);
      await mod.default(ctx);
      console.log(`\n${bench.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      failures.push(bench.name);
      console.error(`\n${bench.name}: FAILED\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      // Whatever a failed benchmark left open.
      await runAll(pending);
    }
  }

  console.log(`\nLoad average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  console.log(`Total ${((performance.now() - started) / 1000).toFixed(1)} s. ${failures.length ? `FAILED: ${failures.join(', ')}` : 'All benchmarks completed.'}`);
  console.log('These figures describe this machine at this moment; no test asserts timings.');
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
