/**
 * The split an opportunity would carry after its owner changes (seed 003): A house absorbs the old rep's share,
 * B the new rep inherits it exactly, C the new rep gets a custom share and House adjusts so the total stays
 * 10000. Subagents are never touched. Returns null with a reason when the change cannot be made.
 */
import { matchesSegment, type SegmentMatch } from '../../commission/index.ts';
import type { SplitPart } from '../book/load-book.ts';

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
  /** Types B and C: who receives the share instead of the account's new owner. */
  receiverRepId?: string | undefined;
}

/** A person's decision for one opportunity under the manual strategy (run-params.ts commissionDecision). */
export interface DecisionRule {
  commissionType: CommissionType;
  customBps?: number | undefined;
  receiverRepId?: string | undefined;
}

/** The commission parts of a run's params that choose each opportunity's type and receiver. */
export interface CommissionParams {
  commissionType?: CommissionType | undefined;
  customBps?: number | undefined;
  commissionSegments?: readonly SegmentRule[] | undefined;
  commissionStrategy?: 'uniform' | 'segmented' | 'manual' | undefined;
  commissionDecisions?: Readonly<Record<string, DecisionRule>> | undefined;
  /** Uniform and segmented: another type or share for single opportunities, before segments and the run's type. */
  commissionOverrides?: Readonly<Record<string, DecisionRule>> | undefined;
}

/** What was chosen for one opportunity; `type` null: the manual strategy and nobody has decided it yet. */
export interface CommissionChoice {
  type: CommissionType | null;
  customBps: number | null;
  /** The rep who receives the share instead of the account's new owner, or null for the new owner. */
  receiverRepId: string | null;
  /** The 0-based segment that matched, or null. */
  segment: number | null;
}

/** What segments look at: the account's type and region, the opportunity's stage and amount. */
export interface SegmentSubject {
  accountType: string | null;
  region: string | null;
  stage: string;
  /** null: unknown (blank in the CRM export); meets no deal-size condition. */
  amountCents: number | null;
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
 * The commission type, custom share and receiving rep for one opportunity. Manual strategy: the decision stored for
 * the opportunity id, or type null (undecided). Otherwise its override (another type or share chosen at review), else
 * the first segment whose match holds (the core's
 * matchesSegment, the same test the commit and the impact preview use), else the run's own type (direct transfer
 * by default). `segment` is the index of the segment that matched, or null.
 */
export function commissionFor(
  params: CommissionParams,
  subject: SegmentSubject & { opportunityId?: string | undefined },
): CommissionChoice {
  const decided = (d: DecisionRule): CommissionChoice => ({
    type: d.commissionType,
    customBps: d.commissionType === 'custom' ? (d.customBps ?? null) : null,
    receiverRepId: d.commissionType === 'house_absorbs' ? null : (d.receiverRepId ?? null),
    segment: null,
  });
  const id = subject.opportunityId;
  if (params.commissionStrategy === 'manual') {
    const d = id ? params.commissionDecisions?.[id] : undefined;
    return d ? decided(d) : { type: null, customBps: null, receiverRepId: null, segment: null };
  }
  const override = id ? params.commissionOverrides?.[id] : undefined;
  if (override) return decided(override);
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
      return {
        type: s.commissionType,
        customBps: s.customBps ?? null,
        receiverRepId: s.commissionType === 'house_absorbs' ? null : (s.receiverRepId ?? null),
        segment: i,
      };
  }
  return {
    type: params.commissionType ?? 'direct_transfer',
    customBps: params.customBps ?? null,
    receiverRepId: null,
    segment: null,
  };
}

/**
 * splitAfter with the same refusals as the commission core's applyAction (src/commission/split.ts) for a share
 * handed to a rep: the review must show as refused exactly what the commit would refuse.
 */

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
  const leaving = before.find((p) => p.repId === fromRepId);
  if (leaving && leaving.role !== 'rep')
    return { ok: false, reason: `the leaving participant is ${leaving.role}, and only a rep’s share moves` };
  if (leaving && type !== 'house_absorbs') {
    if (toRepId === fromRepId)
      return { ok: false, reason: 'the receiving rep is the rep whose share is handed over' };
    const clash = after.find((p) => p.repId === toRepId && p.role !== 'rep');
    if (clash)
      return {
        ok: false,
        reason: `the receiving rep is already in this split as ${clash.role}, and a ${clash.role} cannot take a rep’s share`,
      };
    if (toRepId === houseRepId)
      return { ok: false, reason: 'the receiving rep is House: use type A to give the share to House' };
  }
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

/** What the receiver check needs to know about a rep. */
export interface ReceiverRep {
  id: string;
  name: string;
  kind: 'person' | 'house' | 'subagent';
  active: boolean;
}

/**
 * Why a rep cannot receive a leaving rep's share in a run, or null when they can: they must be a rep of the org,
 * active, a person or a House rep (a subagent's share never changes), and not leaving in this run.
 */
export function receiverProblem(
  repId: string,
  rep: ReceiverRep | undefined,
  departing: ReadonlySet<string>,
): string | null {
  if (!rep) return `No rep ${repId} in this org: choose a rep from the roster.`;
  if (rep.kind === 'subagent')
    return `${rep.name} is a subagent; a subagent cannot receive a rep’s share: choose a person or a House rep.`;
  if (!rep.active) return `${rep.name} is inactive: choose an active rep, or update the roster first.`;
  if (departing.has(rep.id))
    return `${rep.name} is leaving in this run and cannot receive a share: choose a staying rep.`;
  return null;
}
