/**
 * Commit (F8) and cancel through the app: the happy path writes owners, opportunities, commission splits (new
 * effective-dated rows), the change set and its items (read back through the contract), the audit book and
 * transitions, and the outbox; a stale owner refuses the whole commit and names the account; a second commit
 * returns the same change set; cancellation stops a solve and refuses a committed run.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import {
  CancelResponseSchema,
  CommitResponseSchema,
} from '../../../src/api/routes/run-actions/run-actions.routes.ts';
import { verifyAuditChain } from '../../../src/db/audit.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import type { Role } from '../../../src/lib/roles.ts';
import { parseChangeItem } from '../../../src/workflow/change-set-items.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
} from '../../app/harness.ts';
import { commitFootprint, createRunFixture, proposalHash } from './run-fixture.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
const keys = {} as Partial<Record<Role, string>>;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Commit Org');
  for (const role of ['manager', 'analyst', 'rep'] as const)
    keys[role] = (await apiKeyFor(h, org.id, role)).key;
});
afterAll(async () => {
  await h?.close();
});

function post(path: string, role: Role, body?: unknown) {
  return h.app.request(`${ORIGIN}/v1${path}`, {
    method: 'POST',
    headers: {
      ...bearer(keys[role]!),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('commit', () => {
  it('writes owners, deals, splits, the change set, audit book and transitions, and the outbox — once', async () => {
    const f = await createRunFixture(h.db.db, org.id, {
      scope: 'open_opportunities',
      deals: true,
      params: { commissionType: 'direct_transfer' },
    });
    const approved = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash });
    expect(approved.status, await approved.clone().text()).toBe(200);
    const res = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(res.status).toBe(200);
    const body = CommitResponseSchema.parse(await jsonOf(res));
    expect(body.run.status).toBe('committed');
    expect(body.changeSet.hash).toBe(f.hash);
    expect(body.changeSet.counts).toMatchObject({ accounts: 4, opportunities: 4, splits: 4 });
    expect(body.changeSet.itemCount).toBe(12);

    // Owners: each account and its deal now belong to the planned receiver.
    const accounts = await h.db.db
      .select()
      .from(s.accounts)
      .where(
        inArray(
          s.accounts.id,
          f.accounts.map((a) => a.id),
        ),
      );
    for (const [i, a] of f.accounts.entries()) {
      const now = accounts.find((x) => x.id === a.id)!;
      expect(now.ownerRepId).toBe(f.receivers[i % 2]!.id);
    }
    const deals = await h.db.db
      .select()
      .from(s.opportunities)
      .where(
        inArray(
          s.opportunities.id,
          f.opportunities.map((o) => o.id),
        ),
      );
    for (const d of deals) expect(d.ownerRepId).not.toBe(f.departing.id);

    // Splits (type B): the old rows end on the end date, new rows from the reassignment date; none edited.
    const splits = await h.db.db
      .select()
      .from(s.commissionSplits)
      .where(eq(s.commissionSplits.opportunityId, f.opportunities[0]!.id))
      .orderBy(asc(s.commissionSplits.effectiveFrom), asc(s.commissionSplits.bps));
    expect(splits.map((r) => [r.repId, r.bps, r.effectiveFrom, r.effectiveTo])).toEqual([
      [f.house.id, 4500, '2026-01-15', '2026-06-30'],
      [f.departing.id, 5500, '2026-01-15', '2026-06-30'],
      [f.house.id, 4500, '2026-07-01', null],
      [f.receivers[0]!.id, 5500, '2026-07-01', null],
    ]);

    // The change set and its items, read back through the contract.
    const items = await h.db.db
      .select()
      .from(s.changeSetItems)
      .where(eq(s.changeSetItems.changeSetId, body.changeSet.id))
      .orderBy(asc(s.changeSetItems.seq));
    expect(items.map((i) => i.object)).toEqual([
      ...Array(4).fill('account'),
      ...Array(4).fill('opportunity'),
      ...Array(4).fill('split'),
    ]);
    for (const item of items) {
      const payload = parseChangeItem(item);
      if (payload.object === 'account') {
        expect(payload.before.repId).toBe(f.departing.id);
        expect(payload.after.name).toMatch(/Receiver/);
      }
      if (payload.object === 'split') {
        expect(payload.after.edit?.rowsToEnd).toHaveLength(2);
        expect(payload.after.participants.find((p) => p.role === 'rep')?.bps).toBe(5500);
      }
    }

    // Audit: one event per transition and the run's whole book before and after; the chain verifies.
    const events = await h.db.db
      .select()
      .from(s.auditEvents)
      .where(eq(s.auditEvents.runId, f.run.id))
      .orderBy(asc(s.auditEvents.seq));
    expect(events.map((e) => e.action)).toEqual([
      'run.approved',
      'run.commit_started',
      'run.book_changed',
      'run.committed',
    ]);
    const book = events[2]!;
    const before = (book.before as { accounts: { accountId: string; ownerRepId: string }[] }).accounts;
    const after = (book.after as { accounts: { accountId: string; ownerRepId: string }[] }).accounts;
    expect(before).toHaveLength(4);
    expect(before.every((l) => l.ownerRepId === f.departing.id)).toBe(true);
    expect(after.every((l) => f.receivers.some((r) => r.id === l.ownerRepId))).toBe(true);
    expect(events[1]!.before).toEqual({ status: 'approved' });
    expect(events[3]!.after).toMatchObject({ status: 'committed', changeSetId: body.changeSet.id });
    const chain = await withOrg(h.db.db, { orgId: org.id }, (tx) => verifyAuditChain(tx, org.id));
    expect(chain.ok).toBe(true);

    // Outbox: a digest per receiver and one for the departing rep (what leaves them), one for the departing rep's
    // manager, summaries for managers and finance.
    const notices = await h.db.db.select().from(s.notices).where(eq(s.notices.runId, f.run.id));
    const kinds = notices.map((n) => n.kind).sort();
    expect(kinds).toEqual([
      'finance_summary',
      'losing_rep',
      'losing_rep_manager',
      'manager_summary',
      'receiving_rep',
      'receiving_rep',
    ]);
    expect(notices.every((n) => n.status === 'pending')).toBe(true);
    expect(body.changeSet.counts.notices).toBe(6);

    // Again: the same result, nothing applied twice.
    const again = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(again.status).toBe(200);
    expect(await jsonOf(again)).toEqual(body);
    const footprint = await commitFootprint(
      h.db.db,
      f.run.id,
      f.accounts.map((a) => a.id),
    );
    expect(footprint).toMatchObject({ changeSets: 1, notices: 6, committedEvents: 1, status: 'committed' });
  });

  it('an account whose owner changed since planning refuses the whole commit and is reported; nothing is written', async () => {
    const f = await createRunFixture(h.db.db, org.id, { accounts: 5 });
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash })).status).toBe(200);
    const elsewhere = f.manager.id;
    await h.db.db
      .update(s.accounts)
      .set({ ownerRepId: elsewhere })
      .where(eq(s.accounts.id, f.accounts[2]!.id));
    const ids = f.accounts.map((a) => a.id);
    const before = await commitFootprint(h.db.db, f.run.id, ids);
    const res = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(res.status).toBe(409);
    const body = await jsonOf(res);
    expect(body.message).toMatch(/changed owner since the run was planned/);
    expect(body.details.staleAccounts).toEqual([
      {
        accountId: f.accounts[2]!.id,
        crmId: f.accounts[2]!.crmId,
        name: f.accounts[2]!.name,
        plannedOwnerRepId: f.departing.id,
        currentOwnerRepId: elsewhere,
      },
    ]);
    expect(await commitFootprint(h.db.db, f.run.id, ids)).toEqual(before);
    expect(before.status).toBe('approved');
  });

  it('excluded accounts and accounts that keep their owner are not touched', async () => {
    const f = await createRunFixture(h.db.db, org.id, { accounts: 4 });
    await h.db.db
      .update(s.runAssignments)
      .set({ excluded: true })
      .where(eq(s.runAssignments.accountId, f.accounts[0]!.id));
    await h.db.db
      .update(s.runAssignments)
      .set({ toRepId: f.departing.id })
      .where(eq(s.runAssignments.accountId, f.accounts[1]!.id));
    // Written behind the service's back: approval refuses until the stored hash describes the assignments again.
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash })).status).toBe(409);
    const receiverIds = f.receivers.map((r) => r.id);
    const hash = proposalHash(f.run.id, f.accounts.slice(2), f.departing.id, receiverIds);
    await h.db.db.update(s.runs).set({ proposalHash: hash }).where(eq(s.runs.id, f.run.id));
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: hash })).status).toBe(200);
    const res = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).changeSet.counts.accounts).toBe(2);
    const owners = await h.db.db
      .select({ id: s.accounts.id, owner: s.accounts.ownerRepId })
      .from(s.accounts)
      .where(inArray(s.accounts.id, [f.accounts[0]!.id, f.accounts[1]!.id]));
    expect(owners.every((o) => o.owner === f.departing.id)).toBe(true);
  });

  it('concurrent commits of one run: exactly one applies, all return the same change set', async () => {
    const f = await createRunFixture(h.db.db, org.id, { accounts: 6, approved: true });
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post(`/runs/${f.run.id}/commit`, 'manager')),
    );
    const bodies = await Promise.all(responses.map((r) => jsonOf(r)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    const footprint = await commitFootprint(
      h.db.db,
      f.run.id,
      f.accounts.map((a) => a.id),
    );
    expect(footprint).toMatchObject({ changeSets: 1, committedEvents: 1, status: 'committed' });
  });
});

describe('cancel', () => {
  it('cancels a solving run and its queued solve job, with the reason audited', async () => {
    const f = await createRunFixture(h.db.db, org.id, { status: 'solving' });
    const [job] = await h.db.db
      .insert(s.jobs)
      .values({ orgId: org.id, kind: 'solve', runId: f.run.id, dedupeKey: `solve:${f.run.id}` })
      .returning();
    const res = await post(`/runs/${f.run.id}/cancel`, 'analyst', { reason: 'The rep stays after all.' });
    expect(res.status).toBe(200);
    const body = CancelResponseSchema.parse(await jsonOf(res));
    expect(body.run.status).toBe('cancelled');
    expect(body.jobs).toEqual([{ id: job!.id, outcome: 'cancelled' }]);
    const [jobNow] = await h.db.db.select().from(s.jobs).where(eq(s.jobs.id, job!.id));
    expect(jobNow?.status).toBe('cancelled');
    const [event] = await h.db.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.cancelled')));
    expect(event?.before).toEqual({ status: 'solving' });
    expect(event?.after).toMatchObject({ status: 'cancelled', reason: 'The rep stays after all.' });
  });

  it('a running solve is asked to stop (cancelling); an approved run can be cancelled and then not committed', async () => {
    const f = await createRunFixture(h.db.db, org.id, { status: 'solving' });
    await h.db.db.insert(s.jobs).values({ orgId: org.id, kind: 'solve', runId: f.run.id, status: 'running' });
    const res = await post(`/runs/${f.run.id}/cancel`, 'manager', { reason: 'Wrong scope.' });
    expect((await jsonOf(res)).jobs[0].outcome).toBe('cancelling');

    const g = await createRunFixture(h.db.db, org.id, { approved: true });
    // A manager's approval is undone by a manager only: an analyst is refused and nothing changes.
    expect((await post(`/runs/${g.run.id}/cancel`, 'analyst', { reason: 'Not mine to stop.' })).status).toBe(
      403,
    );
    const [still] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, g.run.id));
    expect(still?.status).toBe('approved');
    expect((await post(`/runs/${g.run.id}/cancel`, 'manager', { reason: 'Postponed.' })).status).toBe(200);
    const commit = await post(`/runs/${g.run.id}/commit`, 'manager');
    expect(commit.status).toBe(409);
  });

  it('a committed run is refused with "roll it back instead"; a reason is required; reps cannot cancel', async () => {
    const f = await createRunFixture(h.db.db, org.id, { status: 'committed' });
    const res = await post(`/runs/${f.run.id}/cancel`, 'manager', { reason: 'Oops.' });
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).message).toMatch(/roll it back instead/);
    const g = await createRunFixture(h.db.db, org.id);
    expect((await post(`/runs/${g.run.id}/cancel`, 'manager', { reason: '   ' })).status).toBe(400);
    expect((await post(`/runs/${g.run.id}/cancel`, 'manager', {})).status).toBe(400);
    expect((await post(`/runs/${g.run.id}/cancel`, 'rep', { reason: 'No.' })).status).toBe(403);
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, g.run.id));
    expect(run?.status).toBe('in_review');
  });
});
