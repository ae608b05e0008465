/**
 * AppError → HTTP response (the error contract of src/lib/errors.ts), the OpenAPI validation hook, and the
 * shared error response schemas every route declares.
 */
import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, ERROR_CODES, type ErrorCode, type FieldIssue } from '../lib/errors.ts';
import { fieldIssues } from '../lib/field-issues.ts';
import type { AppBindings } from './context.ts';

export const ErrorBodySchema = z
  .object({
    code: z.enum(ERROR_CODES).openapi({ example: 'VALIDATION_FAILED' }),
    message: z.string().openapi({ example: 'The request is not valid: see details for each field.' }),
    requestId: z.string().openapi({ example: 'c0b5a3f2-6f1d-4a47-9e0a-3c1b2d4e5f60' }),
    details: z
      .unknown()
      .optional()
      .openapi({ description: 'For VALIDATION_FAILED: a list of { path, message }.' }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBodySchema } },
});

/** Retry-After, in seconds, on the answers that ask a client to come back later. */
const retryAfter = (when: string) =>
  z.object({
    'Retry-After': z
      .string()
      .regex(/^\d+$/)
      .optional()
      .openapi({ description: `Seconds to wait before retrying ${when}.`, example: '30' }),
  });

/** The error responses every route can produce; spread into each route's `responses`. */
export const commonErrorResponses = {
  400: errorResponse(
    'The request is malformed or failed validation (code BAD_REQUEST or VALIDATION_FAILED).',
  ),
  401: {
    ...errorResponse('No valid session or API key (code UNAUTHENTICATED).'),
    headers: z.object({
      'Set-Cookie': z.string().optional().openapi({
        description: 'Clears a session cookie that is expired, revoked or unknown.',
        example: 'bks_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      }),
    }),
  },
  403: errorResponse('The role may not do this, or the CSRF check failed (code FORBIDDEN or CSRF_REJECTED).'),
  413: errorResponse(
    'The request body is larger than the limit (REQUEST_MAX_BYTES; uploads UPLOAD_MAX_BYTES); nothing was read (code PAYLOAD_TOO_LARGE).',
  ),
  429: {
    ...errorResponse('Too many requests; see Retry-After (code TOO_MANY_REQUESTS).'),
    headers: retryAfter('(always sent)'),
  },
  500: errorResponse('Something failed on our side; the message says nothing internal (code INTERNAL).'),
  503: {
    ...errorResponse(
      'The database cannot be reached just now (down or restarting); nothing of this request was kept unless it ' +
        'had committed. Try again after Retry-After (code UNAVAILABLE).',
    ),
    headers: retryAfter('(always sent)'),
  },
} as const;

export const notFoundResponse = {
  404: errorResponse('The resource does not exist in your org (code NOT_FOUND).'),
};
export const conflictResponse = {
  409: {
    ...errorResponse(
      'The request conflicts with the current state (code CONFLICT), or its Idempotency-Key was used for another ' +
        'request (IDEMPOTENCY_KEY_REUSED) or belongs to a request still running (then with Retry-After).',
    ),
    headers: retryAfter('(sent while a request with the same Idempotency-Key is still running)'),
  },
};

/** Zod issues → `{ path, message }` with dotted paths a person can find in their input. */
export function zodIssues(error: ZodError): FieldIssue[] {
  return fieldIssues(error);
}

const TARGET_NAMES: Record<string, string> = {
  json: 'request body',
  form: 'form',
  query: 'query string',
  param: 'path',
  header: 'headers',
  cookie: 'cookies',
};

/** `defaultHook` of every OpenAPIHono router: a validation failure becomes VALIDATION_FAILED with field paths. */
export function validationHook(
  result:
    | { success: true; data: unknown; target: string }
    | { success: false; error: ZodError; target: string },
) {
  if (!result.success) {
    const where = TARGET_NAMES[result.target] ?? result.target;
    throw new AppError('VALIDATION_FAILED', `The ${where} is not valid: see details for each field.`, {
      details: zodIssues(result.error),
    });
  }
}

const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  // The contract has no 415 code: an unsupported media type is a bad request that names the fix.
  415: 'BAD_REQUEST',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

/** The Postgres error (SQLSTATE class 22, data exception) behind a thrown error or its causes, if any. */
function postgresDataException(error: unknown): { code: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return { code };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Socket errors (postgres.js) and the server's own codes for a connection it cannot give or keep. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  // SQLSTATE: admin shutdown, crash shutdown, cannot connect now, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * True when a thrown error (or one of its causes: drizzle wraps the driver's) says the database could not be
 * reached or dropped the connection, rather than refusing the statement: SQLSTATE class 08, a socket error, or a
 * closed embedded database.
 */
function databaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (current instanceof Error && current.message === 'PGlite is closed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Seconds a caller is asked to wait before trying again when the database cannot be reached. */
const DATABASE_RETRY_AFTER_SECONDS = 30;

/** Anything thrown becomes an AppError; unknown errors become INTERNAL with a message that reveals nothing. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException && error.status < 500) {
    const code = HTTP_STATUS_CODES[error.status] ?? 'BAD_REQUEST';
    const message =
      error.status === 415
        ? 'Unsupported Content-Type: send the body as application/json (or the form type the operation lists).'
        : error.message || 'The request could not be handled.';
    return new AppError(code, message);
  }
  const dataError = postgresDataException(error);
  if (dataError) {
    // A value the validation let through and Postgres refused (class 22: a malformed uuid or date, a NUL byte):
    // the caller's input, so a 400, never a 500. The edge checks should have caught it; the log says which.
    return new AppError(
      'BAD_REQUEST',
      'A value in the request is not valid for its field (a malformed id, date or number, or a forbidden character).',
      { cause: error },
    );
  }
  if (databaseUnreachable(error)) {
    // Not the caller's fault and not a bug: the database is down or restarting. A transaction it held is rolled
    // back by the server, so trying again later is safe (Idempotency-Key makes a retried write count once).
    return new AppError(
      'UNAVAILABLE',
      `The database cannot be reached right now. Try again in ${DATABASE_RETRY_AFTER_SECONDS} seconds; if it keeps happening, tell your administrator and quote the request id.`,
      { cause: error, headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) } },
    );
  }
  return new AppError(
    'INTERNAL',
    'Something went wrong on our side. Quote the request id if you report it.',
    {
      cause: error,
    },
  );
}

export function errorBody(c: Context<AppBindings>, error: AppError): ErrorBody {
  const body: ErrorBody = { code: error.code, message: error.message, requestId: c.get('requestId') ?? '' };
  if (error.details !== undefined) body.details = error.details;
  return body;
}

/** True for requests that expect JSON: the API, and anything that says so in Accept. */
export function wantsJson(c: Context): boolean {
  if (c.req.path === '/v1' || c.req.path.startsWith('/v1/')) return true;
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * The app's onError. Pages get an HTML error page from `renderErrorPage`; everything else gets the JSON
 * contract. The detail of unexpected errors goes to the log only.
 */
export function createErrorHandler(
  renderErrorPage: (c: Context<AppBindings>, error: AppError) => Response | Promise<Response>,
): ErrorHandler<AppBindings> {
  return async (thrown, c) => {
    const error = toAppError(thrown);
    if (error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') {
      c.get('deps')?.logger.error('request failed', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        error: thrown,
      });
    } else if (error.code === 'BAD_REQUEST' && error.cause !== undefined) {
      c.get('deps')?.logger.warn('input refused by the database', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        error: thrown instanceof Error ? thrown.message : String(thrown),
      });
    }
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    if (wantsJson(c)) return c.json(errorBody(c, error), error.status);
    return renderErrorPage(c, error);
  };
}
