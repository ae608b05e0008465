/** What the app is built from (its dependencies) and what each request carries on the Hono context. */
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/client.ts';
import type { DemoHint } from '../lib/demo.ts';
import type { Env } from '../lib/env.ts';
import type { Logger } from '../lib/logger.ts';

export interface AppDeps {
  env: Env;
  db: Database;
  /** Current time; tests pass a fixed or advancing clock. Defaults to the system clock. */
  clock?: () => Date;
  /** Defaults to a JSON-lines logger at env.LOG_LEVEL. */
  logger?: Logger;
  /** Demo accounts shown on the login page outside production (set by src/index.ts after seeding). */
  demoLogin?: DemoHint;
  /** A fresh install with no org: the one-time token of the first-run page (null once spent). */
  firstRun?: FirstRun;
}

export interface FirstRun {
  token: string | null;
}

export interface ResolvedDeps {
  env: Env;
  db: Database;
  clock: () => Date;
  logger: Logger;
  demoLogin?: DemoHint;
  firstRun?: FirstRun;
}

/** The session behind a cookie-authenticated request. */
export interface SessionInfo {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface AppBindings {
  Variables: {
    requestId: string;
    deps: ResolvedDeps;
    /** Undefined for anonymous requests; routes guarded by requireRole can rely on it. */
    principal: Principal | undefined;
    session: SessionInfo | undefined;
    /** The CSRF token forms and htmx must send back: the session's, or the anonymous one before login. */
    csrfToken: string;
  };
}
