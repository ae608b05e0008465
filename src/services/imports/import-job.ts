/**
 * Large imports run as the `import_apply` background job, off the request: the file travels in the job's
 * payload (base64; uploads are capped by UPLOAD_MAX_BYTES), the job applies it with the caller's identity,
 * reports progress the pages and API poll, and stores the outcome (without the bulky error list, which
 * the import itself keeps).
 */
import { sql } from 'drizzle-orm';
import { orgScope, type Principal } from '../../auth/principal.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import type { ColumnMappingInput } from '../../import/mapping.ts';
import type { ImportKind } from '../../import/types.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { type JobHandler, PermanentJobError } from '../../jobs/runner.ts';
import { notFound } from '../../lib/errors.ts';
import { isRole } from '../../lib/roles.ts';
import type { OrgContext } from '../auth/context.ts';
import { applyImport, type ImportMode } from './apply-import.ts';
import type { ImportOutcome } from './import-records.ts';

export const IMPORT_JOB_KIND = 'import_apply';

export interface QueueImportInput {
  bytes: Uint8Array;
  sourceName: string | null;
  sourceKind: 'upload' | 'google_sheet' | 'api';
  kind?: ImportKind;
  mapping?: ColumnMappingInput;
  mode: ImportMode;
  expectedSha256?: string;
  maxRows: number;
}

export async function queueImport({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: QueueImportInput;
}): Promise<{ jobId: string }> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const job = await enqueueJob(tx, {
      orgId: ctx.principal.orgId,
      kind: IMPORT_JOB_KIND,
      // Re-running an import is safe (it is idempotent), but a failure of the file itself is final.
      maxAttempts: 2,
      payload: {
        fileBase64: Buffer.from(input.bytes).toString('base64'),
        sourceName: input.sourceName,
        sourceKind: input.sourceKind,
        kind: input.kind ?? null,
        mapping: input.mapping ?? null,
        mode: input.mode,
        expectedSha256: input.expectedSha256 ?? null,
        maxRows: input.maxRows,
        actor: {
          kind: ctx.principal.kind,
          role: ctx.principal.role,
          userId: ctx.principal.userId ?? null,
          apiKeyId: ctx.principal.apiKeyId ?? null,
        },
      },
    });
    return { jobId: job.id };
  });
}

type Payload = Record<string, unknown> & { actor?: Record<string, unknown> };

export const importApplyJob: JobHandler = async (job, jobCtx) => {
  const p = job.payload as Payload;
  const role = p.actor?.role;
  if (typeof p.fileBase64 !== 'string' || !isRole(role))
    throw new PermanentJobError('The import job has no file or actor.');
  const principal: Principal = {
    kind: p.actor?.kind === 'api_key' ? 'api_key' : 'session',
    orgId: job.orgId,
    orgName: '',
    role,
    ...(typeof p.actor?.userId === 'string' ? { userId: p.actor.userId } : {}),
    ...(typeof p.actor?.apiKeyId === 'string' ? { apiKeyId: p.actor.apiKeyId } : {}),
  };
  let last = 0;
  const outcome = await applyImport({
    ctx: { db: jobCtx.db, clock: () => new Date(), principal },
    input: {
      source: Buffer.from(p.fileBase64, 'base64'),
      sourceName: typeof p.sourceName === 'string' ? p.sourceName : null,
      sourceKind:
        p.sourceKind === 'google_sheet' ? 'google_sheet' : p.sourceKind === 'api' ? 'api' : 'upload',
      ...(typeof p.kind === 'string' ? { kind: p.kind as ImportKind } : {}),
      ...(p.mapping ? { mapping: p.mapping as ColumnMappingInput } : {}),
      mode: p.mode === 'valid-rows-only' ? 'valid-rows-only' : 'all-or-nothing',
      ...(typeof p.expectedSha256 === 'string' ? { expectedSha256: p.expectedSha256 } : {}),
      maxRows: Number(p.maxRows) || 200_000,
      onProgress: (progress) => {
        // At most a few progress writes per second: each is a small transaction.
        if (Date.now() - last < 500) return;
        last = Date.now();
        void jobCtx.reportProgress({ ...progress }).catch(() => {});
      },
    },
  }).catch((error: unknown) => {
    // A whole-file problem (wrong columns, unbalanced quotes…) will not go away on a retry.
    if (error instanceof Error && 'status' in error && Number((error as { status: number }).status) < 500) {
      throw new PermanentJobError(error.message);
    }
    throw error;
  });
  const { errors, ...rest } = outcome;
  return { ...rest, errorCount: errors.length, errors: errors.slice(0, 100) };
};

export interface ImportJobView {
  jobId: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: Record<string, unknown> | null;
  outcome: (Omit<ImportOutcome, 'mapping'> & { errorCount?: number }) | null;
  error: string | null;
}

export async function getImportJob({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { jobId: string };
}): Promise<ImportJobView> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [row] = await queryRows<{
      id: string;
      status: ImportJobView['status'];
      progress: Record<string, unknown> | null;
      result: (ImportJobView['outcome'] & object) | null;
      error: string | null;
    }>(
      tx,
      sql`select id, status::text as status, progress, result, error from jobs
          where id = ${input.jobId}::uuid and kind = ${IMPORT_JOB_KIND}`,
    );
    if (!row) throw notFound('The import job');
    return {
      jobId: row.id,
      status: row.status,
      progress: row.progress,
      outcome: row.result ?? null,
      error: row.error,
    };
  });
}
