/**
 * Reference lower bounds for the solver bench's realignment instances, run once, offline
 * (`npx tsx bench/reference-bounds.ts 1000x20 600`), written to bench/reference-bounds.json with a hash of
 * the instance. Each pool gets the best valid bound of the methods run on it (reference-bound-methods.ts):
 * HiGHS alone on the pool's per-pair model (one binary per account and eligible rep) with a long time limit,
 * or, for pools too large for that (20000x100: about 110k binaries a pool), HiGHS on the bucketed model
 * (bucket.ts: whales integer, small accounts in buckets; a relaxation, so its MIP bound is a bound of the
 * pool). A later run of another method on the same instance keeps, per pool, the larger bound. The bench
 * measures each answer's gap against the best bound known for its instance: these, or a better one from its
 * own run. A bound is a bound whoever found it; keeping the long run's out of CI keeps CI short.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BucketOptions, DEFAULT_BUCKETS } from '../src/solver/bucket.ts';
import { parseSolveInput, type SolveInputRaw } from '../src/solver/input.ts';
import { buildProblem } from '../src/solver/problem.ts';
import { type BoundMethod, boundPool, type PoolBound } from './reference-bound-methods.ts';
import { generateInstance, INSTANCE_SIZES } from './solver-instances.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FILE = join(here, 'reference-bounds.json');

export interface ReferenceBound {
  /** sha1 of the generated instance (its JSON): a changed generator makes the entry stale, not wrong. */
  instance: string;
  /** Sum over the pools of the best valid lower bound found for each. */
  lowerBound: number;
  /**
   * An answer of the real problem found in the same runs (an upper bound on the optimum): the sum of each
   * pool's best integer answer of its per-pair model. Null when a pool has none (a bucketed model's incumbent
   * is an answer of the relaxation, not of the problem).
   */
  bestKnown: number | null;
  proven: boolean;
  method: string;
  /** Per pool: its bound, the method that gave it, and the real answer found (when one was). */
  pools?: PoolBound[];
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

/** Per pool, the larger bound of the stored and the new run; a pool's real answer is the smaller one found. */
export function mergePools(old: PoolBound[], fresh: PoolBound[]): PoolBound[] {
  const byPool = new Map(old.map((p) => [p.pool, p]));
  for (const p of fresh) {
    const before = byPool.get(p.pool);
    if (!before) {
      byPool.set(p.pool, p);
      continue;
    }
    const better = p.bound > before.bound ? p : before;
    const answers = [before.bestKnown, p.bestKnown].filter((v): v is number => v !== null);
    byPool.set(p.pool, {
      ...better,
      bestKnown: answers.length > 0 ? Math.min(...answers) : null,
      tried: [...(before.tried ?? [describe(before)]), ...(p.tried ?? [describe(p)])],
    });
  }
  return [...byPool.values()].sort((a, b) => a.pool.localeCompare(b.pool));
}

function describe(p: PoolBound): string {
  return `${p.method}: bound ${p.bound}`;
}

/** The instance's entry from its pools' bounds. */
export function entryOf(instance: string, pools: PoolBound[], total: number): ReferenceBound {
  const lowerBound = pools.reduce((s, p) => s + p.bound, 0);
  const complete = pools.length === total;
  const bestKnown =
    complete && pools.every((p) => p.bestKnown !== null) ? pools.reduce((s, p) => s + p.bestKnown!, 0) : null;
  const proven = complete && pools.every((p) => p.proven);

  return {
    instance,
    lowerBound,
    bestKnown,
    proven,
    method: `per pool, the best valid bound found (pools: what gave it)${complete ? '' : `; only ${pools.length} of ${total} pools`}`,
    pools,
  };
}

function parseArgs(argv: string[]): {
  sizeName: string;
  seconds: number;
  method: BoundMethod;
  only?: string;
  buckets: BucketOptions;
} {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const a of argv) {
    const m = /^--(\w+)=(.*)$/.exec(a);
    if (m) flags.set(m[1]!, m[2]!);
    else positional.push(a);
  }
  const method = (flags.get('method') ?? 'auto') as BoundMethod;
  if (!['auto', 'per-pair', 'bucketed'].includes(method)) throw new Error(`unknown method ${method}`);
  return {
    sizeName: positional[0] ?? '',
    seconds: Number(positional[1] ?? '300'),
    method,
    buckets: {
      singles: Number(flags.get('singles') ?? DEFAULT_BUCKETS.singles),
      classRatio: Number(flags.get('classRatio') ?? DEFAULT_BUCKETS.classRatio),
      maxSize: Number(flags.get('maxSize') ?? DEFAULT_BUCKETS.maxSize),
    },
    ...(flags.has('pool') ? { only: flags.get('pool')! } : {}),
  };
}

async function main(): Promise<void> {
  const { sizeName, seconds, method, only, buckets } = parseArgs(process.argv.slice(2));
  const size = INSTANCE_SIZES.find((s) => s.name === sizeName);
  if (!size)
    throw new Error(
      `usage: reference-bounds.ts <size> [seconds per pool] [--method=auto|per-pair|bucketed] [--pool=West] [--dry]; sizes: ${INSTANCE_SIZES.map((s) => s.name).join(', ')}`,
    );
  const raw = generateInstance(size, 'realignment', 1, 'l1');
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) throw new Error('instance invalid');
  const built = buildProblem(parsed.input);
  if (!built.ok) throw new Error('instance invalid');
  const fresh: PoolBound[] = [];
  const key = instanceKey(size.name, 'realignment', 'l1', 1);
  const hash = instanceHash(raw);
  const dry = process.argv.includes('--dry');
  for (const pool of built.problem.pools) {
    if (only && pool.label !== only) continue;
    const result = await boundPool(built.problem, pool, method, seconds, buckets);
    console.log(
      `${pool.label}: ${result.method}: bound ${result.bound}, real answer ${result.bestKnown ?? 'none'}`,
    );
    fresh.push(result);
    if (dry) continue;
    // Written after every pool, so a run stopped part way keeps what it has.
    const all = readAll();
    const stored = all[key]?.instance === hash ? (all[key]!.pools ?? []) : [];
    all[key] = entryOf(hash, mergePools(stored, [result]), built.problem.pools.length);
    writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
  }
  const entry = readAll()[key];
  console.log(
    `${size.name}: lower bound ${entry?.lowerBound}, best known ${entry?.bestKnown ?? 'none'}${entry?.proven ? ' (proven)' : ''}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
