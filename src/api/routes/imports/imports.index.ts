/** The imports route group: handlers read the upload, call a service verb, shape the response. */

import { FIELDS } from '../../../import/fields.ts';
import { PRESETS } from '../../../import/presets.ts';
import { applyImport } from '../../../services/imports/apply-import.ts';
import { listColumnMappings, saveColumnMapping } from '../../../services/imports/column-mappings.ts';
import {
  getImport,
  getImportErrorFile,
  listImportErrors,
  listImports,
} from '../../../services/imports/import-history.ts';
import { getImportJob, queueImport } from '../../../services/imports/import-job.ts';
import { previewImport } from '../../../services/imports/preview-import.ts';
import { downloadHeaders } from '../../downloads.ts';
import { createRouter } from '../../openapi.ts';
import { orgContext } from '../../service-context.ts';
import {
  applyImportRoute,
  downloadImportErrorsRoute,
  getImportJobRoute,
  getImportRoute,
  listImportErrorsRoute,
  listImportsRoute,
  listMappingsRoute,
  listPresetsRoute,
  previewImportRoute,
  saveMappingRoute,
} from './imports.routes.ts';
import {
  ImportJobSchema,
  ImportSummarySchema,
  OutcomeSchema,
  PreviewSchema,
  QueuedSchema,
  SavedMappingSchema,
  StoredErrorsSchema,
} from './imports.schemas.ts';
import { readUpload } from './read-upload.ts';

/** Files above this size are applied as a background job, so a request never holds a long transaction. */
export const SYNC_APPLY_MAX_BYTES = 2 * 1024 * 1024;

/** The multipart fields; a raw CSV body has none (its options come in the query string). */
const formOf = <T extends object>(form: T | string): Partial<T> => (typeof form === 'string' ? {} : form);

export const importsRouter = createRouter()
  .openapi(previewImportRoute, async (c) => {
    const upload = await readUpload(c, c.req.valid('query'), formOf(c.req.valid('form')));
    const report = await previewImport({
      ctx: orgContext(c),
      input: {
        source: upload.bytes,
        maxRows: c.get('deps').env.IMPORT_MAX_ROWS,
        ...(upload.kind ? { kind: upload.kind } : {}),
        ...(upload.mapping ? { mapping: upload.mapping } : {}),
      },
    });
    return c.json(PreviewSchema.parse(report), 200);
  })
  .openapi(applyImportRoute, async (c) => {
    const upload = await readUpload(c, c.req.valid('query'), formOf(c.req.valid('form')));
    const { env } = c.get('deps');
    const common = {
      sourceName: upload.name,
      sourceKind: upload.sourceKind,
      ...(upload.kind ? { kind: upload.kind } : {}),
      ...(upload.mapping ? { mapping: upload.mapping } : {}),
      mode: upload.mode,
      ...(upload.expectedSha256 ? { expectedSha256: upload.expectedSha256 } : {}),
      maxRows: env.IMPORT_MAX_ROWS,
    };
    if (upload.async || upload.bytes.length > SYNC_APPLY_MAX_BYTES) {
      const { jobId } = await queueImport({ ctx: orgContext(c), input: { ...common, bytes: upload.bytes } });
      return c.json(
        QueuedSchema.parse({ jobId, status: 'queued', progressUrl: `/v1/import-jobs/${jobId}` }),
        202,
      );
    }
    const outcome = await applyImport({ ctx: orgContext(c), input: { ...common, source: upload.bytes } });
    return c.json(OutcomeSchema.parse(outcome), 201);
  })
  .openapi(getImportJobRoute, async (c) => {
    const job = await getImportJob({ ctx: orgContext(c), input: { jobId: c.req.valid('param').id } });
    return c.json(ImportJobSchema.parse(job), 200);
  })
  .openapi(listImportsRoute, async (c) => {
    const list = await listImports({ ctx: orgContext(c), input: c.req.valid('query') });
    return c.json({ data: list.map((i) => ImportSummarySchema.parse(i)) }, 200);
  })
  .openapi(getImportRoute, async (c) => {
    const found = await getImport({ ctx: orgContext(c), input: { importId: c.req.valid('param').id } });
    return c.json(ImportSummarySchema.parse(found), 200);
  })
  .openapi(listImportErrorsRoute, async (c) => {
    const page = await listImportErrors({
      ctx: orgContext(c),
      input: { importId: c.req.valid('param').id, ...c.req.valid('query') },
    });
    return c.json(StoredErrorsSchema.parse(page), 200);
  })
  .openapi(downloadImportErrorsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const csv = (await getImportErrorFile({ ctx: orgContext(c), input: { importId: id } })) ?? '';
    return c.body(csv, 200, downloadHeaders(`import-${id}-errors.csv`, 'text/csv; charset=utf-8'));
  })
  .openapi(listPresetsRoute, (c) =>
    c.json(
      {
        presets: PRESETS.map((p) => ({
          id: p.id,
          label: p.label,
          kind: p.kind,
          columns: Object.fromEntries(Object.entries(p.columns).map(([k, v]) => [k, [...v]])),
        })),
        fields: Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [k, v.map((d) => ({ ...d }))])),
      },
      200,
    ),
  )
  .openapi(listMappingsRoute, async (c) => {
    const { kind } = c.req.valid('query');
    const list = await listColumnMappings({ ctx: orgContext(c), input: kind ? { kind } : {} });
    return c.json({ data: list.map((m) => SavedMappingSchema.parse(m)) }, 200);
  })
  .openapi(saveMappingRoute, async (c) => {
    const body = c.req.valid('json');
    const saved = await saveColumnMapping({
      ctx: orgContext(c),
      input: { name: body.name, mapping: body.mapping, ...(body.header ? { header: body.header } : {}) },
    });
    return c.json(SavedMappingSchema.parse(saved), 200);
  });
