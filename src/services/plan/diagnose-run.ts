/**
 * Before a solve (issue 13): which rules are in force — the ruleset (the run's, else the org's default) and its
 * eligibility rule in words — and the rules that contradict the book, with numbers and the fix. The wizard shows
 * it with the impact preview, the API at GET /v1/runs/{id}/diagnosis. Read-only.
 */
import { eq, sql } from 'drizzle-orm';
import { rulesets, runAssignments } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import { diagnoseRules, type RuleDiagnosis } from '../../solver/diagnose-rules.ts';
import { loadBook } from '../book/load-book.ts';
import { type RunParams, readParams } from '../run-records/run-params.ts';
import { findRun, type RunsContext } from '../run-records/run-records.ts';
import { buildSolveInput } from './build-solve-input.ts';
import { type HireBound, hireBounds } from './hire-bound.ts';
import { loadPlanningContext, loadRuleset, orgDefaultRuleset, type RulesetRef } from './planning-context.ts';
import { medianKnownRevenue, unknownRevenueInWords } from './unknown-revenue.ts';

export interface RunDiagnosis {
  /** The ruleset in force: the run's, else the org's default; null means the built-in default rules. */
  ruleset: RulesetRef | null;
  /** Who may receive, in words ("Same region: an account goes only to a rep of its own region …"). */
  eligibility: string;
  /** What accounts with unknown revenue count as when balancing, and how many there are. */
  unknownRevenue: string;
  diagnosis: RuleDiagnosis[];
  /** A new-hire run: each hire's target and the bound of its starter book. */
  hireBounds: HireBound[];
}

/** The eligibility rule of a run in one sentence a person can check. */
export function eligibilityInWords(ruleset: Ruleset, params: RunParams): string {
  const e = ruleset.eligibility;
  const parts: string[] = [];
  parts.push(
    e.sameRegion
      ? 'Same region: an account goes only to a rep of its own region'
      : 'Any region: an account may go to a rep of any region',
  );
  if (e.sameSegment) parts.push('and of its own segment');
  if (e.receivers !== 'roster') parts.push(`, among the ${e.receivers.length} receivers the ruleset lists`);
  if (params.kind === 'realignment') {
    if (params.receiverRepIds) parts.push(`; receivers picked for this run: ${params.receiverRepIds.length}`);
    else if (params.regions?.length)
      parts.push(`; this realignment balances ${params.regions.join(', ')} among its own reps`);
  }
  if (params.kind === 'new_hire') {
    const tol = (params.toleranceBps ?? ruleset.targets.toleranceBps) / 100;
    parts.push(`; a new hire's starter book stays within its target plus ${tol}%`);
  }
  return `${parts.join(' ').replace(/ ,/g, ',').replace(/ ;/g, ';')}.`;
}

interface DraftInput {
  params: RunParams;
  rulesetId?: string | null;
  importId?: string | null;
  reassignmentDate?: string | null;
}

async function diagnoseIn(
  tx: Tx,
  draft: DraftInput,
  asOfDate: string,
  closingWithinDays: number | null,
  pins: Map<string, string> = new Map(),
  excluded: Set<string> = new Set(),
): Promise<RunDiagnosis> {
  const ref = draft.rulesetId ? null : await orgDefaultRuleset(tx);
  const ruleset = await loadRuleset(tx, draft.rulesetId ?? null);
  const book = await loadBook(tx, draft.importId ?? null);
  const built = buildSolveInput({
    params: draft.params,
    book,
    ruleset,
    asOfDate,
    reassignmentDate: draft.reassignmentDate ?? null,
    closingWithinDays: closingWithinDays ?? ruleset.protections.closingWithinDays,
    timeLimitMs: 1000,
    pins,
    excluded,
  });
  const tolerance =
    (draft.params.kind === 'new_hire' ? draft.params.toleranceBps : undefined) ??
    ruleset.targets.toleranceBps;
  let rulesetRef: RulesetRef | null = ref;
  if (draft.rulesetId) {
    const [row] = await tx
      .select({ id: rulesets.id, name: rulesets.name, version: rulesets.version })
      .from(rulesets)
      .where(eq(rulesets.id, draft.rulesetId));
    rulesetRef = row ?? null;
  }
  return {
    ruleset: rulesetRef,
    eligibility: eligibilityInWords(ruleset, draft.params),
    unknownRevenue: unknownRevenueInWords(
      ruleset.targets.unknownRevenue,
      book.accounts.filter((a) => a.revenueKnown === false).length,
      medianKnownRevenue(book.accounts),
    ),
    diagnosis: diagnoseRules(built.input),
    hireBounds: hireBounds(built.input, tolerance),
  };
}

/** A draft run (the wizard, before anything is created). */
export async function diagnoseDraft({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: DraftInput;
}): Promise<RunDiagnosis> {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    diagnoseIn(tx, input, ctx.clock().toISOString().slice(0, 10), null),
  );
}

/** A run as it stands: its rules, book, pins and exclusions. */
export async function diagnoseRun({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string };
}): Promise<RunDiagnosis> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const plan = await loadPlanningContext(tx, run, ctx.clock());
    const rows = await tx
      .select({
        accountId: runAssignments.accountId,
        toRepId: runAssignments.toRepId,
        pinned: runAssignments.pinned,
        excluded: runAssignments.excluded,
      })
      .from(runAssignments)
      .where(eq(runAssignments.runId, run.id));
    const pins = new Map(rows.filter((r) => r.pinned && r.toRepId).map((r) => [r.accountId, r.toRepId!]));
    const excluded = new Set(rows.filter((r) => r.excluded).map((r) => r.accountId));
    return diagnoseIn(
      tx,
      {
        params: plan.params,
        rulesetId: run.rulesetId,
        importId: run.importId,
        reassignmentDate: run.reassignmentDate,
      },
      plan.asOfDate,
      plan.closingWithinDays,
      pins,
      excluded,
    );
  });
}

/** The rules a run uses and its eligibility rule in words, without reading the book (the run page's header). */
export async function rulesInForce({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string };
}): Promise<Pick<RunDiagnosis, 'ruleset' | 'eligibility' | 'unknownRevenue'>> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const ruleset = await loadRuleset(tx, run.rulesetId);
    let ref: RulesetRef | null = null;
    if (run.rulesetId) {
      const [row] = await tx
        .select({ id: rulesets.id, name: rulesets.name, version: rulesets.version })
        .from(rulesets)
        .where(eq(rulesets.id, run.rulesetId));
      ref = row ?? null;
    } else ref = await orgDefaultRuleset(tx);
    // The same median as the solve's (medianKnownRevenue): percentile_disc(0.5) is the lower middle.
    const [revenue] = await queryRows<{ unknown: number; median: number | null }>(
      tx,
      sql`select count(*) filter (where annual_revenue_cents is null)::int as unknown,
            percentile_disc(0.5) within group (order by annual_revenue_cents) as median
          from accounts`,
    );
    return {
      ruleset: ref,
      eligibility: eligibilityInWords(ruleset, readParams(run.kind, run.params)),
      unknownRevenue: unknownRevenueInWords(
        ruleset.targets.unknownRevenue,
        Number(revenue?.unknown ?? 0),
        Number(revenue?.median ?? 0),
      ),
    };
  });
}
