import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { BenchSettings } from './settings';
import type { Target } from './server';

export interface LoadResult {
  label: string;
  seconds: number;
  /** Completed responses in the measured run. */
  requests: number;
  /** autocannon's mean of the per-second request counts. */
  rps: number;
  /** Latency of the 2xx responses, ms, from every response's own time (not autocannon's 1 ms histogram). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Connection errors (timeouts included). */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Server process memory before the warm-up and after the measured run. */
  rssBeforeMb: number;
  rssMb: number;
  heapUsedMb: number;
  /** Heap used after a forced full GC, right after the sample above. */
  heapLiveMb: number;
}

const MB = 1024 * 1024;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1; // nearest rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

function run(options: autocannon.Options, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err: unknown, result: autocannon.Result) => (err ? reject(err) : resolve(result)));
    if (onLatency) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });
}

/**
 * A warm-up run, then the measured run, with the same settings; the server's memory is
 * read right after the measured run.
 */
export async function measure(
  target: Target,
  path: string,
  settings: BenchSettings,
  opts: { label?: string; beforeMeasured?: () => Promise<void> } = {},
): Promise<LoadResult> {
  const label = opts.label ?? `GET ${path}`;
  const options: autocannon.Options = {
    url: `${target.origin}${path}`,
    method: 'GET',
    headers: target.headers,
    connections: settings.connections,
    pipelining: settings.pipelining,
    timeout: 10,
  };
  const before = await target.stats();
  if (settings.warmupSeconds > 0) await run({ ...options, duration: settings.warmupSeconds });

  await opts.beforeMeasured?.();
  const latencies: number[] = [];
  const result = await run({ ...options, duration: settings.seconds }, (ms) => latencies.push(ms));
  const stats = await target.stats(false, true);
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count ?? 0]));
  return {
    label,
    seconds: result.duration,
    requests: Object.values(statusCodes).reduce((a, b) => a + b, 0),
    rps: result.requests.mean,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes,
    rssBeforeMb: before.rssBytes / MB,
    rssMb: stats.rssBytes / MB,
    heapUsedMb: stats.heapUsedBytes / MB,
    heapLiveMb: stats.heapLiveBytes === undefined ? Number.NaN : stats.heapLiveBytes / MB,
  };
}

/** Throws, with the status codes, if a run had any error or non-2xx answer. */
export function assertClean(result: LoadResult, hint: string) {
  if (result.errors === 0 && result.non2xx === 0 && result.requests > 0) return;
  const codes = Object.entries(result.statusCodes)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');
  throw new Error(`${result.label}: ${result.errors} connection errors, ${result.non2xx} non-2xx answers (status codes: ${codes || 'none'}) — ${hint}`);
}

/** One request, its status and body: to check a target answers as expected before loading it. */
export async function fetchOnce(target: Target, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${target.origin}${path}`, { headers: target.headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

/** Requests one at a time (no concurrency): the mean time of one request, unloaded. */
export async function probe(target: Target, path: string, count: number): Promise<{ meanMs: number; p50: number }> {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const res = await fetch(`${target.origin}${path}`, { headers: target.headers, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    times[i] = performance.now() - start;
    if (res.status < 200 || res.status >= 300) throw new Error(`GET ${path} answered ${res.status} during the sequential probe`);
  }
  const sum = times.reduce((a, b) => a + b, 0);
  return { meanMs: sum / count, p50: percentile(times.sort(), 50) };
}
