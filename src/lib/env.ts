/** Environment, parsed once with zod; every setting the app reads lives here. */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL, used in emails and to decide whether cookies are Secure. */
  APP_BASE_URL: z.url().optional(),
  /** A real Postgres server (postgres.js). Without it the app runs on embedded PGlite. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Connection used for migrations and seeding (needs to own the schema); defaults to DATABASE_URL. */
  MIGRATION_DATABASE_URL: z.string().min(1).optional(),
  /** Folder for the embedded PGlite data (ignored with DATABASE_URL). `memory://` keeps it in memory. */
  PGLITE_DIR: z.string().default('./data/pglite'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Seed the demo orgs when the database is empty: on by default in development (npm start), off otherwise,
   * and refused with NODE_ENV=production (their password is published in the README).
   */
  SEED_DEMO: bool.optional(),
  /** Set when served behind TLS (or a TLS-terminating proxy): cookies get the Secure flag. */
  COOKIE_SECURE: bool.optional(),
  /**
   * Behind a reverse proxy: take the client address from the first X-Forwarded-For entry (login throttling).
   * Leave off when clients reach the app directly, or they could choose their own address.
   */
  TRUST_PROXY: bool.default(false),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Failed sign-ins per window: of one email from one address, from one address, for one account. */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).default(30),
  /** Password verifications (scrypt, ~128 MiB each) running at once, and waiting; beyond that 429 at once. */
  LOGIN_MAX_CONCURRENT_HASHES: z.coerce.number().int().min(1).max(64).default(2),
  LOGIN_MAX_WAITING_HASHES: z.coerce.number().int().min(0).max(10_000).default(32),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url().optional(),
  EMAIL_FROM: z.string().default('Bookshift <bookshift@example.com>'),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  /** The largest request body outside uploads (JSON and forms), refused with 413 before it is read. */
  REQUEST_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(200_000),
  /** Solves (what-ifs and run solves) at once across every instance on the database, and for one org. */
  SOLVE_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  SOLVE_MAX_PER_ORG: z.coerce.number().int().min(1).max(64).default(1),
  /** What-ifs waiting for a solver slot in this process; beyond that 429 at once. */
  WHAT_IF_MAX_WAITING: z.coerce.number().int().min(0).max(1000).default(8),
  /** A solver slot's lease: renewed while its solve runs; a crashed instance's slots return after it. */
  SOLVE_SLOT_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(30),
  /** Runs of one org queued or solving at once; another solve request is refused with 429. */
  SOLVE_MAX_QUEUED_PER_ORG: z.coerce.number().int().min(1).max(1000).default(8),
  SOLVER_TIME_LIMIT_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  /**
   * Solve a realignment's independent pools as separate jobs in the Postgres queue, claimed by any
   * instance (services/solve/pool-jobs.ts): one large realignment then uses several instances.
   */
  SOLVE_POOL_JOBS: bool.default(false),
  /** Background jobs this instance runs at once (solves are CPU-bound: about the number of cores). */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

/** The parsed environment, with the defaults that depend on NODE_ENV filled in. */
export const envWithDefaults = envSchema
  .refine((e) => !(e.NODE_ENV === 'production' && e.SEED_DEMO === true), {
    path: ['SEED_DEMO'],
    message: 'demo data is never seeded in production (NODE_ENV=production): remove SEED_DEMO',
  })
  .transform((e) => ({ ...e, SEED_DEMO: e.SEED_DEMO ?? e.NODE_ENV === 'development' }));

export type Env = z.infer<typeof envWithDefaults>;

/** Parses an environment; throws one readable message listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envWithDefaults.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}
