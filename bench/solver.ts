/**
 * Solver benchmark: SOLVER-LAB's seeded instances, each engine and the final solve side by side, one
 * process per run (time, peak memory, objective, bound, gap, verified). Gaps are measured against the best
 * lower bound known for the instance: any run's own, or the reference computed offline by a long HiGHS run
 * (reference-bounds.ts). The final solve runs twice: its answer must be the same (it counts time in work).
 * Prints a table and writes bench/results/solver.json. In CI mode (sizes up to 1000x20, the final solve
 * alone unless --compare) it fails on an infeasible or unverified final answer, a gap above the goal, or two
 * different answers from reproducible runs; time goals are reported (shared CI machines are noisy).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wallSafetyMs } from '../src/solver/clock.ts';
import { instanceKey, referenceBound } from './reference-bounds.ts';
import { generateInstance, INSTANCE_SIZES } from './solver-instances.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface BenchOptions {
  ci: boolean;
  args: string[];
}

interface Row {
  size: string;
  kind: 'departure' | 'realignment';
  objective: 'l1' | 'minimax';
  approach: string;
  status: string;
  millis: number | null;
  /** The work clock's count (what ends a reproducible solve), beside the wall clock's millis. */
  workMillis: number | null;
  peakRssMb: number | null;
  value: number | null;
  lowerBound: number | null;
  bestBound: number | null;
  gapPct: number | null;
  verified: boolean;
  engine: string | null;
  binaries: number | null;
  reproducible: boolean | null;
  answer: string | null;
}

/** Goals from the issue, as ratios measured in one run. */
export function goalFor(size: string, kind: string): { maxGap: number; maxMillis: number } | null {
  if (kind === 'departure') return { maxGap: 1e-4, maxMillis: size === '100000x300' ? 5_000 : 60_000 };
  if (size === '1000x20') return { maxGap: 0.01, maxMillis: 5_000 };
  // Issue 19: 1% at the middle sizes, and a bound within 3% at 100000x300 in 120 s.
  if (size === '5000x50') return { maxGap: 0.01, maxMillis: 30_000 };
  if (size === '20000x100') return { maxGap: 0.01, maxMillis: 60_000 };
  if (size === '100000x300') return { maxGap: 0.03, maxMillis: 120_000 };
  if (size === '60x6' || size === '300x12') return { maxGap: 0.01, maxMillis: 5_000 };
  return null;
}

function runOne(args: string[], hardMs: number): Promise<Record<string, unknown> | { status: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'solver-one.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), hardMs);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      resolve(line ? JSON.parse(line.slice(7)) : { status: 'killed (hard limit)' });
    });
  });
}

export async function run(options: BenchOptions): Promise<{ ok: boolean }> {
  const ci = options.ci;
  const only = options.args
    .find((a) => a.startsWith('--sizes='))
    ?.slice(8)
    .split(',');
  const objectives = options.args.includes('--minimax') ? (['l1', 'minimax'] as const) : (['l1'] as const);
  const sizes = INSTANCE_SIZES.filter((s) => (only ? only.includes(s.name) : ci ? s.accounts <= 1000 : true));
  const limitMs = ci ? 20_000 : 60_000;
  // The engines alone (heuristic, HiGHS, javascript-lp-solver) are the table's comparison, gated on nothing:
  // a full run has them, CI only with --compare (they were half of its time).
  const compare = !ci || options.args.includes('--compare');
  const rows: Row[] = [];
  /** Wrong or unverified answers: always a failure. */
  const failures: string[] = [];
  /** Verified answers short of the issue's quality goals: a failure. */
  const gapsMissed: string[] = [];
  /** Verified answers over the issue's time goals: reported; a failure only in full runs. */
  const goalsMissed: string[] = [];
  for (const size of sizes) {
    for (const kind of ['departure', 'realignment'] as const) {
      for (const objective of objectives) {
        // The goals are "within X % in Y s": every approach runs with the goal's time (so the final answer is
        // judged at that time, and HiGHS alone gets the same time; CI caps it at its limit); a full run adds
        // the final solve with the whole limit for reference where the goal's time is shorter.
        const goal = goalFor(size.name, kind);
        const runMs = goal ? (ci ? Math.min(limitMs, goal.maxMillis) : goal.maxMillis) : limitMs;
        const approaches: [string, number][] = [
          ['auto', runMs],
          // The same final solve again: reproducible answers must be the same.
          ['auto', runMs],
        ];
        if (compare) {
          approaches.push(['heuristic', runMs]);
          // HiGHS alone and javascript-lp-solver alone, where they can return anything (SOLVER-LAB).
          if (kind === 'departure' || size.accounts <= 5000) approaches.push(['highs', runMs]);
          // javascript-lp-solver stalls past the hard kill from 1000x20 (measured), so only the small sizes.
          if (size.accounts <= (ci ? 60 : 300)) approaches.push(['jslp', runMs]);
        }
        if (!ci && runMs < limitMs && kind === 'realignment') approaches.push(['auto', limitMs]);
        const group: Row[] = [];
        for (const [i, [approach, ms]] of approaches.entries()) {
          // The hard kill comes after the work clock's wall-clock safety (a loaded machine still finishes).
          const r = (await runOne(
            [size.name, kind, objective, approach, String(ms)],
            wallSafetyMs(ms) + 30_000,
          )) as Record<string, never>;
          group.push({
            size: size.name,
            kind,
            objective,
            approach: `${approach === 'auto' ? (i === 1 ? 'final, again' : 'final (auto)') : approach}, ${ms / 1000} s`,
            status: String(r.status),
            millis: r.millis ?? null,
            workMillis: r.workMillis ?? null,
            peakRssMb: r.peakRssMb ?? null,
            value: r.objective ?? null,
            lowerBound: r.lowerBound ?? null,
            bestBound: null,
            gapPct: null,
            verified: r.verified ?? false,
            engine: r.engine ?? null,
            binaries: r.binaries ?? null,
            reproducible: r.reproducible ?? null,
            answer: r.answer ?? null,
          });
          process.stderr.write(
            `  ${size.name} ${kind} ${objective} ${approach} (${ms} ms): ${r.status} ${r.millis ?? '-'} ms\n`,
          );
        }
        const bounds = group.map((g) => g.lowerBound).filter((b): b is number => b !== null);
        const reference = referenceBound(
          instanceKey(size.name, kind, objective, 1),
          generateInstance(size, kind, 1, objective),
        );
        if (reference) bounds.push(reference.lowerBound);
        const best = bounds.length > 0 ? Math.max(...bounds) : null;
        for (const g of group) {
          g.bestBound = best;
          g.gapPct =
            best !== null && g.value !== null && g.value > 0
              ? (100 * (g.value - best)) / g.value
              : g.value === 0
                ? 0
                : null;
        }
        rows.push(...group);
        const first = group[0]!;
        const again = group[1]!;
        // The gap is judged on the work clock's answer, the one a machine that is not overloaded gives: a run the
        // wall-clock safety cut (reproducible: false; on this shared machine at load 15, 1000x20 got 1.9 s of its
        // 5 s of work and ended 2.45% above the bound, its rerun 0.33%) is not the solver's answer. When both
        // runs were cut, the first is judged, with the cut said.
        const final = first.reproducible === false && again.reproducible === true ? again : first;
        const cut = final.reproducible === false ? ' (cut by the wall clock: machine overloaded?)' : '';
        if (
          final.reproducible &&
          again.reproducible &&
          final.answer !== null &&
          again.answer !== null &&
          final.answer !== again.answer
        )
          failures.push(`${size.name} ${kind} ${objective}: two reproducible runs gave different answers`);
        if (!final.verified)
          failures.push(
            `${size.name} ${kind} ${objective}: final answer ${final.status}, not verified${cut}`,
          );
        else if (goal && objective === 'l1' && (final.gapPct === null || final.gapPct / 100 > goal.maxGap)) {
          gapsMissed.push(
            `${size.name} ${kind}: gap ${final.gapPct?.toFixed(2) ?? 'unknown'}% above the goal ${goal.maxGap * 100}%${cut}`,
          );
        } else if (
          goal &&
          objective === 'l1' &&
          final.millis !== null &&
          // The solve stops at its limit; building the proposal and verifying it come on top (250 ms).
          final.millis > goal.maxMillis + 250
        ) {
          goalsMissed.push(`${size.name} ${kind}: ${final.millis} ms, over the goal of ${goal.maxMillis} ms`);
        }
      }
    }
  }
  printTable(rows);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'solver.json'),
    `${JSON.stringify({ ci, limitMs, rows, failures, gapsMissed, goalsMissed }, null, 2)}\n`,
  );
  if (failures.length > 0)
    process.stderr.write(`\nSolver bench failures:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  if (gapsMissed.length > 0)
    process.stderr.write(`\nGap goals not met:\n${gapsMissed.map((f) => `  - ${f}`).join('\n')}\n`);
  if (goalsMissed.length > 0)
    console.log(
      `\nTime goals not met (see README, "Solver"):\n${goalsMissed.map((f) => `  - ${f}`).join('\n')}`,
    );
  // CI machines are shared and noisy: CI gates on correctness and the gaps (the answers are reproducible,
  // so a gap does not depend on the machine's load); a full run (npm run bench) also on the time goals.
  return { ok: failures.length === 0 && gapsMissed.length === 0 && (ci || goalsMissed.length === 0) };
}

function printTable(rows: Row[]): void {
  const head = [
    'size',
    'kind',
    'obj',
    'approach',
    'status',
    'ms',
    'work ms',
    'MB',
    'objective',
    'best LB',
    'gap %',
    'verified',
    'repro',
    'answer',
    'binaries',
  ];
  const body = rows.map((r) => [
    r.size,
    r.kind,
    r.objective,
    r.approach,
    r.status,
    r.millis === null ? '-' : String(r.millis),
    r.workMillis === null ? '-' : String(r.workMillis),
    r.peakRssMb === null ? '-' : String(r.peakRssMb),
    r.value === null ? '-' : r.value.toFixed(4),
    r.bestBound === null ? '-' : r.bestBound.toFixed(4),
    r.gapPct === null ? '-' : r.gapPct.toFixed(2),
    r.verified ? 'yes' : 'no',
    r.reproducible === null ? '-' : r.reproducible ? 'yes' : 'no',
    r.answer ?? '-',
    r.binaries === null ? '-' : String(r.binaries),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}
