/**
 * RELIABILITY 10: the database connection of a commit is terminated (pg_terminate_backend) in the middle of its
 * transaction: nothing is applied, and a retry through the API succeeds exactly once. Real server only.
 *
 * The committing process is a child: postgres.js 3.4.9 can throw an uncatchable TypeError ("reading 'write'" of
 * a null socket, porsager/postgres#1154 / #1208) when a connection dies mid-transaction, which would take the
 * test runner down. The child's fate is recorded; the database outcome is what this test checks.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { apiKeyFor, bearer, createHarness, type Harness, jsonOf, ORIGIN } from '../app/harness.ts';
import { testDriver } from '../support/db.ts';
import { commitState, createBulkRun } from './bulk-run.ts';
import { startCommitChild, waitForBackendsGone, waitForTransaction } from './child-commit.ts';

const onServer = testDriver() === 'postgres';
const APP_NAME = 'bookshift-commit-victim';

let h: Harness;
beforeAll(async () => {
  if (onServer) h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

describe.skipIf(!onServer)('connection dropped mid-commit (RELIABILITY 10) — needs TEST_DATABASE_URL', () => {
  it('the transaction rolls back; a retry succeeds once', async () => {
    const bulk = await createBulkRun(h.db.db, 3_000);
    const { exited, output } = startCommitChild({
      COMMIT_DB_URL: h.db.url!,
      COMMIT_ORG_ID: bulk.org.id,
      COMMIT_RUN_ID: bulk.run.id,
      COMMIT_APP_NAME: APP_NAME,
    });
    const pid = await waitForTransaction(h.db.db, APP_NAME, exited, 30);
    expect(pid, output()).not.toBeNull();
    await queryRows(h.db.db, sql`select pg_terminate_backend(${pid})`);
    const code = await exited;
    expect(code, output()).not.toBe(0);
    expect(output()).not.toContain('done');
    await waitForBackendsGone(h.db.db, APP_NAME);
    expect(await commitState(h.db.db, bulk)).toBe('none');

    const key = (await apiKeyFor(h, bulk.org.id, 'manager')).key;
    const commit = () =>
      h.app.request(`${ORIGIN}/v1/runs/${bulk.run.id}/commit`, { method: 'POST', headers: bearer(key) });
    const retry = await commit();
    expect(retry.status).toBe(200);
    const again = await commit();
    expect(await jsonOf(again)).toEqual(await jsonOf(retry));
    expect(await commitState(h.db.db, bulk)).toBe('all');
  }, 60_000);
});
