/**
 * Infeasibility by packing: caps whose totals suffice but whose accounts cannot be packed into them (three
 * $60 accounts, two reps with room for $100 each). The capacity checks (infeasibility.ts) cannot see it and
 * the construction only fails; this proves it with a feasibility MIP on the accounts that failed to place
 * and their eligible reps (caps, eligibility, nothing else: a relaxation of the real problem, so its
 * infeasibility is a proof), then shrinks the set of accounts to one that is still infeasible but
 * irreducible — removing any account makes it fit — and names it with the reps it could go to.
 */
import { runHighs } from './engines/highs.ts';
import { formatCents, type InfeasibleReason } from './infeasibility.ts';
import type { MipModel } from './model.ts';
import type { Pool, Problem } from './problem.ts';

export interface PackingOptions {
  /** Wall-clock budget for all the MIPs together (the proof gives up, returning null, past it). */
  budgetMs: number;
  shouldStop?: () => boolean;
}

type Verdict = 'infeasible' | 'feasible' | 'unknown';

/** Above this many accounts in the set, the first MIP alone decides (no shrinking: too many MIPs). */
const SHRINK_MAX_ACCOUNTS = 2_000;
/** Exact search (no MIP) for sets this small: the certificate is then checked in exact cents. */
const EXACT_MAX_NODES = 2_000_000;

/**
 * A proof that `pool`'s movable accounts cannot all be placed under the caps, with an irreducible set of
 * accounts and the reps that could take them; null when they can be placed or nothing was proven in time.
 */
export async function provePackingInfeasible(
  problem: Problem,
  pool: Pool,
  options: PackingOptions,
): Promise<InfeasibleReason | null> {
  const t0 = Date.now();
  const left = () => options.budgetMs - (Date.now() - t0);
  const check = async (set: number[]): Promise<Verdict> => {
    const exact = exactPacking(problem, set);
    if (exact !== 'unknown') return exact;
    if (left() <= 0 || options.shouldStop?.()) return 'unknown';
    const run = await runHighs(feasibilityModel(problem, pool, set), {
      timeLimitSec: Math.max(0.05, left() / 1000),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    if (run.status === 'infeasible') return 'infeasible';
    if (run.status === 'optimal' || run.status === 'feasible') return 'feasible';
    return 'unknown';
  };
  // Largest accounts first: they are what does not fit, so the shrinking drops the small ones first.
  let set = [...pool.movable].sort((a, b) => revenue(problem, b) - revenue(problem, a));
  if ((await check(set)) !== 'infeasible') return null;
  if (set.length <= SHRINK_MAX_ACCOUNTS) {
    // Deletion filter in chunks (halving): drop a chunk when the rest is still infeasible.
    for (let chunk = Math.max(1, set.length >> 1); ; chunk = Math.max(1, chunk >> 1)) {
      for (let i = set.length - chunk; i >= 0 && left() > 0; i -= chunk) {
        const rest = [...set.slice(0, i), ...set.slice(i + chunk)];
        if (rest.length > 0 && (await check(rest)) === 'infeasible') set = rest;
      }
      if (chunk === 1 || left() <= 0) break;
    }
  }
  return reasonFor(problem, pool, set);
}

function revenue(problem: Problem, k: number): number {
  return problem.accounts[problem.movable[k]!]!.revenueCents;
}

/** Room a rep has left for movable accounts: count and cents (never below 0: a rep over its cap takes none). */
function room(problem: Problem, r: number): { count: number; cents: number } {
  return {
    count: Math.max(0, problem.capCount[r]! - problem.fixedCount[r]!),
    cents: Math.max(0, problem.capRevenueCents[r]! - problem.fixedRevenueCents[r]!),
  };
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
export function exactPacking(problem: Problem, set: number[]): Verdict {
  if (set.length > 14) return 'unknown';
  const order = [...set].sort((a, b) => revenue(problem, b) - revenue(problem, a));
  const options = order.map((k) => eligibleReps(problem, k));
  const left = new Map<number, { count: number; cents: number }>();
  for (const reps of options) for (const r of reps) if (!left.has(r)) left.set(r, room(problem, r));
  let nodes = 0;
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
      const ok = place(i + 1);
      l.count += 1;
      l.cents += cents;
      if (ok !== false) return ok;
    }
    return false;
  };
  const found = place(0);
  return found === null ? 'unknown' : found ? 'feasible' : 'infeasible';
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
      const l = room(problem, r);
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
  const accounts = [...set].sort((a, b) => revenue(problem, b) - revenue(problem, a));
  const reps = [...new Set(accounts.flatMap((k) => eligibleReps(problem, k)))].sort((a, b) => a - b);
  const accountIds = accounts.map((k) => problem.accounts[problem.movable[k]!]!.id);
  const repIds = reps.map((r) => problem.reps[r]!.id);
  const total = accounts.reduce((s, k) => s + revenue(problem, k), 0);
  const roomText = reps
    .map((r) => {
      const l = room(problem, r);
      const parts = [
        Number.isFinite(l.cents) ? `${formatCents(l.cents)}` : 'any revenue',
        Number.isFinite(l.count) ? `${l.count} account${l.count === 1 ? '' : 's'}` : '',
      ].filter(Boolean);
      return `${problem.reps[r]!.id} (room for ${parts.join(', ')})`;
    })
    .join(', ');
  const list = (ids: string[]) => (ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, …` : ids.join(', '));
  return {
    code: 'caps-conflict',
    scope: pool.label,
    message: `${pool.label}: ${accountIds.length} account${accountIds.length === 1 ? '' : 's'} (${list(
      accounts.map((k) => `${problem.accounts[problem.movable[k]!]!.id} ${formatCents(revenue(problem, k))}`),
    )}; ${formatCents(total)} in all) cannot be packed into the caps of the ${repIds.length} rep${
      repIds.length === 1 ? '' : 's'
    } who may take them: ${roomText}. The totals fit but the accounts do not; raise one of these caps or let another rep receive one of the accounts`,
    accountIds,
    repIds,
  };
}

/**
 * The packing proofs of the pools where the construction left `unplaced` positions, each pool given an
 * equal part of the budget; empty when none could be proven (the accounts may fit: the solve goes on).
 */
export async function packingReasons(
  problem: Problem,
  unplaced: readonly number[],
  options: PackingOptions,
): Promise<InfeasibleReason[]> {
  // A position's pool is its eligible reps' pool (every unplaced position has one: the checks came first).
  const poolOf = (k: number) => problem.repPool[problem.eligRep[problem.eligStart[k]!]!]!;
  const failed = [...new Set(unplaced.map(poolOf))].map((i) => problem.pools[i]!);
  const reasons: InfeasibleReason[] = [];
  for (const pool of failed) {
    const reason = await provePackingInfeasible(problem, pool, {
      ...options,
      budgetMs: options.budgetMs / failed.length,
    });
    if (reason) reasons.push(reason);
  }
  return reasons;
}
