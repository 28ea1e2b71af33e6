import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface Lock {
  release(): void;
}

export class LockError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file holding our pid. A lock left by a process that no
 * longer runs is taken over; one held by a live process is refused with a clear message.
 */
export function acquireLock(file: string): Lock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(pid) && isAlive(pid)) {
        throw new LockError(
          `La base embarquée ${file.replace(/hygie\.lock$/, '')} est déjà ouverte par le processus ${pid}. ` +
            `Une base embarquée ne peut servir qu'un seul processus : arrêtez l'autre instance, ` +
            `ou utilisez PostgreSQL (DATABASE_URL) pour en faire tourner plusieurs.`,
        );
      }
      rmSync(file, { force: true }); // stale lock of a process that is gone (or an unreadable one)
    }
  }
  throw new LockError(`Impossible de prendre le verrou ${file}.`);
}
