/**
 * Issue 17: every rep who gains or loses accounts or commission hears of it — one digest per person — and a rep's
 * digest leads to their own view (/me), which a rep may open, not to the run page, which they may not.
 */
import { describe, expect, it } from 'vitest';
import { composeNotices, type NoticeInput } from '../../src/notices/compose.ts';

const people = [
  { id: 'mgr', name: 'Mona Manager', email: 'mona@acme.test' },
  { id: 'dan', name: 'Dan Departing', email: 'dan@acme.test', managerId: 'mgr' },
  { id: 'ria', name: 'Ria Receiver', email: 'ria@acme.test', managerId: 'mgr' },
  { id: 'sam', name: 'Sam Receiver', email: 'sam@acme.test', managerId: 'mgr' },
];

const account = (id: string, from: string, to: string, revenueCents: number) => ({
  accountId: id,
  accountName: `Account ${id}`,
  revenueCents,
  fromRepId: from,
  toRepId: to,
  openDeals: 0,
  openDealCents: 0,
  nextCloseDate: null,
  contacts: [],
});

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  runId: 'run-1',
  runLabel: 'Dan leaves',
  reason: 'Rep departure',
  effectiveDate: '2026-12-01',
  appBaseUrl: 'https://bookshift.test/',
  people,
  accounts: [account('a1', 'dan', 'ria', 1_000_000), account('a2', 'dan', 'sam', 2_000_000)],
  splits: [],
  managers: [],
  finance: [],
  purpose: 'handoff',
  ...over,
});

const digestsTo = (drafts: ReturnType<typeof composeNotices>['drafts'], id: string) =>
  drafts.filter((d) => d.recipient.id === id && d.kind !== 'losing_rep_manager');

describe('notices to reps who lose accounts or commission', () => {
  it('tells the departing rep which accounts leave them and to whom, with their lost share', () => {
    const { drafts } = composeNotices(
      input({
        splits: [
          {
            opportunityName: 'Renewal a1',
            accountName: 'Account a1',
            before: { House: 4500, 'Dan Departing': 5500 },
            after: { House: 4500, 'Ria Receiver': 5500 },
            loserRepIds: ['dan'],
          },
        ],
      }),
    );
    const dan = digestsTo(drafts, 'dan');
    expect(dan).toHaveLength(1);
    expect(dan[0]!.kind).toBe('losing_rep');
    expect(dan[0]!.subject).toBe('2 accounts handed over to a new owner');
    expect(dan[0]!.text).toContain('Leaving you');
    expect(dan[0]!.text).toContain('Account a1: $10,000.00 a year; from Dan Departing to Ria Receiver');
    expect(dan[0]!.text).toContain('Account a2: $20,000.00 a year; from Dan Departing to Sam Receiver');
    expect(dan[0]!.text).toContain(
      'Renewal a1 (Account a1): House 45.00%, Dan Departing 55.00% -> House 45.00%, Ria Receiver 55.00%',
    );
    // A rep reads their own view, not the run page (closed to reps).
    expect(dan[0]!.text).toContain('https://bookshift.test/me');
    expect(dan[0]!.text).not.toContain('/runs/');
    expect(dan[0]!.html).toContain('href="https://bookshift.test/me"');
  });

  it('sends a rep who both gains and loses one digest with both', () => {
    const { drafts } = composeNotices(
      input({
        runLabel: 'West realignment',
        accounts: [account('a1', 'dan', 'ria', 1_000_000), account('b1', 'ria', 'sam', 3_000_000)],
      }),
    );
    const ria = digestsTo(drafts, 'ria');
    expect(ria).toHaveLength(1);
    expect(ria[0]!.text).toContain('Account a1: $10,000.00 a year; from Dan Departing to Ria Receiver');
    expect(ria[0]!.text).toContain('Account b1: $30,000.00 a year; from Ria Receiver to Sam Receiver');
    expect(ria[0]!.subject).toContain('1 account now assigned to you');
    expect(ria[0]!.subject).toContain('1 account handed over');
    expect(new Set(drafts.map((d) => d.idempotencyKey)).size).toBe(drafts.length);
  });

  it('tells a rep whose commission share ends without any account moving', () => {
    const { drafts } = composeNotices(
      input({
        runLabel: 'Terminate Dan’s commissions',
        accounts: [],
        splits: [
          {
            opportunityName: 'Big deal',
            accountName: 'Account z',
            before: { House: 4500, 'Dan Departing': 5500 },
            after: { House: 10000 },
            loserRepIds: ['dan'],
          },
        ],
      }),
    );
    const dan = digestsTo(drafts, 'dan');
    expect(dan).toHaveLength(1);
    expect(dan[0]!.kind).toBe('losing_rep');
    expect(dan[0]!.subject).toBe('Commission share on 1 opportunity ends');
    expect(dan[0]!.text).toContain(
      'Big deal (Account z): House 45.00%, Dan Departing 55.00% -> House 100.00%',
    );
  });

  it('a rollback corrects every rep who heard, the losing rep included', () => {
    const { drafts } = composeNotices(input({ purpose: 'correction' }));
    const dan = digestsTo(drafts, 'dan');
    expect(dan).toHaveLength(1);
    expect(dan[0]!.subject).toBe('Correction: 2 accounts returned to you');
    expect(dan[0]!.idempotencyKey).toBe('run-1:correction:losing_rep:dan');
  });
});
