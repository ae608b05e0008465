/**
 * Reference lower bounds for the solver bench's realignment instances: HiGHS alone on each pool's exact
 * model with a long time limit (run once, offline: `npx tsx bench/reference-bounds.ts 1000x20 600`),
 * written to bench/reference-bounds.json with a hash of the instance. The bench measures each answer's gap
 * against the best bound known for its instance: these, or a better one from its own run. A bound is a
 * bound whoever found it; keeping the long run's out of CI keeps CI short.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHighs } from '../src/solver/engines/highs.ts';
import { parseSolveInput, type SolveInputRaw } from '../src/solver/input.ts';
import { buildPoolModel, singleBlocks } from '../src/solver/model.ts';
import { buildProblem } from '../src/solver/problem.ts';
import { generateInstance, INSTANCE_SIZES } from './solver-instances.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FILE = join(here, 'reference-bounds.json');

export interface ReferenceBound {
  /** sha1 of the generated instance (its JSON): a changed generator makes the entry stale, not wrong. */
  instance: string;
  lowerBound: number;
  /** Best answer HiGHS found in the same run (an upper bound on the optimum). */
  bestKnown: number;
  proven: boolean;
  method: string;
}

export function instanceKey(size: string, kind: string, objective: string, seed: number): string {
  return `${size} ${kind} ${objective} seed ${seed}`;
}

export function instanceHash(raw: SolveInputRaw): string {
  return createHash('sha1').update(JSON.stringify(raw)).digest('hex');
}

/** The stored reference bound for an instance, when it was computed for exactly this instance. */
export function referenceBound(key: string, raw: SolveInputRaw): ReferenceBound | null {
  const all = readAll();
  const entry = all[key];
  return entry && entry.instance === instanceHash(raw) ? entry : null;
}

function readAll(): Record<string, ReferenceBound> {
  try {
    return JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, ReferenceBound>;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const [sizeName, seconds = '300'] = process.argv.slice(2);
  const size = INSTANCE_SIZES.find((s) => s.name === sizeName);
  if (!size)
    throw new Error(
      `usage: reference-bounds.ts <size> [seconds per pool]; sizes: ${INSTANCE_SIZES.map((s) => s.name).join(', ')}`,
    );
  const raw = generateInstance(size, 'realignment', 1, 'l1');
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) throw new Error('instance invalid');
  const built = buildProblem(parsed.input);
  if (!built.ok) throw new Error('instance invalid');
  let lowerBound = 0;
  let bestKnown = 0;
  let proven = true;
  for (const pool of built.problem.pools) {
    const model = buildPoolModel(built.problem, pool, singleBlocks(built.problem, pool), { countCuts: true });
    const run = await runHighs(model, { timeLimitSec: Number(seconds), relGap: 1e-5, absGap: 1e-9 });
    if (run.bound === undefined || run.objective === undefined)
      throw new Error(`pool ${pool.label}: ${run.status}`);
    console.log(
      `${pool.label}: ${run.status} in ${run.millis} ms, bound ${run.bound}, best ${run.objective}`,
    );
    lowerBound += run.bound;
    bestKnown += run.objective;
    if (run.status !== 'optimal') proven = false;
  }
  const all = readAll();
  all[instanceKey(size.name, 'realignment', 'l1', 1)] = {
    instance: instanceHash(raw),
    lowerBound,
    bestKnown,
    proven,
    method: `HiGHS alone per pool, ${seconds} s limit, mip_rel_gap 1e-5`,
  };
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`${size.name}: lower bound ${lowerBound}, best known ${bestKnown}${proven ? ' (proven)' : ''}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
