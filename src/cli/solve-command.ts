/** `bookshift solve`: CSV files in, a proposal out (table, CSV or one JSON object); exit 0 solved, 2 infeasible/invalid, 3 no answer. */
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { diagnoseRules } from '../solver/diagnose-rules.ts';
import type { SolveInputRaw } from '../solver/input.ts';
import type { SolveResult } from '../solver/result.ts';
import { solveInWorker } from '../solver/worker/solve-in-worker.ts';
import { CsvError, readAccountsCsv, readRepsCsv } from './csv-input.ts';
import { type CliInputFiles, cliIssue, formatCliIssue } from './input-issues.ts';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const SOLVE_USAGE = `Usage: bookshift solve --accounts accounts.csv --reps reps.csv [--rules rules.json]
         [--kind departure|realignment|new-hire] [--objective l1|minimax] [--time-limit SECONDS]
         [--out proposal.csv] [--json]

accounts.csv: account_id,account_name,owner_id,annual_revenue,region
              optional: tier,type,industry,segment,protected,next_close_date,has_open_deal,pinned_owner_id
reps.csv:     rep_id,name,email,region,may_receive,departing
              optional: max_accounts,max_revenue,weight,segment,ramp_target
rules.json:   any solver options: strategy, scope, asOfDate, closingWithinDays, newHire, territoryRules, ...
Exit codes: 0 optimal/feasible (or a time-out with an answer), 2 infeasible (proven: no assignment exists) or
invalid input, 3 no answer: none in time, or the chosen simple strategy got stuck (the reason says where).`;

export async function runSolveCommand(argv: string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${SOLVE_USAGE}\n`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    io.stdout(`${SOLVE_USAGE}\n`);
    return 0;
  }
  if (!v.accounts || !v.reps) {
    io.stderr(`--accounts and --reps are required\n\n${SOLVE_USAGE}\n`);
    return 2;
  }
  const { accounts, reps } = v;
  const read = await readInput({ ...v, accounts, reps }, io);
  if (typeof read === 'number') return read;
  const { input, files } = read;
  // A proposal file that cannot be written is said before the solve, not after it.
  if (v.out) {
    const unwritable = await outProblem(v.out);
    if (unwritable) {
      io.stderr(`--out ${v.out}: ${unwritable}\n`);
      return 2;
    }
  }
  // Rules that contradict the book, said before the answer (with numbers and the fix).
  const diagnosis = diagnoseRules(input as SolveInputRaw);
  const result = await solveInWorker(input);
  if (v.out && result.status !== 'infeasible' && result.status !== 'invalid' && result.assignments !== null) {
    await writeFile(v.out, proposalCsv(result));
  }
  if (v.json) io.stdout(`${JSON.stringify({ ...toCliJson(result, files), diagnosis })}\n`);
  else {
    for (const d of diagnosis) io.stdout(`${d.severity}: ${d.message} Fix: ${d.fix}\n`);
    io.stdout(humanSummary(result));
  }
  return exitCode(result, io, files);
}

type Values = ReturnType<typeof parse>['values'];

/** A file that cannot be read or written, in words (no stack, no errno). */
function fileProblem(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  return (e as Error).message;
}

/** Why the proposal cannot be written at `path` (its folder missing, a folder there, no permission), or null. */
async function outProblem(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).isDirectory()) return 'is a folder: give a file name, like proposal.csv';
    await access(path, constants.W_OK);
    return null;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') return fileProblem(e);
  }
  try {
    const folder = dirname(path);
    if (!(await stat(folder)).isDirectory()) return `${folder} is a file, not a folder`;
    await access(folder, constants.W_OK);
    return null;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return code === 'ENOENT' ? `the folder ${dirname(path)} does not exist` : fileProblem(e);
  }
}

/**
 * Where a JSON text stops being valid, as "line 3, column 14". The longest prefix that is valid JSON cut short
 * ends right before the fault; found by bisection (JSON.parse's messages do not always give a position).
 * Every prefix of a prefix that is cut short is cut short too, so the bisection is exact.
 */
function jsonFault(text: string): string {
  const cutShort = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const message = (e as Error).message;
      const at = /position (\d+)/.exec(message);
      // Cut short: the parser ran out of text (at its end, or "Unexpected end of JSON input").
      return /end of JSON input/.test(message) || (at !== null && Number(at[1]) >= n);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (cutShort(mid)) lo = mid;
    else hi = mid - 1;
  }
  const before = text.slice(0, lo);
  const line = before.split('\n').length;
  const column = lo - before.lastIndexOf('\n');
  const found = text[lo];
  return `line ${line}, column ${column}${found === undefined ? ' (the text ends too early)' : `: unexpected ${JSON.stringify(found)}`}`;
}

/**
 * The solver input from the CSV files, the rules file and the flags, with where each value came from; or
 * the exit code after saying, in the file's terms, what cannot be read (both CSV files' issues at once).
 */
async function readInput(
  v: Values & { accounts: string; reps: string },
  io: CliIo,
): Promise<{ input: Record<string, unknown>; files: CliInputFiles } | number> {
  const [accounts, reps] = await Promise.allSettled([readAccountsCsv(v.accounts), readRepsCsv(v.reps)]);
  const failed = [accounts, reps].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failed.length > 0) {
    const issues = failed.flatMap((e) => (e instanceof CsvError ? e.issues : []));
    const other = failed.find((e) => !(e instanceof CsvError));
    if (other) throw other;
    if (v.json) io.stdout(`${JSON.stringify({ status: 'invalid', issues })}\n`);
    else io.stdout('status: invalid\n');
    io.stderr(`invalid input:\n${issues.map((i) => `  - ${new CsvError([i]).message}`).join('\n')}\n`);
    return 2;
  }
  if (accounts.status !== 'fulfilled' || reps.status !== 'fulfilled') return 2;
  let rules: Record<string, unknown> = {};
  if (v.rules) {
    let text: string;
    try {
      text = await readFile(v.rules, 'utf8');
    } catch (e) {
      io.stderr(`${v.rules}: ${fileProblem(e)}\n`);
      return 2;
    }
    try {
      rules = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    } catch {
      io.stderr(`${v.rules}: not valid JSON at ${jsonFault(text.replace(/^\uFEFF/, ''))}\n`);
      return 2;
    }
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
      io.stderr(`${v.rules}: expected a JSON object of solver options, like {"strategy": "optimal"}\n`);
      return 2;
    }
  }
  const input: Record<string, unknown> = {
    ...rules,
    accounts: accounts.value.rows,
    reps: reps.value.rows,
    ...(v.kind ? { kind: v.kind } : {}),
    ...(v.objective ? { objective: v.objective } : {}),
  };
  if (!input['asOfDate']) input['asOfDate'] = new Date().toISOString().slice(0, 10);
  if (v['time-limit'] !== undefined) {
    const sec = Number(v['time-limit']);
    if (!(sec > 0)) {
      io.stderr(`--time-limit must be a positive number of seconds, got "${v['time-limit']}"\n`);
      return 2;
    }
    input['timeLimitMs'] = Math.round(sec * 1000);
  }
  const files: CliInputFiles = {
    accounts: v.accounts,
    reps: v.reps,
    accountRows: accounts.value.rowNumbers,
    repRows: reps.value.rowNumbers,
    ...(v.rules ? { rules: v.rules } : {}),
    flags: {
      ...(v.kind ? { kind: '--kind' } : {}),
      ...(v.objective ? { objective: '--objective' } : {}),
      ...(v['time-limit'] !== undefined ? { timeLimitMs: '--time-limit' } : {}),
    },
  };
  return { input, files };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      accounts: { type: 'string' },
      reps: { type: 'string' },
      rules: { type: 'string' },
      kind: { type: 'string' },
      objective: { type: 'string' },
      'time-limit': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}

function exitCode(result: SolveResult, io: CliIo, files: CliInputFiles): number {
  switch (result.status) {
    case 'optimal':
    case 'feasible':
      return 0;
    case 'infeasible':
      io.stderr(`infeasible:\n${result.reasons.map((r) => `  - ${r.message}`).join('\n')}\n`);
      return 2;
    case 'invalid':
      io.stderr(
        `invalid input:\n${result.issues.map((i) => `  - ${formatCliIssue(cliIssue(i, files))}`).join('\n')}\n`,
      );
      return 2;
    case 'timeout':
      io.stderr(`${result.reason}\n`);
      return result.assignments === null ? 3 : 0;
  }
}

const dollars = (cents: number) => cents / 100;

/** The CLI's JSON contract (revenue in currency units). */
export function toCliJson(result: SolveResult, files: CliInputFiles): Record<string, unknown> {
  if (result.status === 'infeasible')
    return { status: result.status, millis: result.millis, reasons: result.reasons };
  if (result.status === 'invalid')
    return {
      status: result.status,
      millis: result.millis,
      issues: result.issues.map((i) => cliIssue(i, files)),
    };
  if (result.assignments === null)
    return { status: result.status, reason: result.reason, millis: result.millis };
  return {
    status: result.status,
    ...(result.status === 'timeout' ? { reason: result.reason } : {}),
    objective: result.objective,
    lowerBound: result.lowerBound,
    gap: result.gap,
    engine: result.engine,
    millis: result.millis,
    workMillis: result.workMillis,
    reproducible: result.reproducible,
    moved: result.moved,
    assignments: result.assignments.map((a) => ({
      accountId: a.accountId,
      fromRepId: a.fromRepId,
      toRepId: a.toRepId,
      reason: a.reason,
    })),
    reps: result.reps.map((r) => ({
      repId: r.repId,
      countBefore: r.countBefore,
      countAfter: r.countAfter,
      revenueBefore: dollars(r.revenueBeforeCents),
      revenueAfter: dollars(r.revenueAfterCents),
    })),
    balance: result.balance,
    conflicts: result.conflicts,
  };
}

/** A cell that a spreadsheet would run as a formula gets a leading apostrophe. */
function safeCell(v: unknown): unknown {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function proposalCsv(result: Extract<SolveResult, { assignments: unknown[] }>): string {
  const rows = result.assignments.map((a) =>
    [a.accountId, a.fromRepId ?? '', a.toRepId, String(a.moved), a.rule, a.reason].map(safeCell),
  );
  return stringify([['account_id', 'from_rep_id', 'to_rep_id', 'moved', 'rule', 'reason'], ...rows]);
}

/** Both clocks: the real time taken, and the work counted (what ends a reproducible solve, clock.ts). */
function clocks(result: { millis: number; workMillis: number | null; reproducible: boolean }): string {
  const work =
    result.workMillis === null
      ? 'no work clock'
      : `work clock ${result.workMillis} ms${result.reproducible ? '' : ' (cut by the wall clock: not reproducible)'}`;
  return `wall clock ${result.millis} ms, ${work}`;
}

/** "optimal within tolerance" when the answer is proven by the tolerance (solver/tolerance.ts), not exactly. */
function statusText(result: Extract<SolveResult, { assignments: unknown[] }>): string {
  const exact = result.lowerBound !== null && result.objective - result.lowerBound <= 1e-9;
  return result.status === 'optimal' && !exact ? 'optimal within tolerance' : result.status;
}

function humanSummary(result: SolveResult): string {
  if (result.status === 'infeasible' || result.status === 'invalid') return `status: ${result.status}\n`;
  if (result.assignments === null) return `status: ${result.status}\n`;
  const pct = (g: number | null) => (g === null ? 'n/a' : `${(g * 100).toFixed(2)}%`);
  const lines = [
    `status: ${statusText(result)}   engine: ${result.engine}   ${clocks(result)}`,
    `objective: ${result.objective.toFixed(6)}   lower bound: ${result.lowerBound?.toFixed(6) ?? 'n/a'}   gap: ${pct(result.gap)}`,
    `accounts moved: ${result.moved} of ${result.assignments.length}   conflicts: ${result.conflicts.length}`,
    '',
    `${'rep'.padEnd(16)}${'accounts'.padStart(16)}${'revenue'.padStart(28)}`,
    ...result.reps.map(
      (r) =>
        `${r.repId.padEnd(16)}${`${r.countBefore} → ${r.countAfter}`.padStart(16)}${`${dollars(r.revenueBeforeCents).toFixed(0)} → ${dollars(r.revenueAfterCents).toFixed(0)}`.padStart(28)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
