import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChangeSetContent,
  changeSetProblems,
  hashChangeSet,
  proposalHash,
} from '../../src/workflow/change-set.ts';

const ownership = fc.uniqueArray(
  fc.record({
    accountId: fc.uuid(),
    accountCrmId: fc.string({ minLength: 1, maxLength: 18 }),
    fromRepId: fc.option(fc.constantFrom('r1', 'r2', 'r3'), { nil: null }),
    toRepId: fc.constantFrom('r4', 'r5'),
  }),
  { selector: (c) => c.accountId, maxLength: 30 },
);

const content = fc.record({
  runId: fc.uuid(),
  ownership,
  splits: fc.constant([]),
}) as fc.Arbitrary<ChangeSetContent>;

describe('change set hash', () => {
  it('does not depend on the order of changes or of keys', () => {
    fc.assert(
      fc.property(content, (cs) => {
        const shuffled: ChangeSetContent = {
          splits: [],
          ownership: [...cs.ownership].reverse().map((c) => ({
            toRepId: c.toRepId,
            fromRepId: c.fromRepId,
            accountCrmId: c.accountCrmId,
            accountId: c.accountId,
          })),
          runId: cs.runId,
        };
        expect(hashChangeSet(shuffled)).toBe(hashChangeSet(cs));
      }),
    );
  });

  it('changes when any one owner changes', () => {
    fc.assert(
      fc.property(
        content.filter((cs) => cs.ownership.length > 0),
        fc.nat(),
        (cs, pick) => {
          const i = pick % cs.ownership.length;
          const changed = structuredClone(cs);
          changed.ownership[i]!.toRepId = changed.ownership[i]!.toRepId === 'r4' ? 'r5' : 'r4';
          expect(hashChangeSet(changed)).not.toBe(hashChangeSet(cs));
        },
      ),
    );
  });
});

describe('change set problems', () => {
  it('reports an account listed twice and a split that does not total 100%', () => {
    const problems = changeSetProblems({
      runId: 'run',
      ownership: [
        { accountId: 'a', accountCrmId: 'ACME', fromRepId: 'r1', toRepId: 'r2' },
        { accountId: 'a', accountCrmId: 'ACME', fromRepId: 'r1', toRepId: 'r3' },
      ],
      splits: [
        {
          opportunityId: 'o',
          before: { h: 4500, r: 5500 },
          after: { h: 4500, r: 5400 },
          effectiveDate: '2026-01-01',
        },
      ],
    });
    expect(problems).toEqual([
      'Account ACME appears more than once.',
      'Opportunity o: the after split totals 99% instead of 100%.',
    ]);
  });
});

describe('proposalHash', () => {
  const ids = fc.uniqueArray(fc.uuid(), { maxLength: 5 });
  it('is the change-set hash when nothing is unassigned or undecided', () => {
    fc.assert(
      fc.property(content, (c) => {
        expect(proposalHash({ ...c, unassignedAccountIds: [], undecidedOpportunityIds: [] })).toBe(
          hashChangeSet(c),
        );
      }),
    );
  });
  it('ignores the order of the unassigned and undecided ids, and tells them apart', () => {
    fc.assert(
      fc.property(
        content,
        ids.filter((a) => a.length > 0),
        ids,
        (c, unassigned, undecided) => {
          const a = proposalHash({
            ...c,
            unassignedAccountIds: unassigned,
            undecidedOpportunityIds: undecided,
          });
          const b = proposalHash({
            ...c,
            unassignedAccountIds: [...unassigned].reverse(),
            undecidedOpportunityIds: [...undecided].reverse(),
          });
          expect(a).toBe(b);
          expect(a).not.toBe(hashChangeSet(c));
          expect(a).not.toBe(
            proposalHash({ ...c, unassignedAccountIds: [], undecidedOpportunityIds: unassigned }),
          );
        },
      ),
    );
  });
});
