/** Public API of the pure commission-reassignment core (C1–C6): plan, pro-rate, preview, reconcile, roll back. */
export { allocateByWeights } from './allocate.ts';
export type { IsoDate } from './dates.ts';
export * as dates from './dates.ts';
export {
  applyEdits,
  defaultRowId,
  type HistoryEdit,
  houseGap,
  invertEdit,
  isInForce,
  type NewRowId,
  openRows,
  type RowRetime,
  structureOn,
  validateHistory,
} from './history.ts';
export {
  type ImpactOptions,
  type ImpactPreview,
  impactCsvRows,
  type MonthImpact,
  type PersonCategory,
  type PersonImpact,
  previewImpact,
} from './impact.ts';
export {
  invertPlan,
  type PlanItem,
  type PlannedChange,
  type PlannedSkip,
  type PlanOptions,
  type PlanRollback,
  planEdits,
  planReassignment,
  type ReassignmentPlan,
} from './plan.ts';
export {
  allocatePeriod,
  type ParticipantCents,
  type PeriodAllocation,
  type PeriodSlice,
} from './prorate.ts';
export {
  type AdjustmentEntry,
  RECONCILIATION_CSV_HEADER,
  type Reconciliation,
  reconciliationCsvRows,
  reconciliationEntries,
} from './reconcile.ts';
export {
  type Outcome,
  REFUSAL_CODES,
  type Refusal,
  type RefusalCode,
  refusalToAppError,
  unwrap,
} from './refusals.ts';
export {
  diffPlan,
  diffSchedule,
  type PeriodDiff,
  type PlanDiffs,
  type ScheduleDiff,
} from './schedule-diff.ts';
export { chooseAction, matchesSegment } from './segments.ts';
export {
  type ActionResult,
  applyAction,
  FULL_BPS,
  formatBps,
  sameStructure,
  validateStructure,
} from './split.ts';
export * from './types.ts';
