/**
 * The run wizard's choices: the accounts a departure or realignment could move (filtered by
 * owner, region and search, paginated) for the scope step's multi-select, the impact of a chosen set of accounts,
 * and how the chosen commission strategy (uniform, segmented or manual) would treat the open opportunities in scope.
 * Read-only, in the caller's org (RLS).
 */
import { type SQL, sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';
import { type AccountFilter, matchingAccountIds as accountIds, listAccounts } from '../book/account-list.ts';
import {
  type CommissionParams,
  type CommissionType,
  commissionFor,
} from '../commission-splits/split-after.ts';

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

/** The book's account filter for a base and the scope step's filter (by name), or null when nothing can match. */
function scopeFilter(
  base: AccountBase,
  f: ScopeAccountFilter,
  limit: number,
  offset = 0,
): AccountFilter | null {
  if (base.kind === 'reps' && base.repIds.length === 0) return null;
  return {
    ...(base.kind === 'reps'
      ? { ownerIn: base.repIds }
      : {
          regionIn: base.regions.length ? base.regions : undefined,
          segmentIn: base.segments.length ? base.segments : undefined,
        }),
    owner: UUID.test(f.owner) ? f.owner : undefined,
    region: f.region || undefined,
    q: f.q || undefined,
    order: 'name',
    limit,
    offset,
  };
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
  ctx: ReadContext,
  base: AccountBase,
  filter: ScopeAccountFilter,
  page: number,
  pageSize: number,
): Promise<{ rows: ScopeAccountRow[]; total: number }> {
  const input = scopeFilter(base, filter, pageSize, (page - 1) * pageSize);
  if (!input) return { rows: [], total: 0 };
  const { rows, total } = await listAccounts({ ctx, input });
  return {
    rows: rows.map((r) => ({
      id: r.id,
      crmId: r.crmId,
      name: r.name,
      ownerName: r.ownerName,
      region: r.region,
      revenueCents: Number(r.annualRevenueCents),
    })),
    total,
  };
}

/** The ids of every account matching the base and the filter, at most `limit` (by name). */
export async function matchingAccountIds(
  ctx: ReadContext,
  base: AccountBase,
  filter: ScopeAccountFilter,
  limit: number,
): Promise<string[]> {
  const input = scopeFilter(base, filter, limit);
  return input ? accountIds({ ctx, input }) : [];
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
  /** The known amounts; the opportunities of unknown amount (blank in the CRM) are counted apart, never as $0. */
  amountCents: number;
  unknownAmount: number;
}

/**
 * How the strategy would treat the open opportunities in scope: one line per (type, deciding segment), the same
 * first-match rule as the commit (split-after.ts commissionFor).
 */
export async function commissionPreview(
  ctx: ReadContext,
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
      amount: string | number | null;
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
    const amount = r.amount === null ? null : Number(r.amount);
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
      unknownAmount: 0,
    };
    line.opportunities += Number(r.n);
    if (amount === null) line.unknownAmount += Number(r.n);
    else line.amountCents += amount * Number(r.n);
    lines.set(key, line);
  }
  return [...lines.values()].sort((x, y) => (x.segment ?? 1e9) - (y.segment ?? 1e9));
}
