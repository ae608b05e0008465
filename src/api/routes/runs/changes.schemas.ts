/** The changes a reviewer makes to a run over the API (F5): resolve a conflict, pin, exclude, bulk changes. */
import { z } from '@hono/zod-openapi';
import { BULK_ACTIONS, MAX_BULK_ACCOUNTS } from '../../../services/review/changes.ts';
import { commissionDecision } from '../../../services/run-records/commission-params.ts';
import { ConflictSchema } from './review.schemas.ts';
import { ACCOUNT_ID, REP_ID, RunSchema, uuid } from './runs.schemas.ts';

const note = z
  .string()
  .trim()
  .min(1, 'Say why (it is kept in the audit trail).')
  .max(2000)
  .openapi({ example: 'Ana already covers this customer’s parent company' });

export const ResolveConflictSchema = z
  .object({
    resolution: z.enum(['accept', 'override', 'exclude', 'commission']).openapi({
      description:
        'accept it as proposed; override: give the account to repId; exclude the account (it keeps its owner and split); commission: another type or share for the conflict’s opportunity (a split the commit cannot write: House below 0, shares not 100%). A split the commit cannot write is never accepted, and a change that leaves it unwritable is refused (409) with the reason.',
      example: 'override',
    }),
    note,
    repId: z.uuid().optional().openapi({ description: 'override: the new owner.', example: REP_ID }),
    commission: commissionDecision.optional().openapi({
      description:
        'commission: the type (house_absorbs, direct_transfer or custom), the type C share in basis points, and optionally the receiving rep. Kept in the run’s commissionOverrides (its commissionDecisions under the manual strategy).',
      example: { commissionType: 'custom', customBps: 2000 },
    }),
    accountId: z
      .uuid()
      .optional()
      .openapi({ description: 'For a conflict about a rep (a cap): the account to override or exclude.' }),
  })
  .strict()
  .openapi('ResolveConflict');

export const PinSchema = z
  .object({ repId: z.uuid('The rep id is a UUID.').openapi({ example: REP_ID }), note })
  .strict()
  .openapi('PinAccount');
export const ExcludeSchema = z.object({ note }).strict().openapi('ExcludeAccount');

/** A change to many accounts of a run at once: the ones listed, or every one matching the account list's filter. */
export const BulkChangeSchema = z
  .object({
    action: z.enum(BULK_ACTIONS).openapi({
      description:
        'accept: accept the open conflicts of the accounts; exclude / include: take them out of the run or back in; pin / unpin: give them to repId as a manual override, or remove the override.',
      example: 'exclude',
    }),
    accountIds: z
      .array(z.uuid('An account id is a UUID (the account row id).'))
      .min(1, 'List at least one account, or use matching.')
      .max(MAX_BULK_ACCOUNTS, `At most ${MAX_BULK_ACCOUNTS} accounts per change; split the change.`)
      .optional()
      .openapi({ description: 'The accounts to change (give these or matching).' }),
    matching: z
      .object({
        repId: z.uuid().optional().openapi({ description: 'Accounts leaving or reaching this rep.' }),
        region: z.string().max(200).optional(),
        moved: z.boolean().optional(),
        conflict: z.boolean().optional(),
        pinned: z.boolean().optional(),
        excluded: z.boolean().optional(),
        expected: z.number().int().min(0).optional().openapi({
          description:
            'The number of accounts the caller saw matching; the change is refused (409) when the filter matches another number now.',
        }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Every account of the run matching this filter (as GET …/accounts filters).' }),
    note: note.optional().openapi({ description: 'Why; required for accept, exclude and pin.' }),
    repId: z
      .uuid()
      .optional()
      .openapi({ description: 'pin: the rep who receives the accounts.', example: REP_ID }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.accountIds === undefined) === (b.matching === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['accountIds'],
        message: 'Give either accountIds or matching (exactly one of them).',
      });
  })
  .openapi('BulkAccountChange');

export const BulkChangeResultSchema = z
  .object({
    run: RunSchema,
    selected: z
      .number()
      .int()
      .openapi({ description: 'Accounts selected (listed, or matching the filter).' }),
    applied: z
      .number()
      .int()
      .openapi({ description: 'Accounts changed; for accept, the conflicts accepted.', example: 12 }),
    skipped: z.number().int().openapi({
      description:
        'Selected accounts the action did not apply to (unpin: not pinned; include: not excluded).',
    }),
  })
  .openapi('BulkAccountChangeResult');

export const AssignmentSchema = z
  .object({
    accountId: uuid(ACCOUNT_ID),
    fromRepId: z.uuid().nullable().openapi({ example: REP_ID }),
    toRepId: z.uuid().nullable().openapi({ example: REP_ID }),
    pinned: z.boolean().openapi({ example: true }),
    excluded: z.boolean().openapi({ example: false }),
    reason: z.string().nullable().openapi({ example: 'Manual override to Ana Ruiz: …' }),
  })
  .openapi('RunAssignment');

export const ChangeResultSchema = z
  .object({ run: RunSchema, assignment: AssignmentSchema })
  .openapi('RunChange');
export const ResolveResultSchema = z
  .object({ run: RunSchema, conflict: ConflictSchema })
  .openapi('ConflictResolved');
