/**
 * `npm start` as a newcomer runs it: the real entry point in its own process on the embedded database with the
 * demo data. A manager signs in and issues an API key; another system then names a departing rep through the book
 * API, creates a run, and the server's own job runner solves it; conflicts are resolved, the run approved and
 * committed, and the notices wait in the outbox (no email provider). SIGTERM shuts the server down cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess;
let base = '';
let dataDir = '';
let output = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bookshift-start-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGLITE_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // vitest sets NODE_ENV=test; demo data outside development is seeded only when asked for.
    SEED_DEMO: 'true',
  };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.MIGRATION_DATABASE_URL;
  delete env.RESEND_API_KEY;
  delete env.APP_BASE_URL;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], { cwd: ROOT, env });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Bookshift is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Cookies of one browser session against the real server. */
class Session {
  cookies = new Map<string, string>();
  csrf = '';
  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (init.method && init.method !== 'GET') headers.set('origin', base);
    const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
    }
    return res;
  }
  async page(path: string) {
    const html = await (await this.fetch(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match) this.csrf = match[1]!;
    return html;
  }
}

async function api(key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('npm start on a fresh machine', () => {
  it('serves the demo, solves in the background, commits, and stops cleanly', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(output).toContain('manager@demo.test');

    // A manager signs in through the login form and issues a key for another system (a key carries at most
    // its creator's rights, so the approving key comes from a manager, never from an admin).
    const creator = new Session();
    await creator.page('/login');
    const login = await creator.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: creator.csrf,
        email: 'manager@demo.test',
        password: 'bookshift-demo',
      }),
    });
    expect(login.status).toBe(303);
    await creator.page('/admin/api-keys');
    const keyFor = async (role: string) => {
      const res = await creator.fetch('/v1/api-keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': creator.csrf },
        body: JSON.stringify({ name: `system ${role}`, role }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { key: string }).key;
    };
    const manager = await keyFor('manager');

    // The book API names a rep with a book; a departure run is created and solved by the server's runner.
    const book = await api(manager, 'GET', '/accounts?limit=1');
    expect(book.status).toBe(200);
    expect(book.body.total).toBeGreaterThan(100);
    const leaver = book.body.data[0].ownerRepId as string;
    const created = await api(manager, 'POST', '/runs', {
      kind: 'rep_departure',
      reason: 'Leaves the company at the end of the month',
      params: { departingRepIds: [leaver] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    expect((await api(manager, 'POST', `/runs/${runId}/solve`)).status).toBe(202);
    let run = created.body;
    for (let i = 0; i < 120 && !['solved', 'in_review', 'failed'].includes(run.status); i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      run = (await api(manager, 'GET', `/runs/${runId}`)).body;
    }
    expect(run.status, JSON.stringify(run)).toBe('solved');

    // Review: accept each blocking conflict with a note, then approve what was reviewed and commit.
    const conflicts = await api(manager, 'GET', `/runs/${runId}/conflicts`);
    for (const c of conflicts.body.data as { id: string; severity: string; resolution: string | null }[]) {
      if (c.severity !== 'blocking' || c.resolution) continue;
      const res = await api(manager, 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
        resolution: 'accept',
        note: 'Reviewed with the regional manager',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const reviewed = (await api(manager, 'GET', `/runs/${runId}`)).body;
    const approved = await api(manager, 'POST', `/runs/${runId}/approve`, {
      expectedHash: reviewed.proposalHash,
      expectedVersion: reviewed.version,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const committed = await api(manager, 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.counts.accounts).toBeGreaterThan(0);
    const moved = await api(manager, 'GET', `/accounts?owner=${leaver}&limit=1`);
    expect(moved.body.total).toBe(0);

    // Without RESEND_API_KEY the notices stay in the outbox and say why.
    const notices = await api(manager, 'GET', `/runs/${runId}/notices`);
    expect(notices.body.providerConfigured).toBe(false);
    expect(notices.body.data.length).toBeGreaterThan(0);
    for (const n of notices.body.data) expect(n.deliveryNote).toMatch(/no email provider configured/);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
