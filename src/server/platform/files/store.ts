import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where uploaded files live. Keys are random ids made by Hygie (`newFileKey`), never a
 * name chosen by a user: the user's file name is kept in the database for display only.
 * Two implementations, as every adapter: on disk (the default) and in memory (tests).
 */
export interface FileStore {
  put(key: string, data: Buffer): Promise<void>;
  /** null when there is no such file */
  get(key: string): Promise<Buffer | null>;
  /** Deleting a missing file is not an error. */
  delete(key: string): Promise<void>;
}

/** A fresh key for a new file. */
export const newFileKey = (): string => randomUUID();

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Letters, digits, '-' and '_' only: no path separator, no dot, so no way out of the directory. */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) throw new Error(`Invalid file key: ${JSON.stringify(key)}`);
}

/** Files under one directory (HYGIE_DATA_DIR/files), one file per key, written atomically. */
export class DiskFileStore implements FileStore {
  private ready: Promise<unknown> | null = null;

  constructor(private readonly dir: string) {}

  private ensureDir() {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  private pathOf(key: string) {
    assertValidKey(key);
    return path.join(this.dir, key);
  }

  /** Written to a temporary file, flushed, then renamed: a reader never sees half a file. */
  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await this.ensureDir();
    const tmp = path.join(this.dir, `.tmp-${key}-${randomBytes(6).toString('hex')}`);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await handle.close();
    try {
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const file = this.pathOf(key);
    try {
      return await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** The twin for tests: same rules on keys, copies in and out so callers cannot alter what is stored. */
export class MemoryFileStore implements FileStore {
  private readonly files = new Map<string, Buffer>();

  async put(key: string, data: Buffer): Promise<void> {
    assertValidKey(key);
    this.files.set(key, Buffer.from(data));
  }

  async get(key: string): Promise<Buffer | null> {
    assertValidKey(key);
    const data = this.files.get(key);
    return data ? Buffer.from(data) : null;
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.files.delete(key);
  }

  /** How many files are kept (for tests). */
  get size(): number {
    return this.files.size;
  }

  has(key: string): boolean {
    return this.files.has(key);
  }
}
