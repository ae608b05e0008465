/** Opens the database: embedded PGlite (data in PGLITE_DIR) without DATABASE_URL, else postgres.js on a real server. */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite, type PgliteDatabase } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../../db/schema/index.ts';
import type { Env } from '../lib/env.ts';
import { lockDataDir } from './pglite-lock.ts';

export type Schema = typeof schema;

/** One type for both drivers; reach it only through src/db/tenancy.ts (withOrg / withoutOrg). */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** The transaction handed to work inside withOrg / withoutOrg. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type Driver = 'pglite' | 'postgres';

/** The driver-specific client, for the migrator and tests; the app uses `db`. */
export type RawClient =
  | { driver: 'pglite'; db: PgliteDatabase<Schema>; client: PGlite }
  | { driver: 'postgres'; db: PostgresJsDatabase<Schema>; client: postgres.Sql; url: string };

export interface DatabaseHandle {
  db: Database;
  driver: Driver;
  raw: RawClient;
  close(): Promise<void>;
}

export type DatabaseEnv = Pick<Env, 'PGLITE_DIR' | 'DATABASE_POOL_MAX'> & {
  DATABASE_URL?: string | undefined;
};

export interface OpenOptions {
  /** Overrides env.DATABASE_URL (e.g. MIGRATION_DATABASE_URL for migrations). */
  url?: string;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

export async function openDatabase(env: DatabaseEnv, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const url = options.url ?? env.DATABASE_URL;
  if (url) return openPostgres(url, env.DATABASE_POOL_MAX, options.applicationName ?? 'bookshift');
  return openPglite(env.PGLITE_DIR);
}

/** `loadDataDir`: start from a dump (PGlite dumpDataDir) instead of an empty cluster — tests use a migrated one. */
export async function openPglite(
  dir: string,
  options: { loadDataDir?: Blob | File } = {},
): Promise<DatabaseHandle> {
  const inMemory = dir === 'memory://' || dir === '';
  if (!inMemory) mkdirSync(dir, { recursive: true });
  const release = inMemory ? () => {} : lockDataDir(dir);
  // The options-object form: with `undefined` as the first argument PGlite ignores loadDataDir.
  const client = new PGlite({
    ...(inMemory ? {} : { dataDir: dir }),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  try {
    await client.waitReady;
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite({ client, schema });
  return {
    db: db as unknown as Database,
    driver: 'pglite',
    raw: { driver: 'pglite', db, client },
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

export async function openPostgres(
  url: string,
  poolMax: number,
  applicationName = 'bookshift',
): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: poolMax,
    // Migrations and role checks raise NOTICEs ("already exists, skipping"); they are not errors.
    onnotice: () => {},
    connection: { application_name: applicationName },
  });
  const db = drizzlePostgres({ client, schema });
  return {
    db: db as unknown as Database,
    driver: 'postgres',
    raw: { driver: 'postgres', db, client, url },
    close: () => client.end({ timeout: 5 }),
  };
}
