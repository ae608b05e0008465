/**
 * The API contract, held by the test harness itself: every response an app built for the tests gives to a /v1
 * operation of the served OpenAPI document is checked against that document (status, content type, JSON body
 * schema, headers; a CSV download for its status and content type), and a mismatch throws in the test that made
 * the request. Pages, static files, /health and paths the document does not name are outside the document.
 */
import { appendFileSync } from 'node:fs';
import { openApiDocument } from '../../src/api/openapi.ts';
import { createResponseValidator } from './openapi-responses.ts';

type Fetch = (request: Request, ...rest: never[]) => Response | Promise<Response>;
type CheckedApp = Parameters<typeof openApiDocument>[0] & { fetch: Fetch };

/** Thrown (in the test that made the request) when a response breaks the served document. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/**
 * Wraps `app.fetch` (which `app.request` and a served app both go through) so each /v1 response is checked.
 * With OPENAPI_CONTRACT_LOG=<file> the problems are also appended to that file, one line each (and with
 * OPENAPI_CONTRACT=report as well, logged instead of thrown, to survey a whole suite at once).
 */
export function holdToContract<A extends CheckedApp>(app: A): A {
  let validator: ReturnType<typeof createResponseValidator> | undefined;
  const original = app.fetch.bind(app) as (
    request: Request,
    ...rest: unknown[]
  ) => Response | Promise<Response>;
  const checked = async (request: Request, ...rest: unknown[]): Promise<Response> => {
    const res = await original(request, ...rest);
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/v1/')) return res;
    validator ??= createResponseValidator(openApiDocument(app));
    const template = validator.templateOf(request.method, url.pathname);
    if (!template) return res;
    const body = request.method === 'HEAD' ? '' : await res.clone().text();
    const problems = validator.check({
      method: request.method,
      path: template,
      status: res.status,
      contentType: res.headers.get('content-type'),
      body,
      headers: res.headers,
    });
    if (problems.length === 0) return res;
    const where = `${request.method} ${url.pathname}${url.search} → ${res.status} (${template})`;
    const log = process.env.OPENAPI_CONTRACT_LOG;
    if (log) {
      appendFileSync(log, `${where}: ${problems.join('; ')} :: ${JSON.stringify(body.slice(0, 200))}\n`);
      // Surveying a whole suite: log every mismatch and let the tests go on.
      if (process.env.OPENAPI_CONTRACT === 'report') return res;
    }
    throw new ContractViolation(
      `The response breaks the OpenAPI document: ${where}\n  ${problems.join('\n  ')}\n  body: ${body.slice(0, 500)}`,
    );
  };
  (app as { fetch: unknown }).fetch = checked;
  return app;
}
