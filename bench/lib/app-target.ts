import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorldUser } from '../../test/support/world';
import type { AppChildMessage, AppParentMessage, AppSpec, AppStats } from './app-process';
import type { Target } from './server';
import { forkChild, waitFor as waitForMessage } from './child';

export type { AppSpec, AppStats };

const CHILD = fileURLToPath(new URL('./app-process.ts', import.meta.url));
const START_TIMEOUT_MS = 180_000;
const CALL_TIMEOUT_MS = 30_000;
/** Filling a database with synthetic data takes a while. */
const SQL_TIMEOUT_MS = 30 * 60_000;

/** The real app in its own process, with several signed-in people and SQL access to its database. */
export interface AppTarget {
  origin: string;
  pid: number;
  info: Record<string, string>;
  /** A Target (for measure, probe, fetchOnce) whose requests carry this person's session (cookie, Origin, CSRF token). */
  as(user: WorldUser): Target;
  /** Runs SQL (several statements allowed, no parameters) on the app's database; the last statement's rows. */
  sql<T = Record<string, unknown>>(text: string): Promise<{ rows: T[]; ms: number }>;
  /** As Target.stats, plus the SQL statements running right now. */
  stats(reset?: boolean, gc?: boolean): Promise<AppStats>;
  close(): Promise<void>;
}

const waitFor = (child: ChildProcess, accept: (m: AppChildMessage) => boolean, what: string, timeoutMs: number) => waitForMessage<AppChildMessage>(child, accept, what, timeoutMs, 'app process');

export async function startAppTarget(spec: AppSpec): Promise<AppTarget> {
  const child = forkChild(CHILD, spec);
  let ready: Extract<AppChildMessage, { type: 'ready' }>;
  try {
    ready = (await waitFor(child, (m) => m.type === 'ready', 'starting', START_TIMEOUT_MS)) as typeof ready;
  } catch (err) {
    child.kill();
    throw err;
  }

  const call = async <T extends AppChildMessage['type']>(message: AppParentMessage, accept: (m: AppChildMessage) => boolean, what: string, timeoutMs = CALL_TIMEOUT_MS) => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`app process already exited while ${what}`);
    const reply = waitFor(child, accept, what, timeoutMs);
    child.send(message);
    return (await reply) as Extract<AppChildMessage, { type: T }>;
  };
  const stats = async (reset = false, gc = false) => (await call<'stats'>({ type: 'stats', reset, gc }, (m) => m.type === 'stats', 'reading stats')).stats;

  let nextId = 1;
  let closed: Promise<void> | undefined;
  const target: AppTarget = {
    origin: ready.origin,
    pid: child.pid!,
    info: ready.info,
    as(user) {
      const session = ready.sessions[user];
      if (!session) throw new Error(`${user} was not signed in at start (AppSpec.users)`);
      const headers = { cookie: session.cookie, origin: ready.originHeader, 'x-csrf-token': session.csrf };
      return { origin: ready.origin, headers, info: { ...ready.info, user }, pid: child.pid!, stats, close: () => target.close() };
    },
    async sql<T>(text: string) {
      const id = nextId++;
      const reply = await call<'sql'>({ type: 'sql', id, text }, (m) => m.type === 'sql' && m.id === id, 'running SQL', SQL_TIMEOUT_MS);
      if (reply.error) throw new Error(`SQL failed: ${reply.error}\n${text.slice(0, 500)}`);
      return { rows: reply.rows as T[], ms: reply.ms };
    },
    stats,
    close() {
      closed ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          await call<'closed'>({ type: 'close' }, (m) => m.type === 'closed', 'closing');
        } catch (err) {
          child.kill();
          throw err;
        } finally {
          await exited;
        }
      })();
      return closed;
    },
  };
  return target;
}
