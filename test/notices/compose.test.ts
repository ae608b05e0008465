import { describe, expect, it } from 'vitest';
import { composeNotices, type NoticeInput } from '../../src/notices/compose.ts';

const people = [
  { id: 'mgr', name: 'Mona Manager', email: 'mona@acme.test' },
  { id: 'dan', name: 'Dan Departing', email: 'dan@acme.test', managerId: 'mgr' },
  { id: 'ria', name: 'Ria Receiver', email: 'ria@acme.test', managerId: 'mgr' },
  { id: 'sam', name: 'Sam <script>alert(1)</script>', email: 'sam@acme.test', managerId: 'mgr' },
  { id: 'nomail', name: 'No Mail', email: null, managerId: 'mgr' },
];

const account = (id: string, to: string, revenueCents: number, openDeals = 0) => ({
  accountId: id,
  accountName: `Account ${id}`,
  revenueCents,
  fromRepId: 'dan',
  toRepId: to,
  openDeals,
  openDealCents: openDeals * 500_000,
  nextCloseDate: openDeals > 0 ? '2026-12-10' : null,
  contacts: openDeals > 0 ? ['Pat Buyer'] : [],
});

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  runId: 'run-1',
  runLabel: 'Dan leaves',
  reason: 'Rep departure',
  effectiveDate: '2026-12-01',
  appBaseUrl: 'http://localhost:3000/',
  people,
  accounts: [
    account('a1', 'ria', 1_000_000, 2),
    account('a2', 'ria', 50_000),
    account('a3', 'sam', 7_500_000),
    account('a4', 'nomail', 100),
  ],
  splits: [],
  managers: [people[0]!],
  finance: [{ id: 'fin', name: 'Fay Finance', email: 'fay@acme.test' }],
  purpose: 'handoff',
  ...over,
});

describe('handoff notices', () => {
  it('sends one digest per receiving and losing rep, one to the losing rep’s manager, one summary — never one per account', () => {
    const { drafts, unreachable } = composeNotices(input());
    const byKind = drafts.map((d) => `${d.kind}:${d.recipient.id}`);
    expect(byKind).toEqual([
      'losing_rep:dan',
      'receiving_rep:ria',
      'receiving_rep:sam',
      'losing_rep_manager:mgr',
      'manager_summary:mgr',
    ]);
    expect(unreachable).toEqual([{ person: people[4], kind: 'receiving_rep' }]);
    const ria = drafts.find((d) => d.recipient.id === 'ria')!;
    expect(ria.subject).toBe('2 accounts now assigned to you');
    expect(ria.text).toContain(
      'Account a1: $10,000.00 a year; from Dan Departing to Ria Receiver; 2 open deals ($10,000.00, next close 2026-12-10); contacts: Pat Buyer',
    );
    // A rep's digest leads to their own view; the run page is for staff.
    expect(ria.text).toContain('http://localhost:3000/me');
    expect(drafts.find((d) => d.kind === 'manager_summary')!.text).toContain(
      'http://localhost:3000/runs/run-1',
    );
    expect(ria.idempotencyKey).toBe('run-1:handoff:receiving_rep:ria');
  });

  it('escapes names in HTML', () => {
    const { drafts } = composeNotices(input());
    const manager = drafts.find((d) => d.kind === 'losing_rep_manager')!;
    expect(manager.html).not.toContain('<script>');
    expect(manager.html).toContain('&lt;script&gt;');
  });

  it('tells finance when splits change, and marks a rollback as a correction with its own keys', () => {
    const splits = [
      {
        opportunityName: 'Renewal',
        accountName: 'Account a1',
        before: { House: 4500, Dan: 5500 },
        after: { House: 4500, Ria: 5500 },
      },
    ];
    const handoff = composeNotices(input({ splits }));
    const finance = handoff.drafts.find((d) => d.kind === 'finance_summary')!;
    expect(finance.text).toContain(
      'Renewal (Account a1): House 45.00%, Dan 55.00% -> House 45.00%, Ria 55.00%',
    );
    const correction = composeNotices(input({ splits, purpose: 'correction' }));
    expect(correction.drafts.every((d) => d.subject.startsWith('Correction: '))).toBe(true);
    const keys = new Set(handoff.drafts.map((d) => d.idempotencyKey));
    expect(correction.drafts.some((d) => keys.has(d.idempotencyKey))).toBe(false);
  });

  it('composes nothing for an empty change set', () => {
    expect(composeNotices(input({ accounts: [], splits: [] })).drafts).toEqual([]);
  });
});
