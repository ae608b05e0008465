/**
 * The ruleset (F2), versioned: who may receive accounts, caps per rep, protections, segments with their
 * own receivers, strategy and commission type, and how targets are weighted. Money in cents, percentages
 * in basis points. Rep ids are CRM user ids of the roster; account ids are CRM account ids.
 */
import { z } from 'zod';

export const RULESET_SCHEMA_VERSION = 1;

const repId = z.string().trim().min(1, 'must be a rep id (the CRM user id)').max(200);
const accountId = z.string().trim().min(1, 'must be an account id').max(200);
const cents = z
  .number()
  .int('must be whole cents')
  .min(0, 'must be zero or more')
  .max(Number.MAX_SAFE_INTEGER);
const bps = z
  .number()
  .int('must be whole basis points (10000 = 100%)')
  .min(0)
  .max(10_000, 'must be at most 10000 (100%)');
const labels = z.array(z.string().trim().min(1).max(200)).max(10_000);

export const STRATEGIES = ['optimal', 'round-robin', 'territory', 'least-loaded', 'weighted'] as const;
export const COMMISSION_TYPES = ['A', 'B', 'C'] as const;
export const TARGET_MODES = ['equal', 'seniority', 'capacity', 'ramp'] as const;
/** What an account whose revenue is unknown (blank in the book) counts as when revenue is balanced. */
export const UNKNOWN_REVENUE = ['zero', 'median'] as const;

export const capSchema = z
  .object({
    maxAccounts: z.number().int().min(0).optional(),
    maxRevenueCents: cents.optional(),
  })
  .strict();

export const eligibilitySchema = z
  .object({
    /** 'roster': every rep whose roster row says may_receive (active, not departing); or an explicit list. */
    receivers: z
      .union([z.literal('roster'), z.array(repId).min(1, 'list at least one rep, or write "roster"')])
      .default('roster'),
    /** Never receive, whatever else says. */
    exclude: z.array(repId).default([]),
    /**
     * An account only goes to a rep of its own region (territory first: on unless a ruleset turns it off) /
     * segment.
     */
    sameRegion: z.boolean().default(true),
    sameSegment: z.boolean().default(false),
    /** Accounts of a tier only go to these reps, or reps of at least this seniority. */
    tiers: z
      .array(
        z
          .object({
            tier: z.string().trim().min(1),
            reps: z.array(repId).optional(),
            minSeniority: z.number().int().min(0).optional(),
          })
          .strict()
          .refine((t) => t.reps !== undefined || t.minSeniority !== undefined, {
            message: 'give reps or minSeniority for the tier',
          }),
      )
      .default([]),
  })
  .strict();

export const protectionsSchema = z
  .object({
    /** Accounts that stay with their current owner. */
    keepWithOwner: z.array(accountId).default([]),
    /** Accounts owned by House stay with House. */
    houseAccounts: z.boolean().default(true),
    /** Co-owned strategic accounts (account teams) stay where they are. */
    coOwnedAccounts: z.boolean().default(true),
    /** Accounts with an open deal closing within this many days stay; 0 turns it off. */
    closingWithinDays: z.number().int().min(0).max(3650).default(30),
    /** Closed opportunities are never reassigned (MISSION C-rules); stated so it is visible, cannot be off. */
    closedOpportunities: z.literal(true).default(true),
    /** Stages in which an opportunity stays with its owner (billing and later). */
    protectedStages: labels.default(['Billing', 'Closed Won', 'Closed Lost']),
  })
  .strict();

export const segmentMatchSchema = z
  .object({
    accountTypes: labels.optional(),
    stages: labels.optional(),
    regions: labels.optional(),
    countries: labels.optional(),
    tiers: labels.optional(),
    industries: labels.optional(),
    minDealSizeCents: cents.optional(),
    maxDealSizeCents: cents.optional(),
  })
  .strict()
  .refine(
    (m) =>
      m.minDealSizeCents === undefined ||
      m.maxDealSizeCents === undefined ||
      m.minDealSizeCents <= m.maxDealSizeCents,
    {
      message: 'minDealSizeCents is above maxDealSizeCents',
      path: ['minDealSizeCents'],
    },
  );

export const segmentSchema = z
  .object({
    id: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-_]*$/i, 'use letters, digits, - and _')
      .max(100),
    name: z.string().trim().min(1).max(200),
    /** Accounts matching every given criterion belong to the segment; the first matching segment wins. */
    match: segmentMatchSchema,
    receivingReps: z.array(repId).min(1, 'a segment needs at least one receiving rep'),
    strategy: z.enum(STRATEGIES).default('optimal'),
    commissionType: z.enum(COMMISSION_TYPES).default('B'),
    /** Type C only: the new rep's share; House adjusts so the split stays 100%. */
    newRepPctBps: bps.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.commissionType === 'C' && s.newRepPctBps === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['newRepPctBps'],
        message: 'commission type C needs newRepPctBps (the new rep’s share)',
      });
    }
    if (s.commissionType !== 'C' && s.newRepPctBps !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['newRepPctBps'],
        message: 'newRepPctBps only applies to commission type C',
      });
    }
  });

export const targetsSchema = z
  .object({
    /** equal shares, or weighted by roster seniority, capacity (caps) or ramp target. */
    mode: z.enum(TARGET_MODES).default('equal'),
    /** Relative importance of balancing account count and revenue in the objective (0–100 each). */
    countWeight: z.number().int().min(0).max(100).default(50),
    revenueWeight: z.number().int().min(0).max(100).default(50),
    /**
     * How far above its target a new hire's starter book may go (count and revenue), in basis points: its target
     * (ramp) plus this is the bound; where caps elsewhere force more, the run says so as a blocking conflict.
     */
    toleranceBps: bps.default(1000),
    /**
     * An account with unknown revenue counts as $0 (zero, the default: only its count is balanced) or as the
     * median revenue of the accounts whose revenue is known (median: it weighs like a typical account).
     */
    unknownRevenue: z.enum(UNKNOWN_REVENUE, 'choose zero or median').default('zero'),
  })
  .strict()
  .refine((t) => t.countWeight + t.revenueWeight > 0, {
    message: 'countWeight and revenueWeight cannot both be 0',
  });

export const rulesetSchema = z
  .object({
    schemaVersion: z.literal(RULESET_SCHEMA_VERSION, {
      error: `schemaVersion must be ${RULESET_SCHEMA_VERSION} (the only ruleset format this version reads)`,
    }),
    name: z.string().trim().min(1, 'give the ruleset a name').max(200),
    description: z.string().max(5000).optional(),
    eligibility: eligibilitySchema.prefault({}),
    caps: z
      .object({
        /** Applies to every receiving rep unless the roster or perRep says otherwise. */
        default: capSchema.default({}),
        perRep: z.array(capSchema.extend({ rep: repId }).strict()).default([]),
      })
      .strict()
      .prefault({}),
    protections: protectionsSchema.prefault({}),
    segments: z.array(segmentSchema).default([]),
    targets: targetsSchema.prefault({}),
  })
  .strict()
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.segments.forEach((s, i) => {
      const first = seen.get(s.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i, 'id'],
          message: `segment id "${s.id}" is already used by segments[${first}]`,
        });
      } else seen.set(s.id, i);
    });
    const capped = new Map<string, number>();
    r.caps.perRep.forEach((c, i) => {
      const first = capped.get(c.rep);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['caps', 'perRep', i, 'rep'],
          message: `rep "${c.rep}" already has caps at caps.perRep[${first}]`,
        });
      } else capped.set(c.rep, i);
    });
  });

export type Ruleset = z.infer<typeof rulesetSchema>;
export type RulesetInput = z.input<typeof rulesetSchema>;
