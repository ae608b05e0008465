/** Scenario comparison (F6): two runs' proposals side by side — each rep's load, the balance metrics, and the accounts placed differently. */
import { eq, inArray } from 'drizzle-orm';
import { accounts, runAssignments } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { findRun, type RunsContext } from '../run-records/run-records.ts';
import { computeSummary, type RunSummary } from './review.ts';

export const MAX_LISTED_DIFFERENCES = 200;

export async function compareRuns({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { leftRunId: string; rightRunId: string };
}) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const left = await findRun(tx, input.leftRunId);
    const right = await findRun(tx, input.rightRunId);
    const [ls, rs] = [await computeSummary(tx, left), await computeSummary(tx, right)];
    const reps = compareReps(ls, rs);
    const [la, ra] = [await placements(tx, left.id), await placements(tx, right.id)];
    const differing = [...new Set([...la.keys(), ...ra.keys()])]
      .filter((id) => (la.has(id) ? la.get(id) : undefined) !== (ra.has(id) ? ra.get(id) : undefined))
      .sort();
    const listed = differing.slice(0, MAX_LISTED_DIFFERENCES);
    const names = await accountNames(tx, listed);
    return {
      left: { runId: left.id, status: left.status, version: left.version, ...metricsOf(ls) },
      right: { runId: right.id, status: right.status, version: right.version, ...metricsOf(rs) },
      reps,
      differingAccounts: differing.length,
      differences: listed.map((id) => ({
        accountId: id,
        crmId: names.get(id)?.crmId ?? null,
        name: names.get(id)?.name ?? null,
        leftToRepId: la.get(id) ?? null,
        rightToRepId: ra.get(id) ?? null,
      })),
    };
  });
}

/** Each rep's load under either run, sorted by name; a rep absent from one side keeps its load before. */
function compareReps(ls: RunSummary, rs: RunSummary) {
  const ids = [...new Set([...ls.reps.map((r) => r.repId), ...rs.reps.map((r) => r.repId)])];
  const lm = new Map(ls.reps.map((r) => [r.repId, r]));
  const rm = new Map(rs.reps.map((r) => [r.repId, r]));
  return ids
    .map((id) => {
      const l = lm.get(id);
      const r = rm.get(id);
      const lc = l?.countAfter ?? r?.countBefore ?? 0;
      const rc = r?.countAfter ?? l?.countBefore ?? 0;
      const lr = l?.revenueAfterCents ?? r?.revenueBeforeCents ?? 0;
      const rr = r?.revenueAfterCents ?? l?.revenueBeforeCents ?? 0;
      return {
        repId: id,
        name: (l ?? r)!.name,
        leftCount: lc,
        rightCount: rc,
        countDelta: rc - lc,
        leftRevenueCents: lr,
        rightRevenueCents: rr,
        revenueDeltaCents: rr - lr,
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Where a run places each of its accounts: the new owner, or the owner kept for an excluded account. */
async function placements(tx: Tx, runId: string) {
  return new Map(
    (
      await tx
        .select({
          accountId: runAssignments.accountId,
          toRepId: runAssignments.toRepId,
          fromRepId: runAssignments.fromRepId,
          excluded: runAssignments.excluded,
        })
        .from(runAssignments)
        .where(eq(runAssignments.runId, runId))
    ).map((r) => [r.accountId, r.excluded ? r.fromRepId : r.toRepId]),
  );
}

/** The names of the listed accounts (no read when none is listed). */
async function accountNames(tx: Tx, listed: string[]) {
  return listed.length
    ? new Map(
        (
          await tx
            .select({ id: accounts.id, name: accounts.name, crmId: accounts.crmId })
            .from(accounts)
            .where(inArray(accounts.id, listed))
        ).map((a) => [a.id, a]),
      )
    : new Map();
}

const metricsOf = (s: RunSummary) => ({
  moved: s.moved,
  unassigned: s.unassigned,
  countCv: s.balance.count.cv,
  revenueCv: s.balance.revenueCents.cv,
  countSpread: s.balance.count.spread,
  revenueSpreadCents: s.balance.revenueCents.spread,
  objective: s.balance.objective,
  lowerBound: s.balance.lowerBound,
  gap: s.balance.gap,
});
