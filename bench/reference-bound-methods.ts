/**
 * How reference-bounds.ts bounds one pool. 'per-pair': HiGHS alone on the pool's per-pair model (one
 * binary per account and eligible rep, count cuts on); its dual bound is a bound and its incumbent a real
 * answer of the pool. 'bucketed': HiGHS on the bucketed model (bucket.ts `bucketBlocks`: the largest
 * accounts integer, the others in buckets with continuous columns); the model is a relaxation of the pool's
 * integer program (test/solver/bucket.prop.test.ts: every assignment is a point of it with the same
 * objective, and its MIP bound never exceeds the brute-force optimum), so its MIP dual bound is a bound of
 * the pool; its incumbent is an answer of the relaxation only and is not kept. 'auto': per-pair up to
 * PER_PAIR_MAX_BINARIES binaries, bucketed above.
 */

import { loadavg } from 'node:os';
import { type BucketOptions, bucketBlocks, DEFAULT_BUCKETS } from '../src/solver/bucket.ts';
import { runHighs } from '../src/solver/engines/highs.ts';
import { buildPoolModel, singleBlocks } from '../src/solver/model.ts';
import type { Pool, Problem } from '../src/solver/problem.ts';

export type BoundMethod = 'auto' | 'per-pair' | 'bucketed';

export interface PoolBound {
  pool: string;
  bound: number;
  /** An integer answer of the pool's real problem (per-pair incumbent), or null. */
  bestKnown: number | null;
  proven: boolean;
  /** The method and its limit, e.g. "bucketed MIP (HiGHS alone, 600 s)". */
  method: string;
  /** Earlier methods tried on this pool and their bounds, when runs were merged. */
  tried?: string[];
}

/** 5000x50's pools (about 20k binaries) ran per-pair; 20000x100's (about 110k) are too large for HiGHS there. */
export const PER_PAIR_MAX_BINARIES = 60_000;

function binaries(problem: Problem, pool: Pool): number {
  let n = 0;
  for (const k of pool.movable) n += problem.eligStart[k + 1]! - problem.eligStart[k]!;
  return n;
}

export async function boundPool(
  problem: Problem,
  pool: Pool,
  method: BoundMethod,
  seconds: number,
  buckets: BucketOptions = DEFAULT_BUCKETS,
): Promise<PoolBound> {
  const chosen =
    method === 'auto' ? (binaries(problem, pool) <= PER_PAIR_MAX_BINARIES ? 'per-pair' : 'bucketed') : method;
  const blocks = chosen === 'per-pair' ? singleBlocks(problem, pool) : bucketBlocks(problem, pool, buckets);
  const model = buildPoolModel(problem, pool, blocks, { countCuts: true });
  // A model without integer columns is an LP: HiGHS gives no MIP dual bound for it, so it is solved as one.
  const relax = !model.integer.includes(1);
  const run = await runHighs(model, { timeLimitSec: seconds, relGap: 1e-5, absGap: 1e-9, relax });
  if (run.bound === undefined || !Number.isFinite(run.bound))
    throw new Error(`pool ${pool.label}: ${run.status} ${run.message ?? ''}, no bound`);
  const integers = model.integer.reduce((s, v) => s + (v ? 1 : 0), 0);
  return {
    pool: pool.label,
    bound: run.bound,
    bestKnown: chosen === 'per-pair' && run.objective !== undefined ? run.objective : null,
    proven: chosen === 'per-pair' && run.status === 'optimal',
    method: `${chosen === 'per-pair' ? 'per-pair MIP' : `bucketed MIP (${buckets.singles} whales, class ratio ${buckets.classRatio}, buckets of at most ${buckets.maxSize})`} (HiGHS alone, ${seconds} s limit, ${integers} integer columns, ${run.status} in ${Math.round(run.millis / 1000)} s of real time at load ${loadavg()[0]!.toFixed(1)}, ${run.nodes ?? 0} nodes)`,
  };
}
