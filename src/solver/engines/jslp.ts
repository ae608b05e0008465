/**
 * javascript-lp-solver on a model from the one builder. Only for small models (measured: it stalls
 * beyond a few hundred binaries and its timeout is not a real limit), so it always runs inside the
 * solve worker that is killed at the hard limit. Only `isIntegral` answers are accepted.
 */
import jslpModule from 'javascript-lp-solver';
import type { MipModel } from '../model.ts';

// Types describe the CommonJS build; under ESM the default export is the solver object itself.
type Solver = typeof jslpModule.default;
const solver: Solver = ('Solve' in jslpModule ? jslpModule : jslpModule.default) as Solver;

export interface JslpRun {
  status: 'optimal' | 'no-solution';
  colValue?: Float64Array;
  objective?: number;
  message?: string;
  millis: number;
}

export function runJslp(model: MipModel, options: { timeLimitMs: number; tolerance?: number }): JslpRun {
  const t0 = Date.now();
  // Built here from our own arrays with generated names: request data never reaches Solve.
  const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  const ints: Record<string, 1> = {};
  const unrestricted: Record<string, 1> = {};
  for (let c = 0; c < model.numCols; c++) {
    variables[`c${c}`] = { cost: model.colCost[c]! };
    if (model.integer[c]) ints[`c${c}`] = 1;
    const lo = model.colLower[c]!;
    const hi = model.colUpper[c]!;
    if (lo < 0) unrestricted[`c${c}`] = 1;
    if (Number.isFinite(hi)) {
      constraints[`u${c}`] = { max: hi };
      variables[`c${c}`]![`u${c}`] = 1;
    }
    if (Number.isFinite(lo) && lo !== 0) {
      constraints[`l${c}`] = { min: lo };
      variables[`c${c}`]![`l${c}`] = 1;
    }
  }
  for (let r = 0; r < model.numRows; r++) {
    const lo = model.rowLower[r]!;
    const hi = model.rowUpper[r]!;
    constraints[`r${r}`] =
      lo === hi
        ? { equal: lo }
        : { ...(Number.isFinite(lo) ? { min: lo } : {}), ...(Number.isFinite(hi) ? { max: hi } : {}) };
    for (let i = model.rowStart[r]!; i < model.rowStart[r + 1]!; i++) {
      variables[`c${model.rowIndex[i]!}`]![`r${r}`] = model.rowValue[i]!;
    }
  }
  const result = solver.Solve({
    optimize: 'cost',
    opType: 'min',
    constraints,
    variables,
    ints,
    unrestricted,
    options: { tolerance: options.tolerance ?? 0, timeout: options.timeLimitMs },
  }) as { feasible: boolean; isIntegral?: boolean; result: number; [name: string]: unknown };
  const millis = Date.now() - t0;
  if (!result.feasible || result.isIntegral !== true) {
    return {
      status: 'no-solution',
      message: result.feasible ? 'no integral answer' : 'reported infeasible',
      millis,
    };
  }
  // Variables at zero are missing from the result.
  const colValue = new Float64Array(model.numCols);
  for (let c = 0; c < model.numCols; c++) {
    const v = result[`c${c}`];
    colValue[c] = typeof v === 'number' ? v : 0;
  }
  return { status: 'optimal', colValue, objective: result.result, millis };
}
