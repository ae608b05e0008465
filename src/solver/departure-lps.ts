/** A large departure's pool LPs, all at once on threads started before the construction (engines/highs-threads.ts). */
import type { SolveClock } from './clock.ts';
import { ENGINE_LIMITS } from './engine-limits.ts';
import type { HighsRun } from './engines/highs.ts';
import { releaseHighsThreads, runHighsMany } from './engines/highs-threads.ts';
import { buildPoolModel, type MipModel, singleBlocks } from './model.ts';
import type { Pool, Problem } from './problem.ts';

/** A pool's LP model and its run. */
export interface BatchedLp {
  model: MipModel;
  run: HighsRun;
}

/** The departure's pool LPs (parallelDepartureLps), by pool index. */
export async function departureLps(
  problem: Problem,
  active: Pool[],
  binaries: number[],
  clock: SolveClock,
  complete: boolean,
): Promise<Map<number, BatchedLp>> {
  const batch = new Map<number, BatchedLp>();
  try {
    if (complete) await batchLps(problem, active, binaries, clock, batch);
  } finally {
    // Started threads no job took (an incomplete construction, LPs too large for the limit).
    await releaseHighsThreads();
  }
  return batch;
}

async function batchLps(
  problem: Problem,
  active: Pool[],
  binaries: number[],
  clock: SolveClock,
  batch: Map<number, BatchedLp>,
): Promise<void> {
  const total = active.reduce((s, pool) => s + binaries[pool.index]!, 0);
  const left = clock.deadline - clock.now();
  // Each model is built when a thread is free for it (largest first), so the later ones are built while
  // the first LPs run. Whether an LP fits its share is judged by its size (lpEstimateMs).
  const pools = active.filter(
    (pool) =>
      binaries[pool.index]! <= ENGINE_LIMITS.lpMaxBinaries &&
      clock.lpFitsSize(binaries[pool.index]!, ((left / 1000) * binaries[pool.index]!) / total),
  );
  if (pools.length < 2) return;
  const models = new Map<number, MipModel>();
  const runs = await runHighsMany(
    pools.map((pool) => ({
      size: binaries[pool.index]!,
      model: () => {
        const model = buildPoolModel(problem, pool, singleBlocks(problem, pool), {
          countCuts: ENGINE_LIMITS.countCuts,
        });
        models.set(pool.index, model);
        return model;
      },
      options: {
        timeLimitSec: clock.wallLeftSec(),
        relax: true,
        lpSolver:
          binaries[pool.index]! > ENGINE_LIMITS.ipmMinColumns ? ('ipm' as const) : ('choose' as const),
      },
    })),
    { threads: ENGINE_LIMITS.lpThreads },
  );
  for (const [i, pool] of pools.entries()) {
    const model = models.get(pool.index);
    if (model) batch.set(pool.index, { model, run: runs[i]! });
  }
}
