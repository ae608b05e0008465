/** The normalised records an import produces, one type per kind: what the book stores. */

export interface AccountRecord {
  row: number;
  crmId: string;
  name: string;
  /** CRM user id of the owner, resolved against the roster. */
  ownerCrmId: string;
  /** null: unknown (the cell was blank). */
  annualRevenueCents: number | null;
  region: string | null;
  state: string | null;
  country: string | null;
  tier: string | null;
  type: string | null;
  industry: string | null;
  protected: boolean;
  coOwned: boolean;
  nextCloseDate: string | null;
  /** Columns no field uses, kept by header (non-blank values only). */
  attributes: Record<string, string>;
}

export const REP_TYPES = ['rep', 'house', 'subagent'] as const;
export type RepType = (typeof REP_TYPES)[number];

export interface RepRecord {
  row: number;
  crmId: string;
  name: string;
  email: string | null;
  repType: RepType;
  region: string | null;
  segment: string | null;
  active: boolean;
  mayReceive: boolean;
  departing: boolean;
  endDate: string | null;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
  seniority: number | null;
  /** Relative weight in ten-thousandths: 10000 = 1. */
  weight: number | null;
  rampTargetBps: number | null;
  managerCrmId: string | null;
}

export const PARTICIPANTS = ['house', 'rep', 'subagent'] as const;
export type Participant = (typeof PARTICIPANTS)[number];

export interface SplitShare {
  participant: Participant;
  /** null for House (the company itself). */
  repCrmId: string | null;
  pctBps: number;
}

export type OpportunityStatus = 'open' | 'closed_won' | 'closed_lost';

export interface OpportunityRecord {
  row: number;
  crmId: string;
  accountCrmId: string;
  name: string | null;
  stage: string;
  /** null: unknown (the cell was blank, as for early-stage deals). */
  amountCents: number | null;
  closeDate: string;
  createdDate: string;
  status: OpportunityStatus;
  /** Billing and later stages: protected from commission cascades. */
  isBillingStage: boolean;
  ownerCrmId: string | null;
  startDate: string | null;
  endDate: string | null;
  /** From the split_* columns; null when the row carries no split (the stored split is kept). */
  split: SplitShare[] | null;
}

export interface SplitRecord {
  row: number;
  opportunityCrmId: string;
  participant: Participant;
  repCrmId: string | null;
  pctBps: number;
  effectiveDate: string | null;
}

export interface ScheduleRecord {
  row: number;
  opportunityCrmId: string;
  periodStart: string;
  periodEnd: string;
  amountCents: number;
}

export interface RecordByKind {
  accounts: AccountRecord;
  reps: RepRecord;
  opportunities: OpportunityRecord;
  splits: SplitRecord;
  schedules: ScheduleRecord;
}

/** What an opportunity's term is, for checking its revenue schedules. */
export interface OpportunityTerm {
  createdDate: string | null;
  closeDate: string | null;
  startDate: string | null;
  endDate: string | null;
}
