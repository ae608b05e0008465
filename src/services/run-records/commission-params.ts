/** How commission follows the owner in a run's params (C1–C6 choices): types, segments, manual decisions, strategy. */
import { z } from '@hono/zod-openapi';

const label = z.string().trim().min(1).max(200);

export const commissionTypeEnum = z.enum(['house_absorbs', 'direct_transfer', 'custom']);

const receiverRepId = z.uuid('The receiving rep id is a UUID (the rep row id).').optional().openapi({
  description:
    'Types B and C only: the rep who receives the leaving rep’s share (e.g. a named closer or a House rep) instead of the account’s new owner; the new owner by default. An active rep of the org, not one leaving in this run.',
  example: '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90',
});

/** The checks a type, share and receiver must pass together (a segment and a manual decision alike). */
function checkTypeShare(
  s: { commissionType: string; customBps?: number | undefined; receiverRepId?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (s.commissionType === 'custom' && s.customBps === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['customBps'],
      message: 'A custom (type C) choice needs customBps, the new rep’s share in basis points.',
    });
  }
  if (s.commissionType === 'house_absorbs' && s.receiverRepId !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['receiverRepId'],
      message:
        'Type A gives the leaving rep’s share to House, so it has no receiving rep: leave receiverRepId out, or choose type B or C.',
    });
  }
}

/**
 * One segment of a segmented commission strategy (seed 003): the opportunities it matches (all given conditions
 * must hold; text compared trimmed and case-insensitively; amount min inclusive, max exclusive) and the type that
 * applies to them. The first matching segment wins; unmatched opportunities use the run's commissionType.
 */
export const commissionSegment = z
  .object({
    match: z
      .object({
        accountType: label.optional().openapi({ description: 'The account’s type, e.g. Enterprise.' }),
        stage: label.optional().openapi({ description: 'The opportunity’s stage.' }),
        minAmountCents: z
          .number()
          .int()
          .min(0)
          .optional()
          .openapi({ description: 'Deal size from (inclusive), in cents.', example: 5_000_000 }),
        maxAmountCents: z
          .number()
          .int()
          .min(0)
          .optional()
          .openapi({ description: 'Deal size below (exclusive), in cents.' }),
        region: label.optional().openapi({ description: 'The account’s region (geography).' }),
      })
      .strict(),
    commissionType: commissionTypeEnum,
    customBps: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .openapi({ description: 'Type C only: the new rep’s share in basis points.', example: 3500 }),
    receiverRepId,
  })
  .strict()
  .superRefine((s, ctx) => {
    checkTypeShare(s, ctx);
    const { minAmountCents: min, maxAmountCents: max } = s.match;
    if (min !== undefined && max !== undefined && min >= max) {
      ctx.addIssue({
        code: 'custom',
        path: ['match', 'maxAmountCents'],
        message: `The deal size range is empty: maxAmountCents (${max}) must be above minAmountCents (${min}).`,
      });
    }
  })
  .openapi('CommissionSegment');

export type CommissionSegment = z.infer<typeof commissionSegment>;

/** Most manual decisions one run can hold (one per open opportunity in scope). */
export const MAX_COMMISSION_DECISIONS = 50_000;

/**
 * A person's decision for one opportunity under the manual-queue strategy (seed 003 level 3, "Manual Queue"): its
 * type, the type C share, and optionally the receiving rep (the account's new owner by default).
 */
export const commissionDecision = z
  .object({
    commissionType: commissionTypeEnum,
    customBps: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .openapi({ description: 'Type C only: the new rep’s share in basis points.', example: 3500 }),
    receiverRepId,
  })
  .strict()
  .superRefine(checkTypeShare)
  .openapi('CommissionDecision');

export type CommissionDecision = z.infer<typeof commissionDecision>;

export const COMMISSION_STRATEGIES = ['uniform', 'segmented', 'manual'] as const;
export type CommissionStrategyName = (typeof COMMISSION_STRATEGIES)[number];

/** The decisions of a run by opportunity id. */
export const commissionDecisions = z
  .record(z.uuid('An opportunity id is a UUID (the opportunity row id).'), commissionDecision)
  .refine((d) => Object.keys(d).length <= MAX_COMMISSION_DECISIONS, {
    message: `At most ${MAX_COMMISSION_DECISIONS} decisions per run.`,
  });

/**
 * Another type or share for single opportunities, chosen at review to resolve a split the commit cannot write
 * (review/split-resolution.ts): by opportunity id, before the run's type and segments. The manual strategy keeps
 * such choices as its decisions instead.
 */
export const commissionOverrides = z
  .record(z.uuid('An opportunity id is a UUID (the opportunity row id).'), commissionDecision)
  .refine((d) => Object.keys(d).length <= MAX_COMMISSION_DECISIONS, {
    message: `At most ${MAX_COMMISSION_DECISIONS} overrides per run.`,
  });

/** The strategy a run's params name, or the one they imply (segments given: segmented; else uniform). */
export function commissionStrategyOf(params: {
  commissionStrategy?: string | undefined;
  commissionSegments?: readonly unknown[] | undefined;
}): CommissionStrategyName {
  if (params.commissionStrategy === 'manual' || params.commissionStrategy === 'uniform')
    return params.commissionStrategy;
  if (params.commissionStrategy === 'segmented') return 'segmented';
  return (params.commissionSegments?.length ?? 0) > 0 ? 'segmented' : 'uniform';
}
