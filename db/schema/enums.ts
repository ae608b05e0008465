/** Postgres enums shared by the schema; each list is the single source of truth for its column. */
import { pgEnum } from 'drizzle-orm/pg-core';

export const memberRole = pgEnum('member_role', ['admin', 'manager', 'analyst', 'rep', 'finance']);
export const repKind = pgEnum('rep_kind', ['person', 'house', 'subagent']);
export const opportunityStatus = pgEnum('opportunity_status', ['open', 'closed_won', 'closed_lost']);
export const splitRole = pgEnum('split_role', ['house', 'rep', 'subagent']);
export const importKind = pgEnum('import_kind', ['accounts', 'reps', 'opportunities', 'revenue_schedules']);
export const importSource = pgEnum('import_source', ['upload', 'google_sheet', 'api']);
export const importStatus = pgEnum('import_status', [
  'pending',
  'parsing',
  'previewed',
  'applying',
  'applied',
  'failed',
  'cancelled',
]);
export const runKind = pgEnum('run_kind', [
  'rep_departure',
  'realignment',
  'new_hire',
  'account',
  'opportunity',
]);
export const runScope = pgEnum('run_scope', ['ownership', 'open_opportunities', 'complete']);
export const runStatus = pgEnum('run_status', [
  'draft',
  'solving',
  'solved',
  'in_review',
  'approved',
  'committing',
  'committed',
  'rolled_back',
  'cancelled',
  'failed',
]);
export const commissionType = pgEnum('commission_type', ['house_absorbs', 'direct_transfer', 'custom']);
export const commissionItemStatus = pgEnum('commission_item_status', [
  'pending',
  'processing',
  'complete',
  'error',
  'rolled_back',
  'cancelled',
]);
export const conflictSeverity = pgEnum('conflict_severity', ['blocking', 'warning']);
export const conflictResolution = pgEnum('conflict_resolution', ['accept', 'override', 'exclude']);
export const changeObject = pgEnum('change_object', ['account', 'opportunity', 'split']);
export const noticeStatus = pgEnum('notice_status', ['pending', 'sending', 'sent', 'failed', 'cancelled']);
export const jobStatus = pgEnum('job_status', ['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export const idempotencyStatus = pgEnum('idempotency_status', ['in_progress', 'completed']);
