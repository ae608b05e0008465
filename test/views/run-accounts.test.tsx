/** The account table's bulk form (issue 6): "all matching the filter" carries the filter and the count seen, and is refused up front past the limit. */
import { describe, expect, it } from 'vitest';
import { MAX_BULK_ACCOUNTS } from '../../src/services/review/changes.ts';
import type { AccountFilter } from '../../src/views/runs/account-filter.tsx';
import { AccountTable } from '../../src/views/runs/run-accounts.tsx';

const RUN = '11111111-1111-4111-8111-111111111111';
const REP = '22222222-2222-4222-8222-222222222222';
const row = {
  accountId: '33333333-3333-4333-8333-333333333333',
  crmId: 'A-1',
  name: 'Acme',
  region: 'West',
  revenueCents: 10_000_00,
  fromRepId: REP,
  toRepId: null,
  pinned: false,
  excluded: false,
  moved: true,
  reason: 'moved to balance',
  openConflicts: 0,
};
const filter: AccountFilter = {
  rep: REP,
  region: 'West',
  moved: '1',
  sort: 'revenue',
  order: 'desc',
  page: 2,
  pageSize: 50,
};
const render = (total: number) =>
  String(
    AccountTable({
      runId: RUN,
      rows: [row],
      total,
      filter,
      names: new Map([[REP, 'Dana']]),
      edit: { csrfToken: 'tok', receivers: [{ id: REP, name: 'Dana' }] },
    }),
  );

describe('the bulk form of the account table', () => {
  it('offers all matching accounts with the filter and the count the person sees', () => {
    const html = render(1234);
    expect(html).toContain('<input type="checkbox" id="bulk-all" name="all" value="1"/>');
    expect(html).toContain(
      'Apply to all 1,234 account(s) matching these filters, not only those ticked on this page',
    );
    for (const [k, v] of [
      ['matching', '1234'],
      ['rep', REP],
      ['region', 'West'],
      ['moved', '1'],
    ])
      expect(html).toContain(`<input type="hidden" name="${k}" value="${v}"/>`);
    expect(html).not.toContain('name="conflict"');
    expect(html).not.toContain('bulk-all-limit');
  });

  it(`past ${MAX_BULK_ACCOUNTS} matching accounts the choice is disabled and says what to do`, () => {
    const html = render(MAX_BULK_ACCOUNTS + 1);
    expect(html).toContain(
      '<input type="checkbox" id="bulk-all" name="all" value="1" disabled="" aria-describedby="bulk-all-limit"/>',
    );
    expect(html).toContain('One change takes at most 5,000 accounts: narrow the filters (a rep or a region)');
  });
});
