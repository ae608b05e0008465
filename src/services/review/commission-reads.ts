/**
 * Reads for the commission pages (seed 003 levels 1 and 2): one opportunity with every split row it ever had and
 * the runs that wrote them, an account with its open opportunities and their current splits, and the planner's
 * input for a pre-check of a form. Read-only, in the caller's org (RLS).
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';
import { type CommissionInput, loadOpportunityInputs } from '../commission-splits/opportunity-inputs.ts';

export interface SplitRowView {
  id: string;
  repId: string;
  repName: string;
  role: 'house' | 'rep' | 'subagent';
  bps: number;
  effectiveFrom: string;
  effectiveTo: string | null;
  runId: string | null;
}

export interface RunRef {
  id: string;
  reason: string;
  status: string;
  kind: string;
}

export interface OpportunityDetail {
  id: string;
  crmId: string;
  name: string;
  accountId: string;
  accountName: string;
  accountOwnerId: string | null;
  ownerId: string | null;
  ownerName: string | null;
  stage: string;
  isBillingStage: boolean;
  status: string;
  /** null: unknown (blank in the CRM export). */
  amountCents: number | null;
  closeDate: string | null;
  createdDate: string;
  splitRows: SplitRowView[];
  /** Runs that wrote split rows of this opportunity, by id (from the rows and the committed change sets). */
  runs: Map<string, RunRef>;
  /** The run of each committed split change of this opportunity, by the date the change took effect. */
  runByEffectiveDate: Map<string, string>;
}

export async function getOpportunity(
  ctx: ReadContext,
  opportunityId: string,
): Promise<OpportunityDetail | null> {
  return read(ctx, async (tx) => {
    const [o] = await queryRows<{
      id: string;
      crm_id: string;
      name: string;
      account_id: string;
      account_name: string;
      account_owner: string | null;
      owner_rep_id: string | null;
      owner_name: string | null;
      stage: string;
      is_billing_stage: boolean;
      status: string;
      amount_cents: string | number | null;
      close_date: string | null;
      created_date: string;
    }>(
      tx,
      sql`select o.id, o.crm_id, o.name, o.account_id, a.name as account_name, a.owner_rep_id as account_owner,
                 o.owner_rep_id, p.name as owner_name, o.stage, o.is_billing_stage, o.status::text as status,
                 o.amount_cents, o.close_date::text as close_date, o.created_date::text as created_date
          from opportunities o join accounts a on a.id = o.account_id
          left join reps p on p.id = o.owner_rep_id
          where o.id = ${opportunityId}::uuid`,
    );
    if (!o) return null;
    const rows = (await splitRowsOf(tx, [o.id])).get(o.id) ?? [];
    // Split changes a committed run recorded in its change set: the run is known even for rows it did not add.
    const items = await queryRows<{ run_id: string; effective_date: string | null }>(
      tx,
      sql`select cs.run_id, i.effective_date::text as effective_date
          from change_set_items i join change_sets cs on cs.id = i.change_set_id
          where i.object = 'split' and i.record_id = ${o.id}::uuid`,
    );
    const runByEffectiveDate = new Map<string, string>();
    for (const i of items) if (i.effective_date) runByEffectiveDate.set(i.effective_date, i.run_id);
    const runIds = [
      ...new Set([
        ...rows.map((r) => r.runId).filter((id): id is string => id !== null),
        ...items.map((i) => i.run_id),
      ]),
    ];
    const runs = new Map<string, RunRef>();
    if (runIds.length > 0) {
      const found = await queryRows<RunRef & Record<string, unknown>>(
        tx,
        sql`select id, reason, status::text as status, kind::text as kind from runs
            where id in (${sql.join(
              runIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`,
      );
      for (const r of found) runs.set(r.id, { id: r.id, reason: r.reason, status: r.status, kind: r.kind });
    }
    return {
      id: o.id,
      crmId: o.crm_id,
      name: o.name,
      accountId: o.account_id,
      accountName: o.account_name,
      accountOwnerId: o.account_owner,
      ownerId: o.owner_rep_id,
      ownerName: o.owner_name,
      stage: o.stage,
      isBillingStage: Boolean(o.is_billing_stage),
      status: o.status,
      amountCents: o.amount_cents === null ? null : Number(o.amount_cents),
      closeDate: o.close_date,
      createdDate: o.created_date,
      splitRows: rows,
      runs,
      runByEffectiveDate,
    };
  });
}

async function splitRowsOf(tx: Tx, opportunityIds: string[]): Promise<Map<string, SplitRowView[]>> {
  const out = new Map<string, SplitRowView[]>();
  if (opportunityIds.length === 0) return out;
  const rows = await queryRows<{
    id: string;
    opportunity_id: string;
    rep_id: string;
    rep_name: string;
    role: SplitRowView['role'];
    bps: number;
    effective_from: string;
    effective_to: string | null;
    run_id: string | null;
  }>(
    tx,
    sql`select s.id, s.opportunity_id, s.rep_id, p.name as rep_name, s.role::text as role, s.bps,
               s.effective_from::text as effective_from, s.effective_to::text as effective_to, s.run_id
        from commission_splits s join reps p on p.id = s.rep_id
        where s.opportunity_id in (${sql.join(
          opportunityIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        order by s.opportunity_id, s.effective_from, s.role, p.name, s.id`,
  );
  for (const r of rows) {
    const list = out.get(r.opportunity_id) ?? [];
    list.push({
      id: r.id,
      repId: r.rep_id,
      repName: r.rep_name,
      role: r.role,
      bps: Number(r.bps),
      effectiveFrom: r.effective_from,
      effectiveTo: r.effective_to,
      runId: r.run_id,
    });
    out.set(r.opportunity_id, list);
  }
  return out;
}

export interface OpenOpportunity {
  id: string;
  crmId: string;
  name: string;
  stage: string;
  isBillingStage: boolean;
  /** null: unknown (blank in the CRM export). */
  amountCents: number | null;
  closeDate: string | null;
  ownerName: string | null;
  /** The rows in force now (effective_to null). */
  current: SplitRowView[];
}

export interface AccountForReassign {
  id: string;
  crmId: string;
  name: string;
  ownerId: string | null;
  ownerName: string | null;
  opportunities: OpenOpportunity[];
}

/** An account with its open opportunities (at most 500, by close date) and their current splits. */
export async function getAccountForReassign(
  ctx: ReadContext,
  accountId: string,
): Promise<AccountForReassign | null> {
  return read(ctx, async (tx) => {
    const [a] = await queryRows<{
      id: string;
      crm_id: string;
      name: string;
      owner_rep_id: string | null;
      owner_name: string | null;
    }>(
      tx,
      sql`select a.id, a.crm_id, a.name, a.owner_rep_id, p.name as owner_name
          from accounts a left join reps p on p.id = a.owner_rep_id where a.id = ${accountId}::uuid`,
    );
    if (!a) return null;
    const opps = await queryRows<{
      id: string;
      crm_id: string;
      name: string;
      stage: string;
      is_billing_stage: boolean;
      amount_cents: string | number | null;
      close_date: string | null;
      owner_name: string | null;
    }>(
      tx,
      sql`select o.id, o.crm_id, o.name, o.stage, o.is_billing_stage, o.amount_cents,
                 o.close_date::text as close_date, p.name as owner_name
          from opportunities o left join reps p on p.id = o.owner_rep_id
          where o.account_id = ${accountId}::uuid and o.status = 'open'
          order by o.close_date nulls last, o.name, o.id limit 500`,
    );
    const splits = await splitRowsOf(
      tx,
      opps.map((o) => o.id),
    );
    return {
      id: a.id,
      crmId: a.crm_id,
      name: a.name,
      ownerId: a.owner_rep_id,
      ownerName: a.owner_name,
      opportunities: opps.map((o) => ({
        id: o.id,
        crmId: o.crm_id,
        name: o.name,
        stage: o.stage,
        isBillingStage: Boolean(o.is_billing_stage),
        amountCents: o.amount_cents === null ? null : Number(o.amount_cents),
        closeDate: o.close_date,
        ownerName: o.owner_name,
        current: (splits.get(o.id) ?? []).filter((r) => r.effectiveTo === null),
      })),
    };
  });
}

/** The org's House rep (the participant that absorbs or adjusts shares), if the roster has one. */
export async function houseRepId(ctx: ReadContext): Promise<string | null> {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`select id from reps where kind = 'house' order by created_at, id limit 1`,
    );
    return row?.id ?? null;
  });
}

/** What the commission planner needs about opportunities (one, or every one of an account), for a pre-check. */
export async function planInputs(
  ctx: ReadContext,
  by: { opportunityId: string } | { accountId: string },
): Promise<CommissionInput[]> {
  return read(ctx, async (tx) => {
    const { inputs } =
      'opportunityId' in by
        ? await loadOpportunityInputs(tx, 'opportunity', [by.opportunityId], { lockSplits: false })
        : await loadOpportunityInputs(tx, 'account', [by.accountId], { lockSplits: false });
    return inputs;
  });
}
