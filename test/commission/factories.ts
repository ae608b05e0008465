/** Test data builders for the commission core: rows, opportunities and requests with sensible defaults. */
import type {
  OpportunityInput,
  Participant,
  ReassignmentRequest,
  SchedulePeriod,
  SplitRow,
} from '../../src/commission/types.ts';

export const house = (bps: number, participantId = 'house'): Participant => ({
  participantId,
  role: 'house',
  bps,
});
export const rep = (participantId: string, bps: number): Participant => ({ participantId, role: 'rep', bps });
export const sub = (participantId: string, bps: number): Participant => ({
  participantId,
  role: 'subagent',
  bps,
});

/** Open rows (effectiveTo null) for one opportunity from `effectiveFrom`. */
export function openSplit(
  opportunityId: string,
  participants: Participant[],
  effectiveFrom = '2025-01-01',
): SplitRow[] {
  return participants.map((p) => ({
    ...p,
    rowId: `${opportunityId}-r-${p.participantId}`,
    opportunityId,
    effectiveFrom,
    effectiveTo: null,
  }));
}

export function period(
  periodId: string,
  periodStart: string,
  periodEnd: string,
  amountCents: number,
  status: SchedulePeriod['status'] = 'open',
): SchedulePeriod {
  return { periodId, periodStart, periodEnd, amountCents, status };
}

export function opportunity(
  overrides: Partial<OpportunityInput> & { opportunityId: string },
): OpportunityInput {
  return {
    accountId: 'acc-1',
    accountType: 'Customer',
    geography: 'EMEA',
    stage: 'Negotiation',
    isClosed: false,
    amountCents: 1_000_000,
    createdOn: '2025-01-01',
    splitRows: openSplit(overrides.opportunityId, [house(4500), rep('rep1', 5500), sub('sub1', 0)]),
    schedule: [],
    ...overrides,
  };
}

export function request(overrides: Partial<ReassignmentRequest> = {}): ReassignmentRequest {
  return {
    departingRepId: 'rep1',
    target: { level: 'book' },
    scope: 'complete',
    strategy: { kind: 'uniform', action: { type: 'A' } },
    endDate: '2026-01-15',
    reassignmentDate: '2026-01-15',
    reason: 'Rep1 leaves the company',
    ...overrides,
  };
}
