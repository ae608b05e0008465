/**
 * The solver's input issues in the CLI user's terms: an issue at `accounts.2.id` is about accounts.csv, the
 * spreadsheet row the third account came from (row 4 when no blank row comes before it), column account_id; one at `newHire.hireRepIds.0` is about the rules file's
 * JSON path newHire.hireRepIds[0]; `kind` and `objective` came from the command line. Never the solver's
 * 0-based array index.
 */
import type { InputIssue } from '../solver/input.ts';

export interface CliInputFiles {
  accounts: string;
  reps: string;
  /** The spreadsheet row of each account and rep, in the order given to the solver. */
  accountRows?: readonly number[];
  repRows?: readonly number[];
  /** The rules file, when one was given. */
  rules?: string;
  /** Input fields that came from command-line flags, and the flag that set each. */
  flags: Record<string, string>;
}

export interface CliIssue {
  /** The file the issue is in, or the command-line flag that set the value. */
  file: string;
  /** Data row in a CSV file (the header is row 1) and its column. */
  row?: number;
  column?: string;
  /** The JSON path inside the rules file. */
  path?: string;
  message: string;
}

/** Solver field → the CSV column the CLI reads it from (csv-input.ts). */
const ACCOUNT_COLUMNS: Record<string, string> = {
  id: 'account_id',
  name: 'account_name',
  ownerId: 'owner_id',
  revenueCents: 'annual_revenue',
  region: 'region',
  segment: 'segment',
  tier: 'tier',
  type: 'type',
  industry: 'industry',
  protected: 'protected',
  pinnedOwnerId: 'pinned_owner_id',
  hasOpenDeal: 'has_open_deal',
  nextCloseDate: 'next_close_date',
};

const REP_COLUMNS: Record<string, string> = {
  id: 'rep_id',
  name: 'name',
  email: 'email',
  region: 'region',
  regions: 'region',
  segment: 'segment',
  mayReceive: 'may_receive',
  departing: 'departing',
  maxAccounts: 'max_accounts',
  maxRevenueCents: 'max_revenue',
  weight: 'weight',
  rampTargetBps: 'ramp_target',
};

/** A JSON path as a person writes it: newHire.hireRepIds[0]. */
export function jsonPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(the whole file)';
}

export function cliIssue(issue: InputIssue, files: CliInputFiles): CliIssue {
  const [head, index, field] = issue.path;
  const table = head === 'accounts' ? ACCOUNT_COLUMNS : head === 'reps' ? REP_COLUMNS : null;
  if (table && typeof index === 'number') {
    const rows = head === 'accounts' ? files.accountRows : files.repRows;
    return {
      file: head === 'accounts' ? files.accounts : files.reps,
      row: rows?.[index] ?? index + 2,
      column: typeof field === 'string' ? (table[field] ?? field) : '-',
      message: issue.message,
    };
  }
  if (table) {
    // The whole list (e.g. "at least one rep is needed"): the file itself.
    return { file: head === 'accounts' ? files.accounts : files.reps, message: issue.message };
  }
  if (typeof head === 'string' && files.flags[head] !== undefined)
    return { file: files.flags[head]!, message: issue.message };
  return {
    file: files.rules ?? 'the rules (--rules)',
    path: jsonPath(issue.path),
    message: issue.message,
  };
}

export function formatCliIssue(issue: CliIssue): string {
  if (issue.row !== undefined)
    return `${issue.file} row ${issue.row}, column ${issue.column}: ${issue.message}`;
  if (issue.path !== undefined) return `${issue.file}, ${issue.path}: ${issue.message}`;
  return `${issue.file}: ${issue.message}`;
}
