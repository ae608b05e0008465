import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeIssues, parseRulesetText, validateRuleset } from '../../src/rules/parse-ruleset.ts';

const example = readFileSync(new URL('../fixtures/import/ruleset-example.yaml', import.meta.url), 'utf8');

describe('parseRulesetText', () => {
  it('reads YAML and fills the documented defaults', () => {
    const result = parseRulesetText(example);
    if (!result.ok) throw new Error(describeIssues(result.issues));
    const r = result.ruleset;
    expect(r.eligibility).toMatchObject({ receivers: 'roster', sameRegion: true, sameSegment: false });
    expect(r.protections).toMatchObject({
      closingWithinDays: 45,
      houseAccounts: true,
      coOwnedAccounts: true,
      closedOpportunities: true,
    });
    expect(r.protections.protectedStages).toContain('Billing');
    expect(r.segments[0]).toMatchObject({ commissionType: 'C', newRepPctBps: 3500, strategy: 'optimal' });
    expect(r.targets).toEqual({
      mode: 'seniority',
      countWeight: 50,
      revenueWeight: 50,
      toleranceBps: 1000,
      unknownRevenue: 'zero',
    });
  });

  it('reads the same ruleset as JSON', () => {
    const yaml = parseRulesetText(example);
    const json = parseRulesetText(JSON.stringify(yaml.ok && yaml.ruleset));
    expect(json).toEqual(yaml);
  });

  it('the minimal ruleset is a name and a version; closing-deal protection defaults to 30 days', () => {
    const result = validateRuleset({ schemaVersion: 1, name: 'Default' });
    expect(result.ok && result.ruleset.protections.closingWithinDays).toBe(30);
  });

  it('reports each problem at a path a person can follow', () => {
    const result = validateRuleset({
      schemaVersion: 1,
      name: 'Bad',
      caps: { perRep: [{ rep: 'r1', maxAccounts: -1 }, { rep: 'r1' }] },
      segments: [
        { id: 'a', name: 'A', match: {}, receivingReps: ['r1'] },
        {
          id: 'a',
          name: 'B',
          match: { minDealSizeCents: 10, maxDealSizeCents: 5 },
          receivingReps: [''],
          commissionType: 'C',
          strategy: 'random',
        },
      ],
      protections: { closingWithinDays: 'thirty', closedOpportunities: false },
      targetz: {},
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'caps.perRep[0].maxAccounts',
        'segments[1].receivingReps[0]',
        'segments[1].strategy',
        'segments[1].match.minDealSizeCents',
        'protections.closingWithinDays',
        'protections.closedOpportunities',
        '',
      ]),
    );
    const text = result.ok ? '' : describeIssues(result.issues);
    expect(text).toMatch(/unknown setting\(s\) "targetz"/);
    expect(text).toMatch(/segments\[1\]\.receivingReps\[0\]: must be a rep id/);
  });

  it('whole-document refinements still run when parts are valid: duplicate segment ids, type C without a share', () => {
    const result = validateRuleset({
      schemaVersion: 1,
      name: 'Dup',
      caps: { perRep: [{ rep: 'r1' }, { rep: 'r1' }] },
      segments: [
        { id: 'a', name: 'A', match: {}, receivingReps: ['r1'] },
        { id: 'a', name: 'B', match: {}, receivingReps: ['r1'], commissionType: 'C' },
      ],
    });
    const text = result.ok ? '' : describeIssues(result.issues);
    expect(text).toMatch(/segments\[1\]\.newRepPctBps: commission type C needs newRepPctBps/);
    expect(text).toMatch(/segments\[1\]\.id: segment id "a" is already used by segments\[0\]/);
    expect(text).toMatch(/caps\.perRep\[1\]\.rep: rep "r1" already has caps/);
  });

  it('refuses other schema versions and says which one it reads', () => {
    const result = validateRuleset({ schemaVersion: 2, name: 'Future' });
    expect(result.ok ? '' : describeIssues(result.issues)).toMatch(/schemaVersion: schemaVersion must be 1/);
  });

  it('reports YAML syntax errors with line and column', () => {
    const result = parseRulesetText('schemaVersion: 1\nname: x\nsegments: [\n  - id: a\n');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : describeIssues(result.issues)).toMatch(/line \d+, column \d+/);
    expect(parseRulesetText('  ').ok).toBe(false);
    expect(parseRulesetText('name: a\nname: b\n').ok).toBe(false);
  });
});
