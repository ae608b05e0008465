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
  const { accounts, reps } = problem;
  const nR = reps.length;
  const countBefore = new Float64Array(nR);
  const countAfter = new Float64Array(nR);
  const revBefore = new Float64Array(nR);
  const revAfter = new Float64Array(nR);
  const inN = new Float64Array(nR);
  const outN = new Float64Array(nR);
  accounts.forEach((a, i) => {
    const o = problem.owner[i]!;
    const f = finals[i]!;
    if (o >= 0) {
      countBefore[o]! += 1;
      revBefore[o]! += a.revenueCents;
    }
    countAfter[f]! += 1;
    revAfter[f]! += a.revenueCents;
    if (o !== f) {
      inN[f]! += 1;
      if (o >= 0) outN[o]! += 1;
    }
  });
  const poolOfPosition = new Int32Array(accounts.length).fill(-1);
  for (let k = 0; k < problem.movable.length; k++)
    poolOfPosition[problem.movable[k]!] = problem.accountPool[k]!;

  const describeRep = (r: number) => {
    const p = problem.repPool[r]!;
    const t =
      p >= 0
        ? ` (target ${problem.targetCount[r]!.toFixed(1)} accounts, ${formatCents(problem.targetRevenueCents[r]!)})`
        : '';
    return `${reps[r]!.id} ends with ${countAfter[r]} accounts and ${formatCents(revAfter[r]!)}${t}`;
  };

  const assignments: AssignmentRow[] = [];
  const conflicts: Conflict[] = [];
  const asOf = problem.input.asOfDate ? Date.parse(`${problem.input.asOfDate}T00:00:00Z`) : null;
  const horizon = problem.input.closingWithinDays * 86_400_000;
  let moved = 0;
  accounts.forEach((a, i) => {
    const o = problem.owner[i]!;
    const f = finals[i]!;
    const from = o >= 0 ? reps[o]!.id : null;
    const to = reps[f]!.id;
    const isMoved = o !== f;
    if (isMoved) moved++;
    let rule: RuleCode;
    let reason: string;
    const fixed = problem.fixedReason[i];
    if (fixed === 'pinned') {
      rule = 'pinned';
      reason = `pinned to ${to} by a manual override`;
      if (!baseEligible(a, reps[f]!)) {
        conflicts.push({
          code: 'pin-ineligible',
          severity: 'warning',
          accountId: a.id,
          repId: to,
          message: `${a.id} is pinned to ${to}, who would not otherwise be eligible for it (region/segment/tier); the override wins`,
        });
      }
    } else if (fixed !== null && fixed !== undefined) {
      rule = fixed;
      reason = {
        protected: `protected: stays with ${from}`,
        'out-of-scope': `outside the run's scope: stays with ${from}`,
        'owner-not-receiving': `${from} is not in the balancing (may not receive), so the book stays`,
        'owner-stays': `${from} is not departing: stays`,
      }[fixed];
    } else if (strategyName) {
      rule = 'strategy';
      reason = `${strategyName}: ${isMoved ? `moved to ${to}` : `stays with ${to}`}; ${describeRep(f)}`;
    } else if (o < 0) {
      rule = 'unowned';
      reason = `had no owner; ${to} is the best fit for balance: ${describeRep(f)}`;
    } else if (reps[o]!.departing) {
      rule = 'departure';
      reason = `${from} departs; ${to} is the best fit for balance: ${describeRep(f)}`;
      if (a.protected) {
        conflicts.push({
          code: 'protected-touched',
          severity: 'warning',
          accountId: a.id,
          repId: to,
          message: `protected account ${a.id} moves because its owner ${from} departs`,
        });
      }
    } else if (problem.input.kind === 'new-hire' && problem.isHire[f] === 1 && isMoved) {
      rule = 'new-hire';
      reason = `taken from ${from} for new hire ${to}: ${describeRep(f)}`;
    } else if (isMoved) {
      rule = 'balance';
      reason = `moved from ${from} to balance ${problem.pools[poolOfPosition[i]!]?.label ?? ''}: ${describeRep(o)}; ${describeRep(f)}`;
    } else {
      rule = 'kept';
      reason = `stays with ${to}: no move improves the balance by more than its continuity cost${a.hasOpenDeal ? ' (open deal)' : ''}`;
    }
    assignments.push({ accountId: a.id, fromRepId: from, toRepId: to, moved: isMoved, rule, reason });
    if (isMoved && asOf !== null && a.nextCloseDate) {
      const close = Date.parse(`${a.nextCloseDate}T00:00:00Z`);
      if (close >= asOf && close - asOf <= horizon) {
        conflicts.push({
          code: 'deal-closing',
          severity: 'blocking',
          accountId: a.id,
          repId: to,
          message: `${a.id} moves to ${to} but has a deal closing on ${a.nextCloseDate}, within ${problem.input.closingWithinDays} days of ${problem.input.asOfDate}`,
        });
      }
    }
  });

  const repRows: RepMetrics[] = reps.map((rep, r) => {
    const p = problem.repPool[r]!;
    // A rep the answer balances or gives to must end within its caps: over one, it is a blocking conflict (the rules
    // do not hold), also when it receives nothing and its own accounts keep it over. Any other rep is the book's.
    const overSeverity = p >= 0 || inN[r]! > 0 ? 'blocking' : 'warning';
    if (rep.maxAccounts !== undefined && countAfter[r]! > rep.maxAccounts) {
      conflicts.push({
        code: 'over-cap',
        severity: overSeverity,
        repId: rep.id,
        message: `${rep.name || rep.id} keeps ${countAfter[r]} accounts, over the cap of ${rep.maxAccounts} by ${countAfter[r]! - rep.maxAccounts} (the accounts it cannot give away already exceed it)`,
      });
    }
    if (rep.maxRevenueCents !== undefined && revAfter[r]! > rep.maxRevenueCents) {
      conflicts.push({
        code: 'over-cap',
        severity: overSeverity,
        repId: rep.id,
        message: `${rep.name || rep.id} keeps ${formatCents(revAfter[r]!)} of revenue, over the cap of ${formatCents(rep.maxRevenueCents)} by ${formatCents(revAfter[r]! - rep.maxRevenueCents)} (the accounts it cannot give away already exceed it)`,
      });
    }
    return {
      repId: rep.id,
      name: rep.name,
      pool: p >= 0 ? problem.pools[p]!.label : null,
      departing: rep.departing,
      countBefore: countBefore[r]!,
      countAfter: countAfter[r]!,
      revenueBeforeCents: revBefore[r]!,
      revenueAfterCents: revAfter[r]!,
      targetCount: p >= 0 ? round(problem.targetCount[r]!) : null,
      targetRevenueCents: p >= 0 ? Math.round(problem.targetRevenueCents[r]!) : null,
      maxAccounts: rep.maxAccounts ?? null,
      maxRevenueCents: rep.maxRevenueCents ?? null,
      accountsIn: inN[r]!,
      accountsOut: outN[r]!,
    };
  });

  const balanced = reps.map((_, r) => r).filter((r) => problem.repPool[r]! >= 0);
  const balance: BalanceMetrics = {
    count: spread(balanced.map((r) => countAfter[r]!)),
    revenueCents: spread(balanced.map((r) => revAfter[r]!)),
    countBefore: spread(balanced.map((r) => countBefore[r]!)),
    revenueCentsBefore: spread(balanced.map((r) => revBefore[r]!)),
  };
  return { assignments, reps: repRows, balance, conflicts, moved };
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
