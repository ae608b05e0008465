/**
 * RELIABILITY scenario 15 (the database part): the audit trail is append-only for the app role and
 * hash-chained per org; verification passes on an intact chain and fails after a manual edit by the owner.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../db/schema/index.ts';
import { appendAudit, appendAuditEvents, verifyAuditChain } from '../../src/db/audit.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { createTestDatabase, expectPgError, type TestDatabase } from '../support/db.ts';
import { createOrg } from '../support/factories.ts';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  await t?.close();
});

const verify = (orgId: string) => withOrg(t.db, { orgId }, (tx) => verifyAuditChain(tx, orgId));

/** As the owner, with the append-only trigger off for this statement's transaction only. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
  });
}

async function orgWithEvents(count: number) {
  const org = await createOrg(t.db);
  await withOrg(t.db, { orgId: org.id }, async (tx) => {
    for (let i = 1; i <= count; i += 1) {
      await appendAudit(tx, {
        action: 'run.status_changed',
        entityType: 'run',
        entityId: `run-${i}`,
        actorLabel: 'manager@example.test',
        before: { status: 'draft', n: i },
        after: { status: 'solved', n: i, nested: { b: 2, a: [1, 'x', null] } },
      });
    }
  });
  return org.id;
}

describe('audit hash chain', () => {
  it('numbers events 1, 2, 3 … per org, links each to the previous and verifies', async () => {
    const org = await orgWithEvents(5);
    const other = await orgWithEvents(2);
    const rows = await withOrg(t.db, { orgId: org }, (tx) =>
      tx.select().from(auditEvents).orderBy(auditEvents.seq),
    );
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe('');
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(await verify(org)).toEqual({ ok: true, checked: 5 });
    expect(await verify(other)).toEqual({ ok: true, checked: 2 });
  });

  it('appends many events at once, in order, on one chain', async () => {
    const org = await orgWithEvents(1);
    const out = await withOrg(t.db, { orgId: org }, (tx) =>
      appendAuditEvents(
        tx,
        Array.from({ length: 1500 }, (_, i) => ({
          action: 'account.owner_changed',
          entityType: 'account',
          entityId: `a-${i}`,
          before: { owner: 'r1' },
          after: { owner: 'r2', at: new Date('2026-03-01T10:00:00Z') },
        })),
      ),
    );
    expect(out.map((e) => e.seq)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 2));
    expect(await verify(org)).toEqual({ ok: true, checked: 1501 });
  });

  it('keeps seq gap-free under concurrent appends', async () => {
    const org = (await createOrg(t.db)).id;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withOrg(t.db, { orgId: org }, (tx) =>
          appendAudit(tx, { action: 'test.concurrent', entityType: 'test', entityId: `${i}` }),
        ),
      ),
    );
    expect(await verify(org)).toEqual({ ok: true, checked: 20 });
  });

  it('fails verification at the event an owner edited by hand', async () => {
    const org = await orgWithEvents(4);
    await tamper(
      sql`update audit_events set after = '{"status":"approved"}'::jsonb where org_id = ${org} and seq = 3`,
    );
    expect(await verify(org)).toMatchObject({ ok: false, checked: 2, firstBadSeq: 3 });
  });

  it('fails verification when an event was deleted or re-linked', async () => {
    const deleted = await orgWithEvents(4);
    await tamper(sql`delete from audit_events where org_id = ${deleted} and seq = 2`);
    expect(await verify(deleted)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'event 2 is missing' });

    const relinked = await orgWithEvents(3);
    await tamper(sql`update audit_events set prev_hash = 'forged' where org_id = ${relinked} and seq = 3`);
    expect(await verify(relinked)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('refuses to append outside an org', async () => {
    await expect(t.db.transaction((tx) => appendAudit(tx, { action: 'x', entityType: 'y' }))).rejects.toThrow(
      /inside withOrg/,
    );
  });
});

describe('append-only for the app role', () => {
  it('refuses UPDATE, DELETE and TRUNCATE and leaves the chain intact', async () => {
    const org = await orgWithEvents(2);
    const asApp = (statement: ReturnType<typeof sql>) =>
      expectPgError(() => withOrg(t.db, { orgId: org }, (tx) => tx.execute(statement)));
    expect(await asApp(sql`update audit_events set action = 'forged' where org_id = ${org}`)).toBe('42501');
    expect(await asApp(sql`delete from audit_events where org_id = ${org}`)).toBe('42501');
    expect(await asApp(sql`truncate audit_events`)).toBe('42501');
    expect(await verify(org)).toEqual({ ok: true, checked: 2 });
  });

  it('refuses UPDATE and DELETE even for the owner while the trigger is on', async () => {
    const org = await orgWithEvents(1);
    const asOwner = (statement: ReturnType<typeof sql>) => expectPgError(() => t.db.execute(statement));
    expect(await asOwner(sql`update audit_events set action = 'forged' where org_id = ${org}`)).toBe('42501');
    expect(await asOwner(sql`delete from audit_events where org_id = ${org}`)).toBe('42501');
    const [row] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, org), eq(auditEvents.seq, 1)));
    expect(row?.action).toBe('run.status_changed');
  });
});
