/**
 * CSRF protection for cookie-authenticated requests. Two independent checks on every POST/PUT/PATCH/DELETE:
 * the request must come from our own origin (Origin, else Sec-Fetch-Site), and it must carry the per-session
 * token (header X-CSRF-Token, or form field `_csrf`). Neither check depends on the Content-Type, so a request
 * without one cannot slip through (hono's csrf() only looks at form content types). Bearer (API key) requests
 * are exempt: a browser never attaches them on its own.
 */
import type { Context } from 'hono';
import { AppError } from '../lib/errors.ts';
import { safeEqual } from './tokens.ts';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string) {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

function refuse(message: string) {
  return new AppError('CSRF_REJECTED', message);
}

/** The origin this app is served from: APP_BASE_URL when set (behind a proxy), else the request's own. */
export function expectedOrigin(requestUrl: string, baseUrl?: string) {
  return new URL(baseUrl ?? requestUrl).origin;
}

/** Refuses a request that a browser marks as coming from another site. */
export function checkOrigin(c: Context, baseUrl?: string) {
  const origin = c.req.header('origin');
  const own = expectedOrigin(c.req.url, baseUrl);
  if (origin !== undefined) {
    // "null" is what browsers send from sandboxed frames and some redirects: never ours.
    if (origin !== own) throw refuse('This request came from another site and was refused.');
    return;
  }
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw refuse('This request came from another site and was refused.');
  }
}

function isFormBody(contentType: string | undefined) {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

/** The token the request presents: the header first, else the `_csrf` field of a form body. */
export async function presentedToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  if (!isFormBody(c.req.header('content-type'))) return undefined;
  // parseBody caches the parsed body on the request, so the handler can still read it.
  const body = await c.req.parseBody();
  const field = body[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}

/** Both checks; throws CSRF_REJECTED (403) when either fails. */
export async function verifyCsrf(c: Context, expectedToken: string | undefined, baseUrl?: string) {
  checkOrigin(c, baseUrl);
  const presented = await presentedToken(c);
  if (!expectedToken || !presented || !safeEqual(presented, expectedToken)) {
    throw refuse('The form has expired or was not sent from Bookshift (missing or wrong CSRF token).');
  }
}
