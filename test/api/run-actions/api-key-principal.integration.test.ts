/**
 * An API key is a principal of its own: it knows its name, role and creator (GET /v1/me); a run it approves and
 * commits names the key as a run a person approves names the person (approvedBy / committedBy with their type,
 * in the run, the action's answer, the change set and the export's approved_by column); and a revoked key is
 * refused from the next request on.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { createApiKey } from '../../../src/services/auth/api-keys.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
} from '../../app/harness.ts';
import { createRunFixture } from './run-fixture.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Key Principal Org');
});
afterAll(async () => {
  await h?.close();
});

/** A manager key created by the org's manager (as the API keys page creates it). */
async function managerKey(name: string) {
  const manager = org.users.manager;
  const principal: Principal = {
    kind: 'session',
    orgId: org.id,
    orgName: org.name,
    role: 'manager',
    userId: manager.id,
    email: manager.email,
  };
  return createApiKey({
    ctx: { db: h.db.db, clock: () => h.clock.now, principal },
    input: { name, role: 'manager' },
  });
}

function call(key: string, method: string, path: string, body?: unknown) {
  return h.app.request(`${ORIGIN}/v1${path}`, {
    method,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('API keys are principals', () => {
  it('a key knows its name, role and creator', async () => {
    const key = await managerKey('CRM sync');
    const res = await call(key.key, 'GET', '/me');
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({
      kind: 'api_key',
      role: 'manager',
      apiKeyId: key.apiKey.id,
      apiKeyName: 'CRM sync',
      apiKeyCreatedBy: org.users.manager.id,
    });
  });

  it('a key that approves and commits is named by every record of it, as a person is', async () => {
    const key = await managerKey('Nightly approver');
    const f = await createRunFixture(h.db.db, org.id);
    const approved = await call(key.key, 'POST', `/runs/${f.run.id}/approve`, { expectedHash: f.hash });
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect((await jsonOf(approved)).run).toMatchObject({
      approvedBy: key.apiKey.id,
      approvedByType: 'api_key',
    });

    const committed = await call(key.key, 'POST', `/runs/${f.run.id}/commit`);
    expect(committed.status, await committed.clone().text()).toBe(200);
    const commit = await jsonOf(committed);
    expect(commit.run).toMatchObject({
      approvedBy: key.apiKey.id,
      approvedByType: 'api_key',
      committedBy: key.apiKey.id,
      committedByType: 'api_key',
    });
    expect(commit.changeSet).toMatchObject({ createdBy: key.apiKey.id, createdByType: 'api_key' });

    const run = await jsonOf(await call(key.key, 'GET', `/runs/${f.run.id}`));
    expect(run).toMatchObject({
      approvedBy: key.apiKey.id,
      approvedByType: 'api_key',
      committedBy: key.apiKey.id,
      committedByType: 'api_key',
    });

    const file = await call(key.key, 'GET', `/runs/${f.run.id}/exports/neutral`);
    expect(file.status).toBe(200);
    const [header, first] = (await file.text()).split('\r\n');
    const column = header!.split(',').indexOf('approved_by');
    expect(column).toBeGreaterThan(-1);
    expect(first).toContain('API key ""Nightly approver""');

    // The audit trail names the key too.
    const events = await h.db.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.committed')));
    expect(events[0]).toMatchObject({ actorApiKeyId: key.apiKey.id, actorLabel: 'Nightly approver' });
  });

  it('a run a person approves still names the person', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const manager = org.users.manager;
    await h.db.db
      .update(s.runs)
      .set({ status: 'approved', approvedBy: manager.id, approvedHash: f.hash, approvedAt: new Date() })
      .where(eq(s.runs.id, f.run.id));
    const key = await managerKey('Reader');
    const run = await jsonOf(await call(key.key, 'GET', `/runs/${f.run.id}`));
    expect(run).toMatchObject({
      approvedBy: manager.id,
      approvedByType: 'user',
      committedBy: null,
      committedByType: null,
    });
  });

  it('the database refuses a record naming both a person and a key', async () => {
    const f = await createRunFixture(h.db.db, org.id);
    const key = await managerKey('Both');
    await expect(
      h.db.db
        .update(s.runs)
        .set({ approvedBy: org.users.manager.id, approvedByApiKeyId: key.apiKey.id })
        .where(eq(s.runs.id, f.run.id)),
    ).rejects.toThrow();
  });

  it('a revoked key is refused from the very next request', async () => {
    const key = await managerKey('Soon revoked');
    const admin = await apiKeyFor(h, org.id, 'admin', 'Revoker');
    expect((await call(key.key, 'GET', '/me')).status).toBe(200);
    const revoked = await call(admin.key, 'DELETE', `/api-keys/${key.apiKey.id}`);
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    expect((await jsonOf(revoked)).revokedAt).not.toBeNull();
    const after = await call(key.key, 'GET', '/me');
    expect(after.status).toBe(401);
    const f = await createRunFixture(h.db.db, org.id);
    expect((await call(key.key, 'POST', `/runs/${f.run.id}/approve`, { expectedHash: f.hash })).status).toBe(
      401,
    );
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run?.status).toBe('in_review');
  });
});
