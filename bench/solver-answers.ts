/**
 * The solver's answers on small seeded instances, as one JSON line each: status, objective, bound, gap, the
 * assignment's fingerprint and the work clock's count. The solve counts time in work (src/solver/clock.ts),
 * so the same code gives the same lines on every run: save them before a refactoring of src/solver and
 * compare after (`npx tsx bench/solver-answers.ts > before.jsonl`, then `diff before.jsonl after.jsonl`).
 * The wall-clock safety is off, so only the engines alone (`aggregate`: HiGHS and javascript-lp-solver keep
 * wall-clock limits) say `"reproducible":false`; their lines match when they finish within the limit.
 */
import { createHash } from 'node:crypto';
import { solve } from '../src/solver/solve.ts';
import { plantedBook } from './planted-books.ts';
import { generateInstance, INSTANCE_SIZES } from './solver-instances.ts';

const ENGINES = ['auto', 'heuristic', 'aggregate'] as const;
const SIZES = ['60x6', '300x12', '1000x20'];
const TIME_LIMIT_MS = 5_000;

function fingerprint(rows: readonly { accountId: string; toRepId: string }[]): string {
  const pairs = rows.map((a) => [a.accountId, a.toRepId]);
  return createHash('sha1').update(JSON.stringify(pairs)).digest('hex').slice(0, 16);
}

async function answer(name: string, raw: object): Promise<Record<string, unknown>> {
  // The time limit counted in work alone: a busy machine then cannot cut a phase short (clock.ts).
  const result = await solve({ ...raw, timeLimitMs: TIME_LIMIT_MS }, { wallClockSafety: false });
  if (result.status === 'invalid' || result.status === 'infeasible' || result.assignments === null) {
    return { name, status: result.status };
  }
  return {
    name,
    status: result.status,
    objective: result.objective,
    lowerBound: result.lowerBound,
    gap: result.gap,
    engine: result.engine,
    moved: result.moved,
    workMillis: result.workMillis,
    reproducible: result.reproducible,
    assignment: fingerprint(result.assignments),
    pools: result.pools.map((p) => [p.label, p.engine, p.objective, p.lowerBound, p.proven]),
    conflicts: result.conflicts.length,
  };
}

for (const sizeName of SIZES) {
  const size = INSTANCE_SIZES.find((s) => s.name === sizeName)!;
  for (const kind of ['departure', 'realignment'] as const) {
    for (const objective of ['l1', 'minimax'] as const) {
      for (const engine of ENGINES) {
        const raw = { ...generateInstance(size, kind, 1, objective), engine };
        console.log(JSON.stringify(await answer(`${sizeName} ${kind} ${objective} ${engine}`, raw)));
      }
    }
    const planted = { ...plantedBook(size, kind, 1), engine: 'auto' };
    console.log(JSON.stringify(await answer(`${sizeName} ${kind} planted auto`, planted)));
  }
}
