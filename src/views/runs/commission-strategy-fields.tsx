/**
 * The segmented commission strategy (seed 003: segment by account type, stage, deal size and geography, each with
 * its own type A/B/C and receiving rep), shared by the level-3 "Terminate all commissions" form and the run wizard's strategy step:
 * the segment rows as form fields, reading them back, turning them into the runs contract's commissionSegments
 * with an error per row, and the table that renders them with the error next to its row. Plain form fields: no
 * JavaScript needed.
 */
import type { CommissionSegment } from '../../services/run-records/commission-params.ts';
import { FieldError } from '../shared/components.tsx';
import { text } from '../shared/format.ts';

export const SEGMENT_ROWS = 4;
export const SEGMENT_FIELDS = [
  'accountType',
  'stage',
  'region',
  'minAmount',
  'maxAmount',
  'commissionType',
  'customPct',
  'receiverRepId',
] as const;
export type SegmentField = (typeof SEGMENT_FIELDS)[number];
export type SegmentRowValues = Record<SegmentField, string>;

/** What a segment can match (the org's account types, regions and open stages) and who may receive its share. */
export interface SegmentChoices {
  accountTypes: string[];
  regions: string[];
  stages: string[];
  /** Active people and House reps; a segment's share goes to one of them instead of the new owner. */
  receivers?: { id: string; name: string; kind: string }[] | undefined;
}

export const emptySegmentRow = (): SegmentRowValues => ({
  accountType: '',
  stage: '',
  region: '',
  minAmount: '',
  maxAmount: '',
  commissionType: '',
  customPct: '',
  receiverRepId: '',
});

export const emptySegmentRows = (): SegmentRowValues[] =>
  Array.from({ length: SEGMENT_ROWS }, emptySegmentRow);

/** The segment rows of a posted form (fields `seg-<i>-<field>`). */
export function segmentRowsOf(form: Record<string, unknown>): SegmentRowValues[] {
  return Array.from({ length: SEGMENT_ROWS }, (_, i) => {
    const row = emptySegmentRow();
    for (const f of SEGMENT_FIELDS) row[f] = text(form[`seg-${i}-${f}`]).slice(0, 2000);
    return row;
  });
}

export const COMMISSION_TYPES = ['house_absorbs', 'direct_transfer', 'custom'] as const;
export type CommissionTypeName = (typeof COMMISSION_TYPES)[number];
export const isCommissionType = (v: string): v is CommissionTypeName =>
  (COMMISSION_TYPES as readonly string[]).includes(v);

/** "35" or "35.5" (percent, at most two decimals) → basis points; null when not a share. */
export function pctToBps(v: string): number | null {
  const s = v.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
  const bps = Math.round(Number(s) * 100);
  return bps >= 1 && bps <= 10_000 ? bps : null;
}

/** "$50,000" or "50000.50" (dollars, at most two decimals) → cents; null when not an amount. */
export function dollarsToCents(v: string): number | null {
  const s = v.trim().replace(/^\$/, '').replaceAll(',', '');
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** The message for a type C share that is not a percentage. */
export const CUSTOM_PCT_ERROR = 'Type C needs the new rep’s share: a percentage from 0.01 to 100, e.g. 35.';

/**
 * The filled-in rows as commissionSegments, in row order (empty rows skipped), with an error per row keyed
 * `seg-<i>`; `rowOf[k]` is the form row of the k-th segment kept (to place the contract's own issues).
 */
export function parseSegmentRows(rows: SegmentRowValues[]): {
  segments: CommissionSegment[];
  rowOf: number[];
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const segments: CommissionSegment[] = [];
  const rowOf: number[] = [];
  for (const [i, row] of rows.entries()) {
    const n = i + 1;
    const conditions = [row.accountType, row.stage, row.region, row.minAmount, row.maxAmount].some(
      (x) => x !== '',
    );
    if (!row.commissionType && !conditions && !row.customPct && !row.receiverRepId) continue;
    if (!isCommissionType(row.commissionType)) {
      errors[`seg-${i}`] =
        `Segment ${n}: choose its type (A, B or C), or clear its conditions to leave it out.`;
      continue;
    }
    if (!conditions) {
      errors[`seg-${i}`] =
        `Segment ${n} has no condition, so it would match every opportunity: give it an account type, stage, region or deal size, or use the default type instead.`;
      continue;
    }
    const min = row.minAmount ? dollarsToCents(row.minAmount) : undefined;
    const max = row.maxAmount ? dollarsToCents(row.maxAmount) : undefined;
    if (min === null || max === null) {
      errors[`seg-${i}`] = `Segment ${n}: write the deal sizes in dollars, e.g. 50000 or 50,000.50.`;
      continue;
    }
    let segBps: number | undefined;
    if (row.commissionType === 'custom') {
      const bps = pctToBps(row.customPct);
      if (bps === null) {
        errors[`seg-${i}`] =
          `Segment ${n}: type C needs the new rep’s share, a percentage from 0.01 to 100 (e.g. 35).`;
        continue;
      }
      segBps = bps;
    }
    const receiver = row.receiverRepId;
    if (receiver && row.commissionType === 'house_absorbs') {
      errors[`seg-${i}`] =
        `Segment ${n}: type A gives the share to House, so it has no receiving rep: choose “the account’s new owner”, or type B or C.`;
      continue;
    }
    if (receiver && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(receiver)) {
      errors[`seg-${i}`] = `Segment ${n}: choose the receiving rep from the list.`;
      continue;
    }
    segments.push({
      match: {
        ...(row.accountType ? { accountType: row.accountType } : {}),
        ...(row.stage ? { stage: row.stage } : {}),
        ...(row.region ? { region: row.region } : {}),
        ...(min !== undefined ? { minAmountCents: min } : {}),
        ...(max !== undefined ? { maxAmountCents: max } : {}),
      },
      commissionType: row.commissionType,
      ...(segBps !== undefined ? { customBps: segBps } : {}),
      ...(receiver ? { receiverRepId: receiver } : {}),
    });
    rowOf.push(i);
  }
  return { segments, rowOf, errors };
}

/** A contract path under params.commissionSegments.<k> as the form row's error key, else null. */
export function segmentFieldOf(path: string, rowOf: number[]): string | null {
  const seg = /^params\.commissionSegments\.(\d+)/.exec(path);
  if (!seg) return null;
  return `seg-${rowOf[Number(seg[1])] ?? seg[1]}`;
}

function Options({ list, value, any }: { list: string[]; value: string; any: string }) {
  const all = value && !list.includes(value) ? [...list, value] : list;
  return (
    <>
      <option value="">{any}</option>
      {all.map((o) => (
        <option value={o} selected={o === value}>
          {o}
        </option>
      ))}
    </>
  );
}

/** The receivers to offer; one chosen earlier but no longer listed stays, so the form never drops it silently. */
function receiverOptions(choices: SegmentChoices, value: string) {
  const list = choices.receivers ?? [];
  return value && !list.some((r) => r.id === value)
    ? [...list, { id: value, name: value, kind: 'person' }]
    : list;
}

const TYPE_SHORT: Record<CommissionTypeName, string> = {
  house_absorbs: 'A — House absorbs',
  direct_transfer: 'B — direct transfer',
  custom: 'C — custom %',
};

/**
 * The segment rows as a table; a row's error sits in the row under it (id `<idPrefix>-seg-<i>-error`) and the
 * row's fields point at it.
 */
export function SegmentRowsTable({
  rows,
  errors,
  choices,
  idPrefix,
}: {
  rows: SegmentRowValues[];
  errors: Record<string, string | undefined>;
  choices: SegmentChoices;
  idPrefix: string;
}) {
  // The rows scroll sideways inside their form rather than widening the page when it is narrow.
  return (
    <div class="table-wrap">
      <table id="segments">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Account type</th>
            <th scope="col">Stage</th>
            <th scope="col">Region</th>
            <th scope="col">Deal size from ($)</th>
            <th scope="col">Deal size below ($)</th>
            <th scope="col">Type</th>
            <th scope="col">Custom %</th>
            <th scope="col">Receives the share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <SegmentRow row={row} i={i} err={errors[`seg-${i}`]} choices={choices} idPrefix={idPrefix} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface SegmentRowProps {
  row: SegmentRowValues;
  /** The row's index (0-based). */
  i: number;
  err: string | undefined;
  choices: SegmentChoices;
  idPrefix: string;
}

/** One segment's fields, with its error in a row of its own under it. */
function SegmentRow(props: SegmentRowProps) {
  const { i, err, idPrefix } = props;
  const described: Described = err
    ? { 'aria-describedby': `${idPrefix}-seg-${i}-error`, 'aria-invalid': 'true' }
    : {};
  return (
    <>
      <tr id={`segment-${i}`}>
        <th scope="row">{i + 1}</th>
        <SegmentConditionCells {...props} described={described} />
        <SegmentOutcomeCells {...props} described={described} />
      </tr>
      {err && (
        <tr>
          <td colspan={9}>
            <FieldError id={`${idPrefix}-seg-${i}`} message={err} />
          </td>
        </tr>
      )}
    </>
  );
}

type Described = Record<string, string>;

/** What an opportunity must be for the segment to apply: account type, stage, region, deal size. */
function SegmentConditionCells({ row, i, choices, described }: SegmentRowProps & { described: Described }) {
  const name = (f: SegmentField) => `seg-${i}-${f}`;
  return (
    <>
      <td>
        <select name={name('accountType')} aria-label={`Segment ${i + 1} account type`} {...described}>
          <Options list={choices.accountTypes} value={row.accountType} any="Any" />
        </select>
      </td>
      <td>
        <select name={name('stage')} aria-label={`Segment ${i + 1} stage`} {...described}>
          <Options list={choices.stages} value={row.stage} any="Any" />
        </select>
      </td>
      <td>
        <select name={name('region')} aria-label={`Segment ${i + 1} region`} {...described}>
          <Options list={choices.regions} value={row.region} any="Any" />
        </select>
      </td>
      <td>
        <input
          name={name('minAmount')}
          inputmode="decimal"
          value={row.minAmount}
          aria-label={`Segment ${i + 1} deal size from, dollars`}
          {...described}
        />
      </td>
      <td>
        <input
          name={name('maxAmount')}
          inputmode="decimal"
          value={row.maxAmount}
          aria-label={`Segment ${i + 1} deal size below, dollars`}
          {...described}
        />
      </td>
    </>
  );
}

/** What the segment does: its commission type, the type C share, and who receives the share. */
function SegmentOutcomeCells({ row, i, choices, described }: SegmentRowProps & { described: Described }) {
  const name = (f: SegmentField) => `seg-${i}-${f}`;
  return (
    <>
      <td>
        <select name={name('commissionType')} aria-label={`Segment ${i + 1} type`} {...described}>
          <option value="">Not used</option>
          {COMMISSION_TYPES.map((t) => (
            <option value={t} selected={row.commissionType === t}>
              {TYPE_SHORT[t]}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          name={name('customPct')}
          inputmode="decimal"
          value={row.customPct}
          aria-label={`Segment ${i + 1} custom share, percent`}
          {...described}
        />
      </td>
      <td>
        <select name={name('receiverRepId')} aria-label={`Segment ${i + 1} receiving rep`} {...described}>
          <option value="">The account’s new owner</option>
          {receiverOptions(choices, row.receiverRepId).map((r) => (
            <option value={r.id} selected={row.receiverRepId === r.id}>
              {r.name}
              {r.kind === 'house' ? ' (House rep)' : ''}
            </option>
          ))}
        </select>
      </td>
    </>
  );
}

/** The hint under the segments: how rows match and what type C does. */
export function SegmentsHint() {
  return (
    <p class="hint" id="segments-hint">
      The first segment whose conditions all hold decides an opportunity’s type; leave a row empty to skip it.
      Deal size: from (inclusive) and below (exclusive), in dollars. Type C gives the new rep the share you
      enter and House the rest of the previous owner’s share; an opportunity where House would go below 0% is
      refused and shown as a conflict. Types B and C give the share to the account’s new owner unless the row
      names a receiving rep (e.g. a closer for enterprise deals, or a House rep).
    </p>
  );
}
