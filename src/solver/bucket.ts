/**
 * Bucketing for large realignment pools (SOLVER-LAB: revenue is heavy-tailed, most accounts are small).
 * The largest accounts stay single blocks; the others are grouped by (owner, eligible reps, continuity
 * rate, revenue class). In the relaxation (model.ts, `Block.range`) a bucket gets two continuous columns per
 * rep — its accounts valued at the bucket's smallest and at its largest revenue — so every way of splitting
 * the bucket among the reps is representable with the same counts, revenue and continuity cost: the LP of
 * the bucketed model is a valid lower bound of the integer program, with a fraction of the columns
 * (20000x100: about 110k binaries per pool). Its answer is then dealt out account by account and repaired
 * by the iterated search on the exact model; the independent checker verifies the result like any other.
 */
import type { Block, MipModel } from './model.ts';
import type { Pool, Problem } from './problem.ts';
import { cheapestFittingRep, withPoolCleared } from './rounding.ts';
import { countsAsTaken, fits, place, type State, unplace } from './state.ts';

export interface BucketOptions {
  /** This many largest accounts of the pool stay single blocks (the whales the LP must not blur). */
  singles: number;
  /** Width of a revenue class: the largest account of a bucket is at most this factor above the smallest. */
  classRatio: number;
  /** Largest bucket (accounts). */
  maxSize: number;
}

export const DEFAULT_BUCKETS: BucketOptions = { singles: 150, classRatio: 1.5, maxSize: 30 };

/** The pool's movable accounts as single blocks and buckets (deterministic order). */
export function bucketBlocks(
  problem: Problem,
  pool: Pool,
  options: BucketOptions = DEFAULT_BUCKETS,
): Block[] {
  const list = [...pool.movable].sort((a, b) => problem.unit[b]! - problem.unit[a]! || a - b);
  const blocks: Block[] = [];
  const singles = Math.min(options.singles, list.length);
  const repsOf = (k: number) => {
    const reps: number[] = [];
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) reps.push(problem.eligRep[j]!);
    return reps;
  };
  for (let i = 0; i < singles; i++) {
    const k = list[i]!;
    blocks.push({
      positions: [k],
      reps: repsOf(k),
      unit: problem.unit[k]!,
      moveCost: problem.moveCost[k]!,
      owner: problem.owner[problem.movable[k]!]!,
      takenFrom: countsAsTaken(problem, k),
    });
  }
  const groups = new Map<string, number[]>();
  const logRatio = Math.log(options.classRatio);
  for (let i = singles; i < list.length; i++) {
    const k = list[i]!;
    const u = problem.unit[k]!;
    // Continuity is κ·f·(1 + u)/C̄ (problem.ts): the rate f/C̄ is what accounts of a bucket must share.
    const rate = problem.moveCost[k]! / (1 + u);
    const cls = u > 0 ? Math.floor(Math.log(u) / logRatio) : 'zero';
    const key = `${problem.owner[problem.movable[k]!]!}|${repsOf(k).join(',')}|${rate.toPrecision(12)}|${cls}`;
    let g = groups.get(key);
    if (!g) {
      g = [];
      groups.set(key, g);
    }
    g.push(k);
  }
  const chunks: number[][] = [];
  for (const group of groups.values()) {
    // Large buckets in revenue order are cut into runs of at most maxSize accounts: a narrower range
    // tightens the relaxation (its lo/hi columns can promise a rep the bucket's hi end that no subset of
    // the same size reaches) and makes the deal-out match the LP.
    group.sort((a, b) => problem.unit[b]! - problem.unit[a]! || a - b);
    const parts = Math.ceil(group.length / options.maxSize);
    const size = Math.ceil(group.length / parts);
    for (let i = 0; i < group.length; i += size) chunks.push(group.slice(i, i + size));
  }
  for (const positions of chunks) {
    positions.sort((a, b) => a - b);
    const k0 = positions[0]!;
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    let total = 0;
    let cost = 0;
    for (const k of positions) {
      const u = problem.unit[k]!;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      total += u;
      cost += problem.moveCost[k]!;
    }
    const rate = problem.moveCost[k0]! / (1 + problem.unit[k0]!);
    blocks.push({
      positions,
      reps: repsOf(k0),
      unit: total / positions.length,
      moveCost: cost / positions.length,
      owner: problem.owner[problem.movable[k0]!]!,
      takenFrom: countsAsTaken(problem, k0),
      range: { lo, hi, total, costPerAccount: rate, costPerUnit: rate },
    });
  }
  return blocks;
}

/**
 * Deal a bucketed LP answer out to accounts: single blocks go where the LP puts most of them; each
 * bucket's accounts, largest first, go to the rep with the most of its revenue share left (among the reps
 * with count share left), within the caps; what no share covers goes to the fitting rep that costs least.
 * Returns a copy of `state` with the pool placed, or null when the caps leave an account without a rep.
 */
export function dealOut(
  state: State,
  pool: Pool,
  model: MipModel,
  colValue: ArrayLike<number>,
): State | null {
  const p = state.problem;
  const next = withPoolCleared(state, pool);
  const nBlocks = model.blocks.length;
  // Per block: its columns' reps with the LP's count and revenue for each.
  const shares: Map<number, { n: number; u: number }>[] = Array.from({ length: nBlocks }, () => new Map());
  for (let c = 0; c < model.xCols; c++) {
    const v = colValue[c]!;
    if (!(v > 1e-9)) continue;
    const b = model.blocks[model.xBlock[c]!]!;
    const u = b.range ? (model.xEnd[c] === 1 ? b.range.hi : b.range.lo) : b.unit;
    const m = shares[model.xBlock[c]!]!;
    const share = m.get(model.xRep[c]!) ?? { n: 0, u: 0 };
    share.n += v;
    share.u += v * u;
    m.set(model.xRep[c]!, share);
  }
  const order = [...model.blocks.keys()].sort(
    (a, b) => model.blocks[b]!.unit - model.blocks[a]!.unit || a - b,
  );
  const leftover: number[] = [];
  for (const bi of order) {
    const block = model.blocks[bi]!;
    // Whole accounts only: each rep's count share rounded down; the fractional rest is placed last, where
    // the loads of every rep are known.
    for (const v of shares[bi]!.values()) {
      const whole = Math.floor(v.n + 1e-6);
      v.u *= v.n > 0 ? whole / v.n : 0;
      v.n = whole;
    }
    const share = [...shares[bi]!.entries()].sort((x, y) => x[0] - y[0]);
    const accounts = [...block.positions].sort((a, b) => p.unit[b]! - p.unit[a]! || a - b);
    for (const k of accounts) {
      let best = -1;
      let bestLeft = Number.NEGATIVE_INFINITY;
      for (const [r, s] of share) {
        if (s.n < 1 || !fits(next, k, r)) continue;
        if (s.u > bestLeft) {
          bestLeft = s.u;
          best = r;
        }
      }
      if (best < 0) {
        leftover.push(k);
        continue;
      }
      place(next, k, best);
      const s = shares[bi]!.get(best)!;
      s.n -= 1;
      s.u -= p.unit[k]!;
    }
  }
  for (const k of leftover) {
    const best = cheapestFittingRep(next, pool, k);
    if (best < 0 && !ejectFor(next, pool, k)) return null;
    if (best >= 0) place(next, k, best);
  }
  return next;
}

/** Make room for k: move one account off a rep eligible for k to another rep with room, then place k. */
function ejectFor(state: State, pool: Pool, k: number): boolean {
  const p = state.problem;
  const eligible = (k2: number, r: number) => {
    for (let j = p.eligStart[k2]!; j < p.eligStart[k2 + 1]!; j++) if (p.eligRep[j] === r) return true;
    return false;
  };
  for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
    const r = p.eligRep[j]!;
    for (const k2 of pool.movable) {
      if (state.assign[k2] !== r) continue;
      for (let j2 = p.eligStart[k2]!; j2 < p.eligStart[k2 + 1]!; j2++) {
        const r2 = p.eligRep[j2]!;
        if (r2 === r || !fits(state, k2, r2)) continue;
        unplace(state, k2);
        place(state, k2, r2);
        if (fits(state, k, r) && eligible(k, r)) {
          place(state, k, r);
          return true;
        }
        unplace(state, k2);
        place(state, k2, r);
      }
    }
  }
  return false;
}

/**
 * A copy of the model with every single account the LP split among reps fixed to the rep holding most of
 * it (a dive): the LP solved again rebalances the rest around those accounts, so dealing out no longer
 * drops a whale's unbalanced remainder on one rep. Null when no single account is split. The fixed
 * model's optimum is not a lower bound; the bound stays the first LP's.
 */
export function fixSplitSingles(model: MipModel, colValue: ArrayLike<number>): MipModel | null {
  const bestCol = new Int32Array(model.blocks.length).fill(-1);
  const split = new Uint8Array(model.blocks.length);
  for (let c = 0; c < model.xCols; c++) {
    const b = model.xBlock[c]!;
    const block = model.blocks[b]!;
    if (block.range || block.positions.length !== 1) continue;
    const v = colValue[c]!;
    if (v > 1e-6 && v < 1 - 1e-6) split[b] = 1;
    if (bestCol[b]! < 0 || v > colValue[bestCol[b]!]!) bestCol[b] = c;
  }
  if (!split.some((s) => s === 1)) return null;
  const colLower = Float64Array.from(model.colLower);
  for (let b = 0; b < model.blocks.length; b++) if (split[b] === 1) colLower[bestCol[b]!] = 1;
  return { ...model, colLower };
}
