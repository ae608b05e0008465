/**
 * Notices for opportunities handed over on their own (opportunity-level runs, issue 8 level 1): the new owner,
 * the previous owner, the previous owner's manager and the managers each get one digest with an opportunity
 * section (opportunity, account, amount, close date, previous owner, split before and after); a rep who also
 * receives accounts still gets one digest.
 */
import { describe, expect, it } from 'vitest';
import { composeNotices, type NoticeInput, type NoticeOpportunityLine } from '../../src/notices/compose.ts';

const people = [
  { id: 'mgr', name: 'Mona Manager', email: 'mona@acme.test' },
  { id: 'eve', name: 'Eve Seller', email: 'eve@acme.test', managerId: 'mgr' },
  { id: 'ben', name: 'Ben Taker', email: 'ben@acme.test', managerId: 'mgr' },
  { id: 'house', name: 'House', email: null },
];

const renewal: NoticeOpportunityLine = {
  opportunityId: 'o1',
  opportunityName: 'Acme renewal',
  accountName: 'Acme Corp',
  amountCents: 1_234_500,
  closeDate: '2026-12-15',
  fromRepId: 'eve',
  toRepId: 'ben',
  splitBefore: { House: 4500, 'Eve Seller': 5500 },
  splitAfter: { House: 6500, 'Ben Taker': 3500 },
};

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  runId: 'run-9',
  runLabel: 'opportunity: Ben takes the renewal',
  reason: 'Ben takes the renewal',
  effectiveDate: '2026-04-01',
  appBaseUrl: 'https://bookshift.test',
  people,
  accounts: [],
  splits: [],
  opportunities: [renewal],
  managers: [{ id: 'u-mgr', name: 'Mia Member', email: 'mia@acme.test' }],
  finance: [],
  purpose: 'handoff',
  ...over,
});

describe('opportunity handover notices', () => {
  it('tells the new owner, the previous owner, their manager and the managers — one digest each', () => {
    const { drafts, unreachable } = composeNotices(input());
    expect(drafts.map((d) => `${d.kind}:${d.recipient.id}`)).toEqual([
      'receiving_rep:ben',
      'losing_rep:eve',
      'losing_rep_manager:mgr',
      'manager_summary:u-mgr',
    ]);
    expect(unreachable).toEqual([]);
    expect(new Set(drafts.map((d) => d.idempotencyKey)).size).toBe(drafts.length);
  });

  it('gives the new owner the opportunity, its account, amount, close date, previous owner and the split', () => {
    const ben = composeNotices(input()).drafts.find((d) => d.recipient.id === 'ben')!;
    expect(ben.subject).toBe('1 opportunity now assigned to you');
    expect(ben.text).toContain('these opportunities are now yours from 2026-04-01');
    expect(ben.text).toContain(
      '- Acme renewal (Acme Corp): $12,345.00, closes 2026-12-15; from Eve Seller to Ben Taker; split House 45.00%, Eve Seller 55.00% -> House 65.00%, Ben Taker 35.00%',
    );
    expect(ben.html).toContain(
      '<th style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:left">Split after</th>',
    );
    expect(ben.html).toContain('Acme renewal');
    expect(ben.html).toContain('2026-12-15');
    expect(ben.html).toContain('House 65.00%, Ben Taker 35.00%');
    expect(ben.text).not.toContain('Accounts');
  });

  it('tells the previous owner and their manager what leaves', () => {
    const { drafts } = composeNotices(input());
    const eve = drafts.find((d) => d.kind === 'losing_rep')!;
    expect(eve.subject).toBe('1 opportunity handed over to a new owner');
    expect(eve.text).toContain('Leaving you');
    expect(eve.text).toContain('from Eve Seller to Ben Taker');
    const mona = drafts.find((d) => d.kind === 'losing_rep_manager')!;
    expect(mona.subject).toBe('Handoff of 1 opportunity from your team');
    expect(mona.text).toContain('Leaving Eve Seller');
    expect(mona.text).toContain('Acme renewal (Acme Corp)');
    const summary = drafts.find((d) => d.kind === 'manager_summary')!;
    expect(summary.subject).toBe('Summary: 1 opportunity reassigned (opportunity: Ben takes the renewal)');
    expect(summary.text).toContain('Opportunities to Ben Taker');
  });

  it('keeps one digest per person when a rep receives accounts and opportunities in the same run', () => {
    const { drafts } = composeNotices(
      input({
        accounts: [
          {
            accountId: 'a1',
            accountName: 'Beta Ltd',
            revenueCents: 5_000_000,
            fromRepId: 'eve',
            toRepId: 'ben',
            openDeals: 0,
            openDealCents: 0,
            nextCloseDate: null,
            contacts: [],
          },
        ],
        opportunities: [
          renewal,
          { ...renewal, opportunityId: 'o2', opportunityName: 'Acme upsell', amountCents: 100 },
        ],
      }),
    );
    const toBen = drafts.filter((d) => d.recipient.id === 'ben');
    expect(toBen).toHaveLength(1);
    expect(toBen[0]!.subject).toBe('1 account and 2 opportunities now assigned to you');
    expect(toBen[0]!.text).toContain('Beta Ltd');
    // Larger deals first.
    expect(toBen[0]!.text.indexOf('Acme renewal')).toBeLessThan(toBen[0]!.text.indexOf('Acme upsell'));
    expect(drafts.filter((d) => d.recipient.id === 'mgr')).toHaveLength(1);
    expect(drafts.find((d) => d.recipient.id === 'mgr')!.subject).toBe(
      'Handoff of 1 account and 2 opportunities from your team',
    );
  });

  it('leaves account-only digests without opportunity sections when no opportunity is handed over alone', () => {
    const { drafts } = composeNotices(
      input({
        opportunities: undefined,
        accounts: [
          {
            accountId: 'a1',
            accountName: 'Beta Ltd',
            revenueCents: 5_000_000,
            fromRepId: 'eve',
            toRepId: 'ben',
            openDeals: 0,
            openDealCents: 0,
            nextCloseDate: null,
            contacts: [],
          },
        ],
      }),
    );
    // The previous owner of the account hears too (issue 17), in their own digest.
    expect(drafts.map((d) => `${d.kind}:${d.recipient.id}`)).toEqual([
      'receiving_rep:ben',
      'losing_rep:eve',
      'losing_rep_manager:mgr',
      'manager_summary:u-mgr',
    ]);
    expect(drafts[0]!.subject).toBe('1 account now assigned to you');
    expect(drafts[1]!.subject).toBe('1 account handed over to a new owner');
    expect(drafts.every((d) => !d.text.includes('Opportunities'))).toBe(true);
  });

  it('marks a rollback as a correction and reports an unreachable previous owner', () => {
    const { drafts, unreachable } = composeNotices(
      input({
        purpose: 'correction',
        people: people.map((p) => (p.id === 'eve' ? { ...p, email: null } : p)),
      }),
    );
    const ben = drafts.find((d) => d.recipient.id === 'ben')!;
    expect(ben.subject).toBe('Correction: 1 opportunity no longer assigned to you');
    expect(ben.idempotencyKey).toBe('run-9:correction:receiving_rep:ben');
    expect(unreachable.map((u) => `${u.kind}:${u.person.id}`)).toEqual(['losing_rep:eve']);
  });
});
