/**
 * The sparse arrays of a linear or integer program (model.ts's MipModel, the release relaxation's), and a builder
 * that collects columns and rows one at a time and packs them.
 */

export interface SparseArrays {
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
}

/** Columns and rows collected one at a time, then packed. */
export interface SparseBuilder {
  newCol(cost: number, lo: number, hi: number, int?: boolean): number;
  newRow(lo: number, hi: number): number;
  put(row: number, col: number, value: number): void;
  /** A row's bounds, for a row whose bounds are known only once its columns are. */
  row(row: number): { lo: number; hi: number };
  numCols(): number;
  pack(): SparseArrays;
}

/** `skipZeros`: a zero coefficient is left out of its row (the release relaxation); else it is kept as given. */
export function sparseBuilder(skipZeros: boolean): SparseBuilder {
  const cols: { cost: number; lo: number; hi: number; int: boolean }[] = [];
  const rows: { idx: number[]; val: number[]; lo: number; hi: number }[] = [];
  return {
    newCol: (cost, lo, hi, int = false) => cols.push({ cost, lo, hi, int }) - 1,
    newRow: (lo, hi) => rows.push({ idx: [], val: [], lo, hi }) - 1,
    put: (row, col, value) => {
      if (skipZeros && value === 0) return;
      rows[row]!.idx.push(col);
      rows[row]!.val.push(value);
    },
    row: (row) => rows[row]!,
    numCols: () => cols.length,
    pack: () => {
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
      };
    },
  };
}
