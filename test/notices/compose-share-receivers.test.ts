/**
 * Receiving reps per segment or decision hear about the commission shares they receive: a rep who receives a share
 * without the account gets a digest of those splits; a rep who also receives accounts gets them in the same
 * digest; the correction after a rollback says the shares return. shareReceivers derives them from a split item.
 */
import { describe, expect, it } from 'vitest';
import { composeNotices, type NoticeInput } from '../../src/notices/compose.ts';
import { shareReceivers } from '../../src/services/after/notice-input.ts';

const people = [
  { id: 'dan', name: 'Dan Departing', email: 'dan@acme.test' },
  { id: 'ria', name: 'Ria Receiver', email: 'ria@acme.test' },
  { id: 'cleo', name: 'Cleo Closer', email: 'cleo@acme.test' },
];

const split = (name: string, receiverRepIds?: string[]) => ({
  opportunityName: name,
  accountName: 'Acme',
  before: { House: 4500, 'Dan Departing': 5500 },
  after: { House: 6500, 'Cleo Closer': 3500 },
  ...(receiverRepIds ? { receiverRepIds } : {}),
});

const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  runId: 'run-1',
  runLabel: 'Dan leaves',
  reason: 'Rep departure',
  effectiveDate: '2026-12-01',
  appBaseUrl: 'http://localhost:3000',
  people,
  accounts: [],
  splits: [split('Big deal', ['cleo']), split('Other deal', ['cleo']), split('Owner deal')],
  managers: [],
  finance: [],
  purpose: 'handoff',
  ...over,
});

describe('commission shares handed to a receiving rep', () => {
  it('tells a receiver without accounts about their shares only', () => {
    const { drafts } = composeNotices(input());
    expect(drafts.map((d) => `${d.kind}:${d.recipient.id}`)).toEqual(['receiving_rep:cleo']);
    const cleo = drafts[0]!;
    expect(cleo.subject).toBe('Commission share on 2 opportunities now yours');
    expect(cleo.text).toContain('you receive the leaving rep’s commission share on these opportunities');
    expect(cleo.text).toContain('- Big deal (Acme)');
    expect(cleo.text).toContain('- Other deal (Acme)');
    expect(cleo.text).not.toContain('Owner deal');
    expect(cleo.idempotencyKey).toBe('run-1:handoff:receiving_rep:cleo');
  });

  it('adds the shares to the digest of a receiver who also receives accounts, and corrects both after a rollback', () => {
    const account = {
      accountId: 'a1',
      accountName: 'Acme',
      revenueCents: 1_000_000,
      fromRepId: 'dan',
      toRepId: 'cleo',
      openDeals: 0,
      openDealCents: 0,
      nextCloseDate: null,
      contacts: [],
    };
    const handoff = composeNotices(input({ accounts: [account], splits: [split('Big deal', ['cleo'])] }));
    const cleo = handoff.drafts.find((d) => d.recipient.id === 'cleo')!;
    expect(cleo.subject).toBe('1 account now assigned to you');
    expect(cleo.text).toContain('You also receive the leaving rep’s commission share');
    expect(cleo.text).toContain('- Big deal (Acme)');
    const correction = composeNotices(
      input({ purpose: 'correction', splits: [split('Big deal', ['cleo'])] }),
    ).drafts.find((d) => d.recipient.id === 'cleo')!;
    expect(correction.subject).toBe('Correction: Commission share on 1 opportunity no longer yours');
  });

  it('finds the reps whose share grew, other than the account’s new owner', () => {
    const before = [
      { participantId: 'h', role: 'house', bps: 4500 },
      { participantId: 'dan', role: 'rep', bps: 3500 },
      { participantId: 'ria', role: 'rep', bps: 2000 },
    ];
    expect(
      shareReceivers(
        before,
        [
          { participantId: 'h', role: 'house', bps: 4500 },
          { participantId: 'ria', role: 'rep', bps: 2000 },
          { participantId: 'cleo', role: 'rep', bps: 3500 },
        ],
        'ria',
      ),
    ).toEqual(['cleo']);
    // Type B to the new owner: nobody else gains.
    expect(
      shareReceivers(
        before,
        [
          { participantId: 'h', role: 'house', bps: 4500 },
          { participantId: 'ria', role: 'rep', bps: 5500 },
        ],
        'ria',
      ),
    ).toEqual([]);
    // Type A: House gains, no rep does.
    expect(
      shareReceivers(before, [{ participantId: 'h', role: 'house', bps: 8000 }, before[2]!], 'ria'),
    ).toEqual([]);
  });
});
