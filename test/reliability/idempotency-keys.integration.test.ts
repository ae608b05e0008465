/**
 * RELIABILITY 8, through the app: the same Idempotency-Key and body replays the first response (status and
 * body); the same key with another body is refused; no key, no replay; a key still in progress asks for a retry;
 * keys belong to one org; a malformed key is a 400.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../db/schema/index.ts';
import { REPLAYED_HEADER } from '../../src/api/middleware/idempotency.ts';
import { createRunFixture } from '../api/run-actions/run-fixture.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
} from '../app/harness.ts';

let h: Harness;
let orgA: Awaited<ReturnType<typeof createOrgWithUsers>>;
let orgB: Awaited<ReturnType<typeof createOrgWithUsers>>;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  h = await createHarness();
  orgA = await createOrgWithUsers(h, 'Idem A');
  orgB = await createOrgWithUsers(h, 'Idem B');
  keyA = (await apiKeyFor(h, orgA.id, 'manager')).key;
  keyB = (await apiKeyFor(h, orgB.id, 'manager')).key;
});
afterAll(async () => {
  await h?.close();
});

function post(apiKey: string, path: string, body?: unknown, idem?: string) {
  return h.app.request(`${ORIGIN}/v1${path}`, {
    method: 'POST',
    headers: {
      ...bearer(apiKey),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(idem ? { 'idempotency-key': idem } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function events(runId: string, action: string) {
  const [row] = await h.db.db
    .select({ n: count() })
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.runId, runId), eq(s.auditEvents.action, action)));
  return row!.n;
}

describe('Idempotency-Key (RELIABILITY 8)', () => {
  it('the same key and body replays the first response; the work is done once', async () => {
    const f = await createRunFixture(h.db.db, orgA.id, { approved: true });
    const first = await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'Postponed.' }, 'cancel-key-0001');
    expect(first.status).toBe(200);
    expect(first.headers.get(REPLAYED_HEADER)).toBeNull();
    const firstBody = await jsonOf(first);
    const again = await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'Postponed.' }, 'cancel-key-0001');
    expect(again.status).toBe(200);
    expect(again.headers.get(REPLAYED_HEADER)).toBe('true');
    expect(await jsonOf(again)).toEqual(firstBody);
    expect(await events(f.run.id, 'run.cancelled')).toBe(1);
  });

  it('an error response is replayed too (4xx), so a retry sees the same answer', async () => {
    const f = await createRunFixture(h.db.db, orgA.id, { status: 'draft' });
    const first = await post(
      keyA,
      `/runs/${f.run.id}/approve`,
      { expectedHash: f.hash },
      'approve-draft-0001',
    );
    expect(first.status).toBe(409);
    const again = await post(
      keyA,
      `/runs/${f.run.id}/approve`,
      { expectedHash: f.hash },
      'approve-draft-0001',
    );
    expect(again.status).toBe(409);
    expect(again.headers.get(REPLAYED_HEADER)).toBe('true');
    expect(await jsonOf(again)).toEqual(await jsonOf(first));
  });

  it('the same key with a different body or path is refused with IDEMPOTENCY_KEY_REUSED', async () => {
    const f = await createRunFixture(h.db.db, orgA.id);
    const g = await createRunFixture(h.db.db, orgA.id);
    expect((await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'One.' }, 'reuse-key-0001')).status).toBe(
      200,
    );
    const other = await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'Two.' }, 'reuse-key-0001');
    expect(other.status).toBe(409);
    expect((await jsonOf(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherRun = await post(keyA, `/runs/${g.run.id}/cancel`, { reason: 'One.' }, 'reuse-key-0001');
    expect(otherRun.status).toBe(409);
    expect((await jsonOf(otherRun)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, g.run.id));
    expect(run?.status).toBe('in_review');
  });

  it('no key, no replay: a second cancel is refused by the run state', async () => {
    const f = await createRunFixture(h.db.db, orgA.id);
    expect((await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'One.' })).status).toBe(200);
    const second = await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'One.' });
    expect(second.status).toBe(409);
    expect(second.headers.get(REPLAYED_HEADER)).toBeNull();
  });

  it('a key whose first request is still running gets "retry shortly"; a claim left by a dead request expires', async () => {
    const f = await createRunFixture(h.db.db, orgA.id, { approved: true });
    const path = `/v1/runs/${f.run.id}/commit`;
    const { requestFingerprint } = await import('../../src/workflow/idempotency.ts');
    const [claim] = await h.db.db
      .insert(s.idempotencyKeys)
      .values({
        orgId: orgA.id,
        key: 'busy-key-0001',
        method: 'POST',
        path,
        requestHash: requestFingerprint('POST', path, null),
        status: 'in_progress',
        createdAt: h.clock.now,
      })
      .returning();
    const busy = await post(keyA, `/runs/${f.run.id}/commit`, undefined, 'busy-key-0001');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect((await jsonOf(busy)).message).toMatch(/retry shortly/);
    // The first request died (its claim is older than the staleness limit): the key can be used again.
    await h.db.db
      .update(s.idempotencyKeys)
      .set({ createdAt: new Date(h.clock.now.getTime() - 120_000) })
      .where(eq(s.idempotencyKeys.id, claim!.id));
    const retried = await post(keyA, `/runs/${f.run.id}/commit`, undefined, 'busy-key-0001');
    expect(retried.status).toBe(200);
    expect((await jsonOf(retried)).run.status).toBe('committed');
  });

  it('keys belong to one org: the same key in another org is a new request', async () => {
    const a = await createRunFixture(h.db.db, orgA.id);
    const b = await createRunFixture(h.db.db, orgB.id);
    expect((await post(keyA, `/runs/${a.run.id}/cancel`, { reason: 'A.' }, 'shared-key-0001')).status).toBe(
      200,
    );
    const inB = await post(keyB, `/runs/${b.run.id}/cancel`, { reason: 'B.' }, 'shared-key-0001');
    expect(inB.status).toBe(200);
    expect(inB.headers.get(REPLAYED_HEADER)).toBeNull();
    expect((await jsonOf(inB)).run.id).toBe(b.run.id);
  });

  it('a malformed key is refused before any work', async () => {
    const f = await createRunFixture(h.db.db, orgA.id);
    const res = await post(keyA, `/runs/${f.run.id}/cancel`, { reason: 'x' }, 'bad key!');
    expect(res.status).toBe(400);
    const [run] = await h.db.db.select().from(s.runs).where(eq(s.runs.id, f.run.id));
    expect(run?.status).toBe('in_review');
  });
});
