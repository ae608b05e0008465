/**
 * The rows a solve stores as the run's proposal (`run_assignments`): one per account the run concerns, keeping
 * pins and exclusions, and one per account left without an owner; the solve job (solve-run-job.ts) writes them.
 */

import { sql } from 'drizzle-orm';
import { runAssignments } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import type { Proposal, SolveResult } from '../../solver/index.ts';
import { keptReason } from '../plan/build-solve-input.ts';
import type { PlanningContext } from '../plan/planning-context.ts';
import type { RunRow } from '../run-records/run-records.ts';

/** Rules whose accounts the run does not concern: no row is kept for them unless they move. */
const UNCONCERNED = new Set(['out-of-scope', 'owner-stays', 'owner-not-receiving']);

/** A solve that returned assignments. */
export type Solved = Extract<SolveResult, Proposal>;

type ProposalRow = typeof runAssignments.$inferInsert;

/** The accounts a one-account or one-opportunity run is about: they keep a row even when nothing moves. */
function runTargets(plan: PlanningContext): Set<string> {
  const targets = new Set<string>();
  if (plan.params.kind === 'account') targets.add(plan.params.accountId);
  if (plan.params.kind === 'opportunity') {
    const { opportunityId } = plan.params;
    const opp = plan.book.opportunities.find((o) => o.id === opportunityId);
    if (opp) targets.add(opp.accountId);
  }
  return targets;
}

/** The proposal's rows: each assignment the run concerns, then each account left without an owner. */
export function proposalRows(
  run: RunRow,
  plan: PlanningContext,
  result: Solved,
  kept: {
    omitted: ReadonlyMap<string, string>;
    protections: ReadonlyMap<string, string[]>;
    /** Accounts pinned or excluded: their rows stay whatever the solver says. */
    keep: ReadonlySet<string>;
  },
  now: Date,
): ProposalRow[] {
  const { omitted, protections, keep } = kept;
  const targets = runTargets(plan);
  const planned = new Map(plan.book.accounts.map((a) => [a.id, a]));
  const repIds = new Set(plan.book.reps.map((r) => r.id));
  const ownerOf = (id: string) => {
    const p = planned.get(id)?.plannedOwnerId ?? null;
    return p !== null && repIds.has(p) ? p : null;
  };
  // The solver speaks in ids; people read names.
  const names = new Map(plan.book.reps.map((r) => [r.id, r.name]));
  const readable = (text: string) =>
    text.replace(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
      (id) => names.get(id) ?? id,
    );
  const rows: ProposalRow[] = [];
  for (const a of result.assignments) {
    if (!a.moved && UNCONCERNED.has(a.rule) && !keep.has(a.accountId) && !targets.has(a.accountId)) continue;
    // A protected account says why it is kept (the ruleset's reasons, or not among the selected accounts).
    const reason = readable(keptReason(a, protections) ?? a.reason);
    rows.push({
      orgId: run.orgId,
      runId: run.id,
      accountId: a.accountId,
      fromRepId: ownerOf(a.accountId),
      toRepId: a.toRepId,
      reason,
      explanation: {
        rule: a.rule,
        reason,
        moved: a.moved,
        engine: result.engine,
        ...(protections.has(a.accountId) ? { protections: protections.get(a.accountId) } : {}),
      },
      createdAt: now,
      updatedAt: now,
    });
  }
  for (const [id, why] of omitted) {
    const reason = readable(why);
    rows.push({
      orgId: run.orgId,
      runId: run.id,
      accountId: id,
      fromRepId: ownerOf(id),
      toRepId: null,
      reason,
      explanation: { rule: 'unassigned', reason, moved: false },
      createdAt: now,
      updatedAt: now,
    });
  }
  return rows;
}

/** Deletes the stale rows (neither wanted, pinned nor excluded) and upserts the proposal, 1,000 at a time. */
export async function writeProposalRows(tx: Tx, runId: string, stale: string[], rows: ProposalRow[]) {
  for (let i = 0; i < stale.length; i += 1000) {
    const chunk = stale.slice(i, i + 1000);
    await tx.execute(
      sql`delete from run_assignments where run_id = ${runId} and account_id in (${sql.join(
        chunk.map((c) => sql`${c}::uuid`),
        sql`, `,
      )})`,
    );
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await tx
      .insert(runAssignments)
      .values(rows.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [runAssignments.runId, runAssignments.accountId],
        set: {
          fromRepId: sql`excluded.from_rep_id`,
          // An excluded account keeps what it had; everything else takes the solver's answer (pins are inputs).
          toRepId: sql`case when ${runAssignments.excluded} then ${runAssignments.toRepId} else excluded.to_rep_id end`,
          reason: sql`excluded.reason`,
          explanation: sql`excluded.explanation`,
          updatedAt: sql`excluded.updated_at`,
        },
      });
  }
}
