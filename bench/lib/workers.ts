import { performance } from 'node:perf_hooks';
import type { LoadResult } from './load';
import type { Target } from './server';

const MB = 1024 * 1024;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1; // nearest rank, as load.ts
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/**
 * Load made of requests autocannon cannot script (a body that depends on the previous
 * answer, as an optimistic-concurrency version): `connections` workers, each calling
 * `step(worker)` in a loop (one request in flight per worker), a warm-up then the measured
 * run. `step` returns the HTTP status. Same figures as `measure` (latency of 2xx answers).
 */
export async function measureWorkers(
  target: Target,
  label: string,
  settings: { seconds: number; warmupSeconds: number; connections: number },
  step: (worker: number) => Promise<number>,
): Promise<LoadResult> {
  const before = await target.stats();
  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const statusCodes: Record<string, number> = {};
    let errors = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: settings.connections }, async (_, worker) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            const status = await step(worker);
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (status >= 200 && status < 300) latencies.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }
      }),
    );
    return { latencies, statusCodes, errors, elapsed: (performance.now() - start) / 1000 };
  };
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  const { latencies, statusCodes, errors, elapsed } = await run(settings.seconds);
  const stats = await target.stats(false, true);
  const sorted = Float64Array.from(latencies).sort();
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    label,
    seconds: elapsed,
    requests,
    rps: requests / elapsed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    errors,
    non2xx: requests - latencies.length,
    statusCodes,
    rssBeforeMb: before.rssBytes / MB,
    rssMb: stats.rssBytes / MB,
    heapUsedMb: stats.heapUsedBytes / MB,
    heapLiveMb: stats.heapLiveBytes === undefined ? Number.NaN : stats.heapLiveBytes / MB,
  };
}
