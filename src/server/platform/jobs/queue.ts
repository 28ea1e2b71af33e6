import PgBoss from 'pg-boss';
import type { Database } from '../db/client';

export type JobHandler<T> = (data: T) => Promise<void>;

export interface JobQueue {
  start(): Promise<void>;
  /** Registers a worker; jobs are retried with backoff when the handler throws. */
  work<T extends object>(name: string, handler: JobHandler<T>): Promise<void>;
  /** `key` is passed to pg-boss as singletonKey; handlers must still be idempotent (a job may run twice). */
  send<T extends object>(name: string, data: T, opts?: { key?: string }): Promise<void>;
  /**
   * Runs `handler` on a cron schedule (time zone Europe/Paris unless told), once across all
   * processes: the schedule is kept in the database, one job per tick. Also a worker, so
   * call it once per process at start-up.
   */
  schedule(name: string, cron: string, handler: () => Promise<void>, opts?: { tz?: string }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * pg-boss on the application's own database (PostgreSQL or embedded PGlite): jobs are
 * rows, so they survive restarts and are shared by every process.
 */
export function createJobQueue(database: Database, opts: { pollingIntervalSeconds?: number } = {}): JobQueue {
  const boss = new PgBoss(
    database.pool
      ? { schedule: true, db: { executeSql: (text: string, values?: unknown[]) => database.pool!.query(text, values) } }
      : {
          schedule: true,
          db: {
            // PGlite runs parameterless multi-statement SQL (pg-boss's migrations) only through exec.
            executeSql: async (text: string, values?: unknown[]) =>
              values?.length ? database.pglite!.query(text, values) : { rows: (await database.pglite!.exec(text)).at(-1)?.rows ?? [] },
          },
        },
  );
  const queues = new Set<string>();
  let started = false;
  const ensureQueue = async (name: string) => {
    if (queues.has(name)) return;
    await boss.createQueue(name, { name, retryLimit: 8, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 });
    queues.add(name);
  };
  const queue: JobQueue = {
    async start() {
      boss.on('error', (err) => console.error('[jobs]', err.message));
      await boss.start();
      started = true;
    },
    async work(name, handler) {
      await ensureQueue(name);
      await boss.work<object>(name, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 }, async (jobs) => {
        for (const job of jobs) await handler(job.data as never);
      });
    },
    async send(name, data, sendOpts) {
      await ensureQueue(name);
      await boss.send(name, data, sendOpts?.key ? { singletonKey: sendOpts.key } : {});
    },
    async schedule(name, cron, handler, scheduleOpts) {
      await ensureQueue(name);
      await boss.schedule(name, cron, {}, { tz: scheduleOpts?.tz ?? 'Europe/Paris' });
      await queue.work(name, handler);
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 5000 });
      started = false;
    },
  };
  return queue;
}
