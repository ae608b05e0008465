/** Runs test/reliability/commit-child.ts in its own process and watches its connection in pg_stat_activity. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/query-rows.ts';

const CHILD = fileURLToPath(new URL('./commit-child.ts', import.meta.url));

export interface CommitChild {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output: () => string;
}

export function startCommitChild(env: {
  COMMIT_DB_URL: string;
  COMMIT_ORG_ID: string;
  COMMIT_RUN_ID: string;
  COMMIT_APP_NAME: string;
}): CommitChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** The backend pid of the child's connection once it has been inside a transaction for `minMs`, or null if it ended first. */
export async function waitForTransaction(
  db: Database,
  appName: string,
  exited: Promise<unknown>,
  minMs = 0,
): Promise<number | null> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 30_000;
  while (!done && Date.now() < deadline) {
    const rows = await queryRows<{ pid: number }>(
      db,
      sql`select pid from pg_stat_activity
           where application_name = ${appName} and datname = current_database()
             and xact_start is not null and now() - xact_start >= ${`${minMs} milliseconds`}::interval`,
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((r) => setTimeout(r, 2));
  }
  return null;
}

/** Waits until no backend of `appName` is left (the server has rolled back what the dead client left open). */
export async function waitForBackendsGone(db: Database, appName: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const rows = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from pg_stat_activity where application_name = ${appName}`,
    );
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`backends of ${appName} are still there after 10 s`);
}
