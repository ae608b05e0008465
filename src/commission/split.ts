/** Split structures: validation (exactly 10000 bps) and the A/B/C change of a departing rep's share. */
import { type Outcome, ok, refuse } from './refusals.ts';
import type { Participant, ReassignmentAction, SplitStructure } from './types.ts';

export const FULL_BPS = 10_000;

/** Checks integer bps in 0..10000, unique participants, at most one House, total exactly 10000. */
export function validateStructure(structure: SplitStructure, path = 'split'): Outcome<SplitStructure> {
  const seen = new Set<string>();
  let houses = 0;
  let total = 0;
  for (const [i, p] of structure.participants.entries()) {
    const at = `${path}.participants.${i}`;
    if (!Number.isInteger(p.bps) || p.bps < 0 || p.bps > FULL_BPS) {
      return refuse(
        'SPLIT_INVALID_BPS',
        `${at}.bps`,
        `Participant "${p.participantId}" has ${p.bps} basis points; use a whole number from 0 to 10000 (10000 = 100%).`,
      );
    }
    if (seen.has(p.participantId)) {
      return refuse(
        'SPLIT_DUPLICATE_PARTICIPANT',
        `${at}.participantId`,
        `Participant "${p.participantId}" appears twice in the split; merge the two shares into one.`,
      );
    }
    seen.add(p.participantId);
    if (p.role === 'house') houses += 1;
    total += p.bps;
  }
  if (houses > 1) {
    return refuse('SPLIT_MULTIPLE_HOUSE', path, 'The split has more than one House participant; keep one.');
  }
  if (total !== FULL_BPS) {
    return refuse(
      'SPLIT_TOTAL_NOT_10000',
      path,
      `The split totals ${total} basis points (${formatBps(total)}); it must total exactly 10000 (100%).`,
    );
  }
  return ok(structure);
}

/** Why applying an action changed nothing, when it did not. */
export interface ActionResult {
  structure: SplitStructure;
  /** Set when the departing rep is not in the split: nothing changes. */
  noop: string | null;
}

/**
 * Applies type A, B or C to a valid structure for `departingRepId`.
 * - A: the rep's bps go to House (added to House, or a House participant `houseId` is added).
 * - B: the new rep receives exactly the rep's bps (merged when already in the split as a rep).
 * - C: the new rep receives `newRepBps` (1..10000, merged likewise) and House gets
 *   rep's bps − newRepBps, refused when House would go below 0.
 * The departing rep leaves the split; every other participant, subagents above all, keeps its bps.
 */
export function applyAction(
  structure: SplitStructure,
  departingRepId: string,
  action: ReassignmentAction,
  houseId: string,
  path = 'action',
): Outcome<ActionResult> {
  const departing = structure.participants.find((p) => p.participantId === departingRepId);
  if (!departing) {
    return ok({
      structure,
      noop: `"${departingRepId}" is not in this split, so nothing changes.`,
    });
  }
  if (departing.role !== 'rep') {
    return refuse(
      'DEPARTING_NOT_A_REP',
      'departingRepId',
      `"${departingRepId}" is a ${departing.role} in this split; only a rep's share can be reassigned (House and subagent shares never change).`,
    );
  }
  const rest = structure.participants
    .filter((p) => p.participantId !== departingRepId)
    .map((p) => ({ ...p }));
  const house = rest.find((p) => p.role === 'house');
  const addToHouse = (bps: number) => {
    if (house) house.bps += bps;
    else rest.push({ participantId: houseId, role: 'house', bps });
  };

  if (action.type === 'A') {
    addToHouse(departing.bps);
    return ok({ structure: { participants: canonicalOrder(rest) }, noop: null });
  }

  const existing = rest.find((p) => p.participantId === action.newRepId);
  const refused = newRepRefusal(action.newRepId, { departingRepId, houseId, existing, path });
  if (refused) return refused;
  const give = (bps: number) => {
    if (existing) existing.bps += bps;
    else rest.push({ participantId: action.newRepId, role: 'rep', bps });
  };

  if (action.type === 'B') {
    give(departing.bps);
    return ok({ structure: { participants: canonicalOrder(rest) }, noop: null });
  }

  if (!Number.isInteger(action.newRepBps) || action.newRepBps < 1 || action.newRepBps > FULL_BPS) {
    return refuse(
      'CUSTOM_BPS_OUT_OF_RANGE',
      `${path}.newRepBps`,
      `The custom share ${action.newRepBps} is out of range; use a whole number of basis points from 1 to 10000 (10000 = 100%).`,
    );
  }
  const houseBps = (house?.bps ?? 0) + departing.bps - action.newRepBps;
  if (houseBps < 0) {
    return refuse(
      'HOUSE_WOULD_GO_NEGATIVE',
      `${path}.newRepBps`,
      `A custom share of ${formatBps(action.newRepBps)} would leave House at ${formatBps(houseBps)}; ` +
        `the most the new rep can receive here is ${formatBps((house?.bps ?? 0) + departing.bps)}.`,
    );
  }
  give(action.newRepBps);
  if (house) house.bps = houseBps;
  else if (houseBps > 0) rest.push({ participantId: houseId, role: 'house', bps: houseBps });
  return ok({ structure: { participants: canonicalOrder(rest) }, noop: null });
}

/** Why the rep named to take the departing rep's share cannot: the departing rep, House, or another role. */
function newRepRefusal(
  newRepId: string,
  {
    departingRepId,
    houseId,
    existing,
    path,
  }: { departingRepId: string; houseId: string; existing: Participant | undefined; path: string },
): Outcome<never> | null {
  if (newRepId === departingRepId) {
    return refuse(
      'NEW_REP_IS_DEPARTING_REP',
      `${path}.newRepId`,
      `The new rep is the departing rep "${departingRepId}"; choose a different rep.`,
    );
  }
  if (existing && existing.role !== 'rep') {
    return refuse(
      'NEW_REP_ROLE_CONFLICT',
      `${path}.newRepId`,
      `"${newRepId}" is already in this split as ${existing.role}; a ${existing.role} cannot take a rep's share — choose a rep.`,
    );
  }
  if (newRepId === houseId) {
    return refuse(
      'NEW_REP_ROLE_CONFLICT',
      `${path}.newRepId`,
      `"${newRepId}" is House; use type A to give the share to House.`,
    );
  }
  return null;
}

/** House first, then reps, then subagents, each by participant id: equal splits compare equal. */
export function canonicalOrder(participants: Participant[]): Participant[] {
  const rank = { house: 0, rep: 1, subagent: 2 } as const;
  return [...participants].sort(
    (a, b) => rank[a.role] - rank[b.role] || compareIds(a.participantId, b.participantId),
  );
}

export function sameStructure(a: SplitStructure, b: SplitStructure): boolean {
  const x = canonicalOrder(a.participants);
  const y = canonicalOrder(b.participants);
  return (
    x.length === y.length &&
    x.every((p, i) => p.participantId === y[i]!.participantId && p.role === y[i]!.role && p.bps === y[i]!.bps)
  );
}

/** Code-unit order, independent of locale, so ties break the same everywhere. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 5500 → "55%", 3333 → "33.33%". */
export function formatBps(bps: number): string {
  const sign = bps < 0 ? '-' : '';
  const abs = Math.abs(bps);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  return `${sign}${whole}${frac ? `.${String(frac).padStart(2, '0')}` : ''}%`;
}
