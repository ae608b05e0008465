/**
 * The file of an import request: a multipart `file`, a raw `text/csv` body, or a Google Sheet link (form
 * field or query), plus the import options from the form or the query string.
 */
import type { Context } from 'hono';
import { fetchSheetCsv } from '../../../import/google-sheet.ts';
import type { ColumnMappingInput } from '../../../import/mapping.ts';
import type { ImportKind } from '../../../import/types.ts';
import { AppError } from '../../../lib/errors.ts';
import type { ImportMode } from '../../../services/imports/apply-import.ts';
import type { AppBindings } from '../../context.ts';

export interface Upload {
  bytes: Uint8Array;
  name: string | null;
  sourceKind: 'upload' | 'google_sheet' | 'api';
  kind?: ImportKind;
  mapping?: ColumnMappingInput;
  mode: ImportMode;
  expectedSha256?: string;
  async: boolean;
}

export interface UploadFetchOptions {
  /** Where sheet export URLs point (tests: a local server); defaults to Google. */
  sheetOrigin?: string;
  fetch?: typeof globalThis.fetch;
}

/** Set by tests (or a deployment behind an egress proxy) to reach a stand-in for Google. */
export const uploadFetchOptions: UploadFetchOptions = {};

type Options = {
  kind?: ImportKind | undefined;
  mode?: ImportMode | undefined;
  expectedSha256?: string | undefined;
  mapping?: string | undefined;
  sheetUrl?: string | undefined;
  async?: 'true' | 'false' | undefined;
};

function parseMappingText(text: string | undefined): ColumnMappingInput | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ColumnMappingInput;
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The mapping is not valid JSON.', {
      details: [{ path: 'mapping', message: 'Send the column mapping as a JSON object.' }],
    });
  }
}

export async function readUpload(
  c: Context<AppBindings>,
  query: Options,
  form: Options & { file?: unknown },
): Promise<Upload> {
  const options = {
    ...query,
    ...Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined && v !== '')),
  };
  const base = {
    ...(options.kind ? { kind: options.kind } : {}),
    mode: options.mode ?? 'all-or-nothing',
    ...(options.expectedSha256 ? { expectedSha256: options.expectedSha256 } : {}),
    async: options.async === 'true',
  } as const;
  const mapping = parseMappingText(options.mapping);
  const withMapping = mapping ? { ...base, mapping } : base;
  const maxBytes = c.get('deps').env.UPLOAD_MAX_BYTES;

  if (form.file instanceof File) {
    return {
      ...withMapping,
      bytes: new Uint8Array(await form.file.arrayBuffer()),
      name: form.file.name || null,
      sourceKind: 'upload',
    };
  }
  if (options.sheetUrl) {
    const bytes = await fetchSheetCsv(options.sheetUrl, {
      maxBytes,
      ...(uploadFetchOptions.sheetOrigin ? { origin: uploadFetchOptions.sheetOrigin } : {}),
      ...(uploadFetchOptions.fetch ? { fetch: uploadFetchOptions.fetch } : {}),
    });
    return { ...withMapping, bytes, name: options.sheetUrl, sourceKind: 'google_sheet' };
  }
  const type = c.req.header('content-type') ?? '';
  if (/^(text\/csv|text\/plain|application\/csv|application\/octet-stream)/i.test(type)) {
    return {
      ...withMapping,
      bytes: new Uint8Array(await c.req.arrayBuffer()),
      name: null,
      sourceKind: 'api',
    };
  }
  throw new AppError(
    'BAD_REQUEST',
    'No file: send a multipart form with a `file` field, a text/csv body, or a sheetUrl.',
    {
      details: [
        {
          path: 'file',
          message:
            'Attach the CSV file, or give the link of a Google Sheet shared with anyone with the link.',
        },
      ],
    },
  );
}
