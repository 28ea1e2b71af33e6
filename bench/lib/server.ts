import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, TargetSpec, TargetStats } from './server-process';
import { forkChild, waitFor as waitForMessage } from './child';

export type { TargetSpec, TargetStats };

const CHILD = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const START_TIMEOUT_MS = 120_000;
const CALL_TIMEOUT_MS = 30_000;

/** A server under test, running in its own process. */
export interface Target {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Headers every request sends (session cookie and Origin for the app; none for bare). */
  headers: Record<string, string>;
  info: Record<string, string>;
  pid: number;
  /**
   * The server process's memory now (then, with gc, the heap after a full collection), and
   * its SQL counters (reset after reading if asked).
   */
  stats(reset?: boolean, gc?: boolean): Promise<TargetStats>;
  close(): Promise<void>;
}

const waitFor = (child: ChildProcess, accept: (m: ChildMessage) => boolean, what: string, timeoutMs: number) => waitForMessage<ChildMessage>(child, accept, what, timeoutMs, 'server process');

export async function startTarget(spec: TargetSpec): Promise<Target> {
  const child = forkChild(CHILD, spec);
  let ready: Extract<ChildMessage, { type: 'ready' }>;
  try {
    ready = (await waitFor(child, (m) => m.type === 'ready', 'starting', START_TIMEOUT_MS)) as typeof ready;
  } catch (err) {
    child.kill();
    throw err;
  }

  const call = async <T extends ChildMessage['type']>(message: ParentMessage, answer: T, what: string) => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server process already exited while ${what}`);
    const reply = waitFor(child, (m) => m.type === answer, what, CALL_TIMEOUT_MS);
    child.send(message);
    return (await reply) as Extract<ChildMessage, { type: T }>;
  };

  let closed: Promise<void> | undefined;
  return {
    origin: ready.origin,
    headers: ready.headers,
    info: ready.info,
    pid: child.pid!,
    stats: async (reset = false, gc = false) => (await call({ type: 'stats', reset, gc }, 'stats', 'reading stats')).stats,
    close() {
      closed ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          await call({ type: 'close' }, 'closed', 'closing');
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
}
