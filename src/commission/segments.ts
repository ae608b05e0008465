/** Segmented strategies: which action applies to an opportunity (first matching segment wins, else the default). */
import { type Outcome, ok, refuse } from './refusals.ts';
import type { OpportunityInput, ReassignmentAction, Segment, SegmentMatch, Strategy } from './types.ts';

/** Text conditions compare trimmed and case-insensitively: CRM exports disagree on case. */
function inList(list: string[] | null | undefined, value: string | null): boolean {
  if (!list || list.length === 0) return true;
  if (value === null) return false;
  const v = value.trim().toLowerCase();
  return list.some((item) => item.trim().toLowerCase() === v);
}

/** Whether a segment asks for a deal size (a minimum or a maximum amount). */
export const hasDealSize = (match: SegmentMatch): boolean =>
  match.dealSize?.minCents != null || match.dealSize?.maxCents != null;

/**
 * Whether the opportunity meets every condition of the segment. An unknown amount (null) meets no deal-size
 * condition: it is not $0, so "under $10,000" does not take it; it goes on to the next segment or the default.
 */
export function matchesSegment(match: SegmentMatch, opportunity: OpportunityInput): boolean {
  const size = match.dealSize;
  const amount = opportunity.amountCents;
  if (amount === null && hasDealSize(match)) return false;
  const minOk = size?.minCents == null || (amount !== null && amount >= size.minCents);
  const maxOk = size?.maxCents == null || (amount !== null && amount < size.maxCents);
  return (
    inList(match.accountTypes, opportunity.accountType) &&
    inList(match.stages, opportunity.stage) &&
    inList(match.geographies, opportunity.geography) &&
    minOk &&
    maxOk
  );
}

export interface ChosenAction {
  action: ReassignmentAction;
  /** The segment that matched; "default" for a segmented default, null for other strategies. */
  segment: string | null;
  /** Why deal-size segments passed the opportunity by: its amount is unknown (not $0). */
  note?: string;
}

/** The action for one opportunity under a strategy, or null when the strategy gives none. */
export function chooseAction(strategy: Strategy, opportunity: OpportunityInput): ChosenAction | null {
  const override =
    strategy.kind === 'per-opportunity' ? undefined : strategy.overrides?.[opportunity.opportunityId];
  if (override) return { action: override, segment: null };
  switch (strategy.kind) {
    case 'uniform':
      return { action: strategy.action, segment: null };
    case 'per-opportunity': {
      const action = strategy.actions[opportunity.opportunityId];
      return action ? { action, segment: null } : null;
    }
    case 'segmented': {
      const hit = strategy.segments.find((s) => matchesSegment(s.match, opportunity));
      const chosen = hit
        ? { action: hit.action, segment: hit.name }
        : strategy.defaultAction
          ? { action: strategy.defaultAction, segment: 'default' }
          : null;
      const passed = opportunity.amountCents === null && strategy.segments.some((s) => hasDealSize(s.match));
      return chosen && passed
        ? {
            ...chosen,
            note: `The amount of opportunity "${opportunity.opportunityId}" is unknown (blank in the CRM export), not $0: no deal-size segment applies to it.`,
          }
        : chosen;
    }
  }
}

/** Every action a strategy can produce, with its field path, for up-front checks. */
export function strategyActions(strategy: Strategy): { action: ReassignmentAction; path: string }[] {
  const overrides =
    strategy.kind === 'per-opportunity'
      ? []
      : Object.entries(strategy.overrides ?? {}).map(([id, action]) => ({
          action,
          path: `strategy.overrides.${id}`,
        }));
  return [...overrides, ...ownActions(strategy)];
}

function ownActions(strategy: Strategy): { action: ReassignmentAction; path: string }[] {
  switch (strategy.kind) {
    case 'uniform':
      return [{ action: strategy.action, path: 'strategy.action' }];
    case 'per-opportunity':
      return Object.entries(strategy.actions).map(([id, action]) => ({
        action,
        path: `strategy.actions.${id}`,
      }));
    case 'segmented':
      return [
        ...strategy.segments.map((s, i) => ({ action: s.action, path: `strategy.segments.${i}.action` })),
        ...(strategy.defaultAction
          ? [{ action: strategy.defaultAction, path: 'strategy.defaultAction' }]
          : []),
      ];
  }
}

/** Names present and unique, amount ranges sensible. */
export function validateSegments(segments: readonly Segment[]): Outcome<readonly Segment[]> {
  const names = new Set<string>();
  for (const [i, s] of segments.entries()) {
    const name = s.name.trim();
    if (!name)
      return refuse(
        'INVALID_SEGMENT',
        `strategy.segments.${i}.name`,
        `Segment ${i + 1} has no name; name it.`,
      );
    if (names.has(name.toLowerCase())) {
      return refuse(
        'INVALID_SEGMENT',
        `strategy.segments.${i}.name`,
        `Two segments are named "${name}"; rename one.`,
      );
    }
    names.add(name.toLowerCase());
    const size = s.match.dealSize;
    for (const key of ['minCents', 'maxCents'] as const) {
      const v = size?.[key];
      if (v != null && (!Number.isSafeInteger(v) || v < 0)) {
        return refuse(
          'INVALID_SEGMENT',
          `strategy.segments.${i}.match.dealSize.${key}`,
          `Segment "${name}": deal size ${key} must be a whole, non-negative number of cents.`,
        );
      }
    }
    if (size?.minCents != null && size.maxCents != null && size.minCents >= size.maxCents) {
      return refuse(
        'INVALID_SEGMENT',
        `strategy.segments.${i}.match.dealSize`,
        `Segment "${name}": the deal size range ${size.minCents}..${size.maxCents} cents is empty; the minimum must be below the maximum.`,
      );
    }
  }
  return ok(segments);
}
