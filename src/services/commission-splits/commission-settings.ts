import { z } from 'zod';
import type { RunParamsColumn } from '../../../db/schema/index.ts';
import type { ReassignmentAction, Strategy } from '../../commission/index.ts';
import { AppError } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import { coreMatch, type DecisionRule, type SegmentRule } from '../commission-splits/split-after.ts';
import {
  commissionDecisions,
  commissionOverrides,
  commissionSegment,
  commissionStrategyOf,
} from '../run-records/commission-params.ts';

const TYPE_ALIASES = {
  house_absorbs: 'A',
  direct_transfer: 'B',
  custom: 'C',
  A: 'A',
  B: 'B',
  C: 'C',
} as const;

const commissionParamsSchema = z.object({
  type: z.enum(Object.keys(TYPE_ALIASES) as [keyof typeof TYPE_ALIASES, ...(keyof typeof TYPE_ALIASES)[]]),
  customBps: z.number().int().min(1).max(10_000).optional(),
});

export interface CommissionSettings {
  type: 'A' | 'B' | 'C';
  customBps?: number | undefined;
  /** A segmented strategy (params.commissionSegments): first match wins, else `type` above. */
  segments?: SegmentRule[] | undefined;
  /**
   * The manual-queue strategy (params.commissionStrategy = manual): each opportunity's decision by id
   * (params.commissionDecisions); an opportunity without one has no action, and the commit refuses.
   */
  manual?: boolean | undefined;
  decisions?: Record<string, DecisionRule> | undefined;
  /** Uniform and segmented: another type or share per opportunity id (params.commissionOverrides), before the rest. */
  overrides?: Record<string, DecisionRule> | undefined;
}

/**
 * The commission type of a run whose scope includes opportunities: `params.commissionType` / `params.customBps`
 * (or `params.commission = { type, customBps? }`); direct transfer (B) when the run names none, as the runs API
 * documents and the review shows. Callers ask only for runs whose scope includes opportunities.
 */
export function commissionSettings(
  params: RunParamsColumn & { commission?: unknown },
): CommissionSettings | null {
  const nested = params.commission;
  const raw =
    nested && typeof nested === 'object'
      ? nested
      : params.commissionType !== undefined
        ? { type: params.commissionType, customBps: params.customBps }
        : null;
  if (commissionStrategyOf(params) === 'manual') {
    return { type: 'B', manual: true, decisions: readDecisions(params.commissionDecisions) };
  }
  const segments = readSegments(params.commissionSegments);
  const overrides = readOverrides(params.commissionOverrides);
  const extra = { ...(segments ? { segments } : {}), ...(overrides ? { overrides } : {}) };
  if (raw === null) return { type: 'B', ...extra };
  const parsed = commissionParamsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('UNPROCESSABLE', 'The run has commission parameters this commit cannot read.', {
      details: fieldIssues(parsed.error, 'params.commission'),
    });
  }
  const type = TYPE_ALIASES[parsed.data.type];
  if (type === 'C' && parsed.data.customBps === undefined) {
    throw new AppError(
      'UNPROCESSABLE',
      'A custom commission (type C) needs the new rep’s share in basis points.',
      {
        details: [{ path: 'params.commission.customBps', message: 'Required for type C.' }],
      },
    );
  }
  return { type, customBps: parsed.data.customBps, ...extra };
}

/** The run's overrides (validated as the runs API validates them), or undefined when it has none. */
function readOverrides(raw: unknown): Record<string, DecisionRule> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = commissionOverrides.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('UNPROCESSABLE', 'The run has commission overrides this commit cannot read.', {
      details: fieldIssues(parsed.error, 'params.commissionOverrides'),
    });
  }
  return Object.keys(parsed.data).length > 0 ? parsed.data : undefined;
}

/** The run's segments (validated as the runs API validates them), or undefined when it has none. */
function readSegments(raw: unknown): SegmentRule[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = z.array(commissionSegment).safeParse(raw);
  if (!parsed.success) {
    throw new AppError('UNPROCESSABLE', 'The run has commission segments this commit cannot read.', {
      details: fieldIssues(parsed.error, 'params.commissionSegments'),
    });
  }
  return parsed.data.length > 0 ? parsed.data : undefined;
}

/** The run's manual decisions (validated as the runs API validates them); none yet is an empty map. */
function readDecisions(raw: unknown): Record<string, DecisionRule> {
  if (raw === undefined || raw === null) return {};
  const parsed = commissionDecisions.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('UNPROCESSABLE', 'The run has commission decisions this commit cannot read.', {
      details: fieldIssues(parsed.error, 'params.commissionDecisions'),
    });
  }
  return parsed.data;
}

export function actionFor(settings: CommissionSettings, toRepId: string): ReassignmentAction {
  if (settings.type === 'A') return { type: 'A' };
  if (settings.type === 'B') return { type: 'B', newRepId: toRepId };
  return { type: 'C', newRepId: toRepId, newRepBps: settings.customBps! };
}

/** The type letter and share of one segment (or one manual decision), in the settings' terms. */
export function segmentSettings(segment: SegmentRule | DecisionRule): CommissionSettings {
  return { type: TYPE_ALIASES[segment.commissionType], customBps: segment.customBps };
}

/**
 * The core strategy for the account's new owner `toRepId`: uniform; segmented with the run's type as the default
 * (a segment's receiving rep, when it names one, takes the share instead of the new owner); or, for the manual
 * queue, one action per decided opportunity (undecided ones get none, and the core skips them with
 * NO_ACTION_CHOSEN). An override (another type or share chosen at review) comes before the type and segments. The core matches segments exactly as the review does (split-after.ts commissionFor).
 */
export function strategyFor(settings: CommissionSettings, toRepId: string): Strategy {
  if (settings.manual) {
    const actions: Record<string, ReassignmentAction> = {};
    for (const [id, d] of Object.entries(settings.decisions ?? {}))
      actions[id] = actionFor(segmentSettings(d), d.receiverRepId ?? toRepId);
    return { kind: 'per-opportunity', actions };
  }
  const fallback = actionFor(settings, toRepId);
  const overrides = settings.overrides
    ? {
        overrides: Object.fromEntries(
          Object.entries(settings.overrides).map(([id, d]) => [
            id,
            actionFor(segmentSettings(d), d.receiverRepId ?? toRepId),
          ]),
        ),
      }
    : {};
  if (!settings.segments || settings.segments.length === 0)
    return { kind: 'uniform', action: fallback, ...overrides };
  return {
    ...overrides,
    kind: 'segmented',
    segments: settings.segments.map((s, i) => ({
      name: `Segment ${i + 1}`,
      match: coreMatch(s.match),
      action: actionFor(segmentSettings(s), s.receiverRepId ?? toRepId),
    })),
    defaultAction: fallback,
  };
}

/** The rep an action hands the share to (null under type A: House absorbs it). */
export const receiverOf = (action: ReassignmentAction): string | null =>
  action.type === 'A' ? null : action.newRepId;

/**
 * The settings a run's commit plans with (null: ownership only, no hand-over), or the problem when its stored
 * commission parameters cannot be read — a refusal the review shows, never a 422 at commit.
 */
export function runSettings(
  run: { scope: string; params: RunParamsColumn },
  hasHandovers: boolean,
): { settings: CommissionSettings | null; problem: string | null } {
  if (run.scope === 'ownership' && !hasHandovers) return { settings: null, problem: null };
  try {
    return { settings: commissionSettings(run.params), problem: null };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'UNPROCESSABLE') throw error;
    const details = Array.isArray(error.details)
      ? (error.details as { path: string; message: string }[])
      : [];
    return {
      settings: null,
      problem: `${error.message} ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}. Cancel this run and start one with a valid commission type and share.`,
    };
  }
}
