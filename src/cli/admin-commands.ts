/**
 * `bookshift org create`, `bookshift user add`, `bookshift api-key create`, `bookshift migrate`: setting up an
 * install without SQL, against DATABASE_URL or the embedded database (PGLITE_DIR). Text for people, `--json`
 * (one object on stdout) for scripts. Exit codes: ADMIN_EXIT below.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../db/client.ts';
import { DataDirInUseError } from '../db/pglite-lock.ts';
import { type Env, parseEnv } from '../lib/env.ts';
import { AppError } from '../lib/errors.ts';
import {
  addMember,
  createOperatorApiKey,
  createOrg,
  type OperatorContext,
} from '../services/auth/provisioning.ts';
import type { CliIo } from './solve-command.ts';

export const ADMIN_EXIT = {
  ok: 0,
  /** The database could not be reached or is not migrated, or another failure. */
  failed: 1,
  /** Wrong arguments or invalid values. */
  usage: 2,
  /** It exists already (org slug, membership). */
  exists: 3,
  /** The org named does not exist. */
  notFound: 4,
} as const;

export const ADMIN_USAGE = `Setting up without SQL (against DATABASE_URL, else the embedded database in PGLITE_DIR):
  bookshift migrate [--json]
  bookshift org create --name "Acme Corp" --slug acme [--json]
  bookshift user add --org acme --email ada@acme.example --name "Ada Lovelace" --role admin [--json]
  bookshift api-key create --org acme --name "CRM sync" --role analyst [--json]
Roles: admin, manager, analyst, rep, finance. A new user's password is printed once; an existing user is
added to the org and keeps their password. An API key is printed once (only its hash is stored).
Exit codes: 0 done, 1 failed (database unreachable or not migrated: run bookshift migrate), 2 invalid
arguments or values, 3 exists already, 4 no such org.`;

type Action = 'migrate' | 'org create' | 'user add' | 'api-key create';

const OPTIONS = {
  name: { type: 'string' },
  slug: { type: 'string' },
  org: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function adminAction(command: string, sub: string | undefined): Action | null {
  if (command === 'migrate') return 'migrate';
  const action = `${command} ${sub ?? ''}`;
  return action === 'org create' || action === 'user add' || action === 'api-key create' ? action : null;
}

export interface AdminOptions {
  /** Defaults to the parsed process environment. */
  env?: Env;
  clock?: () => Date;
}

/** Runs one admin action; `argv` starts after the action's words (e.g. after `org create`). */
export async function runAdminCommand(
  action: Action,
  argv: string[],
  io: CliIo,
  options: AdminOptions = {},
): Promise<number> {
  let values: AdminValues;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${ADMIN_USAGE}\n`);
    return ADMIN_EXIT.usage;
  }
  if (values.help) {
    io.stdout(`${ADMIN_USAGE}\n`);
    return ADMIN_EXIT.ok;
  }
  const report = reporter(io, values.json);
  let env: Env;
  let handle: DatabaseHandle;
  try {
    env = options.env ?? parseEnv();
    handle = await openAdminDatabase(action, env);
  } catch (error) {
    return report.failure(error);
  }
  const where = handle.driver === 'pglite' ? `embedded database ${env.PGLITE_DIR}` : 'DATABASE_URL';
  const ctx: OperatorContext = {
    db: handle.db,
    clock: options.clock ?? (() => new Date()),
    actorLabel: `bookshift CLI (${operatorName()})`,
  };
  try {
    if (action === 'migrate') {
      await migrate(handle);
      return report.done({ migrated: true, database: where }, `Migrations applied to the ${where}.`);
    }
    return await provision(action, values, ctx, where, report);
  } catch (error) {
    return report.failure(error);
  } finally {
    await handle.close();
  }
}

type AdminValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];
type DatabaseHandle = Awaited<ReturnType<typeof openDatabase>>;

/** One connection, as the CLI; a migration connects as MIGRATION_DATABASE_URL when it is set. */
function openAdminDatabase(action: Action, env: Env): Promise<DatabaseHandle> {
  return openDatabase(
    { ...env, DATABASE_POOL_MAX: 1 },
    action === 'migrate' && env.MIGRATION_DATABASE_URL
      ? { url: env.MIGRATION_DATABASE_URL, applicationName: 'bookshift-cli' }
      : { applicationName: 'bookshift-cli' },
  );
}

/** Creates the org, the member or the API key, and reports it (a password or key shown once). */
async function provision(
  action: Exclude<Action, 'migrate'>,
  values: AdminValues,
  ctx: OperatorContext,
  where: string,
  report: ReturnType<typeof reporter>,
): Promise<number> {
  switch (action) {
    case 'org create': {
      const org = await createOrg(ctx, { name: values.name, slug: values.slug });
      return report.done(
        { org },
        `Created org "${org.name}" (slug ${org.slug}, id ${org.id}) in the ${where}.\n` +
          `Next: bookshift user add --org ${org.slug} --email you@example.com --name "Your Name" --role admin`,
      );
    }
    case 'user add': {
      const member = await addMember(ctx, {
        orgSlug: values.org,
        email: values.email,
        name: values.name,
        role: values.role,
      });
      return report.done(
        { member },
        member.password === undefined
          ? `Added ${member.email} to ${member.org.name} as ${member.role}; they sign in with their existing password.`
          : `Added ${member.email} to ${member.org.name} as ${member.role}.\n` +
              `Password (shown once, hand it over privately): ${member.password}`,
      );
    }
    case 'api-key create': {
      const key = await createOperatorApiKey(ctx, {
        orgSlug: values.org,
        name: values.name,
        role: values.role,
      });
      return report.done(
        { apiKey: key },
        `Created API key "${key.name}" (${key.role}) for ${key.org.name}.\n` +
          `Key (shown once, store it now): ${key.key}\n` +
          'Send it as: Authorization: Bearer <key>',
      );
    }
  }
}

function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'operator';
  }
}

const EXIT_OF: Partial<Record<string, number>> = {
  VALIDATION_FAILED: ADMIN_EXIT.usage,
  BAD_REQUEST: ADMIN_EXIT.usage,
  CONFLICT: ADMIN_EXIT.exists,
  NOT_FOUND: ADMIN_EXIT.notFound,
};

interface Failure {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
}

function describeFailure(error: unknown): Failure {
  if (error instanceof AppError) {
    const details = Array.isArray(error.details) ? (error.details as Failure['details']) : undefined;
    return { code: error.code, message: error.message, ...(details ? { details } : {}) };
  }
  if (error instanceof DataDirInUseError) return { code: 'DATABASE_IN_USE', message: error.message };
  // The database driver's wrapper ("Failed query: ...") carries the statement and its parameters, which may
  // hold a password hash: only the underlying cause is shown.
  const message = rootMessage(error);
  if (
    /relation "[a-z_]+" does not exist|function operator_org_\w+\(.*\) does not exist|role "bookshift_app" does not exist/.test(
      message,
    )
  ) {
    return {
      code: 'NOT_MIGRATED',
      message: 'The database has no Bookshift tables yet: run `bookshift migrate` first.',
    };
  }
  if (/ECONNREFUSED|ENOTFOUND|password authentication failed|does not exist/.test(message)) {
    return {
      code: 'DATABASE_UNREACHABLE',
      message: `Could not reach the database: ${message}. Check DATABASE_URL.`,
    };
  }
  return { code: 'FAILED', message };
}

/** The command-line flag a service field comes from (orgSlug is --org). */
function flagOf(path: string): string {
  if (!path) return 'value';
  return `--${path === 'orgSlug' ? 'org' : path}`;
}

function rootMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function reporter(io: CliIo, json: boolean) {
  return {
    done(result: object, text: string): number {
      io.stdout(json ? `${JSON.stringify({ ok: true, ...result })}\n` : `${text}\n`);
      return ADMIN_EXIT.ok;
    },
    failure(error: unknown): number {
      const failure = describeFailure(error);
      const exit = EXIT_OF[failure.code] ?? ADMIN_EXIT.failed;
      if (json) io.stdout(`${JSON.stringify({ ok: false, error: failure })}\n`);
      const lines = [
        failure.message,
        ...(failure.details ?? []).map((d) => `  ${flagOf(d.path)}: ${d.message}`),
      ];
      io.stderr(`${lines.join('\n')}\n`);
      return exit;
    },
  };
}
