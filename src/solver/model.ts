/**
 * The one model builder: the integer program of a pool as a generic sparse model that every exact
 * engine is fed from (HiGHS as CSC arrays, javascript-lp-solver as its JSON, CPLEX LP text for people).
 * Columns are "blocks": a single account (binary) or, when aggregated, a group of alike accounts
 * (integer count per rep). Revenue is in the pool's mean-account units so coefficients stay O(1).
 */
import type { Pool, Problem } from './problem.ts';
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

export interface MipModel {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  integer: Uint8Array;
  /** Rows in CSR form. */
  rowStart: number[];
  rowIndex: number[];
  rowValue: number[];
  rowLower: Float64Array;
  rowUpper: Float64Array;
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

export function buildPoolModel(
  problem: Problem,
  pool: Pool,
  blocks: Block[],
  { countCuts = true }: { countCuts?: boolean } = {},
): MipModel {
  const minimax = problem.input.objective === 'minimax';
  const inv = 1 / pool.meanCount;
  const cols: { cost: number; lo: number; hi: number; int: boolean }[] = [];
  const xBlock: number[] = [];
  const xRep: number[] = [];
  const xEnd: number[] = [];
  // Row entries collected per row, then packed.
  const rows: { idx: number[]; val: number[]; lo: number; hi: number }[] = [];
  const newRow = (lo: number, hi: number) => {
    rows.push({ idx: [], val: [], lo, hi });
    return rows.length - 1;
  };
  const put = (row: number, col: number, v: number) => {
    rows[row]!.idx.push(col);
    rows[row]!.val.push(v);
  };

  const repSlot = new Map<number, number>();
  pool.reps.forEach((r, i) => {
    repSlot.set(r, i);
  });
  // Rows: one assignment row per block, then per rep a count row and a revenue row.
  for (const b of blocks) newRow(b.positions.length, b.positions.length);
  // Buckets: their revenue is split among the reps, all of it.
  const bucketRow = blocks.map((b) => (b.range ? newRow(b.range.total, b.range.total) : -1));
  const countRow = pool.reps.map((r) => newRow(-problem.fixedCount[r]!, -problem.fixedCount[r]!));
  const unitRow = pool.reps.map((r) => newRow(-problem.fixedUnits[r]!, -problem.fixedUnits[r]!));
  const takenRows = new Map<number, number>();

  blocks.forEach((b, bi) => {
    const size = b.positions.length;
    const range = b.range;
    if (range) {
      for (const r of b.reps) {
        const slot = repSlot.get(r)!;
        for (const [end, u] of [range.lo, range.hi].entries()) {
          if (end === 1 && range.hi === range.lo) break;
          const c = cols.length;
          const cost = r === b.owner ? 0 : range.costPerAccount + range.costPerUnit * u;
          cols.push({ cost, lo: 0, hi: size, int: false });
          xBlock.push(bi);
          xRep.push(r);
          xEnd.push(end);
          put(bi, c, 1);
          if (u !== 0) put(bucketRow[bi]!, c, u);
          put(countRow[slot]!, c, 1);
          if (u !== 0) put(unitRow[slot]!, c, u);
        }
      }
      return;
    }
    for (const r of b.reps) {
      const c = cols.length;
      cols.push({ cost: r === b.owner ? 0 : b.moveCost, lo: 0, hi: size, int: true });
      xBlock.push(bi);
      xRep.push(r);
      xEnd.push(0);
      put(bi, c, 1);
      const slot = repSlot.get(r)!;
      put(countRow[slot]!, c, 1);
      if (b.unit !== 0) put(unitRow[slot]!, c, b.unit);
      if (b.takenFrom >= 0 && r === b.takenFrom) {
        // Σ over the owner's accounts of (1 - x_owner) <= cap  ⇔  -Σ x_owner <= cap - n_owner
        let row = takenRows.get(b.takenFrom);
        if (row === undefined) {
          row = newRow(Number.NEGATIVE_INFINITY, problem.takenCap);
          takenRows.set(b.takenFrom, row);
        }
        put(row, c, -1);
      }
    }
  });
  for (const [owner, row] of takenRows) {
    let n = 0;
    for (const b of blocks) if (b.takenFrom === owner) n += b.positions.length;
    rows[row]!.hi = problem.takenCap - n;
  }
  const xCols = cols.length;

  // Load columns N_r, V_r with the caps as bounds, and deviation columns around the targets.
  let zc = -1;
  let zv = -1;
  if (minimax) {
    zc = cols.length;
    cols.push({ cost: inv, lo: 0, hi: Number.POSITIVE_INFINITY, int: false });
    zv = cols.length;
    cols.push({ cost: inv, lo: 0, hi: Number.POSITIVE_INFINITY, int: false });
  }
  const devCost = minimax ? 0.01 * inv : inv;
  pool.reps.forEach((r, slot) => {
    const n = cols.length;
    cols.push({ cost: 0, lo: 0, hi: problem.capCount[r]!, int: false });
    const v = cols.length;
    const capU = problem.capUnits[r]!;
    cols.push({
      cost: 0,
      lo: Number.NEGATIVE_INFINITY,
      hi: Number.isFinite(capU)
        ? Math.max(problem.fixedUnits[r]!, capU - CAP_MARGIN)
        : Number.POSITIVE_INFINITY,
      int: false,
    });
    put(countRow[slot]!, n, -1);
    put(unitRow[slot]!, v, -1);
    const dev = [0, 1, 2, 3].map(() => {
      cols.push({ cost: devCost, lo: 0, hi: Number.POSITIVE_INFINITY, int: false });
      return cols.length - 1;
    });
    targetRows(problem, r, n, v, dev, countCuts, newRow, put);
    if (minimax) {
      const mc = newRow(Number.NEGATIVE_INFINITY, 0);
      put(mc, dev[0]!, 1);
      put(mc, dev[1]!, 1);
      put(mc, zc, -1);
      const mv = newRow(Number.NEGATIVE_INFINITY, 0);
      put(mv, dev[2]!, 1);
      put(mv, dev[3]!, 1);
      put(mv, zv, -1);
    }
  });

  const rowStart: number[] = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.idx.length; i++) {
      rowIndex.push(row.idx[i]!);
      rowValue.push(row.val[i]!);
    }
    rowStart.push(rowIndex.length);
  }
  return {
    numCols: cols.length,
    numRows: rows.length,
    colCost: Float64Array.from(cols, (c) => c.cost),
    colLower: Float64Array.from(cols, (c) => c.lo),
    colUpper: Float64Array.from(cols, (c) => c.hi),
    integer: Uint8Array.from(cols, (c) => (c.int ? 1 : 0)),
    rowStart,
    rowIndex,
    rowValue,
    rowLower: Float64Array.from(rows, (r) => r.lo),
    rowUpper: Float64Array.from(rows, (r) => r.hi),
    offset: 0,
    xCols,
    xBlock: Int32Array.from(xBlock),
    xRep: Int32Array.from(xRep),
    xEnd: Uint8Array.from(xEnd),
    blocks,
    pool,
  };
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
 * equal T exactly. Shared by the pool MIP and the release relaxation (release-model.ts).
 */
export function targetRows(
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
