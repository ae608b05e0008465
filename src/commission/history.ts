/** Effective-dated split history: the split in force on a day, and immutable edits (end + add) with exact inverses. */
import { addDays, compareDates, type IsoDate, isIsoDate, toDayNumber } from './dates.ts';
import { type Outcome, ok, refuse } from './refusals.ts';
import { canonicalOrder, sameStructure, validateStructure } from './split.ts';
import type { SplitRow, SplitStructure } from './types.ts';

export function isInForce(row: SplitRow, date: IsoDate): boolean {
  return (
    compareDates(row.effectiveFrom, date) <= 0 &&
    (row.effectiveTo === null || compareDates(date, row.effectiveTo) <= 0)
  );
}

/** The split in force on `date` (participants in canonical order), or null when no row covers it. */
export function structureOn(rows: readonly SplitRow[], date: IsoDate): SplitStructure | null {
  const live = rows.filter((r) => isInForce(r, date));
  if (live.length === 0) return null;
  return {
    participants: canonicalOrder(
      live.map((r) => ({ participantId: r.participantId, role: r.role, bps: r.bps })),
    ),
  };
}

/** Rows without an end: the current split. */
export function openRows(rows: readonly SplitRow[]): SplitRow[] {
  return rows.filter((r) => r.effectiveTo === null);
}

/**
 * Checks one opportunity's history: dates are real, no row ends before it starts, and on every
 * day where any row is in force the split is valid (exactly 10000 bps, no participant twice).
 * Only days where the rows change need checking, because the split is constant in between.
 */
export function validateHistory(rows: readonly SplitRow[], path = 'splitRows'): Outcome<readonly SplitRow[]> {
  const changeDays: IsoDate[] = [];
  for (const [i, r] of rows.entries()) {
    if (!isIsoDate(r.effectiveFrom)) {
      return refuse(
        'INVALID_DATE',
        `${path}.${i}.effectiveFrom`,
        `"${r.effectiveFrom}" is not a date (YYYY-MM-DD).`,
      );
    }
    if (r.effectiveTo !== null && !isIsoDate(r.effectiveTo)) {
      return refuse(
        'INVALID_DATE',
        `${path}.${i}.effectiveTo`,
        `"${r.effectiveTo}" is not a date (YYYY-MM-DD).`,
      );
    }
    if (r.effectiveTo !== null && compareDates(r.effectiveTo, r.effectiveFrom) < 0) {
      return refuse(
        'HISTORY_OVERLAP',
        `${path}.${i}.effectiveTo`,
        `Split row "${r.rowId}" ends on ${r.effectiveTo}, before it starts on ${r.effectiveFrom}; fix the row's dates.`,
      );
    }
    changeDays.push(r.effectiveFrom);
    if (r.effectiveTo !== null) changeDays.push(addDays(r.effectiveTo, 1));
  }
  for (const day of new Set(changeDays)) {
    const structure = structureOn(rows, day);
    if (!structure) continue;
    const valid = validateStructure(structure, `${path}[in force on ${day}]`);
    if (!valid.ok) {
      return refuse(
        valid.refusal.code,
        valid.refusal.path,
        `The split in force on ${day}: ${valid.refusal.message}`,
      );
    }
  }
  return ok(rows);
}

/** A change of `effectiveTo` on one row; `effectiveToBefore` guards against a row changed since. */
export interface RowRetime {
  rowId: string;
  effectiveToBefore: IsoDate | null;
  effectiveToAfter: IsoDate | null;
}

/**
 * One opportunity's history edit. A reassignment ends rows and adds rows; its inverse reopens
 * the same rows and removes the added ones. No edit ever changes a row's participant or bps.
 */
export interface HistoryEdit {
  opportunityId: string;
  rowsToEnd: RowRetime[];
  rowsToAdd: SplitRow[];
  rowsToReopen: RowRetime[];
  rowsToRemove: SplitRow[];
}

/** The edit that undoes `edit` exactly. invertEdit(invertEdit(e)) deep-equals e. */
export function invertEdit(edit: HistoryEdit): HistoryEdit {
  const swap = (r: RowRetime): RowRetime => ({
    rowId: r.rowId,
    effectiveToBefore: r.effectiveToAfter,
    effectiveToAfter: r.effectiveToBefore,
  });
  return {
    opportunityId: edit.opportunityId,
    rowsToEnd: edit.rowsToReopen.map(swap),
    rowsToAdd: edit.rowsToRemove.map((r) => ({ ...r })),
    rowsToReopen: edit.rowsToEnd.map(swap),
    rowsToRemove: edit.rowsToAdd.map((r) => ({ ...r })),
  };
}

/**
 * Applies edits to a flat list of rows (any number of opportunities) and returns a new list;
 * the input is never mutated. Refuses (HISTORY_STALE) when a row is not as the edit expects —
 * changed or removed since the plan was made, or an added row id already taken — so a change
 * made since is flagged, never overwritten. Added rows go to the end, removals keep the order
 * of the rest, so applying an edit and then its inverse gives back a deep-equal list.
 */
export function applyEdits(rows: readonly SplitRow[], edits: readonly HistoryEdit[]): Outcome<SplitRow[]> {
  // One index for the whole batch (a book can hold tens of thousands of rows); removed rows
  // become holes that are dropped at the end, which keeps the order of the rest.
  const current: (SplitRow | null)[] = rows.map((r) => ({ ...r }));
  const index = new Map<string, number>();
  for (const [i, r] of current.entries()) index.set(r!.rowId, i);
  for (const [e, edit] of edits.entries()) {
    for (const retime of [...edit.rowsToEnd, ...edit.rowsToReopen]) {
      const at = index.get(retime.rowId);
      const row = at === undefined ? null : current[at]!;
      if (!row || row.effectiveTo !== retime.effectiveToBefore) {
        return refuse(
          'HISTORY_STALE',
          `edits.${e}.rowId`,
          row
            ? `Split row "${retime.rowId}" now ends ${row.effectiveTo ?? 'never'}, not ${retime.effectiveToBefore ?? 'never'} as planned; it changed since — review it and plan again.`
            : `Split row "${retime.rowId}" no longer exists; it changed since — review it and plan again.`,
        );
      }
      current[at!] = { ...row, effectiveTo: retime.effectiveToAfter };
    }
    for (const removal of edit.rowsToRemove) {
      const at = index.get(removal.rowId);
      const row = at === undefined ? null : current[at]!;
      if (!row || !sameRow(row, removal)) {
        return refuse(
          'HISTORY_STALE',
          `edits.${e}.rowsToRemove`,
          `Split row "${removal.rowId}" is missing or changed since it was added; review it before rolling back.`,
        );
      }
      current[at!] = null;
      index.delete(removal.rowId);
    }
    for (const addition of edit.rowsToAdd) {
      if (index.has(addition.rowId)) {
        return refuse(
          'HISTORY_STALE',
          `edits.${e}.rowsToAdd`,
          `A split row with id "${addition.rowId}" already exists; the change was applied already or ids collide.`,
        );
      }
      index.set(addition.rowId, current.length);
      current.push({ ...addition });
    }
  }
  return ok(current.filter((r): r is SplitRow => r !== null));
}

function sameRow(a: SplitRow, b: SplitRow): boolean {
  return (
    a.rowId === b.rowId &&
    a.opportunityId === b.opportunityId &&
    a.participantId === b.participantId &&
    a.role === b.role &&
    a.bps === b.bps &&
    a.effectiveFrom === b.effectiveFrom &&
    a.effectiveTo === b.effectiveTo
  );
}

export type NewRowId = (opportunityId: string, effectiveFrom: IsoDate, participantId: string) => string;

/** Deterministic default; new rows always start after every existing row, so the id is unused. */
export const defaultRowId: NewRowId = (opportunityId, effectiveFrom, participantId) =>
  `${opportunityId}:${effectiveFrom}:${participantId}`;

/**
 * The edit for one opportunity: the open rows end on `endDate`; if the reassignment date leaves
 * days strictly between, rows with `gap` (the departing rep's share with House) cover them;
 * then rows with `after` start and stay open. When `gap` equals `after` they are one set of rows.
 */
export function planEdit(
  rows: readonly SplitRow[],
  opportunityId: string,
  endDate: IsoDate,
  reassignmentDate: IsoDate,
  gap: SplitStructure,
  after: SplitStructure,
  newRowId: NewRowId = defaultRowId,
): Outcome<HistoryEdit> {
  const later = rows.find(
    (r) =>
      compareDates(r.effectiveFrom, endDate) > 0 ||
      (r.effectiveTo !== null && compareDates(r.effectiveTo, endDate) > 0),
  );
  if (later) {
    const when = compareDates(later.effectiveFrom, endDate) > 0 ? later.effectiveFrom : later.effectiveTo;
    return refuse(
      'HISTORY_CHANGES_AFTER_END_DATE',
      'endDate',
      `The split of opportunity "${opportunityId}" already changes on ${when}, after the end date ${endDate}; ` +
        `choose an end date on or after ${when}, or roll that change back first.`,
    );
  }
  const open = openRows(rows);
  if (open.length === 0) {
    return refuse(
      'SPLIT_MISSING',
      'splitRows',
      `Opportunity "${opportunityId}" has no current split (every row has ended); import or set its split first.`,
    );
  }
  const firstNewDay = addDays(endDate, 1);
  const newFrom = compareDates(reassignmentDate, firstNewDay) > 0 ? reassignmentDate : firstNewDay;
  const rowsToAdd: SplitRow[] = [];
  const addRows = (structure: SplitStructure, from: IsoDate, to: IsoDate | null) => {
    for (const p of structure.participants) {
      rowsToAdd.push({
        rowId: newRowId(opportunityId, from, p.participantId),
        opportunityId,
        participantId: p.participantId,
        role: p.role,
        bps: p.bps,
        effectiveFrom: from,
        effectiveTo: to,
      });
    }
  };
  if (newFrom !== firstNewDay && !sameStructure(gap, after)) {
    addRows(gap, firstNewDay, addDays(newFrom, -1));
    addRows(after, newFrom, null);
  } else {
    addRows(after, firstNewDay, null);
  }
  return ok({
    opportunityId,
    rowsToEnd: open.map((r) => ({ rowId: r.rowId, effectiveToBefore: null, effectiveToAfter: endDate })),
    rowsToAdd,
    rowsToReopen: [],
    rowsToRemove: [],
  });
}

/** Days strictly between the end date and the reassignment date (they go to House). */
export function houseGap(
  endDate: IsoDate,
  reassignmentDate: IsoDate,
): { from: IsoDate; to: IsoDate; days: number } | null {
  const days = toDayNumber(reassignmentDate) - toDayNumber(endDate) - 1;
  if (days <= 0) return null;
  return { from: addDays(endDate, 1), to: addDays(reassignmentDate, -1), days };
}
