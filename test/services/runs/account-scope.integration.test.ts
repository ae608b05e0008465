/**
 * Accounts in scope (issue 6, params.accountIds): only the selected accounts may move; the rest of the book stays
 * with its owner and still counts for balance. Checked on the solve input (build-solve-input.ts), end to end
 * through createRun, the real solve job and the stored proposal, and on createRun's validation (the ids belong to
 * the org and, in a departure, to a departing rep).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { rulesetSchema } from '../../../src/rules/ruleset-schema.ts';
import { createRun } from '../../../src/services/runs/create-run.ts';
import { createRunSchema, type RunParams } from '../../../src/services/runs/run-params.ts';
import type { RunsContext } from '../../../src/services/runs/run-records.ts';
import { requestSolve } from '../../../src/services/runs/solve-run.ts';
import { buildSolveInput } from '../../../src/services/solving/build-solve-input.ts';
import type { Book } from '../../../src/services/solving/load-book.ts';
import { DEFAULT_RULESET } from '../../../src/services/solving/planning-context.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../../api/runs/run-fixture.ts';
import { createAccount, createOrg, createRep } from '../../support/factories.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
let ctx: RunsContext;

beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
  const principal: Principal = {
    kind: 'api_key',
    orgId: w.orgId,
    orgName: 'Runs Org',
    role: 'analyst',
    apiKeyName: 'scope',
  };
  ctx = { db: w.h.db.db, clock: () => new Date(), principal, solverTimeLimitMs: 5000 };
});
afterAll(() => w.close());

async function solvedAssignments(runId: string) {
  await requestSolve({ ctx, input: { runId } });
  await w.runner.drain();
  const [run] = await w.h.db.db.select().from(s.runs).where(eq(s.runs.id, runId));
  expect(run!.status, run!.failureReason ?? '').toBe('solved');
  return w.h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, runId));
}

const movedIds = (
  rows: { accountId: string; fromRepId: string | null; toRepId: string | null; excluded: boolean }[],
) =>
  rows
    .filter((r) => !r.excluded && r.toRepId !== r.fromRepId)
    .map((r) => r.accountId)
    .sort();

describe('the solve input', () => {
  /** A pure book: Dana (leaving in the departure) has four West accounts, Ana one, an unowned account. */
  const rep = (id: string, name: string) => ({
    id,
    crmUserId: null,
    name,
    email: null,
    kind: 'person',
    region: 'West',
    segment: null,
    active: true,
    mayReceive: true,
    endDate: null,
    seniority: 1,
    weightBps: 10_000,
    rampTargetBps: null,
    maxAccounts: null,
    maxRevenueCents: null,
  });
  const account = (id: string, owner: string | null) => ({
    id,
    crmId: id,
    name: id,
    plannedOwnerId: owner,
    currentOwnerId: owner,
    revenueCents: 100_00,
    region: 'West',
    segment: null,
    tier: null,
    type: null,
    industry: null,
    isHouse: false,
    isCoOwned: false,
  });
  const pureBook = {
    reps: [rep('dana', 'Dana'), rep('ana', 'Ana'), rep('ben', 'Ben')],
    accounts: [
      account('d1', 'dana'),
      account('d2', 'dana'),
      account('d3', 'dana'),
      account('d4', 'dana'),
      account('a1', 'ana'),
      account('u1', null),
    ],
    opportunities: [],
  } as unknown as Book;
  const build = (params: RunParams) =>
    buildSolveInput({
      params,
      book: pureBook,
      ruleset: rulesetSchema.parse(DEFAULT_RULESET),
      asOfDate: '2026-03-01',
      reassignmentDate: null,
      closingWithinDays: 0,
      timeLimitMs: 1000,
      pins: new Map(),
      excluded: new Set(),
    }).input;

  it('departure: unselected accounts of the departing rep are left out; the others stay as before', () => {
    const all = build({ kind: 'rep_departure', departingRepIds: ['dana'] });
    expect(all.accounts.map((a) => a.id).sort()).toEqual(['a1', 'd1', 'd2', 'd3', 'd4', 'u1']);
    const some = build({ kind: 'rep_departure', departingRepIds: ['dana'], accountIds: ['d2', 'd4'] });
    expect(some.accounts.map((a) => a.id).sort()).toEqual(['a1', 'd2', 'd4']);
    expect(some.accounts.every((a) => a.pinnedOwnerId === undefined)).toBe(true);
  });

  it('realignment: unselected accounts are pinned to their owner and still in the input (they count for balance)', () => {
    const some = build({ kind: 'realignment', accountIds: ['d1'] });
    const byId = new Map(some.accounts.map((a) => [a.id, a]));
    expect([...byId.keys()].sort()).toEqual(['a1', 'd1', 'd2', 'd3', 'd4']); // the unowned one is left out
    expect(byId.get('d1')!.pinnedOwnerId).toBeUndefined();
    for (const id of ['d2', 'd3', 'd4']) expect(byId.get(id)!.pinnedOwnerId).toBe('dana');
    expect(byId.get('a1')!.pinnedOwnerId).toBe('ana');
    // Without a selection nothing is pinned.
    expect(build({ kind: 'realignment' }).accounts.some((a) => a.pinnedOwnerId !== undefined)).toBe(false);
  });
});

describe('runs with accounts in scope, solved by the real job', () => {
  it('a departure with two of six accounts selected moves exactly those two; the other four stay with Dana', async () => {
    const chosen = [book.danaAccounts[1]!.id, book.danaAccounts[4]!.id];
    const run = await createRun({
      ctx,
      input: {
        kind: 'rep_departure',
        scope: 'ownership',
        reason: 'Dana hands over two accounts first',
        params: { departingRepIds: [book.reps.dana.id], accountIds: chosen },
      },
    });
    const rows = await solvedAssignments(run.id);
    expect(movedIds(rows)).toEqual([...chosen].sort());
    for (const r of rows.filter((x) => chosen.includes(x.accountId)))
      expect([book.reps.ana.id, book.reps.ben.id, book.reps.eve.id]).toContain(r.toRepId);
    const others = book.danaAccounts.filter((a) => !chosen.includes(a.id)).map((a) => a.id);
    expect(rows.some((r) => others.includes(r.accountId))).toBe(false);

    // The same departure without a selection moves all six: the selection is what held the others back.
    const all = await createRun({
      ctx,
      input: {
        kind: 'rep_departure',
        scope: 'ownership',
        reason: 'Dana leaves',
        params: { departingRepIds: [book.reps.dana.id] },
      },
    });
    expect(movedIds(await solvedAssignments(all.id))).toEqual(book.danaAccounts.map((a) => a.id).sort());
  });

  it('a realignment of the West with one account selected moves only that account', async () => {
    const biggest = book.danaAccounts[5]!.id; // Dana holds six of the West's eleven accounts
    const run = await createRun({
      ctx,
      input: {
        kind: 'realignment',
        scope: 'ownership',
        reason: 'Rebalance one big West account',
        params: { regions: ['West'], accountIds: [biggest] },
      },
    });
    expect(movedIds(await solvedAssignments(run.id))).toEqual([biggest]);

    const free = await createRun({
      ctx,
      input: {
        kind: 'realignment',
        scope: 'ownership',
        reason: 'Rebalance the West',
        params: { regions: ['West'] },
      },
    });
    expect(movedIds(await solvedAssignments(free.id)).length).toBeGreaterThan(1);
  });
});

describe('validation', () => {
  const departure = (accountIds: string[]) => ({
    kind: 'rep_departure' as const,
    scope: 'ownership' as const,
    reason: 'Dana leaves',
    params: { departingRepIds: [book.reps.dana.id], accountIds },
  });

  async function issuesOf(input: Parameters<typeof createRun>[0]['input']) {
    try {
      await createRun({ ctx, input });
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VALIDATION_FAILED');
      return (error as AppError).details as { path: string; message: string }[];
    }
    throw new Error('createRun accepted the input');
  }

  it('refuses an account of a rep who is not departing, one of another org, an unknown id and a duplicate', async () => {
    const otherOrg = await createOrg(w.h.db.db);
    const stranger = await createRep(w.h.db.db, otherOrg.id, { name: 'Stranger' });
    const foreign = await createAccount(w.h.db.db, otherOrg.id, { name: 'Foreign', ownerRepId: stranger.id });
    const anaAccount = book.others[0]!.id;
    const dana0 = book.danaAccounts[0]!.id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const issues = await issuesOf(departure([dana0, anaAccount, foreign.id, unknown, dana0]));
    expect(issues).toEqual([
      {
        path: 'params.accountIds.1',
        message: `Account ${anaAccount} does not belong to a departing rep; only their accounts move in a departure.`,
      },
      { path: 'params.accountIds.2', message: `No account ${foreign.id} in this org.` },
      { path: 'params.accountIds.3', message: `No account ${unknown} in this org.` },
      {
        path: 'params.accountIds.4',
        message: `Account ${dana0} is selected twice; select each account once.`,
      },
    ]);
  });

  it('a realignment may select any account of the org', async () => {
    const run = await createRun({
      ctx,
      input: {
        kind: 'realignment',
        scope: 'ownership',
        reason: 'Any account',
        params: { accountIds: [book.others[0]!.id, book.danaAccounts[0]!.id] },
      },
    });
    expect((run.params as { accountIds: string[] }).accountIds).toHaveLength(2);
  });

  it('the contract refuses an empty list, a non-UUID and more than 10,000 ids', () => {
    const bad = (accountIds: string[]) =>
      createRunSchema.safeParse(departure(accountIds)).error?.issues.map((i) => i.path.join('.'));
    expect(bad([])).toEqual(['params.accountIds']);
    expect(bad(['nope'])).toEqual(['params.accountIds.0']);
    const many = Array.from({ length: 10_001 }, () => crypto.randomUUID());
    expect(bad(many)).toEqual(['params.accountIds']);
    expect(bad(many.slice(0, 10_000))).toBeUndefined();
  });
});
