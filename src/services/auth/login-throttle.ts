/**
 * Login throttling per email + client address, counted in the database so every app instance shares it.
 * Fixed windows aligned to LOGIN_WINDOW_SECONDS: at most LOGIN_MAX_ATTEMPTS failures per window, then 429
 * with Retry-After until the window ends. (A fixed window lets a burst straddle a boundary — at most twice
 * the limit in a short span — which still makes guessing hopeless; a sliding log would cost a row per try.)
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import { loginAttempts } from '../../../db/schema/index.ts';
import { sha256Hex } from '../../auth/tokens.ts';
import { withoutOrg } from '../../db/tenancy.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuthContext } from './context.ts';

/** The counter key; hashed so the table holds no email or address in clear. */
export function throttleKey(email: string, ip: string) {
  return `login:${sha256Hex(`${email.trim().toLowerCase()}|${ip}`)}`;
}

function windowOf(ctx: AuthContext) {
  const size = ctx.env.LOGIN_WINDOW_SECONDS * 1000;
  const now = ctx.clock().getTime();
  const start = Math.floor(now / size) * size;
  return { start: new Date(start), end: start + size, now, size };
}

/** Throws TOO_MANY_REQUESTS (with Retry-After) when the key used up its failures in this window. */
export async function assertLoginAllowed({ ctx, input }: { ctx: AuthContext; input: { key: string } }) {
  const window = windowOf(ctx);
  const [row] = await withoutOrg(ctx.db, {}, (tx) =>
    tx
      .select({ count: loginAttempts.count })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.key, input.key), eq(loginAttempts.windowStart, window.start))),
  );
  if (row && row.count >= ctx.env.LOGIN_MAX_ATTEMPTS) {
    const seconds = Math.max(1, Math.ceil((window.end - window.now) / 1000));
    throw new AppError(
      'TOO_MANY_REQUESTS',
      `Too many failed sign-in attempts. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
}

/** Counts one failure; one atomic upsert, so concurrent attempts on several instances all count. */
export async function recordLoginFailure({ ctx, input }: { ctx: AuthContext; input: { key: string } }) {
  const window = windowOf(ctx);
  const at = new Date(window.now);
  await withoutOrg(ctx.db, {}, async (tx) => {
    await tx
      .insert(loginAttempts)
      .values({ key: input.key, windowStart: window.start, count: 1, lastAttemptAt: at })
      .onConflictDoUpdate({
        target: [loginAttempts.key, loginAttempts.windowStart],
        set: { count: sql`${loginAttempts.count} + 1`, lastAttemptAt: at },
      });
    // Old windows are worthless; pruning here keeps the table small without a separate job.
    await tx
      .delete(loginAttempts)
      .where(lt(loginAttempts.windowStart, new Date(window.start.getTime() - window.size)));
  });
}

/** A successful sign-in forgets the failures of its key. */
export async function clearLoginFailures({ ctx, input }: { ctx: AuthContext; input: { key: string } }) {
  await withoutOrg(ctx.db, {}, (tx) => tx.delete(loginAttempts).where(eq(loginAttempts.key, input.key)));
}
