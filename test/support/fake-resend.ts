/**
 * A local fake of the Resend email API for tests: the real `resend` SDK talks to it through RESEND_BASE_URL.
 * It keeps Resend's idempotency semantics (same key + same body → the first response, without a second
 * delivery; same key + another body → 409 invalid_idempotent_request) and can be told to fail in every way
 * RELIABILITY.md scenario 13 lists: 5xx, 429 with Retry-After, a timeout, and accepting then dropping the
 * connection.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeFault =
  | 'ok'
  | 'server_error'
  | 'rate_limit'
  | 'timeout'
  | 'accept_then_drop'
  | 'validation_error';

export interface Delivered {
  id: string;
  idempotencyKey: string | null;
  to: string[];
  subject: string;
}

export interface FakeResend {
  url: string;
  /** Faults applied to the next requests in order; when empty, requests succeed. */
  faults: FakeFault[];
  /** Messages the fake accepted for delivery (each exactly once per idempotency key). */
  delivered: Delivered[];
  requests: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeResend(apiKey = 're_test_key'): Promise<FakeResend> {
  const byKey = new Map<string, { bodyHash: string; id: string }>();
  const state: FakeResend = { url: '', faults: [], delivered: [], requests: 0, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    state.requests += 1;
    const body = await readBody(req);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(401, { statusCode: 401, name: 'invalid_api_key', message: 'API key is invalid' });
    }
    if (req.method !== 'POST' || req.url !== '/emails') {
      return send(404, { statusCode: 404, name: 'not_found', message: 'Not found' });
    }
    const fault = state.faults.shift() ?? 'ok';
    if (fault === 'server_error')
      return send(500, { statusCode: 500, name: 'internal_server_error', message: 'boom' });
    if (fault === 'rate_limit') {
      return send(
        429,
        { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' },
        { 'retry-after': '1' },
      );
    }
    if (fault === 'validation_error') {
      return send(422, { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field' });
    }
    if (fault === 'timeout') return; // never answers; the client's own timeout must end the request
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const bodyHash = createHash('sha256').update(body).digest('hex');
    let id: string;
    const seen = key ? byKey.get(key) : undefined;
    if (seen) {
      if (seen.bodyHash !== bodyHash) {
        return send(409, {
          statusCode: 409,
          name: 'invalid_idempotent_request',
          message: 'Same idempotency key used with a different request payload.',
        });
      }
      id = seen.id;
    } else {
      id = randomUUID();
      if (key) byKey.set(key, { bodyHash, id });
      const payload = JSON.parse(body) as { to: string | string[]; subject: string };
      state.delivered.push({ id, idempotencyKey: key, to: [payload.to].flat(), subject: payload.subject });
    }
    if (fault === 'accept_then_drop') {
      req.socket.destroy();
      return;
    }
    send(200, { id });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
