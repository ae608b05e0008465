/**
 * Planted-book bench: books whose optimum is known to be 0 (planted-books.ts), departures and
 * realignments at every size, each run in its own process (solver-one.ts) with the final solve as the
 * app runs it. Reports the time to a proof: the status must be optimal (within the tolerance of
 * src/solver/tolerance.ts), the reported gap 0 and the answer verified. The issue's goal for departures,
 * proven within 5 s at every size, is reported (shared machines are noisy); CI gates on the proofs at the
 * CI sizes. Prints a table and writes bench/results/planted.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTANCE_SIZES } from './solver-instances.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Departures: proven within 5 s at every size (issue 13). Realignments get the solver bench's limits. */
const DEPARTURE_GOAL_MS = 5_000;

interface Row {
  size: string;
  kind: 'departure' | 'realignment';
  limitMs: number;
  status: string;
  millis: number | null;
  objective: number | null;
  lowerBound: number | null;
  gap: number | null;
  verified: boolean;
  reproducible: boolean | null;
  engine: string | null;
}

function runOne(args: string[], hardMs: number): Promise<Record<string, never>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'solver-one.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), hardMs);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT:'));
      resolve(line ? JSON.parse(line.slice(7)) : ({ status: 'killed (hard limit)' } as never));
    });
  });
}

export async function run(options: { ci: boolean; args: string[] }): Promise<{ ok: boolean }> {
  const only = options.args
    .find((a) => a.startsWith('--sizes='))
    ?.slice(8)
    .split(',');
  const sizes = INSTANCE_SIZES.filter((s) =>
    only ? only.includes(s.name) : options.ci ? s.accounts <= 1000 : true,
  );
  const rows: Row[] = [];
  const failures: string[] = [];
  const goalsMissed: string[] = [];
  for (const size of sizes) {
    for (const kind of ['departure', 'realignment'] as const) {
      // A departure gets the app's default limit: it must stop at its proof long before it.
      const limitMs = kind === 'departure' ? 60_000 : options.ci ? 20_000 : 60_000;
      const r = await runOne([size.name, kind, 'l1', 'auto', String(limitMs), 'planted'], limitMs + 30_000);
      const row: Row = {
        size: size.name,
        kind,
        limitMs,
        status: String(r.status),
        millis: r.millis ?? null,
        objective: r.objective ?? null,
        lowerBound: r.lowerBound ?? null,
        gap: r.gap ?? null,
        verified: r.verified ?? false,
        reproducible: r.reproducible ?? null,
        engine: r.engine ?? null,
      };
      rows.push(row);
      process.stderr.write(`  planted ${size.name} ${kind}: ${row.status} ${row.millis ?? '-'} ms\n`);
      if (!row.verified) failures.push(`${size.name} ${kind}: ${row.status}, no verified answer`);
      else if (row.status !== 'optimal' || row.gap !== 0)
        // Realignments above the CI sizes are reported, not gated: their proof is the goal, not yet met.
        (kind === 'departure' || size.accounts <= 1000 ? failures : goalsMissed).push(
          `${size.name} ${kind}: ${row.status}, gap ${row.gap ?? 'unknown'} (optimum 0, objective ${row.objective})`,
        );
      else if (kind === 'departure' && row.millis !== null && row.millis > DEPARTURE_GOAL_MS)
        goalsMissed.push(`${size.name} departure: proven in ${row.millis} ms, over the goal of 5 s`);
    }
  }
  printTable(rows);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'planted.json'),
    `${JSON.stringify({ ci: options.ci, rows, failures, goalsMissed }, null, 2)}\n`,
  );
  if (failures.length > 0)
    process.stderr.write(`\nPlanted-book failures:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  if (goalsMissed.length > 0)
    console.log(`\nGoals not met:\n${goalsMissed.map((f) => `  - ${f}`).join('\n')}`);
  return { ok: failures.length === 0 && (options.ci || goalsMissed.length === 0) };
}

function printTable(rows: Row[]): void {
  const head = ['size', 'kind', 'limit s', 'status', 'ms', 'objective', 'bound', 'gap', 'verified', 'repro'];
  const body = rows.map((r) => [
    r.size,
    r.kind,
    String(r.limitMs / 1000),
    r.status,
    r.millis === null ? '-' : String(r.millis),
    r.objective === null ? '-' : r.objective.toExponential(2),
    r.lowerBound === null ? '-' : r.lowerBound.toExponential(2),
    r.gap === null ? '-' : `${(r.gap * 100).toFixed(2)}%`,
    r.verified ? 'yes' : 'no',
    r.reproducible === null ? '-' : r.reproducible ? 'yes' : 'no',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}
