/**
 * Login throttling, counted in the database so every app instance shares it, per fixed window of
 * LOGIN_WINDOW_SECONDS on three keys: the email at one address (LOGIN_MAX_ATTEMPTS), the address whatever the
 * email (LOGIN_MAX_PER_ADDRESS: one address trying many accounts), and the account whatever the address
 * (LOGIN_MAX_PER_ACCOUNT: many addresses trying one account). A key over its limit answers 429 with Retry-After
 * until its window ends, before any password is hashed. (A fixed window lets a burst straddle a boundary — at
 * most twice the limit in a short span — which still makes guessing hopeless; a sliding log would cost a row
 * per try.) The app role reaches the counters only through the login_throttle_* functions (migrations 0007, 0008).
 */
import { sql } from 'drizzle-orm';
import { sha256Hex } from '../../auth/tokens.ts';
import { queryRows } from '../../db/query-rows.ts';
import { withoutOrg } from '../../db/tenancy.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuthContext } from './context.ts';

export interface ThrottleKeys {
  /** The email at this address. */
  pair: string;
  address: string;
  account: string;
}

/** The counter keys of one attempt; hashed so the table holds no email or address in clear. */
export function throttleKeys(email: string, ip: string): ThrottleKeys {
  const normalised = email.trim().toLowerCase();
  return {
    pair: `login:${sha256Hex(`${normalised}|${ip}`)}`,
    address: `login-address:${sha256Hex(ip)}`,
    account: `login-account:${sha256Hex(normalised)}`,
  };
}

function windowOf(ctx: AuthContext) {
  const size = ctx.env.LOGIN_WINDOW_SECONDS * 1000;
  const now = ctx.clock().getTime();
  const start = Math.floor(now / size) * size;
  return { start: new Date(start), end: start + size, now, size };
}

const textArray = (values: string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

/** Throws TOO_MANY_REQUESTS (with Retry-After) when any key used up its failures in this window. */
export async function assertLoginAllowed({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { keys: ThrottleKeys };
}) {
  const window = windowOf(ctx);
  const { keys } = input;
  const limits = new Map([
    [keys.pair, ctx.env.LOGIN_MAX_ATTEMPTS],
    [keys.address, ctx.env.LOGIN_MAX_PER_ADDRESS],
    [keys.account, ctx.env.LOGIN_MAX_PER_ACCOUNT],
  ]);
  const rows = await withoutOrg(ctx.db, {}, (tx) =>
    queryRows<{ key: string; count: number }>(
      tx,
      sql`select key, count from login_throttle_counts(${textArray([...limits.keys()])}, ${window.start.toISOString()}::timestamptz)`,
    ),
  );
  if (rows.some((r) => Number(r.count) >= (limits.get(r.key) ?? Number.POSITIVE_INFINITY))) {
    const seconds = Math.max(1, Math.ceil((window.end - window.now) / 1000));
    throw new AppError(
      'TOO_MANY_REQUESTS',
      `Too many failed sign-in attempts. Try again in ${seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`}.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
}

/** Counts one failure on every key; one atomic upsert, so concurrent attempts on several instances all count. */
export async function recordLoginFailure({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { keys: ThrottleKeys };
}) {
  const window = windowOf(ctx);
  const { pair, address, account } = input.keys;
  const pruneBefore = new Date(window.start.getTime() - window.size);
  await withoutOrg(ctx.db, {}, (tx) =>
    tx.execute(
      sql`select login_throttle_fail(${textArray([pair, address, account])}, ${window.start.toISOString()}::timestamptz, ${new Date(window.now).toISOString()}::timestamptz, ${pruneBefore.toISOString()}::timestamptz)`,
    ),
  );
}

/**
 * A successful sign-in forgets the failures of its email at this address and of its account. The address's
 * own count stays: one valid account must not reset an address that is trying many others.
 */
export async function clearLoginFailures({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: { keys: ThrottleKeys };
}) {
  const { pair, account } = input.keys;
  await withoutOrg(ctx.db, {}, (tx) =>
    tx.execute(sql`select login_throttle_forget(${textArray([pair, account])})`),
  );
}
