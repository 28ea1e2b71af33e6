import { fork, type ChildProcess } from 'node:child_process';

/** Every benchmark child process reports its failures the same way. */
export interface FailedMessage {
  type: 'failed';
  error: string;
}

/** Forks a benchmark child (TypeScript via tsx, gc exposed; BENCH_CPU_PROF=<dir> writes a CPU profile there). */
export function forkChild(script: string, spec: unknown): ChildProcess {
  const env = { ...process.env };
  delete env.TEST_DATABASE_URL; // the child chooses its database from the spec
  return fork(script, [JSON.stringify(spec)], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The first message `accept` takes; rejects on a `failed` message, an exit or a time-out. */
export function waitFor<M extends { type: string }>(child: ChildProcess, accept: (m: M) => boolean, what: string, timeoutMs: number, label: string): Promise<M> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (m: M | FailedMessage) => {
      if (m.type === 'failed') {
        cleanup();
        reject(new Error(`${label} failed while ${what}:\n${(m as FailedMessage).error}`));
      } else if (accept(m as M)) {
        cleanup();
        resolve(m as M);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${label} exited (${signal ?? code}) while ${what}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${label}: no answer after ${timeoutMs / 1000} s while ${what}`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
