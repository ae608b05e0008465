/**
 * Infeasibility by packing: caps whose totals suffice but whose accounts cannot be packed into them (three
 * $60 accounts, two reps with room for $100 each). The capacity checks (infeasibility.ts) cannot see it and
 * the construction only fails; this proves it. First by counting (packing-count.ts: exact, linear, it decides
 * the common cases at any size); else with a feasibility MIP on the pool's accounts and their eligible reps
 * (caps, eligibility, nothing else: a relaxation of the real problem, so its infeasibility is a proof), then
 * shrinks the set of accounts to one that is still infeasible and, as far as the budget allows, irreducible
 * (removing any account makes it fit), and names it with the reps it could go to.
 *
 * The budget is counted in work (search nodes, HiGHS LP iterations), not in real time, so the same input names
 * the same set on a busy machine; real time is only the safety net.
 */
import { HIGHS_MIP_MS_PER_ITERATION, HIGHS_RUN_MS, WALL_SAFETY_FACTOR } from './clock.ts';
import { runHighs } from './engines/highs.ts';
import { formatCents, type InfeasibleReason } from './infeasibility.ts';
import type { MipModel } from './model.ts';
import { countingProof, countingReason, largestFirst, list, repRoom } from './packing-count.ts';
import type { Pool, Problem } from './problem.ts';
import { place, type State, unplace } from './state.ts';

export interface PackingOptions {
  /** Work budget (ms on the work clock, clock.ts) for all the MIPs together; the proof gives up past it. */
  budgetMs: number;
  shouldStop?: () => boolean;
}

type Verdict = 'infeasible' | 'feasible' | 'unknown';

/** Above this many accounts in the set, the first MIP alone decides (no shrinking: too many MIPs). */
const SHRINK_MAX_ACCOUNTS = 2_000;
/** Exact search (no MIP) for sets this small: the certificate is then checked in exact cents. */
const EXACT_MAX_NODES = 2_000_000;
/** Work charged per node of the exact search (measured about 1 µs). */
const EXACT_MS_PER_NODE = 0.001;

const money = (cents: number) => `$${formatCents(cents)}`;

/** A proof that the pool's accounts cannot be placed, or a placement of them all (position → rep) under the caps. */
export type PackingOutcome = { reason: InfeasibleReason } | { packing: Map<number, number> } | null;

interface Checked {
  verdict: Verdict;
  /** When feasible: a placement of the set (position → rep), checked in exact cents. */
  packing?: Map<number, number>;
}

/**
 * A proof that `pool`'s movable accounts cannot all be placed under the caps, with an irreducible set of
 * accounts and the reps that could take them; or, when they can, a placement of them all; null when neither
 * was found within the budget.
 */
export async function provePackingInfeasible(
  problem: Problem,
  pool: Pool,
  options: PackingOptions,
): Promise<PackingOutcome> {
  const counted = countingProof(problem, pool);
  if (counted) return { reason: countingReason(problem, pool, counted) };
  const wallLimit = Date.now() + options.budgetMs * WALL_SAFETY_FACTOR;
  let spent = 0;
  const left = () => (Date.now() >= wallLimit ? 0 : options.budgetMs - spent);
  const check = async (set: number[]): Promise<Checked> => {
    const nodes = { count: 0 };
    const exact = exactPacking(problem, set, nodes);
    spent += nodes.count * EXACT_MS_PER_NODE;
    if (exact.verdict !== 'unknown') return exact;
    if (left() <= HIGHS_RUN_MS || options.shouldStop?.()) return { verdict: 'unknown' };
    const model = feasibilityModel(problem, pool, set);
    const run = await runHighs(model, {
      timeLimitSec: Math.max(0.05, (wallLimit - Date.now()) / 1000),
      maxLpIterations: Math.max(1, Math.floor((left() - HIGHS_RUN_MS) / HIGHS_MIP_MS_PER_ITERATION)),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    spent += HIGHS_RUN_MS + (run.iterations ?? 0) * HIGHS_MIP_MS_PER_ITERATION;
    if (run.status === 'infeasible') return { verdict: 'infeasible' };
    if ((run.status === 'optimal' || run.status === 'feasible') && run.colValue) {
      const packing = new Map<number, number>();
      for (let c = 0; c < model.numCols; c++)
        if (run.colValue[c]! > 0.5) packing.set(set[model.xBlock[c]!]!, model.xRep[c]!);
      // HiGHS works in floating point within tolerances: a placement is used only when it holds in cents.
      return { verdict: 'feasible', ...(fitsExactly(problem, set, packing) ? { packing } : {}) };
    }
    return { verdict: 'unknown' };
  };
  // Largest accounts first: they are what does not fit, so the shrinking drops the small ones first.
  let set = largestFirst(problem, pool.movable);
  const whole = await check(set);
  if (whole.verdict !== 'infeasible') return whole.packing ? { packing: whole.packing } : null;
  if (set.length <= SHRINK_MAX_ACCOUNTS) {
    // Deletion filter in chunks (halving): drop a chunk when the rest is still infeasible.
    for (let chunk = Math.max(1, set.length >> 1); ; chunk = Math.max(1, chunk >> 1)) {
      for (let i = set.length - chunk; i >= 0 && left() > 0; i -= chunk) {
        const rest = [...set.slice(0, i), ...set.slice(i + chunk)];
        if (rest.length > 0 && (await check(rest)).verdict === 'infeasible') set = rest;
      }
      if (chunk === 1 || left() <= 0) break;
    }
  }
  return { reason: reasonFor(problem, pool, set) };
}

/** Every account of `set` placed on an eligible rep, every rep within its room, in exact cents. */
function fitsExactly(problem: Problem, set: number[], packing: Map<number, number>): boolean {
  const used = new Map<number, { count: number; cents: number }>();
  for (const k of set) {
    const r = packing.get(k);
    if (r === undefined || !eligibleReps(problem, k).includes(r)) return false;
    const u = used.get(r) ?? { count: 0, cents: 0 };
    u.count += 1;
    u.cents += revenue(problem, k);
    used.set(r, u);
  }
  for (const [r, u] of used) {
    const room = repRoom(problem, r);
    if (u.count > room.count || u.cents > room.cents) return false;
  }
  return true;
}

function revenue(problem: Problem, k: number): number {
  return problem.accounts[problem.movable[k]!]!.revenueCents;
}

function eligibleReps(problem: Problem, k: number): number[] {
  const reps: number[] = [];
  for (let j = problem.eligStart[k]!; j < problem.eligStart[k + 1]!; j++) reps.push(problem.eligRep[j]!);
  return reps;
}

/**
 * Whether the accounts of `set` fit their eligible reps' room, by exhaustive search in exact cents; 'unknown'
 * when the search would be too long (then the MIP decides).
 */
export function exactPacking(problem: Problem, set: number[], work = { count: 0 }): Checked {
  if (set.length > 14) return { verdict: 'unknown' };
  const order = largestFirst(problem, set);
  const options = order.map((k) => eligibleReps(problem, k));
  const left = new Map<number, { count: number; cents: number }>();
  for (const reps of options) for (const r of reps) if (!left.has(r)) left.set(r, repRoom(problem, r));
  let nodes = 0;
  const chosen: number[] = [];
  const place = (i: number): boolean | null => {
    if (i === order.length) return true;
    if (++nodes > EXACT_MAX_NODES) return null;
    const cents = revenue(problem, order[i]!);
    const tried = new Set<string>();
    for (const r of options[i]!) {
      const l = left.get(r)!;
      if (l.count < 1 || l.cents < cents) continue;
      // Reps with the same room left are interchangeable for the rest of the search when eligibility agrees.
      const key = `${l.count}:${l.cents}:${options
        .slice(i + 1)
        .map((o) => (o.includes(r) ? 1 : 0))
        .join('')}`;
      if (tried.has(key)) continue;
      tried.add(key);
      l.count -= 1;
      l.cents -= cents;
      chosen[i] = r;
      const ok = place(i + 1);
      l.count += 1;
      l.cents += cents;
      if (ok !== false) return ok;
    }
    return false;
  };
  const found = place(0);
  work.count += nodes;
  if (found === null) return { verdict: 'unknown' };
  if (!found) return { verdict: 'infeasible' };
  return { verdict: 'feasible', packing: new Map(order.map((k, i) => [k, chosen[i]!])) };
}

/** Assignment rows for the accounts of `set`, count and revenue rows (their room) for their eligible reps. */
function feasibilityModel(problem: Problem, pool: Pool, set: number[]): MipModel {
  const reps = [...new Set(set.flatMap((k) => eligibleReps(problem, k)))].sort((a, b) => a - b);
  const slot = new Map(reps.map((r, i) => [r, i]));
  // Revenue in units of the largest room, so the coefficients stay O(1).
  const scale = Math.max(1, ...set.map((k) => revenue(problem, k)));
  const rowEntries: { idx: number[]; val: number[] }[] = [
    ...set.map(() => ({ idx: [] as number[], val: [] as number[] })),
    ...reps.flatMap(() => [
      { idx: [] as number[], val: [] as number[] },
      { idx: [] as number[], val: [] as number[] },
    ]),
  ];
  const xBlock: number[] = [];
  const xRep: number[] = [];
  set.forEach((k, i) => {
    for (const r of eligibleReps(problem, k)) {
      const c = xBlock.length;
      xBlock.push(i);
      xRep.push(r);
      rowEntries[i]!.idx.push(c);
      rowEntries[i]!.val.push(1);
      const s = slot.get(r)!;
      rowEntries[set.length + 2 * s]!.idx.push(c);
      rowEntries[set.length + 2 * s]!.val.push(1);
      rowEntries[set.length + 2 * s + 1]!.idx.push(c);
      rowEntries[set.length + 2 * s + 1]!.val.push(revenue(problem, k) / scale);
    }
  });
  const rowStart = [0];
  const rowIndex: number[] = [];
  const rowValue: number[] = [];
  for (const row of rowEntries) {
    rowIndex.push(...row.idx);
    rowValue.push(...row.val);
    rowStart.push(rowIndex.length);
  }
  const upper = [
    ...set.map(() => 1),
    ...reps.flatMap((r) => {
      const l = repRoom(problem, r);
      return [l.count, l.cents / scale];
    }),
  ];
  const n = xBlock.length;
  return {
    numCols: n,
    numRows: rowEntries.length,
    colCost: new Float64Array(n),
    colLower: new Float64Array(n),
    colUpper: new Float64Array(n).fill(1),
    integer: new Uint8Array(n).fill(1),
    rowStart,
    rowIndex,
    rowValue,
    rowLower: Float64Array.from(rowEntries, (_, i) => (i < set.length ? 1 : Number.NEGATIVE_INFINITY)),
    rowUpper: Float64Array.from(upper),
    offset: 0,
    xCols: n,
    xBlock: Int32Array.from(xBlock),
    xRep: Int32Array.from(xRep),
    xEnd: new Uint8Array(n),
    blocks: [],
    pool,
  };
}

function reasonFor(problem: Problem, pool: Pool, set: number[]): InfeasibleReason {
  const accounts = largestFirst(problem, set);
  const reps = [...new Set(accounts.flatMap((k) => eligibleReps(problem, k)))].sort((a, b) => a - b);
  const accountIds = accounts.map((k) => problem.accounts[problem.movable[k]!]!.id);
  const repIds = reps.map((r) => problem.reps[r]!.id);
  const total = accounts.reduce((s, k) => s + revenue(problem, k), 0);
  const roomText = reps
    .map((r) => {
      const l = repRoom(problem, r);
      const parts = [
        Number.isFinite(l.cents) ? money(l.cents) : 'any revenue',
        Number.isFinite(l.count) ? `${l.count} account${l.count === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      return `${problem.reps[r]!.id} (room for ${parts.join(', ')})`;
    })
    .join(', ');
  return {
    code: 'caps-conflict',
    scope: pool.label,
    message: `${pool.label}: ${accountIds.length} account${accountIds.length === 1 ? '' : 's'} (${list(
      accounts.map((k) => `${problem.accounts[problem.movable[k]!]!.id} ${money(revenue(problem, k))}`),
    )}; ${money(total)} in all) cannot be packed into the caps of the ${repIds.length} rep${
      repIds.length === 1 ? '' : 's'
    } who may take them: ${roomText}. The totals fit but the accounts do not; raise one of these caps or let another rep receive one of the accounts`,
    accountIds,
    repIds,
  };
}

/**
 * The packing proofs of the pools where the construction left `unplaced` positions, each pool given an equal
 * part of the budget. `reasons` is empty when none could be proven (the accounts may fit: the solve goes on);
 * `packings` holds, for a pool whose accounts the proof could place, a placement of them all.
 */
export async function packingReasons(
  problem: Problem,
  unplaced: readonly number[],
  options: PackingOptions,
): Promise<{ reasons: InfeasibleReason[]; packings: Map<number, number>[] }> {
  // A position's pool is its eligible reps' pool (every unplaced position has one: the checks came first).
  const poolOf = (k: number) => problem.repPool[problem.eligRep[problem.eligStart[k]!]!]!;
  const failed = [...new Set(unplaced.map(poolOf))].map((i) => problem.pools[i]!);
  const reasons: InfeasibleReason[] = [];
  const packings: Map<number, number>[] = [];
  for (const pool of failed) {
    const outcome = await provePackingInfeasible(problem, pool, {
      ...options,
      budgetMs: options.budgetMs / failed.length,
    });
    if (outcome && 'reason' in outcome) reasons.push(outcome.reason);
    else if (outcome) packings.push(outcome.packing);
  }
  return { reasons, packings };
}

/**
 * Puts the accounts of a pool the construction could not complete where the proof's placement has them (it
 * holds every cap: the search polishes it from there). Not for new-hire runs, whose cap on accounts taken
 * from one rep the placement does not know.
 */
export function applyPackings(state: State, packings: readonly Map<number, number>[]): void {
  if (Number.isFinite(state.problem.takenCap)) return;
  for (const packing of packings) {
    for (const k of packing.keys()) unplace(state, k);
    for (const [k, r] of packing) place(state, k, r);
  }
}
