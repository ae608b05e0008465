/** What the auth service verbs need: the database, the clock and the settings (no org yet at login). */
import type { Principal } from '../../auth/principal.ts';
import type { Database } from '../../db/client.ts';
import type { Env } from '../../lib/env.ts';

export interface AuthContext {
  db: Database;
  clock: () => Date;
  env: Pick<
    Env,
    | 'LOGIN_MAX_ATTEMPTS'
    | 'LOGIN_MAX_PER_ADDRESS'
    | 'LOGIN_MAX_PER_ACCOUNT'
    | 'LOGIN_MAX_CONCURRENT_HASHES'
    | 'LOGIN_MAX_WAITING_HASHES'
    | 'LOGIN_WINDOW_SECONDS'
    | 'SESSION_TTL_HOURS'
    | 'NODE_ENV'
  >;
}

/** A verb acting for a signed-in principal inside their org. */
export interface OrgContext {
  db: Database;
  clock: () => Date;
  principal: Principal;
  /** Recorded on audit events, so an event leads back to the request's log lines. */
  requestId?: string;
}
