/**
 * Independent pools (regions, segments) solved on two threads at once: the pools are dealt to two
 * groups by size (largest first, to the lighter group), each group is solved in its own worker with the
 * whole time limit (`solve` with `pools`), and the answers are joined, checked by the independent
 * verifier and reported as one. Each pool so gets about twice the time it would get one after another
 * (1000x20 realignment: 3 pools; 100000x300 departure: 5 pools whose LPs take 0.3-1.8 s each).
 *
 * Departures stay on one thread: their answer comes from the greedy construction, and `solve` runs the
 * pools' LPs (the proof) on two threads itself.
 *
 * Deterministic: the grouping depends on the input alone (always two groups, whatever the machine's
 * cores), and each group's solve counts its time in work (clock.ts). Small solves, the simple strategies,
 * engines other than auto and single-pool problems run as one `solve`.
 */
import { wallSafetyMs } from '../clock.ts';
import { DEFAULT_HEURISTIC, heuristicSolve } from '../heuristic.ts';
import { parseSolveInput } from '../input.ts';
import { buildProblem, type Problem } from '../problem.ts';
import type { PoolReport, SolveResult } from '../result.ts';
import { finish, poolBinaries, type SolveHooks, solve } from '../solve.ts';
import { stateFrom } from '../state.ts';
import { type SolveWorkerMessage, startSolveWorker, WORKER_START_MS } from './solve-in-worker.ts';

/** A result that carries a proposal (assignments, pool reports). */
type Answer = Extract<SolveResult, { pools: PoolReport[] }>;
const hasAnswer = (r: SolveResult): r is Answer => 'pools' in r;

/** Threads a parallel solve uses: fixed, so that the answer does not depend on the machine. */
export const SOLVE_THREADS = 2;
/** Below this many binaries in all, or this time limit, one thread: starting workers would cost more. */
export const PARALLEL_MIN_BINARIES = 3_000;
export const PARALLEL_MIN_TIME_LIMIT_MS = 1_500;
/**
 * Time kept from the groups' limit for starting their workers (WORKER_START_MS, solve-in-worker.ts) and for each
 * group's report, its passage back and the joined answer's check and report (about 25 ms per 1,000 accounts: 2.4 s
 * at 100,000). Deterministic: it depends on the number of accounts only.
 */
export function finishReserveMs(accounts: number): number {
  return 150 + Math.ceil(accounts * 0.025);
}

/** Inputs that run as one solve whatever their pools: departures, other engines and strategies, short limits. */
function oneThreadInput(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return true;
  const r = raw as { kind?: unknown; engine?: unknown; strategy?: unknown; timeLimitMs?: unknown };
  return (
    r.kind === 'departure' ||
    (r.engine !== undefined && r.engine !== 'auto') ||
    (r.strategy !== undefined && r.strategy !== 'optimal') ||
    (typeof r.timeLimitMs === 'number' && r.timeLimitMs < PARALLEL_MIN_TIME_LIMIT_MS)
  );
}

/** Pool indices dealt to the groups: largest first, each to the group with fewer binaries so far. */
export function poolGroups(problem: Problem, threads = SOLVE_THREADS): number[][] {
  const order = problem.pools
    .map((pool) => ({ index: pool.index, binaries: poolBinaries(problem, pool) }))
    .sort((a, b) => b.binaries - a.binaries || a.index - b.index);
  const groups = Array.from({ length: threads }, () => ({ pools: [] as number[], load: 0 }));
  for (const { index, binaries } of order) {
    let lightest = groups[0]!;
    for (const g of groups) if (g.load < lightest.load) lightest = g;
    lightest.pools.push(index);
    lightest.load += binaries;
  }
  return groups.filter((g) => g.pools.length > 0).map((g) => g.pools.sort((a, b) => a - b));
}

export interface ParallelHooks extends SolveHooks {
  /** The caller's cancellation flag (Int32Array over a SharedArrayBuffer), shared with the group workers. */
  stopFlag?: SharedArrayBuffer;
}

/** How a solve splits into groups of pools: each group solves `groupInput` with `pools` set. */
export interface GroupPlan {
  problem: Problem;
  groups: number[][];
  /** The input with the groups' time limit (the caller's, less the start-up and join reserve). */
  groupInput: Record<string, unknown>;
  timeLimitMs: number;
  accounts: number;
}

/**
 * The split of a solve into groups of pools, or null when it runs as one `solve` (see the module comment).
 * The same for solveParallel's threads and for the pool jobs of several app instances (services/solving),
 * so that both give the same answer.
 */
export function planGroups(raw: unknown): GroupPlan | null {
  // What rules a split out needs no check of the input (a 100,000-account check takes 0.3 s).
  if (oneThreadInput(raw)) return null;
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) return null;
  const input = parsed.input;
  const built = buildProblem(input);
  if (!built.ok) return null;
  const problem = built.problem;
  const groups = poolGroups(problem);
  const binaries = problem.pools.reduce((s, pool) => s + poolBinaries(problem, pool), 0);
  const reserve = WORKER_START_MS + finishReserveMs(input.accounts.length);
  if (
    input.engine !== 'auto' ||
    input.strategy !== 'optimal' ||
    // Departures: the greedy answer is optimal and the LPs prove it; solve runs those on two threads.
    input.kind === 'departure' ||
    groups.length < 2 ||
    binaries < PARALLEL_MIN_BINARIES ||
    input.timeLimitMs < PARALLEL_MIN_TIME_LIMIT_MS ||
    input.timeLimitMs - reserve < PARALLEL_MIN_TIME_LIMIT_MS / 2
  )
    return null;
  return {
    problem,
    groups,
    groupInput: { ...(raw as Record<string, unknown>), timeLimitMs: input.timeLimitMs - reserve },
    timeLimitMs: input.timeLimitMs,
    accounts: input.accounts.length,
  };
}

/** `solve`, with the pools split over two worker threads when that pays (see the module comment). */
export async function solveParallel(raw: unknown, hooks: ParallelHooks = {}): Promise<SolveResult> {
  const t0 = Date.now();
  const plan = planGroups(raw);
  if (!plan) return solve(raw, hooks);
  const { problem, groups, groupInput } = plan;

  const stopFlag = hooks.stopFlag ?? new SharedArrayBuffer(4);
  const flag = new Int32Array(stopFlag);
  const poll = setInterval(() => {
    if (hooks.shouldStop?.()) Atomics.store(flag, 0, 1);
  }, 20);
  // The groups' wall-clock safety: in time for the join, counted from here (their workers start later).
  const wallDeadline = t0 + wallSafetyMs(plan.timeLimitMs) - finishReserveMs(plan.accounts);
  /** The latest incumbent of each group (the construction until it posts one), joined for onIncumbent. */
  const latest: (Int32Array | null)[] = groups.map(() => null);
  const joined = () => {
    if (latest.some((a) => a === null)) return null;
    const assign = Int32Array.from(latest[0]!);
    groups.forEach((pools, g) => {
      for (const index of pools) for (const k of problem.pools[index]!.movable) assign[k] = latest[g]![k]!;
    });
    return assign;
  };
  // The workers start first (their start-up is the longest wait)...
  const running = groups.map((pools, g) =>
    runGroup(
      { input: groupInput, pools, wallDeadline, stopFlag, wallClockSafety: hooks.wallClockSafety ?? true },
      (assign, engine) => {
        latest[g] = assign;
        const all = joined();
        if (all) hooks.onIncumbent?.(problem, all, engine);
      },
    ),
  );
  let results: GroupOutcome[];
  try {
    // ...then a first answer here (the greedy construction, without its search), so that a cancellation or
    // a hard kill before the groups' first incumbents still has one.
    const first = heuristicSolve(problem, {
      ...DEFAULT_HEURISTIC,
      lsWork: 0,
      ilsWork: 0,
      fastIlsWorkPerBinary: 0,
    });
    if (first.unplaced.length === 0) {
      const start = Int32Array.from(first.state.assign);
      for (let g = 0; g < latest.length; g++) latest[g] ??= start;
      hooks.onIncumbent?.(problem, Int32Array.from(start), 'greedy construction');
    }
    results = await Promise.all(running);
  } finally {
    clearInterval(poll);
  }

  const failed = results.find((r) => r.kind === 'error');
  if (failed && failed.kind === 'error') {
    const all = joined();
    if (!all)
      return { status: 'timeout', reason: failed.message, millis: Date.now() - t0, assignments: null };
    return fromAssign(problem, all, groups, null, t0, failed.message);
  }
  const outcomes = results.map((r) => (r as { kind: 'result'; result: SolveResult }).result);
  const stopped = outcomes.find((r) => !hasAnswer(r));
  if (stopped) return { ...stopped, millis: Date.now() - t0 };
  const answers = outcomes.filter(hasAnswer);
  return joinParts(
    problem,
    groups,
    answers.map((r, g) => groupPart(problem, groups[g]!, r)),
    t0,
  );
}

/** One group's answer for its own pools: what a pool job returns (services/solve/pool-jobs.ts). */
export interface GroupPart {
  status: string;
  reason?: string;
  reproducible: boolean;
  /** The group's solve time on the work clock (clock.ts), when counted. */
  workMillis: number | null;
  pools: PoolReport[];
  /** [account id, rep id] for the movable accounts of the group's pools. */
  owners: [string, string][];
}

export function groupPart(problem: Problem, pools: number[], answer: Answer): GroupPart {
  const mine = new Set<string>();
  for (const index of pools)
    for (const k of problem.pools[index]!.movable) mine.add(problem.accounts[problem.movable[k]!]!.id);
  return {
    status: answer.status,
    ...(answer.status === 'timeout' ? { reason: answer.reason } : {}),
    reproducible: answer.reproducible,
    workMillis: answer.workMillis,
    pools: answer.pools,
    owners: answer.assignments.filter((a) => mine.has(a.accountId)).map((a) => [a.accountId, a.toRepId]),
  };
}

/** The groups' parts joined into one answer, checked and reported (`where`: how the groups ran). */
export function joinParts(
  problem: Problem,
  groups: number[][],
  parts: GroupPart[],
  t0: number,
  where = `pools on ${groups.length} threads`,
): SolveResult {
  // Each group's answer for its own pools, by account id.
  const repIndex = new Map(problem.reps.map((r, i) => [r.id, i]));
  const assign = new Int32Array(problem.movable.length).fill(-1);
  const owners = parts.map((r) => new Map(r.owners));
  groups.forEach((pools, g) => {
    for (const index of pools) {
      for (const k of problem.pools[index]!.movable) {
        const to = owners[g]!.get(problem.accounts[problem.movable[k]!]!.id);
        assign[k] = to === undefined ? -1 : (repIndex.get(to) ?? -1);
      }
    }
  });
  return fromAssign(problem, assign, groups, parts, t0, null, where);
}

/** The joined answer, checked and reported; `answers` carry the groups' pool reports (null after a failure). */
function fromAssign(
  problem: Problem,
  assign: Int32Array,
  groups: number[][],
  answers:
    | readonly {
        status: string;
        reason?: string;
        reproducible: boolean;
        workMillis: number | null;
        pools: PoolReport[];
      }[]
    | null,
  t0: number,
  failure: string | null,
  where = `pools on ${groups.length} threads`,
): SolveResult {
  const state = stateFrom(problem, assign);
  const byLabel = new Map<string, PoolReport>();
  for (const r of answers ?? []) for (const p of r.pools) byLabel.set(p.label, p);
  const pools: PoolReport[] = problem.pools.map((pool) => {
    const reported = byLabel.get(pool.label);
    if (reported) return reported;
    return {
      label: pool.label,
      reps: pool.reps.length,
      movable: pool.movable.length,
      binaries: poolBinaries(problem, pool),
      engine: 'heuristic',
      objective: 0,
      lowerBound: null,
      proven: false,
    };
  });
  const allBounded = pools.every((p) => p.lowerBound !== null);
  const lowerBound = allBounded ? pools.reduce((s, p) => s + (p.lowerBound ?? 0), 0) : null;
  const engine = `${[...new Set(pools.map((p) => p.engine))].join(' + ')} (${where})`;
  const reproducible = answers?.every((r) => r.reproducible) ?? false;
  const works = (answers ?? []).map((r) => r.workMillis);
  const workMillis =
    works.length > 0 && works.every((w) => w !== null) ? Math.max(...(works as number[])) : null;
  const result = finish(problem, state, pools, engine, t0, lowerBound, undefined, reproducible, workMillis);
  if (result.status !== 'feasible') return result;
  if (failure) return { ...result, status: 'timeout', reason: failure };
  const stoppedEarly = answers?.find((r) => r.status === 'timeout');
  if (stoppedEarly)
    return {
      ...result,
      status: 'timeout',
      reason: stoppedEarly.reason ?? 'stopped early: best answer so far',
    };
  // Gap 0: the answer as a whole is within tolerance of its bound (solver/tolerance.ts).
  if (pools.every((p) => p.proven) || result.gap === 0) return { ...result, status: 'optimal' };
  return result;
}

type GroupOutcome = { kind: 'result'; result: SolveResult } | { kind: 'error'; message: string };

interface GroupStart {
  input: unknown;
  pools: number[];
  wallDeadline: number;
  stopFlag: SharedArrayBuffer;
  wallClockSafety: boolean;
}

/** One group's solve in a worker thread (the same entry as solveInWorker's, with `pools` set). */
function runGroup(
  start: GroupStart,
  onIncumbent: (assign: Int32Array, engine: string) => void,
): Promise<GroupOutcome> {
  const worker = startSolveWorker(start);
  return new Promise<GroupOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: GroupOutcome) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(outcome);
    };
    worker.on('message', (msg: SolveWorkerMessage) => {
      if (msg.type === 'incumbent') onIncumbent(msg.assign, msg.engine);
      else if (msg.type === 'result') done({ kind: 'result', result: msg.result });
      else done({ kind: 'error', message: `the solver failed (${msg.message})` });
    });
    worker.on('error', (e) => done({ kind: 'error', message: `a solver thread crashed (${e.message})` }));
    worker.on('exit', (code) => done({ kind: 'error', message: `a solver thread exited (code ${code})` }));
  });
}

/**
 * One group of pools solved in a worker thread, as a pool job of another app instance runs it: the part of
 * the answer for those pools, or the whole result when it has no answer (infeasible, invalid, no answer in
 * time), or an error message. `signal` stops it with the best answer so far.
 */
export async function solveGroupPart(
  start: { input: unknown; pools: number[]; wallDeadline: number; wallClockSafety: boolean },
  problem: Problem,
  signal?: AbortSignal,
): Promise<{ part: GroupPart } | { result: SolveResult } | { error: string }> {
  const stopFlag = new SharedArrayBuffer(4);
  const stop = () => Atomics.store(new Int32Array(stopFlag), 0, 1);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  try {
    const outcome = await runGroup({ ...start, stopFlag }, () => {});
    if (outcome.kind === 'error') return { error: outcome.message };
    if (!hasAnswer(outcome.result)) return { result: outcome.result };
    return { part: groupPart(problem, start.pools, outcome.result) };
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
