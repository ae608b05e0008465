/**
 * Large imports run as the `import_apply` background job, off the request: the file travels in the job's
 * payload (base64; uploads are capped by UPLOAD_MAX_BYTES), the job applies it with the caller's identity,
 * reports progress the pages and API poll, and stores the outcome (without the bulky error list, which
 * the import itself keeps).
 */
import { z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { orgScope, type Principal } from '../../auth/principal.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withOrg } from '../../db/tenancy.ts';
import { type ColumnMappingInput, columnMappingSchema } from '../../import/mapping.ts';
import { IMPORT_KINDS, type ImportKind } from '../../import/types.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { type JobHandler, PermanentJobError } from '../../jobs/runner.ts';
import { notFound } from '../../lib/errors.ts';
import { ROLES } from '../../lib/roles.ts';
import type { OrgContext } from '../auth/context.ts';
import { applyImport, type ImportMode } from './apply-import.ts';
import { type ImportJobOutcome, parseImportJobProgress, parseImportJobResult } from './import-columns.ts';
import type { ImportProgress } from './kind-writers.ts';

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

/**
 * The job's payload as queueImport writes it, parsed once: the file and the actor must be there; the rest falls
 * back to the defaults an upload has.
 */
const importPayload = z.object({
  fileBase64: z.string(),
  sourceName: z.string().nullish().catch(null),
  sourceKind: z.enum(['upload', 'google_sheet', 'api']).catch('upload'),
  kind: z.enum(IMPORT_KINDS).nullish().catch(null),
  mapping: columnMappingSchema.nullish(),
  mode: z.enum(['all-or-nothing', 'valid-rows-only']).catch('all-or-nothing'),
  expectedSha256: z.string().nullish().catch(null),
  maxRows: z.number().int().positive().catch(200_000),
  actor: z.object({
    kind: z.string().optional(),
    role: z.enum(ROLES),
    userId: z.string().nullish().catch(null),
    apiKeyId: z.string().nullish().catch(null),
  }),
});

export const importApplyJob: JobHandler = async (job, jobCtx) => {
  const parsed = importPayload.safeParse(job.payload);
  if (!parsed.success) {
    const badMapping = parsed.error.issues.some((i) => i.path[0] === 'mapping');
    throw new PermanentJobError(
      badMapping ? 'The import job’s column mapping is not valid.' : 'The import job has no file or actor.',
    );
  }
  const p = parsed.data;
  const principal: Principal = {
    kind: p.actor.kind === 'api_key' ? 'api_key' : 'session',
    orgId: job.orgId,
    orgName: '',
    role: p.actor.role,
    ...(p.actor.userId ? { userId: p.actor.userId } : {}),
    ...(p.actor.apiKeyId ? { apiKeyId: p.actor.apiKeyId } : {}),
  };
  let last = 0;
  const outcome = await applyImport({
    ctx: { db: jobCtx.db, clock: () => new Date(), principal },
    input: {
      source: Buffer.from(p.fileBase64, 'base64'),
      sourceName: p.sourceName ?? null,
      sourceKind: p.sourceKind,
      ...(p.kind ? { kind: p.kind } : {}),
      ...(p.mapping ? { mapping: p.mapping } : {}),
      mode: p.mode,
      ...(p.expectedSha256 ? { expectedSha256: p.expectedSha256 } : {}),
      maxRows: p.maxRows,
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
  progress: ImportProgress | null;
  outcome: ImportJobOutcome | null;
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
      progress: unknown;
      result: unknown;
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
      progress: parseImportJobProgress(row.progress, row.id),
      outcome: parseImportJobResult(row.result, row.id),
      error: row.error,
    };
  });
}
