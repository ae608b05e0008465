/**
 * Segmented commission strategy (seed 003) through the runs API: one rep_departure run whose segments pick the
 * type per opportunity (account type, deal size; first match wins, the run's type for the rest). The review
 * (run_opportunity_changes), the impact preview and the split rows the commit writes must all show the same
 * split for every opportunity, and a type C that would take House below 0 is refused in all three: never accepted,
 * it holds the run until the split is fixed.
 */
import { and, eq, isNull } from 'drizzle-orm';
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
import { createAccount, type RunsWorld, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let r: Roster;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

type Part = SplitPart;
const deal = (accountId: string, amountCents: number, split: Part[]) =>
  dealOnAccount(w, r.dana.id, accountId, amountCents, split);
const key = splitKey;

describe('segmented commission strategy: review, impact and commit agree', () => {
  it('refuses segments the runs API cannot honour, naming the field', async () => {
    const res = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
      params: {
        departingRepIds: [r.dana.id],
        commissionSegments: [
          { match: { accountType: 'Enterprise' }, commissionType: 'custom' },
          { match: { minAmountCents: 500, maxAmountCents: 100 }, commissionType: 'house_absorbs' },
        ],
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const text = JSON.stringify(res.body);
    expect(text).toContain('customBps');
    expect(text).toContain('maxAmountCents');
  });

  it('chooses the type per segment (first match wins, the run type otherwise) the same way in review, impact and commit', async () => {
    const db = w.h.db.db;
    const enterprise = await createAccount(db, w.orgId, {
      ownerRepId: r.dana.id,
      region: 'West',
      type: 'Enterprise',
    });
    const smb = await createAccount(db, w.orgId, { ownerRepId: r.dana.id, region: 'West', type: 'SMB' });
    const partner = await createAccount(db, w.orgId, {
      ownerRepId: r.dana.id,
      region: 'West',
      type: 'enterprise ',
    });
    const h4555 = split4555(r);
    const big = await deal(enterprise.id, 120_000_00, h4555); // segment 1: C 35%
    const small = await deal(smb.id, 12_000_00, h4555); // segment 2 (below $20,000): A
    const mid = await deal(smb.id, 60_000_00, h4555); // no segment: the run's B
    // Segment 1 again (type compared trimmed, case-insensitively), but Dana holds 30% only: C 35% leaves House at -5%.
    const refused = await deal(partner.id, 120_000_00, [
      { repId: r.sub.id, role: 'subagent', bps: 7000 },
      { repId: r.dana.id, role: 'rep', bps: 3000 },
    ]);

    const created = await w.call('manager', 'POST', '/runs', {
      kind: 'rep_departure',
      scope: 'open_opportunities',
      reason: 'Dana leaves mid-June',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
      params: {
        departingRepIds: [r.dana.id],
        commissionType: 'direct_transfer',
        commissionSegments: [
          { match: { accountType: 'Enterprise' }, commissionType: 'custom', customBps: 3500 },
          { match: { maxAmountCents: 20_000_00 }, commissionType: 'house_absorbs' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const solved = await solveAndDrain(w, runId, 'manager');
    expect(solved.status, solved.failureReason).toBe('solved');

    const moves = await db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, runId));
    const to = (accountId: string) => moves.find((m) => m.accountId === accountId)!.toRepId!;
    for (const a of [enterprise, smb, partner]) expect([r.ria.id, r.sam.id]).toContain(to(a.id));
    const expected = new Map<string, Part[]>([
      [
        big.id,
        [
          { repId: r.house.id, role: 'house', bps: 6500 },
          { repId: to(enterprise.id), role: 'rep', bps: 3500 },
        ],
      ],
      [small.id, [{ repId: r.house.id, role: 'house', bps: 10_000 }]],
      [
        mid.id,
        [
          { repId: r.house.id, role: 'house', bps: 4500 },
          { repId: to(smb.id), role: 'rep', bps: 5500 },
        ],
      ],
    ]);

    // 1. Review: the proposal's opportunity changes, with the type of each segment.
    const review = await db
      .select()
      .from(s.runOpportunityChanges)
      .where(eq(s.runOpportunityChanges.runId, runId));
    const reviewed = new Map(review.map((c) => [c.opportunityId, c]));
    expect(reviewed.get(big.id)).toMatchObject({ commissionType: 'custom', customBps: 3500, error: null });
    expect(reviewed.get(small.id)).toMatchObject({ commissionType: 'house_absorbs', error: null });
    expect(reviewed.get(mid.id)).toMatchObject({ commissionType: 'direct_transfer', error: null });
    for (const [id, parts] of expected) expect(key(reviewed.get(id)!.afterSplits as Part[])).toBe(key(parts));
    expect(reviewed.get(refused.id)!.afterSplits).toBeNull();
    expect(reviewed.get(refused.id)!.error).toMatch(/House below 0%/);
    const conflicts = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
    expect(
      (conflicts.body.data as { opportunityId: string | null; kind: string }[]).some(
        (k) => k.opportunityId === refused.id && k.kind === 'split_not_100',
      ),
    ).toBe(true);

    // 2. Impact preview: the same splits and types; the refused one is listed as a problem.
    const impact = await commissionImpact({ ctx: ctxAs(w, 'manager'), input: { runId } });
    const previewed = new Map(impact.opportunities.map((o) => [o.opportunityId, o]));
    expect([...previewed.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(previewed.get(big.id)!.type).toBe('C');
    expect(previewed.get(small.id)!.type).toBe('A');
    expect(previewed.get(mid.id)!.type).toBe('B');
    for (const [id, parts] of expected) expect(key(previewed.get(id)!.after)).toBe(key(parts));
    // The refused one is a problem of the preview (the commit would refuse it), not a quiet skip.
    expect(impact.problems.map((k) => k.path)).toContain(`opportunities.${refused.id}`);
    // Dana's whole share leaves: nothing after the end date's month for her.
    const dana = impact.people.find((p) => p.participantId === r.dana.id)!;
    expect(dana.annualAfterCents).toBeLessThan(dana.annualBeforeCents);

    // 3. The refused split cannot be accepted (the commit could not write it), so approval waits. The ops person
    // fixes the split in the CRM (House 10% out of the subagent's share), imports it, and solves again.
    const blocking = (
      (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
        id: string;
        opportunityId: string | null;
        severity: string;
      }[]
    ).filter((k) => k.opportunityId === refused.id && k.severity === 'blocking');
    expect(blocking.length).toBeGreaterThan(0);
    for (const k of blocking) {
      const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${k.id}/resolve`, {
        resolution: 'accept',
        note: 'Try anyway',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
    }
    await db
      .update(s.commissionSplits)
      .set({ effectiveTo: '2026-02-28' })
      .where(eq(s.commissionSplits.opportunityId, refused.id));
    await db.insert(s.commissionSplits).values(
      [
        { repId: r.sub.id, role: 'subagent' as const, bps: 6000 },
        { repId: r.house.id, role: 'house' as const, bps: 1000 },
        { repId: r.dana.id, role: 'rep' as const, bps: 3000 },
      ].map((p) => ({ ...p, orgId: w.orgId, opportunityId: refused.id, effectiveFrom: '2026-03-01' })),
    );
    expect((await solveAndDrain(w, runId, 'manager')).status).toBe('solved');
    const resolved = await db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, runId));
    const partnerTo = resolved.find((m) => m.accountId === partner.id)!.toRepId!;

    // 4. Commit: the split rows written are the ones reviewed and previewed, the fixed deal's too.
    await approveAndCommit(w, runId);
    const open = await db
      .select()
      .from(s.commissionSplits)
      .where(and(eq(s.commissionSplits.orgId, w.orgId), isNull(s.commissionSplits.effectiveTo)));
    const current = (id: string) => open.filter((row) => row.opportunityId === id);
    for (const [id, parts] of expected) {
      expect(key(current(id))).toBe(key(parts));
      expect(current(id).every((row) => row.effectiveFrom === '2026-06-15' && row.runId === runId)).toBe(
        true,
      );
    }
    expect(key(current(refused.id))).toBe(
      key([
        { repId: r.sub.id, role: 'subagent', bps: 6000 },
        { repId: r.house.id, role: 'house', bps: 500 },
        { repId: partnerTo, role: 'rep', bps: 3500 },
      ]),
    );
    // The committed impact reads the same per-opportunity types back from the change set.
    const after = await commissionImpact({ ctx: ctxAs(w, 'finance'), input: { runId } });
    expect(after.basis).toBe('committed');
    expect(Object.fromEntries(after.opportunities.map((o) => [o.opportunityId, o.type]))).toEqual({
      [big.id]: 'C',
      [small.id]: 'A',
      [mid.id]: 'B',
      [refused.id]: 'C',
    });
  });
});
