/**
 * A run row's JSON columns parsed once where the row is read: the params by the kind contracts' fields, the metrics
 * by what the solve stage writes. A stored value that does not match is a bug worth a clear error, not a cast.
 */
import { z } from '@hono/zod-openapi';
import type { RunMetricsColumn, RunParamsColumn, runs } from '../../../db/schema/index.ts';
import { parseJsonColumn } from '../../lib/json-column.ts';
import {
  accountParams,
  departureParams,
  newHireParams,
  opportunityParams,
  realignmentParams,
} from './run-params.ts';

/**
 * Every kind's fields, each optional: a row's params hold those of its kind (create-run checked them with the kind's
 * strict contract). Loose, so a field this list does not know survives a read and a rewrite of the params.
 */
const runParamsColumn = z
  .looseObject({
    ...departureParams.shape,
    ...realignmentParams.shape,
    ...newHireParams.shape,
    ...accountParams.shape,
    ...opportunityParams.shape,
  })
  .partial();

const runMetricsColumn = z.looseObject({
  asOfDate: z.string().optional(),
  failure: z.unknown().optional(),
  moved: z.number().optional(),
  balance: z.unknown().optional(),
  pools: z.unknown().optional(),
  targets: z
    .record(z.string(), z.object({ count: z.number().nullable(), revenueCents: z.number().nullable() }))
    .optional(),
  solverConflicts: z
    .array(
      z.object({
        code: z.enum(['over-cap', 'protected-touched', 'deal-closing', 'pin-ineligible']),
        severity: z.enum(['blocking', 'warning']),
        message: z.string(),
        accountId: z.string().optional(),
        repId: z.string().optional(),
      }),
    )
    .optional(),
  unassigned: z.array(z.string()).optional(),
  hireBounds: z
    .array(
      z.object({
        repId: z.string(),
        targetCount: z.number(),
        targetRevenueCents: z.number(),
        toleranceBps: z.number(),
        maxAccounts: z.number(),
        maxRevenueCents: z.number(),
        cause: z.string().optional(),
      }),
    )
    .optional(),
  timeoutReason: z.string().optional(),
  solvedAt: z.string().optional(),
  solveStartedAt: z.string().optional(),
});

export function parseRunParams(value: unknown, runId: string): RunParamsColumn {
  return parseJsonColumn(runParamsColumn, value ?? {}, { table: 'runs', column: 'params', rowId: runId });
}

export function parseRunMetrics(value: unknown, runId: string): RunMetricsColumn | null {
  return value == null
    ? null
    : parseJsonColumn(runMetricsColumn, value, { table: 'runs', column: 'metrics', rowId: runId });
}

/** The row with its params and metrics parsed. */
export const parseRunRow = <R extends Pick<typeof runs.$inferSelect, 'id' | 'params' | 'metrics'>>(
  row: R,
): R => ({
  ...row,
  params: parseRunParams(row.params, row.id),
  metrics: parseRunMetrics(row.metrics, row.id),
});

/** The typed columns, for the pages that render a run (they import services, never the schema). */
export type { RunMetricsColumn, RunParamsColumn };
