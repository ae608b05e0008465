/**
 * The size limit of every request body, applied before anything reads it (the CSRF check parses form bodies,
 * validators parse JSON): REQUEST_MAX_BYTES everywhere, UPLOAD_MAX_BYTES plus room for the form's other fields
 * on the routes that take a file. A declared Content-Length over the limit is refused with 413 before a byte
 * is read; a chunked body is cut off once it passes the limit, so no request holds more than that in memory.
 * (It runs before authentication, so an oversized upload gets its 413 before the role check.)
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../lib/errors.ts';
import type { AppBindings } from '../context.ts';

/** Routes that take a CSV file (the API's preview and import, the import page's preview). */
const UPLOAD_ROUTES = new Set(['POST /v1/imports', 'POST /v1/imports/preview', 'POST /imports/preview']);
/** A multipart upload carries the file and a few small fields (kind, mode, the CSRF token). */
export const UPLOAD_FORM_OVERHEAD_BYTES = 64 * 1024;

export function isUploadRoute(method: string, path: string) {
  return UPLOAD_ROUTES.has(`${method.toUpperCase()} ${path.replace(/\/+$/, '')}`);
}

const mb = (bytes: number) =>
  bytes >= 2 ** 20 ? `${Math.round((bytes / 2 ** 20) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;

export function requestBodyLimit(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const { env } = c.get('deps');
    const upload = isUploadRoute(c.req.method, c.req.path);
    const multipart = (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/');
    const maxSize = !upload
      ? env.REQUEST_MAX_BYTES
      : env.UPLOAD_MAX_BYTES + (multipart ? UPLOAD_FORM_OVERHEAD_BYTES : 0);
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          upload
            ? `The upload is larger than the limit of ${mb(env.UPLOAD_MAX_BYTES)}; nothing was read. Split the file.`
            : `The request body is larger than the limit of ${mb(maxSize)}; nothing was read.`,
          { details: { maxBytes: maxSize } },
        );
      },
    })(c, next);
  };
}
