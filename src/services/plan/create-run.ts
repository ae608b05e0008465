/** Service verbs for runs (F3): create a run of any kind with its scope, dates, rules and book; read a run. */

import { and, desc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { accounts, imports, opportunities, reps, rulesets, runs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { actorFields } from '../audit/actor.ts';
import { checkCommissionReceivers } from '../commission-splits/receivers.ts';
import { type CreateRunInput, scopeIssue, scopeOf } from '../run-records/run-params.ts';
import {
  auditEvent,
  findRun,
  latestSolveJob,
  type RunRow,
  type RunsContext,
} from '../run-records/run-records.ts';
import { orgDefaultRuleset } from './planning-context.ts';

function invalid(issues: FieldIssue[]): AppError {
  return new AppError('VALIDATION_FAILED', 'The run cannot be created: see details for each field.', {
    details: issues,
  });
}

/** Checks that every id the run names exists in the org and can play its part. */
async function checkReferences(tx: Tx, input: CreateRunInput): Promise<FieldIssue[]> {
  const p = input.params as Record<string, unknown>;
  const issues = await checkReps(tx, p);
  if (p.accountId) {
    const [a] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, p.accountId as string));
    if (!a) issues.push({ path: 'params.accountId', message: `No account ${p.accountId} in this org.` });
  }
  const scopeIds = p.accountIds as string[] | undefined;
  if (scopeIds && scopeIds.length > 0) issues.push(...(await checkScopeAccounts(tx, input, scopeIds)));
  if (p.opportunityId) issues.push(...(await checkOpportunity(tx, p.opportunityId as string)));
  issues.push(...(await checkCommissionReceivers(tx, input.params)));
  issues.push(...(await checkSources(tx, input)));
  return issues;
}

/** The reps the params name: each exists; departing, hired and receiving reps are people; receivers may receive. */
async function checkReps(tx: Tx, p: Record<string, unknown>): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const repIds = [
    ...((p.departingRepIds as string[] | undefined) ?? []),
    ...((p.hireRepIds as string[] | undefined) ?? []),
    ...((p.receiverRepIds as string[] | undefined) ?? []),
    ...(p.newOwnerRepId ? [p.newOwnerRepId as string] : []),
    ...(p.plannedFromRepId ? [p.plannedFromRepId as string] : []),
  ];
  const found = repIds.length
    ? await tx
        .select({ id: reps.id, kind: reps.kind, active: reps.active, mayReceive: reps.mayReceive })
        .from(reps)
        .where(inArray(reps.id, repIds))
    : [];
  const byId = new Map(found.map((r) => [r.id, r]));
  const checkList = (field: string, ids: string[] | undefined, receiving: boolean) =>
    ids?.forEach((id, i) => {
      const rep = byId.get(id);
      if (!rep) issues.push({ path: `params.${field}.${i}`, message: `No rep ${id} in this org.` });
      else if (rep.kind !== 'person')
        issues.push({ path: `params.${field}.${i}`, message: `Rep ${id} is ${rep.kind}, not a person.` });
      else if (receiving && (!rep.active || !rep.mayReceive))
        issues.push({
          path: `params.${field}.${i}`,
          message: `Rep ${id} is inactive or may not receive accounts; update the roster first.`,
        });
    });
  checkList('departingRepIds', p.departingRepIds as string[] | undefined, false);
  checkList('hireRepIds', p.hireRepIds as string[] | undefined, true);
  checkList('receiverRepIds', p.receiverRepIds as string[] | undefined, true);
  if (p.newOwnerRepId) {
    const rep = byId.get(p.newOwnerRepId as string);
    if (!rep)
      issues.push({ path: 'params.newOwnerRepId', message: `No rep ${p.newOwnerRepId} in this org.` });
  }
  if (p.plannedFromRepId && !byId.has(p.plannedFromRepId as string)) {
    issues.push({
      path: 'params.plannedFromRepId',
      message: `No rep ${p.plannedFromRepId} in this org: name the rep whose share is reassigned, or leave it out to use the opportunity's current owner.`,
    });
  }
  return issues;
}

/** The opportunity an opportunity-level run reassigns: it exists and is open. */
async function checkOpportunity(tx: Tx, opportunityId: string): Promise<FieldIssue[]> {
  const [o] = await tx
    .select({ id: opportunities.id, status: opportunities.status })
    .from(opportunities)
    .where(eq(opportunities.id, opportunityId));
  if (!o) return [{ path: 'params.opportunityId', message: `No opportunity ${opportunityId} in this org.` }];
  if (o.status !== 'open')
    return [
      {
        path: 'params.opportunityId',
        message: 'The opportunity is closed; closed opportunities cannot be reassigned.',
      },
    ];
  return [];
}

/** The ruleset and the import the run names: they exist, and the import is applied. */
async function checkSources(tx: Tx, input: CreateRunInput): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if (input.rulesetId) {
    const [r] = await tx.select({ id: rulesets.id }).from(rulesets).where(eq(rulesets.id, input.rulesetId));
    if (!r) issues.push({ path: 'rulesetId', message: `No ruleset ${input.rulesetId} in this org.` });
  }
  if (input.importId) {
    const [i] = await tx
      .select({ id: imports.id, status: imports.status })
      .from(imports)
      .where(eq(imports.id, input.importId));
    if (!i) issues.push({ path: 'importId', message: `No import ${input.importId} in this org.` });
    else if (i.status !== 'applied')
      issues.push({ path: 'importId', message: `Import ${input.importId} is ${i.status}, not applied.` });
  }
  return issues;
}

/** At most this many account-id issues are listed one by one; the rest are summed up in one more. */
const MAX_LISTED_ISSUES = 20;

/**
 * Accounts in scope (params.accountIds) must exist in the org and, for a departure, be owned by one of the
 * departing reps (only their accounts move in a departure).
 */
async function checkScopeAccounts(tx: Tx, input: CreateRunInput, ids: string[]): Promise<FieldIssue[]> {
  const owners = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await tx
      .select({ id: accounts.id, owner: accounts.ownerRepId })
      .from(accounts)
      .where(inArray(accounts.id, ids.slice(i, i + 1000)));
    for (const r of rows) owners.set(r.id, r.owner);
  }
  const departing =
    input.kind === 'rep_departure'
      ? new Set((input.params as { departingRepIds: string[] }).departingRepIds)
      : null;
  const issues: FieldIssue[] = [];
  let more = 0;
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    let message: string | null = null;
    if (seen.has(id)) message = `Account ${id} is selected twice; select each account once.`;
    else if (!owners.has(id)) message = `No account ${id} in this org.`;
    else if (departing && !departing.has(owners.get(id) ?? ''))
      message = `Account ${id} does not belong to a departing rep; only their accounts move in a departure.`;
    seen.add(id);
    if (message === null) return;
    if (issues.length < MAX_LISTED_ISSUES) issues.push({ path: `params.accountIds.${i}`, message });
    else more++;
  });
  if (more > 0)
    issues.push({
      path: 'params.accountIds',
      message: `${more} more selected account(s) have the same kind of problem; fix the selection and try again.`,
    });
  return issues;
}

/** The latest applied import of accounts: the book a run plans on unless it names another. */
/**
 * The book a run plans on when it names no import: the latest applied accounts import, as long as no run has
 * committed since — a commit changes Bookshift's book after that snapshot, and planning on the snapshot would
 * report the committed moves as stale owners. After a commit (until the next import) the run plans on the book
 * as it stands.
 */
async function defaultImport(tx: Tx): Promise<string | null> {
  const [row] = await tx
    .select({ id: imports.id, at: imports.finishedAt, createdAt: imports.createdAt })
    .from(imports)
    .where(and(eq(imports.kind, 'accounts'), eq(imports.status, 'applied')))
    .orderBy(desc(imports.finishedAt), desc(imports.createdAt))
    .limit(1);
  if (!row) return null;
  const [later] = await tx
    .select({ id: runs.id })
    .from(runs)
    .where(and(isNotNull(runs.committedAt), gt(runs.committedAt, row.at ?? row.createdAt)))
    .limit(1);
  return later ? null : row.id;
}

export async function createRun({
  ctx,
  input,
}: {
  ctx: RunsContext;
  input: CreateRunInput;
}): Promise<RunRow> {
  const actor = actorFields(ctx);
  const scope = scopeOf(input);
  const wrongScope = scopeIssue(input.kind, scope);
  if (wrongScope)
    throw new AppError('UNPROCESSABLE', `The run cannot be created: ${wrongScope.message}`, {
      details: [wrongScope],
    });
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const issues = await checkReferences(tx, input);
    if (issues.length > 0) throw invalid(issues);
    const importId = input.importId ?? (await defaultImport(tx));
    // No ruleset named: the org's default ruleset (the one the wizard shows), recorded so the run keeps its version.
    const rulesetId = input.rulesetId ?? (await orgDefaultRuleset(tx))?.id ?? null;
    const [row] = await tx
      .insert(runs)
      .values({
        orgId: ctx.principal.orgId,
        kind: input.kind,
        scope,
        reason: input.reason,
        commissionEndDate: input.commissionEndDate ?? null,
        reassignmentDate: input.reassignmentDate ?? null,
        rulesetId,
        importId,
        params: input.params as Record<string, unknown>,
        draftedBy: ctx.principal.userId ?? null,
        createdAt: ctx.clock(),
        updatedAt: ctx.clock(),
      })
      .returning();
    await appendAudit(
      tx,
      auditEvent(actor, {
        action: 'run.created',
        entityType: 'run',
        entityId: row!.id,
        runId: row!.id,
        before: null,
        after: {
          status: row!.status,
          kind: row!.kind,
          scope: row!.scope,
          reason: row!.reason,
          params: row!.params,
          commissionEndDate: row!.commissionEndDate,
          reassignmentDate: row!.reassignmentDate,
          rulesetId: row!.rulesetId,
          importId: row!.importId,
        },
        at: ctx.clock(),
      }),
    );
    return row!;
  });
}

export async function getRun({ ctx, input }: { ctx: RunsContext; input: { runId: string } }) {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const run = await findRun(tx, input.runId);
    const job = await latestSolveJob(tx, run.id);
    return { run, job };
  });
}
