/**
 * Import benchmark (F1): a Salesforce-report-style CSV of 100,000 accounts (10,000 with --ci) imported
 * into a fresh database on the real Postgres server — first import (all inserted), the same file again
 * (all unchanged), and a file with 10% of owners changed — with wall time, rows/s and peak memory.
 *
 *   npx tsx bench/import.ts [--ci] [--rows N] [--pglite]
 *
 * Server: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * Writes bench/results/import.json.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import type { Principal } from '../src/auth/principal.ts';
import { queryRows } from '../src/db/query-rows.ts';
import { fileSource } from '../src/import/source.ts';
import { applyImport } from '../src/services/imports/apply-import.ts';
import type { ImportCounts } from '../src/services/imports/import-records.ts';
import { benchServerUrl, openBenchDatabase, writeBenchResult } from './bench-db.ts';

export interface ImportBenchOptions {
  rows: number;
  reps: number;
  pglite: boolean;
  serverUrl: string;
}

export interface ImportBenchPhase {
  phase: string;
  rows: number;
  seconds: number;
  /** CPU time of this process (parsing, validation); the rest of the wall time is the database or waiting. */
  appCpuSeconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  peakHeapMb: number;
  counts: ImportCounts;
}

export interface ImportBenchResult {
  benchmark: 'import';
  driver: 'postgres' | 'pglite';
  rows: number;
  fileMb: number;
  targetSeconds: number;
  phases: ImportBenchPhase[];
  passed: boolean;
  at: string;
}

const TARGET_SECONDS = 10;

/** Peak RSS and heap while `work` runs, sampled every 20 ms. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ value: T; seconds: number; cpuSeconds: number; peakRssMb: number; peakHeapMb: number }> {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const value = await work();
    const m = process.memoryUsage();
    const used = process.cpuUsage(cpu);
    return {
      value,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssMb: Math.max(peakRss, m.rss) / 2 ** 20,
      peakHeapMb: Math.max(peakHeap, m.heapUsed) / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

const usd = (cents: number) =>
  `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;

/** Writes a Salesforce account report of `rows` accounts; `shift` moves every tenth account to the next rep. */
async function writeBook(path: string, rows: number, reps: number, shift: boolean): Promise<void> {
  const out = createWriteStream(path);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(
    stringify([
      [
        'Account Owner',
        'Account Name',
        'Type',
        'Industry',
        'Annual Revenue',
        'Billing State/Province',
        'Billing Country',
        'Account ID',
      ],
    ]),
  );
  const states = ['CA', 'NY', 'TX', 'WA', 'IL', 'MA', 'FL', 'CO'];
  let chunk: string[][] = [];
  for (let i = 0; i < rows; i += 1) {
    const owner = (i + (shift && i % 10 === 0 ? 1 : 0)) % reps;
    const cents = ((i * 7919) % 500_000_00) * 10 + (i % 100);
    chunk.push([
      `Rep ${owner}`,
      i % 17 === 0 ? `Account ${i}, "Holdings"` : `Account ${i}`,
      i % 3 === 0 ? 'Customer' : 'Prospect',
      'Technology',
      i % 50 === 0 ? '' : usd(cents),
      states[i % states.length]!,
      'USA',
      `001${String(i).padStart(12, '0')}AAA`,
    ]);
    if (chunk.length === 5000) {
      await write(stringify(chunk, { record_delimiter: 'windows' }));
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(stringify(chunk, { record_delimiter: 'windows' }));
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

export async function runImportBench(options: ImportBenchOptions): Promise<ImportBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bookshift-import-bench-'));
  const { handle, drop } = await openBenchDatabase(options.pglite, options.serverUrl);
  try {
    const bookPath = join(dir, 'accounts.csv');
    const shiftedPath = join(dir, 'accounts-shifted.csv');
    await writeBook(bookPath, options.rows, options.reps, false);
    await writeBook(shiftedPath, options.rows, options.reps, true);
    const source = await fileSource(bookPath);

    // Set-up as the owner (not measured): an org, a user and the roster the owners match.
    const [org] = await queryRows<{ id: string }>(
      handle.db as never,
      sql`insert into orgs (name, slug) values ('Bench', ${`bench-${randomBytes(4).toString('hex')}`}) returning id`,
    );
    const orgId = org!.id;
    const roster = Array.from({ length: options.reps }, (_, i) => ({
      crm: `005${String(i).padStart(12, '0')}AAA`,
      name: `Rep ${i}`,
    }));
    await handle.db.execute(sql`insert into reps (org_id, crm_user_id, name, email)
      select ${orgId}::uuid, x.crm, x.name, lower(replace(x.name, ' ', '.')) || '@bench.example'
      from jsonb_to_recordset(${JSON.stringify(roster)}::jsonb) as x(crm text, name text)`);
    const principal: Principal = {
      kind: 'api_key',
      orgId,
      orgName: 'Bench',
      role: 'analyst',
      apiKeyId: undefined,
    };
    const ctx = { db: handle.db, clock: () => new Date(), principal };

    const phases: ImportBenchPhase[] = [];
    const run = async (phase: string, path: string) => {
      const file = path === bookPath ? source : await fileSource(path);
      const m = await measured(() =>
        applyImport({ ctx, input: { source: file, maxRows: options.rows, kind: 'accounts' } }),
      );
      if (m.value.status !== 'applied') throw new Error(`${phase}: import failed: ${m.value.failureReason}`);
      phases.push({
        phase,
        rows: options.rows,
        seconds: round(m.seconds),
        appCpuSeconds: round(m.cpuSeconds),
        rowsPerSecond: Math.round(options.rows / m.seconds),
        peakRssMb: round(m.peakRssMb, 1),
        peakHeapMb: round(m.peakHeapMb, 1),
        counts: m.value.counts,
      });
    };
    await run('first import (insert)', bookPath);
    await run('same file again (no-op)', bookPath);
    await run('10% owners changed', shiftedPath);
    return {
      benchmark: 'import',
      driver: handle.driver,
      rows: options.rows,
      fileMb: round((source as { sizeBytes?: number }).sizeBytes! / 2 ** 20, 1),
      targetSeconds: TARGET_SECONDS,
      phases,
      passed: phases.every((p) => p.seconds < TARGET_SECONDS),
      at: new Date().toISOString(),
    };
  } finally {
    await drop();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function printImportBench(result: ImportBenchResult): void {
  console.log(
    `\nImport benchmark: ${result.rows.toLocaleString('en-US')} accounts (${result.fileMb} MB CSV) on ${result.driver}`,
  );
  console.table(
    result.phases.map((p) => ({
      phase: p.phase,
      seconds: p.seconds,
      'app CPU s': p.appCpuSeconds,
      'rows/s': p.rowsPerSecond,
      inserted: p.counts.inserted,
      updated: p.counts.updated,
      unchanged: p.counts.unchanged,
      rejected: p.counts.rejected,
      'peak RSS MB': p.peakRssMb,
      'peak heap MB': p.peakHeapMb,
    })),
  );
  console.log(`Target: each phase under ${result.targetSeconds} s — ${result.passed ? 'met' : 'NOT met'}`);
}

/** The bench/run.ts entry: CI imports 10,000 rows and gates on the import working; a full run also on the target. */
export async function run(options: { ci: boolean; args: string[] }): Promise<{ ok: boolean }> {
  const { ci, args } = options;
  const rowsArg = args.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : ci ? 10_000 : 100_000;
  const serverUrl = benchServerUrl();
  const result = await runImportBench({ rows, reps: 200, pglite: args.includes('--pglite'), serverUrl });
  printImportBench(result);
  await writeBenchResult('import', { ci, ...result });
  return { ok: ci || result.passed };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  run({ ci: args.includes('--ci'), args })
    .then(({ ok }) => {
      if (!ok) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
