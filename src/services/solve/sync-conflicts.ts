/** Writes a run's detected conflicts by key: new ones added, existing ones refreshed (resolution kept), gone ones dropped. */
import { and, eq, inArray } from 'drizzle-orm';
import { conflicts } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import type { DetectedConflict } from '../../workflow/conflicts.ts';
import { parseConflictRow } from '../run-records/proposal-columns.ts';
import type { RunRow } from '../run-records/run-records.ts';

/** Writes the detected conflicts by key: new ones added, existing ones refreshed (resolution kept), gone ones dropped. */
export async function syncConflicts(tx: Tx, run: RunRow, detected: readonly DetectedConflict[], at: Date) {
  const stored = await tx
    .select({
      id: conflicts.id,
      details: conflicts.details,
      accountId: conflicts.accountId,
      opportunityId: conflicts.opportunityId,
      repId: conflicts.repId,
      kind: conflicts.kind,
      severity: conflicts.severity,
      message: conflicts.message,
    })
    .from(conflicts)
    .where(eq(conflicts.runId, run.id));
  const existing = stored.map(parseConflictRow);
  const byKey = new Map(existing.map((c) => [c.details?.key ?? '', c]));
  const seen = new Set<string>();
  const inserts = [];
  for (const c of detected) {
    seen.add(c.key);
    const prior = byKey.get(c.key);
    const values = {
      accountId: c.accountId,
      opportunityId: c.opportunityId,
      repId: c.repId,
      kind: c.kind,
      severity: c.severity,
      message: c.message,
      details: { key: c.key },
    };
    if (!prior) inserts.push({ ...values, orgId: run.orgId, runId: run.id, createdAt: at });
    else if (
      // Only a conflict whose text or subject changed is written again (a refresh usually changes none).
      prior.accountId !== values.accountId ||
      prior.opportunityId !== values.opportunityId ||
      prior.repId !== values.repId ||
      prior.kind !== values.kind ||
      prior.severity !== values.severity ||
      prior.message !== values.message
    )
      await tx.update(conflicts).set(values).where(eq(conflicts.id, prior.id));
  }
  for (let i = 0; i < inserts.length; i += 500) await tx.insert(conflicts).values(inserts.slice(i, i + 500));
  const gone = existing.filter((c) => !seen.has(c.details?.key ?? ''));
  for (let i = 0; i < gone.length; i += 500) {
    await tx.delete(conflicts).where(
      and(
        eq(conflicts.runId, run.id),
        inArray(
          conflicts.id,
          gone.slice(i, i + 500).map((g) => g.id),
        ),
      ),
    );
  }
}
