/**
 * The runs, one query for every reader: the API's paged list and the dashboard's runs and waiting queue. Each run
 * comes with who drafted it and its counts: accounts in scope, accounts moving and blocking conflicts still open.
 */
import { and, asc, count, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import { conflicts, runAssignments, runs, users } from '../../../db/schema/index.ts';
import type { RunStatus } from '../../workflow/run-status.ts';
import { type ReadContext, readInOrg } from '../auth/read-in-org.ts';
import { contains } from '../book/search.ts';
import { parseRunRow } from './run-columns.ts';
import type { RunKind } from './run-params.ts';

export interface RunFilter {
  statuses?: readonly RunStatus[] | undefined;
  kind?: RunKind | undefined;
  /** Part of the reason, or a run's whole id. */
  q?: string | undefined;
  /** Newest first; among runs created at the same moment, by id: descending (the API) or ascending (the pages). */
  tieBreak?: 'id-desc' | 'id-asc' | undefined;
  limit: number;
  offset: number;
}

function runWhere(input: RunFilter): SQL | undefined {
  const where: SQL[] = [];
  if (input.statuses) where.push(inArray(runs.status, [...input.statuses]));
  if (input.kind) where.push(eq(runs.kind, input.kind));
  if (input.q) where.push(or(ilike(runs.reason, contains(input.q)), sql`${runs.id}::text = ${input.q}`)!);
  return where.length > 0 ? and(...where) : undefined;
}

const inScope = sql`${runAssignments.runId} = ${runs.id} and not ${runAssignments.excluded}`;

export async function listRuns({ ctx, input }: { ctx: ReadContext; input: RunFilter }) {
  const filter = runWhere(input);
  return readInOrg(ctx, async (tx) => {
    const rows = await tx
      .select({
        run: runs,
        draftedByName: users.name,
        accounts: sql<number>`(select count(*)::int from ${runAssignments} where ${inScope})`,
        moving: sql<number>`(select count(*)::int from ${runAssignments} where ${inScope}
                              and ${runAssignments.toRepId} is distinct from ${runAssignments.fromRepId})`,
        openBlocking: sql<number>`(select count(*)::int from ${conflicts} where ${conflicts.runId} = ${runs.id}
                                    and ${conflicts.severity} = 'blocking' and ${conflicts.resolution} is null)`,
      })
      .from(runs)
      .leftJoin(users, eq(users.id, runs.draftedBy))
      .where(filter)
      .orderBy(desc(runs.createdAt), input.tieBreak === 'id-asc' ? asc(runs.id) : desc(runs.id))
      .limit(input.limit)
      .offset(input.offset);
    const [total] = await tx.select({ n: count() }).from(runs).where(filter);
    return {
      rows: rows.map((r) => ({
        ...parseRunRow(r.run),
        draftedByName: r.draftedByName,
        accounts: Number(r.accounts),
        moving: Number(r.moving),
        openBlocking: Number(r.openBlocking),
      })),
      total: Number(total?.n ?? 0),
    };
  });
}
