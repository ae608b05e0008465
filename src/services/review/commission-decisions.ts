/**
 * The manual-queue commission strategy (seed 003 level 3, "Manual Queue"; "queue exceptions for manual review"): a
 * person decides each opportunity's commission type (A/B/C, the type C share, optionally the receiving rep) on the
 * run's review page or through the API. Decisions live in the run's params (params.commissionDecisions, by
 * opportunity id), so review, hash, commit, impact and rollback read them exactly as they read segments. Setting
 * them is a change of the proposal like a pin: the version is bumped, the proposal (and its hash) refreshed, and an
 * approval voided. Also the receiving-rep checks a run's params must pass (segments and decisions alike).
 */

import { and, asc, count, eq, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import { accounts, opportunities, runOpportunityChanges, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, type FieldIssue, forbidden } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import { nextStatus, type RunStatus } from '../../workflow/run-status.ts';
import { actorFields } from '../audit/actor.ts';
import { departingOf, receiverReps } from '../commission-splits/receivers.ts';
import { receiverProblem } from '../commission-splits/split-after.ts';
import {
  type CommissionDecision,
  type CommissionStrategyName,
  commissionDecision,
  commissionStrategyOf,
  MAX_COMMISSION_DECISIONS,
} from '../run-records/commission-params.ts';
import { parseSplits } from '../run-records/proposal-columns.ts';
import { auditEvent, findRun, lockRun, type RunRow, type RunsContext } from '../run-records/run-records.ts';
import { recordProposalChange } from './changes.ts';

/** Who may decide: the people who draft and change runs (src/lib/roles.ts). */
export const DECISION_WRITERS = ['manager', 'analyst'] as const;
/** Statuses in which decisions can be set: a draft, or a proposal under review (an approval is voided). */
export const DECIDABLE_STATUSES: readonly RunStatus[] = ['draft', 'solved', 'in_review', 'approved'];

type Part = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };

export interface DecisionFilter {
  /** Opportunity, account or CRM id contains this (case-insensitive). */
  q?: string | undefined;
  /** all (default), undecided or decided. */
  show?: 'all' | 'undecided' | 'decided' | undefined;
}

export interface DecisionRow {
  opportunityId: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
  stage: string;
  /** null: unknown (blank in the CRM export). */
  amountCents: number | null;
  /** The rep whose share moves, and the account's new owner (who receives it unless the decision names another). */
  fromRepId: string | null;
  toRepId: string | null;
  /** The split in force now, and the one the proposal would write (null: undecided or refused). */
  before: Part[];
  after: Part[] | null;
  /** Why the decided split cannot be made (e.g. House below 0%), or null. */
  error: string | null;
  decision: CommissionDecision | null;
}

export interface DecisionList {
  run: { id: string; status: string; version: number; proposalHash: string | null };
  strategy: CommissionStrategyName;
  rows: DecisionRow[];
  /** Rows matching the filter, and the run's opportunities to decide in all (decided or not). */
  total: number;
  all: number;
  undecided: number;
  page: number;
  pageSize: number;
}

function filterWhere(runId: string, filter: DecisionFilter): SQL {
  const parts: SQL[] = [eq(runOpportunityChanges.runId, runId)];
  if (filter.show === 'undecided') parts.push(isNull(runOpportunityChanges.commissionType));
  if (filter.show === 'decided') parts.push(isNotNull(runOpportunityChanges.commissionType));
  const q = filter.q?.trim();
  if (q) {
    const like = `%${q.replaceAll('\\', '\\\\').replaceAll('%', '\\%').replaceAll('_', '\\_')}%`;
    parts.push(
      or(ilike(opportunities.name, like), ilike(accounts.name, like), ilike(opportunities.crmId, like))!,
    );
  }
  return and(...parts)!;
}

/** One page of the run's opportunities to decide (the proposal's opportunity changes), with each decision. */
export async function listCommissionDecisions({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; page?: number; pageSize?: number; filter?: DecisionFilter };
}): Promise<DecisionList> {
  const page = Math.max(1, Math.floor(input.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(input.pageSize ?? 25)));
  const filter = input.filter ?? {};
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const decisions = run.params.commissionDecisions ?? {};
    const where = filterWhere(run.id, filter);
    const [matching] = await tx
      .select({ n: count() })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .where(where);
    const [totals] = await tx
      .select({
        all: count(),
        undecided: sql<number>`count(*) filter (where ${runOpportunityChanges.commissionType} is null)`,
      })
      .from(runOpportunityChanges)
      .where(eq(runOpportunityChanges.runId, run.id));
    const rows = await tx
      .select({
        opportunityId: runOpportunityChanges.opportunityId,
        crmId: opportunities.crmId,
        name: opportunities.name,
        accountId: accounts.id,
        accountName: accounts.name,
        stage: opportunities.stage,
        amountCents: opportunities.amountCents,
        fromRepId: runOpportunityChanges.fromRepId,
        toRepId: runOpportunityChanges.toRepId,
        before: runOpportunityChanges.beforeSplits,
        after: runOpportunityChanges.afterSplits,
        error: runOpportunityChanges.error,
      })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .where(where)
      .orderBy(asc(accounts.name), asc(opportunities.name), asc(opportunities.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
    return {
      run: { id: run.id, status: run.status, version: run.version, proposalHash: run.proposalHash },
      strategy: commissionStrategyOf(run.params),
      rows: rows.map((r) => ({
        ...r,
        before: parseSplits(r.before, 'before_splits', `run ${run.id}, opportunity ${r.opportunityId}`) ?? [],
        after: parseSplits(r.after, 'after_splits', `run ${run.id}, opportunity ${r.opportunityId}`),
        decision: decisions[r.opportunityId] ?? null,
      })),
      total: Number(matching?.n ?? 0),
      all: Number(totals?.all ?? 0),
      undecided: Number(totals?.undecided ?? 0),
      page,
      pageSize,
    };
  });
}

/** The ids of every opportunity to decide that matches the filter (for "apply to all filtered"). */
export async function matchingDecisionIds({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: { runId: string; filter: DecisionFilter };
}): Promise<string[]> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const rows = await tx
      .select({ id: runOpportunityChanges.opportunityId })
      .from(runOpportunityChanges)
      .innerJoin(opportunities, eq(opportunities.id, runOpportunityChanges.opportunityId))
      .innerJoin(accounts, eq(accounts.id, opportunities.accountId))
      .where(filterWhere(run.id, input.filter))
      .orderBy(asc(runOpportunityChanges.opportunityId))
      .limit(MAX_COMMISSION_DECISIONS + 1);
    return rows.map((r) => r.id);
  });
}

export interface DecisionInput extends CommissionDecision {
  opportunityId: string;
}

export interface SetDecisionsInput {
  runId: string;
  /** Decisions to set (replacing any earlier one of the same opportunity). */
  decisions: DecisionInput[];
  /** Opportunities whose decision is withdrawn (undecided again). */
  clear?: string[] | undefined;
  note?: string | undefined;
}

export interface SetDecisionsResult {
  run: RunRow;
  /** Opportunities of the proposal decided and undecided after the change (0 and 0 for a draft, not solved yet). */
  decided: number;
  undecided: number;
}

/**
 * Sets (or withdraws) manual decisions of a run. Refused unless the run's strategy is manual and it is a draft or
 * under review; each decision must name an opportunity of the run's proposal (for a draft: an open opportunity of
 * the org) and, if any, a receiving rep that may receive. A change of a solved run bumps its version, refreshes
 * its proposal (hash, conflicts) and voids an approval; every change is audited with who, why and what.
 */
export async function setCommissionDecisions({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: SetDecisionsInput;
}): Promise<SetDecisionsResult> {
  if (!(DECISION_WRITERS as readonly string[]).includes(ctx.principal.role))
    throw forbidden('Only a manager or an analyst can decide the commission of a run’s opportunities.');
  const actor = actorFields(ctx);
  const clear = [...new Set(input.clear ?? [])];
  if (input.decisions.length === 0 && clear.length === 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Nothing to decide: give at least one decision or one to clear.',
      {
        details: [{ path: 'decisions', message: 'Give at least one decision.' }],
      },
    );
  }
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await lockRun(tx, input.runId);
    assertDecidable(run);
    const issues = await checkDecisions(tx, run, input.decisions, clear);
    if (issues.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'Some decisions cannot be made: see details for each one.', {
        details: issues,
      });
    }

    const before = run.params.commissionDecisions ?? {};
    const next = mergeDecisions(before, input.decisions, clear);
    const at = ctx.clock();
    await tx
      .update(runs)
      .set({
        params: { ...run.params, commissionDecisions: next },
        updatedAt: at,
      })
      .where(eq(runs.id, run.id));
    await appendAudit(
      tx,
      auditEvent(actor, {
        action: 'run.commission_decided',
        entityType: 'run',
        entityId: run.id,
        runId: run.id,
        before: { decided: Object.keys(before).length },
        after: {
          decided: Object.keys(next).length,
          set: input.decisions.length,
          cleared: clear.length,
          // The first decisions in full; the run's params keep all of them.
          decisions: input.decisions.slice(0, 100),
          ...(clear.length > 0 ? { clearedIds: clear.slice(0, 100) } : {}),
          ...(input.note ? { note: input.note } : {}),
        },
        at,
      }),
    );
    if (run.status === 'draft') {
      return { run: await findRun(tx, run.id), decided: 0, undecided: 0 };
    }
    // A change of the proposal, as a pin is (services/review/changes.ts): version, proposal, approval voided.
    nextStatus(run.status as RunStatus, 'change');
    const changed = await recordProposalChange(tx, run.id, actor, ctx.clock());
    const [totals] = await tx
      .select({
        all: count(),
        undecided: sql<number>`count(*) filter (where ${runOpportunityChanges.commissionType} is null)`,
      })
      .from(runOpportunityChanges)
      .where(eq(runOpportunityChanges.runId, run.id));
    const undecided = Number(totals?.undecided ?? 0);
    return { run: changed, decided: Number(totals?.all ?? 0) - undecided, undecided };
  });
}

/** Decisions apply to a run with the manual-queue strategy, while it is a draft or under review. */
function assertDecidable(run: RunRow) {
  const strategy = commissionStrategyOf(run.params);
  if (strategy !== 'manual') {
    throw new AppError(
      'CONFLICT',
      `This run’s commission strategy is ${strategy}, so its opportunities take their type from ${strategy === 'segmented' ? 'the segments' : 'the run’s type'}: decisions apply to a run with the manual-queue strategy. Start a run with the manual queue to decide each opportunity.`,
    );
  }
  if (!DECIDABLE_STATUSES.includes(run.status as RunStatus)) {
    throw new AppError(
      'CONFLICT',
      `The run is ${run.status.replaceAll('_', ' ')}: commission decisions can be changed only while it is a draft or under review.`,
      { details: { status: run.status, allowedFrom: DECIDABLE_STATUSES } },
    );
  }
}

/** The run's decisions after the change: cleared ones removed, the new ones set; at most MAX_COMMISSION_DECISIONS. */
function mergeDecisions(
  before: Record<string, CommissionDecision>,
  decisions: readonly DecisionInput[],
  clear: readonly string[],
) {
  const next: Record<string, CommissionDecision> = { ...before };
  for (const id of clear) delete next[id];
  for (const d of decisions) {
    next[d.opportunityId] = {
      commissionType: d.commissionType,
      ...(d.commissionType === 'custom' && d.customBps !== undefined ? { customBps: d.customBps } : {}),
      ...(d.commissionType !== 'house_absorbs' && d.receiverRepId ? { receiverRepId: d.receiverRepId } : {}),
    };
  }
  if (Object.keys(next).length > MAX_COMMISSION_DECISIONS) {
    throw new AppError('VALIDATION_FAILED', `A run holds at most ${MAX_COMMISSION_DECISIONS} decisions.`, {
      details: [{ path: 'decisions', message: 'Too many decisions.' }],
    });
  }
  return next;
}

/** Field issues of a batch of decisions: shape, duplicates, the opportunity's place in the run, the receiver. */
async function checkDecisions(
  tx: Tx,
  run: RunRow,
  decisions: readonly DecisionInput[],
  clear: readonly string[],
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const [i, d] of decisions.entries()) {
    const { opportunityId, ...rest } = d;
    const parsed = commissionDecision.safeParse(rest);
    if (!parsed.success) issues.push(...fieldIssues(parsed.error, `decisions.${i}`));
    if (seen.has(opportunityId))
      issues.push({
        path: `decisions.${i}.opportunityId`,
        message: `Opportunity ${opportunityId} is decided twice in this request; give one decision per opportunity.`,
      });
    seen.add(opportunityId);
  }
  const ids = [...new Set([...decisions.map((d) => d.opportunityId), ...clear])];
  const known = new Map<string, string>();
  if (run.status === 'draft') {
    // No proposal yet: any open opportunity of the org can be decided ahead of the solve.
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await tx
        .select({ id: opportunities.id, status: opportunities.status })
        .from(opportunities)
        .where(inArray(opportunities.id, ids.slice(i, i + 1000)));
      for (const r of rows) known.set(r.id, r.status === 'open' ? 'ok' : 'closed');
    }
  } else {
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await tx
        .select({ id: runOpportunityChanges.opportunityId })
        .from(runOpportunityChanges)
        .where(
          and(
            eq(runOpportunityChanges.runId, run.id),
            inArray(runOpportunityChanges.opportunityId, ids.slice(i, i + 1000)),
          ),
        );
      for (const r of rows) known.set(r.id, 'ok');
    }
  }
  const where = (id: string) =>
    run.status === 'draft'
      ? `No open opportunity ${id} in this org: closed opportunities cannot be reassigned.`
      : `Opportunity ${id} is not among this run’s opportunities to decide (the open opportunities of the accounts it moves): check the id, or solve the run again.`;
  let listed = 0;
  for (const [i, d] of decisions.entries()) {
    if (known.get(d.opportunityId) === 'ok') continue;
    if (listed++ < 20) issues.push({ path: `decisions.${i}.opportunityId`, message: where(d.opportunityId) });
  }
  for (const [i, id] of clear.entries()) {
    if (known.get(id) === 'ok') continue;
    if (listed++ < 20) issues.push({ path: `clear.${i}`, message: where(id) });
  }
  const receivers = await receiverReps(
    tx,
    decisions.flatMap((d) =>
      d.receiverRepId && d.commissionType !== 'house_absorbs' ? [d.receiverRepId] : [],
    ),
  );
  const departing = departingOf(run.params);
  for (const [i, d] of decisions.entries()) {
    if (!d.receiverRepId || d.commissionType === 'house_absorbs') continue;
    const problem = receiverProblem(d.receiverRepId, receivers.get(d.receiverRepId), departing);
    if (problem) issues.push({ path: `decisions.${i}.receiverRepId`, message: problem });
  }
  return issues;
}
