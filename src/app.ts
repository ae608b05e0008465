/**
 * The app factory: request id, logger, security headers, authentication (+ CSRF), the API (/v1, OpenAPI),
 * the pages, and one error contract. src/index.ts serves it; tests mount the same app with their own deps.
 */
import type { Context } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppBindings, AppDeps, ResolvedDeps } from './api/context.ts';
import { createErrorHandler, wantsJson } from './api/errors.ts';
import { requestBodyLimit } from './api/middleware/body-limit.ts';
import { requestText } from './api/middleware/request-text.ts';
import { configureOpenApi, createRouter } from './api/openapi.ts';
import { apiKeysRouter } from './api/routes/api-keys/api-keys.index.ts';
import { auditRouter } from './api/routes/audit/audit.index.ts';
import { bookRouter } from './api/routes/book/book.index.ts';
import { commissionRouter } from './api/routes/commission/commission.index.ts';
import { commissionDecisionsRouter } from './api/routes/commission-decisions/commission-decisions.index.ts';
import { commissionQueueRouter } from './api/routes/commission-queue/commission-queue.index.ts';
import { exportsRouter } from './api/routes/exports/exports.index.ts';
import { healthRouter } from './api/routes/health/health.index.ts';
import { importsRouter } from './api/routes/imports/imports.index.ts';
import { meRouter } from './api/routes/me/me.index.ts';
import { noticesRouter } from './api/routes/notices/notices.index.ts';
import { rollbackRouter } from './api/routes/rollback/rollback.index.ts';
import { rulesetsRouter } from './api/routes/rulesets/rulesets.index.ts';
import { runActionsRouter } from './api/routes/run-actions/run-actions.index.ts';
import { runsRouter } from './api/routes/runs/runs.index.ts';
import { whatIfRouter } from './api/routes/what-if/what-if.index.ts';
import { authenticate } from './composition/authenticate.ts';
import { AppError } from './lib/errors.ts';
import { createLogger } from './lib/logger.ts';
import { adminApiKeyPages } from './views/admin/api-keys.routes.tsx';
import { adminHouseUserPages } from './views/admin/house-users.routes.tsx';
import { auditPages } from './views/audit/audit.routes.tsx';
import { authPages } from './views/auth/auth.routes.tsx';
import { bookPages } from './views/book/book.routes.tsx';
import { commissionPages } from './views/commission/commission.routes.tsx';
import { commissionQueuePages } from './views/commission-queue/commission-queue.routes.tsx';
import { docsPages } from './views/docs/docs.routes.tsx';
import { renderErrorPage } from './views/errors/error-page.tsx';
import { homePages } from './views/home/home.routes.tsx';
import { importPages } from './views/imports/imports.routes.tsx';
import { outboxPages } from './views/notices/outbox.routes.tsx';
import { commissionDecisionPages } from './views/runs/commission-decisions.routes.tsx';
import { runPages } from './views/runs/runs.routes.tsx';
import { setupPages } from './views/setup/setup.routes.tsx';
import { staticRoutes } from './views/static-assets.ts';
import { whatIfPages } from './views/what-if/what-if.routes.tsx';

/**
 * Self only: no inline script or style, no eval. htmx works under it because the pages use no hx-on or
 * js: expressions (the only htmx features that evaluate code) and turn off its injected indicator styles.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
};

function resolveDeps(deps: AppDeps): ResolvedDeps {
  return {
    ...deps,
    clock: deps.clock ?? (() => new Date()),
    logger: deps.logger ?? createLogger(deps.env.LOG_LEVEL),
  };
}

export function createApp(input: AppDeps) {
  const deps = resolveDeps(input);
  const app = createRouter();

  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 100 }));
  app.use(async (c, next) => {
    c.set('deps', deps);
    const started = performance.now();
    await next();
    deps.logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      strictTransportSecurity: deps.env.APP_BASE_URL?.startsWith('https:')
        ? 'max-age=31536000; includeSubDomains'
        : false,
      referrerPolicy: 'same-origin',
      crossOriginEmbedderPolicy: false,
      // A response that sets its own policy keeps it (the sandboxed preview of a notice's HTML); all others get these.
      overwrite: false,
    }),
  );
  // Before anything reads a body: the CSRF check parses forms, validators parse JSON.
  app.use(requestBodyLimit());
  // One text rule for every field: no NUL or control characters reach a handler or the database.
  app.use(requestText());
  // Static files need no identity; everything after this line knows who is calling.
  app.route('/', staticRoutes());
  app.use(authenticate());

  app.route('/', healthRouter);
  app.route('/v1', meRouter);
  app.route('/v1', apiKeysRouter);
  app.route('/v1', runActionsRouter);
  app.route('/v1', exportsRouter);
  app.route('/v1', noticesRouter);
  app.route('/v1', auditRouter);
  app.route('/v1', rollbackRouter);
  app.route('/v1', runsRouter);
  app.route('/v1', whatIfRouter);
  app.route('/v1', importsRouter);
  app.route('/v1', rulesetsRouter);
  app.route('/v1', bookRouter);
  app.route('/v1', commissionRouter);
  app.route('/v1', commissionQueueRouter);
  app.route('/v1', commissionDecisionsRouter);
  configureOpenApi(app);

  app.route('/', authPages());
  app.route('/', setupPages());
  app.route('/', homePages());
  app.route('/', importPages());
  app.route('/', runPages());
  app.route('/', commissionDecisionPages());
  app.route('/', bookPages());
  app.route('/', commissionPages());
  app.route('/', commissionQueuePages());
  app.route('/', auditPages());
  app.route('/', outboxPages());
  app.route('/', whatIfPages());
  app.route('/', adminApiKeyPages());
  app.route('/', adminHouseUserPages());
  app.route('/', docsPages(app));

  app.notFound((c: Context<AppBindings>) => {
    const error = new AppError('NOT_FOUND', `Nothing lives at ${c.req.method} ${c.req.path}.`);
    return createErrorHandler(renderErrorPage)(error, c) as Response | Promise<Response>;
  });
  app.onError(createErrorHandler(renderErrorPage));
  return app;
}

export { wantsJson };
