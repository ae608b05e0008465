/**
 * Whether a set of a pool's accounts fits its eligible reps' room (caps and eligibility only: a relaxation of
 * the real problem, so "does not fit" is a proof). Cheapest first: the counting argument (packing-count.ts)
 * proves it does not; an exact search decides sets of up to 14 accounts; two greedy packings show most sets
 * that do fit; a feasibility MIP decides the rest. Every step is charged on a work budget (search nodes,
 * (account, rep) pairs visited, HiGHS LP iterations), not real time, so the same input gives the same verdicts
 * on a busy machine; real time is only the safety net.
 */
import { HIGHS_MIP_MS_PER_ITERATION, HIGHS_RUN_MS, WALL_SAFETY_FACTOR } from './clock.ts';
import { runHighs } from './engines/highs.ts';
import type { MipModel } from './model.ts';
import { countingPrefix, largestFirst, repRoom } from './packing-count.ts';
import type { Pool, Problem } from './problem.ts';

export type Verdict = 'infeasible' | 'feasible' | 'unknown';

export interface Checked {
  verdict: Verdict;
  /** When feasible: a placement of the set (position → rep), checked in exact cents. */
  packing?: Map<number, number>;
}

/** Exact search (no MIP) for sets this small: the certificate is then checked in exact cents. */
const EXACT_MAX_NODES = 2_000_000;
/** Work charged per node of the exact search (measured about 1 µs). */
const EXACT_MS_PER_NODE = 0.001;
/** Work charged per (account, rep) pair the counting argument or a greedy packing visits (about 50 ns). */
export const PAIR_MS = 0.00005;

export function revenue(problem: Problem, k: number): number {
  return problem.accounts[problem.movable[k]!]!.revenueCents;
}

export function eligibleReps(problem: Problem, k: number): number[] {
  const reps: number[] = [];
  for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) reps.push(problem.eligRep[j]!);
  return reps;
}

/** The reps who may take any account of `set`, ascending. */
export function repsOf(problem: Problem, set: readonly number[]): number[] {
  return [...new Set(set.flatMap((k) => eligibleReps(problem, k)))].sort((a, b) => a - b);
}

export interface PackingChecker {
  check(set: number[]): Promise<Checked>;
  /** Work budget left (ms on the work clock); 0 once the wall-clock safety net has passed. */
  left(): number;
  /** Charge work done outside `check` (ms). */
  charge(ms: number): void;
}

/** A checker for sets of `pool`'s accounts sharing one work budget. */
export function packingChecker(
  problem: Problem,
  pool: Pool,
  budgetMs: number,
  shouldStop?: () => boolean,
): PackingChecker {
  const wallLimit = Date.now() + budgetMs * WALL_SAFETY_FACTOR;
  let spent = 0;
  const left = () => (Date.now() >= wallLimit || shouldStop?.() ? 0 : Math.max(0, budgetMs - spent));
  const check = async (set: number[]): Promise<Checked> => {
    const pairs = { pairs: 0 };
    const counted = countingPrefix(problem, set, pairs);
    spent += pairs.pairs * PAIR_MS;
    if (counted) return { verdict: 'infeasible' };
    const nodes = { count: 0 };
    const exact = exactPacking(problem, set, nodes);
    spent += nodes.count * EXACT_MS_PER_NODE;
    if (exact.verdict !== 'unknown') return exact;
    const greedyWork = { pairs: 0 };
    const greedy = greedyPacking(problem, set, greedyWork);
    spent += greedyWork.pairs * PAIR_MS;
    if (greedy) return { verdict: 'feasible', packing: greedy };
    if (left() <= HIGHS_RUN_MS) return { verdict: 'unknown' };
    const model = feasibilityModel(problem, pool, set);
    const run = await runHighs(model, {
      timeLimitSec: Math.max(0.05, (wallLimit - Date.now()) / 1000),
      maxLpIterations: Math.max(1, Math.floor((left() - HIGHS_RUN_MS) / HIGHS_MIP_MS_PER_ITERATION)),
      ...(shouldStop ? { shouldStop } : {}),
    });
    spent += HIGHS_RUN_MS + (run.iterations ?? 0) * HIGHS_MIP_MS_PER_ITERATION;
    if (run.status === 'infeasible') return { verdict: 'infeasible' };
    if ((run.status === 'optimal' || run.status === 'feasible') && run.colValue) {
      const packing = new Map<number, number>();
      for (let c = 0; c < model.numCols; c++)
        if (run.colValue[c]! > 0.5) packing.set(set[model.xBlock[c]!]!, model.xRep[c]!);
      // HiGHS works in floating point within tolerances: a placement is used only when it holds in cents.
      return { verdict: 'feasible', ...(fitsExactly(problem, set, packing) ? { packing } : {}) };
    }
    return { verdict: 'unknown' };
  };
  return { check, left, charge: (ms) => (spent += ms) };
}

/** Every account of `set` placed on an eligible rep, every rep within its room, in exact cents. */
function fitsExactly(problem: Problem, set: number[], packing: Map<number, number>): boolean {
  const used = new Map<number, { count: number; cents: number }>();
  for (const k of set) {
    const r = packing.get(k);
    if (r === undefined || !eligibleReps(problem, k).includes(r)) return false;
    const u = used.get(r) ?? { count: 0, cents: 0 };
    u.count += 1;
    u.cents += revenue(problem, k);
    used.set(r, u);
  }
  for (const [r, u] of used) {
    const room = repRoom(problem, r);
    if (u.count > room.count || u.cents > room.cents) return false;
  }
  return true;
}

/**
 * A placement of `set` found greedily (largest first, each to the eligible rep with the most revenue room
 * left, then again to the one with the least that still fits), in exact cents; null when both get stuck
 * (which proves nothing).
 */
export function greedyPacking(
  problem: Problem,
  set: readonly number[],
  work: { pairs: number } = { pairs: 0 },
): Map<number, number> | null {
  const order = largestFirst(problem, set);
  for (const most of [true, false]) {
    const left = new Map<number, { count: number; cents: number }>();
    const packing = new Map<number, number>();
    for (const k of order) {
      const v = revenue(problem, k);
      let best = -1;
      let bestRoom = 0;
      for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) {
        const r = problem.eligRep[j]!;
        let l = left.get(r);
        if (!l) {
          l = repRoom(problem, r);
          left.set(r, l);
        }
        if (l.count < 1 || l.cents < v) continue;
        if (best < 0 || (most ? l.cents > bestRoom : l.cents < bestRoom)) {
          best = r;
          bestRoom = l.cents;
        }
      }
      work.pairs += problem.eligStart[k + 1]! - problem.eligStart[k]!;
      if (best < 0) break;
      const l = left.get(best)!;
      l.count -= 1;
      l.cents -= v;
      packing.set(k, best);
    }
    if (packing.size === order.length) return packing;
  }
  return null;
}

/**
 * Whether the accounts of `set` fit their eligible reps' room, by exhaustive search in exact cents; 'unknown'
 * when the search would be too long (then the MIP decides).
 */
export function exactPacking(problem: Problem, set: number[], work = { count: 0 }): Checked {
  if (set.length > 14) return { verdict: 'unknown' };
  const order = largestFirst(problem, set);
  const options = order.map((k) => eligibleReps(problem, k));
  const left = new Map<number, { count: number; cents: number }>();
  for (const reps of options) for (const r of reps) if (!left.has(r)) left.set(r, repRoom(problem, r));
  let nodes = 0;
  const chosen: number[] = [];
  const place = (i: number): boolean | null => {
    if (i === order.length) return true;
    if (++nodes > EXACT_MAX_NODES) return null;
    const cents = revenue(problem, order[i]!);
    const tried = new Set<string>();
    for (const r of options[i]!) {
      const l = left.get(r)!;
      if (l.count < 1 || l.cents < cents) continue;
      // Reps with the same room left are interchangeable for the rest of the search when eligibility agrees.
      const key = `${l.count}:${l.cents}:${options
        .slice(i + 1)
        .map((o) => (o.includes(r) ? 1 : 0))
        .join('')}`;
      if (tried.has(key)) continue;
      tried.add(key);
      l.count -= 1;
      l.cents -= cents;
      chosen[i] = r;
      const ok = place(i + 1);
      l.count += 1;
      l.cents += cents;
      if (ok !== false) return ok;
    }
    return false;
  };
  const found = place(0);
  work.count += nodes;
  if (found === null) return { verdict: 'unknown' };
  if (!found) return { verdict: 'infeasible' };
  return { verdict: 'feasible', packing: new Map(order.map((k, i) => [k, chosen[i]!])) };
}

/** Assignment rows for the accounts of `set`, count and revenue rows (their room) for their eligible reps. */
function feasibilityModel(problem: Problem, pool: Pool, set: number[]): MipModel {
  const reps = repsOf(problem, set);
  const slot = new Map(reps.map((r, i) => [r, i]));
  // Revenue in units of the largest room, so the coefficients stay O(1).
  const scale = set.reduce((m, k) => Math.max(m, revenue(problem, k)), 1);
  const rowEntries: { idx: number[]; val: number[] }[] = [
    ...set.map(() => ({ idx: [] as number[], val: [] as number[] })),
    ...reps.flatMap(() => [
      { idx: [] as number[], val: [] as number[] },
      { idx: [] as number[], val: [] as number[] },
    ]),
  ];
  const xBlock: number[] = [];
  const xRep: number[] = [];
  set.forEach((k, i) => {
    for (const r of eligibleReps(problem, k)) {
      const c = xBlock.length;
      xBlock.push(i);
      xRep.push(r);
      rowEntries[i]!.idx.push(c);
      rowEntries[i]!.val.push(1);
      const s = slot.get(r)!;
      rowEntries[set.length + 2 * s]!.idx.push(c);
      rowEntries[set.length + 2 * s]!.val.push(1);
      rowEntries[set.length + 2 * s + 1]!.idx.push(c);
      rowEntries[set.length + 2 * s + 1]!.val.push(revenue(problem, k) / scale);
    }
  });
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  for (const row of rowEntries) {
    for (const i of row.idx) rowIndex.push(i);
    for (const v of row.val) rowValue.push(v);
    rowStart.push(rowIndex.length);
  }
  const upper = [
    ...set.map(() => 1),
    ...reps.flatMap((r) => {
      const l = repRoom(problem, r);
      return [l.count, l.cents / scale];
    }),
  ];
  const n = xBlock.length;
  return {
    numCols: n,
    numRows: rowEntries.length,
    colCost: new Float64Array(n),
    colLower: new Float64Array(n),
    colUpper: new Float64Array(n).fill(1),
    integer: new Uint8Array(n).fill(1),
    rowStart,
    rowIndex,
    rowValue,
    rowLower: Float64Array.from(rowEntries, (_, i) => (i < set.length ? 1 : Number.NEGATIVE_INFINITY)),
    rowUpper: Float64Array.from(upper),
    offset: 0,
    xCols: n,
    xBlock: Int32Array.from(xBlock),
    xRep: Int32Array.from(xRep),
    xEnd: new Uint8Array(n),
    blocks: [],
    pool,
  };
}
