/**
 * What-if solves for analysts: a stateless solve of a book and rules given in the request, or of an import
 * snapshot and a ruleset read from the org (read-only), and several rule variants of one book side by side.
 * Nothing is written. Solves run in a worker thread under a hard limit; size limits are refused (422) first.
 */
import { eq } from 'drizzle-orm';
import { orgs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError, type FieldIssue } from '../../lib/errors.ts';
import { DEFAULT_SOLVE_TIME_LIMIT_MS, orgSolveTimeLimitMs } from '../../lib/solve-time-limit.ts';
import {
  parseSolveInput,
  SOLVE_LIMITS,
  type SolveInput,
  type SolveResult,
  solveInputSchema,
  solveInWorker,
} from '../../solver/index.ts';
import { hardLimitMs } from '../../solver/worker/solve-in-worker.ts';
import { parseOrgSettings } from '../auth/org-settings.ts';
import { loadBook } from '../book/load-book.ts';
import { buildSolveInput, keptReason } from '../plan/build-solve-input.ts';
import { loadRuleset } from '../plan/planning-context.ts';
import { type RunKind, readParams } from '../run-records/run-params.ts';
import type { RunsContext } from '../run-records/run-records.ts';
import type { SolveSlots } from './solve-slots.ts';

export interface WhatIfSource {
  /** The book and rules inline, in the solver's input format. */
  input?: unknown;
  /** Or: a book from an import snapshot (latest owners when left out) and a ruleset of the org. */
  reference?: {
    importId?: string;
    rulesetId?: string;
    kind: RunKind;
    params: unknown;
    closingWithinDays?: number;
  };
}

const path = (p: readonly PropertyKey[]) => (p.length ? p.map(String).join('.') : '(root)');

/**
 * Where an issue of the solver input is, in the caller's terms. An inline input's paths are the caller's own
 * (`input.accounts.2.id`). A reference's book and a variant's reps were built here, so an index into them means
 * nothing to the caller: the account or rep is named by its id under the part of the request it came from.
 */
function detail(
  at: string,
  issue: { path: readonly PropertyKey[]; message: string },
  raw: unknown,
  built: boolean,
) {
  const [list, index, ...rest] = issue.path;
  if (!built || (list !== 'accounts' && list !== 'reps') || typeof index !== 'number')
    return { path: issue.path.length ? `${at}.${path(issue.path)}` : at, message: issue.message };
  const row = (raw as Record<string, { id?: unknown }[] | undefined> | null)?.[list]?.[index];
  const what = list === 'accounts' ? 'account' : 'rep';
  const name = typeof row?.id === 'string' ? `${what} "${row.id}"` : `a ${what}`;
  return {
    path: at,
    message: `${name}${rest.length ? ` (${rest.map(String).join('.')})` : ''}: ${issue.message}`,
  };
}

/**
 * Validates the solver input: shape problems are 400 with field paths, size limits 422 (before any solving).
 * `built`: the input was built here (a reference, a variant), not sent as it is (see detail).
 */
export function validateWhatIfInput(raw: unknown, at = 'input', built = false): SolveInput {
  const shape = solveInputSchema.safeParse(raw);
  if (!shape.success) {
    const tooBig = shape.error.issues.filter(
      (i) =>
        i.code === 'too_big' && (i.path[0] === 'accounts' || i.path[0] === 'reps') && i.path.length === 1,
    );
    if (tooBig.length > 0) {
      throw new AppError(
        'UNPROCESSABLE',
        `The problem is larger than a what-if solve takes (at most ${SOLVE_LIMITS.maxAccounts.toLocaleString('en-US')} accounts and ${SOLVE_LIMITS.maxReps.toLocaleString('en-US')} reps); split it by region or segment.`,
        { details: tooBig.map((i) => detail(at, i, raw, built)) },
      );
    }
    // The solver's own reading of the same issues: an unknown option at its own path, limits in words.
    const checked = parseSolveInput(raw);
    const issues = checked.ok ? [] : checked.issues;
    throw new AppError('VALIDATION_FAILED', 'The what-if input is not valid: see details for each field.', {
      details: issues.map((i) => detail(at, i, raw, built)),
    });
  }
  const checked = parseSolveInput(raw);
  if (!checked.ok) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The what-if input is not consistent: see details for each field.',
      { details: checked.issues.map((i) => detail(at, i, raw, built)) },
    );
  }
  return checked.input;
}

/** The solver input of a what-if, and for a reference source why each protected account is kept. */
interface Resolved {
  raw: unknown;
  protections?: ReadonlyMap<string, string[]>;
}

async function resolveSource(ctx: RunsContext, source: WhatIfSource, timeLimitMs: number): Promise<Resolved> {
  if (source.input !== undefined) {
    const raw = source.input as Record<string, unknown>;
    return {
      raw:
        typeof raw === 'object' && raw !== null && raw.timeLimitMs === undefined
          ? { ...raw, timeLimitMs }
          : raw,
    };
  }
  const ref = source.reference;
  if (!ref) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Give the book and rules inline (input) or by reference (reference).',
      {
        details: [{ path: 'input', message: 'required unless reference is given' }],
      },
    );
  }
  let params: ReturnType<typeof readParams>;
  try {
    params = readParams(ref.kind, ref.params);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', 'The reference params do not fit the kind.', {
      details: [{ path: 'reference.params', message: (error as Error).message }],
    });
  }
  // Read-only: the transaction only reads the book, the roster and the ruleset.
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const ruleset = await loadRuleset(tx, ref.rulesetId ?? null);
    const book = await loadBook(tx, ref.importId ?? null);
    const asOfDate = ctx.clock().toISOString().slice(0, 10);
    const built = buildSolveInput({
      params,
      book,
      ruleset,
      asOfDate,
      reassignmentDate: null,
      closingWithinDays: ref.closingWithinDays ?? ruleset.protections.closingWithinDays,
      timeLimitMs,
      pins: new Map(),
      excluded: new Set(),
    });
    return { raw: built.input, protections: built.protections };
  });
}

/**
 * The time limit of a what-if: the one asked for (else the deployment's), never above the deployment's limit nor
 * the org's own (`solverTimeLimitSeconds` in its settings), as for a run's solve.
 */
export async function whatIfTimeLimitMs(ctx: RunsContext, requestedMs?: number): Promise<number> {
  const [org] = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx.select({ settings: orgs.settings }).from(orgs).where(eq(orgs.id, ctx.principal.orgId)),
  );
  const deployment = ctx.solverTimeLimitMs ?? DEFAULT_SOLVE_TIME_LIMIT_MS;
  const own = orgSolveTimeLimitMs(org && parseOrgSettings(org.settings, ctx.principal.orgId));
  return Math.min(requestedMs ?? deployment, deployment, own ?? deployment);
}

/** Protected accounts say why they are kept, as in a run's review (e.g. not among the selected accounts). */
function withKeptReasons(result: SolveResult, protections?: ReadonlyMap<string, string[]>): SolveResult {
  if (!protections || !('assignments' in result) || result.assignments === null) return result;
  return {
    ...result,
    assignments: result.assignments.map((a) => {
      const kept = keptReason(a, protections);
      return kept ? { ...a, reason: kept } : a;
    }),
  } as SolveResult;
}

/** The solver slots shared by every instance, or none (tests of the solve alone). */
export interface WhatIfOptions {
  signal?: AbortSignal | undefined;
  slots?: SolveSlots | undefined;
  orgId: string;
  /** The part of the request the input came from, and whether it was built here (detail). */
  at?: string;
  built?: boolean;
}

async function solveChecked(input: SolveInput, options: WhatIfOptions): Promise<SolveResult> {
  const { signal, slots } = options;
  const slot = slots ? await slots.acquire(options.orgId, signal) : null;
  // The solve stops when the client goes away or the slot's lease is lost (its place may be someone else's).
  const stop = slot ? (signal ? AbortSignal.any([signal, slot.signal]) : slot.signal) : signal;
  let result: SolveResult;
  try {
    result = await solveInWorker(input, {
      hardLimitMs: hardLimitMs(input.timeLimitMs),
      ...(stop ? { signal: stop } : {}),
    });
  } finally {
    await slot?.release();
  }
  if (result.status === 'invalid') {
    throw new AppError('UNPROCESSABLE', 'The solver refused the problem before solving: see details.', {
      details: result.issues.map(
        (i): FieldIssue => detail(options.at ?? 'input', i, input, options.built ?? false),
      ),
    });
  }
  return result;
}

export async function whatIfSolve({
  ctx,
  input,
  signal,
  slots,
}: {
  ctx: RunsContext;
  input: WhatIfSource & { timeLimitMs?: number };
  signal?: AbortSignal;
  /** The shared solver slots (the route passes them): waits for one, or 429 when too many wait. */
  slots?: SolveSlots;
}) {
  const limit = await whatIfTimeLimitMs(ctx, input.timeLimitMs);
  const { raw, protections } = await resolveSource(ctx, input, limit);
  const from = input.input !== undefined ? 'input' : 'reference';
  const parsed = validateWhatIfInput(raw, from, from === 'reference');
  return withKeptReasons(
    await solveChecked(
      { ...parsed, timeLimitMs: Math.min(parsed.timeLimitMs, limit) },
      { signal, slots, orgId: ctx.principal.orgId, at: from, built: from === 'reference' },
    ),
    protections,
  );
}

export interface WhatIfVariant {
  name: string;
  strategy?: SolveInput['strategy'];
  objective?: SolveInput['objective'];
  engine?: SolveInput['engine'];
  closingWithinDays?: number;
  /** A cap on accounts for every rep who may receive (the pages' "cap every rep at N"), before repChanges. */
  maxAccountsEach?: number;
  /** Changes to reps of the book, by id (caps, who may receive, departures, weight). */
  repChanges?: {
    id: string;
    maxAccounts?: number | null;
    maxRevenueCents?: number | null;
    mayReceive?: boolean;
    departing?: boolean;
    weight?: number;
  }[];
}

export const MAX_VARIANTS = 6;

function applyVariant(base: SolveInput, v: WhatIfVariant, index: number): SolveInput {
  const changes = new Map((v.repChanges ?? []).map((c) => [c.id, c]));
  for (const [id, _] of changes) {
    if (!base.reps.some((r) => r.id === id)) {
      throw new AppError('VALIDATION_FAILED', `Variant "${v.name}" changes a rep that is not in the book.`, {
        details: [{ path: `variants.${index}.repChanges`, message: `no rep "${id}"` }],
      });
    }
  }
  const capped =
    v.maxAccountsEach === undefined
      ? base.reps
      : base.reps.map((r) => (r.mayReceive && !r.departing ? { ...r, maxAccounts: v.maxAccountsEach } : r));
  const reps = capped.map((r) => {
    const c = changes.get(r.id);
    if (!c) return r;
    const next = { ...r };
    if (c.maxAccounts !== undefined) {
      if (c.maxAccounts === null) delete next.maxAccounts;
      else next.maxAccounts = c.maxAccounts;
    }
    if (c.maxRevenueCents !== undefined) {
      if (c.maxRevenueCents === null) delete next.maxRevenueCents;
      else next.maxRevenueCents = c.maxRevenueCents;
    }
    if (c.mayReceive !== undefined) next.mayReceive = c.mayReceive;
    if (c.departing !== undefined) next.departing = c.departing;
    if (c.weight !== undefined) next.weight = c.weight;
    return next;
  });
  return validateWhatIfInput(
    {
      ...base,
      reps,
      ...(v.strategy ? { strategy: v.strategy } : {}),
      ...(v.objective ? { objective: v.objective } : {}),
      ...(v.engine ? { engine: v.engine } : {}),
      ...(v.closingWithinDays !== undefined ? { closingWithinDays: v.closingWithinDays } : {}),
    },
    `variants.${index}`,
    true,
  );
}

/** Solves each variant of one book in turn and lines the results up per rep. */
export async function whatIfCompare({
  ctx,
  input,
  signal,
  slots,
}: {
  ctx: RunsContext;
  input: WhatIfSource & { timeLimitMs?: number; variants: WhatIfVariant[] };
  signal?: AbortSignal;
  /** The shared solver slots (the route passes them): waits for one, or 429 when too many wait. */
  slots?: SolveSlots;
}) {
  const limit = await whatIfTimeLimitMs(ctx, input.timeLimitMs);
  const { raw, protections } = await resolveSource(ctx, input, limit);
  const from = input.input !== undefined ? 'input' : 'reference';
  const base = validateWhatIfInput(raw, from, from === 'reference');
  const variants = input.variants.map((v, i) => ({
    name: v.name,
    input: applyVariant({ ...base, timeLimitMs: Math.min(base.timeLimitMs, limit) }, v, i),
    at: `variants.${i}`,
  }));
  const results: { name: string; result: SolveResult }[] = [];
  for (const v of variants)
    results.push({
      name: v.name,
      result: withKeptReasons(
        await solveChecked(v.input, { signal, slots, orgId: ctx.principal.orgId, at: v.at, built: true }),
        protections,
      ),
    });
  const repRows = base.reps.map((rep) => ({
    repId: rep.id,
    name: rep.name,
    byVariant: results.map(({ name, result }) => {
      const m = 'reps' in result && result.reps ? result.reps.find((r) => r.repId === rep.id) : undefined;
      return {
        variant: name,
        countAfter: m?.countAfter ?? null,
        revenueAfterCents: m?.revenueAfterCents ?? null,
      };
    }),
  }));
  // Names for the pages: accounts and reps by id (the input's own names; the id when it has none).
  const accountNames = Object.fromEntries(base.accounts.map((a) => [a.id, a.name || a.id]));
  return { variants: results, reps: repRows, accountNames, timeLimitMs: Math.min(base.timeLimitMs, limit) };
}
