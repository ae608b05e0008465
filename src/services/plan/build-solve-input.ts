/**
 * Turns a run (its kind and parameters), the book as planned, the ruleset and the run's overrides into the
 * solver's input. Pure: no database. Rep and account ids in the solver are the row UUIDs; the ruleset names
 * reps and accounts by their CRM ids, so they are translated here.
 */

import { addDays } from '../../commission/dates.ts';
import type { Ruleset } from '../../rules/ruleset-schema.ts';
import type { SolveInputRaw } from '../../solver/index.ts';
import type { Book, BookAccount, BookRep } from '../book/load-book.ts';
import type { RunParams } from '../run-records/run-params.ts';
import { balanceRevenue } from './unknown-revenue.ts';

/** Labels for missing attributes, so eligibility by region/segment/tier still has something to compare. */
export const NO_REGION = '(no region)';
export const NO_TIER = '(no tier)';

export interface BuildOptions {
  params: RunParams;
  book: Book;
  ruleset: Ruleset;
  /** The day the run is planned on (deals closing within N days of it are protected). */
  asOfDate: string;
  reassignmentDate: string | null;
  closingWithinDays: number;
  timeLimitMs: number;
  /** Manual overrides: account id → rep id; they always win. */
  pins: ReadonlyMap<string, string>;
  /** Excluded accounts stay with their planned owner and are not part of the change. */
  excluded: ReadonlySet<string>;
  /** Accounts to leave out entirely (e.g. no eligible receiver, reported as unassigned). */
  omit?: ReadonlySet<string>;
}

export interface BuiltInput {
  input: SolveInputRaw;
  /**
   * Why each protected account of the input is protected (for the explanation): the ruleset's reasons, and
   * NOT_SELECTED for an account a narrowed run (params.accountIds) keeps out of its scope.
   */
  protections: Map<string, string[]>;
  /** The departing reps of this run. */
  departing: Set<string>;
  /** The reps who may receive accounts in this run. */
  receivers: Set<string>;
}

/**
 * Why an account stays in a run narrowed to selected accounts (params.accountIds): it is outside what the person
 * chose to move. The solver keeps it as a protected account — never a pin, which is a person's override.
 */
export const NOT_SELECTED = 'not among the selected accounts';

/**
 * The review's words for an account the solver kept because it is protected: why, from the protections map
 * ("kept: not among the selected accounts; stays with …"). Null for any other rule, or without a known reason.
 */
export function keptReason(
  assignment: { accountId: string; rule: string; fromRepId: string | null },
  protections: ReadonlyMap<string, readonly string[]>,
): string | null {
  if (assignment.rule !== 'protected') return null;
  const why = protections.get(assignment.accountId);
  if (!why || why.length === 0) return null;
  return `kept: ${why.join('; ')}${assignment.fromRepId ? `; stays with ${assignment.fromRepId}` : ''}`;
}

/** Why an account is protected under the ruleset, the org setting and the book (F2). */
export function protectionsOf(
  book: Book,
  ruleset: Ruleset,
  asOfDate: string,
  closingWithinDays: number,
): Map<string, string[]> {
  const keep = new Set(ruleset.protections.keepWithOwner);
  const houseReps = new Set(book.reps.filter((r) => r.kind === 'house').map((r) => r.id));
  const horizon = addDays(asOfDate, closingWithinDays);
  const closing = new Map<string, string>();
  if (closingWithinDays > 0) {
    for (const o of book.opportunities) {
      if (o.status === 'open' && o.closeDate !== null && o.closeDate >= asOfDate && o.closeDate <= horizon) {
        if (!closing.has(o.accountId)) closing.set(o.accountId, o.closeDate);
      }
    }
  }
  const out = new Map<string, string[]>();
  for (const a of book.accounts) {
    const why: string[] = [];
    if (a.keepWithOwner) why.push('marked keep with the current owner in the import');
    if (keep.has(a.crmId)) why.push('on the keep-with-owner list');
    if (
      ruleset.protections.houseAccounts &&
      (a.isHouse || (a.plannedOwnerId && houseReps.has(a.plannedOwnerId)))
    )
      why.push('a house account');
    if (ruleset.protections.coOwnedAccounts && a.isCoOwned) why.push('co-owned by an account team');
    const close = closing.get(a.id);
    if (close) why.push(`a deal closes on ${close}, within ${closingWithinDays} days`);
    if (why.length > 0) out.set(a.id, why);
  }
  return out;
}

/** The lower of two caps, where null means no cap. */
const lowerCap = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined ? (b ?? null) : b === null || b === undefined ? a : Math.min(a, b);

/**
 * A rep's caps in a run: the ruleset's rule for the rep, else the roster's, else the ruleset's default — and the
 * run's own cap (params.maxAccountsPerRep / maxRevenueCentsPerRep) on top, the lower one winning. The solver, the
 * conflicts and the review all read caps through this.
 */
export function capsFor(
  rep: Pick<BookRep, 'crmUserId' | 'maxAccounts' | 'maxRevenueCents'>,
  ruleset: Ruleset,
  params?: Pick<RunParams, 'maxAccountsPerRep' | 'maxRevenueCentsPerRep'>,
): { maxAccounts?: number; maxRevenueCents?: number } {
  const per = ruleset.caps.perRep.find((c) => rep.crmUserId !== null && c.rep === rep.crmUserId);
  const maxAccounts = lowerCap(
    per?.maxAccounts ?? rep.maxAccounts ?? ruleset.caps.default.maxAccounts,
    params?.maxAccountsPerRep,
  );
  const maxRevenueCents = lowerCap(
    per?.maxRevenueCents ?? rep.maxRevenueCents ?? ruleset.caps.default.maxRevenueCents,
    params?.maxRevenueCentsPerRep,
  );
  return {
    ...(maxAccounts !== null ? { maxAccounts } : {}),
    ...(maxRevenueCents !== null ? { maxRevenueCents } : {}),
  };
}

/** How targets are weighted in a run: its own mode, else the ruleset's. */
export const targetModeOf = (params: Pick<RunParams, 'targetMode'>, ruleset: Ruleset) =>
  params.targetMode ?? ruleset.targets.mode;

function weightFor(rep: BookRep, mode: Ruleset['targets']['mode']): number {
  if (mode === 'seniority') return Math.max(1, rep.seniority);
  if (mode === 'capacity') return Math.max(0.01, rep.weightBps / 10_000);
  return 1;
}

/**
 * The reps who leave in a run, whose accounts in scope it must move: a departure's reps, and in a realignment the
 * reps of its regions who are inactive or gone by the reassignment date (a realignment leaves no account with
 * someone who leaves). The solve input and the conflicts read them alike.
 */
export function runLeavers(
  params: RunParams,
  reps: readonly Pick<BookRep, 'id' | 'kind' | 'active' | 'endDate' | 'region'>[],
  leaveDay: string,
): Set<string> {
  const out = new Set(params.kind === 'rep_departure' ? params.departingRepIds : []);
  if (params.kind !== 'realignment') return out;
  const regionScope = params.regions?.length ? params.regions : null;
  for (const r of reps) {
    const gone = !r.active || (r.endDate !== null && r.endDate <= leaveDay);
    if (r.kind === 'person' && gone && (regionScope === null || regionScope.includes(r.region ?? NO_REGION)))
      out.add(r.id);
  }
  return out;
}

/** Whether an account is inside a realignment's regions and segments (every account, in any other run kind). */
export function inRealignmentScope(
  params: RunParams,
  account: Pick<BookAccount, 'region' | 'segment'>,
): boolean {
  if (params.kind !== 'realignment') return true;
  const regions = params.regions?.length ? params.regions : null;
  const segments = params.segments?.length ? params.segments : null;
  return (
    (regions === null || regions.includes(account.region ?? NO_REGION)) &&
    (segments === null || (account.segment !== null && segments.includes(account.segment)))
  );
}

const regionOf = (a: { region: string | null }) => a.region ?? NO_REGION;

/** What the reps and the accounts of the solve input are built from. */
interface Planned {
  options: BuildOptions;
  /** Rep ids by CRM user id (the ruleset names reps by either). */
  byCrm: Map<string, string>;
  departing: Set<string>;
  hires: Set<string>;
  receivers: Set<string>;
  /** The accounts the solve plans (the book's, less those left out). */
  accounts: BookAccount[];
  /** Tiers are in play: every account has one (NO_TIER when it has none). */
  tiered: boolean;
}

export function buildSolveInput(options: BuildOptions): BuiltInput {
  const { params, book, ruleset } = options;
  const byCrm = new Map(book.reps.filter((r) => r.crmUserId).map((r) => [r.crmUserId!, r.id]));
  const leaveDay = options.reassignmentDate ?? options.asOfDate;
  const departing = runLeavers(params, book.reps, leaveDay);
  const hires = new Set(params.kind === 'new_hire' ? params.hireRepIds : []);
  const receivers = receiversOf(options, { byCrm, departing, hires });
  const omit = options.omit ?? new Set<string>();
  const accounts = book.accounts.filter((a) => !omit.has(a.id));
  const tiered = ruleset.eligibility.tiers.length > 0;
  const planned: Planned = { options, byCrm, departing, hires, receivers, accounts, tiered };
  const reps = solverReps(planned);
  const protections = protectionsOf(book, ruleset, options.asOfDate, options.closingWithinDays);
  const { solverAccounts, kept } = solverAccountsOf(planned, protections);

  const input: SolveInputRaw = {
    kind:
      params.kind === 'rep_departure' ? 'departure' : params.kind === 'new_hire' ? 'new-hire' : 'realignment',
    objective: params.objective ?? 'l1',
    strategy: params.strategy ?? 'optimal',
    accounts: solverAccounts,
    reps: reps as SolveInputRaw['reps'],
    asOfDate: options.asOfDate,
    closingWithinDays: options.closingWithinDays,
    timeLimitMs: options.timeLimitMs,
  };
  if (params.kind === 'realignment' && (params.regions?.length || params.segments?.length)) {
    input.scope = {
      ...(params.regions?.length ? { regions: params.regions } : {}),
      ...(params.segments?.length ? { segments: params.segments } : {}),
    };
  }
  if (params.kind === 'account' || params.kind === 'opportunity') input.scope = { segments: [] };
  if (params.kind === 'new_hire') {
    input.newHire = {
      hireRepIds: params.hireRepIds,
      ...(params.maxTakenPerRep !== undefined ? { maxTakenPerRep: params.maxTakenPerRep } : {}),
    };
  }
  return { input, protections: kept, departing, receivers };
}

/** The reps who may receive accounts in this run: active people who stay, eligible by the ruleset and the scope. */
function receiversOf(
  options: BuildOptions,
  { byCrm, departing, hires }: Pick<Planned, 'byCrm' | 'departing' | 'hires'>,
): Set<string> {
  const { params, book, ruleset } = options;
  const excludedReps = new Set(ruleset.eligibility.exclude.map((c) => byCrm.get(c) ?? c));
  const listed =
    ruleset.eligibility.receivers === 'roster'
      ? null
      : new Set(ruleset.eligibility.receivers.map((c) => byCrm.get(c) ?? c));
  const leaveDay = options.reassignmentDate ?? options.asOfDate;
  const regionScope = params.kind === 'realignment' && params.regions?.length ? params.regions : null;
  // A realignment of some regions balances their accounts among their own reps, unless receivers are picked.
  const picked =
    params.kind === 'realignment' && params.receiverRepIds ? new Set(params.receiverRepIds) : null;
  const receivers = new Set<string>();
  for (const r of book.reps) {
    const leaving = r.endDate !== null && r.endDate <= leaveDay;
    const may =
      r.kind === 'person' &&
      r.active &&
      r.mayReceive &&
      !departing.has(r.id) &&
      !leaving &&
      !excludedReps.has(r.id) &&
      (listed === null || listed.has(r.id) || hires.has(r.id)) &&
      (picked !== null ? picked.has(r.id) : regionScope === null || regionScope.includes(regionOf(r)));
    if (may) receivers.add(r.id);
  }
  return receivers;
}

/** The solver's reps: who may receive, who leaves, weight and caps, regions, segment, tiers and ramp. */
function solverReps({ options, byCrm, departing, hires, receivers, accounts, tiered }: Planned) {
  const { params, book, ruleset } = options;
  const allRegions = [...new Set(accounts.map(regionOf))].sort();
  const sameRegion = ruleset.eligibility.sameRegion || allRegions.length > 100;
  const tierRules = ruleset.eligibility.tiers;
  const allTiers = [
    ...new Set([...accounts.map((a) => a.tier ?? NO_TIER), ...tierRules.map((t) => t.tier)]),
  ].sort();
  return book.reps.map((r) => {
    const rep: Record<string, unknown> = {
      id: r.id,
      name: r.name,
      ...(r.email ? { email: r.email } : {}),
      mayReceive: receivers.has(r.id),
      departing: departing.has(r.id),
      weight: weightFor(r, targetModeOf(params, ruleset)),
      ...capsFor(r, ruleset, params),
    };
    if (sameRegion) rep.region = r.region ?? NO_REGION;
    else rep.regions = allRegions.length > 0 ? allRegions : [NO_REGION];
    if (ruleset.eligibility.sameSegment && r.segment) rep.segment = r.segment;
    if (tiered) {
      rep.tiers = allTiers.filter((t) => {
        const rule = tierRules.find((x) => x.tier === t);
        if (!rule) return true;
        if (rule.reps?.some((c) => (byCrm.get(c) ?? c) === r.id)) return true;
        return rule.minSeniority !== undefined && r.seniority >= rule.minSeniority;
      });
      if ((rep.tiers as string[]).length === 0) rep.mayReceive = false;
    }
    const ramp = hires.has(r.id)
      ? ((params.kind === 'new_hire' ? params.rampTargetBps : undefined) ?? r.rampTargetBps)
      : targetModeOf(params, ruleset) === 'ramp'
        ? r.rampTargetBps
        : null;
    if (ramp !== null && ramp !== undefined && ramp > 0) rep.rampTargetBps = ramp;
    return rep;
  });
}

/**
 * The solver's accounts, with pins, exclusions and protections, and why each protected one is kept. Account- and
 * opportunity-level runs move nothing by balancing: everything is out of scope but the pin.
 */
function solverAccountsOf(
  { options, departing, receivers, accounts, tiered }: Planned,
  protections: Map<string, string[]>,
) {
  const { params, book } = options;
  const nextClose = new Map<string, string>();
  for (const o of book.opportunities) {
    if (o.status !== 'open' || o.closeDate === null || o.closeDate < options.asOfDate) continue;
    const prev = nextClose.get(o.accountId);
    if (!prev || o.closeDate < prev) nextClose.set(o.accountId, o.closeDate);
  }
  const hasOpen = new Set(book.opportunities.filter((o) => o.status === 'open').map((o) => o.accountId));
  const repIds = new Set(book.reps.map((r) => r.id));
  const target =
    params.kind === 'account'
      ? new Map([[params.accountId, params.newOwnerRepId]])
      : new Map<string, string>();
  // Accounts in scope (multi-select): only the selected accounts may move. An unselected account that the
  // solver would otherwise be free to move is kept with its owner as a protected account (NOT_SELECTED, not a
  // pin: nobody overrode it) and still counts for balance; an unselected account with no owner to stay with (a
  // departing rep's, or unowned) is left out of the solve and the change.
  const selected =
    (params.kind === 'rep_departure' || params.kind === 'realignment') && params.accountIds
      ? new Set(params.accountIds)
      : null;
  const solverAccounts = [];
  const kept = new Map(protections);
  const revenueOf = balanceRevenue(book.accounts, options.ruleset.targets.unknownRevenue);
  for (const a of accounts) {
    const owner = a.plannedOwnerId !== null && repIds.has(a.plannedOwnerId) ? a.plannedOwnerId : null;
    let pinned = options.pins.get(a.id) ?? target.get(a.id);
    let notSelected = false;
    if (selected !== null && !selected.has(a.id) && pinned === undefined && !options.excluded.has(a.id)) {
      if (owner === null || departing.has(owner)) continue;
      // Kept only where the solver could move it: in a departure others' accounts stay anyway, and in a
      // realignment accounts outside the regions/segments, of a rep outside the balancing or protected stay too.
      if (
        params.kind === 'realignment' &&
        inRealignmentScope(params, a) &&
        receivers.has(owner) &&
        !protections.has(a.id)
      ) {
        notSelected = true;
        kept.set(a.id, [NOT_SELECTED]);
      }
    }
    if (options.excluded.has(a.id)) {
      // Excluded: stays where it was planned. An excluded account of a departing rep cannot stay there,
      // so it is left out of the solve altogether (and out of the change).
      if (owner === null || departing.has(owner)) continue;
      pinned = owner;
    }
    if (pinned !== undefined && !repIds.has(pinned)) pinned = undefined;
    const close = nextClose.get(a.id);
    solverAccounts.push({
      id: a.id,
      name: a.name,
      ownerId: owner,
      revenueCents: revenueOf(a),
      region: regionOf(a),
      ...(a.segment ? { segment: a.segment } : {}),
      ...(tiered ? { tier: a.tier ?? NO_TIER } : a.tier ? { tier: a.tier } : {}),
      ...(a.type ? { type: a.type } : {}),
      ...(a.industry ? { industry: a.industry } : {}),
      protected: protections.has(a.id) || notSelected,
      ...(pinned !== undefined ? { pinnedOwnerId: pinned } : {}),
      hasOpenDeal: hasOpen.has(a.id),
      ...(close ? { nextCloseDate: close } : {}),
    });
  }
  return { solverAccounts, kept };
}
