/** Runs: one reassignment each, from draft to commit (F3–F8, F12), with the solver's result and the approval pin. */
import { sql } from 'drizzle-orm';
import {
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { apiKeys } from './api-keys.ts';
import { runKind, runScope, runStatus } from './enums.ts';
import { imports } from './imports.ts';
import { orgs } from './orgs.ts';
import { rulesets } from './rulesets.ts';
import { orgId, tenantPolicy } from './tenant.ts';
import { users } from './users.ts';

/** Type A, B or C: how an opportunity's split follows the new owner. */
type CommissionTypeName = 'house_absorbs' | 'direct_transfer' | 'custom';

/** A commission type with its type C share and receiving rep (a segment's or a manual decision's). */
type CommissionChoice = {
  commissionType: CommissionTypeName;
  customBps?: number | undefined;
  receiverRepId?: string | undefined;
};

/**
 * What `runs.params` holds: the parameters of the run's kind (each kind uses some of these fields). The zod
 * contracts in src/services/run-records/run-params.ts check them on the way in and parse them where a run is read.
 */
export type RunParamsColumn = {
  departingRepIds?: string[] | undefined;
  hireRepIds?: string[] | undefined;
  accountIds?: string[] | undefined;
  regions?: string[] | undefined;
  segments?: string[] | undefined;
  receiverRepIds?: string[] | undefined;
  rampTargetBps?: number | undefined;
  maxTakenPerRep?: number | undefined;
  toleranceBps?: number | undefined;
  accountId?: string | undefined;
  opportunityId?: string | undefined;
  newOwnerRepId?: string | undefined;
  plannedFromRepId?: string | undefined;
  targetMode?: 'equal' | 'seniority' | 'capacity' | 'ramp' | undefined;
  maxAccountsPerRep?: number | undefined;
  maxRevenueCentsPerRep?: number | undefined;
  strategy?: 'optimal' | 'round-robin' | 'territory' | 'least-loaded' | 'weighted' | undefined;
  objective?: 'l1' | 'minimax' | undefined;
  commissionType?: CommissionTypeName | undefined;
  customBps?: number | undefined;
  commissionSegments?:
    | (CommissionChoice & {
        match: {
          accountType?: string | undefined;
          stage?: string | undefined;
          minAmountCents?: number | undefined;
          maxAmountCents?: number | undefined;
          region?: string | undefined;
        };
      })[]
    | undefined;
  commissionStrategy?: 'uniform' | 'segmented' | 'manual' | undefined;
  /** Manual strategy: the decision per opportunity id. */
  commissionDecisions?: Record<string, CommissionChoice> | undefined;
  /** Uniform and segmented strategies: another type or share per opportunity id, chosen at review. */
  commissionOverrides?: Record<string, CommissionChoice> | undefined;
};

/**
 * What `runs.metrics` holds once a solve ended: the date it planned for, and then either why it failed or the
 * proposal's balance, pools, per-rep targets, the solver's conflicts, the accounts left unassigned and the new
 * hires' bounds. The solve stage writes it; src/services/run-records parses it where a run is read.
 */
export type RunMetricsColumn = {
  asOfDate?: string | undefined;
  failure?: unknown;
  moved?: number | undefined;
  balance?: unknown;
  pools?: unknown;
  /** Each balanced rep's target by rep id. */
  targets?: Record<string, { count: number | null; revenueCents: number | null }> | undefined;
  /** What the solver flagged (caps, protections, closing deals, pins); refreshing the proposal keeps them. */
  solverConflicts?:
    | {
        code: 'over-cap' | 'protected-touched' | 'deal-closing' | 'pin-ineligible';
        severity: 'blocking' | 'warning';
        message: string;
        accountId?: string | undefined;
        repId?: string | undefined;
      }[]
    | undefined;
  unassigned?: string[] | undefined;
  /** Each new hire's target and the bounds its starter book was held to. */
  hireBounds?:
    | {
        repId: string;
        targetCount: number;
        targetRevenueCents: number;
        toleranceBps: number;
        maxAccounts: number;
        maxRevenueCents: number;
        cause?: string | undefined;
      }[]
    | undefined;
  timeoutReason?: string | undefined;
  solvedAt?: string | undefined;
  solveStartedAt?: string | undefined;
};

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: orgId().references(() => orgs.id, { onDelete: 'cascade' }),
    kind: runKind('kind').notNull(),
    scope: runScope('scope').notNull().default('ownership'),
    status: runStatus('status').notNull().default('draft'),
    reason: text('reason').notNull(),
    /** Last day the old commission structure applies. */
    commissionEndDate: date('commission_end_date', { mode: 'string' }),
    /** First day of the new ownership; on or after the commission end date. */
    reassignmentDate: date('reassignment_date', { mode: 'string' }),
    rulesetId: uuid('ruleset_id'),
    importId: uuid('import_id'),
    /** Kind-specific inputs: departing reps, region/segment, new hire, account or opportunity, strategy, commission type. */
    params: jsonb('params').$type<RunParamsColumn>().notNull().default({}),
    /** Bumped on every change of the proposal; approval records the version and hash it saw. */
    version: integer('version').notNull().default(1),
    draftedBy: uuid('drafted_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Hash of the current proposal (change set to be); approval pins it. */
    proposalHash: text('proposal_hash'),
    approvedBy: uuid('approved_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set instead of approved_by when an API key approved: a key is named as a person is. */
    approvedByApiKeyId: uuid('approved_by_api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    approvedHash: text('approved_hash'),
    committedBy: uuid('committed_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set instead of committed_by when an API key committed. */
    committedByApiKeyId: uuid('committed_by_api_key_id').references(() => apiKeys.id, {
      onDelete: 'set null',
    }),
    committedAt: timestamp('committed_at', { withTimezone: true }),
    rolledBackBy: uuid('rolled_back_by').references(() => users.id, { onDelete: 'set null' }),
    rolledBackAt: timestamp('rolled_back_at', { withTimezone: true }),
    cancelledBy: uuid('cancelled_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set instead of cancelled_by when an API key cancelled. */
    cancelledByApiKeyId: uuid('cancelled_by_api_key_id').references(() => apiKeys.id, {
      onDelete: 'set null',
    }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    failureReason: text('failure_reason'),
    solverEngine: text('solver_engine'),
    /** optimal | feasible | infeasible | timeout (the solver's result union). */
    solverStatus: text('solver_status'),
    solverObjective: doublePrecision('solver_objective'),
    solverBound: doublePrecision('solver_bound'),
    solverGap: doublePrecision('solver_gap'),
    solveMs: integer('solve_ms'),
    /** Balance metrics of the proposal (counts, revenue, spread, CV, against the bound). */
    metrics: jsonb('metrics').$type<RunMetricsColumn>(),
  },
  (t) => [
    unique('runs_org_id_id_unique').on(t.orgId, t.id),
    index('runs_org_id_idx').on(t.orgId),
    index('runs_org_status_idx').on(t.orgId, t.status),
    foreignKey({
      name: 'runs_ruleset_fk',
      columns: [t.orgId, t.rulesetId],
      foreignColumns: [rulesets.orgId, rulesets.id],
    }),
    foreignKey({
      name: 'runs_import_fk',
      columns: [t.orgId, t.importId],
      foreignColumns: [imports.orgId, imports.id],
    }),
    check('runs_reason_present', sql`length(trim(reason)) > 0`),
    check(
      'runs_reassignment_after_end',
      sql`reassignment_date is null or commission_end_date is null or reassignment_date >= commission_end_date`,
    ),
    check('runs_approver_one_kind', sql`approved_by is null or approved_by_api_key_id is null`),
    check('runs_committer_one_kind', sql`committed_by is null or committed_by_api_key_id is null`),
    check('runs_canceller_one_kind', sql`cancelled_by is null or cancelled_by_api_key_id is null`),
    check('runs_solver_gap_nonnegative', sql`solver_gap is null or solver_gap >= 0`),
    tenantPolicy('runs'),
  ],
);
