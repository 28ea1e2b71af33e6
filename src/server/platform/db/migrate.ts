import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Database } from './client';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../db/migrations');

/** Applies pending migrations; on PostgreSQL under an advisory lock so processes starting together take turns. */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR };
  if (database.kind === 'embedded') {
    await migratePglite(database.db as never, config);
    return;
  }
  const client = await database.pool!.connect();
  try {
    await client.query('select pg_advisory_lock(7245001)');
    await migratePg(drizzle(client), config);
  } finally {
    await client.query('select pg_advisory_unlock(7245001)').catch(() => undefined);
    client.release();
  }
}
