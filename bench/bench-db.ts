/**
 * What the database benches share: a throwaway database (PGlite in memory, or a fresh database on a Postgres
 * server, migrated, dropped afterwards), the server to use, and where a bench writes its JSON result.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate } from '../db/migrate.ts';
import { type DatabaseHandle, openPglite, openPostgres } from '../src/db/client.ts';

/** The Postgres server a bench creates its database on: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL. */
export function benchServerUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ||
    process.env.TEST_DATABASE_URL ||
    process.env.DATABASE_URL ||
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

/** A migrated, empty database of the bench's own; `drop` closes it and removes it from the server. */
export async function openBenchDatabase(
  pglite: boolean,
  serverUrl: string,
): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  if (pglite) {
    const handle = await openPglite('memory://');
    await migrate(handle);
    return { handle, drop: () => handle.close() };
  }
  const name = `bookshift_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end({ timeout: 5 });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openPostgres(url.toString(), 4, 'bookshift-bench');
  await migrate(handle);
  return {
    handle,
    drop: async () => {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end({ timeout: 5 });
    },
  };
}

/** Writes bench/results/<name>.json. */
export async function writeBenchResult(name: string, result: unknown): Promise<void> {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
