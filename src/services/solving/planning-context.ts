/** Everything a run is planned with, read in its transaction: params, book as planned, ruleset, org settings. */
import { eq } from 'drizzle-orm';
import { orgs, rulesets } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { validateRuleset } from '../../rules/parse-ruleset.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import { type RunParams, readParams } from '../runs/run-params.ts';
import type { RunRow } from '../runs/run-records.ts';
import { type Book, loadBook } from './load-book.ts';

export interface PlanningContext {
  params: RunParams;
  book: Book;
  ruleset: Ruleset;
  /** The planning day: fixed at the first solve so re-solves and refreshes see the same protections. */
  asOfDate: string;
  closingWithinDays: number;
  /** Org setting settings.solverTimeLimitSeconds, if any. */
  orgTimeLimitMs: number | null;
}

export const DEFAULT_RULESET = { schemaVersion: 1, name: 'Default rules' } as const;

export async function loadRuleset(tx: Tx, rulesetId: string | null): Promise<Ruleset> {
  let body: unknown = DEFAULT_RULESET;
  if (rulesetId) {
    const [row] = await tx.select({ body: rulesets.body }).from(rulesets).where(eq(rulesets.id, rulesetId));
    if (!row) throw new AppError('UNPROCESSABLE', `The run's ruleset ${rulesetId} no longer exists.`);
    body = row.body;
  }
  return rulesetOf(body);
}

/** A stored ruleset body (or DEFAULT_RULESET) with its defaults filled in; refused when it is not valid. */
export function rulesetOf(body: unknown): Ruleset {
  const parsed = validateRuleset(body);
  if (!parsed.ok) {
    throw new AppError('UNPROCESSABLE', 'The run’s ruleset is not valid; fix it or choose another version.', {
      details: parsed.issues.map((i) => ({ path: i.path || '(root)', message: i.message })),
    });
  }
  return parsed.ruleset;
}

export async function loadPlanningContext(tx: Tx, run: RunRow, today: Date): Promise<PlanningContext> {
  const params = readParams(run.kind, run.params);
  const [org] = await tx
    .select({ closingWithinDays: orgs.closingWithinDays, settings: orgs.settings })
    .from(orgs)
    .where(eq(orgs.id, run.orgId));
  const ruleset = await loadRuleset(tx, run.rulesetId);
  const book = await loadBook(tx, run.importId);
  const stored = (run.metrics as { asOfDate?: string } | null)?.asOfDate;
  const seconds = Number(
    (org?.settings as { solverTimeLimitSeconds?: unknown } | undefined)?.solverTimeLimitSeconds,
  );
  return {
    params,
    book,
    ruleset,
    asOfDate: stored ?? today.toISOString().slice(0, 10),
    // A run with its own ruleset uses the ruleset's window; otherwise the org's setting (F2 default 30).
    closingWithinDays: run.rulesetId ? ruleset.protections.closingWithinDays : (org?.closingWithinDays ?? 30),
    orgTimeLimitMs: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null,
  };
}
