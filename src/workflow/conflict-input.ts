/** What conflict detection (conflicts.ts) reads: the book around the proposal, the proposal and the run's dates. */

export interface ConflictAccount {
  id: string;
  name: string;
  /** The owner in the book the run was planned on (the import snapshot). */
  plannedOwnerId: string | null;
  /** The owner now; differs from the planned one when the CRM changed it since. */
  currentOwnerId: string | null;
  revenueCents: number;
  isHouse: boolean;
  isCoOwned: boolean;
  isProtected: boolean;
  /** Why it is protected, in words (the ruleset's reasons, the import's flag). */
  protectedWhy?: string;
}

export interface ConflictRep {
  id: string;
  name: string;
  active: boolean;
  mayReceive: boolean;
  departing: boolean;
  endDate: string | null;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
}

export interface ConflictOpportunity {
  id: string;
  name: string;
  accountId: string;
  status: 'open' | 'closed_won' | 'closed_lost';
  closeDate: string | null;
  createdDate: string | null;
  /** Sum of the current split in basis points, or null when the opportunity has no split. */
  splitTotalBps: number | null;
}

export interface ProposalLine {
  accountId: string;
  fromRepId: string | null;
  /** null: no eligible receiver was found. */
  toRepId: string | null;
  /** For an unassigned line: why nobody may receive it. */
  reason?: string | null;
}

export interface HireBoundLine {
  repId: string;
  targetCount: number;
  targetRevenueCents: number;
  toleranceBps: number;
  maxAccounts: number;
  maxRevenueCents: number;
  cause?: string;
}

export interface ConflictInput {
  /** Every account of the reps the run touches (moved or not), so loads and caps are whole. */
  accounts: ConflictAccount[];
  reps: ConflictRep[];
  opportunities: ConflictOpportunity[];
  proposal: ProposalLine[];
  /** Accounts a person excluded from the run (they stay with their planned owner). */
  excluded?: ProposalLine[];
  /**
   * Accounts of a rep who leaves in the run that the run leaves out (not among its selected accounts): they stay
   * with the leaver unless someone gives them an owner.
   */
  leftWithLeaver?: ProposalLine[];
  /**
   * The reps the run balances (the solver's pools: each has a target), receiving or not. Each must end within its
   * caps, or a blocking conflict names it, also when it receives nothing and was over before the run.
   */
  balancedRepIds?: string[];
  /** A new-hire run: each hire's bound (target plus tolerance), and what forced more when it could not hold. */
  hireBounds?: HireBoundLine[];
  scope: 'ownership' | 'open_opportunities' | 'complete';
  asOfDate: string;
  closingWithinDays: number;
  commissionEndDate: string | null;
  reassignmentDate: string | null;
}
