/**
 * Issue 15: a run of another org is "not found" everywhere, its notices and its audit trail included (they
 * answered 200 with empty lists), and an analyst cannot cancel what a manager approved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunFixture } from '../api/run-actions/run-fixture.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  ORIGIN,
} from '../app/harness.ts';

let h: Harness;
let keyA: string;
let ownRun: string;
let foreignRun: string;

beforeAll(async () => {
  h = await createHarness();
  const a = await createOrgWithUsers(h, 'Org A');
  const b = await createOrgWithUsers(h, 'Org B');
  keyA = (await apiKeyFor(h, a.id, 'manager')).key;
  ownRun = (await createRunFixture(h.db.db, a.id)).run.id;
  foreignRun = (await createRunFixture(h.db.db, b.id)).run.id;
});
afterAll(async () => {
  await h?.close();
});

describe('another org’s run is not found', () => {
  it.each(['', '/summary', '/accounts', '/notices', '/audit', '/conflicts'])(
    'GET /v1/runs/{other}%s → 404',
    async (sub) => {
      const own = await h.app.request(`${ORIGIN}/v1/runs/${ownRun}${sub}`, { headers: bearer(keyA) });
      expect(own.status).toBe(200);
      const res = await h.app.request(`${ORIGIN}/v1/runs/${foreignRun}${sub}`, { headers: bearer(keyA) });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    },
  );
});
