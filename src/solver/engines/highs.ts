/**
 * HiGHS (WebAssembly) on a model from the one builder: a fresh wasm instance per call (earlier solves in
 * one instance have crashed it), sparse arrays instead of LP text (parsing alone took 10 s at 447k
 * columns), a time limit and gap limits always set.
 */
import highsModule from 'highs';
import type { MipModel } from '../model.ts';

export interface HighsRun {
  status: 'optimal' | 'feasible' | 'infeasible' | 'no-solution' | 'error';
  /** Column values when a solution exists. */
  colValue?: Float64Array;
  objective?: number;
  /** A valid lower bound on the model's optimum (MIP dual bound, or the LP optimum when relaxed). */
  bound?: number;
  message?: string;
  millis: number;
}

export interface HighsOptions {
  timeLimitSec: number;
  /** Solve the LP relaxation only (a lower bound). */
  relax?: boolean;
  /** 'ipm' for large LP relaxations (simplex stalls at 20000x100). */
  lpSolver?: 'choose' | 'simplex' | 'ipm';
  relGap?: number;
  absGap?: number;
  start?: Float64Array;
  /** Polled between branch-and-bound nodes: returning true stops the solve (cancellation). */
  shouldStop?: () => boolean;
}

// The package's types describe its CommonJS build; under ESM the default export is the loader itself.
type Loader = typeof highsModule.default;
const loadHighs: Loader = (typeof highsModule === 'function' ? highsModule : highsModule.default) as Loader;
type Highs = Awaited<ReturnType<Loader>>;

export async function runHighs(model: MipModel, options: HighsOptions): Promise<HighsRun> {
  const t0 = Date.now();
  let highs: Highs;
  try {
    highs = await loadHighs();
  } catch (e) {
    return {
      status: 'error',
      message: `HiGHS failed to load: ${(e as Error).message}`,
      millis: Date.now() - t0,
    };
  }
  const inf = highs.infinity;
  const clamp = (a: Float64Array) =>
    a.map((v) => (v === Number.POSITIVE_INFINITY ? inf : v === Number.NEGATIVE_INFINITY ? -inf : v));
  const csc = toCsc(model);
  let hm: ReturnType<Highs['createModel']> | undefined;
  try {
    hm = highs.createModel({
      numCols: model.numCols,
      numRows: model.numRows,
      colCost: model.colCost,
      colLower: clamp(model.colLower),
      colUpper: clamp(model.colUpper),
      rowLower: clamp(model.rowLower),
      rowUpper: clamp(model.rowUpper),
      matrix: { format: 'csc', numRows: model.numRows, numCols: model.numCols, ...csc },
      ...(options.relax ? {} : { integrality: Int32Array.from(model.integer) }),
    });
    hm.options.set({
      output_flag: false,
      time_limit: Math.max(0.05, options.timeLimitSec),
      mip_rel_gap: options.relGap ?? 1e-4,
      mip_abs_gap: options.absGap ?? 1e-7,
      random_seed: 1,
      ...(options.relax && options.lpSolver ? { solver: options.lpSolver } : {}),
    });
    if (options.start && !options.relax) hm.setSolution({ colValue: options.start });
    const callbacks = options.shouldStop
      ? {
          [highs.constants.callbackType.mipInterrupt](event: { interrupt(): void }): undefined {
            if (options.shouldStop!()) event.interrupt();
          },
        }
      : undefined;
    if (callbacks) hm.run(callbacks as Parameters<typeof hm.run>[0]);
    else hm.run();
    const status = hm.getModelStatus();
    const ms = highs.constants.modelStatus;
    const millis = Date.now() - t0;
    if (status === ms.infeasible) return { status: 'infeasible', millis };
    const sol = hm.getSolution();
    const hasPrimal = hm.info.get('primal_solution_status') === 2;
    if (options.relax) {
      if (status !== ms.optimal) return { status: 'no-solution', message: `LP status ${status}`, millis };
      const obj = hm.getObjectiveValue();
      return {
        status: 'optimal',
        bound: obj,
        objective: obj,
        colValue: Float64Array.from(sol.colValue),
        millis,
      };
    }
    const bound = Number(hm.info.get('mip_dual_bound'));
    if (!hasPrimal) {
      return {
        status: 'no-solution',
        message: `MIP status ${status}`,
        ...(Number.isFinite(bound) ? { bound } : {}),
        millis,
      };
    }
    return {
      status: status === ms.optimal ? 'optimal' : 'feasible',
      colValue: Float64Array.from(sol.colValue),
      objective: hm.getObjectiveValue(),
      ...(Number.isFinite(bound) ? { bound } : {}),
      millis,
    };
  } catch (e) {
    return { status: 'error', message: (e as Error).message, millis: Date.now() - t0 };
  } finally {
    hm?.dispose();
  }
}

function toCsc(model: MipModel): { starts: Int32Array; indices: Int32Array; values: Float64Array } {
  const nnz = model.rowIndex.length;
  const colCount = new Int32Array(model.numCols + 1);
  for (let i = 0; i < nnz; i++) colCount[model.rowIndex[i]! + 1]! += 1;
  for (let c = 0; c < model.numCols; c++) colCount[c + 1]! += colCount[c]!;
  const starts = Int32Array.from(colCount);
  const next = Int32Array.from(colCount);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let r = 0; r < model.numRows; r++) {
    for (let i = model.rowStart[r]!; i < model.rowStart[r + 1]!; i++) {
      const c = model.rowIndex[i]!;
      const pos = next[c]!++;
      indices[pos] = r;
      values[pos] = model.rowValue[i]!;
    }
  }
  return { starts, indices, values };
}
