/**
 * What the book offers as choices on the run and rep pages: the regions and segments of the accounts, the account
 * types, regions and open stages a commission segment can match, and an account or opportunity by its CRM id.
 * Read-only, in the caller's org (RLS).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';

/** What a segment of a rep's termination can match: the account types, regions and open stages of the org. */
export async function segmentChoices(ctx: ReadContext) {
  return read(ctx, async (tx) => {
    const types = await queryRows<{ v: string }>(
      tx,
      sql`select distinct trim(type) as v from accounts where type is not null and trim(type) <> '' order by 1`,
    );
    const regions = await queryRows<{ v: string }>(
      tx,
      sql`select distinct trim(region) as v from accounts where region is not null and trim(region) <> '' order by 1`,
    );
    const stages = await queryRows<{ v: string }>(
      tx,
      sql`select distinct stage as v from opportunities where status = 'open' and stage <> '' order by 1`,
    );
    // Who may receive a segment's share instead of the new owner: active people and House reps.
    const receivers = await queryRows<{ id: string; name: string; kind: string }>(
      tx,
      sql`select id, name, kind::text as kind from reps where active and kind in ('person', 'house') order by name, id`,
    );
    return {
      accountTypes: types.map((r) => r.v),
      regions: regions.map((r) => r.v),
      stages: stages.map((r) => r.v),
      receivers,
    };
  });
}

export async function listRegionsAndSegments(ctx: ReadContext) {
  return read(ctx, async (tx) => {
    const regions = await queryRows<{ v: string }>(
      tx,
      sql`select distinct region as v from accounts where region is not null order by 1`,
    );
    const segments = await queryRows<{ v: string }>(
      tx,
      sql`select distinct segment as v from accounts where segment is not null order by 1`,
    );
    return { regions: regions.map((r) => r.v), segments: segments.map((r) => r.v) };
  });
}

export async function findAccountByCrmId(ctx: ReadContext, crmId: string) {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{ id: string; name: string }>(
      tx,
      sql`select id, name from accounts where crm_id = ${crmId} limit 1`,
    );
    return row ?? null;
  });
}

export async function findOpportunityByCrmId(ctx: ReadContext, crmId: string) {
  return read(ctx, async (tx) => {
    const [row] = await queryRows<{ id: string; name: string; status: string }>(
      tx,
      sql`select id, name, status::text as status from opportunities where crm_id = ${crmId} limit 1`,
    );
    return row ?? null;
  });
}
