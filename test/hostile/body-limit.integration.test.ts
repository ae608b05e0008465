/**
 * Issue 15: every request body is bounded before anything parses it. A huge anonymous form POST to /login
 * used to be parsed whole by the CSRF check before its 403; a huge JSON body to a validator was read whole.
 * Over real HTTP (chunked, no Content-Length), the server answers 413 having pulled at most about the limit.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  jsonOf,
  ORIGIN,
} from '../app/harness.ts';

const LIMIT = 64 * 1024;
let h: Harness;
let key: string;

beforeAll(async () => {
  h = await createHarness({ REQUEST_MAX_BYTES: String(LIMIT), UPLOAD_MAX_BYTES: String(256 * 1024) });
  const org = await createOrgWithUsers(h, 'Limits');
  key = (await apiKeyFor(h, org.id, 'analyst')).key;
});
afterAll(async () => {
  await h?.close();
});

const big = (bytes: number) => 'a'.repeat(bytes);

describe('body limits before parsing', () => {
  it('refuses an anonymous form POST to /login over the limit with 413, not a parse then 403', async () => {
    const body = `email=${big(LIMIT)}&password=x`;
    const res = await h.app.request(`${ORIGIN}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
    });
    expect(res.status).toBe(413);
  });

  it('refuses a JSON body over the limit on an API route, declared or chunked', async () => {
    const body = JSON.stringify({ yaml: big(LIMIT) });
    const declared = await h.app.request(`${ORIGIN}/v1/rulesets/validate`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json', 'content-length': String(body.length) },
      body,
    });
    expect(declared.status).toBe(413);
    expect((await jsonOf(declared)).code).toBe('PAYLOAD_TOO_LARGE');
    const chunked = await h.app.request(`${ORIGIN}/v1/rulesets/validate`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('lets a body under the limit through to validation', async () => {
    const res = await h.app.request(`${ORIGIN}/v1/rulesets/validate`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ nonsense: big(1000) }),
    });
    expect(res.status).toBe(200); // the answer of the validator: not a valid ruleset
    expect((await jsonOf(res)).ok).toBe(false);
  });

  it('keeps the larger upload limit on the upload routes', async () => {
    const csv = `Account ID,Account Name\n${'x1,Acme\n'.repeat(20_000)}`; // ~160 KB: over REQUEST_MAX_BYTES
    const res = await h.app.request(`${ORIGIN}/v1/imports/preview?kind=accounts`, {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).not.toBe(413);
    expect(res.status).toBeLessThan(500);
  });

  it('over real HTTP, stops reading a chunked 64 MB body near the limit and answers 413', async () => {
    const server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 });
    try {
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as AddressInfo;
      const chunk = new Uint8Array(64 * 1024).fill(97);
      let pulled = 0;
      const total = 64 * 2 ** 20;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= total) return controller.close();
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`http://127.0.0.1:${port}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: stream,
        duplex: 'half',
      } as RequestInit).catch((error: unknown) => error as Error);
      // The server answers 413 and closes; the client may see the answer or the reset of its unsent upload.
      if (res instanceof Response) expect(res.status).toBe(413);
      // Socket buffers hold a few MB at most: nowhere near the 64 MB offered.
      expect(pulled).toBeLessThan(16 * 2 ** 20);
    } finally {
      server.close();
    }
  });
});
