/** Reads the CLI's accounts.csv / reps.csv into solver input rows, with row and column in every error. */
import { parse } from 'csv-parse/sync';
import { SOLVE_LIMITS } from '../solver/input.ts';

export interface CsvIssue {
  file: string;
  row: number;
  column: string;
  message: string;
}

export class CsvError extends Error {
  constructor(readonly issues: CsvIssue[]) {
    super(issues.map((i) => `${i.file} row ${i.row}, column ${i.column}: ${i.message}`).join('\n'));
  }
}

type Row = Record<string, string>;

/**
 * The rows of a CSV file. With `limit`, parsing stops after limit + 1 rows and a file with more is refused
 * with `tooMany` (what to do instead) before the rest is read: 300,000 accounts fail in a moment, not after
 * the whole file was parsed and checked.
 */
function readRows(
  text: string,
  file: string,
  required: string[],
  limit?: { rows: number; what: string; tooMany: string },
): Row[] {
  let rows: Row[];
  try {
    rows = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      ...(limit ? { to: limit.rows + 1 } : {}),
    });
  } catch (e) {
    throw new CsvError([
      { file, row: 0, column: '-', message: `not a readable CSV file: ${(e as Error).message}` },
    ]);
  }
  if (limit && rows.length > limit.rows) {
    throw new CsvError([
      {
        file,
        row: limit.rows + 2,
        column: '-',
        message: `more than ${limit.rows.toLocaleString('en-US')} ${limit.what}, the most one solve takes: ${limit.tooMany}`,
      },
    ]);
  }
  const header = rows.length > 0 ? Object.keys(rows[0]!) : parseHeader(text);
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CsvError([
      {
        file,
        row: 1,
        column: missing.join(', '),
        message: `missing required column(s); expected at least ${required.join(',')}`,
      },
    ]);
  }
  return rows;
}

function parseHeader(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  return first.split(',').map((c) => c.trim().toLowerCase());
}

/** "$1,234.56", "1234.5", "1 234" → cents; null when blank. */
export function moneyToCents(raw: string): number | null {
  const s = raw.replace(/[\s$€£,]/g, '');
  if (s === '') return null;
  if (!/^-?\d+(\.\d+)?$/.test(s)) return Number.NaN;
  return Math.round(Number(s) * 100);
}

function bool(raw: string | undefined, fallback: boolean): boolean | null {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(v)) return true;
  if (['false', 'no', 'n', '0'].includes(v)) return false;
  return null;
}

export function readAccountsCsv(text: string, file = 'accounts.csv'): unknown[] {
  const rows = readRows(text, file, ['account_id', 'account_name', 'owner_id', 'annual_revenue', 'region'], {
    rows: SOLVE_LIMITS.maxAccounts,
    what: 'accounts',
    tooMany:
      'split the run by region (one accounts file per region or group of regions, with the reps of those regions)',
  });
  const issues: CsvIssue[] = [];
  const out = rows.map((r, i) => {
    const row = i + 2;
    const cents = moneyToCents(r['annual_revenue'] ?? '');
    if (cents === null || Number.isNaN(cents)) {
      issues.push({
        file,
        row,
        column: 'annual_revenue',
        message: `"${r['annual_revenue']}" is not an amount (use e.g. 125000 or $125,000.00)`,
      });
    }
    const prot = bool(r['protected'], false);
    if (prot === null)
      issues.push({ file, row, column: 'protected', message: `"${r['protected']}" is not true/false` });
    const deal = bool(r['has_open_deal'], Boolean(r['next_close_date']));
    if (deal === null)
      issues.push({
        file,
        row,
        column: 'has_open_deal',
        message: `"${r['has_open_deal']}" is not true/false`,
      });
    const opt = (k: string) => (r[k] ? r[k] : undefined);
    return {
      id: r['account_id'] ?? '',
      name: r['account_name'] ?? '',
      ownerId: r['owner_id'] ? r['owner_id'] : null,
      revenueCents: cents ?? 0,
      region: r['region'] ?? '',
      ...(opt('segment') ? { segment: opt('segment') } : {}),
      ...(opt('tier') ? { tier: opt('tier') } : {}),
      ...(opt('type') ? { type: opt('type') } : {}),
      ...(opt('industry') ? { industry: opt('industry') } : {}),
      ...(opt('pinned_owner_id') ? { pinnedOwnerId: opt('pinned_owner_id') } : {}),
      ...(opt('next_close_date') ? { nextCloseDate: opt('next_close_date') } : {}),
      protected: prot ?? false,
      hasOpenDeal: deal ?? false,
    };
  });
  if (issues.length > 0) throw new CsvError(issues);
  return out;
}

export function readRepsCsv(text: string, file = 'reps.csv'): unknown[] {
  const rows = readRows(text, file, ['rep_id', 'name', 'email', 'region', 'may_receive', 'departing'], {
    rows: SOLVE_LIMITS.maxReps,
    what: 'reps',
    tooMany: 'split the run by region (one reps file per region, with the accounts of that region)',
  });
  const issues: CsvIssue[] = [];
  const out = rows.map((r, i) => {
    const row = i + 2;
    const may = bool(r['may_receive'], true);
    const dep = bool(r['departing'], false);
    if (may === null)
      issues.push({ file, row, column: 'may_receive', message: `"${r['may_receive']}" is not true/false` });
    if (dep === null)
      issues.push({ file, row, column: 'departing', message: `"${r['departing']}" is not true/false` });
    const regions = (r['region'] ?? '')
      .split(/[;|]/)
      .map((s) => s.trim())
      .filter(Boolean);
    const rep: Record<string, unknown> = {
      id: r['rep_id'] ?? '',
      name: r['name'] ?? '',
      ...(r['email'] ? { email: r['email'] } : {}),
      ...(regions.length > 1 ? { regions } : { region: regions[0] ?? '' }),
      mayReceive: may ?? true,
      departing: dep ?? false,
    };
    if (r['segment']) rep['segment'] = r['segment'];
    if (r['max_accounts']) {
      const n = Number(r['max_accounts']);
      if (!Number.isInteger(n) || n < 0)
        issues.push({
          file,
          row,
          column: 'max_accounts',
          message: `"${r['max_accounts']}" is not a whole number ≥ 0`,
        });
      else rep['maxAccounts'] = n;
    }
    if (r['max_revenue']) {
      const c = moneyToCents(r['max_revenue']);
      if (c === null || Number.isNaN(c) || c < 0)
        issues.push({
          file,
          row,
          column: 'max_revenue',
          message: `"${r['max_revenue']}" is not an amount ≥ 0`,
        });
      else rep['maxRevenueCents'] = c;
    }
    if (r['weight']) {
      const w = Number(r['weight']);
      if (!(w > 0))
        issues.push({ file, row, column: 'weight', message: `"${r['weight']}" is not a positive number` });
      else rep['weight'] = w;
    }
    if (r['ramp_target']) {
      // "50%" or "0.5" → 5000 basis points.
      const raw = r['ramp_target'];
      const v = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number(raw);
      if (!(v > 0 && v <= 1))
        issues.push({
          file,
          row,
          column: 'ramp_target',
          message: `"${raw}" is not a share between 0 and 100%`,
        });
      else rep['rampTargetBps'] = Math.round(v * 10_000);
    }
    return rep;
  });
  if (issues.length > 0) throw new CsvError(issues);
  return out;
}
