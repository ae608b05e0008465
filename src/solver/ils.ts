/**
 * Iterated local search for the L1 objective on one pool, built to scale: per-rep member lists, O(1)
 * incremental deltas for relocations and swaps, and a queue of "dirty" reps so that after a perturbation
 * only the moves touching changed reps are looked at again. Perturbations shuffle a few accounts among
 * two or three reps; the result is kept when the pool objective does not get worse, otherwise every move
 * is undone from a journal; large pools also move their whales (ils-whales.ts). Every move respects
 * eligibility, both caps (exact cents) and pins (pinned accounts are not variables). Budgets count move evaluations (seeded PRNG), so the same input gives the
 * same answer; an optional deadline only cuts the search short.
 */
import type { IlsOptions } from './ils-moves.ts';
import { IlsWhales } from './ils-whales.ts';
import type { Pool } from './problem.ts';
import { poolScore, type State } from './state.ts';

export type { IlsOptions } from './ils-moves.ts';

export interface IlsOutcome {
  before: number;
  after: number;
  iterations: number;
  work: number;
}

const EPS = 1e-12;

/** Whether the fast search applies: L1 objective and no new-hire "taken" cap. */
export function ilsApplies(state: State): boolean {
  const p = state.problem;
  return p.input.objective === 'l1' && !Number.isFinite(p.takenCap);
}

export function iteratedSearch(state: State, pool: Pool, options: IlsOptions): IlsOutcome {
  const before = poolScore(state, pool).objective;
  if (!ilsApplies(state) || pool.movable.length < 2 || pool.reps.length < 2 || options.work <= 0)
    return { before, after: before, iterations: 0, work: 0 };
  const search = new Ils(state, pool, options, before);
  const iterations = search.run();
  const after = poolScore(state, pool).objective;
  return { before, after, iterations, work: search.work };
}

/** The search's driver: perturbations, acceptance and the last pass. */
class Ils extends IlsWhales {
  /**
   * Perturb: a few random relocations and swaps between two reps (pairs measured best: three-rep
   * perturbations were 1-2 % worse at 1000x20 for the same work); the local search is then kept to them.
   */
  private perturbPair(): void {
    const { rand, reps, R, repLocal, memberArr, memberLen } = this;
    const m = 2;
    const chosen: number[] = [];
    while (chosen.length < m) {
      const r = reps[Math.floor(rand() * R)]!;
      if (!chosen.includes(r)) chosen.push(r);
    }
    this.allowed.fill(0);
    for (const r of chosen) this.allowed[repLocal[r]!] = 1;
    this.pairFirst = chosen[0]!;
    this.pairMate = chosen[1]!;
    const steps = 2 + Math.floor(rand() * 6);
    for (let s = 0; s < steps; s++) {
      const r1 = chosen[Math.floor(rand() * m)]!;
      let r2 = chosen[Math.floor(rand() * m)]!;
      if (r2 === r1) r2 = chosen[(chosen.indexOf(r1) + 1) % m]!;
      const j1 = repLocal[r1]!;
      if (memberLen[j1] === 0) continue;
      const i1 = memberArr[j1]![Math.floor(rand() * memberLen[j1]!)]!;
      this.work++;
      if (!this.eligible(i1, r2)) continue;
      const j2 = repLocal[r2]!;
      if (rand() < 0.5 || memberLen[j2] === 0) {
        if (!this.relocFits(i1, r2)) continue;
        this.cur += this.relocDelta(i1, r1, r2);
        this.moveTo(i1, r2);
      } else {
        const i2 = memberArr[j2]![Math.floor(rand() * memberLen[j2]!)]!;
        if (!this.eligible(i2, r1) || !this.swapFits(i1, r1, i2, r2)) continue;
        this.cur += this.swapDelta(i1, r1, i2, r2);
        this.moveTo(i1, r2);
        this.moveTo(i2, r1);
      }
      this.dirty(r1);
      this.dirty(r2);
    }
  }

  /** The search: a local search, iterations of perturbation and repair, then the best answer polished. */
  run(): number {
    for (const r of this.reps) this.dirty(r);
    this.localSearch();
    this.journal = [];
    let best = this.cur;
    let bestAssign = this.assignment();
    /** Record-to-record travel: an iteration may end this far above the best objective. */
    const slack = (this.options.slack ?? 0) * this.inv;
    let iterations = 0;
    const clockEvery = 16;
    const loopStart = this.work;
    let whaleWork = 0;
    while (this.work < this.limit) {
      if (iterations % clockEvery === 0 && (this.timeUp() || this.options.shouldStop?.())) break;
      if (this.options.target !== undefined && this.cur <= this.options.target) break;
      iterations++;
      this.work += this.R;
      const start = this.cur;
      this.journal = [];
      let feasible = true;
      if (this.whales.length > 0 && whaleWork <= this.whaleShare * (this.work - loopStart)) {
        const w0 = this.work;
        feasible = this.whaleMove();
        whaleWork += this.work - w0;
        if (feasible && this.cur < best - EPS) this.whaleKept();
      } else {
        this.perturbPair();
        this.localSearch();
      }
      if (feasible && this.cur < best - EPS) {
        if (this.whales.length > 0) this.findAway();
        best = this.cur;
        bestAssign = this.assignment();
        this.work += this.n;
        continue;
      }
      if (feasible && (this.cur <= start + EPS || this.cur <= best + slack)) continue;
      this.undo(start);
    }
    this.lastPass(best, bestAssign);
    return iterations;
  }

  /** Back to the best answer seen, then a last unrestricted pass. */
  private lastPass(best: number, bestAssign: Int32Array): void {
    this.pairMate = -1;
    for (let t = 0; t < this.n; t++)
      if (this.state.assign[this.list[t]!] !== bestAssign[t]) this.moveTo(t, bestAssign[t]!);
    this.cur = best;
    this.allowed.fill(1);
    this.queue.length = 0;
    this.queued.fill(0);
    for (const r of this.reps) this.dirty(r);
    // The last pass is bounded too: by n² (1e6 at least), and by a twentieth of the budget, so that a large
    // pool's pass (n² = 3.5e8 at 100000x300) cannot overrun the pool's share on the work clock and leave the
    // pools after it no time (pools up to 1,000 accounts are unchanged: their n² is under 1e6).
    const n = this.n;
    this.limit = this.work + Math.max(1e6, Math.min(n * n, this.options.work / 20));
    this.localSearch();
    this.limit = this.options.work;
  }
}
