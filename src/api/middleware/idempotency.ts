/**
 * The Idempotency-Key middleware, per org: the same key with the same request replays
 * the first response (status and body); the same key with another request is refused (IDEMPOTENCY_KEY_REUSED);
 * the same key while the first request is still running is refused with "retry shortly"; no key, no replay.
 * The key is claimed and completed in transactions of their own, around the handler's; 5xx responses are not
 * kept (the key is released so a retry runs again). Mount it after the role guard: it needs the principal.
 */
import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { principalOf } from '../../auth/require-role.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type JsonValue,
  releaseIdempotencyKey,
} from '../../db/idempotency-keys.ts';
import { parseIdempotencyKey, requestFingerprint } from '../../workflow/idempotency.ts';
import type { AppBindings } from '../context.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

export const idempotencyHeaderSchemaDescription =
  'Optional. The same key with the same request replays the first response; with another request it is refused (409 IDEMPOTENCY_KEY_REUSED). 8–200 letters, digits or . _ : -';

/** The optional Idempotency-Key request header, as each idempotent route documents it. */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({
      param: { name: 'idempotency-key', in: 'header' },
      description: idempotencyHeaderSchemaDescription,
      example: 'create-2026-03-01-7f3a',
    }),
});

export function idempotency(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const key = parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER));
    if (key === null) return next();
    const principal = principalOf(c);
    const { db, clock } = c.get('deps');
    const fingerprint = requestFingerprint(c.req.method, c.req.path, await fingerprintedBody(c));

    const claim = await claimIdempotencyKey(db, principal, {
      key,
      method: c.req.method,
      path: c.req.path,
      fingerprint,
      now: clock(),
    });

    if (claim.kind === 'replay') {
      c.header(REPLAYED_HEADER, 'true');
      return c.json(claim.body, claim.status as 200);
    }

    try {
      await next();
    } catch (error) {
      await release(c, claim.id);
      throw error;
    }
    const status = c.res.status;
    if (status >= 500) {
      await release(c, claim.id);
      return;
    }
    const body = await readJson(c.res);
    await completeIdempotencyKey(db, principal, claim.id, { status, body, at: clock() });
  };
}

async function release(c: Parameters<MiddlewareHandler<AppBindings>>[0], id: string) {
  await releaseIdempotencyKey(c.get('deps').db, principalOf(c), id);
}

type Ctx = Parameters<MiddlewareHandler<AppBindings>>[0];

/**
 * What makes two requests the same: the JSON body, or for an upload each form field and each file's name, size
 * and SHA-256 (a client that retries an upload sends a new multipart boundary, which must not make it another
 * request), along with the query (import options live there).
 */
async function fingerprintedBody(c: Ctx): Promise<unknown> {
  const query = c.req.query();
  const type = c.req.header('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    const body = parseBody(await c.req.text());
    // Without a query the fingerprint is the body's alone, as it always was (keys stored before still match).
    return Object.keys(query).length === 0 ? body : { query, body };
  }
  const form = await c.req.formData();
  const fields: Array<[string, unknown]> = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields.push([name, value]);
    else {
      const bytes = new Uint8Array(await value.arrayBuffer());
      fields.push([
        name,
        {
          file: value.name,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      ]);
    }
  }
  return { query, form: fields };
}

function parseBody(raw: string): unknown {
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    // Not JSON: fingerprint the text as it is, so a different text is a different request.
    return { text: raw };
  }
}

/** The response's JSON body (what JSON.parse makes is a JSON value), or null when it has none. */
async function readJson(res: Response): Promise<JsonValue> {
  try {
    return JSON.parse(await res.clone().text());
  } catch {
    return null;
  }
}

/** A response of an idempotent route, documenting the header a replayed response carries. */
export function replayable<R extends object>(response: R) {
  return {
    ...response,
    headers: z.object({
      [REPLAYED_HEADER]: z.literal('true').optional().openapi({
        description:
          'Present (true) when this is the stored response of an earlier request with the same Idempotency-Key.',
      }),
    }),
  };
}
