/**
 * A fresh, migrated database per test file: a uniquely named database on the server of TEST_DATABASE_URL
 * (or DATABASE_URL) when set, else an in-memory PGlite. `db` connects as the owner (superuser in tests):
 * use it for setup (factories); reach it as the app would only through withOrg / withoutOrg.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER, migrate } from '../../db/migrate.ts';
import * as schema from '../../db/schema/index.ts';
import { type DatabaseHandle, type Driver, openPglite, openPostgres } from '../../src/db/client.ts';

export interface TestDatabase extends DatabaseHandle {
  /** Connection URL of the test database (undefined on PGlite). */
  url: string | undefined;
  /** Server URL the database was created on (for tests that need an admin connection). */
  serverUrl: string | undefined;
  /** Closes the connections and drops the database. */
  close(): Promise<void>;
}

export function testServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export function testDriver(): Driver {
  return testServerUrl() ? 'postgres' : 'pglite';
}

export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  if (!serverUrl) {
    const handle = await openMigratedPglite();
    return { ...handle, url: undefined, serverUrl: undefined };
  }
  const name = `bookshift_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(serverUrl, name);
  const handle = await openPostgres(url, options.poolMax ?? 5, 'bookshift-test');
  try {
    await migrate(handle);
  } catch (error) {
    await handle.close();
    await dropDatabase(serverUrl, name);
    throw error;
  }
  return {
    ...handle,
    url,
    serverUrl,
    close: async () => {
      await handle.close();
      await dropDatabase(serverUrl, name);
    },
  };
}

/**
 * Creating a PGlite cluster (initdb) is the slow part, so the first test process creates and migrates one,
 * dumps it to a file named by the hash of the migrations, and later ones start from that dump.
 */
async function openMigratedPglite(): Promise<DatabaseHandle> {
  const file = join(tmpdir(), `bookshift-pglite-${migrationsFingerprint()}.tar`);
  if (existsSync(file)) {
    try {
      return await openPglite('memory://', { loadDataDir: new Blob([readFileSync(file)]) });
    } catch {
      // A damaged or partial file: fall through and rebuild it.
    }
  }
  const handle = await openPglite('memory://');
  await migrate(handle);
  if (handle.raw.driver === 'pglite') {
    const dump = await handle.raw.client.dumpDataDir('none');
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file); // atomic: parallel test processes never read a half-written dump
  }
  return handle;
}

function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(join(MIGRATIONS_FOLDER, name)));
  }
  hash.update(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json')));
  return hash.digest('hex').slice(0, 16);
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

// --- Errors: the SQLSTATE of a refusal, from either driver ---
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Runs `work` and returns the SQLSTATE it failed with, or throws if it succeeded. */
export async function expectPgError(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    const code = pgErrorCode(error);
    if (code) return code;
    throw error;
  }
  throw new Error('expected the database to refuse, but the statement succeeded');
}

// --- Tables of the schema; tenant tables are those with an org_id column ---

export const ALL_TABLES: string[] = Object.values(schema as Record<string, unknown>)
  .filter((value): value is PgTable => value instanceof PgTable)
  .map((table) => getTableConfig(table))
  .map((config) => config.name)
  .sort();

export const TENANT_TABLES: string[] = Object.values(schema as Record<string, unknown>)
  .filter((value): value is PgTable => value instanceof PgTable)
  .map((table) => getTableConfig(table))
  .filter((config) => config.columns.some((column) => column.name === 'org_id'))
  .map((config) => config.name)
  .sort();
