/**
 * Isolation of the tables that are not keyed by org alone (orgs, users, memberships, sessions) and the
 * SECURITY DEFINER lookups that run before anyone is known.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { findApiKeyByHash, findSessionByTokenHash, findUserForLogin } from '../../src/db/auth-lookups.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { withOrg, withoutOrg } from '../../src/db/tenancy.ts';
import { createTestDatabase, expectPgError, type TestDatabase } from '../support/db.ts';
import { createOrgGraph } from '../support/factories.ts';

let t: TestDatabase;
let a: Awaited<ReturnType<typeof createOrgGraph>>;
let b: Awaited<ReturnType<typeof createOrgGraph>>;

beforeAll(async () => {
  t = await createTestDatabase();
  a = await createOrgGraph(t.db, 'global-a');
  b = await createOrgGraph(t.db, 'global-b');
});

afterAll(async () => {
  await t?.close();
});

describe('orgs', () => {
  it('shows the current org and the orgs the user belongs to, nothing else', async () => {
    const inOrg = await withOrg(t.db, { orgId: a.org.id }, (tx) => tx.select({ id: s.orgs.id }).from(s.orgs));
    expect(inOrg.map((r) => r.id)).toEqual([a.org.id]);
    const asUser = await withoutOrg(t.db, { userId: b.user.id }, (tx) =>
      tx.select({ id: s.orgs.id }).from(s.orgs),
    );
    expect(asUser.map((r) => r.id)).toEqual([b.org.id]);
    const anonymous = await withoutOrg(t.db, {}, (tx) => tx.select({ id: s.orgs.id }).from(s.orgs));
    expect(anonymous).toEqual([]);
  });

  it('cannot change another org or create one under a foreign id', async () => {
    const changed = await withOrg(t.db, { orgId: a.org.id, userId: a.user.id }, (tx) =>
      tx.update(s.orgs).set({ twoPersonApproval: true }).where(eq(s.orgs.id, b.org.id)).returning(),
    );
    expect(changed).toEqual([]);
    const code = await expectPgError(() =>
      withOrg(t.db, { orgId: a.org.id }, (tx) =>
        tx.insert(s.orgs).values({ name: 'Intruder', slug: 'intruder' }),
      ),
    );
    expect(code).toBe('42501');
  });
});

describe('users', () => {
  it('shows members of the current org and the user themself, never members of another org', async () => {
    const visible = await withOrg(t.db, { orgId: a.org.id, userId: a.user.id }, (tx) =>
      tx.select({ id: s.users.id }).from(s.users),
    );
    expect(visible.map((r) => r.id)).toEqual([a.user.id]);
    const self = await withoutOrg(t.db, { userId: b.user.id }, (tx) =>
      tx.select({ id: s.users.id }).from(s.users),
    );
    expect(self.map((r) => r.id)).toEqual([b.user.id]);
    const anonymous = await withoutOrg(t.db, {}, (tx) => tx.select({ id: s.users.id }).from(s.users));
    expect(anonymous).toEqual([]);
  });

  it('lets a user edit only their own profile', async () => {
    const other = await withOrg(t.db, { orgId: a.org.id, userId: a.user.id }, (tx) =>
      tx.update(s.users).set({ name: 'Hijacked' }).where(eq(s.users.id, b.user.id)).returning(),
    );
    expect(other).toEqual([]);
    const own = await withoutOrg(t.db, { userId: a.user.id }, (tx) =>
      tx
        .update(s.users)
        .set({ name: 'Renamed' })
        .where(eq(s.users.id, a.user.id))
        .returning({ id: s.users.id }),
    );
    expect(own).toHaveLength(1);
  });
});

describe('memberships', () => {
  it('shows a signed-in user their own memberships across orgs, and no one else’s', async () => {
    const rows = await withoutOrg(t.db, { userId: a.user.id }, (tx) => tx.select().from(s.memberships));
    expect(rows.map((r) => r.orgId)).toEqual([a.org.id]);
    const cross = await withOrg(t.db, { orgId: a.org.id, userId: a.user.id }, (tx) =>
      tx.select().from(s.memberships).where(eq(s.memberships.orgId, b.org.id)),
    );
    expect(cross).toEqual([]);
  });

  it('cannot be created in another org, even for oneself', async () => {
    const code = await expectPgError(() =>
      withOrg(t.db, { orgId: a.org.id, userId: a.user.id }, (tx) =>
        tx.insert(s.memberships).values({ orgId: b.org.id, userId: a.user.id, role: 'admin' }),
      ),
    );
    expect(code).toBe('42501');
  });
});

describe('sessions', () => {
  it('are visible and removable only by their own user', async () => {
    const own = await withoutOrg(t.db, { userId: a.user.id }, (tx) =>
      tx.select({ id: s.sessions.id }).from(s.sessions),
    );
    expect(own.map((r) => r.id)).toEqual([a.session.id]);
    const removed = await withoutOrg(t.db, { userId: a.user.id }, (tx) =>
      tx.delete(s.sessions).where(eq(s.sessions.id, b.session.id)).returning(),
    );
    expect(removed).toEqual([]);
    const code = await expectPgError(() =>
      withoutOrg(t.db, { userId: a.user.id }, (tx) =>
        tx.insert(s.sessions).values({
          userId: b.user.id,
          tokenHash: 'forged',
          csrfToken: 'x',
          expiresAt: new Date(Date.now() + 60_000),
        }),
      ),
    );
    expect(code).toBe('42501');
  });
});

describe('lookups before anyone is known', () => {
  it('find a session by token hash, only while it has not expired', async () => {
    const found = await withoutOrg(t.db, {}, (tx) => findSessionByTokenHash(tx, a.session.tokenHash));
    expect(found).toMatchObject({ id: a.session.id, userId: a.user.id, activeOrgId: a.org.id });
    await t.db
      .update(s.sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(s.sessions.id, b.session.id));
    expect(await withoutOrg(t.db, {}, (tx) => findSessionByTokenHash(tx, b.session.tokenHash))).toBeNull();
    expect(await withoutOrg(t.db, {}, (tx) => findSessionByTokenHash(tx, 'no such token'))).toBeNull();
  });

  it('find a user by email, case-insensitively, with only the login fields', async () => {
    const found = await withoutOrg(t.db, {}, (tx) => findUserForLogin(tx, a.user.email.toUpperCase()));
    expect(found).toMatchObject({ id: a.user.id, email: a.user.email, passwordHash: a.user.passwordHash });
    expect(await withoutOrg(t.db, {}, (tx) => findUserForLogin(tx, 'nobody@example.test'))).toBeNull();
  });

  it('find an API key by hash with its org and role; a revoked key is not found', async () => {
    const found = await withoutOrg(t.db, {}, (tx) => findApiKeyByHash(tx, a.apiKey.keyHash));
    expect(found).toMatchObject({ id: a.apiKey.id, orgId: a.org.id, role: 'analyst' });
    await t.db.update(s.apiKeys).set({ revokedAt: new Date() }).where(eq(s.apiKeys.id, b.apiKey.id));
    expect(await withoutOrg(t.db, {}, (tx) => findApiKeyByHash(tx, b.apiKey.keyHash))).toBeNull();
  });

  it('the app role cannot call the migration helper that changes table security', async () => {
    const code = await expectPgError(() =>
      withoutOrg(t.db, {}, (tx) => queryRows(tx, sql`select bookshift_secure_table('accounts')`)),
    );
    expect(code).toBe('42501');
  });
});
