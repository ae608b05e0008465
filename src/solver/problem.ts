/**
 * Turns a validated input into the indexed problem every engine works on: which accounts may move, to whom,
 * the independent pools of reps, the targets, and the normalised units (revenue in "mean accounts").
 */
import {
  type InputIssue,
  repRegions,
  SOLVE_LIMITS,
  type SolveAccount,
  type SolveInput,
  type SolveRep,
} from './input.ts';
import { groupRepsIntoPools } from './pool-grouping.ts';

/** Continuity: a move costs this share of one account's normalised weight; an open deal triples it. */
export const CONTINUITY_KAPPA = 0.1;
export const OPEN_DEAL_FACTOR = 3;
/** Minimax is degenerate alone (SOLVER-LAB): the sum of deviations rides along with this weight. */
export const MINIMAX_L1_WEIGHT = 0.01;

/** Why an account is not a variable. */
export type FixedReason = 'pinned' | 'protected' | 'out-of-scope' | 'owner-not-receiving' | 'owner-stays';

export interface Pool {
  index: number;
  reps: number[];
  /** Movable positions (indices into Problem.movable). */
  movable: number[];
  totalCount: number;
  totalRevenueCents: number;
  /** Mean accounts per rep (C̄) and mean revenue per account (ŵ, cents). */
  meanCount: number;
  meanAccountRevenue: number;
  label: string;
}

export interface Problem {
  input: SolveInput;
  accounts: SolveAccount[];
  reps: SolveRep[];
  repIndex: Map<string, number>;
  /** Per account: current owner (rep index, -1 none). */
  owner: Int32Array;
  /** Per account: final rep when it is not a variable, else -1. */
  fixedTo: Int32Array;
  fixedReason: (FixedReason | null)[];
  /** Movable account indices; position k in this list is the account's variable block. */
  movable: Int32Array;
  /** CSR of eligible reps per movable position, sorted ascending. */
  eligStart: Int32Array;
  eligRep: Int32Array;
  /** Per movable position: revenue in the pool's mean-account units, and the cost of leaving the owner. */
  unit: Float64Array;
  moveCost: Float64Array;
  /** Per movable position: the pool. */
  accountPool: Int32Array;
  pools: Pool[];
  /** Per rep: pool (-1 when the rep takes part in no balancing). */
  repPool: Int32Array;
  fixedCount: Float64Array;
  fixedRevenueCents: Float64Array;
  /** Normalised fixed revenue (mean-account units of the rep's pool). */
  fixedUnits: Float64Array;
  targetCount: Float64Array;
  targetUnits: Float64Array;
  targetRevenueCents: Float64Array;
  /** Effective caps: never below what the rep keeps anyway (Infinity when uncapped). */
  capCount: Float64Array;
  capRevenueCents: Float64Array;
  capUnits: Float64Array;
  /** New hire: at most this many accounts leave any one existing rep. */
  takenCap: number;
  isHire: Uint8Array;
  variables: number;
}

export function repWeight(rep: SolveRep): number {
  return rep.weight * ((rep.rampTargetBps ?? 10_000) / 10_000);
}

/** Eligibility for receiving an account, before kind-specific rules. */
export function baseEligible(a: SolveAccount, r: SolveRep): boolean {
  if (r.departing || !r.mayReceive) return false;
  if (!repRegions(r).includes(a.region)) return false;
  if (r.segment !== undefined && a.segment !== r.segment) return false;
  if (r.tiers !== undefined && (a.tier === undefined || !r.tiers.includes(a.tier))) return false;
  return true;
}

function inScope(input: SolveInput, a: SolveAccount): boolean {
  const s = input.scope;
  if (!s) return true;
  if (s.regions && !s.regions.includes(a.region)) return false;
  if (s.segments && (a.segment === undefined || !s.segments.includes(a.segment))) return false;
  return true;
}

/** Build the indexed problem; returns issues when the model would exceed the size limits. */
export function buildProblem(
  input: SolveInput,
): { ok: true; problem: Problem } | { ok: false; issues: InputIssue[] } {
  const { accounts, reps } = input;
  const repIndex = new Map<string, number>();
  for (let i = 0; i < reps.length; i++) repIndex.set(reps[i]!.id, i);
  const isHire = hireFlags(input, repIndex);
  const split = splitFixedAndMovable(input, repIndex);
  const elig = eligibility(input, split.owner, split.movableList, isHire);
  if (!elig.ok) return elig;
  const { eligStart, eligRep } = elig;
  const movable = Int32Array.from(split.movableList);
  const { repPool, pools } = groupPools(reps.length, eligStart, eligRep);
  const fixed = fixedLoads(input, split.fixedTo);
  const accountPool = placeInPools(pools, repPool, eligStart, eligRep);
  const caps = effectiveCaps(reps, fixed);
  const scaled = scalePools(input, pools, movable, split.owner, fixed, caps.capRevenueCents);

  return {
    ok: true,
    problem: {
      input,
      accounts,
      reps,
      repIndex,
      owner: split.owner,
      fixedTo: split.fixedTo,
      fixedReason: split.fixedReason,
      movable,
      eligStart,
      eligRep,
      unit: scaled.unit,
      moveCost: scaled.moveCost,
      accountPool,
      pools,
      repPool,
      fixedCount: fixed.count,
      fixedRevenueCents: fixed.revenueCents,
      fixedUnits: scaled.fixedUnits,
      targetCount: scaled.targetCount,
      targetUnits: scaled.targetUnits,
      targetRevenueCents: scaled.targetRevenueCents,
      capCount: caps.capCount,
      capRevenueCents: caps.capRevenueCents,
      capUnits: scaled.capUnits,
      takenCap: takenCapOf(input),
      isHire,
      variables: eligRep.length,
    },
  };
}

/** Per rep: 1 for the new hires of a new-hire run. */
function hireFlags(input: SolveInput, repIndex: Map<string, number>): Uint8Array {
  const isHire = new Uint8Array(input.reps.length);
  if (input.kind === 'new-hire')
    for (const h of input.newHire?.hireRepIds ?? []) isHire[repIndex.get(h)!] = 1;
  return isHire;
}

/** New hire: at most this many accounts leave any one existing rep (Infinity otherwise). */
function takenCapOf(input: SolveInput): number {
  return input.kind === 'new-hire' && input.newHire?.maxTakenPerRep !== undefined
    ? input.newHire.maxTakenPerRep
    : Number.POSITIVE_INFINITY;
}

/** Each account's owner, and whether it is a variable or fixed (to whom, and why). */
function splitFixedAndMovable(input: SolveInput, repIndex: Map<string, number>) {
  const { accounts, reps } = input;
  const nA = accounts.length;
  const owner = new Int32Array(nA).fill(-1);
  const fixedTo = new Int32Array(nA).fill(-1);
  const fixedReason: (FixedReason | null)[] = new Array(nA).fill(null);
  const movableList: number[] = [];
  for (let a = 0; a < nA; a++) {
    const acc = accounts[a]!;
    const o = acc.ownerId === null ? -1 : repIndex.get(acc.ownerId)!;
    owner[a] = o;
    const reason = fixedReasonOf(input, acc, o === -1 ? null : reps[o]!);
    if (reason === null) movableList.push(a);
    else {
      fixedReason[a] = reason;
      fixedTo[a] = reason === 'pinned' ? repIndex.get(acc.pinnedOwnerId!)! : o;
    }
  }
  return { owner, fixedTo, fixedReason, movableList };
}

/**
 * Eligible reps per movable account (CSR), or the issue when the model would pass the variable limit.
 * New hires: an owned account either stays or goes to a hire.
 */
function eligibility(
  input: SolveInput,
  owner: Int32Array,
  movableList: number[],
  isHire: Uint8Array,
): { ok: true; eligStart: Int32Array; eligRep: Int32Array } | { ok: false; issues: InputIssue[] } {
  const { accounts, reps } = input;
  const hires = [...isHire.keys()].filter((i) => isHire[i] === 1);
  const eligStartArr: number[] = [0];
  const eligRepArr: number[] = [];
  const receivers = reps.map((_, i) => i).filter((i) => !reps[i]!.departing && reps[i]!.mayReceive);
  for (const a of movableList) {
    const acc = accounts[a]!;
    const o = owner[a]!;
    const ownerStaysInPlay = input.kind === 'new-hire' && o >= 0 && !reps[o]!.departing;
    const candidates = ownerStaysInPlay ? [...new Set([o, ...hires])].sort((x, y) => x - y) : receivers;
    for (const r of candidates) if (baseEligible(acc, reps[r]!)) eligRepArr.push(r);
    eligStartArr.push(eligRepArr.length);
    if (eligRepArr.length > SOLVE_LIMITS.maxVariables) {
      return {
        ok: false,
        issues: [
          {
            path: ['accounts'],
            message: `the model would have more than ${SOLVE_LIMITS.maxVariables.toLocaleString('en-US')} (account, rep) variables; split the run by region or segment`,
          },
        ],
      };
    }
  }
  return { ok: true, eligStart: Int32Array.from(eligStartArr), eligRep: Int32Array.from(eligRepArr) };
}

/** The pools (their reps; totals and means come with scalePools). */
function groupPools(
  nR: number,
  eligStart: Int32Array,
  eligRep: Int32Array,
): { repPool: Int32Array; pools: Pool[] } {
  const { repPool, members } = groupRepsIntoPools(nR, eligStart, eligRep);
  const pools = members.map((reps, index) => ({
    index,
    reps,
    movable: [],
    totalCount: 0,
    totalRevenueCents: 0,
    meanCount: 0,
    meanAccountRevenue: 0,
    label: '',
  }));
  return { repPool, pools };
}

/** What each rep keeps anyway: the count and revenue of the accounts fixed to it. */
function fixedLoads(input: SolveInput, fixedTo: Int32Array) {
  const count = new Float64Array(input.reps.length);
  const revenueCents = new Float64Array(input.reps.length);
  for (let a = 0; a < input.accounts.length; a++) {
    const r = fixedTo[a]!;
    if (r >= 0) {
      count[r]! += 1;
      revenueCents[r]! += input.accounts[a]!.revenueCents;
    }
  }
  return { count, revenueCents };
}

/** Per movable position: its pool (that of its first eligible rep), listed in the pool too. */
function placeInPools(pools: Pool[], repPool: Int32Array, eligStart: Int32Array, eligRep: Int32Array) {
  const accountPool = new Int32Array(eligStart.length - 1).fill(-1);
  for (let k = 0; k < accountPool.length; k++) {
    // An account with no eligible rep has no pool; the infeasibility check reports it.
    if (eligStart[k + 1]! > eligStart[k]!) {
      const p = repPool[eligRep[eligStart[k]!]!]!;
      accountPool[k] = p;
      pools[p]!.movable.push(k);
    }
  }
  return accountPool;
}

/** Effective caps: never below what the rep keeps anyway (Infinity when uncapped). */
function effectiveCaps(reps: SolveRep[], fixed: { count: Float64Array; revenueCents: Float64Array }) {
  const capCount = new Float64Array(reps.length).fill(Number.POSITIVE_INFINITY);
  const capRevenueCents = new Float64Array(reps.length).fill(Number.POSITIVE_INFINITY);
  for (let r = 0; r < reps.length; r++) {
    const rep = reps[r]!;
    if (rep.maxAccounts !== undefined) capCount[r] = Math.max(rep.maxAccounts, fixed.count[r]!);
    if (rep.maxRevenueCents !== undefined)
      capRevenueCents[r] = Math.max(rep.maxRevenueCents, fixed.revenueCents[r]!);
  }
  return { capCount, capRevenueCents };
}

/**
 * Each pool's totals and means, its reps' targets (by weight) and normalised fixed revenue and caps, and its
 * accounts' units and move costs.
 */
function scalePools(
  input: SolveInput,
  pools: Pool[],
  movable: Int32Array,
  owner: Int32Array,
  fixed: { count: Float64Array; revenueCents: Float64Array },
  capRevenueCents: Float64Array,
) {
  const { accounts, reps } = input;
  const nR = reps.length;
  const s = {
    targetCount: new Float64Array(nR),
    targetRevenueCents: new Float64Array(nR),
    targetUnits: new Float64Array(nR),
    fixedUnits: new Float64Array(nR),
    capUnits: new Float64Array(nR).fill(Number.POSITIVE_INFINITY),
    unit: new Float64Array(movable.length),
    moveCost: new Float64Array(movable.length),
  };
  for (const pool of pools) {
    const weightSum = sumPool(input, pool, movable, fixed);
    const count = pool.totalCount;
    const revenue = pool.totalRevenueCents;
    const w = pool.meanAccountRevenue;
    for (const r of pool.reps) {
      const share = repWeight(reps[r]!) / weightSum;
      s.targetCount[r] = count * share;
      s.targetRevenueCents[r] = revenue * share;
      s.targetUnits[r] = w > 0 ? s.targetRevenueCents[r]! / w : 0;
      s.fixedUnits[r] = w > 0 ? fixed.revenueCents[r]! / w : 0;
      if (Number.isFinite(capRevenueCents[r]!))
        s.capUnits[r] = w > 0 ? capRevenueCents[r]! / w : Number.POSITIVE_INFINITY;
    }
    const cbar = pool.meanCount;
    for (const k of pool.movable) {
      const acc = accounts[movable[k]!]!;
      const u = w > 0 ? acc.revenueCents / w : 0;
      s.unit[k] = u;
      const o = owner[movable[k]!]!;
      const ownerStays = o >= 0 && !reps[o]!.departing;
      s.moveCost[k] = ownerStays
        ? (CONTINUITY_KAPPA * (1 + u) * (acc.hasOpenDeal ? OPEN_DEAL_FACTOR : 1)) / cbar
        : 0;
    }
    pool.label = poolLabel(reps, pool.reps);
  }
  return s;
}

/** A pool's totals and means (fixed and movable accounts); returns its reps' weight sum. */
function sumPool(
  input: SolveInput,
  pool: Pool,
  movable: Int32Array,
  fixed: { count: Float64Array; revenueCents: Float64Array },
): number {
  let count = 0;
  let revenue = 0;
  let weightSum = 0;
  for (const r of pool.reps) {
    count += fixed.count[r]!;
    revenue += fixed.revenueCents[r]!;
    weightSum += repWeight(input.reps[r]!);
  }
  for (const k of pool.movable) {
    count += 1;
    revenue += input.accounts[movable[k]!]!.revenueCents;
  }
  pool.totalCount = count;
  pool.totalRevenueCents = revenue;
  pool.meanCount = count / pool.reps.length;
  pool.meanAccountRevenue = count > 0 ? revenue / count : 0;
  return weightSum;
}

function fixedReasonOf(input: SolveInput, acc: SolveAccount, owner: SolveRep | null): FixedReason | null {
  if (acc.pinnedOwnerId !== undefined) return 'pinned';
  if (owner === null || owner.departing) return null;
  if (!inScope(input, acc)) return 'out-of-scope';
  if (input.kind === 'departure') return 'owner-stays';
  if (!owner.mayReceive) return 'owner-not-receiving';
  if (acc.protected) return 'protected';
  return null;
}

/** A readable name for a pool: its regions, plus segments when reps are segmented. */
function poolLabel(reps: SolveRep[], members: number[]): string {
  const regions = [...new Set(members.flatMap((r) => repRegions(reps[r]!)))].sort();
  const segments = [
    ...new Set(members.map((r) => reps[r]!.segment).filter((s): s is string => s !== undefined)),
  ].sort();
  return segments.length > 0 ? `${regions.join('+')} (${segments.join('+')})` : regions.join('+');
}
