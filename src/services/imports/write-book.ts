/**
 * Writes batches of validated records to the book: accounts, reps, opportunities and revenue schedules,
 * each upserted on the org's CRM key. Returns which keys were inserted and updated; the rest were unchanged.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import type { AccountRecord, OpportunityRecord, RepRecord, ScheduleRecord } from '../../import/records.ts';
import { batchUpsert, type ColumnSpec, type UpsertResult } from './batch-upsert.ts';
import type { OpportunityLookup, RosterLookup } from './book-lookups.ts';

/** Fields of the file's mapping: only those are updated on existing rows. */
export type MappedFields = ReadonlySet<string>;

const col = (name: string, type: string, update: boolean, insertDefault?: string): ColumnSpec =>
  insertDefault === undefined ? { name, type, update } : { name, type, update, insertDefault };

export async function writeAccounts(
  tx: Tx,
  orgId: string,
  importId: string,
  records: readonly AccountRecord[],
  roster: RosterLookup,
  mapped: MappedFields,
  custom: { keys: readonly string[]; regionSource: 'region' | 'state' | 'country' },
): Promise<UpsertResult> {
  const customKeys = custom.keys;
  const house = new Set(roster.houseRepIds);
  const rows = records.map((r) => {
    const ownerRepId = roster.repIdByCrm.get(r.ownerCrmId) ?? null;
    return {
      crm_id: r.crmId,
      name: r.name,
      owner_rep_id: ownerRepId,
      annual_revenue_cents: r.annualRevenueCents,
      region: r.region,
      country: r.country,
      tier: r.tier,
      type: r.type,
      industry: r.industry,
      is_house: ownerRepId !== null && house.has(ownerRepId),
      is_co_owned: r.coOwned,
      custom: accountCustom(r),
      last_import_id: importId,
      owner_crm_ref: r.ownerCrmId,
    };
  });
  const has = (f: string) => mapped.has(f);
  return batchUpsert(
    tx,
    {
      table: 'accounts',
      conflict: ['org_id', 'crm_id'],
      keyColumn: 'crm_id',
      columns: [
        col('crm_id', 'text', false),
        col('name', 'text', true),
        col('owner_rep_id', 'uuid', true),
        col('annual_revenue_cents', 'bigint', has('annual_revenue')),
        // The region comes from one column (the mapping's regionSource): only a file carrying it changes it.
        col('region', 'text', has(custom.regionSource)),
        col('country', 'text', has('country')),
        col('tier', 'text', has('tier')),
        col('type', 'text', has('type')),
        col('industry', 'text', has('industry')),
        col('is_house', 'boolean', true, 'false'),
        col('is_co_owned', 'boolean', has('co_owned'), 'false'),
        // Merged: the keys this file carries are replaced, the others kept (a narrower file wipes nothing).
        { ...col('custom', 'jsonb', customKeys.length > 0, `'{}'::jsonb`), mergeKeys: customKeys },
        col('last_import_id', 'uuid', false),
      ],
      onUpdate: [
        'last_import_id = excluded.last_import_id',
        'updated_at = now()',
        'owner_changed_at = case when t.owner_rep_id is distinct from excluded.owner_rep_id then now() else t.owner_changed_at end',
      ],
      extraInputColumns: [{ name: 'owner_crm_ref', type: 'text' }],
      // The book as imported: every account of the file with its owner, so a run knows its book. Accounts
      // inserted or updated by this statement come from `up`; unchanged ones are read from the table with a
      // correlated lookup (one index probe each): a join lets the planner, which cannot size the JSON input,
      // scan every account of the org for every batch.
      also: sql`insert into import_snapshot_accounts
          (org_id, import_id, crm_id, account_id, owner_rep_id, owner_crm_ref, annual_revenue_cents)
        select ${orgId}::uuid, ${importId}::uuid, r.crm_id,
               coalesce(up.id, (select a.id from accounts a where a.org_id = ${orgId}::uuid and a.crm_id = r.crm_id)),
               r.owner_rep_id, r.owner_crm_ref, coalesce(r.annual_revenue_cents, 0)
        from input r
        left join up on up.key = r.crm_id`,
    },
    orgId,
    rows,
  );
}

/**
 * Fields without a column of their own live in `custom`: the file's unmapped columns, plus `state`,
 * `protected` (keep with the current owner) and `next_close_date` when the file carries them.
 */
function accountCustom(r: AccountRecord): Record<string, unknown> {
  const custom: Record<string, unknown> = { ...r.attributes };
  if (r.state !== null) custom.state = r.state;
  if (r.protected) custom.protected = true;
  if (r.nextCloseDate !== null) custom.next_close_date = r.nextCloseDate;
  return custom;
}

const REP_KIND = { rep: 'person', house: 'house', subagent: 'subagent' } as const;

export async function writeReps(
  tx: Tx,
  orgId: string,
  records: readonly RepRecord[],
  mapped: MappedFields,
): Promise<UpsertResult> {
  const has = (f: string) => mapped.has(f);
  const eligibility = has('may_receive') || has('active') || has('departing') || has('end_date');
  return batchUpsert(
    tx,
    {
      table: 'reps',
      conflict: ['org_id', 'crm_user_id'],
      keyColumn: 'crm_user_id',
      columns: [
        col('crm_user_id', 'text', false),
        col('kind', 'rep_kind', has('rep_type'), `'person'::rep_kind`),
        col('name', 'text', true),
        col('email', 'text', has('email')),
        col('region', 'text', has('region')),
        col('segment', 'text', has('segment')),
        col('active', 'boolean', has('active'), 'true'),
        col('may_receive', 'boolean', eligibility, 'true'),
        col('end_date', 'date', has('end_date') || has('departing')),
        col('max_accounts', 'integer', has('max_accounts')),
        col('max_revenue_cents', 'bigint', has('max_revenue')),
        col('seniority', 'integer', has('seniority'), '0'),
        col('weight_bps', 'integer', has('weight'), '10000'),
        col('ramp_target_bps', 'integer', has('ramp_target')),
      ],
      onUpdate: ['updated_at = now()'],
    },
    orgId,
    records.map((r) => ({
      crm_user_id: r.crmId,
      kind: REP_KIND[r.repType],
      name: r.name,
      email: r.email,
      region: r.region,
      segment: r.segment,
      active: r.active,
      may_receive: r.mayReceive,
      end_date: r.endDate,
      max_accounts: r.maxAccounts,
      max_revenue_cents: r.maxRevenueCents,
      seniority: r.seniority,
      weight_bps: r.weight,
      ramp_target_bps: r.rampTargetBps,
    })),
  );
}

/**
 * Sets managers once every rep of the file exists; a null manager (the file's manager cell is empty) clears
 * it. Returns the CRM ids whose manager changed.
 */
export async function writeManagers(
  tx: Tx,
  orgId: string,
  links: { crmId: string; managerCrmId: string | null }[],
) {
  if (links.length === 0) return new Set<string>();
  const rows = await queryRows<{ crm_user_id: string }>(
    tx,
    sql`update reps r set manager_rep_id = m.id, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(links.map((l) => ({ crm_id: l.crmId, manager: l.managerCrmId })))}::jsonb)
          as x(crm_id text, manager text)
        left join reps m on m.org_id = ${orgId}::uuid and m.crm_user_id = x.manager
        where r.org_id = ${orgId}::uuid and r.crm_user_id = x.crm_id and r.manager_rep_id is distinct from m.id
          and (x.manager is null or m.id is not null)
        returning r.crm_user_id`,
  );
  return new Set(rows.map((r) => r.crm_user_id));
}

export async function writeOpportunities(
  tx: Tx,
  orgId: string,
  importId: string,
  records: readonly OpportunityRecord[],
  accountIds: ReadonlyMap<string, string>,
  roster: RosterLookup,
  mapped: MappedFields,
): Promise<UpsertResult> {
  const has = (f: string) => mapped.has(f);
  const termMapped = has('start_date') || has('end_date');
  return batchUpsert(
    tx,
    {
      table: 'opportunities',
      conflict: ['org_id', 'crm_id'],
      keyColumn: 'crm_id',
      columns: [
        col('crm_id', 'text', false),
        col('account_id', 'uuid', true),
        col('name', 'text', has('opportunity_name')),
        col('owner_rep_id', 'uuid', has('owner_id')),
        col('stage', 'text', true),
        col('is_billing_stage', 'boolean', true, 'false'),
        col('status', 'opportunity_status', true, `'open'::opportunity_status`),
        // A blank amount (or a file without the column) is unknown: stored as null, never as $0.
        col('amount_cents', 'bigint', has('amount')),
        col('close_date', 'date', true),
        col('created_date', 'date', true),
        col('custom', 'jsonb', termMapped, `'{}'::jsonb`),
        col('last_import_id', 'uuid', false),
      ],
      onUpdate: ['last_import_id = excluded.last_import_id', 'updated_at = now()'],
    },
    orgId,
    records.map((r) => ({
      crm_id: r.crmId,
      account_id: accountIds.get(r.accountCrmId) ?? null,
      name: r.name ?? r.crmId,
      owner_rep_id: r.ownerCrmId === null ? null : (roster.repIdByCrm.get(r.ownerCrmId) ?? null),
      stage: r.stage,
      is_billing_stage: r.isBillingStage,
      status: r.status,
      amount_cents: r.amountCents,
      close_date: r.closeDate,
      created_date: r.createdDate,
      custom: {
        ...(r.startDate ? { start_date: r.startDate } : {}),
        ...(r.endDate ? { end_date: r.endDate } : {}),
      },
      last_import_id: importId,
    })),
  );
}

export async function writeSchedules(
  tx: Tx,
  orgId: string,
  records: readonly ScheduleRecord[],
  opportunities: ReadonlyMap<string, OpportunityLookup>,
): Promise<UpsertResult> {
  return batchUpsert(
    tx,
    {
      table: 'revenue_schedules',
      conflict: ['opportunity_id', 'period_start'],
      // The key reported back is opportunity + period start, as the file identifies a schedule row.
      keyColumn: `opportunity_id::text || '|' || period_start`,
      columns: [
        col('opportunity_id', 'uuid', false),
        col('period_start', 'date', false),
        col('period_end', 'date', true),
        col('amount_cents', 'bigint', true),
      ],
      onUpdate: [],
    },
    orgId,
    records.map((r) => ({
      opportunity_id: opportunities.get(r.opportunityCrmId)!.id,
      period_start: r.periodStart,
      period_end: r.periodEnd,
      amount_cents: r.amountCents,
    })),
  );
}
