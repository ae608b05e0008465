/**
 * Child process of loaded-solve.test.ts: the CLI's solve of the same CSV files twice (`bookshift solve
 * --json`, the worker with its wall-clock safety net, as a user runs it), then the reference: the same input
 * solved the same way (its pools on two threads) with the wall clock off, i.e. the answer the work clock alone
 * gives, a quiet machine's.
 * Prints one JSON line: { runs: [cli JSON, cli JSON], reference: SolveResult }.
 */
import { readFileSync } from 'node:fs';
import { readAccountsCsv, readRepsCsv } from '../../src/cli/csv-input.ts';
import { runSolveCommand } from '../../src/cli/solve-command.ts';
import { solveParallel } from '../../src/solver/worker/parallel-pools.ts';

const [accounts, reps, rules, seconds] = process.argv.slice(2) as [string, string, string, string];
const runs: unknown[] = [];
for (let i = 0; i < 2; i++) {
  const out: string[] = [];
  const code = await runSolveCommand(
    ['--accounts', accounts, '--reps', reps, '--rules', rules, '--time-limit', seconds, '--json'],
    { stdout: (s) => out.push(s), stderr: () => {} },
  );
  runs.push({ code, ...JSON.parse(out.join('')) });
}
const raw = {
  ...JSON.parse(readFileSync(rules, 'utf8')),
  accounts: (await readAccountsCsv(accounts)).rows,
  reps: (await readRepsCsv(reps)).rows,
  timeLimitMs: Math.round(Number(seconds) * 1000),
};
const reference = await solveParallel(raw, { wallClockSafety: false });
process.stdout.write(`${JSON.stringify({ runs, reference })}\n`);
