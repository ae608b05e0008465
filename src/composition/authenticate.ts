/**
 * Works out who is calling, once per request, and enforces CSRF:
 * - `Authorization: Bearer <key>`: an API key of an org (invalid → 401). No cookie is consulted and no CSRF
 *   check applies — a browser never attaches this header on its own.
 * - else the session cookie: the session's principal, and its CSRF token for every state-changing request.
 * - else anonymous: pages get a double-submit CSRF cookie so the login form is protected too.
 * Roles are checked afterwards, per route, by requireRole. It lives with the app's assembly because it wires
 * the auth pieces (src/auth) to the services that look keys and sessions up.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppBindings } from '../api/context.ts';
import {
  clearSessionCookie,
  readAnonCsrfCookie,
  readSessionCookie,
  setAnonCsrfCookie,
} from '../auth/cookies.ts';
import { isStateChanging, verifyCsrf } from '../auth/csrf.ts';
import { randomToken } from '../auth/tokens.ts';
import { AppError } from '../lib/errors.ts';
import { resolveApiKey } from '../services/auth/api-keys.ts';
import { resolveSession } from '../services/auth/sessions.ts';

const isApiPath = (path: string) => path === '/v1' || path.startsWith('/v1/');

export function authenticate(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    const { db, env, clock } = c.get('deps');
    c.set('principal', undefined);
    c.set('session', undefined);
    c.set('csrfToken', '');

    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) {
        throw new AppError('UNAUTHENTICATED', 'Send the API key as "Authorization: Bearer bks_...".');
      }
      const principal = await resolveApiKey({ ctx: { db, clock }, input: { key: match[1]! } });
      if (!principal) {
        throw new AppError('UNAUTHENTICATED', 'The API key is not valid: it is unknown, revoked or expired.');
      }
      c.set('principal', principal);
      return next();
    }

    const token = readSessionCookie(c);
    if (token) {
      const resolved = await resolveSession({ ctx: { db, clock, env }, input: { token } });
      if (resolved) {
        c.set('principal', resolved.principal);
        c.set('session', resolved.session);
        c.set('csrfToken', resolved.session.csrfToken);
      } else {
        clearSessionCookie(c, env);
      }
    }

    if (!c.get('session') && !isApiPath(c.req.path)) {
      let anon = readAnonCsrfCookie(c);
      if (!anon || anon.length < 32 || anon.length > 64) {
        anon = randomToken(32);
        setAnonCsrfCookie(c, env, anon);
      }
      c.set('csrfToken', anon);
    }

    // Anonymous API calls need no CSRF check: the API has no anonymous change, so requireRole answers 401.
    const needsCsrf = isStateChanging(c.req.method) && (c.get('session') || !isApiPath(c.req.path));
    if (needsCsrf) await verifyCsrf(c, c.get('csrfToken') || undefined, env.APP_BASE_URL);
    return next();
  };
}
