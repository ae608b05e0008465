/**
 * The role guard every route carries. Anonymous callers get 401 (pages: a redirect to the login page),
 * signed-in callers whose role is not listed get 403. The allowed roles are also published on the route
 * (`x-roles` in OpenAPI) so the role matrix test can enumerate them.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError, forbidden } from '../lib/errors.ts';
import type { Role } from '../lib/roles.ts';
import type { Principal } from './principal.ts';

/** What the guard reads from a request: the principal authentication set (undefined when anonymous). */
interface GuardBindings {
  Variables: { principal: Principal | undefined };
}

export function unauthenticated() {
  return new AppError('UNAUTHENTICATED', 'Sign in, or send an API key as "Authorization: Bearer bks_...".');
}

/** Allows the listed roles (at least one); everything else is refused before validation or work. */
export function requireRole(...roles: [Role, ...Role[]]): MiddlewareHandler<GuardBindings> {
  const allowed = new Set<Role>(roles);
  return async (c, next) => {
    const principal = c.get('principal');
    if (!principal) throw unauthenticated();
    if (!allowed.has(principal.role)) throw forbidden();
    await next();
  };
}

/** The principal of a request that passed requireRole; a programming error if called without the guard. */
export function principalOf(c: { get(key: 'principal'): Principal | undefined }): Principal {
  const principal = c.get('principal');
  if (!principal) throw unauthenticated();
  return principal;
}
