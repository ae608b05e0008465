/**
 * A receiving rep per segment (issue 8: "Segmented strategies choose the type and the receiving rep per segment"):
 * the opportunities of a segment naming receiverRepId hand the leaving rep's share to that rep instead of the
 * account's new owner. Review (run_opportunity_changes), impact preview, commit (split rows with their dates, the
 * old rows ended), the receiving rep's notice and rollback (the exact previous rows) must all agree; a receiver who
 * cannot receive is refused with the field path.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { commissionImpact } from '../../../src/services/review/commission-impact.ts';
import {
  approveAndCommit,
  createCommissionWorld,
  ctxAs,
  dealOnAccount,
  type Roster,
  type SplitPart,
  seedRoster,
  split4555,
  splitKey,
} from '../../services/commission-splits/commission-fixture.ts';
import { createAccount, createRep, type RunsWorld, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let r: Roster;
let closer: Awaited<ReturnType<typeof createRep>>;
let gone: Awaited<ReturnType<typeof createRep>>;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
  closer = await createRep(w.h.db.db, w.orgId, {
    name: 'Cleo Closer',
    region: 'East',
    mayReceive: false,
  });
  gone = await createRep(w.h.db.db, w.orgId, { name: 'Gus Gone', active: false });
});
afterAll(async () => {
  await w?.close();
});

type Part = SplitPart;
const deal = (accountId: string, amountCents: number, split: Part[]) =>
  dealOnAccount(w, r.dana.id, accountId, amountCents, split);
const key = splitKey;

const departure = (segments: unknown[]) => ({
  kind: 'rep_departure',
  scope: 'open_opportunities',
  reason: 'Dana leaves mid-June',
  commissionEndDate: '2026-06-14',
  reassignmentDate: '2026-06-15',
  params: { departingRepIds: [r.dana.id], commissionType: 'direct_transfer', commissionSegments: segments },
});

describe('a receiving rep per segment', () => {
  it('refuses a receiver who cannot receive, naming the field path', async () => {
    const res = await w.call(
      'manager',
      'POST',
      '/runs',
      departure([
        { match: { accountType: 'Enterprise' }, commissionType: 'direct_transfer', receiverRepId: r.dana.id },
        { match: { accountType: 'SMB' }, commissionType: 'custom', customBps: 3000, receiverRepId: gone.id },
        { match: { region: 'East' }, commissionType: 'direct_transfer', receiverRepId: r.sub.id },
        {
          match: { region: 'North' },
          commissionType: 'custom',
          customBps: 100,
          receiverRepId: crypto.randomUUID(),
        },
      ]),
    );
    expect(res.status).toBe(400);
    const details = res.body.details as { path: string; message: string }[];
    const at = (i: number) => details.find((d) => d.path === `params.commissionSegments.${i}.receiverRepId`);
    expect(at(0)?.message).toMatch(/Dana Departing is leaving in this run/);
    expect(at(1)?.message).toMatch(/Gus Gone is inactive/);
    expect(at(2)?.message).toMatch(/subagent/);
    expect(at(3)?.message).toMatch(/No rep .* in this org/);

    const typeA = await w.call(
      'manager',
      'POST',
      '/runs',
      departure([
        { match: { stage: 'Proposal' }, commissionType: 'house_absorbs', receiverRepId: closer.id },
      ]),
    );
    expect(typeA.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(typeA.body)).toContain('receiverRepId');
    expect(JSON.stringify(typeA.body)).toMatch(/Type A gives the leaving rep’s share to House/);
  });

  it('hands each segment’s share to its receiver identically in review, impact, commit, notices and rollback', async () => {
    const db = w.h.db.db;
    const enterprise = await createAccount(db, w.orgId, {
      ownerRepId: r.dana.id,
      region: 'West',
      type: 'Enterprise',
    });
    const smb = await createAccount(db, w.orgId, { ownerRepId: r.dana.id, region: 'West', type: 'SMB' });
    const h4555 = split4555(r);
    const big = await deal(enterprise.id, 120_000_00, h4555); // segment 1: C 35% to the closer
    const small = await deal(enterprise.id, 30_000_00, [
      { repId: r.sub.id, role: 'subagent', bps: 1000 },
      { repId: r.house.id, role: 'house', bps: 3500 },
      { repId: r.dana.id, role: 'rep', bps: 5500 },
    ]); // segment 2: B to the closer, the subagent untouched
    const mid = await deal(smb.id, 60_000_00, h4555); // no segment: B to the new owner

    const created = await w.call(
      'manager',
      'POST',
      '/runs',
      departure([
        {
          match: { accountType: 'Enterprise', minAmountCents: 100_000_00 },
          commissionType: 'custom',
          customBps: 3500,
          receiverRepId: closer.id,
        },
        { match: { accountType: 'enterprise' }, commissionType: 'direct_transfer', receiverRepId: closer.id },
      ]),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const solved = await solveAndDrain(w, runId, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');
    const moves = await db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, runId));
    const to = (accountId: string) => moves.find((m) => m.accountId === accountId)!.toRepId!;
    // The closer never owns an account here (it may not receive accounts): only the shares go to them.
    expect(to(enterprise.id)).not.toBe(closer.id);
    const expected = new Map<string, Part[]>([
      [
        big.id,
        [
          { repId: r.house.id, role: 'house', bps: 6500 },
          { repId: closer.id, role: 'rep', bps: 3500 },
        ],
      ],
      [
        small.id,
        [
          { repId: r.sub.id, role: 'subagent', bps: 1000 },
          { repId: r.house.id, role: 'house', bps: 3500 },
          { repId: closer.id, role: 'rep', bps: 5500 },
        ],
      ],
      [
        mid.id,
        [
          { repId: r.house.id, role: 'house', bps: 4500 },
          { repId: to(smb.id), role: 'rep', bps: 5500 },
        ],
      ],
    ]);

    // 1. Review: the proposal's split changes name the receiver; the owner change still goes to the new owner.
    const review = await db
      .select()
      .from(s.runOpportunityChanges)
      .where(eq(s.runOpportunityChanges.runId, runId));
    const reviewed = new Map(review.map((c) => [c.opportunityId, c]));
    for (const [id, parts] of expected) {
      expect(reviewed.get(id)!.error).toBeNull();
      expect(key(reviewed.get(id)!.afterSplits as Part[])).toBe(key(parts));
    }
    expect(reviewed.get(big.id)!.toRepId).toBe(to(enterprise.id));
    const hashBefore = (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash as string;

    // 2. Impact preview: the same splits; the closer is a new rep and earns from the 15th of June, to the cent.
    const impact = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
    const previewed = new Map(impact.opportunities.map((o) => [o.opportunityId, o]));
    for (const [id, parts] of expected) expect(key(previewed.get(id)!.after)).toBe(key(parts));
    expect(previewed.get(big.id)!.receiverRepId).toBe(closer.id);
    expect(previewed.get(mid.id)!.receiverRepId).toBe(to(smb.id));
    const cleo = impact.people.find((p) => p.participantId === closer.id)!;
    expect(cleo.category).toBe('new-rep');
    const month = (m: string) => cleo.months.find((x) => x.month === m);
    // June: 16 of 30 days under the new split: 35% of 64,000 cents (big) + 55% of 16,000 cents (small).
    expect(month('2026-06')).toEqual({ month: '2026-06', beforeCents: 0, afterCents: 22_400 + 8_800 });
    // July: 35% of 120,000 + 55% of 30,000.
    expect(month('2026-07')).toEqual({ month: '2026-07', beforeCents: 0, afterCents: 42_000 + 16_500 });

    // 3. Commit: new rows from the reassignment date, the old rows ended on the end date, nothing else touched.
    const rowsBefore = await db
      .select()
      .from(s.commissionSplits)
      .where(inArray(s.commissionSplits.opportunityId, [...expected.keys()]));
    await approveAndCommit(w, runId);
    const open = await db
      .select()
      .from(s.commissionSplits)
      .where(and(eq(s.commissionSplits.orgId, w.orgId), isNull(s.commissionSplits.effectiveTo)));
    for (const [id, parts] of expected) {
      const current = open.filter((row) => row.opportunityId === id);
      expect(key(current)).toBe(key(parts));
      expect(current.every((row) => row.effectiveFrom === '2026-06-15' && row.runId === runId)).toBe(true);
      const ended = await db
        .select()
        .from(s.commissionSplits)
        .where(
          and(eq(s.commissionSplits.opportunityId, id), eq(s.commissionSplits.effectiveTo, '2026-06-14')),
        );
      expect(key(ended)).toBe(key(rowsBefore.filter((row) => row.opportunityId === id)));
      expect(ended.every((row) => row.effectiveFrom === '2026-01-01' && row.runId === null)).toBe(true);
    }
    const [run] = await db.select().from(s.runs).where(eq(s.runs.id, runId));
    expect(run!.approvedHash).toBe(hashBefore);

    // The committed impact reads the receiver back from the change set.
    const after = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(after.basis).toBe('committed');
    for (const [id, parts] of expected)
      expect(key(after.opportunities.find((o) => o.opportunityId === id)!.after)).toBe(key(parts));
    expect(after.people.find((p) => p.participantId === closer.id)!.category).toBe('new-rep');

    // 4. Notices: the closer is told about the shares they receive (they receive no account).
    const notices = await db.select().from(s.notices).where(eq(s.notices.runId, runId));
    const told = notices.filter((n) => n.recipientRepId === closer.id);
    expect(told.map((n) => n.kind)).toEqual(['receiving_rep']);
    expect(told[0]!.subject).toBe('Commission share on 2 opportunities now yours');
    expect(told[0]!.text).toContain('you receive the leaving rep’s commission share');
    expect(told[0]!.text).toContain('-> House 65.00%, Cleo Closer 35.00%');

    // 5. Rollback: every split row exactly as before the commit (ids, shares, dates), the commit's rows gone.
    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`, { reason: 'Wrong closer' });
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(rolled.body.conflicts).toEqual([]);
    const rowsAfter = await db
      .select()
      .from(s.commissionSplits)
      .where(inArray(s.commissionSplits.opportunityId, [...expected.keys()]));
    const full = (rows: typeof rowsAfter) =>
      rows
        .map(
          (x) =>
            `${x.id}|${x.opportunityId}|${x.repId}|${x.role}|${x.bps}|${x.effectiveFrom}|${x.effectiveTo}`,
        )
        .sort();
    expect(full(rowsAfter)).toEqual(full(rowsBefore));
  });
});
