/** Applies db/migrations (drizzle-kit generated + custom SQL) with either driver; `npm run db:migrate`. */
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../src/db/client.ts';
import { parseEnv } from '../src/lib/env.ts';
import * as schema from './schema/index.ts';

/** Arbitrary constant naming the migration lock (pg_advisory_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 4_205_331_861;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Runs every pending migration on the handle's connection (which must own, or be allowed to create, the schema). */
export async function migrate(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (handle.raw.driver === 'pglite') {
    await migratePglite(handle.raw.db, config);
    return;
  }
  // Several app instances may start at once: one dedicated connection holds a session advisory lock while it
  // migrates; the others wait for it and then find nothing left to do.
  const connection = postgres(handle.raw.url, { max: 1, onnotice: () => {} });
  try {
    await connection`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client: connection, schema }), config);
  } finally {
    // Ending the connection releases the lock too, even when the migration failed.
    await connection.end({ timeout: 5 });
  }
}

async function main(): Promise<void> {
  const env = parseEnv();
  const url = env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL;
  const handle = await openDatabase(
    { ...env, DATABASE_POOL_MAX: 1 },
    url ? { url, applicationName: 'bookshift-migrate' } : {},
  );
  try {
    const started = Date.now();
    await migrate(handle);
    console.log(`Migrations applied (${handle.driver}) in ${Date.now() - started} ms`);
  } finally {
    await handle.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
