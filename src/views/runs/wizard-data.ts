/**
 * Reads of the run wizard beyond runs-data.ts: the accounts a departure or realignment could move (filtered by
 * owner, region and search, paginated) for the scope step's multi-select, the impact of a chosen set of accounts,
 * and how the chosen commission strategy (uniform, segmented or manual) would treat the open opportunities in scope.
 * Read-only, in the caller's org (RLS).
 */
import { type SQL, sql } from 'drizzle-orm';
import { orgScope } from '../../auth/principal.ts';
import type { Tx } from '../../db/client.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { OrgContext } from '../../services/auth/context.ts';
import {
  type CommissionParams,
  type CommissionType,
  commissionFor,
} from '../../services/commission-splits/split-after.ts';

const readOnly = { transaction: { accessMode: 'read only' as const } };
function read<T>(ctx: OrgContext, work: (tx: Tx) => Promise<T>) {
  return withOrg(ctx.db, orgScope(ctx.principal), work, readOnly);
}

/** The accounts a run kind could move before any selection: the departing reps' books, or regions/segments. */
export type AccountBase =
  | { kind: 'reps'; repIds: string[] }
  | { kind: 'regions'; regions: string[]; segments: string[] };

export interface ScopeAccountFilter {
  owner: string;
  region: string;
  q: string;
}

const json = (xs: string[]) => JSON.stringify(xs);
const inList = (col: SQL, xs: string[]) =>
  sql`${col} in (select jsonb_array_elements_text(${json(xs)}::jsonb))`;
const inIds = (col: SQL, xs: string[]) =>
  sql`${col} in (select (x)::uuid from jsonb_array_elements_text(${json(xs)}::jsonb) x)`;

function baseWhere(base: AccountBase): SQL {
  if (base.kind === 'reps') return base.repIds.length ? inIds(sql`a.owner_rep_id`, base.repIds) : sql`false`;
  const parts: SQL[] = [sql`true`];
  if (base.regions.length) parts.push(inList(sql`a.region`, base.regions));
  if (base.segments.length) parts.push(inList(sql`a.segment`, base.segments));
  return sql.join(parts, sql` and `);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function filterWhere(base: AccountBase, f: ScopeAccountFilter): SQL {
  const parts: SQL[] = [baseWhere(base)];
  if (UUID.test(f.owner)) parts.push(sql`a.owner_rep_id = ${f.owner}::uuid`);
  if (f.region) parts.push(sql`a.region = ${f.region}`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(sql`(a.name ilike ${like} or a.crm_id ilike ${like})`);
  }
  return sql.join(parts, sql` and `);
}

export interface ScopeAccountRow {
  id: string;
  crmId: string;
  name: string;
  ownerName: string | null;
  region: string | null;
  revenueCents: number;
}

/** One page of the accounts matching the base and the filter, by name. */
export async function listScopeAccounts(
  ctx: OrgContext,
  base: AccountBase,
  filter: ScopeAccountFilter,
  page: number,
  pageSize: number,
): Promise<{ rows: ScopeAccountRow[]; total: number }> {
  const where = filterWhere(base, filter);
  return read(ctx, async (tx) => {
    const rows = await queryRows<{
      id: string;
      crm_id: string;
      name: string;
      owner: string | null;
      region: string | null;
      revenue: string | number;
    }>(
      tx,
      sql`select a.id, a.crm_id, a.name, r.name as owner, a.region, a.annual_revenue_cents as revenue
          from accounts a left join reps r on r.id = a.owner_rep_id
          where ${where} order by a.name, a.id limit ${pageSize} offset ${(page - 1) * pageSize}`,
    );
    const [n] = await queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from accounts a where ${where}`,
    );
    return {
      rows: rows.map((r) => ({
        id: r.id,
        crmId: r.crm_id,
        name: r.name,
        ownerName: r.owner,
        region: r.region,
        revenueCents: Number(r.revenue),
      })),
      total: Number(n?.n ?? 0),
    };
  });
}

/** The ids of every account matching the base and the filter, at most `limit` (by name). */
export async function matchingAccountIds(
  ctx: OrgContext,
  base: AccountBase,
  filter: ScopeAccountFilter,
  limit: number,
): Promise<string[]> {
  const where = filterWhere(base, filter);
  return read(ctx, async (tx) => {
    const rows = await queryRows<{ id: string }>(
      tx,
      sql`select a.id from accounts a where ${where} order by a.name, a.id limit ${limit}`,
    );
    return rows.map((r) => r.id);
  });
}

/** Which accounts' open opportunities the commission preview looks at. */
export type CommissionScope =
  | { kind: 'base'; base: AccountBase }
  | { kind: 'ids'; accountIds: string[] }
  | { kind: 'account'; accountId: string }
  | { kind: 'opportunity'; opportunityId: string }
  | { kind: 'none' };

export interface CommissionLine {
  /** null: the manual strategy (each opportunity is decided on the run's review page). */
  type: CommissionType | null;
  /** The 1-based segment that decided it, or null for the default type. */
  segment: number | null;
  customBps: number | null;
  /** The segment's receiving rep, or null for the account's new owner. */
  receiverRepId: string | null;
  receiverName: string | null;
  opportunities: number;
  amountCents: number;
}

/**
 * How the strategy would treat the open opportunities in scope: one line per (type, deciding segment), the same
 * first-match rule as the commit (split-after.ts commissionFor).
 */
export async function commissionPreview(
  ctx: OrgContext,
  scope: CommissionScope,
  params: CommissionParams,
): Promise<CommissionLine[]> {
  if (scope.kind === 'none') return [];
  const where =
    scope.kind === 'base'
      ? baseWhere(scope.base)
      : scope.kind === 'ids'
        ? inIds(sql`a.id`, scope.accountIds)
        : scope.kind === 'account'
          ? sql`a.id = ${scope.accountId}::uuid`
          : sql`o.id = ${scope.opportunityId}::uuid`;
  const receiverIds = [
    ...new Set((params.commissionSegments ?? []).flatMap((s) => (s.receiverRepId ? [s.receiverRepId] : []))),
  ];
  const names = new Map<string, string>();
  if (receiverIds.length > 0) {
    const found = await read(ctx, (tx) =>
      queryRows<{ id: string; name: string }>(
        tx,
        sql`select id, name from reps where ${inIds(sql`id`, receiverIds)}`,
      ),
    );
    for (const r of found) names.set(r.id, r.name);
  }
  const rows = await read(ctx, (tx) =>
    queryRows<{
      type: string | null;
      region: string | null;
      stage: string;
      amount: string | number;
      n: number;
    }>(
      tx,
      sql`select a.type, a.region, o.stage, o.amount_cents as amount, count(*)::int as n
          from opportunities o join accounts a on a.id = o.account_id
          where o.status = 'open' and ${where}
          group by a.type, a.region, o.stage, o.amount_cents`,
    ),
  );
  const lines = new Map<string, CommissionLine>();
  for (const r of rows) {
    const amount = Number(r.amount);
    const c = commissionFor(params, {
      accountType: r.type,
      region: r.region,
      stage: r.stage,
      amountCents: amount,
    });
    const key = `${c.segment ?? ''}:${c.type}:${c.receiverRepId ?? ''}`;
    const line = lines.get(key) ?? {
      type: c.type,
      segment: c.segment === null ? null : c.segment + 1,
      customBps: c.customBps,
      receiverRepId: c.receiverRepId,
      receiverName: c.receiverRepId ? (names.get(c.receiverRepId) ?? c.receiverRepId) : null,
      opportunities: 0,
      amountCents: 0,
    };
    line.opportunities += Number(r.n);
    line.amountCents += amount * Number(r.n);
    lines.set(key, line);
  }
  return [...lines.values()].sort((x, y) => (x.segment ?? 1e9) - (y.segment ?? 1e9));
}
