/**
 * Iterated local search for the L1 objective on one pool, built to scale: per-rep member lists, O(1)
 * incremental deltas for relocations and swaps, and a queue of "dirty" reps so that after a perturbation
 * only the moves touching changed reps are looked at again. Perturbations shuffle a few accounts among
 * two or three reps; the result is kept when the pool objective does not get worse, otherwise every move
 * is undone from a journal. Every move respects eligibility, both caps (exact cents) and pins (pinned
 * accounts are not variables). Budgets count move evaluations (seeded PRNG), so the same input gives the
 * same answer; an optional deadline only cuts the search short.
 */
import { mulberry32 } from './prng.ts';
import type { Pool } from './problem.ts';
import { isEligible, place, poolScore, type State, unplace } from './state.ts';

export interface IlsOptions {
  seed: number;
  /** Move evaluations allowed (local search and perturbations together). */
  work: number;
  /** Wall-clock deadline (ms since epoch): the search stops early when it passes. */
  deadline?: number;
  /** Exhaustive swap partners up to this many movable accounts; sampled partners above. */
  exhaustiveSwapMax?: number;
  /** Record-to-record travel: accept an iteration ending up to slack / mean count above the best. */
  slack?: number;
  /** Stop once the pool objective is at or below this (e.g. within a gap of a known bound). */
  target?: number;
  /** Polled with the clock: true stops the search (cancellation). */
  shouldStop?: () => boolean;
}

export interface IlsOutcome {
  before: number;
  after: number;
  iterations: number;
  work: number;
}

const EPS = 1e-12;
/** Sampled swap partners per other rep when the pool is too large for exhaustive swaps. */
const SAMPLED_PARTNERS = 24;

/** Whether the fast search applies: L1 objective and no new-hire "taken" cap. */
export function ilsApplies(state: State): boolean {
  const p = state.problem;
  return p.input.objective === 'l1' && !Number.isFinite(p.takenCap);
}

export function iteratedSearch(state: State, pool: Pool, opts: IlsOptions): IlsOutcome {
  let options = opts;
  const p = state.problem;
  const before = poolScore(state, pool).objective;
  const list = pool.movable;
  const n = list.length;
  const R = pool.reps.length;
  if (!ilsApplies(state) || n < 2 || R < 2 || options.work <= 0)
    return { before, after: before, iterations: 0, work: 0 };

  const inv = 1 / pool.meanCount;
  const { assign, count, units, cents } = state;
  const tc = p.targetCount;
  const tu = p.targetUnits;
  const capC = p.capCount;
  const capV = p.capRevenueCents;
  const reps = pool.reps;
  const repLocal = new Int32Array(p.reps.length).fill(-1);
  reps.forEach((r, j) => {
    repLocal[r] = j;
  });
  const unitL = new Float64Array(n);
  const revL = new Float64Array(n);
  const lam = new Float64Array(n);
  const ownerL = new Int32Array(n);
  const allElig = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = list[i]!;
    unitL[i] = p.unit[k]!;
    revL[i] = p.accounts[p.movable[k]!]!.revenueCents;
    lam[i] = p.moveCost[k]!;
    ownerL[i] = p.owner[p.movable[k]!]!;
    allElig[i] = p.eligStart[k + 1]! - p.eligStart[k]! === R ? 1 : 0;
  }
  let maxLam = 0;
  for (let i = 0; i < n; i++) if (lam[i]! > maxLam) maxLam = lam[i]!;
  const eligible = (i: number, r: number) => allElig[i] === 1 || isEligible(p, list[i]!, r);
  const cost = (i: number, r: number) => (r === ownerL[i] ? 0 : lam[i]!);

  // Members of each rep (positions i into list) with O(1) removal.
  const memberArr: Int32Array[] = reps.map(() => new Int32Array(n));
  const memberLen = new Int32Array(R);
  const slot = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = repLocal[assign[list[i]!]!]!;
    slot[i] = memberLen[j]!;
    memberArr[j]![memberLen[j]!++] = i;
  }
  // Journal of applied moves (position, rep it left) for undoing a rejected iteration.
  let journal: number[] = [];
  const moveTo = (i: number, to: number) => {
    const k = list[i]!;
    const from = assign[k]!;
    const jf = repLocal[from]!;
    const arr = memberArr[jf]!;
    const last = arr[--memberLen[jf]!]!;
    arr[slot[i]!] = last;
    slot[last] = slot[i]!;
    unplace(state, k);
    place(state, k, to);
    const jt = repLocal[to]!;
    slot[i] = memberLen[jt]!;
    memberArr[jt]![memberLen[jt]!++] = i;
    journal.push(i, from);
  };

  const relocDelta = (i: number, from: number, to: number): number => {
    const u = unitL[i]!;
    const nF = count[from]!;
    const vF = units[from]!;
    const nT = count[to]!;
    const vT = units[to]!;
    const d =
      Math.abs(nF - 1 - tc[from]!) -
      Math.abs(nF - tc[from]!) +
      Math.abs(vF - u - tu[from]!) -
      Math.abs(vF - tu[from]!) +
      Math.abs(nT + 1 - tc[to]!) -
      Math.abs(nT - tc[to]!) +
      Math.abs(vT + u - tu[to]!) -
      Math.abs(vT - tu[to]!);
    return d * inv + cost(i, to) - cost(i, from);
  };
  const relocFits = (i: number, to: number) =>
    count[to]! + 1 <= capC[to]! && cents[to]! + revL[i]! <= capV[to]!;
  const swapDelta = (i1: number, r1: number, i2: number, r2: number): number => {
    const du = unitL[i1]! - unitL[i2]!;
    const v1 = units[r1]!;
    const v2 = units[r2]!;
    return (
      (Math.abs(v1 - du - tu[r1]!) -
        Math.abs(v1 - tu[r1]!) +
        Math.abs(v2 + du - tu[r2]!) -
        Math.abs(v2 - tu[r2]!)) *
        inv +
      cost(i1, r2) -
      cost(i1, r1) +
      cost(i2, r1) -
      cost(i2, r2)
    );
  };
  const swapFits = (i1: number, r1: number, i2: number, r2: number) => {
    const dc = revL[i1]! - revL[i2]!;
    return cents[r1]! - dc <= capV[r1]! && cents[r2]! + dc <= capV[r2]!;
  };

  const rand = mulberry32(options.seed);
  const exhaustive = n <= (options.exhaustiveSwapMax ?? 1500);
  let work = 0;
  let cur = before;

  // Queue of reps whose load changed.
  const queued = new Uint8Array(R);
  /** Reps the local search may move accounts between (all, or the perturbed ones). */
  const allowed = new Uint8Array(R).fill(1);
  /** While a perturbation is restricted to a pair of reps: the pair (else -1). */
  let pairFirst = -1;
  let pairMate = -1;
  const queue: number[] = [];
  const dirty = (r: number) => {
    const j = repLocal[r]!;
    if (!queued[j]) {
      queued[j] = 1;
      queue.push(j);
    }
  };

  /** Best improving move of account i (relocation or swap), applied; true when it moved. */
  const improveAccount = (i: number): boolean => {
    const k = list[i]!;
    const r1 = assign[k]!;
    let bestD = -1e-10;
    let bestTo = -1;
    let bestPartner = -1;
    for (let j = p.eligStart[k]!; j < p.eligStart[k + 1]!; j++) {
      const r2 = p.eligRep[j]!;
      if (r2 === r1 || !allowed[repLocal[r2]!]) continue;
      work++;
      if (relocFits(i, r2)) {
        const d = relocDelta(i, r1, r2);
        if (d < bestD) {
          bestD = d;
          bestTo = r2;
          bestPartner = -1;
        }
      }
      // Swaps with accounts of r2: skip the rep when no partner can beat the best move so far.
      const e1 = units[r1]! - tu[r1]!;
      const e2 = units[r2]! - tu[r2]!;
      const revenueGain = e1 * e2 < 0 ? 2 * Math.min(Math.abs(e1), Math.abs(e2)) : 0;
      const ci = cost(i, r2) - cost(i, r1);
      if (-revenueGain * inv + ci - maxLam >= bestD) continue;
      const j2 = repLocal[r2]!;
      const arr = memberArr[j2]!;
      const len = memberLen[j2]!;
      const tries = exhaustive ? len : Math.min(len, SAMPLED_PARTNERS);
      const ui = unitL[i]!;
      const base = -Math.abs(e1) - Math.abs(e2);
      for (let t = 0; t < tries; t++) {
        const i2 = exhaustive ? arr[t]! : arr[Math.floor(rand() * len)]!;
        const du = ui - unitL[i2]!;
        const o2 = ownerL[i2]!;
        const c2 = o2 === r1 ? -lam[i2]! : o2 === r2 ? lam[i2]! : 0;
        const d = (Math.abs(e1 - du) + Math.abs(e2 + du) + base) * inv + ci + c2;
        if (d < bestD && eligible(i2, r1) && swapFits(i, r1, i2, r2)) {
          bestD = d;
          bestTo = r2;
          bestPartner = i2;
        }
      }
      work += tries;
    }
    if (bestTo < 0) return false;
    moveTo(i, bestTo);
    if (bestPartner >= 0) moveTo(bestPartner, r1);
    cur += bestD;
    dirty(r1);
    dirty(bestTo);
    return true;
  };

  const localSearch = () => {
    while (queue.length > 0 && work < options.work) {
      if (options.deadline !== undefined && Date.now() >= options.deadline) return;
      const j = queue.shift()!;
      queued[j] = 0;
      if (pairMate >= 0) {
        // Two reps only: one pass over either covers every move between them.
        const mate = repLocal[reps[j] === pairMate ? pairFirst : pairMate]!;
        if (queued[mate]) {
          queued[mate] = 0;
          queue.splice(queue.indexOf(mate), 1);
        }
      }
      const r = reps[j]!;
      // Accounts on r: their best relocation or swap.
      const snapshot = memberArr[j]!.slice(0, memberLen[j]!);
      // Work counts what the search touches, copies included, so work tracks time alike at every size.
      work += snapshot.length + R;
      for (const i of snapshot) {
        if (assign[list[i]!] !== r) continue;
        improveAccount(i);
        if (work >= options.work) return;
      }
      // Accounts elsewhere that r could now take.
      for (let jo = 0; jo < R; jo++) {
        if (jo === j || !allowed[jo]) continue;
        const others = memberArr[jo]!.slice(0, memberLen[jo]!);
        work += others.length;
        const from = reps[jo]!;
        for (const i of others) {
          if (assign[list[i]!] !== from) continue;
          work++;
          if (!eligible(i, r) || !relocFits(i, r)) continue;
          const d = relocDelta(i, from, r);
          if (d < -1e-10) {
            moveTo(i, r);
            cur += d;
            dirty(from);
            dirty(r);
          }
        }
      }
    }
  };

  for (const r of reps) dirty(r);
  localSearch();
  journal = [];
  let best = cur;
  const bestAssign = new Int32Array(n);
  for (let t = 0; t < n; t++) bestAssign[t] = assign[list[t]!]!;
  /** Record-to-record travel: an iteration may end this far above the best objective. */
  const slack = (options.slack ?? 0) * inv;
  let iterations = 0;
  const clockEvery = 16;
  while (work < options.work) {
    if (
      iterations % clockEvery === 0 &&
      ((options.deadline !== undefined && Date.now() >= options.deadline) || options.shouldStop?.())
    )
      break;
    if (options.target !== undefined && cur <= options.target) break;
    iterations++;
    work += R;
    const start = cur;
    journal = [];
    // Perturb: a few random relocations and swaps between two reps (pairs measured best: three-rep
    // perturbations were 1-2 % worse at 1000x20 for the same work).
    const m = 2;
    const chosen: number[] = [];
    while (chosen.length < m) {
      const r = reps[Math.floor(rand() * R)]!;
      if (!chosen.includes(r)) chosen.push(r);
    }
    allowed.fill(0);
    for (const r of chosen) allowed[repLocal[r]!] = 1;
    pairFirst = chosen[0]!;
    pairMate = chosen[1]!;
    const steps = 2 + Math.floor(rand() * 6);
    for (let s = 0; s < steps; s++) {
      const r1 = chosen[Math.floor(rand() * m)]!;
      let r2 = chosen[Math.floor(rand() * m)]!;
      if (r2 === r1) r2 = chosen[(chosen.indexOf(r1) + 1) % m]!;
      const j1 = repLocal[r1]!;
      if (memberLen[j1] === 0) continue;
      const i1 = memberArr[j1]![Math.floor(rand() * memberLen[j1]!)]!;
      work++;
      if (!eligible(i1, r2)) continue;
      const j2 = repLocal[r2]!;
      if (rand() < 0.5 || memberLen[j2] === 0) {
        if (!relocFits(i1, r2)) continue;
        cur += relocDelta(i1, r1, r2);
        moveTo(i1, r2);
      } else {
        const i2 = memberArr[j2]![Math.floor(rand() * memberLen[j2]!)]!;
        if (!eligible(i2, r1) || !swapFits(i1, r1, i2, r2)) continue;
        cur += swapDelta(i1, r1, i2, r2);
        moveTo(i1, r2);
        moveTo(i2, r1);
      }
      dirty(r1);
      dirty(r2);
    }
    localSearch();
    if (cur < best - EPS) {
      best = cur;
      for (let t = 0; t < n; t++) bestAssign[t] = assign[list[t]!]!;
      work += n;
      continue;
    }
    if (cur <= start + EPS || cur <= best + slack) continue;
    // Worse: undo every move of this iteration, newest first.
    const undo = journal;
    journal = [];
    for (let t = undo.length - 2; t >= 0; t -= 2) moveTo(undo[t]!, undo[t + 1]!);
    cur = start;
    queue.length = 0;
    queued.fill(0);
    work += undo.length + R;
  }
  pairMate = -1;
  // Back to the best answer seen, then a last unrestricted pass.
  for (let t = 0; t < n; t++) if (assign[list[t]!] !== bestAssign[t]) moveTo(t, bestAssign[t]!);
  cur = best;
  allowed.fill(1);
  queue.length = 0;
  queued.fill(0);
  for (const r of reps) dirty(r);
  const limit = options.work;
  // The last pass is bounded too: by n² (1e6 at least), and by a twentieth of the budget, so that a large
  // pool's pass (n² = 3.5e8 at 100000x300) cannot overrun the pool's share on the work clock and leave the
  // pools after it no time (pools up to 1,000 accounts are unchanged: their n² is under 1e6).
  options = { ...options, work: work + Math.max(1e6, Math.min(n * n, limit / 20)) };
  localSearch();
  options = { ...options, work: limit };
  const after = poolScore(state, pool).objective;
  return { before, after, iterations, work };
}
