/**
 * Generated books as the planning services read them (roster, accounts with owners, protections from every
 * source, opportunities closing soon) and a run of each balancing kind on them, for the property tests of
 * issue 13. Rep and account ids are short strings; regions are the demo's names.
 */
import fc from 'fast-check';
import type { Book, BookAccount, BookRep } from '../../../src/services/book/load-book.ts';
import type { RunParams } from '../../../src/services/run-records/run-params.ts';

export const AS_OF = '2026-03-02';
const REGIONS = ['West', 'East', 'Central'] as const;

export interface GeneratedRun {
  book: Book;
  params: RunParams;
  /** Accounts a person excluded from the run. */
  excluded: Set<string>;
  /** A ruleset keep-with-owner list (CRM ids). */
  keepWithOwner: string[];
}

const repArb = fc.record({
  region: fc.integer({ min: 0, max: 2 }),
  maxAccounts: fc.option(fc.integer({ min: 1, max: 12 }), { freq: 3 }),
  maxRevenue: fc.option(
    fc.integer({ min: 1, max: 60 }).map((m) => m * 1_000_000_00),
    { freq: 3 },
  ),
  inactive: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  mayReceive: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  endsSoon: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  seniority: fc.integer({ min: 1, max: 5 }),
});

const accountArb = fc.record({
  owner: fc.integer({ min: -1, max: 7 }),
  region: fc.integer({ min: 0, max: 2 }),
  revenue: fc.integer({ min: 0, max: 20 }).map((m) => m * 1_000_000_00 + 12_345),
  importProtected: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  onKeepList: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  house: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
  coOwned: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
  closingSoon: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  excluded: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  /** In a run narrowed to selected accounts (params.accountIds), whether this one is left out of the selection. */
  unselected: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
});

export const generatedRun = (kinds: ('rep_departure' | 'realignment' | 'new_hire')[]) =>
  fc
    .record({
      kind: fc.constantFrom(...kinds),
      reps: fc.array(repArb, { minLength: 3, maxLength: 8 }),
      accounts: fc.array(accountArb, { minLength: 2, maxLength: 18 }),
      pick: fc.nat(),
      regionPick: fc.integer({ min: 0, max: 2 }),
      ramp: fc.constantFrom(2500, 5000, 10_000),
    })
    .map((g): GeneratedRun => {
      const reps: BookRep[] = g.reps.map((r, i) => ({
        id: `R${i}`,
        crmUserId: `U${i}`,
        name: `Rep ${i}`,
        email: `rep${i}@example.test`,
        kind: 'person',
        region: REGIONS[r.region]!,
        segment: null,
        active: !r.inactive,
        mayReceive: r.mayReceive,
        maxAccounts: r.maxAccounts,
        maxRevenueCents: r.maxRevenue,
        seniority: r.seniority,
        weightBps: 10_000,
        endDate: r.endsSoon ? '2026-03-01' : null,
        rampTargetBps: null,
      }));
      reps.push({
        ...reps[0]!,
        id: 'HOUSE',
        crmUserId: 'HOUSE',
        name: 'House',
        kind: 'house',
        mayReceive: false,
        maxAccounts: null,
        maxRevenueCents: null,
        endDate: null,
        active: true,
      });
      const accounts: BookAccount[] = g.accounts.map((a, i) => {
        const owner = a.house ? 'HOUSE' : a.owner >= 0 && a.owner < g.reps.length ? `R${a.owner}` : null;
        return {
          id: `A${i}`,
          crmId: `C${i}`,
          name: `Account ${i}`,
          plannedOwnerId: owner,
          currentOwnerId: owner,
          revenueCents: a.revenue,
          region: REGIONS[a.region]!,
          segment: null,
          tier: null,
          type: null,
          industry: null,
          isHouse: a.house,
          isCoOwned: a.coOwned,
          keepWithOwner: a.importProtected,
        };
      });
      const opportunities = g.accounts.flatMap((a, i) =>
        a.closingSoon
          ? [
              {
                id: `O${i}`,
                crmId: `OC${i}`,
                accountId: `A${i}`,
                name: `Deal ${i}`,
                ownerRepId: accounts[i]!.plannedOwnerId,
                stage: 'Negotiation',
                isBillingStage: false,
                status: 'open' as const,
                amountCents: 1_000_00,
                closeDate: '2026-03-10',
                createdDate: '2025-12-01',
                splits: [],
                reconciledThrough: null,
              },
            ]
          : [],
      );
      const people = reps.filter((r) => r.kind === 'person');
      // The rep a departure or new hire names: a departure's usually has a book (the first account's owner).
      const firstOwner = people.find((r) => r.id === accounts[0]!.plannedOwnerId);
      const chosen =
        g.kind === 'rep_departure' && firstOwner && g.pick % 4 !== 0
          ? firstOwner
          : people[g.pick % people.length]!;
      const params: RunParams =
        g.kind === 'rep_departure'
          ? { kind: 'rep_departure', departingRepIds: [chosen.id] }
          : g.kind === 'realignment'
            ? { kind: 'realignment', regions: [REGIONS[g.regionPick]!] }
            : { kind: 'new_hire', hireRepIds: [chosen.id], rampTargetBps: g.ramp };
      if (params.kind === 'new_hire') {
        // A hire is new: no book of its own yet, receives, stays.
        chosen.mayReceive = true;
        chosen.active = true;
        chosen.endDate = null;
        for (const a of accounts)
          if (a.plannedOwnerId === chosen.id) a.plannedOwnerId = a.currentOwnerId = null;
      }
      // Every third departure or realignment is narrowed to selected accounts (a departure's: the leaver's).
      if (params.kind !== 'new_hire' && g.pick % 3 === 1) {
        const selectable = accounts.filter(
          (a, i) =>
            !g.accounts[i]!.unselected &&
            (params.kind === 'realignment' || a.plannedOwnerId === params.departingRepIds[0]),
        );
        if (selectable.length > 0) params.accountIds = selectable.map((a) => a.id);
      }
      const excluded = new Set(accounts.filter((_, i) => g.accounts[i]!.excluded).map((a) => a.id));
      const keepWithOwner = accounts.filter((_, i) => g.accounts[i]!.onKeepList).map((a) => a.crmId);
      return { book: { reps, accounts, opportunities }, params, excluded, keepWithOwner };
    });
