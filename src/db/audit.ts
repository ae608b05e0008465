/**
 * The audit trail (F11): appendAudit adds events to the current org's hash chain, verifyAuditChain checks it.
 * Appends are serialised per org with a transaction-scoped advisory lock, so seq has no gaps or duplicates.
 * hash = sha256(prev_hash + "\n" + canonical JSON of the event's fields).
 */
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import { auditEvents } from '../../db/schema/index.ts';
import { asStoredJson, canonicalJson } from '../lib/canonical-json.ts';
import type { Tx } from './client.ts';
import { queryRows } from './query-rows.ts';

export interface AuditEventInput {
  /** e.g. run.created, run.approved, run.committed, account.owner_changed, conflict.resolved. */
  action: string;
  entityType: string;
  entityId?: string | null;
  runId?: string | null;
  actorUserId?: string | null;
  actorApiKeyId?: string | null;
  actorLabel?: string | null;
  requestId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to now; stored with millisecond precision. */
  at?: Date;
}

export interface AppendedAuditEvent {
  id: string;
  seq: number;
  hash: string;
}

/** The fields the hash covers, in the form they are stored and read back. */
interface HashedFields {
  orgId: string;
  seq: number;
  at: string;
  action: string;
  entityType: string;
  entityId: string | null;
  runId: string | null;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  actorLabel: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
}

export function auditHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/** Appends one event to the current org's chain (the org is the transaction's app.org_id). */
export async function appendAudit(tx: Tx, event: AuditEventInput): Promise<AppendedAuditEvent> {
  const [first] = await appendAuditEvents(tx, [event]);
  return first!;
}

/** Appends several events in order, under one lock and one insert (e.g. the before and after book of a run). */
export async function appendAuditEvents(
  tx: Tx,
  events: readonly AuditEventInput[],
): Promise<AppendedAuditEvent[]> {
  if (events.length === 0) return [];
  const orgId = await currentOrg(tx);
  // Serialise appends per org until this transaction ends; other orgs are not blocked.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`bookshift:audit:${orgId}`}, 0))`);
  const [head] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? '';
  const now = new Date();
  const rows = events.map((event) => {
    seq += 1;
    const at = new Date(Math.floor((event.at ?? now).getTime()));
    const fields: HashedFields = {
      orgId,
      seq,
      at: at.toISOString(),
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId ?? null,
      runId: event.runId ?? null,
      actorUserId: event.actorUserId ?? null,
      actorApiKeyId: event.actorApiKeyId ?? null,
      actorLabel: event.actorLabel ?? null,
      requestId: event.requestId ?? null,
      before: asStoredJson(event.before),
      after: asStoredJson(event.after),
    };
    const hash = auditHash(prevHash, fields);
    const row = { ...fields, at, prevHash, hash };
    prevHash = hash;
    return row;
  });
  const inserted: AppendedAuditEvent[] = [];
  // Chunks keep each statement well under the bind-parameter limit.
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const out = await tx
      .insert(auditEvents)
      .values(chunk)
      .returning({ id: auditEvents.id, seq: auditEvents.seq, hash: auditEvents.hash });
    inserted.push(...out);
  }
  return inserted;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

/** Recomputes the org's chain from seq 1; reports the first event that is missing, reordered or altered. */
export async function verifyAuditChain(tx: Tx, orgId: string): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = '';
  let checked = 0;
  for (;;) {
    const page = await tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), gt(auditEvents.seq, expectedSeq - 1)))
      .orderBy(asc(auditEvents.seq))
      .limit(1000);
    if (page.length === 0) return { ok: true, checked };
    for (const row of page) {
      if (row.seq !== expectedSeq) {
        return { ok: false, checked, firstBadSeq: expectedSeq, reason: `event ${expectedSeq} is missing` };
      }
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          firstBadSeq: row.seq,
          reason: `event ${row.seq} does not link to event ${row.seq - 1}`,
        };
      }
      const fields: HashedFields = {
        orgId: row.orgId,
        seq: row.seq,
        at: row.at.toISOString(),
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        runId: row.runId,
        actorUserId: row.actorUserId,
        actorApiKeyId: row.actorApiKeyId,
        actorLabel: row.actorLabel,
        requestId: row.requestId,
        before: row.before ?? null,
        after: row.after ?? null,
      };
      if (auditHash(prevHash, fields) !== row.hash) {
        return {
          ok: false,
          checked,
          firstBadSeq: row.seq,
          reason: `event ${row.seq} was altered (hash mismatch)`,
        };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
}

async function currentOrg(tx: Tx): Promise<string> {
  const [row] = await queryRows<{ org: string | null }>(
    tx,
    sql`select nullif(current_setting('app.org_id', true), '') as org`,
  );
  if (!row?.org) throw new Error('appendAudit: no org in this transaction; call it inside withOrg(...)');
  return row.org;
}
