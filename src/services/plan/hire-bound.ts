/**
 * A new hire's starter book is bounded (issue 13): at most its target — the solver's weighted (ramp) share of
 * its pool — plus the tolerance, in accounts and in revenue, unless the person raises the tolerance. The bound is
 * given to the solver as the hire's caps. When the caps of the other reps force more onto the hire (their books
 * are over their caps, so accounts must leave them and the hire is the only place), the run is solved without the
 * bound and the hire's book is a blocking conflict that names the cause. Pure.
 */
import { formatCents } from '../../solver/infeasibility.ts';
import { parseSolveInput, type SolveInputRaw } from '../../solver/input.ts';
import { buildProblem } from '../../solver/problem.ts';

export interface HireBound {
  repId: string;
  name: string;
  targetCount: number;
  targetRevenueCents: number;
  toleranceBps: number;
  maxAccounts: number;
  maxRevenueCents: number;
  /** Set when the bound could not hold: what forced more onto the hire. */
  cause?: string;
}

/** Each hire's target in its pool (as the solver computes it) and its bound under the tolerance. */
export function hireBounds(raw: SolveInputRaw, toleranceBps: number): HireBound[] {
  const hireIds = raw.newHire?.hireRepIds ?? [];
  if (raw.kind !== 'new-hire' || hireIds.length === 0) return [];
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) return [];
  const built = buildProblem(parsed.input);
  if (!built.ok) return [];
  const p = built.problem;
  const factor = 1 + toleranceBps / 10_000;
  return hireIds.flatMap((id) => {
    const r = p.repIndex.get(id);
    if (r === undefined) return [];
    const rep = p.reps[r]!;
    const inPool = p.repPool[r]! >= 0;
    const targetCount = inPool ? p.targetCount[r]! : 0;
    const targetRevenueCents = inPool ? p.targetRevenueCents[r]! : 0;
    return [
      {
        repId: id,
        name: rep.name ?? id,
        targetCount,
        targetRevenueCents,
        toleranceBps,
        maxAccounts: Math.ceil(targetCount * factor - 1e-9),
        maxRevenueCents: Math.ceil(targetRevenueCents * factor - 1e-6),
      },
    ];
  });
}

/** The input with each hire capped at its bound (the lower of the bound and a cap it already has). */
export function withHireCaps(raw: SolveInputRaw, bounds: readonly HireBound[]): SolveInputRaw {
  if (bounds.length === 0) return raw;
  const byId = new Map(bounds.map((b) => [b.repId, b]));
  return {
    ...raw,
    reps: raw.reps.map((r) => {
      const b = byId.get(r.id);
      if (!b) return r;
      return {
        ...r,
        maxAccounts: Math.min(r.maxAccounts ?? Number.POSITIVE_INFINITY, b.maxAccounts),
        maxRevenueCents: Math.min(r.maxRevenueCents ?? Number.POSITIVE_INFINITY, b.maxRevenueCents),
      };
    }),
  };
}

/** What forces more onto the hires: the reps of their pools whose books are over their caps. */
export function overflowCause(raw: SolveInputRaw, bounds: readonly HireBound[]): string {
  const hires = new Set(bounds.map((b) => b.repId));
  const load = new Map<string, { count: number; revenue: number }>();
  for (const a of raw.accounts) {
    if (a.ownerId === null || a.ownerId === undefined) continue;
    const l = load.get(a.ownerId) ?? { count: 0, revenue: 0 };
    l.count += 1;
    l.revenue += a.revenueCents;
    load.set(a.ownerId, l);
  }
  const over: string[] = [];
  for (const r of raw.reps) {
    if (hires.has(r.id)) continue;
    const l = load.get(r.id);
    if (!l) continue;
    if (r.maxRevenueCents !== undefined && l.revenue > r.maxRevenueCents)
      over.push(
        `${r.name ?? r.id} owns ${formatCents(l.revenue)} against a revenue cap of ${formatCents(r.maxRevenueCents)}`,
      );
    else if (r.maxAccounts !== undefined && l.count > r.maxAccounts)
      over.push(`${r.name ?? r.id} owns ${l.count} accounts against a cap of ${r.maxAccounts}`);
  }
  if (over.length === 0)
    return 'the other reps’ caps leave no room for the rest, so the bound cannot hold. Raise their caps, or raise the tolerance (toleranceBps) if the hire should take more.';
  const shown = over.slice(0, 5).join('; ');
  return `the other reps’ caps force accounts onto the hire: ${shown}${over.length > 5 ? `; and ${over.length - 5} more` : ''}. Raise their caps to their books, or raise the tolerance (toleranceBps) if the hire should take more.`;
}
