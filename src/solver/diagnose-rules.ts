/**
 * Rules that contradict the book, found before solving (issue 13), with numbers and the fix: reps already over a
 * cap, targets above caps, a pool whose caps hold less than it must place, an account larger than any cap it
 * could go under, accounts nobody may receive. Pure, on the solver's input, so the wizard, the API and the CLI
 * say the same. "blocking": no answer can hold every rule; "warning": the answer will be worse than it looks.
 */
import { diagnose, formatCents, type InfeasibleReason } from './infeasibility.ts';
import { parseSolveInput, type SolveInput, type SolveInputRaw } from './input.ts';
import { countingProof, countingReason } from './packing-count.ts';
import { buildProblem, type Problem } from './problem.ts';

export interface RuleDiagnosis {
  code:
    | 'rep-over-cap'
    | 'target-above-cap'
    | 'count-capacity'
    | 'revenue-capacity'
    | 'account-too-large'
    | 'no-eligible-rep'
    | 'caps-conflict';
  severity: 'blocking' | 'warning';
  message: string;
  fix: string;
  repIds?: string[];
  accountIds?: string[];
}

const money = (cents: number) => `$${formatCents(cents)}`;

export function diagnoseRules(raw: SolveInputRaw): RuleDiagnosis[] {
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) return [];
  const input = parsed.input;
  const nameOf = (id: string) => input.reps.find((r) => r.id === id)?.name || id;
  const out = repsOverCap(input, nameOf);
  const built = buildProblem(input);
  if (!built.ok) return out;
  const p = built.problem;
  out.push(...targetsAboveCaps(p, nameOf));
  for (const reason of blockingReasons(p)) {
    out.push({
      code: reason.code,
      severity: 'blocking',
      message: reason.message,
      fix: fixFor(reason),
      ...(reason.repIds ? { repIds: reason.repIds } : {}),
      ...(reason.accountIds ? { accountIds: reason.accountIds } : {}),
    });
  }
  return out;
}

/** Reps already over a cap, before anything moves. */
function repsOverCap(input: SolveInput, nameOf: (id: string) => string): RuleDiagnosis[] {
  const out: RuleDiagnosis[] = [];
  const load = new Map<string, { count: number; revenue: number }>();
  for (const a of input.accounts) {
    if (a.ownerId === null) continue;
    const l = load.get(a.ownerId) ?? { count: 0, revenue: 0 };
    l.count += 1;
    l.revenue += a.revenueCents;
    load.set(a.ownerId, l);
  }
  for (const r of input.reps) {
    const l = load.get(r.id);
    if (!l || r.departing) continue;
    if (r.maxRevenueCents !== undefined && l.revenue > r.maxRevenueCents) {
      out.push({
        code: 'rep-over-cap',
        severity: 'warning',
        message: `${nameOf(r.id)} already owns ${money(l.revenue)}, over the revenue cap of ${money(r.maxRevenueCents)} by ${money(l.revenue - r.maxRevenueCents)}.`,
        fix: `Raise ${nameOf(r.id)}'s revenue cap to at least ${money(l.revenue)} (the roster's max revenue, or caps.perRep in the ruleset), or plan a run that moves accounts away from them first; a proposal that leaves them over it carries a blocking conflict naming them.`,
        repIds: [r.id],
      });
    }
    if (r.maxAccounts !== undefined && l.count > r.maxAccounts) {
      out.push({
        code: 'rep-over-cap',
        severity: 'warning',
        message: `${nameOf(r.id)} already owns ${l.count} accounts, over the cap of ${r.maxAccounts} by ${l.count - r.maxAccounts}.`,
        fix: `Raise ${nameOf(r.id)}'s account cap to at least ${l.count}, or plan a run that moves accounts away from them first; a proposal that leaves them over it carries a blocking conflict naming them.`,
        repIds: [r.id],
      });
    }
  }
  return out;
}

/** Targets above caps: the balanced share of a pool is more than a rep may hold. */
function targetsAboveCaps(p: Problem, nameOf: (id: string) => string): RuleDiagnosis[] {
  const out: RuleDiagnosis[] = [];
  for (const pool of p.pools) {
    const over = pool.reps.filter((r) => {
      const cap = p.reps[r]!.maxRevenueCents;
      return cap !== undefined && p.targetRevenueCents[r]! > cap;
    });
    if (over.length === 0) continue;
    const worst = Math.max(...over.map((r) => p.targetRevenueCents[r]! - p.reps[r]!.maxRevenueCents!));
    const example = over[0]!;
    out.push({
      code: 'target-above-cap',
      severity: 'warning',
      message: `In ${pool.label}, ${over.length} of ${pool.reps.length} reps have a target above their revenue cap (e.g. ${nameOf(p.reps[example]!.id)}: target ${money(p.targetRevenueCents[example]!)}, cap ${money(p.reps[example]!.maxRevenueCents!)}).`,
      fix: `Raise the revenue caps in ${pool.label} by at least ${money(worst)}, or add receiving reps to ${pool.label}; until then the balance cannot reach its targets.`,
      repIds: over.map((r) => p.reps[r]!.id),
    });
  }
  return out;
}

/**
 * Why no answer can hold every rule (infeasibility.ts), and caps the totals satisfy but the accounts cannot be
 * packed into, where counting proves it (packing-count.ts).
 */
function blockingReasons(p: Problem): InfeasibleReason[] {
  const reasons = diagnose(p);
  for (const pool of p.pools) {
    if (reasons.some((r) => r.scope === pool.label)) continue;
    const proof = countingProof(p, pool);
    if (proof) reasons.push(countingReason(p, pool, proof));
  }
  return reasons;
}

function fixFor(reason: InfeasibleReason): string {
  return reason.code === 'no-eligible-rep'
    ? 'Give these accounts an owner who stays, add a receiving rep in their region, or change the eligibility rules.'
    : reason.code === 'count-capacity'
      ? `Raise the account caps in ${reason.scope} by ${reason.shortfall} in total, or add receiving reps there.`
      : reason.code === 'revenue-capacity'
        ? `Raise the revenue caps in ${reason.scope} by ${money(reason.shortfall ?? 0)} in total, or add receiving reps there.`
        : reason.code === 'account-too-large'
          ? `Raise the revenue cap of a rep in ${reason.scope} above the account's revenue, or give the account an owner by hand.`
          : `Raise the revenue or account cap of one of ${(reason.repIds ?? []).slice(0, 5).join(', ')}${(reason.repIds?.length ?? 0) > 5 ? ', …' : ''}, or let another rep receive one of these accounts.`;
}
