/**
 * RELIABILITY 7: many concurrent commit calls for one approved run through the app: exactly one applies, all
 * return the same result. Fifty on a real server (several connections, the row lock queues them); ten on PGlite,
 * whose single connection serialises transactions (still a check that the late ones replay rather than reapply).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitResponseSchema } from '../../src/api/routes/run-actions/run-actions.routes.ts';
import { apiKeyFor, bearer, createHarness, type Harness, jsonOf, ORIGIN } from '../app/harness.ts';
import { testDriver } from '../support/db.ts';
import { commitState, createBulkRun } from './bulk-run.ts';

const CALLS = testDriver() === 'postgres' ? 50 : 10;

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe(`double commit (RELIABILITY 7): ${CALLS} concurrent calls on ${testDriver()}`, () => {
  it('exactly one applies; the rest return the same change set', async () => {
    const bulk = await createBulkRun(h.db.db, 500);
    const key = (await apiKeyFor(h, bulk.org.id, 'manager')).key;
    const responses = await Promise.all(
      Array.from({ length: CALLS }, () =>
        h.app.request(`${ORIGIN}/v1/runs/${bulk.run.id}/commit`, { method: 'POST', headers: bearer(key) }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(CALLS).fill(200));
    const bodies = await Promise.all(responses.map(async (r) => CommitResponseSchema.parse(await jsonOf(r))));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(bodies[0]!.changeSet.counts.accounts).toBe(500);
    expect(await commitState(h.db.db, bulk)).toBe('all');
  }, 60_000);
});
