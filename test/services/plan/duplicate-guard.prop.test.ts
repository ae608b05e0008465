/**
 * RELIABILITY 9 (duplicate guard, property): random sequences of overrides, un-pins, exclusions, inclusions and
 * re-solves on one run never give an account two owners or none, never leave one with a departing rep, and
 * keep every pin through re-solves.
 */
import { fc, test } from '@fast-check/vitest';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { createRun } from '../../../src/services/plan/create-run.ts';
import * as changes from '../../../src/services/review/changes.ts';
import type { RunsContext } from '../../../src/services/run-records/run-records.ts';
import { requestSolve } from '../../../src/services/solve/solve-run.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../../api/runs/run-fixture.ts';

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
    apiKeyName: 'prop',
  };
  ctx = { db: w.h.db.db, clock: () => new Date(), principal, solverTimeLimitMs: 5000 };
});
afterAll(() => w.close());

type Op =
  | { op: 'pin'; account: number; rep: number }
  | { op: 'unpin' | 'exclude' | 'include'; account: number }
  | { op: 'resolve' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('pin' as const), account: fc.nat(8), rep: fc.nat(3) }),
  fc.record({
    op: fc.constantFrom('unpin' as const, 'exclude' as const, 'include' as const),
    account: fc.nat(8),
  }),
  fc.constant({ op: 'resolve' as const }),
);

async function solve(runId: string) {
  await requestSolve({ ctx, input: { runId } });
  await w.runner.drain();
}

test.prop([fc.array(opArb, { minLength: 1, maxLength: 6 })], { numRuns: 6, endOnFailure: true })(
  'no sequence of changes double-assigns or drops an account',
  async (ops) => {
    const departing = book.reps.dana.id;
    const receivers = [book.reps.ana.id, book.reps.ben.id, book.reps.eve.id, book.reps.house.id];
    const accounts = [...book.danaAccounts, ...book.others.slice(0, 3)];
    const run = await createRun({
      ctx,
      input: {
        kind: 'rep_departure',
        scope: 'ownership',
        reason: 'prop',
        params: { departingRepIds: [departing] },
      },
    });
    await solve(run.id);
    const pins = new Map<string, string>();
    for (const op of ops) {
      try {
        if (op.op === 'resolve') await solve(run.id);
        else {
          const accountId = accounts[op.account]!.id;
          const input = { runId: run.id, accountId, note: 'prop' };
          if (op.op === 'pin') {
            await changes.pinAccount({ ctx, input: { ...input, repId: receivers[op.rep]! } });
            pins.set(accountId, receivers[op.rep]!);
          } else if (op.op === 'unpin') {
            await changes.unpinAccount({ ctx, input });
            pins.delete(accountId);
          } else if (op.op === 'exclude') {
            await changes.excludeAccount({ ctx, input });
            pins.delete(accountId);
          } else await changes.includeAccount({ ctx, input });
        }
      } catch (error) {
        // Refusals (pin to House, un-pin what is not pinned …) are expected; anything else is a bug.
        if (!(error instanceof AppError)) throw error;
        expect([400, 409]).toContain(error.status);
      }
      const rows = await w.h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, run.id));
      const ids = rows.map((r) => r.accountId);
      expect(new Set(ids).size).toBe(ids.length); // one row, so one proposed owner, per account
      const owners = new Map(book.danaAccounts.map((a) => [a.id, a.ownerRepId]));
      for (const a of book.others) owners.set(a.id, a.ownerRepId);
      for (const r of rows) owners.set(r.accountId, r.excluded ? r.fromRepId : r.toRepId);
      const [runNow] = await w.h.db.db.select().from(s.runs).where(eq(s.runs.id, run.id));
      const open = await w.h.db.db.select().from(s.conflicts).where(eq(s.conflicts.runId, run.id));
      for (const [accountId, owner] of owners) {
        // No owner is only ever shown as an open blocking "unassigned" conflict, which stops approval.
        if (owner === null)
          expect(
            open.some((c) => c.accountId === accountId && c.kind === 'unassigned' && c.resolution === null),
            `account ${accountId} has no owner and no blocking conflict`,
          ).toBe(true);
        const row = rows.find((r) => r.accountId === accountId);
        // Only an excluded account may stay with the departing rep (it is not part of the change).
        if (owner === departing)
          expect(row?.excluded, `account ${accountId} left with a departing rep`).toBe(true);
      }
      if (runNow!.status === 'solved' || runNow!.status === 'in_review') {
        for (const [accountId, repId] of pins) {
          const row = rows.find((r) => r.accountId === accountId)!;
          expect(row).toMatchObject({ pinned: true, toRepId: repId });
        }
      }
    }
  },
  120_000,
);

test('an excluded account of the departing rep taken back in is unassigned (blocking) until the next solve', async () => {
  const run = await createRun({
    ctx,
    input: {
      kind: 'rep_departure',
      scope: 'ownership',
      reason: 'x',
      params: { departingRepIds: [book.reps.dana.id] },
    },
  });
  await solve(run.id);
  const input = { runId: run.id, accountId: book.danaAccounts[0]!.id, note: 'n' };
  await changes.excludeAccount({ ctx, input });
  const { result } = await changes.includeAccount({ ctx, input });
  expect(result.toRepId).toBeNull();
  const open = await changes.listConflicts({ ctx, input: { runId: run.id, open: true } });
  expect(open.some((c) => c.kind === 'unassigned' && c.accountId === input.accountId)).toBe(true);
  await solve(run.id);
  const rows = await w.h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, run.id));
  expect(rows.find((r) => r.accountId === input.accountId)?.toRepId).not.toBeNull();
}, 60_000);
