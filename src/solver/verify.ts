/**
 * The independent checker: every answer from every engine passes through it before it is returned. It
 * recomputes everything from the raw input in integer cents, sharing no code with the model or the engines.
 */
import type { SolveInput } from './input.ts';

export interface VerifyOutcome {
  ok: boolean;
  errors: string[];
  /** The objective recomputed from the assignment alone. */
  objective: number;
}

const KAPPA = 0.1;
const DEAL = 3;
const MM_L1 = 0.01;

/** Check a complete proposal: account id → new rep id. */
export function verifyAssignment(
  input: SolveInput,
  finalOwner: ReadonlyMap<string, string>,
  reportedObjective?: number,
): VerifyOutcome {
  const errors: string[] = [];
  const fail = (msg: string) => {
    if (errors.length < 50) errors.push(msg);
  };
  if (finalOwner.size !== input.accounts.length)
    fail(`expected ${input.accounts.length} assignments, got ${finalOwner.size}`);
  const t = checkAccounts(input, finalOwner, fail);
  checkReps(input, t, fail);
  const objective = recomputeObjective(input, finalOwner, t.movable, t.fixedCount, t.fixedCents);
  if (
    reportedObjective !== undefined &&
    !(Math.abs(reportedObjective - objective) <= 1e-7 * Math.max(1, Math.abs(objective)))
  ) {
    fail(`reported objective ${reportedObjective} differs from the recomputed ${objective}`);
  }
  return { ok: errors.length === 0, errors, objective };
}

/** Per rep id: accounts and cents it ends with, those it keeps anyway, and accounts taken from it (new hire). */
interface Tallies {
  count: Map<string, number>;
  cents: Map<string, number>;
  fixedCount: Map<string, number>;
  fixedCents: Map<string, number>;
  taken: Map<string, number>;
  /** Movable accounts and who may take them, recomputed here from the rules as documented. */
  movable: { idx: number; eligible: string[]; ownerCouldKeep: boolean }[];
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

/** Each account goes to a known rep: the one it must stay with, or one that may receive it. */
function checkAccounts(
  input: SolveInput,
  finalOwner: ReadonlyMap<string, string>,
  fail: (msg: string) => void,
): Tallies {
  const reps = new Map(input.reps.map((r, i) => [r.id, { rep: r, i }]));
  const t: Tallies = {
    count: new Map(),
    cents: new Map(),
    fixedCount: new Map(),
    fixedCents: new Map(),
    taken: new Map(),
    movable: [],
  };
  const eligibleCache = new Map<string, string[]>();
  for (let idx = 0; idx < input.accounts.length; idx++) {
    const a = input.accounts[idx]!;
    const to = finalOwner.get(a.id);
    if (to === undefined) {
      fail(`account ${a.id} has no owner in the proposal`);
      continue;
    }
    if (!reps.has(to)) {
      fail(`account ${a.id} goes to unknown rep ${to}`);
      continue;
    }
    add(t.count, to, 1);
    add(t.cents, to, a.revenueCents);
    const owner = a.ownerId === null ? null : reps.get(a.ownerId)!.rep;
    const keep = mustStayWith(input, a, owner);
    if (keep !== null) {
      if (to !== keep) fail(`account ${a.id} must stay with ${keep} but goes to ${to}`);
      add(t.fixedCount, keep, 1);
      add(t.fixedCents, keep, a.revenueCents);
      continue;
    }
    // Same rules for every account with the same attributes: cache by them (100k accounts x 300 reps).
    const newHireOwner = input.kind === 'new-hire' && owner && !owner.departing ? owner.id : '';
    const key = `${a.region}\u0000${a.segment ?? ''}\u0000${a.tier ?? ''}\u0000${newHireOwner}`;
    let eligible = eligibleCache.get(key);
    if (!eligible) {
      eligible = mayReceive(input, a, newHireOwner);
      eligibleCache.set(key, eligible);
    }
    if (!eligible.includes(to))
      fail(`account ${a.id} (region ${a.region}) goes to ${to}, who may not receive it`);
    const ownerCouldKeep = owner !== null && eligible.includes(owner.id);
    if (ownerCouldKeep && to !== owner!.id) add(t.taken, owner!.id, 1);
    t.movable.push({ idx, eligible, ownerCouldKeep });
  }
  return t;
}

type Account = SolveInput['accounts'][number];
type Rep = SolveInput['reps'][number];

/** The rep an account must stay with (its pin, or its staying owner where the run leaves it), else null. */
function mustStayWith(input: SolveInput, a: Account, owner: Rep | null): string | null {
  if (a.pinnedOwnerId !== undefined) return a.pinnedOwnerId;
  if (!owner || owner.departing) return null;
  const inScope =
    (!input.scope?.regions || input.scope.regions.includes(a.region)) &&
    (!input.scope?.segments || (a.segment !== undefined && input.scope.segments.includes(a.segment)));
  return !inScope || input.kind === 'departure' || !owner.mayReceive || a.protected ? owner.id : null;
}

/** The reps that may receive the account (a new hire's run: its staying owner or a hire). */
function mayReceive(input: SolveInput, a: Account, newHireOwner: string): string[] {
  const hires = new Set(input.kind === 'new-hire' ? (input.newHire?.hireRepIds ?? []) : []);
  return input.reps
    .filter((r) => {
      if (r.departing || !r.mayReceive) return false;
      const regions = r.regions && r.regions.length > 0 ? r.regions : r.region ? [r.region] : [];
      if (!regions.includes(a.region)) return false;
      if (r.segment !== undefined && r.segment !== a.segment) return false;
      if (r.tiers !== undefined && (a.tier === undefined || !r.tiers.includes(a.tier))) return false;
      if (newHireOwner !== '') return r.id === newHireOwner || hires.has(r.id);
      return true;
    })
    .map((r) => r.id);
}

/** No departing rep keeps an account; caps (never below what a rep keeps anyway) and the taken cap hold. */
function checkReps(input: SolveInput, t: Tallies, fail: (msg: string) => void): void {
  for (const r of input.reps) {
    const n = t.count.get(r.id) ?? 0;
    const c = t.cents.get(r.id) ?? 0;
    if (r.departing && n > 0) fail(`departing rep ${r.id} still owns ${n} account(s)`);
    if (r.maxAccounts !== undefined && n > Math.max(r.maxAccounts, t.fixedCount.get(r.id) ?? 0)) {
      fail(`rep ${r.id} has ${n} accounts, over the cap of ${r.maxAccounts}`);
    }
    if (r.maxRevenueCents !== undefined && c > Math.max(r.maxRevenueCents, t.fixedCents.get(r.id) ?? 0)) {
      fail(`rep ${r.id} has ${c} cents of revenue, over the cap of ${r.maxRevenueCents}`);
    }
    const cap = input.kind === 'new-hire' ? input.newHire?.maxTakenPerRep : undefined;
    if (cap !== undefined && (t.taken.get(r.id) ?? 0) > cap)
      fail(`${t.taken.get(r.id)} accounts taken from rep ${r.id}, over ${cap}`);
  }
}

type CheckerPool = { reps: string[]; accounts: number[]; count: number; cents: number };

function recomputeObjective(
  input: SolveInput,
  finalOwner: ReadonlyMap<string, string>,
  movable: { idx: number; eligible: string[] }[],
  fixedCount: Map<string, number>,
  fixedCents: Map<string, number>,
): number {
  const pools = linkedPools(movable);
  const repById = new Map(input.reps.map((r) => [r.id, r]));
  const finalCount = new Map<string, number>();
  const finalCents = new Map<string, number>();
  for (const a of input.accounts) {
    const to = finalOwner.get(a.id)!;
    finalCount.set(to, (finalCount.get(to) ?? 0) + 1);
    finalCents.set(to, (finalCents.get(to) ?? 0) + a.revenueCents);
  }
  let total = 0;
  for (const pool of pools.values()) {
    let count = pool.accounts.length;
    let cents = 0;
    for (const idx of pool.accounts) cents += input.accounts[idx]!.revenueCents;
    let weightSum = 0;
    for (const r of pool.reps) {
      count += fixedCount.get(r) ?? 0;
      cents += fixedCents.get(r) ?? 0;
      const rep = repById.get(r)!;
      weightSum += rep.weight * ((rep.rampTargetBps ?? 10000) / 10000);
    }
    const meanCount = count / pool.reps.length;
    const meanCents = cents / pool.reps.length;
    let l1 = 0;
    let maxC = 0;
    let maxV = 0;
    for (const r of pool.reps) {
      const rep = repById.get(r)!;
      const share = (rep.weight * ((rep.rampTargetBps ?? 10000) / 10000)) / weightSum;
      const dc = Math.abs((finalCount.get(r) ?? 0) - count * share) / meanCount;
      const dv = meanCents > 0 ? Math.abs((finalCents.get(r) ?? 0) - cents * share) / meanCents : 0;
      l1 += dc + dv;
      maxC = Math.max(maxC, dc);
      maxV = Math.max(maxV, dv);
    }
    const continuity = poolContinuity(input, finalOwner, repById, pool, count, cents, meanCount);
    total += input.objective === 'l1' ? l1 + continuity : maxC + maxV + MM_L1 * l1 + continuity;
  }
  return total;
}

/** Pools: reps linked by a movable account they could both take (union-find keyed by rep id), with their accounts. */
function linkedPools(movable: { idx: number; eligible: string[] }[]): Map<string, CheckerPool> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const linked = new Set<string[]>();
  for (const m of movable) {
    if (linked.has(m.eligible)) continue;
    linked.add(m.eligible);
    for (const r of m.eligible) if (!parent.has(r)) parent.set(r, r);
    for (const r of m.eligible.slice(1)) {
      const a = find(m.eligible[0]!);
      const b = find(r);
      // The smaller id becomes the root, so pools do not depend on the order of accounts.
      if (a < b) parent.set(b, a);
      else if (b < a) parent.set(a, b);
    }
  }
  const pools = new Map<string, CheckerPool>();
  for (const r of parent.keys()) {
    const root = find(r);
    if (!pools.has(root)) pools.set(root, { reps: [], accounts: [], count: 0, cents: 0 });
    pools.get(root)!.reps.push(r);
  }
  for (const m of movable) {
    if (m.eligible.length === 0) continue;
    const pool = pools.get(find(m.eligible[0]!))!;
    pool.accounts.push(m.idx);
  }
  return pools;
}

/** The continuity cost of a pool's accounts that leave an owner who stays. */
function poolContinuity(
  input: SolveInput,
  finalOwner: ReadonlyMap<string, string>,
  repById: Map<string, Rep>,
  pool: CheckerPool,
  count: number,
  cents: number,
  meanCount: number,
): number {
  let continuity = 0;
  const meanAccount = count > 0 ? cents / count : 0;
  for (const idx of pool.accounts) {
    const a = input.accounts[idx]!;
    const owner = a.ownerId === null ? undefined : repById.get(a.ownerId);
    if (!owner || owner.departing || finalOwner.get(a.id) === owner.id) continue;
    const u = meanAccount > 0 ? a.revenueCents / meanAccount : 0;
    continuity += (KAPPA * (1 + u) * (a.hasOpenDeal ? DEAL : 1)) / meanCount;
  }
  return continuity;
}
