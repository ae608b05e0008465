/** Turns a verified assignment into the proposal people read: a reason per account, rep metrics, balance, conflicts. */
import { formatCents } from './infeasibility.ts';
import { baseEligible, type Problem } from './problem.ts';
import type { AssignmentRow, BalanceMetrics, Conflict, RepMetrics, RuleCode, Spread } from './result.ts';

/** Final rep of every account (index) from the movable positions' assignment. */
export function finalOwners(problem: Problem, assign: ArrayLike<number>): Int32Array {
  const out = Int32Array.from(problem.fixedTo);
  for (let k = 0; k < problem.movable.length; k++) out[problem.movable[k]!] = assign[k]!;
  return out;
}

export function ownerMap(problem: Problem, finals: Int32Array): Map<string, string> {
  const m = new Map<string, string>();
  problem.accounts.forEach((a, i) => {
    m.set(a.id, problem.reps[finals[i]!]!.id);
  });
  return m;
}

/** Per rep, before and after: accounts, revenue, and the accounts that came in and went out. */
interface BookTotals {
  countBefore: Float64Array;
  countAfter: Float64Array;
  revBefore: Float64Array;
  revAfter: Float64Array;
  inN: Float64Array;
  outN: Float64Array;
}

export function buildReport(
  problem: Problem,
  finals: Int32Array,
  strategyName?: string,
): {
  assignments: AssignmentRow[];
  reps: RepMetrics[];
  balance: BalanceMetrics;
  conflicts: Conflict[];
  moved: number;
} {
  const totals = bookTotals(problem, finals);
  const conflicts: Conflict[] = [];
  const { assignments, moved } = assignmentRows(problem, finals, totals, conflicts, strategyName);
  const repRows = problem.reps.map((_, r) => repRow(problem, r, totals, conflicts));
  return { assignments, reps: repRows, balance: balanceOf(problem, totals), conflicts, moved };
}

function bookTotals(problem: Problem, finals: Int32Array): BookTotals {
  const nR = problem.reps.length;
  const t: BookTotals = {
    countBefore: new Float64Array(nR),
    countAfter: new Float64Array(nR),
    revBefore: new Float64Array(nR),
    revAfter: new Float64Array(nR),
    inN: new Float64Array(nR),
    outN: new Float64Array(nR),
  };
  problem.accounts.forEach((a, i) => {
    const o = problem.owner[i]!;
    const f = finals[i]!;
    if (o >= 0) {
      t.countBefore[o]! += 1;
      t.revBefore[o]! += a.revenueCents;
    }
    t.countAfter[f]! += 1;
    t.revAfter[f]! += a.revenueCents;
    if (o !== f) {
      t.inN[f]! += 1;
      if (o >= 0) t.outN[o]! += 1;
    }
  });
  return t;
}

/** One row per account with its rule and reason; the conflicts they raise go to `conflicts`, in account order. */
function assignmentRows(
  problem: Problem,
  finals: Int32Array,
  totals: BookTotals,
  conflicts: Conflict[],
  strategyName: string | undefined,
): { assignments: AssignmentRow[]; moved: number } {
  const { accounts, reps } = problem;
  const poolOfPosition = new Int32Array(accounts.length).fill(-1);
  for (let k = 0; k < problem.movable.length; k++)
    poolOfPosition[problem.movable[k]!] = problem.accountPool[k]!;
  const describeRep = (r: number) => {
    const p = problem.repPool[r]!;
    const t =
      p >= 0
        ? ` (target ${problem.targetCount[r]!.toFixed(1)} accounts, ${formatCents(problem.targetRevenueCents[r]!)})`
        : '';
    return `${reps[r]!.id} ends with ${totals.countAfter[r]} accounts and ${formatCents(totals.revAfter[r]!)}${t}`;
  };
  const assignments: AssignmentRow[] = [];
  let moved = 0;
  accounts.forEach((a, i) => {
    const o = problem.owner[i]!;
    const f = finals[i]!;
    const from = o >= 0 ? reps[o]!.id : null;
    const to = reps[f]!.id;
    const isMoved = o !== f;
    if (isMoved) moved++;
    const move: AccountMove = { i, o, f, from, to, isMoved };
    const { rule, reason } = ruleAndReason(
      problem,
      move,
      conflicts,
      describeRep,
      poolOfPosition,
      strategyName,
    );
    assignments.push({ accountId: a.id, fromRepId: from, toRepId: to, moved: isMoved, rule, reason });
    const closing = isMoved ? dealClosingConflict(problem, i, to) : null;
    if (closing) conflicts.push(closing);
  });
  return { assignments, moved };
}

/** One account's move: its index, owner and final rep (indices and ids). */
interface AccountMove {
  i: number;
  o: number;
  f: number;
  from: string | null;
  to: string;
  isMoved: boolean;
}

/** Why the account ends where it does; a pin to an ineligible rep or a protected account moved is a warning. */
function ruleAndReason(
  problem: Problem,
  { i, o, f, from, to, isMoved }: AccountMove,
  conflicts: Conflict[],
  describeRep: (r: number) => string,
  poolOfPosition: Int32Array,
  strategyName: string | undefined,
): { rule: RuleCode; reason: string } {
  const a = problem.accounts[i]!;
  const reps = problem.reps;
  const fixed = problem.fixedReason[i];
  if (fixed === 'pinned') {
    if (!baseEligible(a, reps[f]!)) {
      conflicts.push({
        code: 'pin-ineligible',
        severity: 'warning',
        accountId: a.id,
        repId: to,
        message: `${a.id} is pinned to ${to}, who would not otherwise be eligible for it (region/segment/tier); the override wins`,
      });
    }
    return { rule: 'pinned', reason: `pinned to ${to} by a manual override` };
  }
  if (fixed !== null && fixed !== undefined) {
    const reason = {
      protected: `protected: stays with ${from}`,
      'out-of-scope': `outside the run's scope: stays with ${from}`,
      'owner-not-receiving': `${from} is not in the balancing (may not receive), so the book stays`,
      'owner-stays': `${from} is not departing: stays`,
    }[fixed];
    return { rule: fixed, reason };
  }
  if (strategyName)
    return {
      rule: 'strategy',
      reason: `${strategyName}: ${isMoved ? `moved to ${to}` : `stays with ${to}`}; ${describeRep(f)}`,
    };
  if (o < 0)
    return { rule: 'unowned', reason: `had no owner; ${to} is the best fit for balance: ${describeRep(f)}` };
  if (reps[o]!.departing) {
    if (a.protected) {
      conflicts.push({
        code: 'protected-touched',
        severity: 'warning',
        accountId: a.id,
        repId: to,
        message: `protected account ${a.id} moves because its owner ${from} departs`,
      });
    }
    return {
      rule: 'departure',
      reason: `${from} departs; ${to} is the best fit for balance: ${describeRep(f)}`,
    };
  }
  if (problem.input.kind === 'new-hire' && problem.isHire[f] === 1 && isMoved)
    return { rule: 'new-hire', reason: `taken from ${from} for new hire ${to}: ${describeRep(f)}` };
  if (isMoved)
    return {
      rule: 'balance',
      reason: `moved from ${from} to balance ${problem.pools[poolOfPosition[i]!]?.label ?? ''}: ${describeRep(o)}; ${describeRep(f)}`,
    };
  return {
    rule: 'kept',
    reason: `stays with ${to}: no move improves the balance by more than its continuity cost${a.hasOpenDeal ? ' (open deal)' : ''}`,
  };
}

/** A moved account with a deal closing within the run's horizon of its as-of date: blocking. */
function dealClosingConflict(problem: Problem, i: number, to: string): Conflict | null {
  const a = problem.accounts[i]!;
  const { asOfDate, closingWithinDays } = problem.input;
  const asOf = asOfDate ? Date.parse(`${asOfDate}T00:00:00Z`) : null;
  if (asOf === null || !a.nextCloseDate) return null;
  const close = Date.parse(`${a.nextCloseDate}T00:00:00Z`);
  if (!(close >= asOf && close - asOf <= closingWithinDays * 86_400_000)) return null;
  return {
    code: 'deal-closing',
    severity: 'blocking',
    accountId: a.id,
    repId: to,
    message: `${a.id} moves to ${to} but has a deal closing on ${a.nextCloseDate}, within ${closingWithinDays} days of ${asOfDate}`,
  };
}

/** A rep's metrics; a rep over a cap gets an over-cap conflict. */
function repRow(problem: Problem, r: number, t: BookTotals, conflicts: Conflict[]): RepMetrics {
  const rep = problem.reps[r]!;
  const p = problem.repPool[r]!;
  // A rep the answer balances or gives to must end within its caps: over one, it is a blocking conflict (the rules
  // do not hold), also when it receives nothing and its own accounts keep it over. Any other rep is the book's.
  const overSeverity = p >= 0 || t.inN[r]! > 0 ? 'blocking' : 'warning';
  if (rep.maxAccounts !== undefined && t.countAfter[r]! > rep.maxAccounts) {
    conflicts.push({
      code: 'over-cap',
      severity: overSeverity,
      repId: rep.id,
      message: `${rep.name || rep.id} keeps ${t.countAfter[r]} accounts, over the cap of ${rep.maxAccounts} by ${t.countAfter[r]! - rep.maxAccounts} (the accounts it cannot give away already exceed it)`,
    });
  }
  if (rep.maxRevenueCents !== undefined && t.revAfter[r]! > rep.maxRevenueCents) {
    conflicts.push({
      code: 'over-cap',
      severity: overSeverity,
      repId: rep.id,
      message: `${rep.name || rep.id} keeps ${formatCents(t.revAfter[r]!)} of revenue, over the cap of ${formatCents(rep.maxRevenueCents)} by ${formatCents(t.revAfter[r]! - rep.maxRevenueCents)} (the accounts it cannot give away already exceed it)`,
    });
  }
  return {
    repId: rep.id,
    name: rep.name,
    pool: p >= 0 ? problem.pools[p]!.label : null,
    departing: rep.departing,
    countBefore: t.countBefore[r]!,
    countAfter: t.countAfter[r]!,
    revenueBeforeCents: t.revBefore[r]!,
    revenueAfterCents: t.revAfter[r]!,
    targetCount: p >= 0 ? round(problem.targetCount[r]!) : null,
    targetRevenueCents: p >= 0 ? Math.round(problem.targetRevenueCents[r]!) : null,
    maxAccounts: rep.maxAccounts ?? null,
    maxRevenueCents: rep.maxRevenueCents ?? null,
    accountsIn: t.inN[r]!,
    accountsOut: t.outN[r]!,
  };
}

/** The spreads over the reps in a pool, after and before. */
function balanceOf(problem: Problem, t: BookTotals): BalanceMetrics {
  const balanced = problem.reps.map((_, r) => r).filter((r) => problem.repPool[r]! >= 0);
  return {
    count: spread(balanced.map((r) => t.countAfter[r]!)),
    revenueCents: spread(balanced.map((r) => t.revAfter[r]!)),
    countBefore: spread(balanced.map((r) => t.countBefore[r]!)),
    revenueCentsBefore: spread(balanced.map((r) => t.revBefore[r]!)),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, spread: 0, maxOverMin: null, cv: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const sd = Math.sqrt(sq / values.length);
  return {
    min,
    max,
    mean: round(mean),
    spread: max - min,
    maxOverMin: min > 0 ? round(max / min) : null,
    cv: mean > 0 ? round(sd / mean) : 0,
  };
}
