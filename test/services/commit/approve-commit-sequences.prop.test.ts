/**
 * RELIABILITY 9 with approvals and commits in the sequence (issue 5): random interleavings of overrides,
 * exclusions, re-solves, approvals and commits (repeated, and after changes) never give an account two owners
 * or none in the book, never commit a run twice, and never commit anything but what was approved.
 */
import { fc, test } from '@fast-check/vitest';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { AppError } from '../../../src/lib/errors.ts';
import { approveRun } from '../../../src/services/approve/approve-run.ts';
import { commitRun } from '../../../src/services/commit/commit-run.ts';
import { createRun } from '../../../src/services/plan/create-run.ts';
import * as changes from '../../../src/services/review/changes.ts';
import { requestSolve } from '../../../src/services/solve/solve-run.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../../api/runs/run-fixture.ts';
import { createOrgWithUsers } from '../../app/harness.ts';

let w: RunsWorld;
beforeAll(async () => {
  w = await createRunsWorld();
});
afterAll(() => w.close());

type Op =
  | { op: 'pin'; account: number; rep: number }
  | { op: 'exclude' | 'include'; account: number }
  | { op: 'resolve' | 'acceptConflicts' | 'approve' | 'commit' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('pin' as const), account: fc.nat(5), rep: fc.nat(2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constantFrom('exclude' as const, 'include' as const), account: fc.nat(5) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'resolve' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'acceptConflicts' as const }) },
  { weight: 3, arbitrary: fc.constant({ op: 'approve' as const }) },
  { weight: 3, arbitrary: fc.constant({ op: 'commit' as const }) },
);

const tally = { sequences: 0, committed: 0, refusedAfterChange: 0 };

test.prop([fc.array(opArb, { minLength: 2, maxLength: 8 })], {
  numRuns: 8,
  endOnFailure: true,
  // Always run: the happy path with a repeated commit, a change after approval, an exclusion before commit.
  examples: [
    [[{ op: 'acceptConflicts' }, { op: 'approve' }, { op: 'commit' }, { op: 'commit' }]],
    [
      [
        { op: 'acceptConflicts' },
        { op: 'approve' },
        { op: 'pin', account: 0, rep: 1 },
        { op: 'commit' },
        { op: 'acceptConflicts' },
        { op: 'approve' },
        { op: 'commit' },
      ],
    ],
    // Excluding a leaver's account leaves it with someone who leaves: a blocking conflict, so this one is refused.
    [[{ op: 'acceptConflicts' }, { op: 'exclude', account: 2 }, { op: 'approve' }, { op: 'commit' }]],
    // A pin before approval is part of what is approved and committed.
    [[{ op: 'acceptConflicts' }, { op: 'pin', account: 1, rep: 2 }, { op: 'approve' }, { op: 'commit' }]],
  ],
})(
  'no interleaving of changes, approvals and commits double-assigns, drops or commits twice',
  async (ops) => {
    // A fresh org per sequence: a commit changes the book the next sequence would plan on.
    tally.sequences += 1;
    const org = await createOrgWithUsers(w.h);
    const world = { ...w, orgId: org.id };
    const book = await seedBook(world);
    const as = (role: Principal['role']) => ({
      db: w.h.db.db,
      clock: () => new Date(),
      principal: { kind: 'api_key', orgId: org.id, orgName: org.name, role, apiKeyName: role } as Principal,
    });
    const analyst = { ...as('analyst'), solverTimeLimitMs: 5000 };
    const manager = as('manager');
    const run = await createRun({
      ctx: analyst,
      input: {
        kind: 'rep_departure',
        scope: 'ownership',
        reason: 'prop',
        params: { departingRepIds: [book.reps.dana.id] },
      },
    });
    const solve = async () => {
      await requestSolve({ ctx: analyst, input: { runId: run.id } });
      await w.runner.drain();
    };
    await solve();
    const receivers = [book.reps.ana.id, book.reps.ben.id, book.reps.eve.id];
    const accountIds = book.danaAccounts.map((a) => a.id);
    const allIds = [...accountIds, ...book.others.map((a) => a.id)];
    let approvedHash: string | null = null;
    let commits = 0;
    let changeSetId: string | null = null;

    for (const op of ops) {
      try {
        if (op.op === 'resolve') await solve();
        else if (op.op === 'acceptConflicts') {
          const open = await changes.listConflicts({ ctx: analyst, input: { runId: run.id, open: true } });
          for (const c of open.filter((k) => k.severity === 'blocking').slice(0, 10))
            await changes.resolveConflict({
              ctx: analyst,
              input: { runId: run.id, conflictId: c.id, resolution: 'accept', note: 'prop' },
            });
        } else if (op.op === 'approve') {
          const [reviewed] = await w.h.db.db.select().from(s.runs).where(eq(s.runs.id, run.id));
          const expectedHash = reviewed!.proposalHash ?? '';
          const approved = await approveRun({ ctx: manager, input: { runId: run.id, expectedHash } });
          approvedHash = approved.approvedHash;
        } else if (op.op === 'commit') {
          const [before] = await w.h.db.db.select().from(s.runs).where(eq(s.runs.id, run.id));
          const result = await commitRun({
            ctx: manager,
            input: { runId: run.id, appBaseUrl: 'http://bookshift.test' },
          });
          if (before!.status !== 'committed') {
            commits += 1;
            // Only what was approved is committed.
            expect(result.changeSet.hash).toBe(approvedHash);
          }
          changeSetId ??= result.changeSet.id;
          expect(result.changeSet.id, 'a repeated commit returns the first change set').toBe(changeSetId);
        } else if (op.op === 'pin' || op.op === 'exclude' || op.op === 'include') {
          const input = {
            runId: run.id,
            accountId: accountIds[op.account % accountIds.length]!,
            note: 'prop',
          };
          if (op.op === 'pin')
            await changes.pinAccount({ ctx: analyst, input: { ...input, repId: receivers[op.rep]! } });
          else if (op.op === 'exclude') await changes.excludeAccount({ ctx: analyst, input });
          else await changes.includeAccount({ ctx: analyst, input });
          approvedHash = null; // a change voids the approval
        }
      } catch (error) {
        // Refusals (approve with open conflicts, commit without approval, change after commit …) are expected.
        if (!(error instanceof AppError)) throw error;
        if (op.op === 'commit' && /approve/.test(error.message)) tally.refusedAfterChange += 1;
        expect([400, 403, 409, 422]).toContain(error.status);
      }

      // The book: every account has exactly one owner (one row, a non-null owner).
      const owners = await w.h.db.db
        .select({ id: s.accounts.id, owner: s.accounts.ownerRepId })
        .from(s.accounts)
        .where(inArray(s.accounts.id, allIds));
      expect(owners).toHaveLength(allIds.length);
      for (const a of owners) expect(a.owner, `account ${a.id} lost its owner`).not.toBeNull();
      // At most one commit, and one change set, ever.
      const sets = await w.h.db.db.select().from(s.changeSets).where(eq(s.changeSets.runId, run.id));
      expect(sets.length).toBeLessThanOrEqual(1);
      expect(commits).toBeLessThanOrEqual(1);
      if (sets.length === 1) {
        // What the change set says moved is exactly where the book has it.
        const items = await w.h.db.db
          .select()
          .from(s.changeSetItems)
          .where(eq(s.changeSetItems.changeSetId, sets[0]!.id));
        for (const item of items.filter((i) => i.object === 'account'))
          expect(owners.find((o) => o.id === item.recordId)?.owner).toBe(item.toRepId);
      }
    }
    if (commits > 0) tally.committed += 1;
  },
  180_000,
);

test('the property exercised commits, repeated commits and commits refused for want of approval', () => {
  expect(tally.sequences).toBe(8);
  expect(tally.committed, JSON.stringify(tally)).toBeGreaterThanOrEqual(3);
  expect(tally.refusedAfterChange, JSON.stringify(tally)).toBeGreaterThanOrEqual(1);
});
