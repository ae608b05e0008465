/**
 * RELIABILITY 6: a process committing a 10,000-account run is SIGKILLed at random points of its transaction.
 * After each kill the run is either fully committed or not at all; committing again applies it exactly once.
 * Needs a real server (a second process cannot share an in-memory PGlite): skipped on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitRun } from '../../src/services/commit/commit-run.ts';
import { createTestDatabase, type TestDatabase, testDriver } from '../support/db.ts';
import { commitState, createBulkRun } from './bulk-run.ts';
import { startCommitChild, waitForBackendsGone, waitForTransaction } from './child-commit.ts';

const onServer = testDriver() === 'postgres';
const APP_NAME = 'bookshift-commit-crash';

let db: TestDatabase;
beforeAll(async () => {
  if (onServer) db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe.skipIf(!onServer)('crash during commit (RELIABILITY 6) — needs TEST_DATABASE_URL', () => {
  it('killed at random points: all or nothing each time; a later commit applies it exactly once', async () => {
    const bulk = await createBulkRun(db.db, 10_000);
    const env = {
      COMMIT_DB_URL: db.url!,
      COMMIT_ORG_ID: bulk.org.id,
      COMMIT_RUN_ID: bulk.run.id,
      COMMIT_APP_NAME: APP_NAME,
    };
    const kills: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const { child, exited, output } = startCommitChild(env);
      const pid = await waitForTransaction(db.db, APP_NAME, exited);
      // Random points inside the transaction: early (locks, owner updates) or later (items, audit, notices).
      const delay = Math.floor(Math.random() * (attempt < 2 ? 300 : 1500));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      const code = await exited;
      kills.push(`attempt ${attempt}: backend ${pid}, killed ${delay} ms into the transaction, exit ${code}`);
      await waitForBackendsGone(db.db, APP_NAME);
      const state = await commitState(db.db, bulk);
      expect(['none', 'all'], `${kills.join('\n')}\n${output()}`).toContain(state);
      if (state === 'all') break;
    }
    const ctx = {
      db: db.db,
      clock: () => new Date(),
      principal: { kind: 'api_key' as const, orgId: bulk.org.id, orgName: 'x', role: 'manager' as const },
    };
    const first = await commitRun({
      ctx,
      input: { runId: bulk.run.id, appBaseUrl: 'http://bookshift.test' },
    });
    const second = await commitRun({
      ctx,
      input: { runId: bulk.run.id, appBaseUrl: 'http://bookshift.test' },
    });
    expect(second).toEqual(first);
    expect(await commitState(db.db, bulk)).toBe('all');
    expect(first.changeSet.itemCount).toBe(10_000);
  }, 120_000);
});
