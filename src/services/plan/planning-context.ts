/** Everything a run is planned with, read in its transaction: params, book as planned, ruleset, org settings. */
import { desc, eq, sql } from 'drizzle-orm';
import { orgs, rulesets } from '../../../db/schema/index.ts';
import type { Tx } from '../../db/client.ts';
import { AppError } from '../../lib/errors.ts';
import { orgSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import { validateRuleset } from '../../rules/parse-ruleset.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import { parseOrgSettings } from '../auth/org-settings.ts';
import { type Book, loadBook } from '../book/load-book.ts';
import { type RunParams, readParams } from '../run-records/run-params.ts';
import type { RunRow } from '../run-records/run-records.ts';

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

/** The built-in rules, for an org that has no ruleset named "Default": the schema's defaults (same region on). */
export const DEFAULT_RULESET = { schemaVersion: 1, name: 'Default rules' } as const;

/** The name of the ruleset that is the org's default: a run that names no ruleset uses its latest version. */
export const ORG_DEFAULT_RULESET_NAME = 'Default';

export interface RulesetRef {
  id: string;
  name: string;
  version: number;
}

/**
 * The org's default ruleset: the latest version of its ruleset named "Default" (any case), or null when the org
 * has none (the built-in DEFAULT_RULESET applies). The wizard shows it, and a run created without a ruleset
 * records it, so the rules a run uses are the ones the pages named.
 */
export async function orgDefaultRuleset(tx: Tx): Promise<RulesetRef | null> {
  const [row] = await tx
    .select({ id: rulesets.id, name: rulesets.name, version: rulesets.version })
    .from(rulesets)
    .where(sql`lower(${rulesets.name}) = lower(${ORG_DEFAULT_RULESET_NAME})`)
    .orderBy(desc(rulesets.version))
    .limit(1);
  return row ?? null;
}

/** The ruleset of a run: its own, else the org's default ruleset, else the built-in rules. */
export async function loadRuleset(tx: Tx, rulesetId: string | null): Promise<Ruleset> {
  let body: unknown = DEFAULT_RULESET;
  const id = rulesetId ?? (await orgDefaultRuleset(tx))?.id ?? null;
  if (id) {
    const [row] = await tx.select({ body: rulesets.body }).from(rulesets).where(eq(rulesets.id, id));
    if (!row) throw new AppError('UNPROCESSABLE', `The run's ruleset ${id} no longer exists.`);
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
  const stored = run.metrics?.asOfDate;
  return {
    params,
    book,
    ruleset,
    asOfDate: stored ?? today.toISOString().slice(0, 10),
    // A run with its own ruleset uses the ruleset's window; otherwise the org's setting (F2 default 30).
    closingWithinDays: run.rulesetId ? ruleset.protections.closingWithinDays : (org?.closingWithinDays ?? 30),
    orgTimeLimitMs: orgSolveTimeLimitMs(org && parseOrgSettings(org.settings, run.orgId)),
  };
}
