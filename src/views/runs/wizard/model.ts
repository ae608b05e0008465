/**
 * The run wizard's model: the values it carries from step to step, its steps and the fields each step owns (so a
 * step validates only its own fields and carries the others as hidden inputs), and the words each kind of run uses.
 */
import type { Principal } from '../../../auth/principal.ts';
import type { RepChoice } from '../../../services/book/rep-list.ts';
import type { RunDiagnosis } from '../../../services/plan/diagnose-run.ts';
import type { Impact } from '../../../services/plan/draft-impact.ts';
import type { CommissionLine, ScopeAccountRow } from '../../../services/plan/wizard-choices.ts';
import {
  emptySegmentRows,
  type SegmentChoices,
  type SegmentRowValues,
} from '../commission-strategy-fields.tsx';

export interface WizardValues {
  kind: string;
  departingRepIds: string[];
  regions: string[];
  segments: string[];
  hireRepIds: string[];
  rampTargetPct: string;
  accountCrmId: string;
  opportunityCrmId: string;
  newOwnerRepId: string;
  scope: string;
  reason: string;
  commissionEndDate: string;
  reassignmentDate: string;
  strategy: string;
  objective: string;
  rulesetId: string;
  commissionType: string;
  customPct: string;
  /** '' for the rules' own target mode, or equal / seniority / capacity / ramp. */
  targetMode: string;
  /** This run's caps on top of each rep's own ('' for none): accounts, and revenue in dollars. */
  maxAccountsPerRep: string;
  maxRevenuePerRep: string;
  /**
   * uniform: one type for every open opportunity; segmented: segment rows first, the type above for the rest;
   * manual: a person decides each opportunity on the run's review page.
   */
  commissionStrategy: string;
  segmentRows: SegmentRowValues[];
  /** all: every account matching the filter below; selected: only the ticked accounts. */
  accountMode: string;
  accountIds: string[];
  acctOwner: string;
  acctRegion: string;
  acctQ: string;
  acctPage: number;
}

export const EMPTY_WIZARD: WizardValues = {
  kind: 'rep_departure',
  departingRepIds: [],
  regions: [],
  segments: [],
  hireRepIds: [],
  rampTargetPct: '',
  accountCrmId: '',
  opportunityCrmId: '',
  newOwnerRepId: '',
  scope: 'open_opportunities',
  reason: '',
  commissionEndDate: '',
  reassignmentDate: '',
  strategy: 'optimal',
  objective: 'l1',
  rulesetId: '',
  commissionType: 'direct_transfer',
  customPct: '',
  targetMode: '',
  maxAccountsPerRep: '',
  maxRevenuePerRep: '',
  commissionStrategy: 'uniform',
  segmentRows: emptySegmentRows(),
  accountMode: 'all',
  accountIds: [],
  acctOwner: '',
  acctRegion: '',
  acctQ: '',
  acctPage: 1,
};

/** The target modes a run may choose; '' keeps the rules' own. */
export const TARGET_MODE_CHOICES: readonly (readonly [string, string])[] = [
  ['', 'As the rules say'],
  ['equal', 'Equal shares of the receiving reps'],
  ['seniority', 'Weighted by seniority'],
  ['capacity', 'Weighted by capacity (each rep’s weight)'],
  ['ramp', 'Weighted by ramp target (new hires take less)'],
];

export type WizardErrors = Partial<Record<keyof WizardValues | 'form' | `seg-${number}`, string>>;

/** One page of the accounts in scope for the multi-select, with the count of all that match the filter. */
export interface AccountPickerData {
  rows: ScopeAccountRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** A create-and-solve the solve limits refused: the run was kept as a draft, and what is solving now. */
export interface SolveRefusal {
  draftId: string;
  message: string;
  solving: { id: string; reason: string }[];
}

export interface WizardProps {
  principal: Principal;
  csrfToken: string;
  step: StepId;
  values: WizardValues;
  errors: WizardErrors;
  reps: RepChoice[];
  regions: string[];
  segments: string[];
  rulesets: { id: string; name: string; version: number }[];
  impact?: Impact | null;
  commission?: CommissionLine[] | null;
  diagnosis?: RunDiagnosis | null;
  segmentChoices: SegmentChoices;
  accountPicker: AccountPickerData | null;
  refusal?: SolveRefusal | null | undefined;
  /**
   * Offer the manual-queue strategy (each opportunity decided on the run's review page): set by a route that turns
   * commissionStrategy=manual into params.commissionStrategy (see commission-decisions.routes.tsx).
   */
  manualQueue?: boolean | undefined;
}

export const STEP_IDS = ['kind', 'scope', 'strategy', 'assignment', 'review'] as const;
export type StepId = (typeof STEP_IDS)[number];

export const STEP_TITLES: Record<StepId, string> = {
  kind: 'Kind of run',
  scope: 'Scope',
  strategy: 'Strategy',
  assignment: 'Assignment',
  review: 'Review and create',
};

type ValueKey = keyof WizardValues;

/** The values each step shows and validates; every other value travels through the step as a hidden input. */
export const STEP_FIELDS: Record<StepId, readonly ValueKey[]> = {
  kind: ['kind'],
  scope: [
    'departingRepIds',
    'regions',
    'segments',
    'hireRepIds',
    'rampTargetPct',
    'accountCrmId',
    'opportunityCrmId',
    'newOwnerRepId',
    'accountMode',
    'accountIds',
    'acctOwner',
    'acctRegion',
    'acctQ',
    'acctPage',
    'scope',
    'reason',
    'commissionEndDate',
    'reassignmentDate',
  ],
  strategy: ['strategy', 'rulesetId', 'commissionStrategy', 'commissionType', 'customPct', 'segmentRows'],
  assignment: ['objective', 'targetMode', 'maxAccountsPerRep', 'maxRevenuePerRep'],
  review: [],
};

/** Kinds that balance many accounts across receiving reps; a single account or opportunity names its new owner. */
export const isBalancing = (kind: string) => ['rep_departure', 'realignment', 'new_hire'].includes(kind);

/** The steps a kind walks through: targets and caps only where accounts are balanced. */
export function stepsOf(kind: string): StepId[] {
  return STEP_IDS.filter((s) => s !== 'assignment' || isBalancing(kind));
}

export function isStep(v: string): v is StepId {
  return (STEP_IDS as readonly string[]).includes(v);
}

/** The step where an error key's field is shown. */
export function stepOfError(key: string): StepId {
  if (key.startsWith('seg-')) return 'strategy';
  if (key === 'form') return 'scope';
  for (const s of STEP_IDS) if ((STEP_FIELDS[s] as readonly string[]).includes(key)) return s;
  return 'scope';
}

/** How each kind of run speaks of what it moves, so no label asks about a departure in a realignment. */
export interface KindWords {
  /** The scope step's title. */
  scopeTitle: string;
  /** The account picker's owner filter when no owner is chosen. */
  anyOwner: string;
  /** The account picker before it can list anything, and its hint. */
  pickerEmpty: string;
  pickerHint: string;
  /** An example reason. */
  reasonExample: string;
  /** What the commission end date is, for this kind. */
  endDateHint: string;
}

export const KIND_WORDS: Record<string, KindWords> = {
  rep_departure: {
    scopeTitle: 'Who is leaving, and which of their accounts move',
    anyOwner: 'Any departing rep',
    pickerEmpty: 'Choose who is leaving, then filter to list their accounts.',
    pickerHint: 'Only the departing reps’ accounts can be chosen.',
    reasonExample: 'Dana Lee leaves on 31 March',
    endDateHint: 'Last day the departing rep’s split is paid, usually their last day.',
  },
  realignment: {
    scopeTitle: 'Which regions and segments are re-balanced',
    anyOwner: 'Any owner in the chosen regions',
    pickerEmpty: 'Filter to list the accounts of the chosen regions and segments, and tick the ones to move.',
    pickerHint:
      'Only accounts in the chosen regions and segments (every region when none is chosen) can be chosen.',
    reasonExample: 'West re-balanced for the new fiscal year',
    endDateHint: 'Last day the current owners’ splits are paid.',
  },
  new_hire: {
    scopeTitle: 'Who gets a starter book',
    anyOwner: 'Any owner',
    pickerEmpty: '',
    pickerHint: '',
    reasonExample: 'Starter book for Sam Park, who joins on 1 April',
    endDateHint: 'Last day the current owners’ splits are paid on the accounts the new hires take.',
  },
  account: {
    scopeTitle: 'Which account moves, and to whom',
    anyOwner: 'Any owner',
    pickerEmpty: '',
    pickerHint: '',
    reasonExample: 'The customer asked for a rep in their time zone',
    endDateHint: 'Last day the account’s current owner is paid on its open deals.',
  },
  opportunity: {
    scopeTitle: 'Which opportunity moves, and to whom',
    anyOwner: 'Any owner',
    pickerEmpty: '',
    pickerHint: '',
    reasonExample: 'The deal goes to the enterprise closer',
    endDateHint: 'Last day the opportunity’s current split is paid.',
  },
};

export const kindWords = (kind: string): KindWords => KIND_WORDS[kind] ?? KIND_WORDS.rep_departure!;
