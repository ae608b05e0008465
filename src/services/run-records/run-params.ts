/** What a run is asked to do (F3): the kind-specific parameters, the dates and the scope, as zod contracts. */
import { z } from '@hono/zod-openapi';
import { isIsoDate } from '../../commission/dates.ts';
import { TARGET_MODES } from '../../rules/ruleset-schema.ts';
import {
  COMMISSION_STRATEGIES,
  commissionDecisions,
  commissionOverrides,
  commissionSegment,
  commissionStrategyOf,
  commissionTypeEnum,
} from './commission-params.ts';

/** A real calendar date `YYYY-MM-DD` from year 1 (Postgres has no year 0); checked without Date, so never throws. */
const isoDate = z
  .string()
  .refine(
    (s) => isIsoDate(s) && !s.startsWith('0000'),
    'Use a real calendar date written YYYY-MM-DD, such as 2026-03-31.',
  )
  .openapi({ example: '2026-03-31', format: 'date' });

const repId = z.uuid('A rep id is a UUID (the rep row id).').openapi({
  example: '3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90',
});
const label = z.string().trim().min(1).max(200);

/** Options every kind shares: how the solver balances and how commission follows the owner. */
const common = {
  targetMode: z
    .enum(TARGET_MODES, { error: 'Choose how targets are weighted: equal, seniority, capacity or ramp.' })
    .optional()
    .openapi({
      description:
        'How each rep’s target is weighted in this run: equal shares, by seniority, by capacity or by ramp target; the ruleset’s mode when left out.',
    }),
  maxAccountsPerRep: z.number().int().min(1).max(1_000_000).optional().openapi({
    description:
      'A cap for this run on top of each rep’s own: no receiving rep ends above this many accounts.',
    example: 60,
  }),
  maxRevenueCentsPerRep: z.number().int().min(1).optional().openapi({
    description:
      'A cap for this run on top of each rep’s own: no receiving rep ends above this annual revenue, in cents.',
    example: 500_000_000_00,
  }),
  strategy: z
    .enum(['optimal', 'round-robin', 'territory', 'least-loaded', 'weighted'])
    .optional()
    .openapi({ description: 'Balancing strategy; optimal (the integer program) by default.' }),
  objective: z
    .enum(['l1', 'minimax'])
    .optional()
    .openapi({ description: 'Sum of deviations (l1, default) or the largest deviation (minimax).' }),
  commissionType: commissionTypeEnum.optional().openapi({
    description:
      'How open opportunities’ splits follow the new owner (A, B or C); direct_transfer by default.',
  }),
  customBps: z
    .number()
    .int()
    .min(
      1,
      'A type C share is from 1 to 10000 basis points (0.01% to 100%); to give the whole share to House, choose type A.',
    )
    .max(10_000)
    .optional()
    .openapi({
      description: 'Type C only: the new rep’s share in basis points (1 to 10000).',
      example: 3500,
    }),
  commissionSegments: z.array(commissionSegment).max(50).optional().openapi({
    description:
      'Segmented strategy: per segment (account type, stage, deal size, region) its own commission type and receiving rep; the first match wins, unmatched opportunities use commissionType.',
  }),
  commissionStrategy: z.enum(COMMISSION_STRATEGIES).optional().openapi({
    description:
      'uniform: commissionType for every opportunity; segmented: commissionSegments first (implied when segments are given); manual: a person decides each opportunity on the review page (commissionDecisions), and approval is refused while one is undecided.',
    example: 'manual',
  }),
  commissionDecisions: commissionDecisions.optional().openapi({
    description:
      'Manual strategy: the decision per opportunity id (type, type C share, receiving rep). Usually set on the review page or with PUT /v1/runs/{id}/commission-decisions.',
  }),
  commissionOverrides: commissionOverrides.optional().openapi({
    description:
      'Uniform and segmented strategies: another type, share or receiving rep for single opportunities (by id), before the run’s type and segments. Usually set at review when a split cannot be written (POST /v1/runs/{id}/conflicts/{conflictId}/resolve with resolution commission).',
  }),
};

/** Accounts in scope (multi-select): when given, only these accounts may move; the rest of the book still counts. */
export const MAX_SCOPE_ACCOUNTS = 10_000;
const accountIds = z
  .array(z.uuid('An account id is a UUID (the account row id).'))
  .min(1, 'Select at least one account, or leave accountIds out to take every account in scope.')
  .max(MAX_SCOPE_ACCOUNTS, `At most ${MAX_SCOPE_ACCOUNTS} accounts can be selected; narrow the selection.`)
  .optional()
  .openapi({
    description:
      'Only these accounts may move (the rest of the book stays and still counts for balance); every account in scope when left out. Departure: each must belong to a departing rep.',
  });

export const departureParams = z
  .object({
    departingRepIds: z.array(repId).min(1, 'Name at least one departing rep.').max(2000),
    accountIds,
    ...common,
  })
  .strict()
  .openapi('DepartureParams');

export const realignmentParams = z
  .object({
    regions: z
      .array(label)
      .max(1000)
      .optional()
      .openapi({ description: 'Only accounts of these regions move; all regions when left out.' }),
    segments: z
      .array(label)
      .max(1000)
      .optional()
      .openapi({ description: 'Only accounts of these segments move.' }),
    receiverRepIds: z
      .array(repId)
      .min(1, 'Pick at least one receiving rep, or leave receiverRepIds out.')
      .max(2000)
      .optional()
      .openapi({
        description:
          'The reps who receive the realigned accounts. When left out, a realignment of some regions balances their accounts among the reps of those regions (and the ruleset’s eligibility applies either way).',
      }),
    accountIds,
    ...common,
  })
  .strict()
  .openapi('RealignmentParams');

export const newHireParams = z
  .object({
    hireRepIds: z.array(repId).min(1, 'Name at least one new hire.').max(2000),
    rampTargetBps: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .openapi({ description: 'Share of a full book the hires ramp to (10000 = 100%).', example: 5000 }),
    maxTakenPerRep: z.number().int().min(0).optional().openapi({
      description: 'At most this many accounts are taken from any one existing rep.',
      example: 2,
    }),
    toleranceBps: z.number().int().min(0).max(100_000).optional().openapi({
      description:
        'How far above its target (ramp) a hire’s starter book may go, count and revenue, in basis points; the ruleset’s targets.toleranceBps (10% by default) when left out. Raise it to give the hire more.',
      example: 1000,
    }),
    ...common,
  })
  .strict()
  .openapi('NewHireParams');

export const accountParams = z
  .object({
    accountId: z.uuid('The account id is a UUID.'),
    newOwnerRepId: repId,
    ...common,
  })
  .strict()
  .openapi('AccountRunParams');

export const opportunityParams = z
  .object({
    opportunityId: z.uuid('The opportunity id is a UUID.'),
    newOwnerRepId: repId,
    plannedFromRepId: z.uuid('The planned-from rep id is a UUID (the rep row id).').optional().openapi({
      description:
        'The rep whose share is reassigned; defaults to the opportunity’s current owner. When the opportunity already belongs to newOwnerRepId, only this rep’s split share moves to the new owner (no owner change).',
    }),
    ...common,
  })
  .strict()
  .refine((p) => p.plannedFromRepId === undefined || p.plannedFromRepId !== p.newOwnerRepId, {
    path: ['plannedFromRepId'],
    message: 'plannedFromRepId must differ from newOwnerRepId: the share is handed from one rep to another.',
  })
  .openapi('OpportunityRunParams');

export type DepartureParams = z.infer<typeof departureParams>;
export type RealignmentParams = z.infer<typeof realignmentParams>;
export type NewHireParams = z.infer<typeof newHireParams>;
export type AccountParams = z.infer<typeof accountParams>;
export type OpportunityParams = z.infer<typeof opportunityParams>;

export const RUN_KINDS = ['rep_departure', 'realignment', 'new_hire', 'account', 'opportunity'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export const isRunKind = (kind: string): kind is RunKind => (RUN_KINDS as readonly string[]).includes(kind);
export const RUN_SCOPES = ['ownership', 'open_opportunities', 'complete'] as const;
export type RunScopeValue = (typeof RUN_SCOPES)[number];

/**
 * The scopes that apply to each kind of run, the default first. An opportunity run hands one opportunity's split
 * (and owner) over on its own, whatever its stage (level 1): "ownership only" would change nothing and
 * "complete" would say no more than the one scope it has.
 */
export const SCOPES_BY_KIND: Record<RunKind, readonly RunScopeValue[]> = {
  rep_departure: RUN_SCOPES,
  realignment: RUN_SCOPES,
  new_hire: RUN_SCOPES,
  account: RUN_SCOPES,
  opportunity: ['open_opportunities'],
};

/** The scope a run of this kind gets when none is given: account ownership only, where that applies. */
export const defaultScopeOf = (kind: RunKind): RunScopeValue =>
  SCOPES_BY_KIND[kind].includes('ownership') ? 'ownership' : SCOPES_BY_KIND[kind][0]!;

/** A run's scope: the one given, else its kind's default. */
export const scopeOf = (r: { kind: RunKind; scope?: RunScopeValue | undefined }): RunScopeValue =>
  r.scope ?? defaultScopeOf(r.kind);

/** The problem with a scope that does not apply to the run's kind (field `scope`, naming the allowed values), or null. */
export function scopeIssue(kind: RunKind, scope: string): { path: 'scope'; message: string } | null {
  const allowed = SCOPES_BY_KIND[kind];
  if ((allowed as readonly string[]).includes(scope)) return null;
  const list = allowed.map((s) => `"${s}"`).join(', ');
  return {
    path: 'scope',
    message: `The scope "${scope}" does not apply to a run of kind ${kind}; choose ${allowed.length === 1 ? '' : 'one of '}${list}.${kind === 'opportunity' ? ' An opportunity run changes that one opportunity’s commission split and owner.' : ''}`,
  };
}

export type RunParams =
  | ({ kind: 'rep_departure' } & DepartureParams)
  | ({ kind: 'realignment' } & RealignmentParams)
  | ({ kind: 'new_hire' } & NewHireParams)
  | ({ kind: 'account' } & AccountParams)
  | ({ kind: 'opportunity' } & OpportunityParams);

const PARAMS_BY_KIND = {
  rep_departure: departureParams,
  realignment: realignmentParams,
  new_hire: newHireParams,
  account: accountParams,
  opportunity: opportunityParams,
} as const;

/** Reads stored params back (they were validated on the way in; a bad row is a bug worth a clear error). */
export function readParams(kind: RunKind, params: unknown): RunParams {
  const parsed = PARAMS_BY_KIND[kind].safeParse(params ?? {});
  if (!parsed.success) throw new Error(`Run params do not match kind ${kind}: ${parsed.error.message}`);
  return { kind, ...parsed.data } as RunParams;
}

const base = {
  scope: z.enum(RUN_SCOPES).optional().openapi({
    description:
      'ownership: accounts only; open_opportunities: plus open and future opportunities (before billing); complete: all opportunities where permitted. An opportunity run takes open_opportunities only (its default); the other kinds take any, ownership by default. A scope the kind does not take is refused with 422.',
  }),
  reason: z
    .string()
    .trim()
    .min(1, 'Say why this run is needed (e.g. "Dana leaves on 31 March").')
    .max(2000)
    .openapi({ example: 'Dana Lee leaves the company on 31 March' }),
  commissionEndDate: isoDate
    .optional()
    .openapi({ description: 'Last day the old commission split applies.', example: '2026-03-31' }),
  reassignmentDate: isoDate.optional().openapi({
    description: 'First day of the new ownership; on or after the commission end date.',
    example: '2026-04-01',
  }),
  rulesetId: z.uuid('The ruleset id is a UUID.').optional().openapi({
    description:
      'The exact ruleset version to use; when left out, the latest version of the org’s ruleset named "Default" (the built-in default rules if it has none), recorded on the run.',
  }),
  importId: z.uuid('The import id is a UUID.').optional().openapi({
    description: 'The import snapshot the run plans from; the latest applied account import by default.',
  }),
};

const withKind = <K extends RunKind, S extends z.ZodType>(kind: K, params: S) =>
  z.object({ kind: z.literal(kind), params, ...base }).strict();

export const createRunSchema = z
  .discriminatedUnion('kind', [
    withKind('rep_departure', departureParams),
    withKind('realignment', realignmentParams),
    withKind('new_hire', newHireParams),
    withKind('account', accountParams),
    withKind('opportunity', opportunityParams),
  ])
  .superRefine((r, ctx) => {
    // Splits change (an opportunity run, or a scope with opportunities): they end on one date and the new ones
    // start on another, so both are needed now rather than at commit.
    const scope = scopeOf(r);
    if (r.kind === 'opportunity' || scope !== 'ownership') {
      const what =
        r.kind === 'opportunity'
          ? 'the opportunity’s commission split changes'
          : `the scope (${scope}) includes opportunities, whose commission splits change`;
      if (!r.commissionEndDate)
        ctx.addIssue({
          code: 'custom',
          path: ['commissionEndDate'],
          message: `Set the commission end date (the last day the old split applies): ${what}.${r.kind === 'opportunity' ? '' : ' Or choose the scope “ownership” to move accounts only.'}`,
        });
      if (!r.reassignmentDate)
        ctx.addIssue({
          code: 'custom',
          path: ['reassignmentDate'],
          message: `Set the reassignment date (the first day of the new owner and split, on or after the end date): ${what}.`,
        });
    }
    if (r.commissionEndDate && r.reassignmentDate && r.reassignmentDate < r.commissionEndDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['reassignmentDate'],
        message: `The reassignment date must be on or after the commission end date (${r.commissionEndDate}).`,
      });
    }
    const p = r.params;
    if (p.commissionType === 'custom' && p.customBps === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'customBps'],
        message: 'Commission type custom needs customBps (the new rep’s share).',
      });
    }
    const strategy = commissionStrategyOf(p);
    const segments = p.commissionSegments?.length ?? 0;
    if (p.commissionStrategy === 'segmented' && segments === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'commissionSegments'],
        message:
          'A segmented strategy needs at least one segment in commissionSegments; or choose the uniform strategy.',
      });
    }
    if (strategy !== 'segmented' && segments > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'commissionSegments'],
        message: `commissionSegments apply to the segmented strategy only, and this run’s is ${strategy}: leave them out, or set commissionStrategy to segmented.`,
      });
    }
    if (strategy === 'manual' && p.commissionOverrides && Object.keys(p.commissionOverrides).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'commissionOverrides'],
        message:
          'The manual strategy decides each opportunity in commissionDecisions: give the choices there, and leave commissionOverrides out.',
      });
    }
    if (strategy !== 'manual' && p.commissionDecisions && Object.keys(p.commissionDecisions).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['params', 'commissionDecisions'],
        message:
          'commissionDecisions apply to the manual strategy only: set commissionStrategy to manual, or leave them out.',
      });
    }
  })
  .openapi('CreateRun', {
    example: {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana Lee leaves the company on 31 March',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { departingRepIds: ['3f0e7c3a-9d4b-4b1e-8a47-2c5d6e7f8a90'] },
    },
  });

export type CreateRunInput = z.infer<typeof createRunSchema>;
