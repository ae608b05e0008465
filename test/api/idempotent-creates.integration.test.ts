/**
 * Issue 18: every create honours Idempotency-Key (runs, imports, rulesets, API keys), as approve and commit do:
 * the same key with the same request replays the first response (marked Idempotent-Replayed) and creates
 * nothing more; the same key with another request is refused. POST /v1/runs used to create two drafts.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  ORIGIN,
} from '../app/harness.ts';
import { createRep } from '../support/factories.ts';

let h: Harness;
let orgId: string;
let managerKey: string;
let adminKey: string;
let leaverId: string;
beforeAll(async () => {
  h = await createHarness();
  const org = await createOrgWithUsers(h, 'Idempotent Org');
  orgId = org.id;
  managerKey = (await apiKeyFor(h, orgId, 'manager')).key;
  adminKey = (await apiKeyFor(h, orgId, 'admin')).key;
  leaverId = (await createRep(h.db.db, orgId, { name: 'Lee Leaver', region: 'West' })).id;
  await createRep(h.db.db, orgId, { name: 'Ria Stay', region: 'West' });
});
afterAll(() => h?.close());

type Send = (key: string, variant: 0 | 1) => Promise<Response>;

const post =
  (path: string, apiKey: () => string, body: (variant: 0 | 1) => { type: string; text: string }): Send =>
  async (key, variant) => {
    const b = body(variant);
    return h.app.request(`${ORIGIN}${path}`, {
      method: 'POST',
      headers: { ...bearer(apiKey()), 'content-type': b.type, 'idempotency-key': key },
      body: b.text,
    });
  };

const json = (value: unknown) => ({ type: 'application/json', text: JSON.stringify(value) });

const CREATES: Array<{ what: string; send: Send; rows: () => Promise<number> }> = [
  {
    what: 'POST /v1/runs',
    send: post(
      '/v1/runs',
      () => managerKey,
      (v) =>
        json({
          kind: 'rep_departure',
          reason: v ? 'Another reason' : 'Lee leaves',
          params: { departingRepIds: [leaverId] },
        }),
    ),
    rows: () => countOf('runs'),
  },
  {
    what: 'POST /v1/rulesets',
    send: post(
      '/v1/rulesets',
      () => managerKey,
      (v) => json({ schemaVersion: 1, name: 'West rules', protections: { closingWithinDays: v ? 45 : 30 } }),
    ),
    rows: () => countOf('rulesets'),
  },
  {
    what: 'POST /v1/api-keys',
    send: post(
      '/v1/api-keys',
      () => adminKey,
      (v) => json({ name: v ? 'Other sync' : 'CRM sync', role: 'rep' }),
    ),
    rows: () => countOf('api_keys'),
  },
  {
    what: 'POST /v1/imports (a CSV upload)',
    send: post(
      '/v1/imports?kind=reps',
      () => managerKey,
      (v) => ({
        type: 'text/csv',
        text: `rep_id,name,email,region\r\n005R9,${v ? 'Noa New' : 'Nia New'},new@example.test,West\r\n`,
      }),
    ),
    rows: () => countOf('imports'),
  },
];

async function countOf(table: 'runs' | 'rulesets' | 'api_keys' | 'imports') {
  const rows = await h.db.db.execute(
    sql`select count(*)::int as n from ${sql.identifier(table)} where org_id = ${orgId}`,
  );
  return Number(
    (rows as unknown as { rows?: Array<{ n: number }> }).rows?.[0]?.n ??
      (rows as unknown as Array<{ n: number }>)[0]?.n,
  );
}

describe('Idempotency-Key on every create', () => {
  for (const create of CREATES) {
    it(`${create.what}: the same request replays, another request with the key is refused`, async () => {
      const key = `create-${create.what.replace(/\W+/g, '-')}-0001`;
      const before = await create.rows();
      const first = await create.send(key, 0);
      const firstBody = await first.json();
      expect([200, 201, 202], JSON.stringify(firstBody)).toContain(first.status);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(await create.rows()).toBe(before + 1);

      const again = await create.send(key, 0);
      expect(again.status).toBe(first.status);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(firstBody);
      expect(await create.rows()).toBe(before + 1);

      const other = await create.send(key, 1);
      expect(other.status).toBe(409);
      expect(((await other.json()) as { code: string }).code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await create.rows()).toBe(before + 1);

      const noKey = await create.send(`create-${create.what.replace(/\W+/g, '-')}-0002`, 1);
      expect([200, 201, 202]).toContain(noKey.status);
      expect(await create.rows()).toBe(before + 2);
    });
  }

  it('an upload sent again with a new multipart boundary is the same request', async () => {
    const send = (name: string) => {
      const form = new FormData();
      form.append(
        'file',
        new Blob([`rep_id,name,email,region\r\n005R8,${name},m@example.test,West\r\n`]),
        'reps.csv',
      );
      return h.app.request(`${ORIGIN}/v1/imports?kind=reps`, {
        method: 'POST',
        headers: { ...bearer(managerKey), 'idempotency-key': 'upload-multipart-0001' },
        body: form,
      });
    };
    const before = await countOf('imports');
    const first = await send('Mia Multi');
    expect([201, 202], await first.clone().text()).toContain(first.status);
    const again = await send('Mia Multi');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await countOf('imports')).toBe(before + 1);
    expect((await send('Max Multi')).status).toBe(409);
  });
});
