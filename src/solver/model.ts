/**
 * The one model builder: the integer program of a pool as a generic sparse model that every exact
 * engine is fed from (HiGHS as CSC arrays, javascript-lp-solver as its JSON, CPLEX LP text for people).
 * Columns are "blocks": a single account (binary) or, when aggregated, a group of alike accounts
 * (integer count per rep). Revenue is in the pool's mean-account units so coefficients stay O(1).
 */
import type { Pool, Problem } from './problem.ts';
import { type SparseArrays, type SparseBuilder, sparseBuilder } from './sparse-model.ts';
import { countsAsTaken, type State } from './state.ts';

/** A set of movable positions that share owner, eligible reps and (roughly) revenue. */
export interface Block {
  positions: number[];
  /** Eligible reps (sorted). */
  reps: number[];
  /** Mean revenue of one account of the block, in mean-account units. */
  unit: number;
  /** Mean continuity cost of one account leaving its owner (0 when the owner departs). */
  moveCost: number;
  /** The owner (-1 none), and the owner whose new-hire "taken" cap a move counts against (-1 none). */
  owner: number;
  takenFrom: number;
  /**
   * A bucket (bucket.ts) in the relaxation: its accounts' revenue lies in [lo, hi] units and adds up to
   * `total`; each account costs `costPerAccount + costPerUnit · u` to move. Each rep gets two continuous
   * columns, accounts valued at lo and at hi, whose mixes cover every subset of the bucket exactly.
   */
  range?: { lo: number; hi: number; total: number; costPerAccount: number; costPerUnit: number };
}

/** A pool model: the sparse arrays every engine reads, and how its x columns map to blocks and reps. */
export interface MipModel extends SparseArrays {
  /** Constant part of the objective. */
  offset: number;
  /** Per x column: its block and rep; x columns are 0..xCols-1. */
  xCols: number;
  xBlock: Int32Array;
  xRep: Int32Array;
  /** Per x column of a bucket: 0 for its accounts valued at lo, 1 at hi (0 for other blocks). */
  xEnd: Uint8Array;
  blocks: Block[];
  pool: Pool;
}

/** Slack below a revenue cap so solver tolerances can never push an answer over it in exact cents. */
const CAP_MARGIN = 1e-6;

export function singleBlocks(problem: Problem, pool: Pool): Block[] {
  return pool.movable.map((k) => {
    const reps: number[] = [];
    for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) reps.push(problem.eligRep[j]!);
    const owner = problem.owner[problem.movable[k]!]!;
    return {
      positions: [k],
      reps,
      unit: problem.unit[k]!,
      moveCost: problem.moveCost[k]!,
      owner,
      takenFrom: countsAsTaken(problem, k),
    };
  });
}

/** What the x columns of a pool model enter: their block's row, a bucket's revenue row, their rep's rows. */
interface XColumns {
  m: SparseBuilder;
  repSlot: Map<number, number>;
  bucketRow: number[];
  countRow: number[];
  unitRow: number[];
  xBlock: number[];
  xRep: number[];
  xEnd: number[];
}

export function buildPoolModel(
  problem: Problem,
  pool: Pool,
  blocks: Block[],
  { countCuts = true }: { countCuts?: boolean } = {},
): MipModel {
  const m = sparseBuilder(false);
  const repSlot = new Map<number, number>();
  pool.reps.forEach((r, i) => {
    repSlot.set(r, i);
  });
  // Rows: one assignment row per block, then per rep a count row and a revenue row.
  for (const b of blocks) m.newRow(b.positions.length, b.positions.length);
  // Buckets: their revenue is split among the reps, all of it.
  const bucketRow = blocks.map((b) => (b.range ? m.newRow(b.range.total, b.range.total) : -1));
  const countRow = pool.reps.map((r) => m.newRow(-problem.fixedCount[r]!, -problem.fixedCount[r]!));
  const unitRow = pool.reps.map((r) => m.newRow(-problem.fixedUnits[r]!, -problem.fixedUnits[r]!));
  const x: XColumns = { m, repSlot, bucketRow, countRow, unitRow, xBlock: [], xRep: [], xEnd: [] };
  const takenRows = new Map<number, number>();
  blocks.forEach((b, bi) => {
    if (b.range) bucketColumns(x, b, bi);
    else blockColumns(problem, x, b, bi, takenRows);
  });
  for (const [owner, row] of takenRows) {
    let n = 0;
    for (const b of blocks) if (b.takenFrom === owner) n += b.positions.length;
    m.row(row).hi = problem.takenCap - n;
  }
  const xCols = m.numCols();
  loadAndDeviationColumns(problem, pool, m, countRow, unitRow, countCuts);
  return {
    ...m.pack(),
    offset: 0,
    xCols,
    xBlock: Int32Array.from(x.xBlock),
    xRep: Int32Array.from(x.xRep),
    xEnd: Uint8Array.from(x.xEnd),
    blocks,
    pool,
  };
}

/** A bucket's continuous columns: per rep, its accounts valued at lo and at hi (one column when lo = hi). */
function bucketColumns(x: XColumns, b: Block, bi: number): void {
  const range = b.range!;
  for (const r of b.reps) {
    const slot = x.repSlot.get(r)!;
    for (const [end, u] of [range.lo, range.hi].entries()) {
      if (end === 1 && range.hi === range.lo) break;
      const cost = r === b.owner ? 0 : range.costPerAccount + range.costPerUnit * u;
      const c = x.m.newCol(cost, 0, b.positions.length, false);
      x.xBlock.push(bi);
      x.xRep.push(r);
      x.xEnd.push(end);
      x.m.put(bi, c, 1);
      if (u !== 0) x.m.put(x.bucketRow[bi]!, c, u);
      x.m.put(x.countRow[slot]!, c, 1);
      if (u !== 0) x.m.put(x.unitRow[slot]!, c, u);
    }
  }
}

/** A block's integer columns, one per eligible rep; one on a new hire's source rep enters its "taken" row. */
function blockColumns(
  problem: Problem,
  x: XColumns,
  b: Block,
  bi: number,
  takenRows: Map<number, number>,
): void {
  for (const r of b.reps) {
    const c = x.m.newCol(r === b.owner ? 0 : b.moveCost, 0, b.positions.length, true);
    x.xBlock.push(bi);
    x.xRep.push(r);
    x.xEnd.push(0);
    x.m.put(bi, c, 1);
    const slot = x.repSlot.get(r)!;
    x.m.put(x.countRow[slot]!, c, 1);
    if (b.unit !== 0) x.m.put(x.unitRow[slot]!, c, b.unit);
    if (b.takenFrom >= 0 && r === b.takenFrom) {
      // Σ over the owner's accounts of (1 - x_owner) <= cap  ⇔  -Σ x_owner <= cap - n_owner (n_owner set after)
      let row = takenRows.get(b.takenFrom);
      if (row === undefined) {
        row = x.m.newRow(Number.NEGATIVE_INFINITY, problem.takenCap);
        takenRows.set(b.takenFrom, row);
      }
      x.m.put(row, c, -1);
    }
  }
}

/** For minimax, the two maxima columns first; then per rep its loads and deviations, and the rows bounding the maxima. */
function loadAndDeviationColumns(
  problem: Problem,
  pool: Pool,
  m: SparseBuilder,
  countRow: number[],
  unitRow: number[],
  countCuts: boolean,
): void {
  const minimax = problem.input.objective === 'minimax';
  const inv = 1 / pool.meanCount;
  let zc = -1;
  let zv = -1;
  if (minimax) {
    zc = m.newCol(inv, 0, Number.POSITIVE_INFINITY);
    zv = m.newCol(inv, 0, Number.POSITIVE_INFINITY);
  }
  const devCost = minimax ? 0.01 * inv : inv;
  pool.reps.forEach((r, slot) => {
    const dev = repLoadColumns(problem, r, m, countRow[slot]!, unitRow[slot]!, devCost, countCuts);
    if (minimax) {
      const mc = m.newRow(Number.NEGATIVE_INFINITY, 0);
      m.put(mc, dev[0]!, 1);
      m.put(mc, dev[1]!, 1);
      m.put(mc, zc, -1);
      const mv = m.newRow(Number.NEGATIVE_INFINITY, 0);
      m.put(mv, dev[2]!, 1);
      m.put(mv, dev[3]!, 1);
      m.put(mv, zv, -1);
    }
  });
}

/**
 * A rep's load columns N_r, V_r with the caps as bounds (entering its count and revenue rows), and its four
 * deviation columns around the targets with their rows (targetRows); returns the deviation columns. Shared by
 * the pool MIP and the release relaxation (release-model.ts).
 */
export function repLoadColumns(
  problem: Problem,
  r: number,
  m: SparseBuilder,
  countRow: number,
  unitRow: number,
  devCost: number,
  countCuts: boolean,
): number[] {
  const n = m.newCol(0, 0, problem.capCount[r]!);
  const capU = problem.capUnits[r]!;
  const v = m.newCol(
    0,
    Number.NEGATIVE_INFINITY,
    Number.isFinite(capU) ? Math.max(problem.fixedUnits[r]!, capU - CAP_MARGIN) : Number.POSITIVE_INFINITY,
  );
  m.put(countRow, n, -1);
  m.put(unitRow, v, -1);
  const dev = [0, 1, 2, 3].map(() => m.newCol(devCost, 0, Number.POSITIVE_INFINITY));
  targetRows(problem, r, n, v, dev, countCuts, m.newRow, m.put);
  return dev;
}

/** Every column's value for a complete assignment (a warm start): x counts, loads, deviations, maxima. */
export function startValues(model: MipModel, state: State): Float64Array {
  const problem = state.problem;
  const values = new Float64Array(model.numCols);
  for (let c = 0; c < model.xCols; c++) {
    const b = model.blocks[model.xBlock[c]!]!;
    let n = 0;
    let u = 0;
    for (const k of b.positions)
      if (state.assign[k] === model.xRep[c]) {
        n++;
        u += problem.unit[k]!;
      }
    const range = b.range;
    if (range && range.hi > range.lo) {
      // The rep's accounts of the bucket as a mix of lo- and hi-valued ones with the same count and revenue.
      const hiShare = Math.min(n, Math.max(0, (u - range.lo * n) / (range.hi - range.lo)));
      values[c] = model.xEnd[c] === 1 ? hiShare : n - hiShare;
    } else values[c] = n;
  }
  const minimax = problem.input.objective === 'minimax';
  let col = model.xCols + (minimax ? 2 : 0);
  let maxC = 0;
  let maxV = 0;
  for (const r of model.pool.reps) {
    const n = state.count[r]!;
    const v = state.units[r]!;
    const dc = n - problem.targetCount[r]!;
    const dv = v - problem.targetUnits[r]!;
    values[col] = n;
    values[col + 1] = v;
    values[col + 2] = Math.max(0, dc);
    values[col + 3] = Math.max(0, -dc);
    values[col + 4] = Math.max(0, dv);
    values[col + 5] = Math.max(0, -dv);
    maxC = Math.max(maxC, Math.abs(dc));
    maxV = Math.max(maxV, Math.abs(dv));
    col += 6;
  }
  if (minimax) {
    values[model.xCols] = maxC;
    values[model.xCols + 1] = maxV;
  }
  return values;
}

/** Per x column rounded counts → assignment of single-account blocks (aggregated blocks are dealt out elsewhere). */
export function readSingleAssignment(
  model: MipModel,
  colValue: ArrayLike<number>,
  assign: Int32Array,
): boolean {
  const best = new Float64Array(model.blocks.length).fill(-1);
  for (let c = 0; c < model.xCols; c++) {
    const b = model.xBlock[c]!;
    const v = colValue[c]!;
    if (v > best[b]!) {
      best[b] = v;
      assign[model.blocks[b]!.positions[0]!] = model.xRep[c]!;
    }
  }
  for (let b = 0; b < model.blocks.length; b++) if (!(best[b]! > 0.5)) return false;
  return true;
}

/**
 * A rep's rows against its targets: N - dn+ + dn- = T and V - dv+ + dv- = Tu (`dev` = [dn+, dn-, dv+, dv-]).
 * With `countCuts`, the count-rounding cut: the rep's count is an integer, so its deviation is at least the line
 * through the two integer counts around the target: dn+ + dn- >= (T - m) + s·(N - m), s = 2m + 1 - 2T,
 * m = floor(T). Valid for every integer N (the line lies below |N - T| there); the LP relaxation alone lets N
 * equal T exactly.
 */
function targetRows(
  problem: Problem,
  r: number,
  n: number,
  v: number,
  dev: number[],
  countCuts: boolean,
  newRow: (lo: number, hi: number) => number,
  put: (row: number, col: number, value: number) => void,
): void {
  const rc = newRow(problem.targetCount[r]!, problem.targetCount[r]!);
  put(rc, n, 1);
  put(rc, dev[0]!, -1);
  put(rc, dev[1]!, 1);
  const rv = newRow(problem.targetUnits[r]!, problem.targetUnits[r]!);
  put(rv, v, 1);
  put(rv, dev[2]!, -1);
  put(rv, dev[3]!, 1);
  const t = problem.targetCount[r]!;
  const m = Math.floor(t);
  if (countCuts && t - m > 1e-9) {
    const slope = 2 * m + 1 - 2 * t;
    const cut = newRow(t - m - slope * m, Number.POSITIVE_INFINITY);
    put(cut, dev[0]!, 1);
    put(cut, dev[1]!, 1);
    put(cut, n, -slope);
  }
}
