/**
 * The upload size limit (UPLOAD_MAX_BYTES) for routes that take a file: a declared Content-Length over the
 * limit is refused with 413 before any byte is read, and a chunked body is cut off once it passes it.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../lib/errors.ts';
import type { AppBindings } from '../../context.ts';

export function uploadLimit(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const maxSize = c.get('deps').env.UPLOAD_MAX_BYTES;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The upload is larger than the limit of ${Math.round(maxSize / 2 ** 20)} MB; nothing was read.`,
          { details: { maxBytes: maxSize } },
        );
      },
    })(c, next);
  };
}
