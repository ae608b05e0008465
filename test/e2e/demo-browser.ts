/**
 * The harness of the browser tests on the demo data: a fresh database seeded with the demo (600 accounts), the app
 * served on a free port with its own solve runner, and Chromium (Debian's, headless) in a throwaway profile. Every
 * page it opens records script errors and CSP refusals in `problems`, which each suite expects to stay empty.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { DEMO_PASSWORD, seedDemo } from '../../db/seed.ts';
import { createApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { parseEnv } from '../../src/lib/env.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/** Screenshots of the pages go here (CI keeps them as artifacts). */
export const ARTIFACTS = new URL('../../artifacts/', import.meta.url).pathname;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface DemoBrowser {
  db: TestDatabase;
  base: string;
  browser: BrowserContext;
  /** Script errors and CSP refusals seen on any page opened with newPage. */
  problems: string[];
  newPage(): Promise<Page>;
  /** Signs in with a demo user (cookies of the previous one cleared). */
  signIn(page: Page, email: string): Promise<void>;
  /** Starts the solve runner of a demo started with solving: false. */
  startSolving(): void;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Settings on top of the test defaults, e.g. a solve limit. */
  env?: Record<string, string>;
  /** false: no solve runs until startSolving() (runs stay queued). */
  solving?: boolean;
  /** Accounts of the Acme book (600 unless said): the crawl takes a smaller book, every page of it. */
  accounts?: number;
}

export async function startDemoBrowser(name: string, options: DemoOptions = {}): Promise<DemoBrowser> {
  const db = await createTestDatabase();
  await seedDemo(db.db, { accounts: options.accounts ?? 600 });
  const env = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SOLVER_TIME_LIMIT_SECONDS: '20',
    ...options.env,
  });
  const app = createApp({ env, db: db.db, logger: createMemoryLogger() });
  const runner = createJobRunner({
    db: db.db,
    handlers: { solve_run: solveRunJob },
    pollMs: 200,
    concurrency: 1,
  });
  let solving = options.solving !== false;
  if (solving) runner.start();
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const srv = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(srv));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = mkdtempSync(join(tmpdir(), `bookshift-e2e-${name}-`));
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 900 },
  });
  const problems: string[] = [];
  // The page reports every CSP violation itself too (an init script runs outside the page's CSP), so a refusal
  // is caught even where Chromium would not print it to the console (a fragment swapped in, a worker).
  await browser.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || location.pathname) + ':' + e.lineNumber));`,
  });
  return {
    db,
    base,
    browser,
    problems,
    async newPage() {
      const page = await browser.newPage();
      page.on('console', (m) => {
        // A refused request (403, 409) is an expected page here; script errors and CSP refusals are not.
        if (/Failed to load resource/.test(m.text())) return;
        if (m.type() === 'error' || /Content Security Policy|Refused to/i.test(m.text()))
          problems.push(`${page.url()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(e.message));
      return page;
    },
    async signIn(page, email) {
      await browser.clearCookies();
      await page.goto(`${base}/login`);
      await page.fill('#email', email);
      await page.fill('#password', DEMO_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.click('button[type=submit]:has-text("Sign in")'),
      ]);
    },
    startSolving() {
      if (!solving) runner.start();
      solving = true;
    },
    async close() {
      await browser.close();
      if (solving) await runner.stop();
      await new Promise((resolve) => server.close(resolve));
      await db.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A deal at least this big counts as big in the level-3 suites' segments. */
export const BIG_DEAL_CENTS = 50_000_00;

export type Leaver = { id: string; name: string; end_date: string };

/** The demo's leaver (end date set) with the most open deals, on both a Prospect account and a big Customer deal. */
export async function pickLeaver(db: Database): Promise<Leaver> {
  const [pick] = await queryRows<Leaver>(
    db,
    sql`select r.id, r.name, r.end_date::text as end_date
        from reps r
        where r.end_date is not null and r.kind = 'person'
          and exists (select 1 from opportunities o join accounts a on a.id = o.account_id
                      where a.owner_rep_id = r.id and o.status = 'open' and a.type = 'Prospect' and not a.is_house)
          and exists (select 1 from opportunities o join accounts a on a.id = o.account_id
                      where a.owner_rep_id = r.id and o.status = 'open' and a.type = 'Customer'
                        and o.amount_cents >= ${BIG_DEAL_CENTS} and not a.is_house)
        order by (select count(*) from opportunities o where o.owner_rep_id = r.id and o.status = 'open') desc, r.id
        limit 1`,
  );
  if (!pick) throw new Error('The demo data has no leaver with both kinds of deal; the seed changed.');
  return pick;
}

/** The day after an ISO date. */
export const addDay = (iso: string) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
