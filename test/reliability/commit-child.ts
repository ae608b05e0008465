/**
 * A separate process that commits one run and exits: the crash test (RELIABILITY 6) SIGKILLs it at random points.
 * Env: COMMIT_DB_URL, COMMIT_ORG_ID, COMMIT_RUN_ID, optional COMMIT_APP_NAME (its pg_stat_activity name).
 * Prints "ready" once connected, then "done" once committed or "failed: <error>" when the commit was refused or
 * its connection died.
 */
import { openPostgres } from '../../src/db/client.ts';
import { commitRun } from '../../src/services/commit/commit-run.ts';

const applicationName = process.env.COMMIT_APP_NAME ?? 'bookshift-commit-child';

const url = process.env.COMMIT_DB_URL;
const orgId = process.env.COMMIT_ORG_ID;
const runId = process.env.COMMIT_RUN_ID;
if (!url || !orgId || !runId) {
  console.error('commit-child: set COMMIT_DB_URL, COMMIT_ORG_ID and COMMIT_RUN_ID');
  process.exit(2);
}
const handle = await openPostgres(url, 1, applicationName);
process.stdout.write('ready\n');
const outcome = await commitRun({
  ctx: {
    db: handle.db,
    clock: () => new Date(),
    principal: { kind: 'api_key', orgId, orgName: 'crash test', role: 'manager', apiKeyName: 'crash test' },
  },
  input: { runId, appBaseUrl: 'http://bookshift.test' },
}).then(
  () => 'done',
  (error: unknown) => `failed: ${String(error)}`,
);
process.stdout.write(`${outcome}\n`);
await handle.close().catch(() => {});
process.exit(outcome === 'done' ? 0 : 1);
