/**
 * Bulk changes of a proposal (issue 6, the review page's account table): one set-based change in one transaction
 * for any number of accounts — the version moves once, the proposal hash changes and an approval is voided, each
 * account keeps its own audit event with the note, a selection over the limit or with a foreign account changes
 * nothing, and "all matching the filter" takes what the table shows (refused when the count seen is stale).
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { createRun } from '../../../src/services/plan/create-run.ts';
import { bulkChange, MAX_BULK_ACCOUNTS } from '../../../src/services/review/changes.ts';
import type { RunsContext } from '../../../src/services/run-records/run-records.ts';
import {
  createRunsWorld,
  type RunsWorld,
  runRow,
  seedBook,
  solveAndDrain,
} from '../../api/runs/run-fixture.ts';

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
    apiKeyName: 'bulk',
  };
  ctx = { db: w.h.db.db, clock: () => new Date(), principal, requestId: 'bulk-test' };
});
afterAll(() => w.close());

async function solvedDeparture(reason: string) {
  const run = await createRun({
    ctx,
    input: {
      kind: 'rep_departure',
      scope: 'ownership',
      reason,
      params: { departingRepIds: [book.reps.dana.id] },
    },
  });
  const solved = await solveAndDrain(w, run.id);
  expect(solved.status).toBe('solved');
  return run.id;
}

const rowsOf = (runId: string) =>
  w.h.db.db
    .select()
    .from(s.runAssignments)
    .where(eq(s.runAssignments.runId, runId))
    .then((rows) => rows.sort((a, b) => (a.accountId < b.accountId ? -1 : 1)));

const eventsOf = (runId: string) =>
  w.h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, runId));

async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('the bulk change was accepted');
}

describe('a bulk change is one change of the run', () => {
  it('pins three accounts in one step: one version, a new hash, the approval voided, one audit event per account', async () => {
    const runId = await solvedDeparture('Dana leaves: three go to Ben');
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: (await runRow(w, runId)).proposalHash,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const before = await runRow(w, runId);
    expect(before.status).toBe('approved');
    const chosen = book.danaAccounts.slice(0, 3).map((a) => a.id);

    const r = await bulkChange({
      ctx,
      input: { runId, action: 'pin', accountIds: chosen, repId: book.reps.ben.id, note: 'Ben knows them' },
    });
    expect(r).toMatchObject({ selected: 3, applied: 3, skipped: 0 });
    const after = await runRow(w, runId);
    expect(after.version).toBe(before.version + 1);
    expect(after.status).toBe('in_review');
    expect(after.approvedHash).toBeNull();
    expect(after.proposalHash).not.toBe(before.proposalHash);
    for (const row of (await rowsOf(runId)).filter((x) => chosen.includes(x.accountId))) {
      expect(row).toMatchObject({ pinned: true, excluded: false, toRepId: book.reps.ben.id });
      expect(row.reason).toBe('Manual override to Ben: Ben knows them');
    }
    const events = await eventsOf(runId);
    const pinned = events.filter((e) => e.action === 'run.account_pinned');
    expect(pinned.map((e) => e.entityId).sort()).toEqual([...chosen].sort());
    for (const e of pinned) {
      expect(e.entityType).toBe('account');
      expect(e.after).toMatchObject({ pinned: true, toRepId: book.reps.ben.id, note: 'Ben knows them' });
    }
    expect(events.filter((e) => e.action === 'run.change')).toHaveLength(1);

    // Un-pinning the three and one that never was: the three change, the fourth is reported as skipped.
    const un = await bulkChange({
      ctx,
      input: { runId, action: 'unpin', accountIds: [...chosen, book.danaAccounts[4]!.id] },
    });
    expect(un).toMatchObject({ selected: 4, applied: 3, skipped: 1 });
    expect((await rowsOf(runId)).filter((x) => x.pinned)).toHaveLength(0);
    expect((await runRow(w, runId)).version).toBe(before.version + 2);
  });

  it('refuses a pin to the departing rep, or a foreign account, as a whole: nothing changes', async () => {
    const runId = await solvedDeparture('Dana leaves: refusals');
    const rows = await rowsOf(runId);
    const run = await runRow(w, runId);
    const toDana = await refusal(
      bulkChange({
        ctx,
        input: {
          runId,
          action: 'pin',
          accountIds: [book.danaAccounts[0]!.id],
          repId: book.reps.dana.id,
          note: 'back to Dana',
        },
      }),
    );
    expect(toDana.code).toBe('CONFLICT');
    expect(toDana.message).toContain('is leaving in this run');
    const foreign = await refusal(
      bulkChange({
        ctx,
        input: {
          runId,
          action: 'exclude',
          accountIds: [book.danaAccounts[0]!.id, crypto.randomUUID()],
          note: 'one of these is not ours',
        },
      }),
    );
    expect(foreign.code).toBe('NOT_FOUND');
    expect(foreign.message).toContain('1 selected account(s) are not accounts of this org');
    expect(await rowsOf(runId)).toEqual(rows);
    expect((await runRow(w, runId)).version).toBe(run.version);
  });

  it(`refuses more than ${MAX_BULK_ACCOUNTS.toLocaleString('en-US')} accounts with what to do, before touching anything`, async () => {
    const runId = await solvedDeparture('Dana leaves: too many');
    const run = await runRow(w, runId);
    const many = Array.from({ length: MAX_BULK_ACCOUNTS + 1 }, () => crypto.randomUUID());
    const error = await refusal(
      bulkChange({ ctx, input: { runId, action: 'exclude', accountIds: many, note: 'x' } }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(
      'The selection has 5,001 accounts; one change takes at most 5,000. Narrow the filter (a rep or a region) and apply the change to each part. Nothing was changed.',
    );
    expect((await runRow(w, runId)).version).toBe(run.version);
  });

  it('exclude takes an account the run did not concern yet; it joins the run with its owner and stays', async () => {
    const runId = await solvedDeparture('Dana leaves: Eve keeps hers');
    const eveAccount = book.others.find((a) => a.ownerRepId === book.reps.eve.id)!;
    expect((await rowsOf(runId)).some((r) => r.accountId === eveAccount.id)).toBe(false);
    await bulkChange({
      ctx,
      input: { runId, action: 'exclude', accountIds: [eveAccount.id], note: 'keep it out' },
    });
    const [row] = await w.h.db.db
      .select()
      .from(s.runAssignments)
      .where(and(eq(s.runAssignments.runId, runId), eq(s.runAssignments.accountId, eveAccount.id)));
    expect(row).toMatchObject({ excluded: true, fromRepId: book.reps.eve.id, toRepId: book.reps.eve.id });
  });
});

describe('all matching the filter', () => {
  it('takes every account the filter matches; a stale count or an empty match changes nothing', async () => {
    const runId = await solvedDeparture('Dana leaves: West stays for now');
    const moving = (await rowsOf(runId)).filter((r) => !r.excluded && r.toRepId !== r.fromRepId);
    expect(moving.length).toBe(book.danaAccounts.length);
    const run = await runRow(w, runId);

    const stale = await refusal(
      bulkChange({
        ctx,
        input: {
          runId,
          action: 'exclude',
          note: 'hold',
          matching: { filter: { moved: true }, expected: moving.length - 1 },
        },
      }),
    );
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toContain(
      `now matches ${moving.length} account(s), not ${moving.length - 1} as shown`,
    );
    const none = await refusal(
      bulkChange({
        ctx,
        input: { runId, action: 'exclude', note: 'hold', matching: { filter: { region: 'Atlantis' } } },
      }),
    );
    expect(none.message).toBe('No account of this run matches the filter; nothing was changed.');
    expect((await runRow(w, runId)).version).toBe(run.version);

    const r = await bulkChange({
      ctx,
      input: {
        runId,
        action: 'exclude',
        note: 'hold',
        matching: { filter: { moved: true, region: 'West' }, expected: moving.length },
      },
    });
    expect(r).toMatchObject({ selected: moving.length, applied: moving.length });
    const rows = await rowsOf(runId);
    expect(rows.filter((x) => x.excluded).map((x) => x.accountId)).toEqual(moving.map((m) => m.accountId));
    for (const x of rows.filter((y) => y.excluded)) expect(x.toRepId).toBe(book.reps.dana.id);

    // Included again: back with their departing owner they have nowhere to be until the next solve.
    const back = await bulkChange({
      ctx,
      input: { runId, action: 'include', matching: { filter: { excluded: true } } },
    });
    expect(back.applied).toBe(moving.length);
    const open = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, runId));
    expect(open.filter((k) => k.kind === 'unassigned')).toHaveLength(moving.length);

    // Accounts left without an owner cannot be accepted as they are (they would stay with the rep who leaves):
    // refused as a whole, nothing changed.
    const accepting = await refusal(
      bulkChange({
        ctx,
        input: {
          runId,
          action: 'accept',
          note: 'placed at the next solve',
          matching: { filter: { conflict: true } },
        },
      }),
    );
    expect(accepting.code).toBe('CONFLICT');
    expect(accepting.message).toContain('need an owner who stays');
    const still = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, runId));
    expect(still.filter((k) => k.resolution !== null)).toHaveLength(0);

    // Given an owner who stays in one change (one note, one audit event per account), they are placed.
    const given = await bulkChange({
      ctx,
      input: {
        runId,
        action: 'pin',
        repId: book.reps.ana.id,
        note: 'Ana covers them',
        matching: { filter: { conflict: true } },
      },
    });
    expect(given.applied).toBe(moving.length);
    const after = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, runId));
    expect(after.filter((k) => k.kind === 'unassigned')).toHaveLength(0);
    const events = (await eventsOf(runId)).filter((e) => e.action === 'run.account_pinned');
    expect(events.length).toBeGreaterThanOrEqual(moving.length);
  });
});
