/** The bodies of a run's commission impact and reconciliation (C1–C6), as the API documents them. */
import { z } from '@hono/zod-openapi';

export const RUN_ID = '3b9d6c1e-8f2a-4e7b-9c1d-5a6f7e8d9c0b';
const DANA = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const RIA = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const HOUSE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const role = z.enum(['house', 'rep', 'subagent']).openapi({ example: 'rep' });
const category = z
  .enum(['departing-rep', 'new-rep', 'departing-and-new-rep', 'house', 'subagent', 'other-rep'])
  .openapi({ example: 'departing-rep' });
const isoDate = z.string().openapi({ example: '2026-06-15' });
const cents = (description: string, example: number) => z.number().int().openapi({ description, example });
const share = z.object({
  participantId: z.string().openapi({ example: DANA }),
  role,
  bps: z.number().int().openapi({ description: 'Basis points (10000 = 100%).', example: 5500 }),
});
const problem = z.object({
  code: z.string().openapi({ example: 'SPLIT_NOT_100' }),
  path: z.string().openapi({ example: 'opportunities.5f0c….splitRows' }),
  message: z.string(),
});
const skipped = z.object({
  opportunityId: z.string().nullable(),
  accountId: z.string(),
  code: z.string().openapi({ example: 'PROTECTED_STAGE' }),
  reason: z.string().openapi({
    example: 'Stage "Billing" is protected (billing onwards) and excluded from the active-and-future scope.',
  }),
});

export const CommissionImpactSchema = z
  .object({
    runId: z.uuid(),
    runStatus: z.string().openapi({ example: 'in_review' }),
    basis: z.enum(['proposal', 'committed']).openapi({
      description:
        'proposal: what the commit will write, planned the same way; committed: what the commit wrote.',
    }),
    commissionType: z.enum(['A', 'B', 'C']).nullable().openapi({
      description: 'A house absorbs, B direct transfer, C custom; null when the run changes no split.',
      example: 'B',
    }),
    endDate: isoDate,
    reassignmentDate: isoDate,
    houseGap: z.object({ from: isoDate, to: isoDate, days: z.number().int() }).nullable().openapi({
      description:
        'Days strictly between the end date and the reassignment date; the departing rep’s share goes to House.',
    }),
    window: z.object({ from: isoDate, to: isoDate, months: z.number().int() }),
    people: z.array(
      z.object({
        participantId: z.string().openapi({ example: DANA }),
        name: z.string().nullable().openapi({ example: 'Dana Lee' }),
        role,
        category,
        monthlyBeforeCents: cents('Annual ÷ months, rounded to the cent (display figure).', 45_833),
        monthlyAfterCents: cents('Annual ÷ months, rounded to the cent (display figure).', 0),
        annualBeforeCents: cents('Sum over the window under the current split.', 550_000),
        annualAfterCents: cents('Sum over the window with the change.', 0),
        annualDeltaCents: cents('After − before.', -550_000),
        months: z.array(
          z.object({
            month: z.string().openapi({ example: '2026-07' }),
            beforeCents: z.number().int(),
            afterCents: z.number().int(),
          }),
        ),
      }),
    ),
    counts: z.object({
      accounts: z.number().int(),
      opportunities: z.number().int(),
      skipped: z.number().int(),
      affectedSchedules: z
        .number()
        .int()
        .openapi({ description: 'Opportunities with a period whose allocation changes.' }),
      affectedPeriods: z.number().int(),
    }),
    nextPaymentDate: isoDate
      .nullable()
      .openapi({ description: 'Earliest payment date (period end) of a changed period not yet paid.' }),
    totals: z.object({ beforeCents: z.number().int(), afterCents: z.number().int() }),
    opportunities: z.array(
      z.object({
        opportunityId: z.string(),
        crmId: z.string(),
        name: z.string(),
        accountId: z.string(),
        accountName: z.string(),
        fromRepId: z.string().nullable(),
        toRepId: z.string().nullable(),
        type: z.enum(['A', 'B', 'C']),
        before: z.array(share),
        after: z.array(share),
        gap: z.array(share).nullable(),
      }),
    ),
    skipped: z.array(skipped),
    statements: z.array(z.string()),
    warnings: z.array(z.string()),
    problems: z.array(problem),
  })
  .openapi('CommissionImpact', {
    example: {
      runId: RUN_ID,
      runStatus: 'in_review',
      basis: 'proposal',
      commissionType: 'B',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
      houseGap: null,
      window: { from: '2026-06-01', to: '2027-05-31', months: 12 },
      people: [
        {
          participantId: DANA,
          name: 'Dana Lee',
          role: 'rep',
          category: 'departing-rep',
          monthlyBeforeCents: 45_833,
          monthlyAfterCents: 2_292,
          annualBeforeCents: 550_000,
          annualAfterCents: 27_500,
          annualDeltaCents: -522_500,
          months: [{ month: '2026-06', beforeCents: 55_000, afterCents: 27_500 }],
        },
      ],
      counts: { accounts: 1, opportunities: 1, skipped: 0, affectedSchedules: 1, affectedPeriods: 10 },
      nextPaymentDate: '2026-06-30',
      totals: { beforeCents: 1_000_000, afterCents: 1_000_000 },
      opportunities: [
        {
          opportunityId: '5f0c9a8b-7d6e-4f5a-9b8c-7d6e5f4a3b2c',
          crmId: '006000000000001',
          name: 'Acme renewal',
          accountId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          accountName: 'Acme',
          fromRepId: DANA,
          toRepId: RIA,
          type: 'B',
          before: [
            { participantId: HOUSE, role: 'house', bps: 4500 },
            { participantId: DANA, role: 'rep', bps: 5500 },
          ],
          after: [
            { participantId: HOUSE, role: 'house', bps: 4500 },
            { participantId: RIA, role: 'rep', bps: 5500 },
          ],
          gap: null,
        },
      ],
      skipped: [],
      statements: ['Dana Lee earns under the current split up to and including 2026-06-15.'],
      warnings: [],
      problems: [],
    },
  });

export const CommissionReconciliationSchema = z
  .object({
    runId: z.uuid(),
    runStatus: z.string(),
    basis: z.enum(['proposal', 'committed']),
    recorded: z.boolean().openapi({
      description:
        'True when the run is committed and commission_adjustments holds exactly these entries (booked by the commit).',
    }),
    endDate: isoDate,
    reassignmentDate: isoDate,
    entries: z.array(
      z.object({
        opportunityId: z.string(),
        opportunityCrmId: z.string(),
        opportunityName: z.string(),
        accountId: z.string(),
        accountName: z.string(),
        periodId: z.string(),
        periodStart: isoDate,
        periodEnd: isoDate,
        periodStatus: z.enum(['paid', 'reconciled']),
        participantId: z.string(),
        participantName: z.string().nullable(),
        role,
        category,
        kind: z.enum(['clawback', 'credit']),
        amountCents: cents('Signed: negative is a clawback, positive a credit.', -27_500),
      }),
    ),
    byParticipant: z.array(
      z.object({
        participantId: z.string(),
        name: z.string().nullable(),
        category,
        clawbackCents: z.number().int(),
        creditCents: z.number().int(),
        netCents: z.number().int(),
      }),
    ),
    counts: z.object({
      entries: z.number().int(),
      periods: z.number().int(),
      opportunities: z.number().int(),
    }),
    netCents: cents('Sum of every entry: always 0.', 0),
    statements: z.array(z.string()),
    warnings: z.array(z.string()),
    problems: z.array(problem),
  })
  .openapi('CommissionReconciliation', {
    example: {
      runId: RUN_ID,
      runStatus: 'committed',
      basis: 'committed',
      recorded: true,
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
      entries: [
        {
          opportunityId: '5f0c9a8b-7d6e-4f5a-9b8c-7d6e5f4a3b2c',
          opportunityCrmId: '006000000000001',
          opportunityName: 'Acme renewal',
          accountId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          accountName: 'Acme',
          periodId: '8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d',
          periodStart: '2026-06-01',
          periodEnd: '2026-06-30',
          periodStatus: 'paid',
          participantId: DANA,
          participantName: 'Dana Lee',
          role: 'rep',
          category: 'departing-rep',
          kind: 'clawback',
          amountCents: -27_500,
        },
        {
          opportunityId: '5f0c9a8b-7d6e-4f5a-9b8c-7d6e5f4a3b2c',
          opportunityCrmId: '006000000000001',
          opportunityName: 'Acme renewal',
          accountId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
          accountName: 'Acme',
          periodId: '8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d',
          periodStart: '2026-06-01',
          periodEnd: '2026-06-30',
          periodStatus: 'paid',
          participantId: RIA,
          participantName: 'Ria Receiver',
          role: 'rep',
          category: 'new-rep',
          kind: 'credit',
          amountCents: 27_500,
        },
      ],
      byParticipant: [
        {
          participantId: DANA,
          name: 'Dana Lee',
          category: 'departing-rep',
          clawbackCents: -27_500,
          creditCents: 0,
          netCents: -27_500,
        },
        {
          participantId: RIA,
          name: 'Ria Receiver',
          category: 'new-rep',
          clawbackCents: 0,
          creditCents: 27_500,
          netCents: 27_500,
        },
      ],
      counts: { entries: 2, periods: 1, opportunities: 1 },
      netCents: 0,
      statements: [],
      warnings: [],
      problems: [],
    },
  });
