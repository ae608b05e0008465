/**
 * Issue 18: a fresh install is set up without SQL. The admin commands create an org, its first admin and an API
 * key, and the app then signs that admin in with the printed password and serves the key. Runs against the
 * real server when TEST_DATABASE_URL is set, and always against an embedded database in a data directory
 * (which the commands open themselves, as `npx bookshift` would).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { ADMIN_EXIT, runAdminCommand } from '../../src/cli/admin-commands.ts';
import { openPglite } from '../../src/db/client.ts';
import { type Env, parseEnv } from '../../src/lib/env.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { Browser, bearer, createHarness, type Harness, ORIGIN } from '../app/harness.ts';
import { holdToContract } from '../support/contract.ts';
import { testServerUrl } from '../support/db.ts';

type Action = Parameters<typeof runAdminCommand>[0];

function cli(env: Env) {
  return async (action: Action, ...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (s: string) => {
        stdout += s;
      },
      stderr: (s: string) => {
        stderr += s;
      },
    };
    const code = await runAdminCommand(action, argv, io, { env });
    return { code, stdout, stderr, json: argv.includes('--json') && stdout ? JSON.parse(stdout) : undefined };
  };
}

/** Everything a newcomer does after install, then proof that the app accepts what the commands printed. */
async function setUpAndUse(run: ReturnType<typeof cli>, openApp: () => Promise<Harness>) {
  const org = await run('org create', '--name', 'Acme Corp', '--slug', 'acme', '--json');
  expect(org.code, org.stderr).toBe(ADMIN_EXIT.ok);
  expect(org.json.org).toMatchObject({ name: 'Acme Corp', slug: 'acme' });

  const again = await run('org create', '--name', 'Acme again', '--slug', 'acme');
  expect(again.code).toBe(ADMIN_EXIT.exists);
  expect(again.stderr).toMatch(/slug "acme" exists already/);

  const admin = await run(
    'user add',
    '--org',
    'acme',
    '--email',
    'Ada@Acme.example',
    '--name',
    'Ada Lovelace',
    '--role',
    'admin',
    '--json',
  );
  expect(admin.code, admin.stderr).toBe(ADMIN_EXIT.ok);
  const password: string = admin.json.member.password;
  expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
  expect(admin.json.member).toMatchObject({ email: 'ada@acme.example', role: 'admin', newUser: true });

  const twice = await run(
    'user add',
    '--org',
    'acme',
    '--email',
    'ada@acme.example',
    '--name',
    'Ada',
    '--role',
    'manager',
  );
  expect(twice.code).toBe(ADMIN_EXIT.exists);
  const noOrg = await run(
    'user add',
    '--org',
    'nope',
    '--email',
    'b@acme.example',
    '--name',
    'B',
    '--role',
    'analyst',
  );
  expect(noOrg.code).toBe(ADMIN_EXIT.notFound);
  expect(noOrg.stderr).toMatch(/No org has the slug "nope"/);
  const badRole = await run(
    'user add',
    '--org',
    'acme',
    '--email',
    'c@acme.example',
    '--name',
    'C',
    '--role',
    'boss',
  );
  expect(badRole.code).toBe(ADMIN_EXIT.usage);
  expect(badRole.stderr).toMatch(/--role: /);

  const key = await run(
    'api-key create',
    '--org',
    'acme',
    '--name',
    'CRM sync',
    '--role',
    'analyst',
    '--json',
  );
  expect(key.code, key.stderr).toBe(ADMIN_EXIT.ok);
  expect(key.json.apiKey).toMatchObject({ name: 'CRM sync', role: 'analyst' });

  const h = await openApp();
  try {
    const reps = await h.app.request(`${ORIGIN}/v1/reps`, { headers: bearer(key.json.apiKey.key) });
    expect(reps.status).toBe(200);
    const browser = new Browser(h);
    const login = await browser.login('ada@acme.example', password);
    expect(login.status).toBe(303);
    const keysPage = await browser.page('/admin/api-keys');
    expect(keysPage.res.status).toBe(200);
    expect(keysPage.html).toContain('CRM sync');
    const audit = await browser.request('/v1/audit/events?limit=50', {
      headers: { 'x-csrf-token': browser.csrfToken },
    });
    const actions = JSON.stringify(await audit.json());
    expect(actions).toContain('org.created');
    expect(actions).toContain('bookshift CLI');
  } finally {
    await h.close();
  }
}

describe('the admin commands set up an install without SQL', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('on the embedded database: migrate, org, admin, key; refuses a second process on the same directory', {
    timeout: 240_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookshift-admin-'));
    dirs.push(dir);
    const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PGLITE_DIR: dir, DATABASE_URL: '' });
    const run = cli(env);
    const early = await run('org create', '--name', 'Too early', '--slug', 'early');
    expect(early.code).toBe(ADMIN_EXIT.failed);
    expect(early.stderr).toMatch(/run `bookshift migrate` first/);
    expect((await run('migrate')).code).toBe(ADMIN_EXIT.ok);

    // While this process (the app) holds the directory, `npx bookshift` in another process refuses rather than
    // opening it a second time.
    const held = await openPglite(dir);
    const busy = spawnSync(
      process.execPath,
      ['bin/bookshift.mjs', 'org', 'create', '--name', 'B', '--slug', 'b', '--json'],
      {
        env: { ...process.env, PGLITE_DIR: dir, DATABASE_URL: '', NODE_ENV: 'test' },
        encoding: 'utf8',
      },
    );
    await held.close();
    expect(busy.status, busy.stderr).toBe(ADMIN_EXIT.failed);
    expect(JSON.parse(busy.stdout).error.code).toBe('DATABASE_IN_USE');
    expect(busy.stderr).toMatch(new RegExp(`in use by process ${process.pid}`));

    await setUpAndUse(run, async () => {
      const handle = await openPglite(dir);
      const appEnv = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', APP_BASE_URL: ORIGIN });
      const clock = { now: new Date(), advance() {} };
      const app = holdToContract(
        createApp({
          env: appEnv,
          db: handle.db,
          clock: () => new Date(),
          logger: createMemoryLogger(),
        }),
      );
      return {
        db: { ...handle, url: undefined, serverUrl: undefined },
        app,
        env: appEnv,
        logger: createMemoryLogger(),
        clock,
        close: () => handle.close(),
      };
    });
  });

  it.skipIf(!testServerUrl())('on a PostgreSQL server (DATABASE_URL)', async () => {
    const h = await createHarness();
    try {
      const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: h.db.url! });
      await setUpAndUse(cli(env), async () => ({ ...h, close: async () => {} }));
    } finally {
      await h.close();
    }
  });
});
