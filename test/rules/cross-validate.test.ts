import { describe, expect, it } from 'vitest';
import { crossValidateRuleset, type RosterRep } from '../../src/rules/cross-validate.ts';
import { validateRuleset } from '../../src/rules/parse-ruleset.ts';
import type { RulesetInput } from '../../src/rules/ruleset-schema.ts';

const rep = (crmId: string, extra: Partial<RosterRep> = {}): RosterRep => ({
  crmId,
  name: `Rep ${crmId}`,
  active: true,
  mayReceive: true,
  departing: false,
  region: 'West',
  segment: null,
  seniority: null,
  rampTargetBps: null,
  maxAccounts: null,
  maxRevenueCents: null,
  ...extra,
});

const ROSTER = [
  rep('r1'),
  rep('r2', { departing: true, mayReceive: false }),
  rep('r3', { active: false, mayReceive: false }),
  rep('r4', { mayReceive: false }),
];

function check(
  input: Partial<RulesetInput>,
  load = new Map<string, { accounts: number; revenueCents: number }>(),
) {
  const parsed = validateRuleset({ schemaVersion: 1, name: 'T', ...input });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return crossValidateRuleset(parsed.ruleset, ROSTER, load, (id) => id === 'A1');
}

describe('crossValidateRuleset', () => {
  it('names unknown, departing and inactive receivers at their path, with what to do', () => {
    const issues = check({
      segments: [
        { id: 's0', name: 'S0', match: {}, receivingReps: ['r1'] },
        { id: 's1', name: 'S1', match: {}, receivingReps: ['r-77', 'r2', 'r3', 'r4'] },
      ],
    });
    expect(issues).toEqual([
      {
        path: 'segments[1].receivingReps[0]',
        severity: 'error',
        message: 'unknown rep "r-77" — add the rep to the roster or remove it',
      },
      expect.objectContaining({
        path: 'segments[1].receivingReps[1]',
        severity: 'error',
        message: expect.stringMatching(/departing/),
      }),
      expect.objectContaining({
        path: 'segments[1].receivingReps[2]',
        severity: 'error',
        message: expect.stringMatching(/inactive/),
      }),
      expect.objectContaining({
        path: 'segments[1].receivingReps[3]',
        severity: 'warning',
        message: expect.stringMatching(/may_receive = no/),
      }),
    ]);
  });

  it('warns when a cap is below the load a rep already holds on accounts that cannot move', () => {
    const issues = check(
      {
        caps: {
          perRep: [{ rep: 'r1', maxAccounts: 10, maxRevenueCents: 100_000 }],
          default: { maxAccounts: 3 },
        },
      },
      new Map([
        ['r1', { accounts: 12, revenueCents: 250_000 }],
        ['r4', { accounts: 4, revenueCents: 0 }],
      ]),
    );
    expect(issues.map((i) => [i.path, i.severity])).toEqual([
      ['caps.perRep[0].maxAccounts', 'warning'],
      ['caps.perRep[0].maxRevenueCents', 'warning'],
      ['caps (roster row of r4).maxAccounts', 'warning'],
    ]);
    expect(issues[1]!.message).toMatch(/\$2,500 that cannot move, above the cap of \$1,000/);
  });

  it('flags caps for unknown reps, keep-with-owner accounts not in the book, and nobody able to receive', () => {
    const issues = check({
      eligibility: { exclude: ['r1'] },
      caps: { perRep: [{ rep: 'ghost', maxAccounts: 1 }] },
      protections: { keepWithOwner: ['A1', 'A2'] },
    });
    expect(issues.map((i) => `${i.severity} ${i.path}`)).toEqual([
      'error eligibility.receivers',
      'error caps.perRep[0].rep',
      'warning protections.keepWithOwner[1]',
    ]);
  });

  it('a ruleset that fits the roster has no issues', () => {
    expect(check({ segments: [{ id: 'all', name: 'All', match: {}, receivingReps: ['r1'] }] })).toEqual([]);
  });
});
