/**
 * The split an opportunity would carry after its owner changes (seed 003): A house absorbs the old rep's share,
 * B the new rep inherits it exactly, C the new rep gets a custom share and House adjusts so the total stays
 * 10000. Subagents are never touched. Returns null with a reason when the change cannot be made.
 */
import { matchesSegment, type SegmentMatch } from '../../commission/index.ts';
import type { SplitPart } from '../solving/load-book.ts';

export type CommissionType = 'house_absorbs' | 'direct_transfer' | 'custom';

/** A segment of a run's segmented strategy, as stored in its params (run-params.ts commissionSegment). */
export interface SegmentRule {
  match: {
    accountType?: string | undefined;
    stage?: string | undefined;
    minAmountCents?: number | undefined;
    maxAmountCents?: number | undefined;
    region?: string | undefined;
  };
  commissionType: CommissionType;
  customBps?: number | undefined;
}

/** What segments look at: the account's type and region, the opportunity's stage and amount. */
export interface SegmentSubject {
  accountType: string | null;
  region: string | null;
  stage: string;
  amountCents: number;
}

/** The core's match for a stored segment (single values become one-item lists; max exclusive). */
export function coreMatch(match: SegmentRule['match']): SegmentMatch {
  return {
    accountTypes: match.accountType ? [match.accountType] : null,
    stages: match.stage ? [match.stage] : null,
    geographies: match.region ? [match.region] : null,
    dealSize:
      match.minAmountCents !== undefined || match.maxAmountCents !== undefined
        ? { minCents: match.minAmountCents ?? null, maxCents: match.maxAmountCents ?? null }
        : null,
  };
}

/**
 * The commission type and custom share for one opportunity: the first segment whose match holds (the core's
 * matchesSegment, the same test the commit and the impact preview use), else the run's own type (direct transfer
 * by default). `segment` is the index of the segment that matched, or null.
 */
export function commissionFor(
  params: {
    commissionType?: CommissionType | undefined;
    customBps?: number | undefined;
    commissionSegments?: readonly SegmentRule[] | undefined;
  },
  subject: SegmentSubject,
): { type: CommissionType; customBps: number | null; segment: number | null } {
  const segments = params.commissionSegments ?? [];
  const input = {
    opportunityId: '',
    accountId: '',
    accountType: subject.accountType,
    geography: subject.region,
    stage: subject.stage,
    isClosed: false,
    amountCents: subject.amountCents,
    createdOn: '1970-01-01',
    splitRows: [],
    schedule: [],
  };
  for (const [i, s] of segments.entries()) {
    if (matchesSegment(coreMatch(s.match), input))
      return { type: s.commissionType, customBps: s.customBps ?? null, segment: i };
  }
  return {
    type: params.commissionType ?? 'direct_transfer',
    customBps: params.customBps ?? null,
    segment: null,
  };
}

export function splitAfter(
  before: readonly SplitPart[],
  fromRepId: string | null,
  toRepId: string,
  type: CommissionType,
  customBps: number | null,
  houseRepId: string | null,
): { ok: true; after: SplitPart[] } | { ok: false; reason: string } {
  if (before.length === 0) return { ok: true, after: [{ repId: toRepId, role: 'rep', bps: 10_000 }] };
  const oldShare = before
    .filter((p) => p.role === 'rep' && p.repId === fromRepId)
    .reduce((s, p) => s + p.bps, 0);
  const rest = before.filter((p) => !(p.role === 'rep' && p.repId === fromRepId));
  const add = (parts: SplitPart[], part: SplitPart) => {
    const same = parts.find((p) => p.repId === part.repId && p.role === part.role);
    if (same) same.bps += part.bps;
    else parts.push({ ...part });
  };
  const after = rest.map((p) => ({ ...p }));
  if (type === 'direct_transfer') {
    if (oldShare > 0) add(after, { repId: toRepId, role: 'rep', bps: oldShare });
    return { ok: true, after: after.filter((p) => p.bps > 0) };
  }
  const house = after.find((p) => p.role === 'house')?.repId ?? houseRepId;
  if (!house) return { ok: false, reason: 'the org has no House rep to absorb or adjust the share' };
  if (type === 'house_absorbs') {
    if (oldShare > 0) add(after, { repId: house, role: 'house', bps: oldShare });
    return { ok: true, after: after.filter((p) => p.bps > 0) };
  }
  const custom = customBps ?? oldShare;
  const houseNow = after.filter((p) => p.role === 'house').reduce((s, p) => s + p.bps, 0);
  const houseAfter = houseNow + oldShare - custom;
  if (houseAfter < 0)
    return { ok: false, reason: `a custom share of ${custom / 100}% leaves House below 0%` };
  const out = after.filter((p) => p.role !== 'house');
  if (houseAfter > 0) out.push({ repId: house, role: 'house', bps: houseAfter });
  if (custom > 0) add(out, { repId: toRepId, role: 'rep', bps: custom });
  return { ok: true, after: out };
}
