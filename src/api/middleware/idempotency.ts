/**
 * The Idempotency-Key middleware (RELIABILITY.md scenario 8), per org: the same key with the same request replays
 * the first response (status and body); the same key with another request is refused (IDEMPOTENCY_KEY_REUSED);
 * the same key while the first request is still running is refused with "retry shortly"; no key, no replay.
 * The key is claimed and completed in transactions of their own, around the handler's; 5xx responses are not
 * kept (the key is released so a retry runs again). Mount it after the role guard: it needs the principal.
 */
import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { and, eq, lt } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { idempotencyKeys } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { principalOf } from '../../auth/require-role.ts';
import { withOrg } from '../../db/tenancy.ts';
import { AppError } from '../../lib/errors.ts';
import { decideReplay, parseIdempotencyKey, requestFingerprint } from '../../workflow/idempotency.ts';
import type { AppBindings } from '../context.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** A claim older than this is taken to belong to a request that died (crash, lost connection) and may be retried. */
export const STALE_CLAIM_MS = 60_000;

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

type Claim = { kind: 'claimed'; id: string } | { kind: 'replay'; status: number; body: unknown };

export function idempotency(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const key = parseIdempotencyKey(c.req.header(IDEMPOTENCY_HEADER));
    if (key === null) return next();
    const principal = principalOf(c);
    const { db, clock } = c.get('deps');
    const fingerprint = requestFingerprint(c.req.method, c.req.path, await fingerprintedBody(c));
    const scope = orgScope(principal);

    const claim = await withOrg(db, scope, async (tx): Promise<Claim> => {
      const now = clock();
      // A claim left behind by a request that died no longer blocks the key.
      await tx
        .delete(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.key, key),
            eq(idempotencyKeys.status, 'in_progress'),
            lt(idempotencyKeys.createdAt, new Date(now.getTime() - STALE_CLAIM_MS)),
          ),
        );
      const [inserted] = await tx
        .insert(idempotencyKeys)
        .values({
          orgId: principal.orgId,
          key,
          method: c.req.method,
          path: c.req.path,
          requestHash: fingerprint,
          status: 'in_progress',
          actorUserId: principal.userId ?? null,
          actorApiKeyId: principal.apiKeyId ?? null,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: idempotencyKeys.id });
      if (inserted) return { kind: 'claimed', id: inserted.id };
      const [existing] = await tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
      if (!existing) {
        // Released between our insert and our read (a 5xx of the first request): let the client retry.
        throw retryShortly();
      }
      if (existing.requestHash !== fingerprint) {
        decideReplay({ fingerprint: existing.requestHash, status: 0, body: null }, fingerprint);
      }
      if (existing.status === 'in_progress') throw retryShortly();
      return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody };
    });

    if (claim.kind === 'replay') {
      c.header(REPLAYED_HEADER, 'true');
      return c.json(claim.body as object, claim.status as 200);
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
    await withOrg(db, scope, (tx) =>
      tx
        .update(idempotencyKeys)
        .set({ status: 'completed', responseStatus: status, responseBody: body, completedAt: clock() })
        .where(eq(idempotencyKeys.id, claim.id)),
    );
  };
}

function retryShortly() {
  return new AppError(
    'CONFLICT',
    'A request with this Idempotency-Key is still being processed: retry shortly with the same key.',
    { headers: { 'Retry-After': '1' } },
  );
}

async function release(c: Parameters<MiddlewareHandler<AppBindings>>[0], id: string) {
  const { db } = c.get('deps');
  await withOrg(db, orgScope(principalOf(c)), (tx) =>
    tx.delete(idempotencyKeys).where(eq(idempotencyKeys.id, id)),
  );
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

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.clone().json();
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
