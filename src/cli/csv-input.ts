/**
 * Reads the CLI's accounts.csv / reps.csv into solver input rows, with the spreadsheet's row and the header's
 * column in every error, and the row number of each input row (so the solver's issues name rows too).
 */
import { SOLVE_LIMITS } from '../solver/input.ts';
import { CsvError, type CsvIssue, type CsvRow, readCsvRows } from './csv-rows.ts';

export { CsvError };

/** Solver input rows and, for each, the spreadsheet row it came from. */
export interface CsvInput {
  rows: unknown[];
  rowNumbers: number[];
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

export async function readAccountsCsv(path: string, file = path): Promise<CsvInput> {
  const rows = await readCsvRows(
    path,
    file,
    ['account_id', 'account_name', 'owner_id', 'annual_revenue', 'region'],
    {
      rows: SOLVE_LIMITS.maxAccounts,
      what: 'accounts',
      tooMany:
        'split the run by region (one accounts file per region or group of regions, with the reps of those regions)',
    },
  );
  const issues: CsvIssue[] = [];
  const out = rows.map(({ row, values: r }) => {
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
  return { rows: out, rowNumbers: rowNumbers(rows) };
}

export async function readRepsCsv(path: string, file = path): Promise<CsvInput> {
  const rows = await readCsvRows(
    path,
    file,
    ['rep_id', 'name', 'email', 'region', 'may_receive', 'departing'],
    {
      rows: SOLVE_LIMITS.maxReps,
      what: 'reps',
      tooMany: 'split the run by region (one reps file per region, with the accounts of that region)',
    },
  );
  const issues: CsvIssue[] = [];
  const out = rows.map(({ row, values: r }) => {
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
  return { rows: out, rowNumbers: rowNumbers(rows) };
}

function rowNumbers(rows: CsvRow[]): number[] {
  return rows.map((r) => r.row);
}
