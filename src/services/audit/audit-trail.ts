/**
 * Reading the audit trail (F11): pages of events filtered by run, action or entity, the hash-chain check, and
 * CSV / JSON exports (formula-safe CSV). Writing stays in src/db/audit.ts.
 */
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { auditEvents } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { type AuditVerification, appendAudit, verifyAuditChain } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { toCsv } from '../../exports/csv-safe.ts';
import type { OrgContext } from '../auth/context.ts';
import { auditActor } from './actor.ts';

export interface AuditFilter {
  runId?: string | undefined;
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
}

export interface AuditEventRecord {
  id: string;
  seq: number;
  at: Date;
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
  prevHash: string;
  hash: string;
}

export const MAX_PAGE = 500;

function conditions(filter: AuditFilter, afterSeq: number): SQL[] {
  const where: SQL[] = [gt(auditEvents.seq, afterSeq)];
  if (filter.runId) where.push(eq(auditEvents.runId, filter.runId));
  if (filter.action) where.push(eq(auditEvents.action, filter.action));
  if (filter.entityType) where.push(eq(auditEvents.entityType, filter.entityType));
  if (filter.entityId) where.push(eq(auditEvents.entityId, filter.entityId));
  return where;
}

async function page(tx: Tx, filter: AuditFilter, afterSeq: number, limit: number) {
  const rows = await tx
    .select()
    .from(auditEvents)
    .where(and(...conditions(filter, afterSeq)))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
  return rows.map(
    (r): AuditEventRecord => ({
      id: r.id,
      seq: r.seq,
      at: r.at,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      runId: r.runId,
      actorUserId: r.actorUserId,
      actorApiKeyId: r.actorApiKeyId,
      actorLabel: r.actorLabel,
      requestId: r.requestId,
      before: r.before ?? null,
      after: r.after ?? null,
      prevHash: r.prevHash,
      hash: r.hash,
    }),
  );
}

/** Events in chain order after `afterSeq` (a cursor); `nextAfterSeq` is set when more may follow. */
export async function listAuditEvents({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: AuditFilter & { afterSeq?: number | undefined; limit?: number | undefined };
}): Promise<{ events: AuditEventRecord[]; nextAfterSeq: number | null }> {
  const limit = Math.min(Math.max(input.limit ?? 100, 1), MAX_PAGE);
  const events = await withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    page(tx, input, input.afterSeq ?? 0, limit),
  );
  return { events, nextAfterSeq: events.length === limit ? events[events.length - 1]!.seq : null };
}

/** Recomputes the org's whole chain: ok, or the first event that is missing, reordered or altered. */
export async function verifyOrgAuditChain({ ctx }: { ctx: OrgContext }): Promise<AuditVerification> {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) => verifyAuditChain(tx, ctx.principal.orgId));
}

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'action',
  'entity_type',
  'entity_id',
  'run_id',
  'actor',
  'actor_user_id',
  'actor_api_key_id',
  'request_id',
  'before',
  'after',
  'prev_hash',
  'hash',
] as const;

export interface AuditExportFile {
  filename: string;
  contentType: string;
  body: string;
  count: number;
}

/**
 * Every event matching the filter as one file. The download itself is recorded in the trail (after the
 * events it contains, so the file never lists its own download).
 */
export async function exportAuditTrail({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: AuditFilter & { format: 'csv' | 'json' };
}): Promise<AuditExportFile> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const all: AuditEventRecord[] = [];
    for (let after = 0; ; ) {
      const chunk = await page(tx, input, after, 1000);
      all.push(...chunk);
      if (chunk.length < 1000) break;
      after = chunk[chunk.length - 1]!.seq;
    }
    const stamp = ctx.clock().toISOString().slice(0, 10);
    const scope = input.runId ? `run-${input.runId.slice(0, 8)}` : 'org';
    const filename = `bookshift-audit-${scope}-${stamp}.${input.format}`;
    const body =
      input.format === 'json'
        ? `${JSON.stringify(
            all.map((e) => ({ ...e, at: e.at.toISOString() })),
            null,
            2,
          )}\n`
        : toCsv(
            AUDIT_CSV_COLUMNS,
            all.map((e) => [
              e.seq,
              e.at.toISOString(),
              e.action,
              e.entityType,
              e.entityId,
              e.runId,
              e.actorLabel,
              e.actorUserId,
              e.actorApiKeyId,
              e.requestId,
              e.before === null ? '' : JSON.stringify(e.before),
              e.after === null ? '' : JSON.stringify(e.after),
              e.prevHash,
              e.hash,
            ]),
          );
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'audit.exported',
      entityType: 'audit_trail',
      entityId: input.runId ?? null,
      runId: input.runId ?? null,
      after: { format: input.format, filename, events: all.length, filter: cleanFilter(input) },
    });
    return {
      filename,
      contentType: input.format === 'json' ? 'application/json' : 'text/csv',
      body,
      count: all.length,
    };
  });
}

function cleanFilter(filter: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['runId', 'action', 'entityType', 'entityId'] as const) {
    const value = filter[key];
    if (value) out[key] = value;
  }
  return out;
}
