/**
 * The release relaxation of an L1 pool too large for the per-pair LP (100000x300: 1.08M pairs a pool, whose
 * bucketed LP still had 222k columns). Continuity depends only on whether an account leaves its owner, not on
 * where it goes, so the model splits the two: one column per account for the share that leaves its owner
 * (costing its continuity), and the accounts that leave meet in classes of alike revenue (and the same
 * eligible reps), from which each rep takes a count valued at the class's smallest and at its largest
 * revenue (two columns per class and rep, as the buckets do, bucket.ts). Every integer assignment is a point
 * of it with the same objective — an account away from its owner is released, and what a rep receives of a
 * class has a revenue between the class's ends times their count — so its LP optimum is a proven lower bound;
 * with about 18k + 2 · classes · reps columns (and 500 rows) HiGHS solves it in seconds where the per-pair LP
 * did not finish. A basic optimum releases whole accounts but for a few, and says how many of each class each
 * rep takes: `releaseStart` deals that out as a start for the iterated search.
 */
import { type MipModel, repLoadColumns } from './model.ts';
import type { Pool, Problem } from './problem.ts';
import { cheapestFittingRep, withPoolCleared } from './rounding.ts';
import { type SparseBuilder, sparseBuilder } from './sparse-model.ts';
import { fits, isEligible, place, type State } from './state.ts';

/** Width of a revenue class: its largest account is at most this factor above its smallest. */
const CLASS_RATIO = 1.1;

export interface ReleaseClass {
  positions: number[];
  reps: number[];
  lo: number;
  hi: number;
  /** Per rep of `reps`: its column valued at lo, and at hi (-1 when lo = hi). */
  loCol: number[];
  hiCol: number[];
}

export interface ReleaseModel {
  model: MipModel;
  /** Per movable position (problem-wide): its release column, or -1 (not in the pool, or it cannot stay). */
  releaseCol: Int32Array;
  classes: ReleaseClass[];
  /** Continuity of the accounts that cannot stay with their owner: a constant of the objective. */
  constant: number;
}

/** Whether movable position k may stay with its owner (a staying rep of the pool it is eligible for). */
export function canStay(problem: Problem, pool: Pool, k: number): boolean {
  const o = problem.owner[problem.movable[k]!]!;
  return (
    o >= 0 &&
    pool.reps.includes(o) &&
    !problem.reps[o]!.departing &&
    problem.moveCost[k]! > 0 &&
    isEligible(problem, k, o)
  );
}

function classesOf(problem: Problem, pool: Pool): { positions: number[]; reps: number[] }[] {
  const groups = new Map<string, { positions: number[]; reps: number[] }>();
  const logRatio = Math.log(CLASS_RATIO);
  const sorted = [...pool.movable].sort((a, b) => problem.unit[a]! - problem.unit[b]! || a - b);
  for (const k of sorted) {
    const u = problem.unit[k]!;
    const reps: number[] = [];
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) reps.push(problem.eligRep[j]!);
    const key = `${u > 0 ? Math.floor(Math.log(u) / logRatio) : 'zero'}|${reps.join(',')}`;
    let g = groups.get(key);
    if (!g) {
      g = { positions: [], reps };
      groups.set(key, g);
    }
    g.positions.push(k);
  }
  return [...groups.values()];
}

export interface ReleaseModelOptions {
  /** The count-rounding cuts of model.ts (default on). */
  countCuts?: boolean;
}

export function buildReleaseModel(
  problem: Problem,
  pool: Pool,
  { countCuts = true }: ReleaseModelOptions = {},
): ReleaseModel {
  const m = sparseBuilder(true);
  const slot = new Map<number, number>();
  pool.reps.forEach((r, i) => {
    slot.set(r, i);
  });
  // Rep rows: Σ(what it keeps and receives) − N_r = −fixed; the kept part is (own accounts) − released.
  const countRow = pool.reps.map((r) => m.newRow(-problem.fixedCount[r]!, -problem.fixedCount[r]!));
  const unitRow = pool.reps.map((r) => m.newRow(-problem.fixedUnits[r]!, -problem.fixedUnits[r]!));
  const groups = classesOf(problem, pool);
  // Class rows: what the reps take of a class = what leaves its owners (constants: those that must leave).
  const rows: ReleaseRows = {
    m,
    slot,
    countRow,
    unitRow,
    classCount: groups.map(() => m.newRow(0, 0)),
    classUnits: groups.map(() => m.newRow(0, 0)),
  };
  const { releaseCol, constant } = releaseColumns(problem, pool, rows, groups);
  const classes = groups.map((g, gi) => classColumns(problem, rows, g, gi));
  const inv = 1 / pool.meanCount;
  pool.reps.forEach((r, s) => {
    repLoadColumns(problem, r, m, countRow[s]!, unitRow[s]!, inv, countCuts);
  });
  const model: MipModel = {
    ...m.pack(),
    offset: constant,
    xCols: 0,
    xBlock: new Int32Array(0),
    xRep: new Int32Array(0),
    xEnd: new Uint8Array(0),
    blocks: [],
    pool,
  };
  return { model, releaseCol, classes, constant };
}

/** The release relaxation's rows: per rep (by slot) its count and revenue, per class what leaves for it. */
interface ReleaseRows {
  m: SparseBuilder;
  slot: Map<number, number>;
  countRow: number[];
  unitRow: number[];
  classCount: number[];
  classUnits: number[];
}

/**
 * Per account that may stay, its release column: kept, it counts on its owner (a constant, less the released
 * share); released, it enters its class. An account that cannot stay is a constant of its class and of the
 * objective (its continuity). Sets the rep and class rows' bounds.
 */
function releaseColumns(
  problem: Problem,
  pool: Pool,
  { m, slot, countRow, unitRow, classCount, classUnits }: ReleaseRows,
  groups: { positions: number[]; reps: number[] }[],
): { releaseCol: Int32Array; constant: number } {
  const releaseCol = new Int32Array(problem.movable.length).fill(-1);
  let constant = 0;
  groups.forEach((g, gi) => {
    for (const k of g.positions) {
      const u = problem.unit[k]!;
      if (!canStay(problem, pool, k)) {
        m.row(classCount[gi]!).lo -= 1;
        m.row(classUnits[gi]!).lo -= u;
        constant += problem.moveCost[k]!;
        continue;
      }
      const o = problem.owner[problem.movable[k]!]!;
      const c = m.newCol(problem.moveCost[k]!, 0, 1);
      releaseCol[k] = c;
      m.put(classCount[gi]!, c, 1);
      m.put(classUnits[gi]!, c, u);
      // Kept: counted on the owner as a constant, less the released share.
      m.row(countRow[slot.get(o)!]!).lo -= 1;
      m.row(unitRow[slot.get(o)!]!).lo -= u;
      m.put(countRow[slot.get(o)!]!, c, -1);
      m.put(unitRow[slot.get(o)!]!, c, -u);
    }
    m.row(classCount[gi]!).hi = m.row(classCount[gi]!).lo;
    m.row(classUnits[gi]!).hi = m.row(classUnits[gi]!).lo;
  });
  for (const row of [...countRow, ...unitRow]) m.row(row).hi = m.row(row).lo;
  return { releaseCol, constant };
}

/** A class's columns: per eligible rep, the count it takes valued at the class's smallest and largest revenue. */
function classColumns(
  problem: Problem,
  { m, slot, countRow, unitRow, classCount, classUnits }: ReleaseRows,
  g: { positions: number[]; reps: number[] },
  gi: number,
): ReleaseClass {
  const lo = problem.unit[g.positions[0]!]!;
  const hi = problem.unit[g.positions[g.positions.length - 1]!]!;
  const loCol: number[] = [];
  const hiCol: number[] = [];
  for (const r of g.reps) {
    const s = slot.get(r)!;
    const ends = hi > lo ? [lo, hi] : [lo];
    const cols = ends.map((u) => {
      const c = m.newCol(0, 0, g.positions.length);
      m.put(classCount[gi]!, c, -1);
      m.put(classUnits[gi]!, c, -u);
      m.put(countRow[s]!, c, 1);
      m.put(unitRow[s]!, c, u);
      return c;
    });
    loCol.push(cols[0]!);
    hiCol.push(cols[1] ?? -1);
  }
  return { positions: g.positions, reps: g.reps, lo, hi, loCol, hiCol };
}

/**
 * The LP answer as accounts: those it keeps (released share under a half) stay with their owner where the
 * caps let them; each class's released accounts (largest classes first), largest first, go to the rep with
 * the most of the class's revenue share left among those with a whole account of its count share left, else
 * to the fitting rep that costs least. Returns a copy of `state` with the pool placed, or null when an
 * account fits nowhere.
 */
export function releaseStart(
  state: State,
  pool: Pool,
  rm: ReleaseModel,
  colValue: ArrayLike<number>,
): State | null {
  return dealReleased(state, pool, rm, colValue, false) ?? dealReleased(state, pool, rm, colValue, true);
}

/**
 * `soon`: an account without a whole share goes to its rep at once, while the smaller accounts have not
 * taken the room a large one needs (20000x100's South: the deferred whales fitted nowhere); else such accounts
 * go last, largest first, where every rep's load is known (100000x300's West: a start of 2.77 against 5.77).
 */
function dealReleased(
  state: State,
  pool: Pool,
  rm: ReleaseModel,
  colValue: ArrayLike<number>,
  soon: boolean,
): State | null {
  const p = state.problem;
  const next = withPoolCleared(state, pool);
  const released = new Uint8Array(p.movable.length);
  for (const k of pool.movable) {
    const c = rm.releaseCol[k]!;
    const o = p.owner[p.movable[k]!]!;
    if (c >= 0 && colValue[c]! < 0.5 && fits(next, k, o)) place(next, k, o);
    else released[k] = 1;
  }
  const leftover: number[] = [];
  // Largest classes first (they were built smallest first).
  for (let ci = rm.classes.length - 1; ci >= 0; ci--) {
    const cls = rm.classes[ci]!;
    const share = cls.reps.map((r, i) => {
      const lo = colValue[cls.loCol[i]!]!;
      const hi = cls.hiCol[i]! >= 0 ? colValue[cls.hiCol[i]!]! : 0;
      const n = lo + hi;
      const whole = Math.floor(n + 1e-6);
      const u = cls.lo * lo + cls.hi * hi;
      return { r, n: whole, u: n > 0 ? (u * whole) / n : 0 };
    });
    for (let t = cls.positions.length - 1; t >= 0; t--) {
      const k = cls.positions[t]!;
      if (!released[k]) continue;
      let best = -1;
      let bestLeft = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < share.length; i++) {
        const s = share[i]!;
        if (s.n < 1 || s.u <= bestLeft || !fits(next, k, s.r)) continue;
        bestLeft = s.u;
        best = i;
      }
      if (best >= 0) {
        place(next, k, share[best]!.r);
        share[best]!.n -= 1;
        share[best]!.u -= p.unit[k]!;
      } else if (!soon) leftover.push(k);
      else if (!placeCheapest(next, pool, k)) return null;
    }
  }
  leftover.sort((a, b) => p.unit[b]! - p.unit[a]! || a - b);
  for (const k of leftover) if (!placeCheapest(next, pool, k)) return null;
  return next;
}

function placeCheapest(state: State, pool: Pool, k: number): boolean {
  const r = cheapestFittingRep(state, pool, k);
  if (r >= 0) place(state, k, r);
  return r >= 0;
}
