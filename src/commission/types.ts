/** Domain types of commission-split reassignment (seed 003, C1–C6): pure data, no I/O. */
import type { IsoDate } from './dates.ts';

export type { IsoDate } from './dates.ts';

/** House is the company itself; a rep is an employee; a subagent is an outside partner. */
export type ParticipantRole = 'house' | 'rep' | 'subagent';

/** One share of a split, in basis points (10000 = 100%). */
export interface Participant {
  participantId: string;
  role: ParticipantRole;
  bps: number;
}

/** A split: participants whose basis points total exactly 10000. */
export interface SplitStructure {
  participants: Participant[];
}

/**
 * One stored split row. History is immutable: a change ends the open rows (sets `effectiveTo`)
 * and adds new rows; the amounts of existing rows are never edited.
 * `effectiveTo` is inclusive; null means "until further notice".
 */
export interface SplitRow extends Participant {
  rowId: string;
  opportunityId: string;
  effectiveFrom: IsoDate;
  effectiveTo: IsoDate | null;
}

/** `paid`: money went out under the split then in force; `reconciled`: finance closed the period. */
export type PeriodStatus = 'open' | 'paid' | 'reconciled';

/**
 * One revenue-schedule period of an opportunity. `amountCents` is the commission pool of the
 * period that the split divides (a caller holding revenue and a rate multiplies first).
 */
export interface SchedulePeriod {
  periodId: string;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  amountCents: number;
  /** When the period's commission is paid; defaults to `periodEnd`. */
  paymentDate?: IsoDate | null;
  status: PeriodStatus;
}

/** What the planner needs to know about an opportunity. */
export interface OpportunityInput {
  opportunityId: string;
  accountId: string;
  accountType: string | null;
  geography: string | null;
  stage: string;
  /** Closed opportunities are never reassigned (the importer decides what counts as closed). */
  isClosed: boolean;
  /** null: unknown (blank in the CRM export); a deal-size condition never matches it. */
  amountCents: number | null;
  createdOn: IsoDate;
  /** Every split row of this opportunity, past and present. */
  splitRows: SplitRow[];
  schedule: SchedulePeriod[];
}

/** How the departing rep's share changes. Subagents never change under any type. */
export type ReassignmentAction =
  /** House absorbs the departing rep's basis points. */
  | { type: 'A' }
  /** The new rep inherits exactly the departing rep's basis points. */
  | { type: 'B'; newRepId: string }
  /** The new rep receives `newRepBps` in place of the departing rep's share; House takes the difference. */
  | { type: 'C'; newRepId: string; newRepBps: number };

/** Amount range in cents: `min` inclusive, `max` exclusive; either may be omitted. */
export interface AmountRange {
  minCents?: number | null;
  maxCents?: number | null;
}

/** Conditions of a segment; an omitted or empty list matches anything. All given conditions must hold. */
export interface SegmentMatch {
  accountTypes?: string[] | null;
  stages?: string[] | null;
  dealSize?: AmountRange | null;
  geographies?: string[] | null;
}

export interface Segment {
  name: string;
  match: SegmentMatch;
  action: ReassignmentAction;
}

/**
 * How each opportunity's action is chosen.
 * - uniform: one action for all;
 * - per-opportunity: an action per opportunity id (missing ones are skipped with a reason);
 * - segmented: the first matching segment wins, else the default (null: skipped with a reason).
 * Uniform and segmented strategies may carry `overrides`: an action per opportunity id that comes before the rest
 * (another type or share chosen at review for one opportunity whose split could not be written).
 */
export type Strategy =
  | { kind: 'uniform'; action: ReassignmentAction; overrides?: Record<string, ReassignmentAction> }
  | { kind: 'per-opportunity'; actions: Record<string, ReassignmentAction> }
  | {
      kind: 'segmented';
      segments: Segment[];
      defaultAction: ReassignmentAction | null;
      overrides?: Record<string, ReassignmentAction>;
    };

/**
 * - opportunity: exactly one opportunity (level 1);
 * - account: every opportunity of one account (level 2);
 * - book: every opportunity whose open split includes the departing rep (level 3).
 */
export type ReassignmentLevel =
  | { level: 'opportunity'; opportunityId: string }
  | { level: 'account'; accountId: string }
  | { level: 'book' };

/**
 * - ownership: account ownership only, no commission change (every opportunity is reported);
 * - active: opportunities in stages before the protected ones (billing onwards);
 * - complete: all opportunities, protected stages included when the policy permits.
 * Scope applies to cascades (account and book levels); a level-1 change is explicit.
 */
export type ReassignmentScope = 'ownership' | 'active' | 'complete';

export interface CommissionPolicy {
  /** Stages from billing onwards, excluded from cascades in the `active` scope. Compared case-insensitively; the default matches the ruleset's `protections.protectedStages`. */
  protectedStages: string[];
  /** Whether the `complete` scope may touch protected-stage (historical) opportunities. */
  historicalPermitted: boolean;
  /** Participant id used for House when a split has no House participant yet. */
  houseParticipantId: string;
}

export const DEFAULT_POLICY: CommissionPolicy = {
  protectedStages: ['Billing', 'Closed Won', 'Closed Lost'],
  historicalPermitted: true,
  houseParticipantId: 'house',
};

export interface ReassignmentRequest {
  departingRepId: string;
  target: ReassignmentLevel;
  scope: ReassignmentScope;
  strategy: Strategy;
  /** The last day the departing rep earns (belongs to the old split). */
  endDate: IsoDate;
  /** First day of the new split; on or after `endDate`. Days strictly between go to House. */
  reassignmentDate: IsoDate;
  reason: string;
}
