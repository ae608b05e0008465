/** The error contract, /health, the OpenAPI document and reference page, security headers and static assets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { openPglite } from '../../src/db/client.ts';
import { createMemoryLogger } from '../../src/lib/logger.ts';
import { holdToContract } from '../support/contract.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
  signedIn,
} from './harness.ts';

let h: Harness;
let org: Awaited<ReturnType<typeof createOrgWithUsers>>;
let adminKey: string;

beforeAll(async () => {
  h = await createHarness();
  org = await createOrgWithUsers(h, 'Contract Org');
  adminKey = (await apiKeyFor(h, org.id, 'admin')).key;
});
afterAll(async () => {
  await h?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  h.app.request(`${ORIGIN}${path}`, { headers });

describe('error contract', () => {
  it('404 under /v1 is JSON { code, message, requestId } and the id matches X-Request-Id', async () => {
    const res = await get('/v1/nope', bearer(adminKey));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await jsonOf(res);
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestId']);
    expect(body.code).toBe('NOT_FOUND');
    expect(body.message).toContain('/v1/nope');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('404 elsewhere is an HTML page with the request id', async () => {
    const res = await get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Page not found');
    expect(html).toContain(res.headers.get('x-request-id')!);
  });

  it('validation failures are VALIDATION_FAILED with a field path per problem', async () => {
    const res = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(adminKey), 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', role: 'boss', expiresAt: 'tomorrow' }),
    });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.message).toContain('request body');
    const paths = body.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['expiresAt', 'name', 'role']);
    expect(body.details.find((d: { path: string }) => d.path === 'name').message).toContain(
      'Give the key a name',
    );

    const badId = await h.app.request(`${ORIGIN}/v1/api-keys/not-a-uuid`, {
      method: 'DELETE',
      headers: bearer(adminKey),
    });
    expect(badId.status).toBe(400);
    expect(await jsonOf(badId)).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'id' }] });
  });

  it('malformed JSON and a wrong Content-Type are BAD_REQUEST with a useful message', async () => {
    const malformed = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(adminKey), 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect((await jsonOf(malformed)).code).toBe('BAD_REQUEST');
    const wrongType = await h.app.request(`${ORIGIN}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(adminKey), 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(wrongType.status).toBe(400);
    const body = await jsonOf(wrongType);
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.message).toContain('application/json');
  });

  it('an unexpected error is a generic 500: the detail goes to the log, never to the client', async () => {
    const logger = createMemoryLogger();
    const app = holdToContract(createApp({ env: h.env, db: h.db.db, logger }));
    app.get('/v1/explode', () => {
      throw new Error('password=hunter2 at db.internal:5432');
    });
    app.get('/explode', () => {
      throw new Error('password=hunter2 at db.internal:5432');
    });
    const api = await app.request(`${ORIGIN}/v1/explode`);
    expect(api.status).toBe(500);
    const text = await api.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('db.internal');
    const body = JSON.parse(text);
    expect(body.code).toBe('INTERNAL');
    expect(body.message).toMatch(/Something went wrong/);
    const logged = logger.entries.find(
      (e) => e.message === 'request failed' && e.requestId === body.requestId,
    );
    expect(JSON.stringify(logged)).toContain('hunter2');

    const page = await app.request(`${ORIGIN}/explode`);
    expect(page.status).toBe(500);
    const html = await page.text();
    expect(html).toContain('Something went wrong');
    expect(html).not.toContain('hunter2');
  });
});

describe('/health', () => {
  it('reports the database as reachable', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await jsonOf(res)).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('answers 503 when the database does not', async () => {
    const closed = await openPglite('memory://');
    await closed.close();
    const app = holdToContract(createApp({ env: h.env, db: closed.db, logger: createMemoryLogger() }));
    const res = await app.request(`${ORIGIN}/health`);
    expect(res.status).toBe(503);
    expect(await jsonOf(res)).toMatchObject({
      status: 'degraded',
      database: 'unreachable',
      databaseLatencyMs: null,
    });
  });
});

describe('OpenAPI', () => {
  it('is an OpenAPI 3.1 document with security schemes, operation ids, tags, security and error responses', async () => {
    const res = await get('/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = await jsonOf(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Bookshift API');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'bks_session',
    });
    expect(doc.components.schemas.Error.required.sort()).toEqual(['code', 'message', 'requestId']);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(typeof op.operationId, where).toBe('string');
        expect(ids.has(op.operationId as string), `${where} duplicate operationId`).toBe(false);
        ids.add(op.operationId as string);
        expect((op.tags as string[]).length, where).toBeGreaterThan(0);
        expect(Array.isArray(op.security), where).toBe(true);
        for (const status of ['400', '401', '403', '429', '500']) {
          const response = (
            op.responses as Record<string, { content: Record<string, { schema: { $ref: string } }> }>
          )[status];
          expect(response?.content['application/json']?.schema.$ref, `${where} ${status}`).toBe(
            '#/components/schemas/Error',
          );
        }
        const x = op['x-roles'];
        expect(x === 'public' || Array.isArray(x), where).toBe(true);
        if (x !== 'public') expect(op.security, where).toEqual([{ apiKey: [] }, { session: [] }]);
      }
    }
    expect([...ids]).toEqual(expect.arrayContaining(CORE_OPERATIONS));
    expect(ids.size).toBeGreaterThan(40);
    // Every $ref points at something that exists.
    for (const ref of JSON.stringify(doc).match(/"\$ref":"#\/components\/[^"]+"/g) ?? []) {
      const [, , kind, name] = ref.slice(8, -1).split('/');
      expect(doc.components[kind!]?.[name!], ref).toBeDefined();
    }
  });

  it('the reference page lists every operation and loads nothing from elsewhere', async () => {
    const res = await get('/v1/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const doc = await jsonOf(await get('/v1/openapi.json'));
    for (const item of Object.values<Record<string, { operationId: string }>>(doc.paths))
      for (const op of Object.values(item)) expect(html).toContain(`id="${op.operationId}"`);
    expect(html).not.toMatch(/(src|href)="https?:\/\//);
  });
});

const CORE_OPERATIONS = [
  'createApiKey',
  'getHealth',
  'getMe',
  'listApiKeys',
  'revokeApiKey',
  'createRun',
  'approveRun',
  'commitRun',
  'rollbackRun',
  'applyImport',
];

describe('security headers and pages under the CSP', () => {
  it('sends a self-only Content-Security-Policy without unsafe-inline or unsafe-eval', async () => {
    const res = await get('/login');
    const csp = res.headers.get('content-security-policy')!;
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      "object-src 'none'",
      "base-uri 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('pages carry no inline script, inline style, event handler attribute or hx-on (which would need eval)', async () => {
    const b = await signedIn(h, org.users.admin);
    const pages = [
      (await get('/login')).text(),
      b.page('/').then((p) => p.html),
      b.page('/admin/api-keys').then((p) => p.html),
      b.page('/v1/docs').then((p) => p.html),
      b.page('/missing').then((p) => p.html),
    ];
    for (const html of await Promise.all(pages)) {
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style/);
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+="/);
      expect(html).not.toMatch(/hx-on|js:|javascript:/);
      expect(html).toContain('<script src="/static/htmx.js" defer="">');
      // No injected indicator <style>, and no settle step (it re-applies old style attributes with setAttribute).
      expect(html).toContain(
        '<meta name="htmx-config" content="{&quot;includeIndicatorCSS&quot;:false,&quot;defaultSettleDelay&quot;:0}"/>',
      );
    }
  });

  it('serves htmx and the stylesheet locally with revalidation', async () => {
    const js = await get('/static/htmx.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('htmx');
    const css = await get('/static/app.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain(':focus-visible');
    const again = await get('/static/app.css', { 'if-none-match': css.headers.get('etag')! });
    expect(again.status).toBe(304);
  });
});
