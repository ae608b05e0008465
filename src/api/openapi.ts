/**
 * The OpenAPI side of the API: routers that turn validation failures into the error contract, the access
 * declaration every route spreads into `createRoute`, and the 3.1 document served at /v1/openapi.json.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/require-role.ts';
import type { Role } from '../lib/roles.ts';
import type { AppBindings } from './context.ts';
import { validationHook } from './errors.ts';
import { IDEMPOTENCY_HEADER, idempotency, REPLAYED_HEADER } from './middleware/idempotency.ts';

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
        'Errors are `{ code, message, requestId, details? }`; every operation lists the roles it allows in `x-roles`. ' +
        'Every response carries X-Request-Id and the security headers listed in `x-response-headers`.',
    },
    servers: [{ url: origin, description: 'This server' }],
    security: SIGNED_IN,
  };
}

/** The security headers every response carries (set by the app's secure-headers middleware). */
export const SECURITY_RESPONSE_HEADERS = [
  'Content-Security-Policy',
  'Cross-Origin-Opener-Policy',
  'Cross-Origin-Resource-Policy',
  'Origin-Agent-Cluster',
  'Referrer-Policy',
  'Strict-Transport-Security',
  'X-Content-Type-Options',
  'X-DNS-Prefetch-Control',
  'X-Download-Options',
  'X-Frame-Options',
  'X-Permitted-Cross-Domain-Policies',
  'X-XSS-Protection',
] as const;

const REQUEST_ID_HEADER = {
  description: 'The id of this request; error bodies carry it as requestId. Quote it when asking for help.',
  schema: { type: 'string' as const, example: 'c0b5a3f2-6f1d-4a47-9e0a-3c1b2d4e5f60' },
};

const REPLAYED = {
  description:
    'Present (true) when this is the stored response of an earlier request with the same Idempotency-Key.',
  schema: { type: 'string' as const, enum: ['true'] },
};

/** Registers the security schemes and serves the document; call after every route group is mounted. */
export function configureOpenApi(app: AppOpenAPI) {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }
  app.get(OPENAPI_PATH, (c) => c.json(openApiDocument(app, new URL(c.req.url).origin)));
}

type Document = ReturnType<AppOpenAPI['getOpenAPI31Document']>;

/**
 * The headers every response carries, documented once: X-Request-Id on each response (a header of
 * components.headers), the security headers in `x-response-headers` (the same on every response, HTML or JSON).
 */
function withCommonHeaders(doc: Document): Document {
  doc.components = {
    ...doc.components,
    headers: { ...doc.components?.headers, 'X-Request-Id': REQUEST_ID_HEADER, [REPLAYED_HEADER]: REPLAYED },
  };
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item?.[method];
      // An idempotent operation replays whatever it answered first (but a 5xx), error or not.
      const idempotent = (operation?.parameters ?? []).some(
        (p) => 'name' in p && p.in === 'header' && p.name.toLowerCase() === IDEMPOTENCY_HEADER.toLowerCase(),
      );
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if ('$ref' in response) continue;
        response.headers = {
          'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
          ...response.headers,
        };
        if (idempotent && !status.startsWith('5') && !response.headers[REPLAYED_HEADER]) {
          response.headers[REPLAYED_HEADER] = { $ref: `#/components/headers/${REPLAYED_HEADER}` };
        }
      }
    }
  }
  return Object.assign(doc, { 'x-response-headers': [...SECURITY_RESPONSE_HEADERS, 'X-Request-Id'] });
}

/**
 * A nullable schema of a component, which the generator writes as `allOf: [{ $ref }, { type: [..., 'null'] }]` —
 * a schema null never matches (allOf needs the $ref too) — becomes `anyOf: [{ $ref }, { type: 'null' }]`.
 */
function nullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableRefs);
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  const all = o.allOf as Array<Record<string, unknown>> | undefined;
  if (Array.isArray(all) && all.length === 2 && all[0]?.$ref) {
    const second = all[1]!;
    const types = second.type;
    if (Object.keys(second).length === 1 && Array.isArray(types) && types.includes('null')) {
      const { allOf: _, ...rest } = o;
      return { ...rest, anyOf: [all[0], { type: 'null' }] };
    }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, nullableRefs(v)]));
}

/** The document as an object: served at /v1/openapi.json, for the reference page and for tests. */
export function openApiDocument(app: AppOpenAPI, origin = 'http://localhost') {
  return withCommonHeaders(nullableRefs(app.getOpenAPI31Document(documentConfig(origin))) as Document);
}
