/**
 * Entry point only: parse the environment, open the database, apply migrations, refuse to serve an unsafe
 * database (boot guard), seed the demo data into an empty one, serve, and shut down gracefully.
 */
import { serve } from '@hono/node-server';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../db/seed.ts';
import type { FirstRun } from './api/context.ts';
import { createApp } from './app.ts';
import { randomToken } from './auth/tokens.ts';
import { createJobHandlers } from './composition/job-handlers.ts';
import { assertDatabaseSafe, loginRoleProblems } from './db/boot-guard.ts';
import { type DatabaseHandle, openDatabase } from './db/client.ts';
import { createJobRunner } from './jobs/runner.ts';
import type { DemoHint } from './lib/demo.ts';
import { type Env, parseEnv } from './lib/env.ts';
import { createLogger, type Logger } from './lib/logger.ts';
import { sweepDueNotices } from './services/after/sender.ts';
import { orgCount } from './services/auth/provisioning.ts';
import { solveSlotLimits, solveSlotsFor } from './services/solve/solve-slots.ts';

const SHUTDOWN_GRACE_MS = 10_000;
/** How often notices left due (a crash between commit and send, a retry whose job was lost) are picked up. */
const NOTICE_SWEEP_MS = 60_000;

/** A fresh install (no org yet) gets a one-time token for the first-run page. */
async function firstRunToken(db: DatabaseHandle): Promise<FirstRun | undefined> {
  return (await orgCount({ db: db.db })) === 0 ? { token: randomToken(24) } : undefined;
}

function printFirstRun(url: string, token: string, driver: DatabaseHandle['driver']) {
  const lines = [
    '',
    'This install has no org yet. Set it up in the browser (the link works once):',
    `  ${url}/setup?token=${token}`,
    driver === 'pglite'
      ? 'or stop the server and use the admin commands on the embedded database:'
      : 'or use the admin commands (same DATABASE_URL):',
    '  npx bookshift org create --name "Acme Corp" --slug acme',
    '  npx bookshift user add --org acme --email you@acme.example --name "Your Name" --role admin',
    '  npx bookshift api-key create --org acme --name "CRM sync" --role analyst',
    '',
  ];
  console.log(lines.join('\n'));
}

async function main() {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const db = await openDatabase(env, { applicationName: 'bookshift' });
  const demoLogin = await prepareDatabase(env, db, logger);
  await guardDatabase(env, db, logger);

  const firstRun = await firstRunToken(db);
  const app = createApp({
    env,
    db: db.db,
    logger,
    ...(demoLogin ? { demoLogin } : {}),
    ...(firstRun ? { firstRun } : {}),
  });
  const background = startBackground(env, db, logger);
  const server = serve({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, (info) => {
    const url =
      env.APP_BASE_URL ??
      `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    logger.info('listening', { url, database: db.driver });
    console.log(`Bookshift is running at ${url}`);
    if (firstRun?.token) printFirstRun(url, firstRun.token, db.driver);
  });
  handleSignals(server, background, db, logger);
}

/**
 * Applies the migrations and, with SEED_DEMO, seeds the demo data (printing its sign-ins); returns the demo hint
 * of the sign-in page.
 */
async function prepareDatabase(env: Env, db: DatabaseHandle, logger: Logger): Promise<DemoHint | undefined> {
  // Migrations and the seed need the schema owner; the app's own login may be less privileged.
  const ownerUrl =
    env.DATABASE_URL && env.MIGRATION_DATABASE_URL !== env.DATABASE_URL
      ? env.MIGRATION_DATABASE_URL
      : undefined;
  const owner: DatabaseHandle = ownerUrl
    ? await openDatabase(
        { ...env, DATABASE_POOL_MAX: 1 },
        { url: ownerUrl, applicationName: 'bookshift-migrate' },
      )
    : db;
  let demoLogin: DemoHint | undefined;
  try {
    const started = Date.now();
    await migrate(owner);
    logger.info('migrations applied', { driver: owner.driver, ms: Date.now() - started });
    if (env.SEED_DEMO) {
      const seeded = await seedDemo(owner.db);
      if (seeded.seeded) logger.info('demo data seeded', { orgs: seeded.orgs, ms: seeded.ms });
      demoLogin = {
        password: seeded.password,
        users: seeded.users.map((u) => ({ email: u.email, role: `${u.role}, ${u.org}` })),
      };
      console.log(`\nDemo sign-in (password "${seeded.password}"):`);
      for (const u of seeded.users) console.log(`  ${u.email.padEnd(24)} ${u.role.padEnd(8)} ${u.org}`);
      console.log('');
    }
  } finally {
    if (owner !== db) await owner.close();
  }
  return demoLogin;
}

/** Refuses to start when the app role could bypass row-level security (RELIABILITY scenario 2). */
async function guardDatabase(env: Env, db: DatabaseHandle, logger: Logger) {
  // In production on a database server the login role itself must not be a superuser or bypass RLS either.
  const report = await assertDatabaseSafe(db.db, {
    refuseUnsafeLogin: env.NODE_ENV === 'production' && db.driver === 'postgres',
  });
  const loginProblems = db.driver === 'postgres' ? loginRoleProblems(report) : [];
  if (loginProblems.length > 0)
    logger.warn('unsafe database login (refused in production)', { loginProblems });
}

/** Background work (solves, imports, notice delivery) runs in this process from the Postgres job table. */
function startBackground(env: Env, db: DatabaseHandle, logger: Logger) {
  const runner = createJobRunner({
    db: db.db,
    handlers: createJobHandlers({
      solvePoolsAsJobs: env.SOLVE_POOL_JOBS,
      solveSlots: solveSlotsFor(db.db, solveSlotLimits(env)),
    }),
    concurrency: env.JOB_CONCURRENCY,
    logger,
  });
  runner.start();
  const sweep = () =>
    sweepDueNotices(db.db).catch((error: unknown) =>
      logger.warn('notice sweep failed', { error: error instanceof Error ? error.message : String(error) }),
    );
  void sweep();
  const sweeper = setInterval(sweep, NOTICE_SWEEP_MS);
  sweeper.unref();
  return { runner, sweeper };
}

/** Graceful shutdown on SIGINT and SIGTERM; an exception outside any promise exits for a clean restart. */
function handleSignals(
  server: ReturnType<typeof serve>,
  { runner, sweeper }: ReturnType<typeof startBackground>,
  db: DatabaseHandle,
  logger: Logger,
) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Stop accepting, let in-flight requests finish, then close the database; force exit after the grace period.
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    clearInterval(sweeper);
    server.close(async () => {
      await runner.stop();
      await db.close();
      clearTimeout(force);
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  // A dead database connection mid-transaction can make postgres.js 3.4.x throw outside any promise
  // (porsager/postgres#1154): log it and exit so the supervisor starts a clean process. Postgres has rolled the
  // transaction back; leased jobs are claimed again when their lease runs out.
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting for a clean restart', {
      error:
        error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error,
    });
    process.exit(1);
  });
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
