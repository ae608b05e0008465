/** Accounts: id, name, owner (matched to the roster), revenue in cents, region per the mapping, flags. */
import type { AccountRecord } from '../records.ts';
import type { ImportContext, KindHandler } from './handler.ts';

export function accountsHandler(): KindHandler<AccountRecord> {
  return {
    keyField: 'account_id',
    key: (record) => record.crmId,
    rawKey: (r) => r.id('account_id'),
    build(r, context: ImportContext) {
      const crmId = r.id('account_id', true);
      const name = r.text('account_name', true);
      const ownerCrmId = r.rep('owner_id', context.roster, true);
      // Blank revenue is unknown, not zero (unless the mapping makes blank money an error).
      const annualRevenueCents = r.money('annual_revenue', {
        blank: r.options.blankMoney === 'error' ? 'zero' : 'null',
      });
      const region = r.text('region');
      const state = r.text('state');
      const country = r.text('country');
      const record: Omit<AccountRecord, 'crmId' | 'name' | 'ownerCrmId' | 'annualRevenueCents'> = {
        row: r.row,
        region: { region, state, country }[r.options.regionSource],
        state,
        country,
        tier: r.text('tier'),
        type: r.text('type'),
        industry: r.text('industry'),
        protected: r.boolean('protected', false),
        coOwned: r.boolean('co_owned', false),
        nextCloseDate: r.date('next_close_date'),
        attributes: r.options.keepUnmappedColumns ? r.unmappedCells() : {},
      };
      if (r.errors.length > 0 || !crmId || !name || !ownerCrmId) return null;
      return { ...record, crmId, name, ownerCrmId, annualRevenueCents };
    },
  };
}
