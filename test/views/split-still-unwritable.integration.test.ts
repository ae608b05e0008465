/**
 * A decision for the whole account (the card's "Or decide for the whole account") on an account whose commission
 * split cannot be written: another owner pins the account, but the split (type C at 100% leaves House below 0) still
 * cannot be written, so its conflict stays open. The section says so and what clears it, instead of a card that stays
 * without a word; another share for the opportunity then clears it.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { type Browser, createHarness, createOrgWithUsers, type Harness, signedIn } from '../app/harness.ts';
import { createAccount, createOpportunity, createRep, createSplits } from '../support/factories.ts';

let h: Harness;
let runner: ReturnType<typeof createJobRunner>;
let manager: Browser;
let runId: string;
let accountId: string;
let samId: string;

beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  const org = await createOrgWithUsers(h, 'Split Still Unwritable Org');
  const db = h.db.db;
  const house = await createRep(db, org.id, { kind: 'house', name: 'House', mayReceive: false, email: null });
  const partner = await createRep(db, org.id, {
    kind: 'subagent',
    name: 'Partner Co',
    mayReceive: false,
    email: null,
  });
  const dana = await createRep(db, org.id, { name: 'Dana Departing', region: 'West' });
  await createRep(db, org.id, { name: 'Ria Receiver', region: 'West' });
  samId = (await createRep(db, org.id, { name: 'Sam Receiver', region: 'West' })).id;
  const account = await createAccount(db, org.id, {
    name: 'Shared Deal Co',
    ownerRepId: dana.id,
    region: 'West',
  });
  accountId = account.id;
  const deal = await createOpportunity(db, org.id, account.id, { name: 'Renewal', ownerRepId: dana.id });
  await createSplits(db, org.id, deal.id, [
    { repId: house.id, role: 'house', bps: 1000 },
    { repId: dana.id, role: 'rep', bps: 7000 },
    { repId: partner.id, role: 'subagent', bps: 2000 },
  ]);
  manager = await signedIn(h, org.users.manager);
  await manager.page('/runs/new');
  const res = await manager.request('/runs/new', {
    method: 'POST',
    form: {
      _csrf: manager.csrfToken,
      kind: 'rep_departure',
      departingRepIds: dana.id,
      scope: 'open_opportunities',
      reason: 'Dana leaves; the new owner takes the whole share',
      strategy: 'optimal',
      objective: 'l1',
      commissionType: 'custom',
      customPct: '100',
      commissionEndDate: '2026-06-14',
      reassignmentDate: '2026-06-15',
    },
  });
  expect(res.status, await res.text()).toBe(303);
  runId = /\/runs\/([0-9a-f-]{36})/.exec(res.headers.get('location') ?? '')![1]!;
  await runner.drain();
});
afterAll(async () => {
  await h?.close();
});

const openSplitConflicts = () =>
  h.db.db
    .select()
    .from(s.conflicts)
    .where(
      and(eq(s.conflicts.runId, runId), eq(s.conflicts.accountId, accountId), isNull(s.conflicts.resolution)),
    );

it('another owner for the whole account keeps the unwritable split open and says what clears it', async () => {
  const before = await openSplitConflicts();
  expect(before.some((k) => k.severity === 'blocking')).toBe(true);
  await manager.page(`/runs/${runId}`);
  const res = await manager.request(`/runs/${runId}/conflicts/account/${accountId}`, {
    method: 'POST',
    headers: { 'HX-Request': 'true' },
    form: { _csrf: manager.csrfToken, resolution: 'override', repId: samId, note: 'Sam takes the account' },
  });
  const html = await res.text();
  expect(res.status, html).toBe(200);
  expect(html).toContain('now go to the rep you chose');
  expect(html).toContain('one commission split still cannot be written');
  expect(html).toContain('choose another commission type or share for the opportunity');
  // The account is Sam's now, and the split's conflict is still open (never accepted).
  const [line] = await h.db.db
    .select()
    .from(s.runAssignments)
    .where(and(eq(s.runAssignments.runId, runId), eq(s.runAssignments.accountId, accountId)));
  expect(line!.toRepId).toBe(samId);
  expect((await openSplitConflicts()).some((k) => k.severity === 'blocking')).toBe(true);
});
