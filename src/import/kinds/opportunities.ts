/**
 * Opportunities with their commission split as columns (House %, rep + %, subagent + %), which must total
 * exactly 100% when present. Open or closed comes from a status column, a closed flag, or the stage name.
 */
import type { OpportunityRecord, SplitShare } from '../records.ts';
import type { RowReader } from '../row-reader.ts';
import type { ImportContext, KindHandler } from './handler.ts';
import { isBillingStage, readOpportunityStatus } from './opportunity-status.ts';

const SPLIT_FIELDS = [
  'split_house_pct',
  'split_rep_id',
  'split_rep_pct',
  'split_subagent_id',
  'split_subagent_pct',
];

export function opportunitiesHandler(): KindHandler<OpportunityRecord> {
  return {
    keyField: 'opportunity_id',
    key: (record) => record.crmId,
    rawKey: (r) => r.id('opportunity_id'),
    build(r, context) {
      const crmId = r.id('opportunity_id', true);
      const accountCrmId = r.id('account_id', true);
      if (accountCrmId && context.accountExists && !context.accountExists(accountCrmId)) {
        r.fail(
          'account_id',
          `account "${accountCrmId}" is not in the book`,
          'Import the accounts first (or include this account in the accounts file), then import opportunities.',
        );
      }
      const stage = r.text('stage', true);
      // A blank amount is unknown, not $0 (early-stage deals; unless the mapping makes blank money an error).
      const amountCents = r.money('amount', { blank: r.options.blankMoney === 'error' ? 'zero' : 'null' });
      const closeDate = r.date('close_date', true);
      const status = readOpportunityStatus(r, stage);
      const createdDate = r.date('created_date', true);
      const record = {
        row: r.row,
        name: r.text('opportunity_name'),
        ownerCrmId: r.rep('owner_id', context.roster),
        startDate: r.date('start_date'),
        endDate: r.date('end_date'),
        split: readSplit(r, context),
      };
      if (record.startDate && record.endDate && record.endDate < record.startDate) {
        r.fail(
          'end_date',
          'end_date is before start_date',
          'Check the dates of the service or billing term.',
        );
      }
      if (r.errors.length > 0 || !crmId || !accountCrmId || !stage || !closeDate || !createdDate || !status) {
        return null;
      }
      return {
        ...record,
        crmId,
        accountCrmId,
        stage,
        isBillingStage: isBillingStage(stage),
        amountCents,
        closeDate,
        createdDate,
        status,
      };
    },
  };
}

function readSplit(r: RowReader, context: ImportContext): SplitShare[] | null {
  if (!SPLIT_FIELDS.some((f) => r.raw(f).trim() !== '')) return null;
  const errorsBefore = r.errors.length;
  const house = r.percent('split_house_pct') ?? 0;
  const shares: SplitShare[] = [{ participant: 'house', repCrmId: null, pctBps: house }];
  for (const participant of ['rep', 'subagent'] as const) {
    const idField = `split_${participant}_id`;
    const pctField = `split_${participant}_pct`;
    const repCrmId = r.rep(idField, context.roster);
    const pct = r.percent(pctField) ?? 0;
    if (pct > 0 && repCrmId === null && r.raw(idField).trim() === '') {
      r.fail(
        idField,
        `${pctField} is ${pct / 100}% but no ${participant} is named`,
        `Fill in ${r.column(idField) || idField}.`,
      );
    }
    if (repCrmId !== null) shares.push({ participant, repCrmId, pctBps: pct });
  }
  if (r.errors.length > errorsBefore) return null;
  const total = shares.reduce((sum, s) => sum + s.pctBps, 0);
  if (total !== 10_000) {
    const parts = shares.map((s) => `${s.participant} ${s.pctBps / 100}%`).join(' + ');
    r.fail(
      'split_house_pct',
      `the split totals ${total / 100}% (${parts}), not 100%`,
      'Make the House, rep and subagent shares add up to exactly 100%.',
    );
    return null;
  }
  return shares.filter((s) => s.pctBps > 0 || s.participant !== 'house');
}
