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
 * Rounding rule (never creates or loses a cent):
 * 1. The period is cut into slices where the split in force changes (adjacent days with equal
 *    splits form one slice). The period amount is divided across slices by their number of
 *    days, largest remainder; equal remainders go to the earlier slice.
 * 2. Each slice's amount is divided across its participants by basis points, largest remainder;
 *    equal remainders go to the smaller participant id (code-unit order).
 * So the slices sum to the period amount and the shares of each slice sum to the slice.
 * The end date belongs to the old split because the old rows run through it (inclusive).
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
        path,
        `No split is in force on ${from}, inside period "${period.periodId}"; every day of a period needs a split.`,
      );
    }
    const valid = validateStructure(structure, `split in force on ${from}`);
    if (!valid.ok) return valid;
    const last = raw[raw.length - 1];
    if (last && sameStructure(last.structure, structure)) last.to = to;
    else raw.push({ from, to, structure });
  }

  const dayParts = allocateByWeights(
    period.amountCents,
    raw.map((s) => daysInclusive(s.from, s.to)),
  );
  const slices: PeriodSlice[] = raw.map((s, i) => {
    const amountCents = dayParts[i]!;
    const byId = [...s.structure.participants].sort((a, b) => compareIds(a.participantId, b.participantId));
    const cents = allocateByWeights(
      amountCents,
      byId.map((p) => p.bps),
    );
    const shares = byId.map((p, j) => ({ participantId: p.participantId, role: p.role, cents: cents[j]! }));
    return {
      from: s.from,
      to: s.to,
      days: daysInclusive(s.from, s.to),
      amountCents,
      structure: s.structure,
      shares: orderShares(shares),
    };
  });
  return ok({
    periodId: period.periodId,
    periodStart: period.periodStart,
    periodEnd: period.periodEnd,
    amountCents: period.amountCents,
    slices,
    byParticipant: sumShares(slices.flatMap((s) => s.shares)),
  });
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
