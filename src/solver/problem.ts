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
  const nA = accounts.length;
  const nR = reps.length;
  const repIndex = new Map<string, number>();
  for (let i = 0; i < nR; i++) repIndex.set(reps[i]!.id, i);
  const isHire = new Uint8Array(nR);
  if (input.kind === 'new-hire')
    for (const h of input.newHire?.hireRepIds ?? []) isHire[repIndex.get(h)!] = 1;
  const hires = [...isHire.keys()].filter((i) => isHire[i] === 1);

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

  // Eligibility per movable account (CSR). New hires: an owned account either stays or goes to a hire.
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
  const movable = Int32Array.from(movableList);
  const eligStart = Int32Array.from(eligStartArr);
  const eligRep = Int32Array.from(eligRepArr);

  // Pools: reps linked through a movable account they could both receive are balanced together.
  const parent = Int32Array.from({ length: nR }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const inPlay = new Uint8Array(nR);
  for (let k = 0; k < movable.length; k++) {
    const s = eligStart[k]!;
    const e = eligStart[k + 1]!;
    for (let j = s; j < e; j++) inPlay[eligRep[j]!] = 1;
    for (let j = s + 1; j < e; j++) {
      const ra = find(eligRep[s]!);
      const rb = find(eligRep[j]!);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
  const repPool = new Int32Array(nR).fill(-1);
  const pools: Pool[] = [];
  const rootPool = new Map<number, number>();
  for (let r = 0; r < nR; r++) {
    if (!inPlay[r]) continue;
    const root = find(r);
    let p = rootPool.get(root);
    if (p === undefined) {
      p = pools.length;
      rootPool.set(root, p);
      pools.push({
        index: p,
        reps: [],
        movable: [],
        totalCount: 0,
        totalRevenueCents: 0,
        meanCount: 0,
        meanAccountRevenue: 0,
        label: '',
      });
    }
    repPool[r] = p;
    pools[p]!.reps.push(r);
  }

  const fixedCount = new Float64Array(nR);
  const fixedRevenueCents = new Float64Array(nR);
  for (let a = 0; a < nA; a++) {
    const r = fixedTo[a]!;
    if (r >= 0) {
      fixedCount[r]! += 1;
      fixedRevenueCents[r]! += accounts[a]!.revenueCents;
    }
  }
  const accountPool = new Int32Array(movable.length).fill(-1);
  for (let k = 0; k < movable.length; k++) {
    // An account with no eligible rep has no pool; the infeasibility check reports it.
    if (eligStart[k + 1]! > eligStart[k]!) {
      const p = repPool[eligRep[eligStart[k]!]!]!;
      accountPool[k] = p;
      pools[p]!.movable.push(k);
    }
  }

  const targetCount = new Float64Array(nR);
  const targetRevenueCents = new Float64Array(nR);
  const targetUnits = new Float64Array(nR);
  const fixedUnits = new Float64Array(nR);
  const capCount = new Float64Array(nR).fill(Number.POSITIVE_INFINITY);
  const capRevenueCents = new Float64Array(nR).fill(Number.POSITIVE_INFINITY);
  const capUnits = new Float64Array(nR).fill(Number.POSITIVE_INFINITY);
  for (let r = 0; r < nR; r++) {
    const rep = reps[r]!;
    if (rep.maxAccounts !== undefined) capCount[r] = Math.max(rep.maxAccounts, fixedCount[r]!);
    if (rep.maxRevenueCents !== undefined)
      capRevenueCents[r] = Math.max(rep.maxRevenueCents, fixedRevenueCents[r]!);
  }
  const unit = new Float64Array(movable.length);
  const moveCost = new Float64Array(movable.length);
  for (const pool of pools) {
    let count = 0;
    let revenue = 0;
    let weightSum = 0;
    for (const r of pool.reps) {
      count += fixedCount[r]!;
      revenue += fixedRevenueCents[r]!;
      weightSum += repWeight(reps[r]!);
    }
    for (const k of pool.movable) {
      count += 1;
      revenue += accounts[movable[k]!]!.revenueCents;
    }
    pool.totalCount = count;
    pool.totalRevenueCents = revenue;
    pool.meanCount = count / pool.reps.length;
    pool.meanAccountRevenue = count > 0 ? revenue / count : 0;
    const w = pool.meanAccountRevenue;
    for (const r of pool.reps) {
      const share = repWeight(reps[r]!) / weightSum;
      targetCount[r] = count * share;
      targetRevenueCents[r] = revenue * share;
      targetUnits[r] = w > 0 ? targetRevenueCents[r]! / w : 0;
      fixedUnits[r] = w > 0 ? fixedRevenueCents[r]! / w : 0;
      if (Number.isFinite(capRevenueCents[r]!))
        capUnits[r] = w > 0 ? capRevenueCents[r]! / w : Number.POSITIVE_INFINITY;
    }
    const cbar = pool.meanCount;
    for (const k of pool.movable) {
      const acc = accounts[movable[k]!]!;
      const u = w > 0 ? acc.revenueCents / w : 0;
      unit[k] = u;
      const o = owner[movable[k]!]!;
      const ownerStays = o >= 0 && !reps[o]!.departing;
      moveCost[k] = ownerStays
        ? (CONTINUITY_KAPPA * (1 + u) * (acc.hasOpenDeal ? OPEN_DEAL_FACTOR : 1)) / cbar
        : 0;
    }
    pool.label = poolLabel(reps, pool.reps);
  }

  const takenCap =
    input.kind === 'new-hire' && input.newHire?.maxTakenPerRep !== undefined
      ? input.newHire.maxTakenPerRep
      : Number.POSITIVE_INFINITY;

  return {
    ok: true,
    problem: {
      input,
      accounts,
      reps,
      repIndex,
      owner,
      fixedTo,
      fixedReason,
      movable,
      eligStart,
      eligRep,
      unit,
      moveCost,
      accountPool,
      pools,
      repPool,
      fixedCount,
      fixedRevenueCents,
      fixedUnits,
      targetCount,
      targetUnits,
      targetRevenueCents,
      capCount,
      capRevenueCents,
      capUnits,
      takenCap,
      isHire,
      variables: eligRep.length,
    },
  };
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
