import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { addDays } from '../../src/commission/dates.ts';
import { applyEdits, openRows } from '../../src/commission/history.ts';
import { previewImpact } from '../../src/commission/impact.ts';
import { invertPlan, type PlannedChange, planEdits, planReassignment } from '../../src/commission/plan.ts';
import { reconciliationEntries } from '../../src/commission/reconcile.ts';
import type {
  OpportunityInput,
  ReassignmentRequest,
  SchedulePeriod,
  Segment,
} from '../../src/commission/types.ts';
import { actionArb, structureArb } from './arbitraries.ts';
import { openSplit } from './factories.ts';

const opportunityArb = (i: number): fc.Arbitrary<OpportunityInput> =>
  fc
    .record({
      split: structureArb,
      accountId: fc.constantFrom('acc-1', 'acc-2', 'acc-3'),
      accountType: fc.constantFrom('SMB', 'Enterprise', null),
      geography: fc.constantFrom('EMEA', 'NA', null),
      stage: fc.constantFrom('Prospect', 'Proposal', 'Billing'),
      isClosed: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
      amountCents: fc.integer({ min: 0, max: 10_000_000 }),
      statuses: fc.array(fc.constantFrom('open', 'open', 'paid', 'reconciled' as const), { maxLength: 14 }),
      periodAmount: fc.integer({ min: 0, max: 5_000_000 }),
    })
    .map((o) => {
      const id = `opp-${i}`;
      const schedule: SchedulePeriod[] = o.statuses.map((status, k) => {
        const periodStart = addDays('2025-12-01', k * 30);
        return {
          periodId: `${id}-p${k}`,
          periodStart,
          periodEnd: addDays(periodStart, 29),
          amountCents: o.periodAmount,
          status: status as SchedulePeriod['status'],
        };
      });
      return {
        opportunityId: id,
        accountId: o.accountId,
        accountType: o.accountType,
        geography: o.geography,
        stage: o.stage,
        isClosed: o.isClosed,
        amountCents: o.amountCents,
        createdOn: '2025-12-01',
        splitRows: openSplit(id, o.split, '2025-12-01'),
        schedule,
      };
    });

const oppsArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => opportunityArb(i))));

const segmentArb: fc.Arbitrary<Segment> = fc.record({
  name: fc.uuid(),
  match: fc.record({
    accountTypes: fc.option(fc.subarray(['SMB', 'Enterprise']), { nil: null }),
    stages: fc.option(fc.subarray(['Prospect', 'Proposal', 'Billing']), { nil: null }),
    geographies: fc.option(fc.subarray(['EMEA', 'NA']), { nil: null }),
    dealSize: fc.option(
      fc.record({ minCents: fc.constant(0), maxCents: fc.integer({ min: 1, max: 10_000_000 }) }),
      { nil: null },
    ),
  }),
  action: actionArb.filter((a) => a.type === 'A' || a.newRepId !== 'r0'),
});

const requestArb: fc.Arbitrary<ReassignmentRequest> = fc
  .record({
    departingRepId: fc.constant('r0'),
    target: fc.oneof(
      fc.constant({ level: 'book' as const }),
      fc.constant({ level: 'account' as const, accountId: 'acc-1' }),
    ),
    scope: fc.constantFrom('ownership', 'active', 'complete' as const),
    strategy: fc.record({
      kind: fc.constant('segmented' as const),
      segments: fc.uniqueArray(segmentArb, { maxLength: 4, selector: (s) => s.name }),
      defaultAction: fc.option(
        actionArb.filter((a) => a.type === 'A' || a.newRepId !== 'r0'),
        { nil: null },
      ),
    }),
    endDate: fc.integer({ min: 0, max: 400 }).map((d) => addDays('2025-12-01', d)),
    reassignmentDate: fc.constant(''),
    reason: fc.constant('Rep r0 leaves'),
  })
  .chain((r) =>
    fc.integer({ min: 0, max: 45 }).map((gap) => ({ ...r, reassignmentDate: addDays(r.endDate, gap) })),
  );

test.prop([requestArb, oppsArb])(
  'a cascade reports every selected opportunity once, never mutates its input, and rolls back exactly',
  (req, opps) => {
    const snapshot = structuredClone(opps);
    const result = planReassignment(req, opps);
    if (!result.ok) throw new Error(result.refusal.message);
    const plan = result.value;
    expect(opps).toEqual(snapshot);

    const expected = opps.filter((o) =>
      req.target.level === 'book'
        ? openRows(o.splitRows).some((r) => r.participantId === 'r0')
        : o.accountId === 'acc-1',
    );
    expect(plan.items.map((i) => i.opportunityId)).toEqual(expected.map((o) => o.opportunityId));
    for (const item of plan.items) {
      const opp = opps.find((o) => o.opportunityId === item.opportunityId)!;
      if (item.kind === 'skip') {
        expect(item.reason.length).toBeGreaterThan(10);
        continue;
      }
      // Closed, protected-in-scope and reconciled-after-the-end-date never change in a cascade.
      expect(opp.isClosed).toBe(false);
      expect(req.scope).not.toBe('ownership');
      if (req.scope === 'active') expect(opp.stage).not.toBe('Billing');
      expect(opp.schedule.some((p) => p.status === 'reconciled' && p.periodEnd > req.endDate)).toBe(false);
      expect(item.after.participants.reduce((a, p) => a + p.bps, 0)).toBe(10_000);
      const subs = (c: PlannedChange['before']) => c.participants.filter((p) => p.role === 'subagent');
      expect(subs(item.after)).toEqual(subs(item.before));
    }

    const rows = opps.flatMap((o) => o.splitRows);
    const applied = applyEdits(rows, planEdits(plan));
    if (!applied.ok) throw new Error(applied.refusal.message);
    const back = applyEdits(applied.value, invertPlan(plan).edits);
    expect(back.ok && back.value).toEqual(rows);

    // Every period's adjustments sum to zero; the preview neither creates nor loses a cent.
    const rec = reconciliationEntries(plan, opps);
    expect(rec.problems).toEqual([]);
    const perPeriod = new Map<string, number>();
    for (const e of rec.entries) perPeriod.set(e.periodId, (perPeriod.get(e.periodId) ?? 0) + e.amountCents);
    for (const net of perPeriod.values()) expect(net).toBe(0);
    const preview = previewImpact(plan, opps);
    expect(preview.totals.afterCents).toBe(preview.totals.beforeCents);
    expect(opps).toEqual(snapshot);
  },
);
