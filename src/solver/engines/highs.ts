/**
 * HiGHS (WebAssembly) on a model from the one builder: a fresh wasm instance per call (earlier solves in
 * one instance have crashed it) from a binary compiled once per thread, sparse arrays instead of LP text
 * (parsing alone took 10 s at 447k columns), a time limit and gap limits always set.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import highsModule, { type InitOptions } from 'highs';
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
  /** Deterministic measures of the work done: simplex (all of branch-and-bound's for a MIP) and interior-point iterations, nodes. */
  iterations?: number;
  ipmIterations?: number;
  nodes?: number;
  /** True when the time limit (not a work limit, gap or proof) ended the run: its answer may vary by run. */
  timedOut?: boolean;
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
  /**
   * Deterministic work limits (the time limit stays as the safety net): branch-and-bound nodes for a MIP,
   * iterations for an LP. A run stopped by them gives the same answer on every run; one stopped by the
   * time limit may not.
   */
  maxNodes?: number;
  maxIterations?: number;
  /** MIP: stop once branch-and-bound has spent this many LP iterations in all (checked at each interrupt point). */
  maxLpIterations?: number;
}

// The package's types describe its CommonJS build; under ESM the default export is the loader itself.
type Loader = typeof highsModule.default;
const loadHighs: Loader = (typeof highsModule === 'function' ? highsModule : highsModule.default) as Loader;
type Highs = Awaited<ReturnType<Loader>>;

/** The WebAssembly calls used here (the project's libs, ES2023 without DOM, declare no WebAssembly API). */
type WasmModule = { readonly __wasmModule: unique symbol };
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      compile(bytes: Uint8Array): Promise<WasmModule>;
      Instance: new (module: WasmModule, imports: object) => object;
    };
  }
).WebAssembly;

/**
 * highs.wasm compiled once per thread (60-100 ms on every call otherwise). The package documents a `wasmModule`
 * option but its build (1.15.3) ignores it; it honours Emscripten's `instantiateWasm` hook, through which
 * each call instantiates this module afresh (new memory: the module defines its own). Null when the binary
 * could not be found or compiled: the loader then compiles it itself, as before.
 */
let compiled: Promise<WasmModule | null> | undefined;

/**
 * Start compiling highs.wasm now (it compiles off the main JavaScript work), so that the first run in this
 * thread does not wait for it: a solve's worker calls this as it starts, before its construction phase.
 */
export function warmHighs(): void {
  void compiledHighs();
}

function compiledHighs(): Promise<WasmModule | null> {
  compiled ??= (async () => {
    try {
      const path = createRequire(import.meta.url).resolve('highs/runtime');
      return await Wasm.compile(await readFile(path));
    } catch {
      return null;
    }
  })();
  return compiled;
}

/** A fresh HiGHS instance (the loader writes into its options object, so each call gets its own). */
async function loadFreshHighs(): Promise<Highs> {
  const wasm = await compiledHighs();
  if (!wasm) return loadHighs();
  const options: InitOptions & {
    instantiateWasm(imports: object, done: (instance: object, module: WasmModule) => void): object;
  } = {
    instantiateWasm(imports, done) {
      // Synchronous, so a failure throws inside the loader's promise (which rejects) rather than leaving
      // it pending forever (the loader's promise has no reject path for a callback-style failure).
      done(new Wasm.Instance(wasm, imports), wasm);
      return {};
    },
  };
  return loadHighs(options);
}

type HighsModel = ReturnType<Highs['createModel']>;

export async function runHighs(model: MipModel, options: HighsOptions): Promise<HighsRun> {
  const t0 = Date.now();
  let highs: Highs;
  try {
    highs = await loadFreshHighs();
  } catch (e) {
    return {
      status: 'error',
      message: `HiGHS failed to load: ${(e as Error).message}`,
      millis: Date.now() - t0,
    };
  }
  const csc = toCsc(model);
  let hm: HighsModel | undefined;
  try {
    hm = configuredModel(highs, model, csc, options);
    const stops = interrupts(highs, options);
    if (stops.callbacks) hm.run(stops.callbacks as Parameters<typeof hm.run>[0]);
    else hm.run();
    return readRun(highs, hm, options, t0, stops.workStopped());
  } catch (e) {
    return { status: 'error', message: (e as Error).message, millis: Date.now() - t0 };
  } finally {
    hm?.dispose();
  }
}

/** The model in HiGHS (infinite bounds as HiGHS's infinity; integrality unless relaxed), its options and start. */
function configuredModel(
  highs: Highs,
  model: MipModel,
  csc: ReturnType<typeof toCsc>,
  options: HighsOptions,
): HighsModel {
  const inf = highs.infinity;
  const clamp = (a: Float64Array) =>
    a.map((v) => (v === Number.POSITIVE_INFINITY ? inf : v === Number.NEGATIVE_INFINITY ? -inf : v));
  const hm = highs.createModel({
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
    ...(options.maxNodes !== undefined && !options.relax ? { mip_max_nodes: options.maxNodes } : {}),
    ...(options.maxIterations !== undefined
      ? { simplex_iteration_limit: options.maxIterations, ipm_iteration_limit: options.maxIterations }
      : {}),
  });
  if (options.start && !options.relax) hm.setSolution({ colValue: options.start });
  return hm;
}

/**
 * The MIP interrupt callback when the caller can stop the run or limits its LP iterations (none otherwise), and
 * whether that limit is what stopped it.
 */
function interrupts(
  highs: Highs,
  options: HighsOptions,
): { callbacks: object | undefined; workStopped(): boolean } {
  let workStopped = false;
  const maxLp = options.relax ? undefined : options.maxLpIterations;
  const callbacks =
    options.shouldStop || maxLp !== undefined
      ? {
          [highs.constants.callbackType.mipInterrupt](event: {
            interrupt(): void;
            data: { mip_total_lp_iterations?: bigint | number };
          }): undefined {
            if (maxLp !== undefined && Number(event.data.mip_total_lp_iterations ?? 0) >= maxLp) {
              workStopped = true;
              event.interrupt();
            } else if (options.shouldStop?.()) event.interrupt();
          },
        }
      : undefined;
  return { callbacks, workStopped: () => workStopped };
}

/** The run's status, answer, bound and work, read off the model HiGHS has run. */
function readRun(
  highs: Highs,
  hm: HighsModel,
  options: HighsOptions,
  t0: number,
  workStopped: boolean,
): HighsRun {
  const status = hm.getModelStatus();
  const ms = highs.constants.modelStatus;
  const millis = Date.now() - t0;
  const work = {
    iterations: Math.max(0, Number(hm.info.get('simplex_iteration_count') ?? 0)),
    ipmIterations: Math.max(0, Number(hm.info.get('ipm_iteration_count') ?? 0)),
    nodes: Number(hm.info.get('mip_node_count') ?? 0),
    timedOut: status === ms.timeLimit || (status === ms.interrupted && !workStopped),
  };
  if (status === ms.infeasible) return { status: 'infeasible', millis, ...work };
  const sol = hm.getSolution();
  const hasPrimal = hm.info.get('primal_solution_status') === 2;
  if (options.relax) {
    if (status !== ms.optimal)
      return { status: 'no-solution', message: `LP status ${status}`, millis, ...work };
    const obj = hm.getObjectiveValue();
    return {
      status: 'optimal',
      bound: obj,
      objective: obj,
      colValue: Float64Array.from(sol.colValue),
      millis,
      ...work,
    };
  }
  const bound = Number(hm.info.get('mip_dual_bound'));
  if (!hasPrimal) {
    return {
      status: 'no-solution',
      message: `MIP status ${status}`,
      ...(Number.isFinite(bound) ? { bound } : {}),
      millis,
      ...work,
    };
  }
  return {
    status: status === ms.optimal ? 'optimal' : 'feasible',
    colValue: Float64Array.from(sol.colValue),
    objective: hm.getObjectiveValue(),
    ...(Number.isFinite(bound) ? { bound } : {}),
    millis,
    ...work,
  };
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
