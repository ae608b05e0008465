/**
 * A run's sub-resources (notices, audit) answer 404 for a run that is not in the caller's org, like the run
 * itself does: an empty list would confirm nothing but still differs from "no such run" for no reason, and a
 * caller who got an id wrong learns it.
 */
import { eq } from 'drizzle-orm';
import { runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { notFound } from '../../lib/errors.ts';
import type { OrgContext } from '../auth/context.ts';

/** Throws NOT_FOUND unless the run exists in the caller's org (row-level security hides the others). */
export async function assertRunInOrg({ ctx, input }: { ctx: OrgContext; input: { runId: string } }) {
  const found = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx.select({ id: runs.id }).from(runs).where(eq(runs.id, input.runId)).limit(1),
  );
  if (found.length === 0) throw notFound('The run');
}
