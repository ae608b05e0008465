/**
 * One measured solver run in its own process (so peak memory is its own): prints RESULT:{json}. The final
 * solve (auto) runs as the app and the CLI run it, with its pools split over threads (parallel-pools.ts);
 * the engines alone run as one `solve`. BENCH_WALL_SAFETY=off turns the wall-clock safety off.
 */
import { createHash } from 'node:crypto';
import { parseSolveInput } from '../src/solver/input.ts';
import { solve } from '../src/solver/solve.ts';
import { verifyAssignment } from '../src/solver/verify.ts';
import { solveParallel } from '../src/solver/worker/parallel-pools.ts';
import { plantedBook } from './planted-books.ts';
import { instanceKey, referenceBound } from './reference-bounds.ts';
import { generateInstance, INSTANCE_SIZES } from './solver-instances.ts';

const [sizeName, kind, objective, engine, limitMs, book] = process.argv.slice(2) as [
  string,
  'departure' | 'realignment',
  'l1' | 'minimax',
  string,
  string,
  'generated' | 'planted' | undefined,
];
const size = INSTANCE_SIZES.find((s) => s.name === sizeName);
if (!size) throw new Error(`unknown size ${sizeName}`);
const raw = {
  // 'planted': a book whose optimum is 0 (planted-books.ts, l1 only).
  ...(book === 'planted' ? plantedBook(size, kind, 1) : generateInstance(size, kind, 1, objective)),
  engine: engine as 'auto',
  timeLimitMs: Number(limitMs),
};
// BENCH_WALL_SAFETY=off: the time limit counted in work alone (clock.ts), for measuring on a loaded machine.
const hooks = process.env.BENCH_WALL_SAFETY === 'off' ? { wallClockSafety: false } : {};
const t0 = Date.now();
const result = engine === 'auto' ? await solveParallel(raw, hooks) : await solve(raw, hooks);
const millis = Date.now() - t0;
let verified = false;
let objectiveValue: number | null = null;
if (
  (result.status === 'optimal' || result.status === 'feasible' || result.status === 'timeout') &&
  result.assignments !== null
) {
  // Checked again here, outside the solver, from the returned rows alone.
  const parsed = parseSolveInput(raw);
  if (parsed.ok) {
    const owners = new Map(result.assignments.map((a) => [a.accountId, a.toRepId]));
    verified = verifyAssignment(parsed.input, owners, result.objective).ok;
  }
  objectiveValue = result.objective;
}
// The stored long-run reference bound for this instance (reference-bounds.ts), per pool where it has them.
const reference =
  book === 'planted'
    ? null
    : referenceBound(instanceKey(size.name, kind, objective, 1), generateInstance(size, kind, 1, objective));
const referenceOf = (label: string) => reference?.pools?.find((p) => p.pool === label)?.bound ?? null;
const ok = result.status !== 'invalid' && result.status !== 'infeasible' && result.assignments !== null;
console.log(
  `RESULT:${JSON.stringify({
    status: result.status,
    millis,
    workMillis: ok ? result.workMillis : null,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    objective: objectiveValue,
    lowerBound: ok ? result.lowerBound : null,
    gap: ok ? result.gap : null,
    referenceBound: reference?.lowerBound ?? null,
    engine: ok ? result.engine : null,
    verified,
    binaries: ok ? result.pools.reduce((s, p) => s + p.binaries, 0) : null,
    reproducible: ok ? result.reproducible : null,
    // The answer's fingerprint: the bench compares two runs of the final solve.
    answer: ok
      ? createHash('sha1')
          .update(JSON.stringify(result.assignments.map((a) => [a.accountId, a.toRepId])))
          .digest('hex')
          .slice(0, 12)
      : null,
    moved: ok ? result.moved : null,
    countCv: ok ? result.balance.count.cv : null,
    revenueCv: ok ? result.balance.revenueCents.cv : null,
    // Per pool: where the gap comes from.
    pools: ok
      ? result.pools.map((q) => ({
          label: q.label,
          objective: q.objective,
          lowerBound: q.lowerBound,
          referenceBound: referenceOf(q.label),
          engine: q.engine,
        }))
      : null,
  })}`,
);
