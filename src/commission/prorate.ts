/** Commission of one schedule period per participant, pro-rated by days across split changes, to the exact cent. */
import { allocateByWeights } from './allocate.ts';
import { addDays, compareDates, daysInclusive, type IsoDate, isIsoDate } from './dates.ts';
import { structureOn } from './history.ts';
import { type Outcome, ok, refuse } from './refusals.ts';
import { canonicalOrder, compareIds, sameStructure, validateStructure } from './split.ts';
import type { ParticipantRole, SchedulePeriod, SplitRow, SplitStructure } from './types.ts';

export interface ParticipantCents {
  participantId: string;
  role: ParticipantRole;
  cents: number;
}

/** A run of days in one period during which one split is in force. */
export interface PeriodSlice {
  from: IsoDate;
  to: IsoDate;
  days: number;
  amountCents: number;
  structure: SplitStructure;
  shares: ParticipantCents[];
}

export interface PeriodAllocation {
  periodId: string;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  amountCents: number;
  slices: PeriodSlice[];
  /** Sum over slices per participant; always sums to `amountCents`. */
  byParticipant: ParticipantCents[];
}

/**
 * Rounding rule (never creates or loses a cent; a change moves cents only between the
 * participants it changes). A participant's weight in a period is Σ over its days of its bps.
 * 1. The history is read as a sequence of versions: the first split extended for good, then each
 *    later change (a gap of days to House and the split after it count as one change).
 * 2. Under the first split the period amount is divided by bps, largest remainder; equal
 *    remainders go to the smaller participant id (code-unit order).
 * 3. Each later version keeps the cents of every participant whose weight in the period it leaves
 *    the same (subagents always, and everyone when the change lies after the period); the amount
 *    less those cents is divided among the participants whose weight changed, by their new
 *    weights, largest remainder, ties to the smaller id.
 * 4. Slices (runs of days with one split) show each participant's cents divided across the slices
 *    it is in by days × bps, largest remainder, ties to the earlier slice; a slice's amount is the
 *    sum of its shares.
 * So the parts sum to the period amount, and a participant whose bps a reassignment leaves alone
 * on every day of the period gets exactly the same cents before and after it.
 * The end date belongs to the old split because the old rows run through it (inclusive).
 * Pass every row of the opportunity's history: the earlier versions decide the cents.
 */
export function allocatePeriod(period: SchedulePeriod, rows: readonly SplitRow[]): Outcome<PeriodAllocation> {
  const path = `schedule.${period.periodId}`;
  if (!isIsoDate(period.periodStart) || !isIsoDate(period.periodEnd)) {
    return refuse(
      'INVALID_PERIOD',
      path,
      `Period "${period.periodId}" has a start or end that is not a date (YYYY-MM-DD).`,
    );
  }
  if (compareDates(period.periodEnd, period.periodStart) < 0) {
    return refuse(
      'INVALID_PERIOD',
      path,
      `Period "${period.periodId}" ends on ${period.periodEnd}, before it starts on ${period.periodStart}; fix its dates.`,
    );
  }
  if (!Number.isSafeInteger(period.amountCents)) {
    return refuse(
      'INVALID_PERIOD',
      `${path}.amountCents`,
      `Period "${period.periodId}" amount must be whole cents.`,
    );
  }

  const runs = splitRuns(period, rows);
  if (!runs.ok) return runs;
  const raw = runs.value;

  const totals = participantTotals(period, rows);
  const slices: PeriodSlice[] = raw.map((s) => ({
    from: s.from,
    to: s.to,
    days: daysInclusive(s.from, s.to),
    amountCents: 0,
    structure: s.structure,
    shares: [],
  }));
  // Each participant's period cents across the slices it is in, by days × bps (ties: earlier slice).
  const present = new Map<string, ParticipantCents>();
  for (const s of raw)
    for (const p of s.structure.participants) present.set(p.participantId, { ...p, cents: 0 });
  for (const p of [...present.values()].sort((a, b) => compareIds(a.participantId, b.participantId))) {
    const cents = totals.get(p.participantId) ?? 0;
    const weights = slices.map(
      (s) => s.days * (s.structure.participants.find((x) => x.participantId === p.participantId)?.bps ?? 0),
    );
    const parts = weights.some((w) => w > 0) ? allocateByWeights(cents, weights) : weights.map(() => 0);
    for (const [i, s] of slices.entries()) {
      if (!s.structure.participants.some((x) => x.participantId === p.participantId)) continue;
      s.shares.push({ participantId: p.participantId, role: p.role, cents: parts[i]! });
      s.amountCents += parts[i]!;
    }
  }
  for (const s of slices) s.shares = orderShares(s.shares);
  return ok({
    periodId: period.periodId,
    periodStart: period.periodStart,
    periodEnd: period.periodEnd,
    amountCents: period.amountCents,
    slices,
    byParticipant: sumShares(slices.flatMap((s) => s.shares)),
  });
}

/** The period cut into runs of days under one split (adjacent days under the same split joined). */
function splitRuns(
  period: SchedulePeriod,
  rows: readonly SplitRow[],
): Outcome<{ from: IsoDate; to: IsoDate; structure: SplitStructure }[]> {
  // Only rows overlapping the period matter (string order is date order for ISO dates).
  const relevant = rows.filter(
    (r) =>
      r.effectiveFrom <= period.periodEnd && (r.effectiveTo === null || r.effectiveTo >= period.periodStart),
  );
  // Days where the split may change inside the period: each row's start and the day after its end.
  const cuts = new Set<IsoDate>([period.periodStart]);
  for (const r of relevant) {
    for (const day of [r.effectiveFrom, r.effectiveTo === null ? null : addDays(r.effectiveTo, 1)]) {
      if (day && compareDates(day, period.periodStart) > 0 && compareDates(day, period.periodEnd) <= 0)
        cuts.add(day);
    }
  }
  const starts = [...cuts].sort(compareDates);
  const raw: { from: IsoDate; to: IsoDate; structure: SplitStructure }[] = [];
  for (const [i, from] of starts.entries()) {
    const next = starts[i + 1];
    const to = next ? addDays(next, -1) : period.periodEnd;
    const structure = structureOn(relevant, from);
    if (!structure) {
      return refuse(
        'SPLIT_MISSING',
        `schedule.${period.periodId}`,
        `No split is in force on ${from}, inside period "${period.periodId}"; every day of a period needs a split.`,
      );
    }
    const valid = validateStructure(structure, `split in force on ${from}`);
    if (!valid.ok) return valid;
    const last = raw[raw.length - 1];
    if (last && sameStructure(last.structure, structure)) last.to = to;
    else raw.push({ from, to, structure });
  }
  return ok(raw);
}

/** One stretch of the whole history during which one split (or none: a hole) is in force. */
interface Stage {
  from: IsoDate;
  structure: SplitStructure | null;
}

/** The history as consecutive stages, from the first day any row is in force; equal adjacent splits merge. */
function historyStages(rows: readonly SplitRow[]): Stage[] {
  const days = new Set<IsoDate>();
  for (const r of rows) {
    days.add(r.effectiveFrom);
    if (r.effectiveTo !== null) days.add(addDays(r.effectiveTo, 1));
  }
  const stages: Stage[] = [];
  for (const from of [...days].sort(compareDates)) {
    const found = structureOn(rows, from);
    // A split that is not valid (not 10000 bps, a participant twice) counts as no split here.
    const structure = found && validateStructure(found).ok ? found : null;
    const last = stages[stages.length - 1];
    if (
      last &&
      (last.structure === null
        ? structure === null
        : structure !== null && sameStructure(last.structure, structure))
    )
      continue;
    if (!last && structure === null) continue;
    stages.push({ from, structure });
  }
  return stages;
}

/**
 * True when `gap` is `before` with one rep's bps moved to House (type A) and `after` drops that rep
 * but keeps everyone else of `before`: the days-to-House gap of one reassignment, not a change of
 * its own (a second reassignment would drop a second rep of `before`).
 */
function isGapBetween(
  before: SplitStructure | null,
  gap: SplitStructure | null,
  after: SplitStructure | null,
): boolean {
  if (!before || !gap || !after) return false;
  const bpsIn = (s: SplitStructure, id: string) => s.participants.find((p) => p.participantId === id)?.bps;
  const left = before.participants.filter((p) => bpsIn(gap, p.participantId) === undefined);
  if (left.length !== 1 || left[0]!.role !== 'rep') return false;
  const departing = left[0]!;
  if (bpsIn(after, departing.participantId) !== undefined) return false;
  for (const p of gap.participants) {
    const was = bpsIn(before, p.participantId);
    if (p.role === 'house') {
      if (p.bps !== (was ?? 0) + departing.bps) return false;
    } else if (was !== p.bps) return false;
  }
  return before.participants.every(
    (p) => p.participantId === departing.participantId || bpsIn(after, p.participantId) !== undefined,
  );
}

/**
 * Weight (days × bps) per participant over the period if the history stopped changing at stage
 * `last` (that split extended for good); null when some day of the period has no split.
 */
function versionWeights(stages: Stage[], last: number, period: SchedulePeriod): Map<string, number> | null {
  const weights = new Map<string, number>();
  if (compareDates(period.periodStart, stages[0]!.from) < 0) return null;
  for (let i = 0; i <= last; i++) {
    const stage = stages[i]!;
    const from = compareDates(stage.from, period.periodStart) > 0 ? stage.from : period.periodStart;
    const stageEnd = i < last ? addDays(stages[i + 1]!.from, -1) : period.periodEnd;
    const to = compareDates(stageEnd, period.periodEnd) < 0 ? stageEnd : period.periodEnd;
    if (compareDates(to, from) < 0) continue;
    if (!stage.structure) return null;
    const days = daysInclusive(from, to);
    for (const p of stage.structure.participants)
      weights.set(p.participantId, (weights.get(p.participantId) ?? 0) + days * p.bps);
  }
  return weights;
}

/**
 * Cents per participant for the period, path by path through the history (see the rule on
 * `allocatePeriod`): the first split gives every participant its largest-remainder cents; each later
 * change keeps the cents of every participant whose weight over the period it leaves alone and
 * divides the rest among those it changes.
 */
function participantTotals(period: SchedulePeriod, rows: readonly SplitRow[]): Map<string, number> {
  const stages = historyStages(rows);
  let weights: Map<string, number> | null = null;
  let cents = new Map<string, number>();
  for (let k = 0; k < stages.length; k++) {
    // A gap stage and the split after it are one reassignment: step over the gap.
    if (
      weights &&
      k + 1 < stages.length &&
      isGapBetween(stages[k - 1]!.structure, stages[k]!.structure, stages[k + 1]!.structure)
    )
      continue;
    const next = versionWeights(stages, k, period);
    if (!next) continue;
    const changed = [...new Set([...(weights?.keys() ?? []), ...next.keys()])]
      .filter((id) => weights === null || (weights.get(id) ?? 0) !== (next.get(id) ?? 0))
      .sort(compareIds);
    if (changed.length > 0) {
      const kept = new Map([...cents].filter(([id]) => !changed.includes(id)));
      const rest = period.amountCents - [...kept.values()].reduce((a, b) => a + b, 0);
      const w = changed.map((id) => next.get(id) ?? 0);
      const parts = w.some((x) => x > 0) ? allocateByWeights(rest, w) : w.map(() => 0);
      for (const [i, id] of changed.entries()) kept.set(id, parts[i]!);
      cents = kept;
    }
    weights = next;
  }
  // Guard for histories whose earlier splits were not valid: never create or lose a cent.
  const total = [...cents.values()].reduce((a, b) => a + b, 0);
  if (weights === null || total !== period.amountCents) {
    const final = versionWeights(stages, stages.length - 1, period) ?? new Map<string, number>();
    const ids = [...final.keys()].sort(compareIds);
    const parts = allocateByWeights(
      period.amountCents,
      ids.map((id) => final.get(id)!),
    );
    return new Map(ids.map((id, i) => [id, parts[i]!]));
  }
  return cents;
}

/** Adds cents per participant (first role seen wins), in canonical order. */
export function sumShares(shares: readonly ParticipantCents[]): ParticipantCents[] {
  const totals = new Map<string, ParticipantCents>();
  for (const s of shares) {
    const t = totals.get(s.participantId);
    if (t) t.cents += s.cents;
    else totals.set(s.participantId, { ...s });
  }
  return orderShares([...totals.values()]);
}

function orderShares(shares: ParticipantCents[]): ParticipantCents[] {
  const order = canonicalOrder(shares.map((s) => ({ participantId: s.participantId, role: s.role, bps: 0 })));
  const byId = new Map(shares.map((s) => [s.participantId, s]));
  return order.map((p) => byId.get(p.participantId)!);
}
