/**
 * The history timeline of one opportunity's commission split (seed 003 queue: "history timeline"): the stored
 * effective-dated rows cut into periods with one structure each, and the changes between consecutive periods
 * (structure before | after) with the run that made each change when it is known. Pure.
 */
import { addDays, compareDates } from '../../commission/dates.ts';
import type { SplitRowView } from '../../services/review/commission-reads.ts';

export interface TimelineShare {
  repId: string;
  repName: string;
  role: SplitRowView['role'];
  bps: number;
}

export interface TimelinePeriod {
  from: string;
  /** Inclusive; null while in force. */
  to: string | null;
  shares: TimelineShare[];
  /** The run that wrote the rows starting this period, if any (null: imported or unknown). */
  runId: string | null;
}

export interface TimelineChange {
  /** First day of the new structure. */
  on: string;
  before: TimelinePeriod;
  after: TimelinePeriod;
  runId: string | null;
}

const ROLE_ORDER = { house: 0, rep: 1, subagent: 2 } as const;

function sortShares(shares: TimelineShare[]): TimelineShare[] {
  return shares.sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      a.repName.localeCompare(b.repName) ||
      (a.repId < b.repId ? -1 : a.repId > b.repId ? 1 : 0),
  );
}

const key = (shares: readonly TimelineShare[]) =>
  shares.map((s) => `${s.role}:${s.repId}:${s.bps}`).join('|');

/**
 * Periods in date order: a new period starts wherever a row starts or the day after a row ends; adjacent periods
 * with the same structure merge. Days with no row in force are left out (there is no split to show).
 */
export function splitTimeline(
  rows: readonly SplitRowView[],
  runByEffectiveDate: ReadonlyMap<string, string> = new Map(),
): { periods: TimelinePeriod[]; changes: TimelineChange[] } {
  const starts = new Set<string>();
  for (const r of rows) {
    starts.add(r.effectiveFrom);
    if (r.effectiveTo !== null) starts.add(addDays(r.effectiveTo, 1));
  }
  const bounds = [...starts].sort(compareDates);
  const periods: TimelinePeriod[] = [];
  for (const [i, from] of bounds.entries()) {
    const next = bounds[i + 1];
    const inForce = rows.filter(
      (r) =>
        compareDates(r.effectiveFrom, from) <= 0 &&
        (r.effectiveTo === null || compareDates(r.effectiveTo, from) >= 0),
    );
    if (inForce.length === 0) continue;
    const open = inForce.every((r) => r.effectiveTo === null) && next === undefined;
    const shares = sortShares(
      inForce.map((r) => ({ repId: r.repId, repName: r.repName, role: r.role, bps: r.bps })),
    );
    const to = open ? null : next !== undefined ? addDays(next, -1) : null;
    const runId =
      inForce.find((r) => r.effectiveFrom === from && r.runId !== null)?.runId ??
      runByEffectiveDate.get(from) ??
      null;
    const last = periods[periods.length - 1];
    if (last && last.to !== null && addDays(last.to, 1) === from && key(last.shares) === key(shares)) {
      last.to = to;
      continue;
    }
    periods.push({ from, to, shares, runId });
  }
  const changes: TimelineChange[] = [];
  for (let i = 1; i < periods.length; i++) {
    const after = periods[i]!;
    changes.push({ on: after.from, before: periods[i - 1]!, after, runId: after.runId });
  }
  return { periods, changes };
}

/** The structure in force now: the rows without an end. */
export function currentShares(rows: readonly SplitRowView[]): TimelineShare[] {
  return sortShares(
    rows
      .filter((r) => r.effectiveTo === null)
      .map((r) => ({ repId: r.repId, repName: r.repName, role: r.role, bps: r.bps })),
  );
}
