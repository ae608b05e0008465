/**
 * Unknown is not zero (issue 14): an account whose revenue is blank counts in a balance as the ruleset's
 * targets.unknownRevenue says — $0 by default, or the median of the known revenues — and the rules in force say
 * which, with how many accounts have no revenue.
 */
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { rulesetSchema } from '../../../src/rules/ruleset-schema.ts';
import { loadBook } from '../../../src/services/book/load-book.ts';
import { buildSolveInput } from '../../../src/services/plan/build-solve-input.ts';
import { rulesInForce } from '../../../src/services/plan/diagnose-run.ts';
import { createRunsWorld, type RunsWorld, seedBook } from '../../api/runs/run-fixture.ts';
import { createRuleset } from '../../support/factories.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
  // Two of Dana's six accounts came from a file with a blank revenue cell.
  await w.h.db.db
    .update(s.accounts)
    .set({ annualRevenueCents: null })
    .where(inArray(s.accounts.id, [book.danaAccounts[0]!.id, book.danaAccounts[1]!.id]));
});
afterAll(() => w.close());

async function solverRevenue(unknownRevenue?: 'zero' | 'median') {
  const ruleset = rulesetSchema.parse({
    schemaVersion: 1,
    name: 'r',
    ...(unknownRevenue ? { targets: { unknownRevenue } } : {}),
  });
  const loaded = await withOrg(w.h.db.db, { orgId: w.orgId }, (tx) => loadBook(tx, null));
  const built = buildSolveInput({
    params: { kind: 'rep_departure', departingRepIds: [book.reps.dana.id] },
    book: loaded,
    ruleset,
    asOfDate: '2026-03-01',
    reassignmentDate: null,
    closingWithinDays: 0,
    timeLimitMs: 1000,
    pins: new Map(),
    excluded: new Set(),
  });
  return new Map(built.input.accounts.map((a) => [a.id, a.revenueCents]));
}

describe('unknown revenue in a balance', () => {
  it('counts as $0 by default and as the median of the known revenues under unknownRevenue: median', async () => {
    const [blank1, blank2, known] = [
      book.danaAccounts[0]!.id,
      book.danaAccounts[1]!.id,
      book.danaAccounts[2]!.id,
    ];
    const byDefault = await solverRevenue();
    expect([byDefault.get(blank1), byDefault.get(blank2), byDefault.get(known)]).toEqual([0, 0, 30_000_00]);
    // Known: Dana 3..6 = $30k, $40k, $50k, $60k; Ana 2 x $20k, Ben 3 x $20k, Eve 2 x $20k. Eleven values,
    // sorted: seven of $20k, then $30k..$60k: the median (the 6th) is $20,000.
    const median = await solverRevenue('median');
    expect([median.get(blank1), median.get(blank2), median.get(known)]).toEqual([
      20_000_00, 20_000_00, 30_000_00,
    ]);
  });

  it('the rules in force say what unknown revenue counts as, with the number of accounts', async () => {
    const { body: draft } = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      reason: 'Dana leaves',
      params: { departingRepIds: [book.reps.dana.id] },
    });
    const byDefault = await w.call('analyst', 'GET', `/runs/${draft.id}/diagnosis`);
    expect(byDefault.status, JSON.stringify(byDefault.body)).toBe(200);
    expect(byDefault.body.unknownRevenue).toBe(
      '2 account(s) have no revenue; unknown revenue counts as $0 (only their count is balanced) (targets.unknownRevenue: zero).',
    );
    const rules = await createRuleset(w.h.db.db, w.orgId, {
      body: { schemaVersion: 1, name: 'Median for unknown', targets: { unknownRevenue: 'median' } },
    });
    const { body: run } = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      reason: 'Dana leaves',
      rulesetId: rules.id,
      params: { departingRepIds: [book.reps.dana.id] },
    });
    const diagnosis = await w.call('analyst', 'GET', `/runs/${run.id}/diagnosis`);
    expect(diagnosis.body.unknownRevenue).toBe(
      '2 account(s) have no revenue; unknown revenue counts as the median known revenue, $20,000 (targets.unknownRevenue: median).',
    );
    // The run's page header reads the rules in force without the book: the same sentence.
    const header = await rulesInForce({
      ctx: {
        db: w.h.db.db,
        clock: () => new Date(),
        principal: { kind: 'api_key', orgId: w.orgId, orgName: 'Runs Org', role: 'analyst' },
      },
      input: { runId: run.id },
    });
    expect(header.unknownRevenue).toBe(diagnosis.body.unknownRevenue);
  });
});
