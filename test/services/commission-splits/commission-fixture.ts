/**
 * Shared setup for the commission impact and reconciliation tests: the runs world (real app, org, an API key per
 * role, a job runner with the solve handler) with the commission router mounted, a roster (House, a departing rep,
 * two receivers, a subagent), deals with splits and revenue schedules, and account-level runs created, solved,
 * approved and committed through the API.
 */
import { expect } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionRouter } from '../../../src/api/routes/commission/commission.index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import type { Role } from '../../../src/lib/roles.ts';
import type { OrgContext } from '../../../src/services/auth/context.ts';
import {
  createAccount,
  createOpportunity,
  createRep,
  createRunsWorld,
  type RunsWorld,
  solveAndDrain,
} from '../../api/runs/run-fixture.ts';

export const IMPACT_ROUTE = '/v1/runs/:id/commission-impact';

/** The runs world; the commission router is mounted unless src/app.ts already mounts it. */
export async function createCommissionWorld(): Promise<RunsWorld> {
  const w = await createRunsWorld();
  if (!w.h.app.routes.some((r) => r.path === IMPACT_ROUTE)) w.h.app.route('/v1', commissionRouter);
  return w;
}

export async function seedRoster(w: RunsWorld) {
  const db = w.h.db.db;
  const house = await createRep(db, w.orgId, {
    kind: 'house',
    name: 'House',
    mayReceive: false,
    email: null,
  });
  const dana = await createRep(db, w.orgId, { name: 'Dana Departing', region: 'West' });
  const ria = await createRep(db, w.orgId, { name: 'Ria Receiver', region: 'West' });
  const sam = await createRep(db, w.orgId, { name: 'Sam Receiver', region: 'West' });
  const sub = await createRep(db, w.orgId, {
    kind: 'subagent',
    name: 'Partner Co',
    mayReceive: false,
    email: null,
  });
  return { house, dana, ria, sam, sub };
}
export type Roster = Awaited<ReturnType<typeof seedRoster>>;

export interface PeriodSpec {
  start: string;
  end: string;
  amountCents: number;
  paid?: boolean;
  reconciled?: boolean;
}

/** Twelve calendar-month periods of `year`, each `amountCents`; months 1..paidThrough marked paid. */
export function monthly(year: number, amountCents: number, paidThrough = 0): PeriodSpec[] {
  return Array.from({ length: 12 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0');
    const last = new Date(Date.UTC(year, i + 1, 0)).getUTCDate();
    return {
      start: `${year}-${m}-01`,
      end: `${year}-${m}-${String(last).padStart(2, '0')}`,
      amountCents,
      paid: i + 1 <= paidThrough,
    };
  });
}

/** An account owned by `owner` with one open deal, its split rows and its schedule. */
export async function createDeal(
  w: RunsWorld,
  owner: { id: string },
  split: { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number }[],
  periods: PeriodSpec[],
  options: { accountName?: string; stage?: string; closeDate?: string } = {},
) {
  const db = w.h.db.db;
  const account = await createAccount(db, w.orgId, {
    ownerRepId: owner.id,
    region: 'West',
    ...(options.accountName ? { name: options.accountName } : {}),
  });
  const opp = await createOpportunity(db, w.orgId, account.id, {
    ownerRepId: owner.id,
    createdDate: '2026-01-01',
    closeDate: options.closeDate ?? '2027-06-30',
    ...(options.stage ? { stage: options.stage } : {}),
  });
  await db
    .insert(s.commissionSplits)
    .values(split.map((p) => ({ orgId: w.orgId, opportunityId: opp.id, effectiveFrom: '2026-01-01', ...p })));
  if (periods.length > 0) {
    await db.insert(s.revenueSchedules).values(
      periods.map((p) => ({
        orgId: w.orgId,
        opportunityId: opp.id,
        periodStart: p.start,
        periodEnd: p.end,
        amountCents: p.amountCents,
        paid: p.paid ?? false,
        reconciled: p.reconciled ?? false,
      })),
    );
  }
  return { account, opp };
}

export interface AccountRunSpec {
  accountId: string;
  newOwnerRepId: string;
  commissionType?: 'house_absorbs' | 'direct_transfer' | 'custom';
  customBps?: number;
  endDate: string;
  reassignmentDate: string;
  scope?: 'ownership' | 'open_opportunities' | 'complete';
}

/** An account-level run created and solved through the API. */
export async function solvedAccountRun(w: RunsWorld, spec: AccountRunSpec): Promise<string> {
  const res = await w.call('manager', 'POST', '/runs', {
    kind: 'account',
    scope: spec.scope ?? 'open_opportunities',
    reason: 'Dana leaves mid-June',
    commissionEndDate: spec.endDate,
    reassignmentDate: spec.reassignmentDate,
    params: {
      accountId: spec.accountId,
      newOwnerRepId: spec.newOwnerRepId,
      ...(spec.commissionType ? { commissionType: spec.commissionType } : {}),
      ...(spec.customBps !== undefined ? { customBps: spec.customBps } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const solved = await solveAndDrain(w, res.body.id, 'manager');
  expect(solved.status, solved.failureReason).toBe('solved');
  return res.body.id as string;
}

/** Accepts every open blocking conflict, approves what the reviewer sees, commits. */
export async function approveAndCommit(w: RunsWorld, runId: string) {
  const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Reviewed for the commission test',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
  expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  return committed.body;
}

/** A service context acting as `role` in the world's org. */
export function ctxAs(w: RunsWorld, role: Role): OrgContext {
  const principal: Principal = { kind: 'session', orgId: w.orgId, orgName: 'Runs Org', role };
  return { db: w.h.db.db, clock: () => w.h.clock.now, principal };
}

/** People of an impact as { name: [annualBefore, annualAfter] }. */
export function annualByName(impact: {
  people: {
    name: string | null;
    participantId: string;
    annualBeforeCents: number;
    annualAfterCents: number;
  }[];
}) {
  return Object.fromEntries(
    impact.people.map((p) => [p.name ?? p.participantId, [p.annualBeforeCents, p.annualAfterCents]]),
  );
}

export type SplitPart = { repId: string; role: 'house' | 'rep' | 'subagent'; bps: number };

/** A deal of `ownerId` on an existing account: its split rows from 1 January 2026 and twelve monthly periods of 2026 that sum to the amount. */
export async function dealOnAccount(
  w: RunsWorld,
  ownerId: string,
  accountId: string,
  amountCents: number,
  split: SplitPart[],
) {
  const db = w.h.db.db;
  const opp = await createOpportunity(db, w.orgId, accountId, {
    ownerRepId: ownerId,
    amountCents,
    createdDate: '2026-01-01',
    closeDate: '2027-06-30',
  });
  await db
    .insert(s.commissionSplits)
    .values(split.map((p) => ({ orgId: w.orgId, opportunityId: opp.id, effectiveFrom: '2026-01-01', ...p })));
  await db.insert(s.revenueSchedules).values(
    monthly(2026, amountCents / 100).map((p) => ({
      orgId: w.orgId,
      opportunityId: opp.id,
      periodStart: p.start,
      periodEnd: p.end,
      amountCents: p.amountCents,
    })),
  );
  return opp;
}

/** A split as one comparable string (participants sorted), for split rows, review rows and preview rows alike. */
export const splitKey = (
  parts: readonly { repId?: string; participantId?: string; role: string; bps: number }[],
) =>
  parts
    .map((p) => `${p.role}:${p.repId ?? p.participantId}:${p.bps}`)
    .sort()
    .join(',');

/** The worked example's split of the roster's leaver: House 45%, Dana 55%. */
export const split4555 = (r: Roster): SplitPart[] => [
  { repId: r.house.id, role: 'house', bps: 4500 },
  { repId: r.dana.id, role: 'rep', bps: 5500 },
];
