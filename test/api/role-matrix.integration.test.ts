/**
 * RELIABILITY 4: every route, enumerated from the router and the OpenAPI document, called anonymously and as
 * each role (by session and by API key): only the roles allowed succeed; the rest get 401/403 and change nothing.
 * EXPECTED is the access policy written out independently of the code: a new route fails this test until it
 * is added here with the roles MISSION.md gives it.
 */
import { asc, count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditEvents } from '../../db/schema/index.ts';
import { GRANTABLE_KEY_ROLES, ROLES, type Role } from '../../src/lib/roles.ts';
import {
  apiKeyFor,
  Browser,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  PASSWORD,
  signedIn,
} from '../app/harness.ts';

type Access = 'public' | readonly Role[];
const EVERYONE_SIGNED_IN = ROLES;

const READERS = ['admin', 'manager', 'analyst', 'finance'] as const;
const IMPORTERS = ['admin', 'manager', 'analyst'] as const;
const DRAFTERS = ['manager', 'analyst'] as const;
const MANAGER = ['manager'] as const;
const KEY_HOLDERS = ['admin', 'manager'] as const;

const EXPECTED: Record<string, Access> = {
  'GET /static/app.css': 'public',
  'GET /static/htmx.js': 'public',
  'GET /static/favicon.svg': 'public',
  'GET /health': 'public',
  'GET /v1/openapi.json': 'public',
  'GET /v1/docs': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'public',
  // The first-run page: 404 unless the install is fresh and the one-time token is presented.
  'GET /setup': 'public',
  'POST /setup': 'public',
  'GET /v1/me': EVERYONE_SIGNED_IN,
  // API keys: admins manage the org's keys (MISSION.md), managers their own (a manager's integration key).
  'GET /v1/api-keys': KEY_HOLDERS,
  'POST /v1/api-keys': KEY_HOLDERS,
  'DELETE /v1/api-keys/:id': KEY_HOLDERS,
  'GET /': EVERYONE_SIGNED_IN,
  'GET /admin/api-keys': KEY_HOLDERS,
  'POST /admin/api-keys': KEY_HOLDERS,
  'POST /admin/api-keys/:id/revoke': KEY_HOLDERS,
  'GET /admin/house-users': ['admin'],
  'POST /admin/house-users': ['admin'],
  // Import the book (F1) and keep the rules (F2): admins, managers and analysts.
  'GET /v1/column-mappings': IMPORTERS,
  'POST /v1/column-mappings': IMPORTERS,
  'GET /v1/import-presets': IMPORTERS,
  'GET /v1/import-jobs/:id': IMPORTERS,
  'GET /v1/imports': IMPORTERS,
  'POST /v1/imports': IMPORTERS,
  'POST /v1/imports/preview': IMPORTERS,
  'GET /v1/imports/:id': IMPORTERS,
  'GET /v1/imports/:id/errors': IMPORTERS,
  'GET /v1/imports/:id/errors.csv': IMPORTERS,
  'GET /v1/rulesets': READERS,
  'POST /v1/rulesets': IMPORTERS,
  'POST /v1/rulesets/validate': IMPORTERS,
  'GET /v1/rulesets/:id': READERS,
  'PUT /v1/rulesets/:id': IMPORTERS,
  'GET /v1/rulesets/:id/versions': READERS,
  // The book, read by other systems to name reps and accounts.
  'GET /v1/reps': READERS,
  'GET /v1/accounts': READERS,
  'GET /v1/opportunities': READERS,
  'GET /v1/opportunities/:id': READERS,
  // Runs (F3-F6): managers and analysts draft, solve and resolve; everyone but reps reads.
  'GET /v1/runs': READERS,
  'POST /v1/runs': DRAFTERS,
  'GET /v1/runs/:id': READERS,
  'GET /v1/runs/:id/summary': READERS,
  'GET /v1/runs/:id/accounts': [...READERS, 'rep'],
  'GET /v1/runs/:id/accounts/:accountId': READERS,
  'PUT /v1/runs/:id/accounts/:accountId/pin': DRAFTERS,
  'DELETE /v1/runs/:id/accounts/:accountId/pin': DRAFTERS,
  'POST /v1/runs/:id/accounts/bulk': DRAFTERS,
  'PUT /v1/runs/:id/accounts/:accountId/exclusion': DRAFTERS,
  'DELETE /v1/runs/:id/accounts/:accountId/exclusion': DRAFTERS,
  'GET /v1/runs/:id/compare': READERS,
  'GET /v1/runs/:id/conflicts': READERS,
  'GET /v1/runs/:id/diagnosis': READERS,
  'POST /v1/runs/:id/conflicts/:conflictId/resolve': DRAFTERS,
  'POST /v1/runs/:id/solve': DRAFTERS,
  'POST /v1/what-if/solve': DRAFTERS,
  'POST /v1/what-if/compare': DRAFTERS,
  // Approve, commit and roll back (F7, F8, F12): managers only; cancelling a draft also analysts.
  'POST /v1/runs/:id/approve': MANAGER,
  'POST /v1/runs/:id/commit': MANAGER,
  'POST /v1/runs/:id/cancel': DRAFTERS,
  'POST /v1/runs/:id/rollback': MANAGER,
  // Exports, notices and audit (F9-F11): read by everyone but reps; settings by admins and managers.
  'GET /v1/runs/:id/exports/:format': READERS,
  'GET /v1/exports/layout': READERS,
  'PUT /v1/exports/layout': ['admin', 'manager'],
  'GET /v1/exports/house-users': READERS,
  'PUT /v1/exports/house-users': ['admin'],
  'GET /v1/notices': READERS,
  'GET /v1/notices/:id': READERS,
  'POST /v1/notices/:id/retry': MANAGER,
  'POST /v1/notices/:id/cancel': MANAGER,
  'GET /v1/runs/:id/notices': READERS,
  'GET /v1/runs/:id/audit': READERS,
  'GET /v1/audit/events': READERS,
  'GET /v1/audit/export': READERS,
  'GET /v1/audit/verify': READERS,
  // Commission impact and reconciliation (C1-C6): finance with the planners; reps never.
  'GET /v1/runs/:id/commission-impact': READERS,
  'GET /v1/runs/:id/commission-impact.csv': READERS,
  'GET /v1/runs/:id/commission-reconciliation': READERS,
  'GET /v1/runs/:id/commission-reconciliation.csv': READERS,
  // The commission queue (C1-C6): items of every run with their status; retry of failed items by managers.
  'GET /v1/commission-queue': READERS,
  'POST /v1/commission-queue/retry': MANAGER,
  'GET /v1/commission-queue/:id/history': READERS,
  // The manual queue: each opportunity's commission type decided by a person on the run (the planners).
  'GET /v1/runs/:id/commission-decisions': READERS,
  'PUT /v1/runs/:id/commission-decisions': DRAFTERS,
  // Pages.
  'GET /commissions': READERS,
  'POST /commissions/retry': MANAGER,
  'GET /commissions/items/:id': READERS,
  'POST /commissions/cancel-runs': DRAFTERS,
  'GET /runs/:id/commission-decisions': READERS,
  'POST /runs/:id/commission-decisions': DRAFTERS,
  'POST /runs/:id/commission-decisions/:opportunityId': DRAFTERS,
  'GET /me': ['rep'],
  // A rep reads the notices addressed to them (404 for any other).
  'GET /me/notices/:id': ['rep'],
  'GET /accounts': READERS,
  // A rep reads the accounts of their own book (403 for any other).
  'GET /accounts/:id': [...READERS, 'rep'],
  'GET /reps': READERS,
  'GET /reps/:id': READERS,
  // The outbox (F10): who sends notices (managers) and who configures the provider (admins) watch them go out.
  'GET /notices': ['admin', 'manager'],
  'GET /notices/:id': ['admin', 'manager'],
  'GET /notices/:id/preview': ['admin', 'manager'],
  'POST /notices/:id/retry': MANAGER,
  'POST /notices/:id/cancel': MANAGER,
  'GET /audit': READERS,
  'GET /audit/export.csv': READERS,
  'GET /audit/export.json': READERS,
  'GET /imports': IMPORTERS,
  'GET /imports/new': IMPORTERS,
  'GET /imports/:id': IMPORTERS,
  'GET /imports/:id/errors.csv': IMPORTERS,
  'GET /imports/preview/:token/errors.csv': IMPORTERS,
  'GET /imports/progress/:token': IMPORTERS,
  'POST /imports/preview': IMPORTERS,
  'POST /imports/apply': IMPORTERS,
  'GET /reps/:id/terminate-commissions': MANAGER,
  'POST /reps/:id/terminate-commissions': MANAGER,
  'GET /runs/:id/commission-impact': READERS,
  'GET /opportunities/:id': READERS,
  'POST /opportunities/:id/commissions': MANAGER,
  'GET /accounts/:id/reassign-opportunities': MANAGER,
  'POST /accounts/:id/reassign-opportunities': MANAGER,
  // What-if solves in the pages, as in the API: the planners.
  'GET /what-if': DRAFTERS,
  'POST /what-if': DRAFTERS,
  'GET /runs/new': DRAFTERS,
  'POST /runs/new': DRAFTERS,
  'POST /runs/new/impact': DRAFTERS,
  'POST /runs/new/accounts': DRAFTERS,
  'POST /runs/bulk-cancel': DRAFTERS,
  'GET /runs/:id': READERS,
  'GET /runs/:id/progress': READERS,
  'GET /runs/:id/accounts': READERS,
  'GET /runs/:id/accounts/:accountId': READERS,
  'GET /runs/:id/compare': READERS,
  'GET /runs/:id/audit': READERS,
  'GET /runs/:id/audit/export.csv': READERS,
  'GET /runs/:id/audit/export.json': READERS,
  'GET /runs/:id/exports/:format': READERS,
  'GET /runs/:id/approve': MANAGER,
  'POST /runs/:id/approve': MANAGER,
  'POST /runs/:id/commit': MANAGER,
  'POST /runs/:id/cancel': DRAFTERS,
  'POST /runs/:id/solve': DRAFTERS,
  'POST /runs/:id/conflicts/:cid': DRAFTERS,
  'POST /runs/:id/conflicts/:cid/commission': DRAFTERS,
  'POST /runs/:id/conflicts/account/:aid': DRAFTERS,
  'POST /runs/:id/conflicts/bulk': DRAFTERS,
  'POST /runs/:id/accounts/change': DRAFTERS,
  'POST /runs/:id/rollback': MANAGER,
};

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let targetKeyId: string;
const sessions = {} as Record<Role, Browser>;
const keys = {} as Record<Role, string>;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Matrix Org');
  for (const role of ROLES) {
    sessions[role] = await signedIn(h, org.users[role]);
    keys[role] = (await apiKeyFor(h, org.id, role)).key;
  }
  targetKeyId = (await apiKeyFor(h, org.id, 'rep', 'target')).apiKey.id;
});
afterAll(async () => {
  await h?.close();
});

function enumerateRouter(): string[] {
  const seen = new Set<string>();
  for (const r of h.app.routes) {
    if (r.method === 'ALL') continue; // middleware
    seen.add(`${r.method} ${r.path}`);
  }
  return [...seen].sort();
}

async function openApiOperations() {
  const doc = await jsonOf(await h.app.request(`${ORIGIN}/v1/openapi.json`));
  const ops: Array<{ key: string; roles: unknown; operationId: string }> = [];
  for (const [path, item] of Object.entries<Record<string, { 'x-roles': unknown; operationId: string }>>(
    doc.paths,
  )) {
    for (const [method, op] of Object.entries(item)) {
      ops.push({
        key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        roles: op['x-roles'],
        operationId: op.operationId,
      });
    }
  }
  return ops;
}

/** A request each route would accept from an allowed caller. */
function requestFor(key: string): { path: string; init: RequestInit } {
  const [method, pattern] = key.split(' ') as [string, string];
  // Every id is a real UUID (the target API key's), so handlers get past validation to the lookup.
  const path = pattern.replace(':format', 'neutral').replace(/:[A-Za-z]+/g, targetKeyId);
  const json = (body: unknown) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const form = (body: Record<string, string>) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  const bodies: Record<string, RequestInit> = {
    'POST /v1/api-keys': json({ name: 'matrix', role: 'rep' }),
    'POST /admin/api-keys': form({ name: 'matrix', role: 'rep' }),
    'PUT /v1/exports/house-users': json({ salesforce: null }),
    'POST /admin/house-users': form({ salesforce: '' }),
    'POST /login': form({ email: org.users.analyst.email, password: PASSWORD }),
  };
  return { path, init: { method, ...(bodies[key] ?? {}) } };
}

type Caller = { label: string; role: Role | null; kind: 'anonymous' | 'session' | 'api_key' };
const CALLERS: Caller[] = [
  { label: 'anonymous', role: null, kind: 'anonymous' },
  ...ROLES.map((role) => ({ label: `${role} (session)`, role, kind: 'session' as const })),
  ...ROLES.map((role) => ({ label: `${role} (API key)`, role, kind: 'api_key' as const })),
];

async function call(caller: Caller, key: string) {
  const { path, init } = requestFor(key);
  const headers = new Headers(init.headers);
  let body = init.body as string | undefined;
  const isForm = headers.get('content-type')?.startsWith('application/x-www-form-urlencoded');
  if (caller.kind === 'api_key') headers.set('authorization', `Bearer ${keys[caller.role!]}`);
  if (caller.kind === 'session') {
    // Signing in or out ends the session it runs in; those two get a throwaway session of the same role.
    const b =
      key.endsWith('/login') || key.endsWith('/logout')
        ? await signedIn(h, org.users[caller.role!])
        : sessions[caller.role!];
    headers.set('cookie', b.jar.header());
    headers.set('origin', ORIGIN);
    headers.set('x-csrf-token', b.csrfToken);
  }
  if (caller.kind === 'anonymous') {
    // A real anonymous browser: it has the pre-login CSRF cookie and token, so only the role check can refuse.
    const anon = new Browser(h);
    await anon.page('/login');
    headers.set('cookie', anon.jar.header());
    headers.set('origin', ORIGIN);
    if (isForm) body = `${body}&_csrf=${encodeURIComponent(anon.csrfToken)}`;
    else headers.set('x-csrf-token', anon.csrfToken);
  }
  return h.app.request(`${ORIGIN}${path}`, { method: init.method, headers, body });
}

/** What a refused call must leave untouched. */
async function snapshot() {
  const keysNow = await h.db.db
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt, name: apiKeys.name })
    .from(apiKeys)
    .orderBy(asc(apiKeys.id));
  const [audit] = await h.db.db.select({ n: count() }).from(auditEvents);
  return JSON.stringify({ keysNow, audit: audit?.n });
}

describe('role matrix', () => {
  it('the router, the OpenAPI document and the policy list the same routes', async () => {
    expect(enumerateRouter()).toEqual(Object.keys(EXPECTED).sort());
    const ops = await openApiOperations();
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) {
      expect(EXPECTED[op.key], op.key).toBeDefined();
      expect(op.operationId, op.key).toMatch(/^[a-z][A-Za-z]+$/);
      const expected = EXPECTED[op.key]!;
      expect(Array.isArray(op.roles) ? [...op.roles].sort() : op.roles, op.key).toEqual(
        expected === 'public' ? 'public' : [...expected].sort(),
      );
    }
  });

  it('a key role that a creator may grant carries no API right the creator lacks', () => {
    const rightsOf = (role: Role) =>
      Object.entries(EXPECTED)
        .filter(([key, access]) => key.includes(' /v1/') && access !== 'public' && access.includes(role))
        .map(([key]) => key);
    for (const creator of ROLES) {
      const own = new Set(rightsOf(creator));
      for (const granted of GRANTABLE_KEY_ROLES[creator]) {
        const beyond = rightsOf(granted).filter((right) => !own.has(right));
        expect(beyond, `${creator} may grant ${granted}`).toEqual([]);
      }
    }
    // The escalation observed before: an admin minting a manager key to approve and commit.
    expect(GRANTABLE_KEY_ROLES.admin).not.toContain('manager');
    expect(GRANTABLE_KEY_ROLES.manager).toContain('manager');
  });

  for (const key of Object.keys(EXPECTED)) {
    it(`${key}: only the allowed roles get through`, async () => {
      const access = EXPECTED[key]!;
      for (const caller of CALLERS) {
        const allowed = access === 'public' || (caller.role !== null && access.includes(caller.role));
        const before = await snapshot();
        const res = await call(caller, key);
        if (allowed) {
          expect([401, 403], `${key} as ${caller.label} should be allowed`).not.toContain(res.status);
          expect(res.status, `${key} as ${caller.label}`).toBeLessThan(500);
        } else {
          if (caller.kind === 'anonymous') {
            const toLogin = res.status === 303 && res.headers.get('location')?.startsWith('/login');
            expect(res.status === 401 || toLogin, `${key} anonymous got ${res.status}`).toBe(true);
          } else {
            expect(res.status, `${key} as ${caller.label}`).toBe(403);
          }
          expect(await snapshot(), `${key} as ${caller.label} changed data`).toBe(before);
        }
      }
    });
  }
});
