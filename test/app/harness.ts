/**
 * Test harness for the web app: a fresh migrated database, the real app on it, and factories for orgs, users
 * with each role, sessions (through the real login form) and API keys (through the real service).
 */
import { randomUUID } from 'node:crypto';
import { memberships, orgs, users } from '../../db/schema/index.ts';
import { createApp } from '../../src/app.ts';
import { hashPassword, type ScryptParams } from '../../src/auth/password.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { type Env, parseEnv } from '../../src/lib/env.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { ROLES, type Role } from '../../src/lib/roles.ts';
import { createApiKey } from '../../src/services/auth/api-keys.ts';
import { holdToContract } from '../support/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/** Cheap scrypt for factory users: logins stay fast; tests of the real cost create their own users. */
export const CHEAP_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';
export const ORIGIN = 'http://bookshift.test';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  orgId: string;
}

export interface Harness {
  db: TestDatabase;
  app: ReturnType<typeof createApp>;
  env: Env;
  logger: ReturnType<typeof createMemoryLogger>;
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
}

export async function createHarness(envOverrides: Record<string, string> = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const env = parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', APP_BASE_URL: ORIGIN, ...envOverrides });
  const logger = createMemoryLogger();
  const clock = {
    now: new Date(),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  // Every /v1 response a test receives is held to the served OpenAPI document.
  const app = holdToContract(createApp({ env, db: db.db, clock: () => clock.now, logger }));
  return { db, app, env, logger, clock, close: () => db.close() };
}

/** An org with one user per role (setup runs as the owner connection, outside RLS). */
export async function createOrgWithUsers(h: Harness, name = `Org ${randomUUID().slice(0, 8)}`) {
  const [org] = await h.db.db
    .insert(orgs)
    .values({ name, slug: `org-${randomUUID()}` })
    .returning({ id: orgs.id });
  const byRole = {} as Record<Role, TestUser>;
  for (const role of ROLES) {
    byRole[role] = await createUser(h, org!.id, role);
  }
  return { id: org!.id, name, users: byRole };
}

export async function createUser(
  h: Harness,
  orgId: string,
  role: Role,
  options: { params?: ScryptParams; password?: string; email?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `${role}-${randomUUID().slice(0, 8)}@example.test`;
  const [user] = await h.db.db
    .insert(users)
    .values({
      email,
      name: `Test ${role}`,
      passwordHash: await hashPassword(options.password ?? PASSWORD, options.params ?? CHEAP_SCRYPT),
    })
    .returning({ id: users.id });
  await h.db.db.insert(memberships).values({ orgId, userId: user!.id, role });
  return { id: user!.id, email, role, orgId };
}

/** Cookies from Set-Cookie headers, as a jar the next request can send. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  absorb(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A browser-like client: keeps cookies, sends Origin on unsafe requests like a browser does. */
export class Browser {
  readonly jar = new CookieJar();
  csrfToken = '';
  constructor(readonly h: Harness) {}

  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    if (this.jar.cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', this.jar.header());
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !headers.has('origin')) headers.set('origin', ORIGIN);
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await this.h.app.request(`${ORIGIN}${path}`, { ...init, method, headers, body });
    this.jar.absorb(res);
    return res;
  }

  /** Loads a page (following same-site redirects, like a browser) and remembers its forms' CSRF token. */
  async page(path: string) {
    let res = await this.request(path);
    for (let hops = 0; hops < 5 && [301, 302, 303, 307].includes(res.status); hops++) {
      const location = res.headers.get('location');
      if (!location?.startsWith('/')) break;
      res = await this.request(location);
    }
    const html = await res.text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match) this.csrfToken = match[1]!;
    return { res, html };
  }

  async login(email: string, password = PASSWORD) {
    await this.page('/login');
    const res = await this.request('/login', {
      method: 'POST',
      form: { _csrf: this.csrfToken, email, password },
    });
    if (res.status === 303) await this.page(res.headers.get('location') ?? '/');
    return res;
  }
}

export async function signedIn(h: Harness, user: TestUser) {
  const browser = new Browser(h);
  const res = await browser.login(user.email);
  if (res.status !== 303) throw new Error(`login of ${user.email} failed with ${res.status}`);
  return browser;
}

/**
 * Creates an API key through the real service, acting as a member of the org with the key's own role (a key
 * carries at most its creator's rights, so only a member of that role may mint it).
 */
export async function apiKeyFor(h: Harness, orgId: string, role: Role, name = `key ${role}`) {
  const principal: Principal = { kind: 'session', orgId, orgName: 'test', role };
  const created = await createApiKey({
    ctx: { db: h.db.db, clock: () => h.clock.now, principal },
    input: { name, role },
  });
  return created;
}

export function bearer(key: string) {
  return { authorization: `Bearer ${key}` };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on their shape.
export type Json = any;

/** The parsed body of a JSON response. */
export async function jsonOf(res: Response): Promise<Json> {
  return res.json();
}
