/**
 * Revenue schedules: periods with amounts for an opportunity. A period must end on or after it starts
 * and lie within the opportunity's term: not before its start date (or creation), not after its end date.
 */
import type { ScheduleRecord } from '../records.ts';
import type { KindHandler } from './handler.ts';

export function schedulesHandler(): KindHandler<ScheduleRecord> {
  return {
    keyField: 'period_start',
    key: (record) => `${record.opportunityCrmId}\u0000${record.periodStart}`,
    build(r, context) {
      const opportunityCrmId = r.id('opportunity_id', true);
      const periodStart = r.date('period_start', true);
      const periodEnd = r.date('period_end', true);
      const amountCents = r.money('amount', { required: true });
      if (periodStart && periodEnd && periodEnd < periodStart) {
        r.fail(
          'period_end',
          `the period ends (${periodEnd}) before it starts (${periodStart})`,
          'Swap or correct the dates.',
        );
      }
      const term =
        opportunityCrmId && context.opportunity ? context.opportunity(opportunityCrmId) : undefined;
      if (opportunityCrmId && context.opportunity && !term) {
        r.fail(
          'opportunity_id',
          `opportunity "${opportunityCrmId}" is not in the book`,
          'Import the opportunities first.',
        );
      }
      if (term && periodStart && periodEnd) {
        const from = term.startDate ?? term.createdDate;
        if (from && periodStart < from) {
          r.fail(
            'period_start',
            `the period starts ${periodStart}, before the opportunity's ${term.startDate ? 'start date' : 'creation'} (${from})`,
            'Check the period, or the opportunity’s start or created date.',
          );
        }
        if (term.endDate && periodEnd > term.endDate) {
          r.fail(
            'period_end',
            `the period ends ${periodEnd}, after the opportunity's end date (${term.endDate})`,
            'Check the period, or the opportunity’s end date.',
          );
        }
      }
      if (r.errors.length > 0 || !opportunityCrmId || !periodStart || !periodEnd || amountCents === null)
        return null;
      return { row: r.row, opportunityCrmId, periodStart, periodEnd, amountCents };
    },
  };
}
