/**
 * Accounts in scope (issue 6, params.accountIds): only the selected accounts may move; the rest of the book stays
 * with its owner, kept as out of scope ("not among the selected accounts" — never a pin, which is a person's
 * override), and still counts for balance. Checked on the solve input (build-solve-input.ts), end to end
 * through createRun, the real solve job and the stored proposal, and on createRun's validation (the ids belong to
 * the org and, in a departure, to a departing rep).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { rulesetSchema } from '../../../src/rules/ruleset-schema.ts';
import type { Book } from '../../../src/services/book/load-book.ts';
import { buildSolveInput, keptReason, NOT_SELECTED } from '../../../src/services/plan/build-solve-input.ts';
import { createRun } from '../../../src/services/plan/create-run.ts';
import { DEFAULT_RULESET } from '../../../src/services/plan/planning-context.ts';
import { pinAccount, resolveConflict } from '../../../src/services/review/changes.ts';
import { getRunSummary, listRunAccounts } from '../../../src/services/review/review.ts';
import { createRunSchema, type RunParams } from '../../../src/services/run-records/run-params.ts';
import type { RunsContext } from '../../../src/services/run-records/run-records.ts';
import { requestSolve } from '../../../src/services/solve/solve-run.ts';
import { whatIfSolve } from '../../../src/services/solve/what-if.ts';
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
  const buildFull = (params: RunParams) =>
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
    });
  const build = (params: RunParams) => buildFull(params).input;

  it('departure: unselected accounts of the departing rep are left out; the others stay as before', () => {
    const all = build({ kind: 'rep_departure', departingRepIds: ['dana'] });
    expect(all.accounts.map((a) => a.id).sort()).toEqual(['a1', 'd1', 'd2', 'd3', 'd4', 'u1']);
    const some = build({ kind: 'rep_departure', departingRepIds: ['dana'], accountIds: ['d2', 'd4'] });
    expect(some.accounts.map((a) => a.id).sort()).toEqual(['a1', 'd2', 'd4']);
    expect(some.accounts.every((a) => a.pinnedOwnerId === undefined)).toBe(true);
  });

  it('realignment: unselected accounts are kept as protected (not selected), never pinned, and still count for balance', () => {
    const built = buildFull({ kind: 'realignment', accountIds: ['d1'] });
    const byId = new Map(built.input.accounts.map((a) => [a.id, a]));
    expect([...byId.keys()].sort()).toEqual(['a1', 'd1', 'd2', 'd3', 'd4']); // the unowned one is left out
    expect(built.input.accounts.every((a) => a.pinnedOwnerId === undefined)).toBe(true);
    expect(byId.get('d1')!.protected).toBe(false);
    for (const id of ['a1', 'd2', 'd3', 'd4']) {
      expect(byId.get(id)!.protected).toBe(true);
      expect(built.protections.get(id)).toEqual([NOT_SELECTED]);
    }
    expect(built.protections.has('d1')).toBe(false);
    // Without a selection nothing is kept back.
    const free = buildFull({ kind: 'realignment' });
    expect(free.input.accounts.some((a) => a.pinnedOwnerId !== undefined || a.protected)).toBe(false);
    expect(free.protections.size).toBe(0);
  });

  it('realignment: a pin or an exclusion of an unselected account wins; a ruleset protection keeps its own reason', () => {
    const ruleset = rulesetSchema.parse({ ...DEFAULT_RULESET, protections: { keepWithOwner: ['d3'] } });
    const built = buildSolveInput({
      params: { kind: 'realignment', accountIds: ['d1'] },
      book: pureBook,
      ruleset,
      asOfDate: '2026-03-01',
      reassignmentDate: null,
      closingWithinDays: 0,
      timeLimitMs: 1000,
      pins: new Map([['d2', 'ben']]),
      excluded: new Set(['d4']),
    });
    const byId = new Map(built.input.accounts.map((a) => [a.id, a]));
    expect(byId.get('d2')).toMatchObject({ pinnedOwnerId: 'ben', protected: false });
    expect(built.protections.has('d2')).toBe(false);
    expect(byId.get('d4')).toMatchObject({ pinnedOwnerId: 'dana' }); // excluded: stays, as before
    expect(byId.get('d3')!.protected).toBe(true);
    expect(built.protections.get('d3')).toEqual(['on the keep-with-owner list']);
  });

  it('keptReason words a kept account from the protections map, and nothing else', () => {
    const protections = new Map([
      ['d2', [NOT_SELECTED]],
      ['d3', ['a house account', 'co-owned by an account team']],
    ]);
    expect(keptReason({ accountId: 'd2', rule: 'protected', fromRepId: 'Dana' }, protections)).toBe(
      'kept: not among the selected accounts; stays with Dana',
    );
    expect(keptReason({ accountId: 'd3', rule: 'protected', fromRepId: 'Dana' }, protections)).toBe(
      'kept: a house account; co-owned by an account team; stays with Dana',
    );
    expect(keptReason({ accountId: 'd2', rule: 'balance', fromRepId: 'Dana' }, protections)).toBeNull();
    expect(keptReason({ accountId: 'd1', rule: 'protected', fromRepId: 'Dana' }, protections)).toBeNull();
  });
});

describe('runs with accounts in scope, solved by the real job', () => {
  it('a departure with two of six accounts selected moves exactly those two; each of the other four is a blocking conflict until it has an owner who stays', async () => {
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
    // Left out of the run, they would stay with Dana, who leaves: never silently.
    const open = async () =>
      (await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, run.id))).filter(
        (k) => k.severity === 'blocking' && k.resolution === null,
      );
    const leaving = (await open()).filter((k) => k.kind === 'owner_leaving');
    expect(leaving.map((k) => k.accountId).sort()).toEqual([...others].sort());
    for (const k of leaving) {
      expect(k.repId).toBe(book.reps.dana.id);
      expect(k.message).toMatch(
        /is not among the accounts this run moves but its owner Dana leaves in this run: it would be left with someone who leaves\. Give it an owner who stays\./,
      );
    }
    // An owner who stays resolves one: it joins the run pinned to Ana, and a re-solve keeps it there.
    await resolveConflict({
      ctx,
      input: {
        runId: run.id,
        conflictId: leaving[0]!.id,
        resolution: 'override',
        repId: book.reps.ana.id,
        note: 'Ana takes it now',
      },
    });
    const resolved = leaving[0]!.accountId!;
    const again = await solvedAssignments(run.id);
    expect(again.find((r) => r.accountId === resolved)).toMatchObject({
      toRepId: book.reps.ana.id,
      pinned: true,
    });
    expect(
      (await open())
        .filter((k) => k.kind === 'owner_leaving')
        .map((k) => k.accountId)
        .sort(),
    ).toEqual(others.filter((id) => id !== resolved).sort());

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
    const rows = await solvedAssignments(run.id);
    expect(movedIds(rows)).toEqual([biggest]);
    // The rest of the West is kept because nobody selected it: not a pin, no override, no conflict.
    const west = [...book.danaAccounts, ...book.others].filter((a) => a.region === 'West');
    const keptRows = rows.filter((r) => r.accountId !== biggest);
    expect(keptRows.map((r) => r.accountId).sort()).toEqual(
      west
        .map((a) => a.id)
        .filter((id) => id !== biggest)
        .sort(),
    );
    for (const r of keptRows) {
      expect(r.pinned).toBe(false);
      expect(r.toRepId).toBe(r.fromRepId);
      expect(r.reason).toMatch(/^kept: not among the selected accounts; stays with (Dana|Ana|Ben)$/);
      expect(r.explanation).toMatchObject({ rule: 'protected', protections: [NOT_SELECTED] });
      expect(JSON.stringify(r)).not.toMatch(/pinned to|manual override/);
    }
    const conflicts = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, run.id));
    expect(conflicts.filter((k) => k.kind === 'protected_touched')).toEqual([]);
    // The review shows the same: nothing pinned, and the account table says why each one stays.
    expect((await getRunSummary({ ctx, input: { runId: run.id } })).pinned).toBe(0);
    const table = await listRunAccounts({
      ctx,
      input: { runId: run.id, moved: false, sort: 'name', order: 'asc', page: 1, pageSize: 50 },
    });
    expect(table.total).toBe(keptRows.length);
    expect(table.rows.every((r) => r.reason?.startsWith('kept: not among the selected accounts'))).toBe(true);

    // A person pins one of the unselected accounts to Ben, then re-solves: it moves as an override, still no
    // protected-account conflict (the selection is not a protection of the book), and the rest stays kept.
    const other = keptRows.find((r) => r.fromRepId !== book.reps.ben.id)!;
    await pinAccount({
      ctx,
      input: { runId: run.id, accountId: other.accountId, repId: book.reps.ben.id, note: 'Ben asked' },
    });
    const again = await solvedAssignments(run.id);
    expect(movedIds(again)).toEqual([biggest, other.accountId].sort());
    const pinnedRow = again.find((r) => r.accountId === other.accountId)!;
    expect(pinnedRow).toMatchObject({ pinned: true, toRepId: book.reps.ben.id });
    const after = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, run.id));
    expect(after.filter((k) => k.kind === 'protected_touched')).toEqual([]);
    expect(
      again.filter((r) => r.accountId !== biggest && r.accountId !== other.accountId).every((r) => !r.pinned),
    ).toBe(true);

    // The what-if of the same realignment explains the kept accounts alike.
    const whatIf = await whatIfSolve({
      ctx,
      input: { reference: { kind: 'realignment', params: { regions: ['West'], accountIds: [biggest] } } },
    });
    expect('assignments' in whatIf && whatIf.assignments).toBeTruthy();
    const answer = (whatIf as { assignments: { accountId: string; moved: boolean; reason: string }[] })
      .assignments;
    expect(answer.filter((a) => a.moved).map((a) => a.accountId)).toEqual([biggest]);
    for (const a of answer.filter((x) => keptRows.some((k) => k.accountId === x.accountId)))
      expect(a.reason).toMatch(/^kept: not among the selected accounts; stays with /);

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
