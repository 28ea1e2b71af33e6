import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { fromPglite, fromPool, type Database } from '../../src/server/platform/db/client';
import { CONTENT_FRAMEWORKS_DIR, syncContent } from '../../src/server/modules/assessment/frameworks';
import { MIGRATIONS_DIR, migrate } from '../../src/server/platform/db/migrate';
import { createJobQueue } from '../../src/server/platform/jobs/queue';

/**
 * A fresh, migrated database for each test file.
 * - TEST_DATABASE_URL set (CI): a new PostgreSQL database per call, dropped at close.
 * - otherwise: an in-memory PGlite loaded from a template built once (per migration set)
 *   and cached on disk, which skips initdb and the migrations (a few seconds each).
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  return url ? createPostgresDatabase(url) : createPgliteDatabase();
}

const CACHE_DIR = path.resolve(MIGRATIONS_DIR, '../../.test-data');

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) if (f.endsWith('.sql')) hash.update(f).update(readFileSync(path.join(MIGRATIONS_DIR, f)));
  hash.update(readFileSync(path.resolve(MIGRATIONS_DIR, '../../node_modules/pg-boss/package.json')));
  // The template holds Hygie's frameworks too: a change of content makes a new one.
  if (existsSync(CONTENT_FRAMEWORKS_DIR)) for (const f of readdirSync(CONTENT_FRAMEWORKS_DIR).sort()) hash.update(f).update(readFileSync(path.join(CONTENT_FRAMEWORKS_DIR, f)));
  return hash.digest('hex').slice(0, 16);
}

/** Migrations, Hygie's frameworks, and pg-boss's own schema, so tests start jobs without waiting for its set-up. */
async function prepare(database: Database) {
  await migrate(database);
  await syncContent(database.db);
  const jobs = createJobQueue(database);
  await jobs.start();
  await jobs.stop();
}

async function pgliteTemplate(): Promise<Blob> {
  const file = path.join(CACHE_DIR, `pglite-${migrationsFingerprint()}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const client = await PGlite.create();
  await prepare(fromPglite(client));
  const dump = await client.dumpDataDir('none');
  await client.close();
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file); // atomic: parallel test files never read half a template
  return dump;
}

let template: Promise<Blob> | undefined;
async function createPgliteDatabase(): Promise<Database> {
  template ??= pgliteTemplate();
  const client = await PGlite.create({ loadDataDir: await template });
  return fromPglite(client);
}

async function createPostgresDatabase(url: string): Promise<Database> {
  const name = `hygie_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: target.toString(), max: 5 });
  // `drop … with (force)` below ends connections the pool may still be closing.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
  const database = fromPool(pool);
  await prepare(database);
  return {
    ...database,
    async close() {
      await pool.end();
      const drop = new pg.Client({ connectionString: url });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}
