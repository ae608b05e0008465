/**
 * Review data of a run (F6): each rep's book before and after (counts, revenue, deltas, in and out, caps and
 * targets), balance metrics against the solver's bound, the filterable account table and each account's
 * explanation. Computed from the run's current assignments, so overrides and exclusions show at once.
 */
import { and, asc, count, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { accounts, conflicts, runAssignments, runOpportunityChanges } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { notFound } from '../../lib/errors.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import { type BookAccount, type BookRep, loadAccounts, loadRoster } from '../book/load-book.ts';
import { capsFor } from '../plan/build-solve-input.ts';
import { loadRuleset } from '../plan/planning-context.ts';
import { parseConflictRow, parseExplanation, parseSplits } from '../run-records/proposal-columns.ts';
import { type RunParams, readParams } from '../run-records/run-params.ts';
import { findRun, type RunRow, type RunsContext } from '../run-records/run-records.ts';

export interface Spread {
  min: number;
  max: number;
  mean: number;
  spread: number;
  maxOverMin: number | null;
  cv: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, spread: 0, maxOverMin: null, cv: 0 };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    min,
    max,
    mean,
    spread: max - min,
    maxOverMin: min > 0 ? max / min : null,
    cv: mean > 0 ? Math.sqrt(variance) / mean : 0,
  };
}

export interface RepLoad {
  repId: string;
  name: string;
  kind: string;
  departing: boolean;
  countBefore: number;
  countAfter: number;
  countDelta: number;
  revenueBeforeCents: number;
  revenueAfterCents: number;
  revenueDeltaCents: number;
  accountsIn: number;
  accountsOut: number;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
  overCountCap: boolean;
  overRevenueCap: boolean;
  targetCount: number | null;
  targetRevenueCents: number | null;
}

export interface RunSummary {
  reps: RepLoad[];
  balance: {
    /** Over the reps balanced in this run (those with a target), after and before. */
    count: Spread;
    revenueCents: Spread;
    countBefore: Spread;
    revenueCentsBefore: Spread;
    objective: number | null;
    lowerBound: number | null;
    gap: number | null;
    solverStatus: string | null;
  };
  moved: number;
  unassigned: number;
  excluded: number;
  pinned: number;
}

/** Statuses in which the run's lines were written to the book. */
const AFTER_COMMIT: ReadonlySet<string> = new Set(['committed', 'rolled_back']);

/** Every rep's load before and after the run's current proposal. */
export async function computeSummary(tx: Tx, run: RunRow): Promise<RunSummary> {
  const [roster, book, rows] = [
    await loadRoster(tx),
    await loadAccounts(tx, run.importId),
    await tx
      .select({
        accountId: runAssignments.accountId,
        fromRepId: runAssignments.fromRepId,
        toRepId: runAssignments.toRepId,
        pinned: runAssignments.pinned,
        excluded: runAssignments.excluded,
      })
      .from(runAssignments)
      .where(eq(runAssignments.runId, run.id)),
  ];
  const params = readParams(run.kind, run.params);
  const ruleset = await loadRuleset(tx, run.rulesetId);
  const loads = initialLoads(run, roster, ruleset, params);
  const line = new Map(rows.filter((r) => !r.excluded).map((r) => [r.accountId, r]));
  // Once the commit wrote the lines, the book's owner of a line's account is its new owner: the owner before is
  // the one the line moved it from (a rollback puts that owner back, so the same holds after it).
  const written = AFTER_COMMIT.has(run.status);
  const { moved, unassigned } = tallyBook(book, line, loads, written);
  const list = [...loads.values()]
    .map((l) => ({
      ...l,
      countDelta: l.countAfter - l.countBefore,
      revenueDeltaCents: l.revenueAfterCents - l.revenueBeforeCents,
      overCountCap: l.maxAccounts !== null && l.countAfter > l.maxAccounts,
      overRevenueCap: l.maxRevenueCents !== null && l.revenueAfterCents > l.maxRevenueCents,
    }))
    .filter((l) => l.countBefore > 0 || l.countAfter > 0 || l.targetCount !== null);
  const balanced = list.filter((l) => l.targetCount !== null);
  const pool = balanced.length > 0 ? balanced : list.filter((l) => !l.departing && l.kind === 'person');
  return {
    reps: list,
    balance: {
      count: spreadOf(pool.map((l) => l.countAfter)),
      revenueCents: spreadOf(pool.map((l) => l.revenueAfterCents)),
      countBefore: spreadOf(pool.map((l) => l.countBefore)),
      revenueCentsBefore: spreadOf(pool.map((l) => l.revenueBeforeCents)),
      objective: run.solverObjective,
      lowerBound: run.solverBound,
      gap: run.solverGap,
      solverStatus: run.solverStatus,
    },
    moved,
    unassigned,
    excluded: rows.filter((r) => r.excluded).length,
    pinned: rows.filter((r) => r.pinned).length,
  };
}

/** Each rep of the roster with empty counts, its caps and the run's target. */
function initialLoads(run: RunRow, roster: readonly BookRep[], ruleset: Ruleset, params: RunParams) {
  const departing = new Set(params.kind === 'rep_departure' ? params.departingRepIds : []);
  const targets = run.metrics?.targets ?? {};
  const loads = new Map<string, RepLoad>();
  for (const r of roster) {
    const t = targets[r.id];
    const caps = capsFor(r, ruleset, params);
    loads.set(r.id, {
      repId: r.id,
      name: r.name,
      kind: r.kind,
      departing: departing.has(r.id),
      countBefore: 0,
      countAfter: 0,
      countDelta: 0,
      revenueBeforeCents: 0,
      revenueAfterCents: 0,
      revenueDeltaCents: 0,
      accountsIn: 0,
      accountsOut: 0,
      maxAccounts: caps.maxAccounts ?? null,
      maxRevenueCents: caps.maxRevenueCents ?? null,
      overCountCap: false,
      overRevenueCap: false,
      targetCount: t ? t.count : null,
      targetRevenueCents: t ? t.revenueCents : null,
    });
  }
  return loads;
}

/** Counts each account before and after into the reps' loads; the accounts moved and left unassigned. */
function tallyBook(
  book: readonly BookAccount[],
  line: ReadonlyMap<string, { fromRepId: string | null; toRepId: string | null }>,
  loads: ReadonlyMap<string, RepLoad>,
  written: boolean,
) {
  let moved = 0;
  let unassigned = 0;
  for (const a of book) {
    const l = line.get(a.id);
    const beforeId = written && l ? l.fromRepId : a.plannedOwnerId;
    const before = beforeId ? loads.get(beforeId) : undefined;
    if (before) {
      before.countBefore += 1;
      before.revenueBeforeCents += a.revenueCents;
    }
    const afterId = l ? l.toRepId : a.plannedOwnerId;
    if (l && l.toRepId === null) unassigned += 1;
    const after = afterId ? loads.get(afterId) : undefined;
    if (after) {
      after.countAfter += 1;
      after.revenueAfterCents += a.revenueCents;
    }
    if (l && l.toRepId !== null && l.toRepId !== beforeId) {
      moved += 1;
      if (after) after.accountsIn += 1;
      if (before) before.accountsOut += 1;
    } else if (l && l.toRepId === null && before) before.accountsOut += 1;
  }
  return { moved, unassigned };
}

export async function getRunSummary({ ctx, input }: { ctx: RunsContext; input: { runId: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) =>
    computeSummary(tx, await findRun(tx, input.runId)),
  );
}

export const ACCOUNT_SORTS = ['name', 'crmId', 'revenue', 'region'] as const;
export const MAX_PAGE_SIZE = 500;

export interface AccountTableQuery extends AccountTableFilter {
  runId: string;
  sort: (typeof ACCOUNT_SORTS)[number];
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

/** The filters of the account table (the same ones select "all matching" in a bulk change). */
export interface AccountTableFilter {
  repId?: string | undefined;
  region?: string | undefined;
  moved?: boolean | undefined;
  conflict?: boolean | undefined;
  pinned?: boolean | undefined;
  excluded?: boolean | undefined;
}

/**
 * The condition of the account table's filter on run_assignments joined with accounts, or null when the
 * principal may see nothing (a rep without a rep record). A rep sees only the accounts that leave or reach them.
 */
export function accountTableWhere(
  runId: string,
  filter: AccountTableFilter,
  principal: RunsContext['principal'],
): SQL | null {
  const where: SQL[] = [eq(runAssignments.runId, runId)];
  const ownOnly = principal.role === 'rep';
  if (ownOnly && !principal.repId) return null;
  const repId = ownOnly ? principal.repId : filter.repId;
  if (repId) where.push(or(eq(runAssignments.fromRepId, repId), eq(runAssignments.toRepId, repId))!);
  if (filter.region) where.push(eq(accounts.region, filter.region));
  const movedSql = sql`(${runAssignments.excluded} = false and ${runAssignments.toRepId} is distinct from ${runAssignments.fromRepId})`;
  if (filter.moved !== undefined) where.push(filter.moved ? movedSql : sql`not ${movedSql}`);
  if (filter.pinned !== undefined) where.push(eq(runAssignments.pinned, filter.pinned));
  if (filter.excluded !== undefined) where.push(eq(runAssignments.excluded, filter.excluded));
  const hasConflict = sql`exists (select 1 from conflicts c where c.run_id = ${runId} and c.account_id = ${runAssignments.accountId} and c.resolution is null)`;
  if (filter.conflict !== undefined) where.push(filter.conflict ? hasConflict : sql`not ${hasConflict}`);
  return and(...where)!;
}

/** The ids of every account of a run matching the table's filter, in table order (at most `limit`). */
export async function matchingRunAccountIds(
  tx: Tx,
  runId: string,
  filter: AccountTableFilter,
  principal: RunsContext['principal'],
  limit: number,
): Promise<string[]> {
  const cond = accountTableWhere(runId, filter, principal);
  if (cond === null) return [];
  const rows = await tx
    .select({ accountId: runAssignments.accountId })
    .from(runAssignments)
    .innerJoin(accounts, eq(accounts.id, runAssignments.accountId))
    .where(cond)
    .orderBy(asc(accounts.crmId))
    .limit(limit);
  return rows.map((r) => r.accountId);
}

/** The account table; a rep sees only the accounts that leave or reach them. */
export async function listRunAccounts({ ctx, input }: { ctx: RunsContext; input: AccountTableQuery }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const cond = accountTableWhere(run.id, input, ctx.principal);
    if (cond === null) return { rows: [], total: 0 };
    const sortCol = {
      name: accounts.name,
      crmId: accounts.crmId,
      revenue: accounts.annualRevenueCents,
      region: accounts.region,
    }[input.sort];
    const dir = input.order === 'desc' ? desc : asc;
    const rows = await tx
      .select({
        accountId: runAssignments.accountId,
        crmId: accounts.crmId,
        name: accounts.name,
        region: accounts.region,
        segment: accounts.segment,
        // Unknown revenue (blank in the CRM) counts as 0 in a run, as in the balance.
        revenueCents: sql<number>`coalesce(${accounts.annualRevenueCents}, 0)`.mapWith(Number),
        fromRepId: runAssignments.fromRepId,
        toRepId: runAssignments.toRepId,
        pinned: runAssignments.pinned,
        excluded: runAssignments.excluded,
        reason: runAssignments.reason,
        openConflicts: sql<number>`(select count(*)::int from conflicts c where c.run_id = ${run.id} and c.account_id = ${runAssignments.accountId} and c.resolution is null)`,
      })
      .from(runAssignments)
      .innerJoin(accounts, eq(accounts.id, runAssignments.accountId))
      .where(cond)
      .orderBy(dir(sortCol), asc(accounts.crmId))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize);
    const [total] = await tx
      .select({ n: count() })
      .from(runAssignments)
      .innerJoin(accounts, eq(accounts.id, runAssignments.accountId))
      .where(cond);
    return {
      rows: rows.map((r) => ({
        ...r,
        moved: !r.excluded && r.toRepId !== r.fromRepId,
        openConflicts: Number(r.openConflicts),
      })),
      total: Number(total?.n ?? 0),
    };
  });
}

/** One account of a run: where it goes, why, what conflicts it has and which opportunities follow it. */
export async function explainAccount({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; accountId: string };
}) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const [row] = await tx
      .select({
        accountId: runAssignments.accountId,
        crmId: accounts.crmId,
        name: accounts.name,
        region: accounts.region,
        segment: accounts.segment,
        // Unknown revenue (blank in the CRM) counts as 0 in a run, as in the balance.
        revenueCents: sql<number>`coalesce(${accounts.annualRevenueCents}, 0)`.mapWith(Number),
        fromRepId: runAssignments.fromRepId,
        toRepId: runAssignments.toRepId,
        pinned: runAssignments.pinned,
        excluded: runAssignments.excluded,
        reason: runAssignments.reason,
        explanation: runAssignments.explanation,
      })
      .from(runAssignments)
      .innerJoin(accounts, eq(accounts.id, runAssignments.accountId))
      .where(and(eq(runAssignments.runId, run.id), eq(runAssignments.accountId, input.accountId)));
    if (!row) throw notFound(`Account ${input.accountId} in run ${run.id}`);
    const accountConflicts = await tx
      .select()
      .from(conflicts)
      .where(and(eq(conflicts.runId, run.id), eq(conflicts.accountId, input.accountId)));
    const opps = await tx
      .select({
        opportunityId: runOpportunityChanges.opportunityId,
        fromRepId: runOpportunityChanges.fromRepId,
        toRepId: runOpportunityChanges.toRepId,
        commissionType: runOpportunityChanges.commissionType,
        beforeSplits: runOpportunityChanges.beforeSplits,
        afterSplits: runOpportunityChanges.afterSplits,
        error: runOpportunityChanges.error,
      })
      .from(runOpportunityChanges)
      .where(
        and(
          eq(runOpportunityChanges.runId, run.id),
          inArray(
            runOpportunityChanges.opportunityId,
            sql`(select id from opportunities where account_id = ${input.accountId})`,
          ),
        ),
      );
    const changeAt = (o: { opportunityId: string }) => `run ${run.id}, opportunity ${o.opportunityId}`;
    return {
      ...row,
      explanation: parseExplanation(row.explanation, `run ${run.id}, account ${input.accountId}`),
      moved: !row.excluded && row.toRepId !== row.fromRepId,
      conflicts: accountConflicts.map(parseConflictRow),
      opportunityChanges: opps.map((o) => ({
        ...o,
        beforeSplits: parseSplits(o.beforeSplits, 'before_splits', changeAt(o)),
        afterSplits: parseSplits(o.afterSplits, 'after_splits', changeAt(o)),
      })),
    };
  });
}
