import { describe, expect, it } from 'vitest';
import {
  type ConflictAccount,
  type ConflictInput,
  type ConflictRep,
  detectConflicts,
  openBlocking,
} from '../../src/workflow/conflicts.ts';

const rep = (id: string, over: Partial<ConflictRep> = {}): ConflictRep => ({
  id,
  name: id.toUpperCase(),
  active: true,
  mayReceive: true,
  departing: false,
  endDate: null,
  maxAccounts: null,
  maxRevenueCents: null,
  ...over,
});
const account = (id: string, owner: string | null, over: Partial<ConflictAccount> = {}): ConflictAccount => ({
  id,
  name: `Acct ${id}`,
  plannedOwnerId: owner,
  currentOwnerId: owner,
  revenueCents: 100_000_00,
  isHouse: false,
  isCoOwned: false,
  isProtected: false,
  ...over,
});

const base = (over: Partial<ConflictInput> = {}): ConflictInput => ({
  accounts: [account('a1', 'dan'), account('a2', 'dan'), account('a3', 'ria')],
  reps: [rep('dan', { departing: true, mayReceive: false }), rep('ria'), rep('sam')],
  opportunities: [],
  proposal: [
    { accountId: 'a1', fromRepId: 'dan', toRepId: 'ria' },
    { accountId: 'a2', fromRepId: 'dan', toRepId: 'sam' },
  ],
  scope: 'open_opportunities',
  asOfDate: '2026-11-23',
  closingWithinDays: 30,
  commissionEndDate: '2026-11-30',
  reassignmentDate: '2026-12-01',
  ...over,
});

const kinds = (input: ConflictInput) => detectConflicts(input).map((c) => c.kind);

describe('conflicts', () => {
  it('finds none in a clean departure', () => {
    expect(detectConflicts(base())).toEqual([]);
  });

  it('flags an unassigned account as blocking', () => {
    const conflicts = detectConflicts(
      base({ proposal: [{ accountId: 'a1', fromRepId: 'dan', toRepId: null }] }),
    );
    expect(conflicts).toMatchObject([{ kind: 'unassigned', severity: 'blocking', accountId: 'a1' }]);
    expect(conflicts[0]!.message).toMatch(/no eligible receiver/);
  });

  it('flags a deal closing within N days on a moving account, and not one further out or already past', () => {
    const opportunities = [
      {
        id: 'o1',
        name: 'Renewal',
        accountId: 'a1',
        status: 'open' as const,
        closeDate: '2026-12-20',
        createdDate: '2026-01-01',
        splitTotalBps: 10_000,
      },
      {
        id: 'o2',
        name: 'Expansion',
        accountId: 'a2',
        status: 'open' as const,
        closeDate: '2027-03-01',
        createdDate: '2026-01-01',
        splitTotalBps: 10_000,
      },
      {
        id: 'o3',
        name: 'Old',
        accountId: 'a2',
        status: 'open' as const,
        closeDate: '2026-11-01',
        createdDate: '2026-01-01',
        splitTotalBps: 10_000,
      },
    ];
    const conflicts = detectConflicts(base({ opportunities }));
    expect(conflicts.map((c) => [c.kind, c.opportunityId])).toEqual([['deal_closing_soon', 'o1']]);
    expect(conflicts[0]!.message).toMatch(/closes on 2026-12-20, within 30 days/);
  });

  it('flags caps broken by the proposal, counting what each rep already owns, with the excess', () => {
    const reps = [
      rep('dan', { departing: true }),
      rep('ria', { maxAccounts: 1, maxRevenueCents: 150_000_00 }),
      rep('sam'),
    ];
    const conflicts = detectConflicts(
      base({ reps, proposal: [{ accountId: 'a1', fromRepId: 'dan', toRepId: 'ria' }] }),
    );
    expect(conflicts.map((c) => c.kind)).toEqual(['over_count_cap', 'over_revenue_cap']);
    expect(conflicts[0]!.message).toBe('RIA would own 2 accounts, over the cap of 1 by 1.');
    expect(conflicts[1]!.message).toBe(
      'RIA would own $200,000 of revenue, over the cap of $150,000 by $50,000.',
    );
  });

  it('flags protected, house and co-owned accounts that would move', () => {
    const accounts = [
      account('a1', 'dan', { isProtected: true }),
      account('a2', 'dan', { isHouse: true, isCoOwned: true }),
      account('a3', 'ria'),
    ];
    expect(kinds(base({ accounts }))).toEqual(['protected_touched', 'house_account', 'co_owned_account']);
  });

  it('flags a stale owner: the CRM owner changed since the import the run was planned on', () => {
    const accounts = [
      account('a1', 'dan', { currentOwnerId: 'sam' }),
      account('a2', 'dan'),
      account('a3', 'ria'),
    ];
    const conflicts = detectConflicts(base({ accounts }));
    expect(conflicts).toMatchObject([{ kind: 'stale_owner', accountId: 'a1' }]);
    expect(conflicts[0]!.message).toMatch(/owned by DAN when the run was planned and is now owned by SAM/);
  });

  it('flags receivers who are departing, inactive, not allowed, or not in the roster', () => {
    const reps = [
      rep('dan', { departing: true }),
      rep('ria', { endDate: '2026-12-01' }),
      rep('sam', { mayReceive: false }),
    ];
    expect(kinds(base({ reps }))).toEqual(['receiver_departing', 'receiver_ineligible']);
    expect(kinds(base({ proposal: [{ accountId: 'a1', fromRepId: 'dan', toRepId: 'ghost' }] }))).toEqual([
      'receiver_ineligible',
    ]);
  });

  it('warns about owners not in the roster or inactive, without blocking', () => {
    const accounts = [account('a1', 'ghost'), account('a2', 'old'), account('a3', 'ria')];
    const reps = [rep('old', { active: false }), rep('ria'), rep('sam')];
    const conflicts = detectConflicts(
      base({
        accounts,
        reps,
        proposal: [
          { accountId: 'a1', fromRepId: 'ghost', toRepId: 'ria' },
          { accountId: 'a2', fromRepId: 'old', toRepId: 'sam' },
        ],
      }),
    );
    expect(conflicts.map((c) => [c.kind, c.severity])).toEqual([
      ['owner_not_in_roster', 'warning'],
      ['owner_inactive', 'warning'],
    ]);
    expect(openBlocking(conflicts, [])).toEqual([]);
  });

  it('checks opportunities in scope: closed ones warned, splits not at 100% and date rules blocking', () => {
    const opportunities = [
      {
        id: 'o1',
        name: 'Won deal',
        accountId: 'a1',
        status: 'closed_won' as const,
        closeDate: '2026-01-10',
        createdDate: '2025-10-01',
        splitTotalBps: 10_000,
      },
      {
        id: 'o2',
        name: 'Bad split',
        accountId: 'a1',
        status: 'open' as const,
        closeDate: '2027-06-01',
        createdDate: '2026-01-01',
        splitTotalBps: 9_900,
      },
      {
        id: 'o3',
        name: 'Future deal',
        accountId: 'a2',
        status: 'open' as const,
        closeDate: '2027-06-01',
        createdDate: '2026-12-15',
        splitTotalBps: 10_000,
      },
    ];
    expect(kinds(base({ opportunities }))).toEqual([
      'closed_opportunity_in_scope',
      'split_not_100',
      'date_rule',
    ]);
    expect(kinds(base({ opportunities, scope: 'ownership' }))).toEqual([]);
    expect(kinds(base({ commissionEndDate: '2026-12-05', reassignmentDate: '2026-12-01' }))).toEqual([
      'date_rule',
    ]);
  });

  it('keeps a conflict’s key stable so a resolution survives a re-solve, and unblocks once resolved', () => {
    const input = base({ proposal: [{ accountId: 'a1', fromRepId: 'dan', toRepId: null }] });
    const first = detectConflicts(input);
    const again = detectConflicts(structuredClone(input));
    expect(again.map((c) => c.key)).toEqual(first.map((c) => c.key));
    expect(openBlocking(first, [])).toHaveLength(1);
    expect(openBlocking(first, [{ key: first[0]!.key, resolution: 'exclude' }])).toEqual([]);
  });

  it('blocks an account the run leaves with someone who leaves (excluded, or not among the accounts it moves)', () => {
    const input = base({
      proposal: [{ accountId: 'a1', fromRepId: 'dan', toRepId: 'ria' }],
      excluded: [{ accountId: 'a2', fromRepId: 'dan', toRepId: 'dan' }],
      accounts: [account('a1', 'dan'), account('a2', 'dan'), account('a3', 'ria'), account('a4', 'dan')],
      leftWithLeaver: [{ accountId: 'a4', fromRepId: 'dan', toRepId: 'dan' }],
    });
    const found = detectConflicts(input).filter((c) => c.kind === 'owner_leaving');
    expect(found.map((c) => [c.accountId, c.repId, c.severity])).toEqual([
      ['a2', 'dan', 'blocking'],
      ['a4', 'dan', 'blocking'],
    ]);
    expect(found[1]!.message).toBe(
      'Acct a4 is not among the accounts this run moves but its owner DAN leaves in this run: it would be left with someone who leaves. Give it an owner who stays.',
    );
    // Left with someone who stays, it is nobody's concern.
    expect(kinds(base({ leftWithLeaver: [{ accountId: 'a3', fromRepId: 'ria', toRepId: 'ria' }] }))).toEqual(
      [],
    );
  });
});
