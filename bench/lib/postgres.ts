import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The URL without its password, for the report. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export interface ThrowAwayDatabase {
  url: string;
  version: string;
  drop(): Promise<void>;
}

/** A new, empty database on the server, dropped afterwards; `unreachable` (and why) if the server cannot be reached. */
export async function createPostgresDatabase(adminUrl: string, prefix = 'hygie_bench'): Promise<ThrowAwayDatabase | { unreachable: string }> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { unreachable: err instanceof Error ? err.message || err.constructor.name : String(err) };
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  let version: string;
  try {
    version = (await admin.query<{ server_version: string }>('show server_version')).rows[0].server_version;
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    version,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
