/**
 * The run workflow through the API (F3–F6): each kind from creation to a solved, reviewable proposal; illegal
 * transitions refused; overrides voiding an approval and changing the hash; pins surviving a re-solve.
 */
import { eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import {
  createOpportunity,
  createRep,
  createRunsWorld,
  type RunsWorld,
  runRow,
  seedBook,
  solveAndDrain,
} from './run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

async function create(body: Record<string, unknown>) {
  const res = await w.call('analyst', 'POST', '/runs', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('runs of every kind', () => {
  it('rep departure: every departing account gets one staying owner, with reasons and balance metrics', async () => {
    const run = await create({
      kind: 'rep_departure',
      reason: 'Dana leaves on 31 March',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { departingRepIds: [book.reps.dana.id] },
    });
    expect(run).toMatchObject({ status: 'draft', kind: 'rep_departure', version: 1 });
    const solved = await solveAndDrain(w, run.id);
    expect(solved.status).toBe('solved');
    expect(solved.solver.status).toBe('optimal');
    expect(solved.solver.gap).toBeCloseTo(0, 9);
    expect(solved.job.status).toBe('succeeded');
    expect(solved.proposalHash).toMatch(/^[0-9a-f]{64}$/);
    const accounts = await w.call('manager', 'GET', `/runs/${run.id}/accounts?pageSize=50`);
    expect(accounts.body.total).toBe(6);
    for (const a of accounts.body.data) {
      expect(a.fromRepId).toBe(book.reps.dana.id);
      expect(a.toRepId).not.toBe(book.reps.dana.id);
      expect(a.toRepId).not.toBeNull();
      expect(a.reason).toContain('Dana');
    }
    const summary = await w.call('finance', 'GET', `/runs/${run.id}/summary`);
    expect(summary.status).toBe(200);
    const dana = summary.body.reps.find((r: { repId: string }) => r.repId === book.reps.dana.id);
    expect(dana).toMatchObject({ countBefore: 6, countAfter: 0, accountsOut: 6, departing: true });
    expect(summary.body.moved).toBe(6);
    expect(summary.body.balance.count.spread).toBeLessThanOrEqual(1);
    const one = await w.call('analyst', 'GET', `/runs/${run.id}/accounts/${accounts.body.data[0].accountId}`);
    expect(one.body.explanation.rule).toBe('departure');
    // Sorting and paging: revenue descending, two per page.
    const page = await w.call(
      'analyst',
      'GET',
      `/runs/${run.id}/accounts?sort=revenue&order=desc&pageSize=2&page=2`,
    );
    expect(page.body.data.map((a: { revenueCents: number }) => a.revenueCents)).toEqual([
      40_000_00, 30_000_00,
    ]);
    const tooBig = await w.call('analyst', 'GET', `/runs/${run.id}/accounts?pageSize=100000`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.details[0].path).toBe('pageSize');
  });

  it('realignment of a region moves only that region’s accounts', async () => {
    const run = await create({
      kind: 'realignment',
      reason: 'Rebalance the West',
      params: { regions: ['West'] },
    });
    const solved = await solveAndDrain(w, run.id);
    expect(solved.status).toBe('solved');
    const accounts = await w.call('analyst', 'GET', `/runs/${run.id}/accounts?pageSize=100`);
    const eastIds = new Set(book.others.filter((a) => a.region === 'East').map((a) => a.id));
    for (const a of accounts.body.data) expect(eastIds.has(a.accountId)).toBe(false);
    const summary = await w.call('analyst', 'GET', `/runs/${run.id}/summary`);
    expect(summary.body.balance.count.spread).toBeLessThanOrEqual(summary.body.balance.countBefore.spread);
  });

  it('new hire: the hire receives a starter book, at most maxTakenPerRep from each rep', async () => {
    const hire = await createRep(w.h.db.db, w.orgId, { name: 'Hana (new)', region: 'West' });
    const run = await create({
      kind: 'new_hire',
      reason: 'Hana starts in April',
      params: { hireRepIds: [hire.id], rampTargetBps: 5000, maxTakenPerRep: 1 },
    });
    const solved = await solveAndDrain(w, run.id);
    expect(solved.status, solved.failureReason).toBe('solved');
    const moved = await w.call('analyst', 'GET', `/runs/${run.id}/accounts?moved=true&pageSize=100`);
    expect(moved.body.total).toBeGreaterThan(0);
    const takenFrom = new Map<string, number>();
    for (const a of moved.body.data) {
      expect(a.toRepId).toBe(hire.id);
      takenFrom.set(a.fromRepId, (takenFrom.get(a.fromRepId) ?? 0) + 1);
    }
    for (const n of takenFrom.values()) expect(n).toBeLessThanOrEqual(1);
  });

  it('account-level run: the account and its open opportunities go to the chosen owner', async () => {
    const account = book.others.find((a) => a.ownerRepId === book.reps.ben.id)!;
    const opp = await createOpportunity(w.h.db.db, w.orgId, account.id, { ownerRepId: book.reps.ben.id });
    await w.h.db.db.insert(s.commissionSplits).values([
      {
        orgId: w.orgId,
        opportunityId: opp.id,
        repId: book.reps.house.id,
        role: 'house',
        bps: 4500,
        effectiveFrom: '2026-01-15',
      },
      {
        orgId: w.orgId,
        opportunityId: opp.id,
        repId: book.reps.ben.id,
        role: 'rep',
        bps: 5500,
        effectiveFrom: '2026-01-15',
      },
    ]);
    const run = await create({
      kind: 'account',
      scope: 'open_opportunities',
      reason: 'Customer asked for Ana',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: {
        accountId: account.id,
        newOwnerRepId: book.reps.ana.id,
        commissionType: 'custom',
        customBps: 3500,
      },
    });
    await solveAndDrain(w, run.id);
    const line = await w.call('analyst', 'GET', `/runs/${run.id}/accounts/${account.id}`);
    expect(line.body).toMatchObject({ fromRepId: book.reps.ben.id, toRepId: book.reps.ana.id, moved: true });
    expect(line.body.opportunityChanges).toHaveLength(1);
    // Type C with the new rep at 35%: House adjusts to 65% (seed 003's worked example).
    const after = Object.fromEntries(
      line.body.opportunityChanges[0].afterSplits.map((p: { role: string; bps: number }) => [p.role, p.bps]),
    );
    expect(after).toEqual({ house: 6500, rep: 3500 });
    const all = await w.call('analyst', 'GET', `/runs/${run.id}/accounts`);
    expect(all.body.total).toBe(1);

    // The hash a reviewer sees (it covers the split change too) is the one approval pins and commit checks.
    const open = await w.call('manager', 'GET', `/runs/${run.id}/conflicts`);
    const hashBefore = (await w.call('manager', 'GET', `/runs/${run.id}`)).body.proposalHash;
    for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
      if (c.severity !== 'blocking' || c.resolution) continue;
      const res = await w.call('manager', 'POST', `/runs/${run.id}/conflicts/${c.id}/resolve`, {
        resolution: 'accept',
        note: 'The customer asked for Ana',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const reviewed = await w.call('manager', 'GET', `/runs/${run.id}`);
    const approved = await w.call('manager', 'POST', `/runs/${run.id}/approve`, {
      expectedHash: reviewed.body.proposalHash,
      expectedVersion: reviewed.body.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.run.approvedHash).toBe(reviewed.body.proposalHash);
    expect(reviewed.body.proposalHash).toBe(hashBefore); // accepting a conflict changes no owner and no split
    const committed = await w.call('manager', 'POST', `/runs/${run.id}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.hash).toBe(reviewed.body.proposalHash);
    const [moved] = await w.h.db.db.select().from(s.accounts).where(eq(s.accounts.id, account.id));
    expect(moved!.ownerRepId).toBe(book.reps.ana.id);
  });

  it('opportunity-level run: one opportunity changes owner, its account does not', async () => {
    const account = book.others.find((a) => a.ownerRepId === book.reps.eve.id)!;
    const opp = await createOpportunity(w.h.db.db, w.orgId, account.id, { ownerRepId: book.reps.eve.id });
    const run = await create({
      kind: 'opportunity',
      reason: 'Ben takes the renewal',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { opportunityId: opp.id, newOwnerRepId: book.reps.ben.id },
    });
    const solved = await solveAndDrain(w, run.id);
    expect(solved.status).toBe('solved');
    const line = await w.call('analyst', 'GET', `/runs/${run.id}/accounts/${account.id}`);
    expect(line.body.moved).toBe(false);
    expect(line.body.opportunityChanges).toMatchObject([
      { opportunityId: opp.id, fromRepId: book.reps.eve.id, toRepId: book.reps.ben.id },
    ]);
  });

  it('lists runs with filters, and a run shows its solve job', async () => {
    const list = await w.call('finance', 'GET', '/runs?kind=realignment');
    expect(list.status).toBe(200);
    expect(list.body.data.every((r: { kind: string }) => r.kind === 'realignment')).toBe(true);
    expect(list.body.total).toBeGreaterThan(0);
  });
});

describe('refusals', () => {
  it('validation errors name the field', async () => {
    const bad = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      reason: ' ',
      commissionEndDate: '2026-04-10',
      reassignmentDate: '2026-04-01',
      params: { departingRepIds: [] },
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['reason', 'params.departingRepIds']));
    const dates = await w.call('analyst', 'POST', '/runs', {
      kind: 'realignment',
      reason: 'x',
      commissionEndDate: '2026-04-10',
      reassignmentDate: '2026-04-01',
      params: {},
    });
    expect(dates.status).toBe(400);
    expect(dates.body.details.map((d: { path: string }) => d.path)).toContain('reassignmentDate');
    const unknownRep = await w.call('analyst', 'POST', '/runs', {
      kind: 'rep_departure',
      reason: 'x',
      params: { departingRepIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(unknownRep.status).toBe(400);
    expect(unknownRep.body.details[0].path).toBe('params.departingRepIds.0');
  });

  it('each illegal transition is refused with 409 and changes nothing', async () => {
    const run = await create({ kind: 'realignment', reason: 'x', params: {} });
    const accountId = book.others[0]!.id;
    // A draft has no proposal to change.
    const pinDraft = await w.call('analyst', 'PUT', `/runs/${run.id}/accounts/${accountId}/pin`, {
      repId: book.reps.ana.id,
      note: 'n',
    });
    expect(pinDraft.status).toBe(409);
    expect(pinDraft.body.message).toMatch(/draft/);
    const first = await w.call('analyst', 'POST', `/runs/${run.id}/solve`);
    expect(first.status).toBe(202);
    // Solving already: a second solve and any change are refused.
    expect((await w.call('analyst', 'POST', `/runs/${run.id}/solve`)).status).toBe(409);
    expect(
      (await w.call('analyst', 'PUT', `/runs/${run.id}/accounts/${accountId}/exclusion`, { note: 'n' }))
        .status,
    ).toBe(409);
    await w.runner.drain();
    for (const status of ['committed', 'cancelled', 'rolled_back', 'committing'] as const) {
      await w.h.db.db.update(s.runs).set({ status }).where(eq(s.runs.id, run.id));
      const before = await runRow(w, run.id);
      const solve = await w.call('manager', 'POST', `/runs/${run.id}/solve`);
      expect(solve.status, status).toBe(409);
      expect(solve.body.code).toBe('CONFLICT');
      const pin = await w.call('manager', 'PUT', `/runs/${run.id}/accounts/${accountId}/pin`, {
        repId: book.reps.ana.id,
        note: 'n',
      });
      expect(pin.status, status).toBe(409);
      const after = await runRow(w, run.id);
      expect(after.version).toBe(before.version);
      expect(after.status).toBe(status);
    }
  });

  it('roles: analysts and managers change runs; finance and admins read; reps see only their own accounts', async () => {
    const run = await create({
      kind: 'rep_departure',
      reason: 'x',
      params: { departingRepIds: [book.reps.dana.id] },
    });
    expect((await w.call('finance', 'POST', `/runs/${run.id}/solve`)).status).toBe(403);
    expect((await w.call('rep', 'GET', `/runs/${run.id}`)).status).toBe(403);
    expect((await w.call('admin', 'GET', `/runs/${run.id}`)).status).toBe(200);
    const repView = await w.call('rep', 'GET', `/runs/${run.id}/accounts`);
    expect(repView.status).toBe(200);
    expect(repView.body.total).toBe(0); // an API key of role rep is linked to no rep
  });
});

describe('review changes', () => {
  it('an override pins, bumps the version, changes the hash and voids an approval; the pin survives a re-solve', async () => {
    const run = await create({
      kind: 'rep_departure',
      reason: 'Dana leaves',
      params: { departingRepIds: [book.reps.dana.id] },
    });
    const solved = await solveAndDrain(w, run.id);
    const target = book.danaAccounts[0]!;
    const accounts = await w.call('analyst', 'GET', `/runs/${run.id}/accounts/${target.id}`);
    const other = [book.reps.ana.id, book.reps.ben.id, book.reps.eve.id].find(
      (r) => r !== accounts.body.toRepId,
    )!;
    // Approve through the database (the approval verb is another module's); the change must void it.
    await w.h.db.db
      .update(s.runs)
      .set({ status: 'approved', approvedHash: solved.proposalHash, approvedAt: new Date() })
      .where(eq(s.runs.id, run.id));
    const pinned = await w.call('analyst', 'PUT', `/runs/${run.id}/accounts/${target.id}/pin`, {
      repId: other,
      note: 'Customer asked for this rep',
    });
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200);
    expect(pinned.body.run.status).toBe('in_review');
    expect(pinned.body.run.approvedHash).toBeNull();
    expect(pinned.body.run.version).toBe(solved.version + 1);
    expect(pinned.body.run.proposalHash).not.toBe(solved.proposalHash);
    expect(pinned.body.assignment).toMatchObject({ toRepId: other, pinned: true });
    const audit = await w.h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, run.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['run.account_pinned', 'run.change']));
    // Re-solve keeps the pin.
    const again = await solveAndDrain(w, run.id);
    expect(again.status).toBe('solved');
    const after = await w.call('analyst', 'GET', `/runs/${run.id}/accounts/${target.id}`);
    expect(after.body).toMatchObject({ toRepId: other, pinned: true });
    // Un-pin and exclude.
    expect((await w.call('analyst', 'DELETE', `/runs/${run.id}/accounts/${target.id}/pin`)).status).toBe(200);
    const excl = await w.call(
      'manager',
      'PUT',
      `/runs/${run.id}/accounts/${book.danaAccounts[1]!.id}/exclusion`,
      {
        note: 'Keep with Dana until she leaves',
      },
    );
    expect(excl.body.assignment).toMatchObject({ excluded: true, toRepId: book.reps.dana.id });
    const noNote = await w.call(
      'manager',
      'PUT',
      `/runs/${run.id}/accounts/${book.danaAccounts[1]!.id}/exclusion`,
      {
        note: '',
      },
    );
    expect(noNote.status).toBe(400);
  });

  it('compares two runs side by side', async () => {
    const a = await create({
      kind: 'rep_departure',
      reason: 'a',
      params: { departingRepIds: [book.reps.dana.id] },
    });
    const b = await create({
      kind: 'rep_departure',
      reason: 'b',
      params: { departingRepIds: [book.reps.dana.id], strategy: 'round-robin' },
    });
    await solveAndDrain(w, a.id);
    await solveAndDrain(w, b.id);
    const cmp = await w.call('analyst', 'GET', `/runs/${a.id}/compare?with=${b.id}`);
    expect(cmp.status).toBe(200);
    expect(cmp.body.left.moved).toBe(6);
    expect(cmp.body.right.moved).toBe(6);
    const dana = cmp.body.reps.find((r: { repId: string }) => r.repId === book.reps.dana.id);
    expect(dana).toMatchObject({ leftCount: 0, rightCount: 0 });
    expect(cmp.body.differingAccounts).toBe(cmp.body.differences.length);
  });

  it('an infeasible run fails with the solver’s reasons', async () => {
    // Every staying rep full: no room for Dana's six accounts.
    await w.h.db.db.update(s.reps).set({ maxAccounts: 1 }).where(ne(s.reps.id, book.reps.dana.id));
    try {
      const run = await create({
        kind: 'rep_departure',
        reason: 'x',
        params: { departingRepIds: [book.reps.dana.id] },
      });
      const failed = await solveAndDrain(w, run.id);
      expect(failed.status).toBe('failed');
      expect(failed.failureReason).toMatch(/slot/);
      expect(failed.solver.status).toBe('infeasible');
    } finally {
      await w.h.db.db.update(s.reps).set({ maxAccounts: null });
    }
  });

  it('a run’s own caps hold on top of each rep’s: too tight is infeasible, a revenue cap binds the answer and the review', async () => {
    // A book of its own, as seeded: Ana (2 accounts), Ben (3) and Eve (2) receive Dana's six; at most 4 each
    // leaves room for 5.
    const fresh = await createRunsWorld();
    const own = await seedBook(fresh);
    const create = async (body: Record<string, unknown>) => {
      const res = await fresh.call('analyst', 'POST', '/runs', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string };
    };
    const book = own;
    try {
      const tight = await create({
        kind: 'rep_departure',
        reason: 'Dana leaves, at most 4 accounts each',
        params: { departingRepIds: [book.reps.dana.id], maxAccountsPerRep: 4 },
      });
      const failed = await solveAndDrain(fresh, tight.id);
      expect(failed.status).toBe('failed');
      expect(failed.solver.status).toBe('infeasible');

      // Dana's accounts are $10k–$60k ($210k), Ana holds $40k and Ben $60k: at most $160k each leaves Ana at $150k
      // or $160k and Ben at the rest, never above.
      const capped = await create({
        kind: 'rep_departure',
        reason: 'Dana leaves, at most $160k each',
        params: {
          departingRepIds: [book.reps.dana.id],
          maxRevenueCentsPerRep: 160_000_00,
          targetMode: 'seniority',
        },
      });
      expect((await solveAndDrain(fresh, capped.id)).status).toBe('solved');
      const summary = await fresh.call('analyst', 'GET', `/runs/${capped.id}/summary`);
      expect(summary.status).toBe(200);
      for (const rep of [book.reps.ana, book.reps.ben]) {
        const line = (
          summary.body.reps as { repId: string; revenueAfterCents: number; maxRevenueCents: number | null }[]
        ).find((r) => r.repId === rep.id)!;
        expect(line.maxRevenueCents).toBe(160_000_00);
        expect(line.revenueAfterCents).toBeLessThanOrEqual(160_000_00);
      }
    } finally {
      await fresh.close();
    }
  });
});
