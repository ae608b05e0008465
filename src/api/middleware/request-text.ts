/**
 * The text rule (src/lib/text.ts) at the edge of every route and form, before any handler or validator sees the
 * request: the path, every query parameter, and every string of a JSON or form body (names included). A breach
 * is a 400 VALIDATION_FAILED naming the field (`query.q`, `body.reason`, `body.params.departingRepIds.0`), never
 * a Postgres error later. Files inside a multipart body are left to the import, which checks each CSV cell.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../lib/errors.ts';
import { findTextProblem, textProblem } from '../../lib/text.ts';
import type { AppBindings } from '../context.ts';

type Found = { path: string; message: string };

function refuse(where: string, found: Found): never {
  throw new AppError('VALIDATION_FAILED', `The ${where} is not valid: see details for each field.`, {
    details: [found],
  });
}

function mediaType(c: Context) {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

async function bodyProblem(c: Context): Promise<Found | undefined> {
  const type = mediaType(c);
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      return undefined; // the route's validator answers malformed JSON with its own 400
    }
    return findTextProblem(parsed, 'body');
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw new AppError('BAD_REQUEST', 'The form body could not be read: it is not a well-formed form.');
    }
    for (const [name, value] of form.entries()) {
      const nameProblem = textProblem(name, 200);
      if (nameProblem) return { path: 'body', message: `A form field name ${nameProblem}.` };
      if (typeof value === 'string') {
        const found = findTextProblem(value, `body.${name}`);
        if (found) return found;
      }
    }
  }
  return undefined;
}

export function requestText(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const pathProblem = textProblem(c.req.path, 2000);
    if (pathProblem) refuse('path', { path: 'path', message: `The path ${pathProblem}.` });
    for (const [name, value] of new URL(c.req.url).searchParams) {
      const nameProblem = textProblem(name, 200);
      if (nameProblem) refuse('query string', { path: 'query', message: `A parameter name ${nameProblem}.` });
      const found = findTextProblem(value, `query.${name}`);
      if (found) refuse('query string', found);
    }
    if (c.req.raw.body) {
      const found = await bodyProblem(c);
      if (found) refuse(mediaType(c).includes('json') ? 'request body' : 'form', found);
    }
    return next();
  };
}
