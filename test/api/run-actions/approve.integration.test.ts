/**
 * RELIABILITY 5, the approval gate, through the app: commit without approval, approval of a changed proposal,
 * approval by a non-manager, self-approval under the two-person rule, approval with a blocking conflict open —
 * all refused, nothing committed. A manager's approval pins the proposal's hash and is audited.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { ErrorBodySchema } from '../../../src/api/errors.ts';
import { ApproveResponseSchema } from '../../../src/api/routes/run-actions/run-actions.routes.ts';
import { ROLES, type Role } from '../../../src/lib/roles.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  signedIn,
} from '../../app/harness.ts';
import { commitFootprint, createRunFixture } from './run-fixture.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
const keys = {} as Record<Role, string>;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Approval Org');
  for (const role of ROLES) keys[role] = (await apiKeyFor(h, org.id, role)).key;
});
afterAll(async () => {
  await h?.close();
});

function post(path: string, role: Role, body?: unknown) {
  return h.app.request(`${ORIGIN}/v1${path}`, {
    method: 'POST',
    headers: { ...bearer(keys[role]), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('approval gate (RELIABILITY 5)', () => {
  it('a manager approves a reviewed run: the proposal hash is pinned and the approval audited', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const res = await post(`/runs/${f.run.id}/approve`, 'manager', {
      expectedHash: f.hash,
      expectedVersion: 1,
      note: 'Looks right.',
    });
    expect(res.status).toBe(200);
    const body = ApproveResponseSchema.parse(await jsonOf(res));
    expect(body.run.status).toBe('approved');
    expect(body.run.approvedHash).toBe(f.hash);
    const [event] = await h.db.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.approved')));
    expect(event?.before).toEqual({ status: 'in_review' });
    expect(event?.after).toMatchObject({ status: 'approved', approvedHash: f.hash, version: 1, changes: 4 });
  });

  it('commit without approval is refused and commits nothing', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const ids = f.accounts.map((a) => a.id);
    const before = await commitFootprint(h.db.db, f.run.id, ids);
    const res = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(res.status).toBe(409);
    const err = ErrorBodySchema.parse(await jsonOf(res));
    expect(err.message).toMatch(/approve the current proposal/);
    expect(await commitFootprint(h.db.db, f.run.id, ids)).toEqual(before);
  });

  it('only managers approve: admin, analyst, rep and finance get 403 and change nothing', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    for (const role of ['admin', 'analyst', 'rep', 'finance'] as const) {
      const res = await post(`/runs/${f.run.id}/approve`, role, { expectedHash: f.hash });
      expect(res.status, role).toBe(403);
      const res2 = await post(`/runs/${f.run.id}/commit`, role);
      expect(res2.status, role).toBe(403);
    }
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run?.status).toBe('in_review');
    expect(run?.approvedHash).toBeNull();
  });

  it('a proposal changed after approval cannot be committed: "approve again", nothing written', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash })).status).toBe(200);
    // An override written without voiding the approval (the guard must not rely on the writer).
    await h.db.db
      .update(s.runAssignments)
      .set({ toRepId: f.receivers[1]!.id })
      .where(eq(s.runAssignments.accountId, f.accounts[0]!.id));
    const ids = f.accounts.map((a) => a.id);
    const before = await commitFootprint(h.db.db, f.run.id, ids);
    const res = await post(`/runs/${f.run.id}/commit`, 'manager');
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).message).toBe('The proposal changed since approval; approve again.');
    expect(await commitFootprint(h.db.db, f.run.id, ids)).toEqual(before);
  });

  it('approving a version other than the one reviewed is refused', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const res = await post(`/runs/${f.run.id}/approve`, 'manager', {
      expectedHash: f.hash,
      expectedVersion: 7,
    });
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).message).toMatch(/changed since you reviewed it/);
    const stale = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: 'f'.repeat(64) });
    expect(stale.status).toBe(409);
  });

  it('an open blocking conflict refuses approval and is listed; resolved, approval passes', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const [conflict] = await h.db.db
      .insert(s.conflicts)
      .values({
        orgId: org.id,
        runId: f.run.id,
        accountId: f.accounts[0]!.id,
        kind: 'deal_closing_soon',
        severity: 'blocking',
        message: 'A deal closes in 5 days.',
      })
      .returning();
    await h.db.db.insert(s.conflicts).values({
      orgId: org.id,
      runId: f.run.id,
      kind: 'owner_inactive',
      severity: 'warning',
      message: 'Warning only.',
    });
    const res = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash });
    expect(res.status).toBe(409);
    const body = await jsonOf(res);
    expect(body.details.conflicts).toEqual([
      expect.objectContaining({ kind: 'deal_closing_soon', accountId: f.accounts[0]!.id }),
    ]);
    await h.db.db
      .update(s.conflicts)
      .set({ resolution: 'accept', resolvedAt: new Date(), note: 'Closing rep keeps the deal.' })
      .where(eq(s.conflicts.id, conflict!.id));
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash })).status).toBe(200);
  });

  it('an approval must name the reviewed hash: no body, an empty body or no expectedHash → 400, nothing approved', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    expect((await post(`/runs/${f.run.id}/approve`, 'manager')).status).toBe(400);
    expect((await post(`/runs/${f.run.id}/approve`, 'manager', {})).status).toBe(400);
    const res = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedVersion: 1 });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await jsonOf(res))).toContain('expectedHash');
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run?.status).toBe('in_review');
  });

  it('a draft, a committed or a cancelled run cannot be approved; an unknown run is 404', async () => {
    for (const status of ['draft', 'solving', 'committed', 'cancelled'] as const) {
      const f = await createRunFixture(h.db.db, org.id, { status });
      const res = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash });
      expect(res.status, status).toBe(409);
    }
    const missing = await post('/runs/00000000-0000-4000-8000-000000000000/approve', 'manager', {
      expectedHash: 'f'.repeat(64),
    });
    expect(missing.status).toBe(404);
  });

  it('a proposal leaving an account without an owner cannot be approved', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    await h.db.db
      .update(s.runAssignments)
      .set({ toRepId: null })
      .where(eq(s.runAssignments.accountId, f.accounts[1]!.id));
    const res = await post(`/runs/${f.run.id}/approve`, 'manager', { expectedHash: f.hash });
    expect(res.status).toBe(409);
    expect((await jsonOf(res)).details.unassigned[0].accountId).toBe(f.accounts[1]!.id);
  });
});

describe('two-person rule', () => {
  it('the drafter cannot approve their own run, nor can an API key; another manager can', async () => {
    const strict = await createOrgWithUsers(h, 'Two-person Org');
    await h.db.db.update(s.orgs).set({ twoPersonApproval: true }).where(eq(s.orgs.id, strict.id));
    const drafter = strict.users.manager;
    const other = await (await import('../../app/harness.ts')).createUser(h, strict.id, 'manager');
    const f = await createRunFixture(h.db.db, strict.id, { draftedBy: drafter.id });

    const self = await signedIn(h, drafter);
    const url = `/v1/runs/${f.run.id}/approve`;
    const selfRes = await self.request(url, {
      method: 'POST',
      headers: { 'x-csrf-token': self.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ expectedHash: f.hash }),
    });
    expect(selfRes.status).toBe(403);
    expect((await jsonOf(selfRes)).message).toMatch(/another manager must approve/);

    const key = (await apiKeyFor(h, strict.id, 'manager')).key;
    const keyRes = await h.app.request(`${ORIGIN}${url}`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ expectedHash: f.hash }),
    });
    expect(keyRes.status).toBe(403);

    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run?.status).toBe('in_review');

    const second = await signedIn(h, other);
    const ok = await second.request(url, {
      method: 'POST',
      headers: { 'x-csrf-token': second.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ expectedHash: f.hash }),
    });
    expect(ok.status).toBe(200);
    expect((await jsonOf(ok)).run.approvedBy).toBe(other.id);
  });
});
