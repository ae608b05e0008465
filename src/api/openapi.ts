/**
 * The OpenAPI side of the API: routers that turn validation failures into the error contract, the access
 * declaration every route spreads into `createRoute`, and the 3.1 document served at /v1/openapi.json.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/require-role.ts';
import type { Role } from '../lib/roles.ts';
import type { AppBindings } from './context.ts';
import { validationHook } from './errors.ts';
import { idempotency } from './middleware/idempotency.ts';

export const API_VERSION = '0.1.0';

/** A router for one route group; mount it on the app with `app.route('/v1', router)`. */
export function createRouter() {
  return new OpenAPIHono<AppBindings>({ strict: false, defaultHook: validationHook });
}
export type AppOpenAPI = ReturnType<typeof createRouter>;

export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'bks_<prefix>_<secret>',
    description:
      'An API key of your org, created by an admin on the API keys page or with POST /v1/api-keys.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'bks_session',
    description:
      'The session cookie of a signed-in user. State-changing requests also need the X-CSRF-Token header.',
  },
} as const;

const SIGNED_IN: Array<Record<string, string[]>> = [{ apiKey: [] }, { session: [] }];

/** Everyone may call it, signed in or not. */
export function publicAccess() {
  return { security: [] as Array<Record<string, string[]>>, 'x-roles': 'public' as const };
}

/**
 * Only these roles may call it: the guard runs before validation, and the roles are published as `x-roles`.
 * @example createRoute({ method: 'get', path: '/api-keys', ...access('admin'), responses: {...} })
 */
export function access(...roles: [Role, ...Role[]]) {
  return { middleware: requireRole(...roles), security: SIGNED_IN, 'x-roles': roles };
}

/** As access(), and the Idempotency-Key header is honoured (after the guard: it needs the principal's org). */
export function idempotentAccess(...roles: [Role, ...Role[]]) {
  return { ...access(...roles), middleware: [requireRole(...roles), idempotency()] };
}

export const OPENAPI_PATH = '/v1/openapi.json';

function documentConfig(origin: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bookshift API',
      version: API_VERSION,
      description:
        'Plan, review, approve and commit sales account and commission-split reassignments. ' +
        'Errors are `{ code, message, requestId, details? }`; every operation lists the roles it allows in `x-roles`.',
    },
    servers: [{ url: origin, description: 'This server' }],
    security: SIGNED_IN,
  };
}

/** Registers the security schemes and serves the document; call after every route group is mounted. */
export function configureOpenApi(app: AppOpenAPI) {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }
  app.doc31(OPENAPI_PATH, (c) => documentConfig(new URL(c.req.url).origin));
}

/** The document as an object, for the reference page and for tests. */
export function openApiDocument(app: AppOpenAPI, origin = 'http://localhost') {
  return app.getOpenAPI31Document(documentConfig(origin));
}
