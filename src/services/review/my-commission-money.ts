/**
 * A rep's own commission money (/me, issue 17): for each committed run that changed one of their splits, what they
 * earn per month (the true months of the window, not an average) and per year, before and after. The figures are
 * the commission impact's own (commission-impact.ts buildImpact on the run's committed plan), narrowed to the
 * reader's row: a rep sees their own money and nobody else's.
 */
import { orgScope } from '../../auth/principal.ts';
import type { MonthImpact } from '../../commission/index.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import type { OrgContext } from '../auth/context.ts';
import { buildImpact } from './commission-impact.ts';
import { loadRunCommission } from './run-commission.ts';

export interface MyRunMoney {
  runId: string;
  window: { from: string; to: string; months: number };
  reassignmentDate: string;
  months: MonthImpact[];
  annualBeforeCents: number;
  annualAfterCents: number;
  annualDeltaCents: number;
}

/** At most this many runs are planned for one page view (newest first, as the caller lists them). */
const MAX_RUNS = 20;

/**
 * The reader's money in each of the given runs (committed ones; a rolled-back run's changes were undone and it is
 * left out). Only a rep linked to the roster may ask, and only for themself.
 */
export async function myCommissionMoney({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { runIds: string[] };
}): Promise<MyRunMoney[]> {
  const repId = ctx.principal.repId;
  if (ctx.principal.role !== 'rep' || !repId) {
    throw forbidden('Your own commission money is for a rep linked to the roster (see My book).');
  }
  const runIds = [...new Set(input.runIds)].slice(0, MAX_RUNS);
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const out: MyRunMoney[] = [];
    for (const runId of runIds) {
      const rc = await loadRunCommission(tx, runId).catch((error: unknown) => {
        // Rolled back (its changes undone) or without dates: nothing of it is paid, so nothing to show.
        if (error instanceof AppError && (error.code === 'CONFLICT' || error.code === 'UNPROCESSABLE'))
          return null;
        throw error;
      });
      if (rc?.basis !== 'committed') continue;
      const impact = buildImpact(rc, 12);
      const mine = impact.people.find((p) => p.participantId === repId);
      if (!mine) continue;
      out.push({
        runId,
        window: impact.window,
        reassignmentDate: impact.reassignmentDate,
        months: mine.months,
        annualBeforeCents: mine.annualBeforeCents,
        annualAfterCents: mine.annualAfterCents,
        annualDeltaCents: mine.annualDeltaCents,
      });
    }
    return out;
  });
}
