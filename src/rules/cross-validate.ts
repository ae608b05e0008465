/**
 * Checks a valid ruleset against the roster and the current book: unknown reps, departing or inactive
 * receivers, caps below the load a rep already carries on protected accounts, segments that nobody could
 * receive. Errors block using the ruleset; warnings are shown and may be accepted.
 */
import type { RulesetIssue } from './parse-ruleset.ts';
import type { Ruleset } from './ruleset-schema.ts';

export interface RosterRep {
  crmId: string;
  name: string;
  active: boolean;
  mayReceive: boolean;
  departing: boolean;
  region: string | null;
  segment: string | null;
  seniority: number | null;
  rampTargetBps: number | null;
  maxAccounts: number | null;
  maxRevenueCents: number | null;
}

/** What each rep already holds that no run may move (protected, house, co-owned accounts). */
export interface FixedLoad {
  accounts: number;
  revenueCents: number;
}

const dollars = (cents: number) => `$${(cents / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}`;

export function crossValidateRuleset(
  ruleset: Ruleset,
  roster: readonly RosterRep[],
  fixedLoad: ReadonlyMap<string, FixedLoad> = new Map(),
  knownAccount?: (crmId: string) => boolean,
): RulesetIssue[] {
  const issues: RulesetIssue[] = [];
  const byId = new Map(roster.map((r) => [r.crmId, r]));
  const error = (path: string, message: string): void => {
    issues.push({ path, message, severity: 'error' });
  };
  const warn = (path: string, message: string): void => {
    issues.push({ path, message, severity: 'warning' });
  };

  const checkReceiver = (path: string, id: string): void => {
    const rep = byId.get(id);
    if (!rep) error(path, `unknown rep "${id}" — add the rep to the roster or remove it`);
    else if (!rep.active)
      error(path, `rep "${id}" (${rep.name}) is inactive — remove them or reactivate them in the roster`);
    else if (rep.departing)
      error(path, `rep "${id}" (${rep.name}) is departing and cannot receive accounts — remove them`);
    else if (!rep.mayReceive) {
      warn(
        path,
        `rep "${id}" (${rep.name}) is marked may_receive = no in the roster; this ruleset lets them receive`,
      );
    }
  };

  const { eligibility, segments, protections } = ruleset;
  if (eligibility.receivers !== 'roster') {
    for (const [i, id] of eligibility.receivers.entries()) checkReceiver(`eligibility.receivers[${i}]`, id);
  }
  for (const [i, id] of eligibility.exclude.entries()) {
    if (!byId.has(id))
      warn(
        `eligibility.exclude[${i}]`,
        `unknown rep "${id}" — not in the roster, so excluding them changes nothing`,
      );
  }
  for (const [i, tier] of eligibility.tiers.entries()) {
    for (const [j, id] of (tier.reps ?? []).entries())
      checkReceiver(`eligibility.tiers[${i}].reps[${j}]`, id);
  }

  const receivers =
    eligibility.receivers === 'roster'
      ? roster.filter((r) => r.mayReceive && r.active && !r.departing).map((r) => r.crmId)
      : eligibility.receivers;
  if (receivers.filter((id) => !eligibility.exclude.includes(id)).length === 0 && segments.length === 0) {
    error(
      'eligibility.receivers',
      'no rep may receive accounts — mark reps may_receive in the roster or list receivers',
    );
  }

  checkCaps(ruleset, roster, fixedLoad, { byId, error, warn });
  checkSegments(ruleset, { checkReceiver, warn });

  if (knownAccount) {
    protections.keepWithOwner.forEach((id, i) => {
      if (!knownAccount(id))
        warn(`protections.keepWithOwner[${i}]`, `account "${id}" is not in the book — check the id`);
    });
  }

  checkTargets(ruleset, roster, warn);
  return issues;
}

type Report = (path: string, message: string) => void;

/** Ramp and seniority targets need those columns in the roster; without them targets are equal. */
function checkTargets({ targets }: Ruleset, roster: readonly RosterRep[], warn: Report) {
  if (targets.mode === 'ramp' && !roster.some((r) => r.rampTargetBps !== null)) {
    warn(
      'targets.mode',
      'ramp targets need ramp_target on new hires in the roster; none has one, so targets are equal',
    );
  }
  if (targets.mode === 'seniority' && !roster.some((r) => r.seniority !== null)) {
    warn(
      'targets.mode',
      'seniority targets need seniority in the roster; none has one, so targets are equal',
    );
  }
}

/** Each cap names a rep of the roster, and no cap (listed, or the roster's) is below what the rep must keep. */
function checkCaps(
  { caps }: Ruleset,
  roster: readonly RosterRep[],
  fixedLoad: ReadonlyMap<string, FixedLoad>,
  { byId, error, warn }: { byId: Map<string, RosterRep>; error: Report; warn: Report },
) {
  for (const [i, cap] of caps.perRep.entries()) {
    const path = `caps.perRep[${i}]`;
    const rep = byId.get(cap.rep);
    if (!rep) error(`${path}.rep`, `unknown rep "${cap.rep}" — add the rep to the roster or remove the cap`);
    else checkCapAgainstLoad(path, rep, cap, fixedLoad.get(cap.rep), warn);
  }
  for (const rep of roster) {
    if (caps.perRep.some((c) => c.rep === rep.crmId)) continue;
    const cap = {
      maxAccounts: rep.maxAccounts ?? caps.default.maxAccounts,
      maxRevenueCents: rep.maxRevenueCents ?? caps.default.maxRevenueCents,
    };
    checkCapAgainstLoad(`caps (roster row of ${rep.crmId})`, rep, cap, fixedLoad.get(rep.crmId), warn);
  }
}

/** A segment's receiving reps may receive and are not excluded; a territory segment has regions to go by. */
function checkSegments(
  { segments, eligibility }: Ruleset,
  { checkReceiver, warn }: { checkReceiver: Report; warn: Report },
) {
  segments.forEach((segment, i) => {
    segment.receivingReps.forEach((id, j) => {
      checkReceiver(`segments[${i}].receivingReps[${j}]`, id);
      if (eligibility.exclude.includes(id)) {
        warn(
          `segments[${i}].receivingReps[${j}]`,
          `rep "${id}" is excluded in eligibility.exclude, so this segment will not use them`,
        );
      }
    });
    if (segment.strategy === 'territory' && !segment.match.regions && !eligibility.sameRegion) {
      warn(
        `segments[${i}].strategy`,
        'territory strategy without regions in match or eligibility.sameRegion assigns by region of the rep only',
      );
    }
  });
}

function checkCapAgainstLoad(
  path: string,
  rep: RosterRep,
  cap: { maxAccounts?: number | undefined; maxRevenueCents?: number | undefined },
  load: FixedLoad | undefined,
  warn: (path: string, message: string) => void,
) {
  if (!load) return;
  if (cap.maxAccounts !== undefined && load.accounts > cap.maxAccounts) {
    warn(
      `${path}.maxAccounts`,
      `${rep.name} already holds ${load.accounts} accounts that cannot move, above the cap of ${cap.maxAccounts} — raise the cap or review the protections`,
    );
  }
  if (cap.maxRevenueCents !== undefined && load.revenueCents > cap.maxRevenueCents) {
    warn(
      `${path}.maxRevenueCents`,
      `${rep.name} already holds ${dollars(load.revenueCents)} that cannot move, above the cap of ${dollars(cap.maxRevenueCents)} — raise the cap or review the protections`,
    );
  }
}
