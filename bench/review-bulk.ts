/**
 * Review bulk-change benchmark (issue 6): on a realignment run of 10,000 accounts (1,000 with --ci) in review,
 * how long the account table's bulk changes take — the old way (one transaction per account, as the page did
 * before) and as one set-based change (one transaction, one refresh of the proposal) — plus one page of the
 * account table. Each phase runs on the same run, one after the other, on the real Postgres server.
 *
 *   npx tsx bench/review-bulk.ts [--ci] [--accounts N] [--pglite]
 *
 * Server: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * Writes bench/results/review-bulk.json.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Principal } from '../src/auth/principal.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { queryRows } from '../src/db/query-rows.ts';
import { withOrg } from '../src/db/tenancy.ts';
import { loadPlanningContext } from '../src/services/plan/planning-context.ts';
import { type BulkAction, bulkChange, excludeAccount } from '../src/services/review/changes.ts';
import { listRunAccounts } from '../src/services/review/review.ts';
import { findRun, type RunsContext } from '../src/services/run-records/run-records.ts';
import { refreshProposal } from '../src/services/solve/refresh-proposal.ts';
import { benchServerUrl, openBenchDatabase, writeBenchResult } from './bench-db.ts';

export interface ReviewBulkPhase {
  phase: string;
  accounts: number;
  seconds: number;
  perAccountMs: number;
  /** What the service reported as changed (accounts, or conflicts for accept). */
  applied: number | null;
}

export interface ReviewBulkResult {
  benchmark: 'review-bulk';
  driver: 'postgres' | 'pglite';
  accounts: number;
  reps: number;
  opportunities: number;
  openConflicts: number;
  phases: ReviewBulkPhase[];
  /** Seconds a 50-account page would take one account at a time (measured per account × 50). */
  oldPageSeconds: number;
  /** Seconds the same 50 accounts take as one bulk change. */
  newPageSeconds: number;
  targetSeconds: number;
  passed: boolean;
  at: string;
}

/** A bulk change of a page should feel like a click; a filter-wide one should finish well inside a request. */
const TARGET_SECONDS = 5;
const REGIONS = ['North', 'South', 'East', 'West'];

/**
 * The world, written in bulk as the owner: reps in four regions, accounts spread over them, an open deal on every
 * other account (one in twenty, in the East, closes within the org’s window: moving it is a blocking conflict), and a
 * realignment run in review whose proposal moves one account in five to another rep of its region.
 */
export async function seedRun(handle: DatabaseHandle, accounts: number, reps: number) {
  const db = handle.db;
  const [org] = await queryRows<{ id: string }>(
    db as never,
    sql`insert into orgs (name, slug) values ('Bench', ${`bench-${randomBytes(4).toString('hex')}`}) returning id`,
  );
  const orgId = org!.id;
  const roster = Array.from({ length: reps }, (_, i) => ({
    crm: `U-${i}`,
    name: `Rep ${i}`,
    region: REGIONS[i % REGIONS.length]!,
  }));
  await db.execute(sql`insert into reps (org_id, crm_user_id, name, email, region)
    select ${orgId}::uuid, x.crm, x.name, lower(replace(x.name, ' ', '.')) || '@bench.example', x.region
    from jsonb_to_recordset(${JSON.stringify(roster)}::jsonb) as x(crm text, name text, region text)`);
  const repRows = await queryRows<{ id: string; crm_user_id: string }>(
    db as never,
    sql`select id, crm_user_id from reps where org_id = ${orgId}::uuid`,
  );
  const repId = new Map(repRows.map((r) => [r.crm_user_id, r.id]));
  const perRegion = REGIONS.map((_, g) => roster.filter((_, i) => i % REGIONS.length === g));
  const today = new Date().toISOString().slice(0, 10);
  const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const later = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
  const book = Array.from({ length: accounts }, (_, i) => {
    const g = i % REGIONS.length;
    const mates = perRegion[g]!;
    const owner = mates[Math.floor(i / REGIONS.length) % mates.length]!;
    const to = i % 5 === 0 ? mates[(Math.floor(i / REGIONS.length) + 1) % mates.length]! : owner;
    return {
      crm: `A-${String(i).padStart(6, '0')}`,
      name: `Account ${i}`,
      region: REGIONS[g]!,
      owner: repId.get(owner.crm)!,
      to: repId.get(to.crm)!,
      revenue: 1_000_00 * ((i % 97) + 1),
      deal: i % 2 === 0,
      close: i % 20 === 10 ? soon : later,
    };
  });
  for (let i = 0; i < book.length; i += 2000) {
    await db.execute(sql`insert into accounts (org_id, crm_id, name, region, owner_rep_id, annual_revenue_cents)
      select ${orgId}::uuid, x.crm, x.name, x.region, x.owner, x.revenue
      from jsonb_to_recordset(${JSON.stringify(book.slice(i, i + 2000))}::jsonb)
        as x(crm text, name text, region text, owner uuid, revenue bigint)`);
  }
  await db.execute(sql`insert into opportunities (org_id, crm_id, account_id, name, stage, owner_rep_id, amount_cents, close_date, created_date)
    select a.org_id, 'O-' || a.crm_id, a.id, 'Deal ' || a.name, 'Negotiation', a.owner_rep_id, 50000000, x.close::date, ${today}::date
    from jsonb_to_recordset(${JSON.stringify(book.filter((b) => b.deal))}::jsonb) as x(crm text, close text)
    join accounts a on a.crm_id = x.crm and a.org_id = ${orgId}::uuid`);
  const [run] = await queryRows<{ id: string }>(
    db as never,
    sql`insert into runs (org_id, kind, scope, status, reason, params, metrics)
        values (${orgId}::uuid, 'realignment', 'ownership', 'in_review', 'Bench: rebalance every region', '{}'::jsonb,
                ${JSON.stringify({ asOfDate: today })}::jsonb)
        returning id`,
  );
  const runId = run!.id;
  for (let i = 0; i < book.length; i += 2000) {
    await db.execute(sql`insert into run_assignments (org_id, run_id, account_id, from_rep_id, to_rep_id, reason)
      select ${orgId}::uuid, ${runId}::uuid, a.id, x.owner, x.to,
             case when x.owner = x.to then 'stays: no move improves the balance' else 'moved to balance its region' end
      from jsonb_to_recordset(${JSON.stringify(book.slice(i, i + 2000))}::jsonb) as x(crm text, owner uuid, "to" uuid)
      join accounts a on a.crm_id = x.crm and a.org_id = ${orgId}::uuid`);
  }
  const principal: Principal = {
    kind: 'api_key',
    orgId,
    orgName: 'Bench',
    role: 'analyst',
    apiKeyName: 'bench',
  };
  const ctx: RunsContext = { db, clock: () => new Date(), principal, requestId: 'bench' };
  // Conflicts and the proposal hash, as the solve job leaves them.
  await withOrg(db, { orgId }, async (tx) => {
    const r = await findRun(tx, runId);
    await refreshProposal(tx, r, await loadPlanningContext(tx, r, new Date()), [], new Date());
  });
  const ids = await queryRows<{ account_id: string; region: string }>(
    db as never,
    sql`select ra.account_id, a.region from run_assignments ra join accounts a on a.id = ra.account_id
        where ra.run_id = ${runId}::uuid order by a.crm_id`,
  );
  const [open] = await queryRows<{ n: number }>(
    db as never,
    sql`select count(*)::int as n from conflicts where run_id = ${runId}::uuid and resolution is null`,
  );
  const pinTo = repId.get(perRegion[0]![0]!.crm)!;
  return { ctx, runId, ids, openConflicts: Number(open?.n ?? 0), pinTo };
}

export async function runReviewBulkBench(options: {
  accounts: number;
  reps: number;
  pglite: boolean;
  serverUrl: string;
  oldWayAccounts: number;
}): Promise<ReviewBulkResult> {
  const { handle, drop } = await openBenchDatabase(options.pglite, options.serverUrl);
  try {
    const world = await seedRun(handle, options.accounts, options.reps);
    const { ctx, runId, ids } = world;
    const phases: ReviewBulkPhase[] = [];
    const time = async (phase: string, accounts: number, work: () => Promise<number | null>) => {
      const started = performance.now();
      const applied = await work();
      const seconds = (performance.now() - started) / 1000;
      phases.push({
        phase,
        accounts,
        seconds: round(seconds),
        perAccountMs: round((seconds * 1000) / Math.max(1, accounts), 1),
        applied,
      });
      console.log(`  ${phase}: ${round(seconds)} s`);
    };
    const note = 'bench';
    const bulk = async (action: BulkAction, accountIds: string[], extra: { repId?: string } = {}) =>
      (await bulkChange({ ctx, input: { runId, action, accountIds, note, ...extra } })).applied;
    const north = ids.filter((r) => r.region === 'North').map((r) => r.account_id);
    const page = north.slice(0, 50);

    // The old way: one service call (one transaction, one refresh of the proposal) per account.
    const oldWay = ids.slice(-options.oldWayAccounts).map((r) => r.account_id);
    await time(`exclude ${oldWay.length}, one transaction per account (before)`, oldWay.length, async () => {
      for (const accountId of oldWay) await excludeAccount({ ctx, input: { runId, accountId, note } });
      return oldWay.length;
    });
    await time('exclude one page (50), one bulk change', page.length, () => bulk('exclude', page));
    await time('include the same 50 again', page.length, () => bulk('include', page));
    const thousand = north.slice(0, Math.min(1000, north.length));
    await time(`pin ${thousand.length} to one rep`, thousand.length, () =>
      bulk('pin', thousand, { repId: world.pinTo }),
    );
    await time(`unpin the same ${thousand.length}`, thousand.length, () => bulk('unpin', thousand));
    await time(`exclude all matching region = North (${north.length})`, north.length, async () => {
      const r = await bulkChange({
        ctx,
        input: {
          runId,
          action: 'exclude',
          note,
          matching: { filter: { region: 'North' }, expected: north.length },
        },
      });
      return r.applied;
    });
    const conflicted = ids.map((r) => r.account_id);
    const sample = conflicted.slice(0, Math.min(5000, conflicted.length));
    await time(`accept the open conflicts of ${sample.length} accounts`, sample.length, () =>
      bulk('accept', sample),
    );
    await time('account table: one page of 50 filtered by region, sorted by revenue', 50, async () => {
      const r = await listRunAccounts({
        ctx,
        input: { runId, region: 'South', sort: 'revenue', order: 'desc', page: 3, pageSize: 50 },
      });
      return r.rows.length;
    });
    const perAccountOld = phases[0]!.seconds / Math.max(1, oldWay.length);
    const newPage = phases[1]!.seconds;
    return {
      benchmark: 'review-bulk',
      driver: handle.driver,
      accounts: options.accounts,
      reps: options.reps,
      opportunities: Math.ceil(options.accounts / 2),
      openConflicts: world.openConflicts,
      phases,
      oldPageSeconds: round(perAccountOld * 50),
      newPageSeconds: newPage,
      targetSeconds: TARGET_SECONDS,
      passed: phases.slice(1).every((p) => p.seconds < TARGET_SECONDS),
      at: new Date().toISOString(),
    };
  } finally {
    await drop();
  }
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function printReviewBulkBench(result: ReviewBulkResult): void {
  console.log(
    `\nReview bulk changes: a realignment run of ${result.accounts.toLocaleString('en-US')} accounts, ${result.reps} reps, ${result.openConflicts} open conflicts, on ${result.driver}`,
  );
  console.table(
    result.phases.map((p) => ({
      phase: p.phase,
      accounts: p.accounts,
      seconds: p.seconds,
      'ms/account': p.perAccountMs,
      applied: p.applied,
    })),
  );
  console.log(
    `A page of 50: ${result.oldPageSeconds} s one account at a time, ${result.newPageSeconds} s as one change. Target: each bulk phase under ${result.targetSeconds} s — ${result.passed ? 'met' : 'NOT met'}`,
  );
}

/** The bench/run.ts entry: CI runs 1,000 accounts and gates on the changes working; a full run also on the target. */
export async function run(options: { ci: boolean; args: string[] }): Promise<{ ok: boolean }> {
  const { ci, args } = options;
  const accountsArg = args.indexOf('--accounts');
  const accounts = accountsArg >= 0 ? Number(args[accountsArg + 1]) : ci ? 1_000 : 10_000;
  const serverUrl = benchServerUrl();
  const result = await runReviewBulkBench({
    accounts,
    reps: 40,
    pglite: args.includes('--pglite'),
    serverUrl,
    oldWayAccounts: ci ? 5 : 10,
  });
  printReviewBulkBench(result);
  await writeBenchResult('review-bulk', { ci, ...result });
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
