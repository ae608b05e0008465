import { describe, expect, it } from 'vitest';
import { applyAction, formatBps, validateStructure } from '../../src/commission/split.ts';
import type { SplitStructure } from '../../src/commission/types.ts';
import { house, rep, sub } from './factories.ts';

const worked: SplitStructure = { participants: [house(4500), rep('rep1', 5500), sub('sub1', 0)] };

function apply(structure: SplitStructure, action: Parameters<typeof applyAction>[2], departing = 'rep1') {
  const result = applyAction(structure, departing, action, 'house');
  if (!result.ok) throw new Error(result.refusal.message);
  return result.value;
}
function refusal(structure: SplitStructure, action: Parameters<typeof applyAction>[2], departing = 'rep1') {
  const result = applyAction(structure, departing, action, 'house');
  if (result.ok) throw new Error('expected a refusal');
  return result.refusal;
}
const asMap = (s: SplitStructure) => Object.fromEntries(s.participants.map((p) => [p.participantId, p.bps]));

describe('worked facts (House 4500 / Rep1 5500 / Subagent 0)', () => {
  it('type A: House absorbs Rep1 → House 10000', () => {
    expect(asMap(apply(worked, { type: 'A' }).structure)).toEqual({ house: 10000, sub1: 0 });
  });
  it('type B: Rep2 inherits exactly → Rep2 5500, House 4500', () => {
    expect(asMap(apply(worked, { type: 'B', newRepId: 'rep2' }).structure)).toEqual({
      house: 4500,
      rep2: 5500,
      sub1: 0,
    });
  });
  it('type C: Rep2 at 3500 → House 6500, Rep2 3500', () => {
    expect(asMap(apply(worked, { type: 'C', newRepId: 'rep2', newRepBps: 3500 }).structure)).toEqual({
      house: 6500,
      rep2: 3500,
      sub1: 0,
    });
  });
});

describe('applyAction edge cases', () => {
  it('touches only the departing rep when other reps share the split', () => {
    const s = { participants: [house(2000), rep('rep1', 3000), rep('rep3', 4000), sub('sub1', 1000)] };
    expect(asMap(apply(s, { type: 'B', newRepId: 'rep2' }).structure)).toEqual({
      house: 2000,
      rep2: 3000,
      rep3: 4000,
      sub1: 1000,
    });
  });
  it('is a no-op with a reason when the departing rep is not in the split', () => {
    const result = apply({ participants: [house(10000)] }, { type: 'A' });
    expect(result.noop).toMatch(/"rep1" is not in this split/);
    expect(asMap(result.structure)).toEqual({ house: 10000 });
  });
  it('keeps several subagents exactly', () => {
    const s = { participants: [house(1000), rep('rep1', 5000), sub('s1', 2500), sub('s2', 1500)] };
    const after = apply(s, { type: 'C', newRepId: 'rep2', newRepBps: 6000 }).structure;
    expect(asMap(after)).toEqual({ house: 0, rep2: 6000, s1: 2500, s2: 1500 });
  });
  it('merges when the new rep is already in the split', () => {
    const s = { participants: [house(2000), rep('rep1', 3000), rep('rep2', 5000)] };
    expect(asMap(apply(s, { type: 'B', newRepId: 'rep2' }).structure)).toEqual({ house: 2000, rep2: 8000 });
    expect(asMap(apply(s, { type: 'C', newRepId: 'rep2', newRepBps: 1000 }).structure)).toEqual({
      house: 4000,
      rep2: 6000,
    });
  });
  it('adds a House participant when the split has none', () => {
    const s = { participants: [rep('rep1', 7000), sub('s1', 3000)] };
    expect(asMap(apply(s, { type: 'A' }).structure)).toEqual({ house: 7000, s1: 3000 });
    expect(asMap(apply(s, { type: 'C', newRepId: 'rep2', newRepBps: 5000 }).structure)).toEqual({
      house: 2000,
      rep2: 5000,
      s1: 3000,
    });
  });
});

describe('applyAction refusals', () => {
  it('refuses type C when House would go below 0', () => {
    const r = refusal(
      { participants: [house(1000), rep('rep1', 5000), sub('s1', 4000)] },
      {
        type: 'C',
        newRepId: 'rep2',
        newRepBps: 6001,
      },
    );
    expect(r.code).toBe('HOUSE_WOULD_GO_NEGATIVE');
    expect(r.message).toContain('the most the new rep can receive here is 60%');
    expect(r.path).toBe('action.newRepBps');
  });
  it.each([0, -1, 10001, 12.5])('refuses a custom share of %s', (bps) => {
    expect(refusal(worked, { type: 'C', newRepId: 'rep2', newRepBps: bps }).code).toBe(
      'CUSTOM_BPS_OUT_OF_RANGE',
    );
  });
  it('refuses when the departing participant is a subagent or House', () => {
    expect(refusal(worked, { type: 'A' }, 'sub1').code).toBe('DEPARTING_NOT_A_REP');
    expect(refusal(worked, { type: 'A' }, 'house').code).toBe('DEPARTING_NOT_A_REP');
  });
  it('refuses a new rep who is the departing rep, House or a subagent', () => {
    expect(refusal(worked, { type: 'B', newRepId: 'rep1' }).code).toBe('NEW_REP_IS_DEPARTING_REP');
    expect(refusal(worked, { type: 'B', newRepId: 'house' }).code).toBe('NEW_REP_ROLE_CONFLICT');
    expect(refusal(worked, { type: 'B', newRepId: 'sub1' }).code).toBe('NEW_REP_ROLE_CONFLICT');
  });
});

describe('validateStructure', () => {
  it('accepts exactly 10000', () => {
    expect(validateStructure(worked).ok).toBe(true);
  });
  it.each([
    [[house(4500), rep('rep1', 5499)], 'SPLIT_TOTAL_NOT_10000'],
    [[house(4500), rep('rep1', 5501)], 'SPLIT_TOTAL_NOT_10000'],
    [[house(4500.5), rep('rep1', 5499.5)], 'SPLIT_INVALID_BPS'],
    [[house(-100), rep('rep1', 10100)], 'SPLIT_INVALID_BPS'],
    [[rep('rep1', 5000), rep('rep1', 5000)], 'SPLIT_DUPLICATE_PARTICIPANT'],
    [[house(5000), house(5000, 'house2')], 'SPLIT_MULTIPLE_HOUSE'],
  ] as const)('refuses %j with %s', (participants, code) => {
    const result = validateStructure({ participants: [...participants] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.code).toBe(code);
  });
  it('says what the total is and what it must be', () => {
    const result = validateStructure({ participants: [house(4500), rep('rep1', 5000)] });
    expect(!result.ok && result.refusal.message).toBe(
      'The split totals 9500 basis points (95%); it must total exactly 10000 (100%).',
    );
  });
});

it('formats basis points as percentages', () => {
  expect([5500, 3333, 5, -250].map(formatBps)).toEqual(['55%', '33.33%', '0.05%', '-2.50%']);
});
