/** The session and pre-login CSRF cookies: HttpOnly, SameSite=Lax, Secure behind TLS. */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Env } from '../lib/env.ts';

export const SESSION_COOKIE = 'bks_session';
/** Double-submit token for forms posted before there is a session (the login form). */
export const ANON_CSRF_COOKIE = 'bks_csrf';

/** Secure when told so, or when the public URL is https. */
export function cookiesSecure(env: Pick<Env, 'COOKIE_SECURE' | 'APP_BASE_URL'>) {
  return env.COOKIE_SECURE ?? env.APP_BASE_URL?.startsWith('https:') ?? false;
}

type CookieEnv = Pick<Env, 'COOKIE_SECURE' | 'APP_BASE_URL'>;

function options(env: CookieEnv, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: cookiesSecure(env),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

export function setSessionCookie(c: Context, env: CookieEnv, token: string, expiresAt: Date, now: Date) {
  setCookie(
    c,
    SESSION_COOKIE,
    token,
    options(env, Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000))),
  );
}

export function clearSessionCookie(c: Context, env: CookieEnv) {
  deleteCookie(c, SESSION_COOKIE, options(env));
}

export function readSessionCookie(c: Context) {
  return getCookie(c, SESSION_COOKIE);
}

export function readAnonCsrfCookie(c: Context) {
  return getCookie(c, ANON_CSRF_COOKIE);
}

export function setAnonCsrfCookie(c: Context, env: CookieEnv, token: string) {
  // A browser-session cookie: the login form it protects is short-lived anyway.
  setCookie(c, ANON_CSRF_COOKIE, token, options(env));
}

export function clearAnonCsrfCookie(c: Context, env: CookieEnv) {
  deleteCookie(c, ANON_CSRF_COOKIE, options(env));
}
