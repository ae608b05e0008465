/** The solver's input contract: a zod schema (reused by the workflow API) plus the checks zod cannot express. */
import { z } from 'zod';
import { TEXT_LIMITS } from '../lib/text.ts';

/** Hard limits checked before any model is built, so a hostile request cannot exhaust memory or time. */
export const SOLVE_LIMITS = {
  maxAccounts: 200_000,
  maxReps: 2_000,
  /** (movable account, eligible rep) pairs: the binaries of the full model. */
  maxVariables: 12_000_000,
  maxTimeLimitMs: 600_000,
  /** Revenue per account: below 2^53 / 200k accounts so every sum of cents stays an exact integer. */
  maxRevenueCents: 40_000_000_000_000,
} as const;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use an ISO date YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: 'not a real calendar date',
    },
  );

/** A length limit in words, the same for the API (JSON) and the CLI (CSV cells). */
const atMost = (n: number) => `at most ${n} characters; shorten it`;
const id = z.string().trim().min(1, 'must not be empty').max(TEXT_LIMITS.id, atMost(TEXT_LIMITS.id));
const label = z.string().trim().min(1, 'must not be empty').max(TEXT_LIMITS.label, atMost(TEXT_LIMITS.label));
const dollars = (cents: number) => `$${(cents / 100).toLocaleString('en-US')}`;

export const solveAccountSchema = z.object({
  id,
  name: z.string().max(TEXT_LIMITS.name, atMost(TEXT_LIMITS.name)).optional(),
  /** Current owner; null for an account nobody owns yet (it is always movable). */
  ownerId: id.nullable(),
  revenueCents: z
    .number()
    .int('revenue must be whole cents')
    .min(0, 'revenue must not be negative')
    .max(
      SOLVE_LIMITS.maxRevenueCents,
      `at most ${dollars(SOLVE_LIMITS.maxRevenueCents)} per account (${SOLVE_LIMITS.maxRevenueCents.toLocaleString('en-US')} cents): check the amount's unit`,
    ),
  region: label,
  segment: label.optional(),
  tier: label.optional(),
  type: label.optional(),
  industry: label.optional(),
  /** Kept with its current owner unless that owner departs. */
  protected: z.boolean().default(false),
  /** Manual override: the account goes to this rep whatever else the rules say. */
  pinnedOwnerId: id.optional(),
  hasOpenDeal: z.boolean().default(false),
  nextCloseDate: isoDate.optional(),
});

export const solveRepSchema = z.object({
  id,
  name: z.string().max(TEXT_LIMITS.name, atMost(TEXT_LIMITS.name)).default(''),
  email: z.string().max(TEXT_LIMITS.email, atMost(TEXT_LIMITS.email)).optional(),
  /** The region(s) whose accounts this rep may receive. */
  region: label.optional(),
  regions: z.array(label).max(100, 'at most 100 regions per rep').optional(),
  /** When set, the rep receives only accounts of this segment. */
  segment: label.optional(),
  /** When set, the rep receives only accounts of these tiers. */
  tiers: z.array(label).max(100, 'at most 100 tiers per rep').optional(),
  mayReceive: z.boolean().default(true),
  departing: z.boolean().default(false),
  maxAccounts: z.number().int('a whole number of accounts').min(0, 'must not be negative').optional(),
  maxRevenueCents: z
    .number()
    .int('revenue must be whole cents')
    .min(0, 'must not be negative')
    .max(Number.MAX_SAFE_INTEGER, 'too large an amount: check its unit')
    .optional(),
  /** Relative share of the pool's load (seniority, capacity); 1 = an ordinary full book. */
  weight: z
    .number()
    .positive('must be above 0 (1 = an ordinary full book)')
    .max(1000, 'at most 1000 (1 = an ordinary full book)')
    .default(1),
  /** New hires: the share of a full book they should ramp to, in basis points (10000 = 100%). */
  rampTargetBps: z
    .number()
    .int('whole basis points')
    .min(1, 'a share above 0%')
    .max(10_000, 'at most 100% (10000 basis points)')
    .optional(),
});

export const territoryRuleSchema = z.object({
  field: z.enum(['region', 'segment', 'tier', 'type', 'industry']),
  equals: label,
  repIds: z.array(id).min(1).max(2000),
});

export const solveInputSchema = z
  .object({
    kind: z.enum(['departure', 'realignment', 'new-hire']).default('realignment'),
    objective: z.enum(['l1', 'minimax']).default('l1'),
    strategy: z.enum(['optimal', 'round-robin', 'territory', 'least-loaded', 'weighted']).default('optimal'),
    accounts: z
      .array(solveAccountSchema)
      .max(
        SOLVE_LIMITS.maxAccounts,
        `more than ${SOLVE_LIMITS.maxAccounts.toLocaleString('en-US')} accounts, the most one solve takes: split the run by region (one solve per region or group of regions)`,
      ),
    reps: z
      .array(solveRepSchema)
      .min(1, 'at least one rep is needed')
      .max(
        SOLVE_LIMITS.maxReps,
        `more than ${SOLVE_LIMITS.maxReps.toLocaleString('en-US')} reps, the most one solve takes: split the run by region`,
      ),
    /** Realignment of part of the book: accounts outside these regions/segments stay where they are. */
    scope: z.object({ regions: z.array(label).optional(), segments: z.array(label).optional() }).optional(),
    /** Day the run is planned on; with it, moved accounts with a deal closing soon are flagged. */
    asOfDate: isoDate.optional(),
    closingWithinDays: z.number().int().min(0).max(3650).default(30),
    newHire: z
      .object({
        hireRepIds: z.array(id).min(1).max(2000),
        /** At most this many accounts are taken from any one existing rep. */
        maxTakenPerRep: z.number().int().min(0).optional(),
      })
      .optional(),
    territoryRules: z.array(territoryRuleSchema).max(10_000).optional(),
    timeLimitMs: z
      .number()
      .int()
      .min(100, 'at least 0.1 s (100 ms)')
      .max(
        SOLVE_LIMITS.maxTimeLimitMs,
        `at most ${SOLVE_LIMITS.maxTimeLimitMs / 1000} s: a longer solve gains little; split the run by region instead`,
      )
      .default(60_000),
    /** Force one engine (benchmarks, comparisons); 'auto' picks by size as measured. */
    engine: z.enum(['auto', 'heuristic', 'highs', 'jslp', 'aggregate']).default('auto'),
    /** Seed of the deterministic iterated local search. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
  })
  .strict();

export type SolveInputRaw = z.input<typeof solveInputSchema>;
export type SolveInput = z.output<typeof solveInputSchema>;
export type SolveAccount = SolveInput['accounts'][number];
export type SolveRep = SolveInput['reps'][number];

export interface InputIssue {
  path: (string | number)[];
  message: string;
}

/** The regions a rep may receive from (its `regions`, else its `region`). */
export function repRegions(rep: SolveRep): string[] {
  if (rep.regions && rep.regions.length > 0) return rep.regions;
  return rep.region ? [rep.region] : [];
}

/** Parse and cross-check an input; every problem is returned with its path, none is thrown. */
export function parseSolveInput(
  raw: unknown,
): { ok: true; input: SolveInput } | { ok: false; issues: InputIssue[] } {
  const parsed = solveInputSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.flatMap(issueOf) };
  }
  const input = parsed.data;
  const issues = crossCheck(input);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, input };
}

/**
 * A zod issue at the path the caller sent. An unknown option is named at its own path, with the options
 * there are (zod reports it at the enclosing object, which for the top level is no path at all).
 */
function issueOf(issue: z.core.$ZodIssue): InputIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const known = path.length === 0 ? Object.keys(solveInputSchema.shape).join(', ') : null;
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: `unknown option "${key}"${known ? `; the options are ${known}` : ''}`,
    }));
  }
  return [{ path, message: issue.message }];
}

function crossCheck(input: SolveInput): InputIssue[] {
  const issues: InputIssue[] = [];
  const reps = new Map<string, SolveRep>();
  input.reps.forEach((rep, i) => {
    if (reps.has(rep.id)) issues.push({ path: ['reps', i, 'id'], message: `duplicate rep id "${rep.id}"` });
    reps.set(rep.id, rep);
    if (repRegions(rep).length === 0) {
      issues.push({
        path: ['reps', i, 'region'],
        message: `rep "${rep.id}" needs a region (or regions) to receive accounts`,
      });
    }
  });
  const seen = new Set<string>();
  input.accounts.forEach((a, i) => {
    if (seen.has(a.id))
      issues.push({ path: ['accounts', i, 'id'], message: `duplicate account id "${a.id}"` });
    seen.add(a.id);
    if (a.ownerId !== null && !reps.has(a.ownerId)) {
      issues.push({
        path: ['accounts', i, 'ownerId'],
        message: `owner "${a.ownerId}" is not in the reps list; add the rep or clear the owner`,
      });
    }
    if (a.pinnedOwnerId !== undefined) {
      const pin = reps.get(a.pinnedOwnerId);
      if (!pin)
        issues.push({
          path: ['accounts', i, 'pinnedOwnerId'],
          message: `pinned owner "${a.pinnedOwnerId}" is not in the reps list`,
        });
      else if (pin.departing) {
        issues.push({
          path: ['accounts', i, 'pinnedOwnerId'],
          message: `pinned owner "${a.pinnedOwnerId}" is departing; pin the account to a staying rep`,
        });
      }
    }
  });
  if (input.kind === 'new-hire') {
    if (!input.newHire)
      issues.push({ path: ['newHire'], message: 'a new-hire run needs newHire.hireRepIds' });
    else {
      input.newHire.hireRepIds.forEach((h, i) => {
        const rep = reps.get(h);
        if (!rep)
          issues.push({ path: ['newHire', 'hireRepIds', i], message: `hire "${h}" is not in the reps list` });
        else if (rep.departing || !rep.mayReceive) {
          issues.push({
            path: ['newHire', 'hireRepIds', i],
            message: `hire "${h}" must be a staying rep who may receive accounts`,
          });
        }
      });
    }
  }
  if (input.kind === 'departure' && !input.reps.some((r) => r.departing)) {
    issues.push({ path: ['reps'], message: 'a departure run needs at least one rep marked departing' });
  }
  input.territoryRules?.forEach((rule, i) => {
    rule.repIds.forEach((r, j) => {
      if (!reps.has(r))
        issues.push({
          path: ['territoryRules', i, 'repIds', j],
          message: `rep "${r}" is not in the reps list`,
        });
    });
  });
  return issues;
}
