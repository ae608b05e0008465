/**
 * An opportunity whose amount is unknown (blank in the CRM export, stored as null) is not a $0 deal: no deal-size
 * segment takes it ("under $10,000" included), the next segment or the default does, and the plan says why.
 */
import { describe, expect, it } from 'vitest';
import { type PlannedChange, planReassignment } from '../../src/commission/plan.ts';
import { chooseAction, matchesSegment } from '../../src/commission/segments.ts';
import type { Segment, Strategy } from '../../src/commission/types.ts';
import { opportunity, request } from './factories.ts';

const SMALL: Segment = {
  name: 'Small deals',
  match: { dealSize: { maxCents: 1_000_000 } },
  action: { type: 'A' },
};
const BIG: Segment = {
  name: 'Big deals',
  match: { dealSize: { minCents: 1_000_000 } },
  action: { type: 'B', newRepId: 'senior' },
};
const PARTNERS: Segment = { name: 'Partners', match: { accountTypes: ['Partner'] }, action: { type: 'A' } };
const segmented = (segments: Segment[], withDefault = true): Strategy => ({
  kind: 'segmented',
  segments,
  defaultAction: withDefault ? { type: 'C', newRepId: 'junior', newRepBps: 3000 } : null,
});

describe('an unknown amount', () => {
  const unknown = opportunity({ opportunityId: 'pilot', amountCents: null });
  const zero = opportunity({ opportunityId: 'free', amountCents: 0 });

  it('meets no deal-size condition (a $0 deal meets "under")', () => {
    expect(matchesSegment(SMALL.match, zero)).toBe(true);
    expect(matchesSegment(SMALL.match, unknown)).toBe(false);
    expect(matchesSegment(BIG.match, unknown)).toBe(false);
    // Conditions without a deal size still apply to it.
    expect(matchesSegment({ accountTypes: ['Customer'] }, unknown)).toBe(true);
  });

  it('goes to the next segment or the default, with a note saying why', () => {
    expect(chooseAction(segmented([SMALL, BIG]), zero)).toEqual({
      action: SMALL.action,
      segment: 'Small deals',
    });
    const chosen = chooseAction(segmented([SMALL, BIG]), unknown);
    expect(chosen).toMatchObject({ segment: 'default', action: { type: 'C' } });
    expect(chosen?.note).toMatch(
      /amount of opportunity "pilot" is unknown .*not \$0: no deal-size segment applies/,
    );
    const partner = opportunity({ opportunityId: 'p', amountCents: null, accountType: 'Partner' });
    expect(chooseAction(segmented([SMALL, PARTNERS]), partner)).toMatchObject({ segment: 'Partners' });
    // No deal-size segment in the strategy: nothing to say.
    expect(chooseAction(segmented([PARTNERS]), unknown)).toEqual({
      action: { type: 'C', newRepId: 'junior', newRepBps: 3000 },
      segment: 'default',
    });
  });

  it('the plan carries the note, and a skip without a default says the amount is unknown', () => {
    const planned = planReassignment(request({ strategy: segmented([SMALL, BIG]) }), [unknown]);
    expect(planned.ok).toBe(true);
    const item = planned.ok ? (planned.value.items[0] as PlannedChange) : null;
    expect(item).toMatchObject({ kind: 'change', segment: 'default' });
    expect(item?.notes.some((n) => n.includes('unknown (blank in the CRM export), not $0'))).toBe(true);
    const skipped = planReassignment(request({ strategy: segmented([SMALL, BIG], false) }), [unknown]);
    expect(skipped.ok && skipped.value.items[0]).toMatchObject({
      code: 'NO_ACTION_CHOSEN',
      reason: expect.stringContaining('Its amount is unknown'),
    });
  });
});
