/**
 * Properties of segments with a receiving rep: for any split, any segments (types A/B/C, receivers anywhere in or out
 * of the split, House, a subagent, the leaving rep) and any opportunity, the review's split (split-after.ts
 * commissionFor + splitAfter) and the commit's (commit-commission.ts strategyFor through the core's chooseAction and
 * applyAction) refuse alike or give the same split, which totals exactly 10,000 bps with every subagent unchanged.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { applyAction, chooseAction, type OpportunityInput } from '../../../src/commission/index.ts';
import { strategyFor } from '../../../src/services/commission-splits/commission-settings.ts';
import {
  commissionFor,
  type SegmentRule,
  splitAfter,
} from '../../../src/services/commission-splits/split-after.ts';
import { REPS, structureArb } from '../../commission/arbitraries.ts';

const HOUSE = 'house';
const TYPES = ['house_absorbs', 'direct_transfer', 'custom'] as const;
const LETTER = { house_absorbs: 'A', direct_transfer: 'B', custom: 'C' } as const;
const ACCOUNT_TYPES = ['Enterprise', 'SMB'];
const STAGES = ['Proposal', 'Negotiation'];

const segmentArb: fc.Arbitrary<SegmentRule> = fc
  .record({
    accountType: fc.option(fc.constantFrom(...ACCOUNT_TYPES), { nil: undefined }),
    stage: fc.option(fc.constantFrom(...STAGES), { nil: undefined }),
    min: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: undefined }),
    type: fc.constantFrom(...TYPES),
    customBps: fc.integer({ min: 1, max: 10_000 }),
    receiver: fc.option(fc.constantFrom(...REPS, 'r9', HOUSE, 's0', 'owner'), { nil: undefined }),
  })
  .map((s) => ({
    match: {
      ...(s.accountType ? { accountType: s.accountType } : {}),
      ...(s.stage ? { stage: s.stage } : {}),
      ...(s.min !== undefined ? { minAmountCents: s.min } : {}),
    },
    commissionType: s.type,
    ...(s.type === 'custom' ? { customBps: s.customBps } : {}),
    ...(s.receiver && s.type !== 'house_absorbs' ? { receiverRepId: s.receiver } : {}),
  }));

const caseArb = fc.record({
  split: structureArb,
  departingIndex: fc.nat({ max: 9 }),
  owner: fc.constantFrom(...REPS, 'r9', 'owner'),
  segments: fc.array(segmentArb, { maxLength: 4 }),
  defaultType: fc.constantFrom(...TYPES),
  defaultBps: fc.integer({ min: 1, max: 10_000 }),
  accountType: fc.constantFrom(...ACCOUNT_TYPES),
  stage: fc.constantFrom(...STAGES),
  amountCents: fc.integer({ min: 0, max: 100_000 }),
});

const key = (parts: readonly { id: string; role: string; bps: number }[]) =>
  parts
    .filter((p) => p.bps > 0)
    .map((p) => `${p.role}:${p.id}:${p.bps}`)
    .sort()
    .join(',');

describe('segments with a receiving rep', () => {
  test.prop([caseArb], { numRuns: 3000 })(
    'review and commit give the same split (or both refuse), totalling 10,000 bps, subagents untouched',
    (c) => {
      const reps = c.split.filter((p) => p.role === 'rep');
      const departing = reps[c.departingIndex % reps.length]!.participantId;
      const params = {
        commissionType: c.defaultType,
        customBps: c.defaultType === 'custom' ? c.defaultBps : undefined,
        commissionSegments: c.segments,
      };
      const subject = {
        accountType: c.accountType,
        region: 'West',
        stage: c.stage,
        amountCents: c.amountCents,
      };

      // Review: the proposal's choice and split.
      const choice = commissionFor(params, subject);
      expect(choice.type).not.toBeNull();
      const before = c.split.map((p) => ({ repId: p.participantId, role: p.role, bps: p.bps }));
      const reviewed = splitAfter(
        before,
        departing,
        choice.receiverRepId ?? c.owner,
        choice.type!,
        choice.customBps,
        HOUSE,
      );

      // Commit: the core's strategy built from the same params, for the account's new owner.
      const settings = {
        type: LETTER[c.defaultType],
        customBps: params.customBps,
        segments: c.segments.length > 0 ? c.segments : undefined,
      };
      const input: OpportunityInput = {
        opportunityId: 'o1',
        accountId: 'a1',
        accountType: c.accountType,
        geography: 'West',
        stage: c.stage,
        isClosed: false,
        amountCents: c.amountCents,
        createdOn: '2026-01-01',
        splitRows: [],
        schedule: [],
      };
      const chosen = chooseAction(strategyFor(settings, c.owner), input);
      expect(chosen).not.toBeNull();
      const receiver = chosen!.action.type === 'A' ? null : chosen!.action.newRepId;
      expect(receiver).toBe(choice.type === 'house_absorbs' ? null : (choice.receiverRepId ?? c.owner));
      const committed = applyAction({ participants: c.split }, departing, chosen!.action, HOUSE);

      expect(reviewed.ok).toBe(committed.ok);
      if (!reviewed.ok || !committed.ok) return;
      const after = committed.value.structure.participants;
      expect(key(reviewed.after.map((p) => ({ id: p.repId, role: p.role, bps: p.bps })))).toBe(
        key(after.map((p) => ({ id: p.participantId, role: p.role, bps: p.bps }))),
      );
      expect(after.reduce((sum, p) => sum + p.bps, 0)).toBe(10_000);
      expect(reviewed.after.reduce((sum, p) => sum + p.bps, 0)).toBe(10_000);
      for (const sub of c.split.filter((p) => p.role === 'subagent'))
        expect(after.find((p) => p.participantId === sub.participantId)?.bps ?? 0).toBe(sub.bps);
      // The leaving rep's share is handed over whole: they are no longer in the split.
      expect(after.some((p) => p.participantId === departing)).toBe(false);
      if (receiver !== null && c.split.find((p) => p.participantId === departing)!.bps > 0)
        expect(after.some((p) => p.participantId === receiver && p.role === 'rep')).toBe(
          chosen!.action.type === 'B' || (chosen!.action.type === 'C' && chosen!.action.newRepBps > 0),
        );
    },
  );
});
