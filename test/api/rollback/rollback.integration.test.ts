/** The HTTP side of F9–F12 on a committed run: rollback window by the app clock, idempotency, exports, notices, audit. */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { fromCsv } from '../../../src/exports/csv-safe.ts';
import { apiKeyFor, bearer, createHarness, type Harness, jsonOf, ORIGIN } from '../../app/harness.ts';
import { createCommittedRun } from '../../services/after/committed-run.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const HOUR = 3_600_000;

async function setup() {
  const committedAt = new Date('2026-07-01T10:00:00.000Z');
  const f = await createCommittedRun(h.db.db, {
    accounts: 2,
    committedAt,
    windowHours: 48,
    names: ['=HYPERLINK("x")', 'Acme, "Inc"'],
  });
  const keys = {
    manager: (await apiKeyFor(h, f.org.id, 'manager')).key,
    analyst: (await apiKeyFor(h, f.org.id, 'analyst')).key,
    rep: (await apiKeyFor(h, f.org.id, 'rep')).key,
  };
  return { f, keys, committedAt };
}

const post = (path: string, key: string, headers: Record<string, string> = {}, body?: unknown) =>
  h.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      ...bearer(key),
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const get = (path: string, key: string) => h.app.request(`${ORIGIN}${path}`, { headers: bearer(key) });

describe('POST /v1/runs/{id}/rollback', () => {
  it('refuses just outside the window with the deadline, accepts inside, and repeats return the first result', async () => {
    const { f, keys, committedAt } = await setup();
    h.clock.now = new Date(committedAt.getTime() + 48 * HOUR + 1);
    const late = await post(`/v1/runs/${f.run.id}/rollback`, keys.manager);
    expect(late.status).toBe(409);
    expect((await jsonOf(late)).message).toContain('2026-07-03T10:00:00.000Z');

    h.clock.now = new Date(committedAt.getTime() + 48 * HOUR);
    const analyst = await post(`/v1/runs/${f.run.id}/rollback`, keys.analyst);
    expect(analyst.status).toBe(403);
    const tooShort = await post(`/v1/runs/${f.run.id}/rollback`, keys.manager, {}, { reason: 'x' });
    expect(tooShort.status).toBe(400);
    expect((await jsonOf(tooShort)).details[0].path).toBe('reason');
    const reason = 'Approved against the wrong territory map';
    const first = await post(
      `/v1/runs/${f.run.id}/rollback`,
      keys.manager,
      { 'Idempotency-Key': 'rollback-key-0001' },
      { reason },
    );
    expect(first.status).toBe(200);
    const [event] = await h.db.db
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, f.run.id), eq(s.auditEvents.action, 'run.rolled_back')));
    expect((event!.after as { reason: string }).reason).toBe(reason);
    const body = await jsonOf(first);
    expect(body).toMatchObject({
      status: 'rolled_back',
      restored: { accounts: 2, opportunities: 2, splits: 2 },
      conflicts: [],
    });
    const replay = await post(
      `/v1/runs/${f.run.id}/rollback`,
      keys.manager,
      { 'Idempotency-Key': 'rollback-key-0001' },
      { reason },
    );
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await jsonOf(replay)).toEqual(body);
    const again = await post(`/v1/runs/${f.run.id}/rollback`, keys.manager);
    expect(await jsonOf(again)).toEqual(body);

    // The inverse export lists what was restored, new owner back to old.
    const inverse = await get(`/v1/runs/${f.run.id}/exports/inverse`, keys.analyst);
    expect(inverse.status).toBe(200);
    const rows = fromCsv(await inverse.text());
    const header = rows[0]!;
    const accountRows = rows.slice(1).filter((r) => r[header.indexOf('object')] === 'account');
    expect(accountRows).toHaveLength(2);
    expect(accountRows.map((r) => r[header.indexOf('new_owner_email')])).toEqual([
      f.reps.departing.email,
      f.reps.departing.email,
    ]);
  });
});

describe('exports, notices and audit over HTTP', () => {
  it('downloads every format with a filename, formula-safe, audited; reps are refused', async () => {
    const { f, keys } = await setup();
    // Salesforce-shaped ids (15 characters) for the records and the reps' snapshots, as a Salesforce book carries.
    const sfUser = new Map(
      [f.reps.house, f.reps.departing, ...f.reps.receivers].map((r, i) => [
        r.id,
        `005A0000${String(i).padStart(7, '0')}`,
      ]),
    );
    for (const [id, crmUserId] of sfUser)
      await h.db.db.update(s.reps).set({ crmUserId }).where(eq(s.reps.id, id));
    const items = await h.db.db
      .select()
      .from(s.changeSetItems)
      .where(eq(s.changeSetItems.changeSetId, f.changeSet.id));
    const withSf = (snap: Record<string, unknown> | null) =>
      snap && typeof snap.repId === 'string' ? { ...snap, crmUserId: sfUser.get(snap.repId) ?? null } : snap;
    for (const [i, item] of items.entries()) {
      const owner = item.object !== 'split';
      await h.db.db
        .update(s.changeSetItems)
        .set({
          crmId: `001A0000${String(i).padStart(7, '0')}`,
          ...(owner ? { before: withSf(item.before), after: withSf(item.after) } : {}),
        })
        .where(eq(s.changeSetItems.id, item.id));
    }
    const neutral = await get(`/v1/runs/${f.run.id}/exports/neutral`, keys.analyst);
    expect(neutral.status).toBe(200);
    expect(neutral.headers.get('content-disposition')).toMatch(/^attachment; filename="bookshift-run-/);
    const text = await neutral.text();
    expect(text).toContain(`'=HYPERLINK`);
    const rows = fromCsv(text);
    const names = rows.slice(1).map((r) => r[rows[0]!.indexOf('record_name')]);
    expect(names).toContain('=HYPERLINK("x")');
    expect(names).toContain('Acme, "Inc"');
    for (const file of ['accounts', 'opportunities', 'splits-delete', 'splits-insert', 'readme']) {
      const res = await get(`/v1/runs/${f.run.id}/exports/salesforce?file=${file}`, keys.analyst);
      expect(res.status, file).toBe(200);
    }
    expect((await get(`/v1/runs/${f.run.id}/exports/hubspot?file=deals`, keys.analyst)).status).toBe(200);
    expect((await get(`/v1/runs/${f.run.id}/exports/salesforce?file=deals`, keys.analyst)).status).toBe(400);
    // Dynamics needs GUIDs; the fixture's CRM ids are not: the file still downloads (header only), and its
    // read-me lists each change it could not take, with the reason.
    const dyn = await get(`/v1/runs/${f.run.id}/exports/dynamics`, keys.analyst);
    expect(dyn.status).toBe(200);
    const dynReadme = await get(`/v1/runs/${f.run.id}/exports/dynamics?file=readme`, keys.analyst);
    expect(dynReadme.status).toBe(200);
    expect(await dynReadme.text()).toMatch(/is not a Dynamics GUID/);
    expect((await get(`/v1/runs/${f.run.id}/exports/neutral`, keys.rep)).status).toBe(403);

    expect((await get(`/v1/runs/${f.run.id}/exports/custom`, keys.analyst)).status).toBe(409);
    const bad = await h.app.request(`${ORIGIN}/v1/exports/layout`, {
      method: 'PUT',
      headers: { ...bearer(keys.manager), 'content-type': 'application/json' },
      body: JSON.stringify({
        columns: [
          { header: 'A', field: 'record_id' },
          { header: 'a', field: 'reason' },
        ],
      }),
    });
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).details[0].path).toBe('columns.1.header');
    const saved = await h.app.request(`${ORIGIN}/v1/exports/layout`, {
      method: 'PUT',
      headers: { ...bearer(keys.manager), 'content-type': 'application/json' },
      body: JSON.stringify({
        columns: [
          { header: 'Account', field: 'record_id' },
          { header: 'Owner', field: 'new_owner_email' },
        ],
      }),
    });
    expect(saved.status).toBe(200);
    const custom = await get(`/v1/runs/${f.run.id}/exports/custom`, keys.analyst);
    expect(fromCsv(await custom.text())[0]).toEqual(['Account', 'Owner']);

    const downloads = await h.db.db.select().from(s.auditEvents).where(eq(s.auditEvents.runId, f.run.id));
    expect(downloads.filter((e) => e.action === 'export.downloaded').length).toBeGreaterThanOrEqual(8);
  });

  it('lists, previews, cancels and retries notices; without a provider they say not sent', async () => {
    const { f, keys } = await setup();
    const list = await jsonOf(await get(`/v1/runs/${f.run.id}/notices`, keys.analyst));
    expect(list.providerConfigured).toBe(false);
    expect(list.data.length).toBeGreaterThan(0);
    expect(list.data[0].deliveryNote).toBe('not sent: no email provider configured');
    const id = list.data[0].id;
    const preview = await jsonOf(await get(`/v1/notices/${id}`, keys.analyst));
    expect(preview.html).toContain('<html');
    expect(preview.text).toContain('Hello');
    expect((await post(`/v1/notices/${id}/retry`, keys.manager)).status).toBe(409);
    expect((await post(`/v1/notices/${id}/cancel`, keys.analyst)).status).toBe(403);
    const cancelled = await post(`/v1/notices/${id}/cancel`, keys.manager);
    expect((await jsonOf(cancelled)).status).toBe('cancelled');
    await h.db.db
      .update(s.notices)
      .set({ status: 'failed', lastError: 'validation_error (HTTP 422): bad' })
      .where(eq(s.notices.id, list.data[1].id));
    const retried = await jsonOf(await post(`/v1/notices/${list.data[1].id}/retry`, keys.manager));
    expect(retried).toMatchObject({ status: 'pending', attempts: 0 });
    const failedOnly = await jsonOf(
      await get(`/v1/notices?status=cancelled&runId=${f.run.id}`, keys.analyst),
    );
    expect(failedOnly.data.map((n: { id: string }) => n.id)).toEqual([id]);
  });

  it('lists and exports audit events, verifies the chain, and detects tampering by the owner', async () => {
    const { f, keys, committedAt } = await setup();
    h.clock.now = new Date(committedAt.getTime() + HOUR);
    expect((await post(`/v1/runs/${f.run.id}/rollback`, keys.manager)).status).toBe(200);
    const page = await jsonOf(await get(`/v1/runs/${f.run.id}/audit?limit=3`, keys.analyst));
    expect(page.data).toHaveLength(3);
    expect(page.nextAfterSeq).toBe(page.data[2].seq);
    const rolled = await jsonOf(
      await get(`/v1/audit/events?action=run.rolled_back&runId=${f.run.id}`, keys.analyst),
    );
    expect(rolled.data).toHaveLength(1);
    expect(rolled.data[0].after.result.restored.accounts).toBe(2);
    const csv = await get(`/v1/audit/export?format=csv&runId=${f.run.id}`, keys.analyst);
    expect(csv.headers.get('content-disposition')).toContain('.csv');
    const rows = fromCsv(await csv.text());
    expect(rows[0]![0]).toBe('seq');
    expect(rows.length - 1).toBeGreaterThanOrEqual(page.data.length);
    const json = await jsonOf(await get(`/v1/audit/export?format=json`, keys.analyst));
    expect(Array.isArray(json)).toBe(true);
    expect((await jsonOf(await get('/v1/audit/verify', keys.analyst))).ok).toBe(true);
    // Tamper as the owner (the app role cannot): the check names the first altered event.
    const victim = rolled.data[0];
    await h.db.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_append_only`);
      await tx
        .update(s.auditEvents)
        .set({ actorLabel: 'someone else' })
        .where(eq(s.auditEvents.id, victim.id));
      await tx.execute(sql`alter table audit_events enable trigger audit_events_append_only`);
    });
    const verdict = await jsonOf(await get('/v1/audit/verify', keys.analyst));
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: victim.seq });
    expect(verdict.reason).toContain('altered');
  });
});
