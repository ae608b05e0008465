/** The receiving reps a run's params name (per segment, per manual decision): who they are and whether they may take a share. */
import { inArray } from 'drizzle-orm';
import { opportunities, type RunParamsColumn, reps } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import type { FieldIssue } from '../../lib/errors.ts';
import { type ReceiverRep, receiverProblem } from '../commission-splits/split-after.ts';

/** Departing reps of a run's params (only a departure has them). */
export const departingOf = (params: Pick<RunParamsColumn, 'departingRepIds'>) =>
  new Set(params.departingRepIds ?? []);

export async function receiverReps(tx: Tx, ids: readonly string[]): Promise<Map<string, ReceiverRep>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await tx
    .select({ id: reps.id, name: reps.name, kind: reps.kind, active: reps.active })
    .from(reps)
    .where(inArray(reps.id, unique));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The receiving reps a run's params name (per segment, per manual decision) must be active reps of the org, a
 * person or a House rep, not leaving in this run: an issue per field path otherwise. Used when a run is created.
 */
export async function checkCommissionReceivers(
  tx: Tx,
  p: Pick<RunParamsColumn, 'departingRepIds' | 'commissionSegments' | 'commissionDecisions'>,
): Promise<FieldIssue[]> {
  const named: { path: string; repId: string }[] = [];
  for (const [i, s] of (p.commissionSegments ?? []).entries())
    if (s.receiverRepId)
      named.push({ path: `params.commissionSegments.${i}.receiverRepId`, repId: s.receiverRepId });
  for (const [id, d] of Object.entries(p.commissionDecisions ?? {}))
    if (d.receiverRepId)
      named.push({ path: `params.commissionDecisions.${id}.receiverRepId`, repId: d.receiverRepId });
  if (named.length === 0) return [];
  const found = await receiverReps(
    tx,
    named.map((n) => n.repId),
  );
  const departing = departingOf(p);
  const issues: FieldIssue[] = [];
  for (const n of named) {
    const problem = receiverProblem(n.repId, found.get(n.repId), departing);
    if (problem) issues.push({ path: n.path, message: problem });
  }
  const decided = Object.keys(p.commissionDecisions ?? {});
  if (decided.length > 0) {
    const known = new Set<string>();
    for (let i = 0; i < decided.length; i += 1000) {
      const rows = await tx
        .select({ id: opportunities.id })
        .from(opportunities)
        .where(inArray(opportunities.id, decided.slice(i, i + 1000)));
      for (const r of rows) known.add(r.id);
    }
    for (const id of decided.filter((d) => !known.has(d)).slice(0, 20))
      issues.push({ path: `params.commissionDecisions.${id}`, message: `No opportunity ${id} in this org.` });
  }
  return issues;
}
