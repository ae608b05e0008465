/**
 * Authority that cannot be laundered through an API key: a key never carries more than its creator may do.
 * Observed before: an admin (who may not approve) minted a manager key and approved and committed with it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys } from '../../db/schema/index.ts';
import {
  apiKeyFor,
  type Browser,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  signedIn,
} from '../app/harness.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Key Authority Org');
});
afterAll(async () => {
  await h?.close();
});

async function keyRoles() {
  const rows = await h.db.db.select({ role: apiKeys.role }).from(apiKeys).where(eq(apiKeys.orgId, org.id));
  return rows.map((r) => r.role).sort();
}

function createKeyAs(b: Browser, role: string) {
  return b.request('/v1/api-keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrfToken },
    body: JSON.stringify({ name: `wants ${role}`, role }),
  });
}

describe('API keys carry at most their creator’s authority', () => {
  it('an admin (who may not approve or commit) cannot mint a manager key: 403 naming the role field, nothing stored', async () => {
    const admin = await signedIn(h, org.users.admin);
    const before = await keyRoles();
    const res = await createKeyAs(admin, 'manager');
    expect(res.status).toBe(403);
    const body = await jsonOf(res);
    expect(body.code).toBe('FORBIDDEN');
    expect(body.details).toEqual([expect.objectContaining({ path: 'role' })]);
    expect(body.details[0].message).toMatch(/admin, finance, rep/);
    expect(await keyRoles()).toEqual(before);
  });

  it('an admin key cannot mint a manager key either (no laundering through a key)', async () => {
    const adminKey = await apiKeyFor(h, org.id, 'admin');
    const res = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(adminKey.key), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'laundered', role: 'manager' }),
    });
    expect(res.status).toBe(403);
    expect((await keyRoles()).filter((r) => r === 'manager')).toEqual([]);
  });

  it('an admin cannot mint an analyst key (analysts draft and solve runs, admins do not)', async () => {
    const admin = await signedIn(h, org.users.admin);
    expect((await createKeyAs(admin, 'analyst')).status).toBe(403);
  });

  it('the admin page offers only the roles an admin may grant and refuses a forged manager role', async () => {
    const admin = await signedIn(h, org.users.admin);
    const { html } = await admin.page('/admin/api-keys');
    const options = [...html.matchAll(/<option value="(\w+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['admin', 'finance', 'rep']);
    const forged = await admin.request('/admin/api-keys', {
      method: 'POST',
      form: { _csrf: admin.csrfToken, name: 'forged', role: 'manager' },
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('id="key-role-error"');
    expect((await keyRoles()).filter((r) => r === 'manager')).toEqual([]);
  });

  it('a manager creates their own manager key, which approves as a manager; not an admin key', async () => {
    const manager = await signedIn(h, org.users.manager);
    const res = await createKeyAs(manager, 'manager');
    expect(res.status).toBe(201);
    const { key } = await jsonOf(res);
    const me = await jsonOf(await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(key) }));
    expect(me.role).toBe('manager');
    expect((await createKeyAs(manager, 'admin')).status).toBe(403);
  });

  it('a manager sees and revokes their own keys, not an admin’s', async () => {
    const adminKey = await apiKeyFor(h, org.id, 'admin', 'admin’s integration');
    const manager = await signedIn(h, org.users.manager);
    const created = await jsonOf(await createKeyAs(manager, 'analyst'));
    const list = await jsonOf(
      await manager.request('/v1/api-keys', { headers: { 'x-csrf-token': manager.csrfToken } }),
    );
    const ids = list.data.map((k: { id: string }) => k.id);
    expect(ids).toContain(created.apiKey.id);
    expect(ids).not.toContain(adminKey.apiKey.id);
    const revokeOther = await manager.request(`/v1/api-keys/${adminKey.apiKey.id}`, {
      method: 'DELETE',
      headers: { 'x-csrf-token': manager.csrfToken },
    });
    expect(revokeOther.status).toBe(404);
    expect((await h.app.request(`${ORIGIN}/v1/me`, { headers: bearer(adminKey.key) })).status).toBe(200);
  });
});
