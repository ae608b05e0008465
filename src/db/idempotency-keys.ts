/**
 * The stored side of the Idempotency-Key middleware (src/api/middleware/idempotency.ts): claiming a key for a
 * request, completing it with the response, releasing it. Each runs in a transaction of its own, in the caller's org.
 */
import { and, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { idempotencyKeys, type JsonValue } from '../../db/schema/index.ts';
import { orgScope, type Principal } from '../auth/principal.ts';
import { AppError } from '../lib/errors.ts';
import { parseJsonColumn } from '../lib/json-column.ts';
import { decideReplay } from '../workflow/idempotency.ts';
import type { Database } from './client.ts';
import { withOrg } from './tenancy.ts';

export type { JsonValue };

/** A claim older than this is taken to belong to a request that died (crash, lost connection) and may be retried. */
export const STALE_CLAIM_MS = 60_000;

export type Claim = { kind: 'claimed'; id: string } | { kind: 'replay'; status: number; body: JsonValue };

/** `idempotency_keys.response_body`: any JSON value (null when the response had no JSON body). */
const responseBodyColumn = z.json();

export interface ClaimRequest {
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  now: Date;
}

/** Claims the key for this request, or says which response to replay; refuses another request or one still running. */
export function claimIdempotencyKey(db: Database, principal: Principal, r: ClaimRequest): Promise<Claim> {
  return withOrg(db, orgScope(principal), async (tx): Promise<Claim> => {
    // A claim left behind by a request that died no longer blocks the key.
    await tx
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.key, r.key),
          eq(idempotencyKeys.status, 'in_progress'),
          lt(idempotencyKeys.createdAt, new Date(r.now.getTime() - STALE_CLAIM_MS)),
        ),
      );
    const [inserted] = await tx
      .insert(idempotencyKeys)
      .values({
        orgId: principal.orgId,
        key: r.key,
        method: r.method,
        path: r.path,
        requestHash: r.fingerprint,
        status: 'in_progress',
        actorUserId: principal.userId ?? null,
        actorApiKeyId: principal.apiKeyId ?? null,
        createdAt: r.now,
      })
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.id });
    if (inserted) return { kind: 'claimed', id: inserted.id };
    const [existing] = await tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, r.key));
    if (!existing) {
      // Released between our insert and our read (a 5xx of the first request): let the client retry.
      throw retryShortly();
    }
    if (existing.requestHash !== r.fingerprint) {
      decideReplay({ fingerprint: existing.requestHash, status: 0, body: null }, r.fingerprint);
    }
    if (existing.status === 'in_progress') throw retryShortly();
    const at = { table: 'idempotency_keys', column: 'response_body', rowId: existing.id };
    const body = parseJsonColumn(responseBodyColumn, existing.responseBody, at);
    return { kind: 'replay', status: existing.responseStatus ?? 200, body };
  });
}

/** Keeps the response of a claimed key for its replays. */
export async function completeIdempotencyKey(
  db: Database,
  principal: Principal,
  id: string,
  response: { status: number; body: JsonValue; at: Date },
): Promise<void> {
  await withOrg(db, orgScope(principal), (tx) =>
    tx
      .update(idempotencyKeys)
      .set({
        status: 'completed',
        responseStatus: response.status,
        responseBody: response.body,
        completedAt: response.at,
      })
      .where(eq(idempotencyKeys.id, id)),
  );
}

/** Gives the key back (the request failed), so a retry runs again. */
export async function releaseIdempotencyKey(db: Database, principal: Principal, id: string): Promise<void> {
  await withOrg(db, orgScope(principal), (tx) =>
    tx.delete(idempotencyKeys).where(eq(idempotencyKeys.id, id)),
  );
}

function retryShortly() {
  return new AppError(
    'CONFLICT',
    'A request with this Idempotency-Key is still being processed: retry shortly with the same key.',
    { headers: { 'Retry-After': '1' } },
  );
}
