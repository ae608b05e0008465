/**
 * Every audit event kind the app writes, in words: the one mapping the audit pages read. A test collects the kinds
 * the code emits (test/views/audit-words.test.ts) and requires a wording here for each.
 */
import { RUN_ACTIONS, type RunAction } from '../../workflow/run-status.ts';

/** The run's status changes (`run.<action>`, written by transitionRun). */
const RUN_ACTION_WORDS: Record<RunAction, string> = {
  solve: 'asked for a solve',
  solve_succeeded: 'solve finished',
  solve_failed: 'solve failed',
  review: 'opened the proposal for review',
  change: 'changed the proposal',
  approve: 'approved the proposal',
  commit: 'started the commit',
  commit_succeeded: 'commit finished',
  commit_failed: 'commit failed',
  rollback: 'rolled the run back',
  cancel: 'cancelled the run',
};

const OTHER_WORDS: Record<string, string> = {
  'run.created': 'created the run',
  'run.approved': 'approved the proposal',
  'run.commit_started': 'started the commit',
  'run.book_changed': 'changed account and opportunity owners in the book',
  'run.committed': 'committed the run',
  'run.cancelled': 'cancelled the run',
  'run.rolled_back': 'rolled the run back',
  'run.sending_cancelled': 'cancelled the sending of notices',
  'run.account_pinned': 'overrode an account’s owner',
  'run.account_unpinned': 'removed an account’s override',
  'run.account_excluded': 'excluded an account',
  'run.account_included': 'included an account again',
  'run.commission_decided': 'decided an opportunity’s commission',
  'conflict.resolved': 'resolved a conflict',
  'rollback.conflict': 'left a record changed since the run alone',
  'account.owner_restored': 'restored an account’s owner',
  'opportunity.owner_restored': 'restored an opportunity’s owner',
  'split.restored': 'restored a commission split',
  'notice.sent': 'sent a notice',
  'notice.failed': 'could not send a notice',
  'notice.retry_requested': 'asked to send a notice again',
  'notice.cancelled': 'cancelled a notice',
  'export.downloaded': 'downloaded an export file',
  'export_layout.updated': 'changed the custom export layout',
  'house_users.updated': 'changed the House users of the exports',
  'import.applied': 'applied an import',
  'import.failed': 'tried an import (nothing written)',
  'ruleset.saved': 'saved a ruleset',
  'api_key.created': 'created an API key',
  'audit.exported': 'downloaded the audit trail',
  'org.created': 'created the organisation',
  'member.added': 'added a member',
  'commission_queue.planned': 'planned a commission change',
  'commission_queue.retried': 'retried a commission change in a new run',
  'commission_queue.run_cancelled': 'cancelled commission changes with their run',
  'commission_queue.retry_cancelled': 'cancelled a retry (the change can be retried again)',
  'commission_queue.reopened': 'rolled a retry back (the change can be retried again)',
  'commission_queue.retry_settled': 'committed a retry',
};

/** Every audit event kind and how the timeline says it. */
export const AUDIT_ACTION_WORDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(RUN_ACTIONS.map((a) => [`run.${a}`, RUN_ACTION_WORDS[a]])),
  ...OTHER_WORDS,
};

const ENTITY_WORDS: Record<string, string> = {
  run: 'run',
  account: 'account',
  opportunity: 'opportunity',
  split: 'commission split',
  conflict: 'conflict',
  notice: 'notice',
  import: 'import',
  ruleset: 'ruleset',
  api_key: 'API key',
  audit_trail: 'audit trail',
  org: 'organisation',
  user: 'member',
  run_opportunity_change: 'opportunity change',
  commission_queue_item: 'commission change',
};

/** An event kind in words; one never mapped reads as its words, never as a dotted code. */
export function auditActionWords(action: string): string {
  return AUDIT_ACTION_WORDS[action] ?? action.replaceAll(/[._]/g, ' ');
}

export function auditEntityWords(entityType: string): string {
  return ENTITY_WORDS[entityType] ?? entityType.replaceAll('_', ' ');
}
