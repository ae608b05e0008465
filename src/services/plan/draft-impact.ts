/** What a drafted run would touch before it is solved: accounts, opportunities, revenue and amounts at stake. */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/query-rows.ts';
import { type ReadContext, readInOrg as read } from '../auth/read-in-org.ts';

/** What a drafted run would touch, before solving: accounts, opportunities, revenue and amounts at stake. */
export interface Impact {
  accounts: number;
  revenueCents: number;
  protectedAccounts: number;
  openOpportunities: number;
  /** The known amounts of the open opportunities; those of unknown amount are counted apart, never as $0. */
  openAmountCents: number;
  openUnknownAmount: number;
  closingSoon: number;
  closedOpportunities: number;
  schedules: number;
  scheduledCents: number;
}

export type ImpactScope =
  | { kind: 'reps'; repIds: string[] }
  | { kind: 'regions'; regions: string[]; segments: string[] }
  | { kind: 'account'; accountId: string }
  | { kind: 'opportunity'; opportunityId: string }
  /** Accounts a person ticked in the wizard. */
  | { kind: 'accounts'; accountIds: string[] }
  | { kind: 'none' };

export async function impactOf(
  ctx: ReadContext,
  scope: ImpactScope,
  today: string,
  closingDays = 30,
): Promise<Impact> {
  const empty: Impact = {
    accounts: 0,
    revenueCents: 0,
    protectedAccounts: 0,
    openOpportunities: 0,
    openAmountCents: 0,
    openUnknownAmount: 0,
    closingSoon: 0,
    closedOpportunities: 0,
    schedules: 0,
    scheduledCents: 0,
  };
  if (scope.kind === 'none') return empty;
  const ids = (xs: string[]) => JSON.stringify(xs);
  const accountWhere =
    scope.kind === 'reps'
      ? sql`a.owner_rep_id in (select (x)::uuid from jsonb_array_elements_text(${ids(scope.repIds)}::jsonb) x)`
      : scope.kind === 'regions'
        ? sql`(jsonb_array_length(${ids(scope.regions)}::jsonb) = 0 or a.region in (select jsonb_array_elements_text(${ids(scope.regions)}::jsonb)))
              and (jsonb_array_length(${ids(scope.segments)}::jsonb) = 0 or a.segment in (select jsonb_array_elements_text(${ids(scope.segments)}::jsonb)))`
        : scope.kind === 'accounts'
          ? sql`a.id in (select (x)::uuid from jsonb_array_elements_text(${ids(scope.accountIds)}::jsonb) x)`
          : scope.kind === 'account'
            ? sql`a.id = ${scope.accountId}::uuid`
            : sql`a.id = (select account_id from opportunities where id = ${scope.opportunityId}::uuid)`;
  const oppWhere = scope.kind === 'opportunity' ? sql`o.id = ${scope.opportunityId}::uuid` : sql`true`;
  return read(ctx, async (tx) => {
    const [a] = await queryRows<{ n: number; revenue: string | number; protected: number }>(
      tx,
      sql`select count(*)::int as n, coalesce(sum(a.annual_revenue_cents), 0) as revenue,
                 count(*) filter (where a.is_house or a.is_co_owned)::int as protected
          from accounts a where ${accountWhere}`,
    );
    const [o] = await queryRows<{
      open: number;
      amount: string | number;
      unknown_amount: number;
      soon: number;
      closed: number;
      schedules: number;
      scheduled: string | number;
    }>(
      tx,
      sql`select count(*) filter (where o.status = 'open')::int as open,
                 coalesce(sum(o.amount_cents) filter (where o.status = 'open'), 0) as amount,
                 count(*) filter (where o.status = 'open' and o.amount_cents is null)::int as unknown_amount,
                 count(*) filter (where o.status = 'open' and o.close_date <= (${today}::date + ${closingDays}::int))::int as soon,
                 count(*) filter (where o.status <> 'open')::int as closed,
                 (select count(*)::int from revenue_schedules s join opportunities o2 on o2.id = s.opportunity_id
                    join accounts a2 on a2.id = o2.account_id
                    where s.period_end >= ${today}::date and a2.id in (select a.id from accounts a where ${accountWhere})) as schedules,
                 (select coalesce(sum(s.amount_cents), 0) from revenue_schedules s join opportunities o2 on o2.id = s.opportunity_id
                    join accounts a2 on a2.id = o2.account_id
                    where s.period_end >= ${today}::date and a2.id in (select a.id from accounts a where ${accountWhere})) as scheduled
          from opportunities o join accounts a on a.id = o.account_id
          where ${accountWhere} and ${oppWhere}`,
    );
    return {
      accounts: Number(a?.n ?? 0),
      revenueCents: Number(a?.revenue ?? 0),
      protectedAccounts: Number(a?.protected ?? 0),
      openOpportunities: Number(o?.open ?? 0),
      openAmountCents: Number(o?.amount ?? 0),
      openUnknownAmount: Number(o?.unknown_amount ?? 0),
      closingSoon: Number(o?.soon ?? 0),
      closedOpportunities: Number(o?.closed ?? 0),
      schedules: Number(o?.schedules ?? 0),
      scheduledCents: Number(o?.scheduled ?? 0),
    };
  });
}
