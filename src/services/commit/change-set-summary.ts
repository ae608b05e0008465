/** A committed run's change set as the API and the pages show it: who wrote it, when, and what it counts. */
import { asc, eq } from 'drizzle-orm';
import { changeSets } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { parseChangeSetRow } from '../run-records/change-set-body.ts';
import { type ActorType, actorOf } from '../run-records/run-state.ts';

export interface ChangeSetSummary {
  id: string;
  runId: string;
  hash: string;
  itemCount: number;
  createdAt: string;
  createdBy: string | null;
  createdByType: ActorType | null;
  counts: { accounts: number; opportunities: number; splits: number; notices: number };
}

export async function existingChangeSet(tx: Tx, runId: string): Promise<ChangeSetSummary> {
  const [row] = await tx
    .select()
    .from(changeSets)
    .where(eq(changeSets.runId, runId))
    .orderBy(asc(changeSets.createdAt));
  if (!row) throw new AppError('INTERNAL', `Run ${runId} is committed but has no change set.`);
  return changeSetSummary(parseChangeSetRow(row));
}

export function changeSetSummary(row: typeof changeSets.$inferSelect): ChangeSetSummary {
  const counts = row.body.counts ?? {
    accounts: 0,
    opportunities: 0,
    splits: 0,
    notices: 0,
  };
  const creator = actorOf(row.createdBy, row.createdByApiKeyId);
  return {
    id: row.id,
    runId: row.runId,
    hash: row.hash,
    itemCount: row.itemCount,
    createdAt: row.createdAt.toISOString(),
    createdBy: creator.id,
    createdByType: creator.type,
    counts,
  };
}
