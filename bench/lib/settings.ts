/** Benchmark settings, from the environment, validated once. */
export interface BenchSettings {
  /** Measured run, seconds (BENCH_SECONDS). */
  seconds: number;
  /** Warm-up run before each measured run, seconds (BENCH_WARMUP_SECONDS). */
  warmupSeconds: number;
  /** Concurrent HTTP connections (BENCH_CONNECTIONS). */
  connections: number;
  /** Always 1: one request in flight per connection, as a browser does. */
  pipelining: 1;
  /** Requests sent one at a time for the per-request breakdown (BENCH_PROBE_REQUESTS). */
  probeRequests: number;
  /** A PostgreSQL server where a throw-away database is created (BENCH_DATABASE_URL). */
  databaseUrl: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const databaseUrl = env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('BENCH_DATABASE_URL must start with postgres:// or postgresql://');
  return {
    seconds: int(env, 'BENCH_SECONDS', 10, 1, 600),
    warmupSeconds: int(env, 'BENCH_WARMUP_SECONDS', 2, 0, 60),
    connections: int(env, 'BENCH_CONNECTIONS', 10, 1, 1000),
    pipelining: 1,
    probeRequests: int(env, 'BENCH_PROBE_REQUESTS', 200, 10, 100_000),
    databaseUrl,
  };
}

/** What every bench/<name>.bench.ts default export receives from bench/run.ts. */
export interface BenchContext {
  settings: BenchSettings;
  /**
   * Registers a clean-up (close a server, drop a database) that also runs if the run is
   * interrupted (Ctrl-C). Returns the clean-up, to call when done; it runs at most once.
   */
  defer(cleanup: () => Promise<void>): () => Promise<void>;
}

export type Benchmark = (ctx: BenchContext) => Promise<void>;
