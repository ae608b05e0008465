import { describe, expect, it } from 'vitest';
import { applyEdits, structureOn } from '../../src/commission/history.ts';
import { invertPlan, type PlannedChange, planEdits, planReassignment } from '../../src/commission/plan.ts';
import type { OpportunityInput, ReassignmentRequest, Segment } from '../../src/commission/types.ts';
import { house, openSplit, opportunity, period, rep, request, sub } from './factories.ts';

function plan(req: ReassignmentRequest, opps: OpportunityInput[], options = {}) {
  const result = planReassignment(req, opps, options);
  if (!result.ok) throw new Error(`${result.refusal.code}: ${result.refusal.message}`);
  return result.value;
}
function refusal(req: ReassignmentRequest, opps: OpportunityInput[], options = {}) {
  const result = planReassignment(req, opps, options);
  if (result.ok) throw new Error('expected a refusal');
  return result.refusal;
}
const single = (opportunityId: string) => ({ level: 'opportunity', opportunityId }) as const;
const bps = (c: PlannedChange, side: 'before' | 'after' | 'gap') =>
  Object.fromEntries((c[side]?.participants ?? []).map((p) => [p.participantId, p.bps]));
const summary = (p: ReturnType<typeof plan>) =>
  p.items.map((i) =>
    i.kind === 'change' ? [i.opportunityId, 'change', i.segment] : [i.opportunityId, i.code],
  );

describe('level 1: one opportunity', () => {
  const opp = opportunity({ opportunityId: 'opp-1' });

  it('ends the open rows on the end date and adds the new split from the next day', () => {
    const p = plan(
      request({
        target: single('opp-1'),
        strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } },
      }),
      [opp],
    );
    const change = p.items[0] as PlannedChange;
    expect(change.kind).toBe('change');
    expect(bps(change, 'before')).toEqual({ house: 4500, rep1: 5500, sub1: 0 });
    expect(bps(change, 'after')).toEqual({ house: 4500, rep2: 5500, sub1: 0 });
    expect(change.gap).toBeNull();
    expect(change.edit.rowsToEnd).toEqual(
      opp.splitRows.map((r) => ({ rowId: r.rowId, effectiveToBefore: null, effectiveToAfter: '2026-01-15' })),
    );
    expect(
      change.edit.rowsToAdd.map((r) => [r.participantId, r.bps, r.effectiveFrom, r.effectiveTo]),
    ).toEqual([
      ['house', 4500, '2026-01-16', null],
      ['rep2', 5500, '2026-01-16', null],
      ['sub1', 0, '2026-01-16', null],
    ]);
    expect(p.firstNewDay).toBe('2026-01-16');
    expect(p.houseGap).toBeNull();
  });

  it('gives the days strictly between the end date and the reassignment date to House, and says so', () => {
    const p = plan(
      request({
        target: single('opp-1'),
        endDate: '2026-01-10',
        reassignmentDate: '2026-01-20',
        strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 3500 } },
      }),
      [opp],
    );
    const change = p.items[0] as PlannedChange;
    expect(bps(change, 'gap')).toEqual({ house: 10000, sub1: 0 });
    expect(bps(change, 'after')).toEqual({ house: 6500, rep2: 3500, sub1: 0 });
    expect(change.edit.rowsToAdd.map((r) => [r.participantId, r.effectiveFrom, r.effectiveTo])).toEqual([
      ['house', '2026-01-11', '2026-01-19'],
      ['sub1', '2026-01-11', '2026-01-19'],
      ['house', '2026-01-20', null],
      ['rep2', '2026-01-20', null],
      ['sub1', '2026-01-20', null],
    ]);
    expect(p.houseGap).toEqual({ from: '2026-01-11', to: '2026-01-19', days: 9 });
    expect(p.statements.join(' ')).toContain(
      "From 2026-01-11 to 2026-01-19 (9 days, strictly between the end date and the reassignment date) rep1's share goes to House",
    );
  });

  it('a reassignment the day after the end date leaves no gap', () => {
    const p = plan(
      request({
        target: single('opp-1'),
        endDate: '2026-01-10',
        reassignmentDate: '2026-01-11',
        strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } },
      }),
      [opp],
    );
    expect(p.houseGap).toBeNull();
    expect((p.items[0] as PlannedChange).edit.rowsToAdd.every((r) => r.effectiveFrom === '2026-01-11')).toBe(
      true,
    );
  });

  it('type A with a gap needs one set of rows (gap and new split are the same)', () => {
    const p = plan(
      request({ target: single('opp-1'), endDate: '2026-01-10', reassignmentDate: '2026-01-20' }),
      [opp],
    );
    const change = p.items[0] as PlannedChange;
    expect(change.gap).toBeNull();
    expect(change.edit.rowsToAdd.map((r) => [r.participantId, r.effectiveFrom, r.effectiveTo])).toEqual([
      ['house', '2026-01-11', null],
      ['sub1', '2026-01-11', null],
    ]);
  });

  it('is a no-op with a reason when the rep is not in the split', () => {
    const other = opportunity({ opportunityId: 'opp-2', splitRows: openSplit('opp-2', [house(10000)]) });
    const p = plan(request({ target: single('opp-2') }), [other]);
    expect(p.items).toEqual([
      {
        kind: 'skip',
        opportunityId: 'opp-2',
        accountId: 'acc-1',
        code: 'DEPARTING_NOT_IN_SPLIT',
        reason: '"rep1" is not in this split, so nothing changes.',
      },
    ]);
    expect(p.counts).toEqual({ opportunities: 1, changed: 0, skipped: 1, accountsChanged: 0 });
  });

  it('changes a protected stage when asked explicitly, with a note', () => {
    const billing = opportunity({ opportunityId: 'opp-3', stage: 'billing' });
    const change = plan(request({ target: single('opp-3'), scope: 'active' }), [billing])
      .items[0] as PlannedChange;
    expect(change.kind).toBe('change');
    expect(change.notes[0]).toContain('protected');
  });

  it('notes reconciled periods after the end date instead of skipping', () => {
    const rec = opportunity({
      opportunityId: 'opp-4',
      schedule: [period('feb', '2026-02-01', '2026-02-28', 100, 'reconciled')],
    });
    const change = plan(request({ target: single('opp-4') }), [rec]).items[0] as PlannedChange;
    expect(change.notes.join(' ')).toContain('1 reconciled period(s)');
  });
});

describe('refusals', () => {
  const opp = opportunity({ opportunityId: 'opp-1', createdOn: '2025-06-01' });
  const cases: [string, Partial<ReassignmentRequest>, string, string][] = [
    ['no reason', { reason: '' }, 'REASON_REQUIRED', 'reason'],
    ['a blank reason', { reason: '   ' }, 'REASON_REQUIRED', 'reason'],
    ['no departing rep', { departingRepId: '' }, 'DEPARTING_REP_REQUIRED', 'departingRepId'],
    [
      'a reassignment date before the end date',
      { endDate: '2026-01-15', reassignmentDate: '2026-01-14' },
      'REASSIGNMENT_BEFORE_END_DATE',
      'reassignmentDate',
    ],
    ['an impossible end date', { endDate: '2026-02-30' }, 'INVALID_DATE', 'endDate'],
    [
      'a custom share of 0',
      { strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 0 } } },
      'CUSTOM_BPS_OUT_OF_RANGE',
      'strategy.action.newRepBps',
    ],
    [
      'a custom share above 10000',
      { strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 10001 } } },
      'CUSTOM_BPS_OUT_OF_RANGE',
      'strategy.action.newRepBps',
    ],
    [
      'the departing rep as receiver',
      { strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep1' } } },
      'NEW_REP_IS_DEPARTING_REP',
      'strategy.action.newRepId',
    ],
    [
      'House as receiver',
      { strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'house' } } },
      'NEW_REP_ROLE_CONFLICT',
      'strategy.action.newRepId',
    ],
    ['an unknown opportunity', { target: single('nope') }, 'OPPORTUNITY_NOT_FOUND', 'target.opportunityId'],
    [
      'an end date before creation',
      { target: single('opp-1'), endDate: '2025-05-31', reassignmentDate: '2025-06-01' },
      'END_DATE_BEFORE_CREATION',
      'opportunities.opp-1',
    ],
  ];
  it.each(cases)('refuses %s', (_, overrides, code, path) => {
    const r = refusal(request({ target: single('opp-1'), ...overrides }), [opp]);
    expect(r.code).toBe(code);
    expect(r.path).toBe(path);
    expect(r.message.length).toBeGreaterThan(20);
  });

  it('refuses type C when House would go below 0 on the opportunity', () => {
    const tight = opportunity({
      opportunityId: 'opp-t',
      splitRows: openSplit('opp-t', [house(500), rep('rep1', 3000), sub('s1', 6500)]),
    });
    const r = refusal(
      request({
        target: single('opp-t'),
        strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 3501 } },
      }),
      [tight],
    );
    expect(r.code).toBe('HOUSE_WOULD_GO_NEGATIVE');
    expect(r.message).toContain('35%');
  });

  it('refuses the same opportunity given twice', () => {
    const r = refusal(request(), [opp, opp]);
    expect(r).toMatchObject({ code: 'DUPLICATE_OPPORTUNITY', path: 'opportunities.1.opportunityId' });
  });

  it('refuses a closed opportunity', () => {
    const r = refusal(request({ target: single('c') }), [
      opportunity({ opportunityId: 'c', isClosed: true }),
    ]);
    expect(r).toMatchObject({ code: 'OPPORTUNITY_CLOSED', path: 'opportunities.c' });
  });

  it('refuses a split that does not total 10000', () => {
    const bad = opportunity({
      opportunityId: 'b',
      splitRows: openSplit('b', [house(4000), rep('rep1', 5500)]),
    });
    const r = refusal(request({ target: single('b') }), [bad]);
    expect(r.code).toBe('SPLIT_TOTAL_NOT_10000');
    expect(r.message).toContain('9500');
  });

  it('refuses when the split already changes after the end date', () => {
    const rows = [
      ...openSplit('h', [house(4500), rep('rep1', 5500)], '2025-01-01').map((r) => ({
        ...r,
        effectiveTo: '2026-03-31',
      })),
      ...openSplit('h', [house(5000), rep('rep1', 5000)], '2026-04-01').map((r) => ({
        ...r,
        rowId: `${r.rowId}-2`,
      })),
    ];
    const r = refusal(request({ target: single('h') }), [
      opportunity({ opportunityId: 'h', splitRows: rows }),
    ]);
    expect(r.code).toBe('HISTORY_CHANGES_AFTER_END_DATE');
    expect(r.message).toContain('2026-03-31');
  });

  it('refuses an empty or duplicate segment name and an empty deal-size range', () => {
    const seg = (name: string, min?: number, max?: number): Segment => ({
      name,
      match: { dealSize: { minCents: min, maxCents: max } },
      action: { type: 'A' },
    });
    const req = (segments: Segment[]) =>
      request({ strategy: { kind: 'segmented', segments, defaultAction: null } });
    expect(refusal(req([seg(' ')]), []).code).toBe('INVALID_SEGMENT');
    expect(refusal(req([seg('a'), seg('A')]), []).path).toBe('strategy.segments.1.name');
    expect(refusal(req([seg('a', 500, 500)]), []).path).toBe('strategy.segments.0.match.dealSize');
  });
});

describe('level 2: one account', () => {
  const opps = [
    opportunity({ opportunityId: 'a1', accountId: 'acc-1' }),
    opportunity({
      opportunityId: 'a2',
      accountId: 'acc-1',
      splitRows: openSplit('a2', [house(2000), rep('rep1', 3000), rep('rep3', 5000)]),
    }),
    opportunity({ opportunityId: 'a3', accountId: 'acc-1', isClosed: true }),
    opportunity({ opportunityId: 'b1', accountId: 'acc-2' }),
  ];
  it('uniform: every opportunity of the account, closed ones skipped with the reason', () => {
    const p = plan(
      request({
        target: { level: 'account', accountId: 'acc-1' },
        strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep3' } },
      }),
      opps,
    );
    expect(summary(p)).toEqual([
      ['a1', 'change', null],
      ['a2', 'change', null],
      ['a3', 'OPPORTUNITY_CLOSED'],
    ]);
    expect(bps(p.items[1] as PlannedChange, 'after')).toEqual({ house: 2000, rep3: 8000 });
    expect(p.counts).toEqual({ opportunities: 3, changed: 2, skipped: 1, accountsChanged: 1 });
  });
  it('per opportunity: each its own type; one without a choice is skipped, not dropped', () => {
    const p = plan(
      request({
        target: { level: 'account', accountId: 'acc-1' },
        strategy: { kind: 'per-opportunity', actions: { a1: { type: 'A' }, a3: { type: 'A' } } },
      }),
      opps,
    );
    expect(summary(p)).toEqual([
      ['a1', 'change', null],
      ['a2', 'NO_ACTION_CHOSEN'],
      ['a3', 'OPPORTUNITY_CLOSED'],
    ]);
  });
  it('a refusal on one opportunity of a cascade is a skip with its reason', () => {
    const p = plan(
      request({
        target: { level: 'account', accountId: 'acc-1' },
        strategy: { kind: 'uniform', action: { type: 'C', newRepId: 'rep2', newRepBps: 7000 } },
      }),
      opps,
    );
    expect(summary(p)).toEqual([
      ['a1', 'change', null],
      ['a2', 'HOUSE_WOULD_GO_NEGATIVE'],
      ['a3', 'OPPORTUNITY_CLOSED'],
    ]);
  });
});

describe('level 3: the rep book, segmented', () => {
  const opps = [
    opportunity({ opportunityId: 'ent', accountType: 'Enterprise', amountCents: 50_000_000 }),
    opportunity({ opportunityId: 'smb-emea', accountType: 'SMB', geography: 'EMEA', amountCents: 100_000 }),
    opportunity({ opportunityId: 'smb-na', accountType: 'smb', geography: 'NA', amountCents: 100_000 }),
    opportunity({
      opportunityId: 'mid',
      accountType: 'Mid',
      geography: 'NA',
      amountCents: 2_000_000,
      stage: 'Proposal',
    }),
    opportunity({ opportunityId: 'billing', accountType: 'Mid', stage: 'Billing' }),
    opportunity({ opportunityId: 'closed', isClosed: true }),
    opportunity({
      opportunityId: 'reconciled',
      schedule: [period('p', '2026-01-01', '2026-01-31', 100, 'reconciled')],
    }),
    opportunity({
      opportunityId: 'not-mine',
      splitRows: openSplit('not-mine', [house(5000), rep('rep9', 5000)]),
    }),
  ];
  const segments: Segment[] = [
    {
      name: 'Big deals',
      match: { dealSize: { minCents: 10_000_000 } },
      action: { type: 'C', newRepId: 'senior', newRepBps: 4000 },
    },
    { name: 'SMB Europe', match: { accountTypes: ['SMB'], geographies: ['EMEA'] }, action: { type: 'A' } },
    { name: 'SMB', match: { accountTypes: ['SMB'] }, action: { type: 'B', newRepId: 'junior' } },
    {
      name: 'Proposals',
      match: { stages: ['Proposal'], dealSize: { minCents: 1_000_000, maxCents: 10_000_000 } },
      action: { type: 'B', newRepId: 'mid' },
    },
  ];

  it('first matching segment wins; closed, protected and reconciled are skipped with reasons; others not selected', () => {
    const p = plan(
      request({ scope: 'active', strategy: { kind: 'segmented', segments, defaultAction: null } }),
      opps,
    );
    expect(summary(p)).toEqual([
      ['ent', 'change', 'Big deals'],
      ['smb-emea', 'change', 'SMB Europe'],
      ['smb-na', 'change', 'SMB'],
      ['mid', 'change', 'Proposals'],
      ['billing', 'PROTECTED_STAGE'],
      ['closed', 'OPPORTUNITY_CLOSED'],
      ['reconciled', 'RECONCILED_PERIOD'],
    ]);
    const byId = Object.fromEntries(p.items.map((i) => [i.opportunityId, i]));
    expect(bps(byId.ent as PlannedChange, 'after')).toEqual({ house: 6000, senior: 4000, sub1: 0 });
    expect(bps(byId['smb-na'] as PlannedChange, 'after')).toEqual({ house: 4500, junior: 5500, sub1: 0 });
  });
  it('the default catches what no segment matches; without one it is a skip with a reason', () => {
    const only = [opportunity({ opportunityId: 'x', accountType: 'Partner' })];
    const withDefault = plan(
      request({ strategy: { kind: 'segmented', segments, defaultAction: { type: 'A' } } }),
      only,
    );
    expect(summary(withDefault)).toEqual([['x', 'change', 'default']]);
    const without = plan(request({ strategy: { kind: 'segmented', segments, defaultAction: null } }), only);
    expect(summary(without)).toEqual([['x', 'NO_ACTION_CHOSEN']]);
  });
  it('complete scope includes protected stages where permitted', () => {
    const p = plan(request({ scope: 'complete' }), opps);
    expect(p.items.find((i) => i.opportunityId === 'billing')?.kind).toBe('change');
    const strict = plan(request({ scope: 'complete' }), opps, { policy: { historicalPermitted: false } });
    expect(strict.items.find((i) => i.opportunityId === 'billing')).toMatchObject({
      code: 'PROTECTED_STAGE',
    });
  });
  it('the protected-stage list is configurable', () => {
    const p = plan(request({ scope: 'active' }), opps, { policy: { protectedStages: ['Proposal'] } });
    expect(p.items.find((i) => i.opportunityId === 'mid')).toMatchObject({ code: 'PROTECTED_STAGE' });
    expect(p.items.find((i) => i.opportunityId === 'billing')?.kind).toBe('change');
  });
  it('ownership-only scope changes no commission and reports every opportunity', () => {
    const p = plan(request({ scope: 'ownership' }), opps);
    expect(p.counts.changed).toBe(0);
    expect(p.items.filter((i) => i.kind === 'skip' && i.code === 'SCOPE_OWNERSHIP_ONLY')).toHaveLength(6);
    expect(p.items.find((i) => i.opportunityId === 'closed')).toMatchObject({ code: 'OPPORTUNITY_CLOSED' });
  });
});

describe('rollback', () => {
  it('the inverse of a plan restores the exact previous rows', () => {
    const opps = [
      opportunity({ opportunityId: 'o1' }),
      opportunity({ opportunityId: 'o2', accountId: 'acc-2' }),
    ];
    const rows = opps.flatMap((o) => o.splitRows);
    const p = plan(
      request({
        endDate: '2026-01-10',
        reassignmentDate: '2026-01-20',
        strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } },
      }),
      opps,
    );
    const applied = applyEdits(rows, planEdits(p));
    if (!applied.ok) throw new Error(applied.refusal.message);
    expect(structureOn(applied.value, '2026-01-25')?.participants.map((x) => x.participantId)).toEqual([
      'house',
      'house',
      'rep2',
      'rep2',
      'sub1',
      'sub1',
    ]);
    const back = applyEdits(applied.value, invertPlan(p).edits);
    expect(back.ok && back.value).toEqual(rows);
  });
  it('refuses to roll back a row that changed since, instead of overwriting it', () => {
    const opp = opportunity({ opportunityId: 'o1' });
    const p = plan(request({ target: single('o1') }), [opp]);
    const applied = applyEdits(opp.splitRows, planEdits(p));
    if (!applied.ok) throw new Error(applied.refusal.message);
    const edited = applied.value.map((r) =>
      r.effectiveTo === null && r.participantId === 'house' ? { ...r, bps: 1 } : r,
    );
    const back = applyEdits(edited, invertPlan(p).edits);
    expect(!back.ok && back.refusal.code).toBe('HISTORY_STALE');
  });
  it('refuses to apply the same plan twice', () => {
    const opp = opportunity({ opportunityId: 'o1' });
    const p = plan(request({ target: single('o1') }), [opp]);
    const once = applyEdits(opp.splitRows, planEdits(p));
    const twice = once.ok ? applyEdits(once.value, planEdits(p)) : once;
    expect(!twice.ok && twice.refusal.code).toBe('HISTORY_STALE');
  });
});

it('does not mutate its inputs', () => {
  const opps = [
    opportunity({ opportunityId: 'o1', schedule: [period('p', '2026-01-01', '2026-01-31', 100)] }),
  ];
  const req = request({ strategy: { kind: 'uniform', action: { type: 'B', newRepId: 'rep2' } } });
  const snapshot = structuredClone({ opps, req });
  plan(req, opps);
  expect({ opps, req }).toEqual(snapshot);
});
