/**
 * A Google Sheet link as an import source: a shared, edit or published link is turned into the sheet's CSV
 * export URL and fetched with a timeout and a size cap. Only the sheet id and tab (gid) are taken from the
 * link, and the host is fixed, so a link cannot make the server fetch anything else.
 */
import { ImportFileError } from './import-file-error.ts';

export const GOOGLE_DOCS_ORIGIN = 'https://docs.google.com';

const SHEET =
  /^https:\/\/docs\.google\.com\/spreadsheets\/d\/(e\/)?([A-Za-z0-9_-]{10,200})(?:\/[^?#]*)?(?:\?([^#]*))?(?:#(.*))?$/;

/** The export path (on the Google Docs origin) of a sheet link; throws a person-readable error otherwise. */
export function sheetExportPath(link: string): string {
  const match = SHEET.exec(link.trim());
  if (!match) {
    throw new ImportFileError('This is not a Google Sheets link.', {
      problem: 'FETCH_FAILED',
      hint: 'Paste the link from the sheet’s address bar or its Share button: https://docs.google.com/spreadsheets/d/…',
    });
  }
  const [, published, id, query = '', hash = ''] = match;
  const gid = /(?:^|[&?])gid=(\d{1,12})/.exec(hash)?.[1] ?? /(?:^|&)gid=(\d{1,12})/.exec(query)?.[1];
  if (published) return `/spreadsheets/d/e/${id}/pub?output=csv${gid ? `&gid=${gid}&single=true` : ''}`;
  return `/spreadsheets/d/${id}/export?format=csv${gid ? `&gid=${gid}` : ''}`;
}

/** The full CSV export URL of a sheet link. */
export function sheetExportUrl(link: string, origin = GOOGLE_DOCS_ORIGIN): string {
  return `${origin}${sheetExportPath(link)}`;
}

export interface FetchSheetOptions {
  maxBytes: number;
  timeoutMs?: number;
  /** Where export URLs point; tests serve the sheet from a local server. */
  origin?: string;
  fetch?: typeof globalThis.fetch;
}

const notShared = () =>
  new ImportFileError('The sheet could not be read: it is not shared with the link.', {
    problem: 'FETCH_FAILED',
    hint: 'In the sheet choose Share → General access → "Anyone with the link" (Viewer), or download it as CSV and upload the file.',
  });

/** Fetches a sheet as CSV bytes, refusing more than maxBytes while reading (413 before parsing). */
export async function fetchSheetCsv(link: string, options: FetchSheetOptions): Promise<Uint8Array> {
  const url = sheetExportUrl(link, options.origin);
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new ImportFileError(
      timedOut ? 'The sheet took too long to download.' : 'The sheet could not be downloaded.',
      {
        problem: 'FETCH_FAILED',
        hint: 'Try again, or download the sheet as CSV (File → Download → Comma-separated values) and upload it.',
      },
    );
  }
  if (response.status === 401 || response.status === 403 || response.status === 404) throw notShared();
  if (!response.ok) {
    throw new ImportFileError(`Google answered ${response.status} when the sheet was downloaded.`, {
      problem: 'FETCH_FAILED',
      hint: 'Try again later, or download the sheet as CSV and upload it.',
    });
  }
  // A sheet that is not shared answers with Google's sign-in page (HTML), not an error status.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) throw notShared();
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > options.maxBytes) throw tooLarge(options.maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > options.maxBytes) {
      await reader.cancel();
      throw tooLarge(options.maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number) {
  return new ImportFileError(
    `The sheet is larger than the upload limit (${Math.round(maxBytes / 2 ** 20)} MB).`,
    {
      problem: 'TOO_LARGE',
      hint: 'Split the sheet into smaller tabs, or ask an admin to raise UPLOAD_MAX_BYTES.',
    },
  );
}
