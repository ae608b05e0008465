/**
 * A pool's exact engines (final solve and the engines alone): javascript-lp-solver or a HiGHS MIP, warm
 * started from the current answer; an answer they find replaces the current one when it is better.
 */
import { ENGINE_LIMITS, NUMERIC_ABS_GAP } from './engine-limits.ts';
import { runHighs } from './engines/highs.ts';
import { runJslp } from './engines/jslp.ts';
import { adoptPool } from './finish.ts';
import { type MipModel, readSingleAssignment, startValues } from './model.ts';
import { cancelled, currentObjective, type PoolWork, phaseDone, type SolveRun } from './solve-run.ts';
import { poolScore } from './state.ts';
import { OPTIMAL_REL } from './tolerance.ts';

interface Candidate {
  assign: Int32Array;
  engine: string;
}

export async function exactPhase(run: SolveRun, work: PoolWork, model: MipModel): Promise<void> {
  const { input } = run;
  const wantJslp =
    input.engine === 'jslp' ||
    (input.engine === 'auto' && work.B <= ENGINE_LIMITS.jslpMaxBinaries && input.objective === 'l1');
  const candidate =
    (wantJslp ? jslpCandidate(run, work, model) : null) ??
    (wantsMip(run, work, model) ? await mipCandidate(run, work, model) : null);
  if (!candidate) return;
  const next = adoptPool(run.state, work.pool, candidate.assign);
  if (
    !run.complete ||
    poolScore(next, work.pool).objective < currentObjective(run, work.pool) - 1e-12 ||
    input.engine !== 'auto'
  ) {
    run.state = next;
    work.engine = candidate.engine;
  } else if (work.engine === 'heuristic') work.engine = `heuristic (checked by ${candidate.engine})`;
}

/**
 * Realignment pools above the MIP size still get a short warm-started MIP: its dual bound is often far
 * better than the LP's (5000x50: one pool proven optimal in 0.7 s), and it may improve the answer.
 */
function boundMip(run: SolveRun, work: PoolWork): boolean {
  return (
    run.input.engine === 'auto' &&
    run.input.kind !== 'departure' &&
    run.complete &&
    work.B > ENGINE_LIMITS.mipMaxBinaries &&
    work.B <= ENGINE_LIMITS.boundMipMaxBinaries
  );
}

function mipSeconds(run: SolveRun, work: PoolWork): number {
  const { input, clock } = run;
  if (boundMip(run, work)) return work.share * ENGINE_LIMITS.boundMipShare;
  if (input.engine !== 'auto') return work.share;
  return Math.min(
    // Realignments: what is left of the pool's share after the LP, so later pools keep theirs.
    input.kind === 'departure' ? work.share : Math.max(0.05, (work.poolDeadline - clock.now()) / 1000),
    ENGINE_LIMITS.mipBaseSec + work.B / ENGINE_LIMITS.mipBinariesPerSec,
  );
}

function wantsMip(run: SolveRun, work: PoolWork, model: MipModel): boolean {
  const { clock, input } = run;
  // On the work clock a MIP stops only between nodes: one allowed fewer LP iterations than its root
  // needs would overrun its share (measured at 1000x20, 5 s: 0.65 s for a 0.15 s share). The search
  // that follows takes the time instead.
  const rootTooLong =
    clock.mode === 'work' &&
    work.lpIterations !== undefined &&
    clock.mipIterations(model, clock.now() + mipSeconds(run, work) * 1000) <
      ENGINE_LIMITS.mipRootLpFactor * work.lpIterations;
  const auto = input.engine === 'auto';
  return (
    !rootTooLong &&
    (input.engine === 'highs' || (auto && work.B <= ENGINE_LIMITS.mipMaxBinaries) || boundMip(run, work))
  );
}

function jslpCandidate(run: SolveRun, work: PoolWork, model: MipModel): Candidate | null {
  const jslp = runJslp(model, { timeLimitMs: Math.max(50, work.share * 1000) });
  if (jslp.status !== 'optimal' || !jslp.colValue) return null;
  const trial = Int32Array.from(run.state.assign);
  if (!readSingleAssignment(model, jslp.colValue, trial)) return null;
  // A finished branch-and-bound with tolerance 0 is a proof, a timed-out one is not.
  if (jslp.millis < work.share * 1000 * 0.9 && jslp.objective !== undefined)
    work.bound = Math.max(work.bound ?? 0, jslp.objective - 1e-9);
  return { assign: trial, engine: 'jslp' };
}

/** Realignment MIPs close the last fraction of a percent slowly: they stop at mipRelGap and a size-based limit. */
async function mipCandidate(run: SolveRun, work: PoolWork, model: MipModel): Promise<Candidate | null> {
  const { input, clock } = run;
  const auto = input.engine === 'auto';
  const warm = auto && run.complete;
  const mip = await runHighs(model, {
    ...clock.highsLimits(model, mipSeconds(run, work), 'mip'),
    // Half our claim's tolerance, so HiGHS' own 'optimal' always passes isProven.
    relGap: auto && input.kind !== 'departure' ? ENGINE_LIMITS.mipRelGap : OPTIMAL_REL / 2,
    absGap: NUMERIC_ABS_GAP,
    ...(warm ? { start: startValues(model, run.state) } : {}),
    shouldStop: () => cancelled(run),
  });
  clock.spendHighs(model, mip, 'mip');
  phaseDone(run, `${work.pool.label}: MIP`);
  if (mip.bound !== undefined) work.bound = Math.max(work.bound ?? Number.NEGATIVE_INFINITY, mip.bound);
  let candidate: Candidate | null = null;
  if (mip.status === 'error' && work.B <= 1000 && input.objective === 'l1') {
    // HiGHS failed (it has crashed on some models): javascript-lp-solver on a small model instead.
    const fallback = runJslp(model, { timeLimitMs: Math.max(50, work.share * 1000) });
    if (fallback.status === 'optimal' && fallback.colValue) {
      const trial = Int32Array.from(run.state.assign);
      if (readSingleAssignment(model, fallback.colValue, trial))
        candidate = { assign: trial, engine: 'jslp (HiGHS failed)' };
    }
  }
  if ((mip.status === 'optimal' || mip.status === 'feasible') && mip.colValue) {
    const trial = Int32Array.from(run.state.assign);
    if (readSingleAssignment(model, mip.colValue, trial))
      candidate = { assign: trial, engine: warm ? 'highs(warm)' : 'highs' };
  }
  return candidate;
}
