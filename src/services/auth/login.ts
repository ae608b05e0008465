/**
 * Sign-in with email and password. Unknown email, wrong password and disabled account take the same path —
 * a full scrypt verification (against a dummy hash when there is no user) and the same message — so neither
 * the answer nor its timing tells which emails exist.
 */
import { createHashGate, type HashGate } from '../../auth/hash-gate.ts';
import { dummyPasswordHash, verifyPassword } from '../../auth/password.ts';
import type { Principal } from '../../auth/principal.ts';
import { findUserForLogin } from '../../db/auth-lookups.ts';
import { withoutOrg } from '../../db/tenancy.ts';
import { DEMO_PASSWORD } from '../../lib/demo.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuthContext } from './context.ts';
import {
  assertLoginAllowed,
  clearLoginFailures,
  recordLoginFailure,
  throttleKeys,
} from './login-throttle.ts';
import { createSession, type NewSession, principalForUser } from './sessions.ts';

export const WRONG_CREDENTIALS = 'Email or password is incorrect.';

/** One gate per process and setting: every sign-in of this server shares the bound on hashing at once. */
const gates = new Map<string, HashGate>();
function gateOf(env: AuthContext['env']): HashGate {
  const id = `${env.LOGIN_MAX_CONCURRENT_HASHES}/${env.LOGIN_MAX_WAITING_HASHES}`;
  let gate = gates.get(id);
  if (!gate) {
    gate = createHashGate(env.LOGIN_MAX_CONCURRENT_HASHES, env.LOGIN_MAX_WAITING_HASHES);
    gates.set(id, gate);
  }
  return gate;
}

export interface LoginInput {
  email: string;
  password: string;
  ip: string;
  userAgent?: string;
}

export async function login({
  ctx,
  input,
}: {
  ctx: AuthContext;
  input: LoginInput;
}): Promise<NewSession & { principal: Principal }> {
  const keys = throttleKeys(input.email, input.ip);
  await assertLoginAllowed({ ctx, input: { keys } });

  const user = await withoutOrg(ctx.db, {}, (tx) => findUserForLogin(tx, input.email.trim()));
  const stored = user?.passwordHash ?? (await dummyPasswordHash());
  const matches = await gateOf(ctx.env).run(() => verifyPassword(input.password, stored));
  // The published demo password never opens anything in production, whatever the database holds.
  const demoInProduction = ctx.env.NODE_ENV === 'production' && input.password === DEMO_PASSWORD;
  if (!user || !matches || user.disabledAt || demoInProduction) {
    await recordLoginFailure({ ctx, input: { keys } });
    throw new AppError('UNAUTHENTICATED', WRONG_CREDENTIALS);
  }

  // The user's first org; an org switcher can change the session's active org later.
  const principal = await withoutOrg(ctx.db, { userId: user.id }, (tx) => principalForUser(tx, user.id));
  if (!principal) {
    throw new AppError(
      'FORBIDDEN',
      'Your account is not a member of any org yet. Ask an admin of your org to add you.',
    );
  }
  await clearLoginFailures({ ctx, input: { keys } });
  const created = await createSession({
    ctx,
    input: { userId: user.id, orgId: principal.orgId, ip: input.ip, userAgent: input.userAgent },
  });
  return { ...created, principal: { kind: 'session', ...principal } };
}
