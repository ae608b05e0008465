/**
 * Setting up an org without SQL (issue 18): create an org, add a member (a new user gets a generated password,
 * shown once), and mint an API key for another system. Used by the admin CLI and the first-run page; the
 * operator acts outside any session, so audit events name the operator's label instead of a user.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, orgs, users } from '../../../db/schema/index.ts';
import { hashPassword } from '../../auth/password.ts';
import { appendAudit } from '../../db/audit.ts';
import { findUserForLogin } from '../../db/auth-lookups.ts';
import type { Database, Tx } from '../../db/client.ts';
import { countOrgs, findOrgBySlug, type OrgBySlug } from '../../db/operator-lookups.ts';
import { withOrg, withoutOrg } from '../../db/tenancy.ts';
import { AppError, conflict } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import { ROLES, type Role } from '../../lib/roles.ts';
import { TEXT_LIMITS, textProblem } from '../../lib/text.ts';
import type { ActorFields } from '../audit/actor.ts';
import { insertApiKey } from './api-keys.ts';

export interface OperatorContext {
  db: Database;
  clock: () => Date;
  /** Who acts, as the audit trail will name them: e.g. "bookshift CLI (alice)" or "first-run setup". */
  actorLabel: string;
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Required.')
    .superRefine((value, ctx) => {
      const problem = textProblem(value, max);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const slug = z
  .string()
  .trim()
  .regex(
    SLUG_PATTERN,
    'Use 1 to 40 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
  );

export const newOrgSchema = z.object({ name: text(TEXT_LIMITS.name), slug });
export const newMemberSchema = z.object({
  orgSlug: slug,
  email: z.string().trim().toLowerCase().email('Not an email address.').max(254),
  name: text(TEXT_LIMITS.name),
  role: z.enum(ROLES),
  /** Only the first-run page sets the first admin's password; otherwise one is generated. */
  password: z.string().optional(),
});
export const newOperatorKeySchema = z.object({
  orgSlug: slug,
  name: text(TEXT_LIMITS.name),
  role: z.enum(ROLES),
});

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AppError('VALIDATION_FAILED', 'Some values are not valid.', {
    details: fieldIssues(parsed.error).map((i) => ({
      ...i,
      message: /received undefined$/.test(i.message) ? 'Required.' : i.message,
    })),
  });
}

/** The operator as the audit trail names them (no user, no key, no request). */
function operatorActor(ctx: OperatorContext): ActorFields {
  return { actorUserId: null, actorApiKeyId: null, actorLabel: ctx.actorLabel, requestId: null };
}

function audit(tx: Tx, ctx: OperatorContext, action: string, entity: [string, string], after: unknown) {
  return appendAudit(tx, {
    action,
    entityType: entity[0],
    entityId: entity[1],
    ...operatorActor(ctx),
    before: null,
    after,
    at: ctx.clock(),
  });
}

async function orgBySlug(ctx: OperatorContext, slugValue: string): Promise<OrgBySlug> {
  const org = await withoutOrg(ctx.db, {}, (tx) => findOrgBySlug(tx, slugValue));
  if (!org) {
    throw new AppError('NOT_FOUND', `No org has the slug "${slugValue}".`, {
      details: [
        { path: 'org', message: 'Check the slug (bookshift org create prints it), or create the org first.' },
      ],
    });
  }
  return org;
}

/** How many orgs exist: 0 means a fresh install that still needs its first org and admin. */
export function orgCount(ctx: Pick<OperatorContext, 'db'>): Promise<number> {
  return withoutOrg(ctx.db, {}, (tx) => countOrgs(tx));
}

type OrgValues = z.infer<typeof newOrgSchema>;
type MemberValues = z.infer<typeof newMemberSchema>;

async function insertOrg(tx: Tx, ctx: OperatorContext, id: string, values: OrgValues): Promise<OrgBySlug> {
  const [row] = await tx
    .insert(orgs)
    .values({ id, name: values.name, slug: values.slug, createdAt: ctx.clock() })
    .returning({ id: orgs.id, name: orgs.name, slug: orgs.slug });
  await audit(tx, ctx, 'org.created', ['org', id], { name: values.name, slug: values.slug });
  return row!;
}

async function slugFree(ctx: OperatorContext, slug: string): Promise<void> {
  if (await withoutOrg(ctx.db, {}, (tx) => findOrgBySlug(tx, slug))) {
    throw conflict(`An org with the slug "${slug}" exists already; choose another slug.`);
  }
}

export async function createOrg(ctx: OperatorContext, input: unknown): Promise<OrgBySlug> {
  const values = parse(newOrgSchema, input);
  await slugFree(ctx, values.slug);
  const id = crypto.randomUUID();
  return withOrg(ctx.db, { orgId: id }, (tx) => insertOrg(tx, ctx, id, values));
}

export interface AddedMember {
  userId: string;
  email: string;
  name: string;
  role: Role;
  org: OrgBySlug;
  /** True when the person had no login yet; `password` is then the one to hand over (shown once). */
  newUser: boolean;
  password?: string;
}

/** A password of 20 characters from a URL-safe alphabet (120 bits). */
function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

interface Login {
  existing: { id: string; email: string; name: string } | null;
  password?: string;
  passwordHash?: string;
}

/** The person's login if they have one; otherwise the password (given or generated) and its hash. */
async function loginFor(ctx: OperatorContext, values: MemberValues): Promise<Login> {
  const existing = await withoutOrg(ctx.db, {}, (tx) => findUserForLogin(tx, values.email));
  if (existing) return { existing };
  const password = values.password ?? generatePassword();
  return { existing: null, password, passwordHash: await hashPassword(password) };
}

async function insertMember(
  tx: Tx,
  ctx: OperatorContext,
  org: OrgBySlug,
  values: MemberValues,
  login: Login,
): Promise<AddedMember> {
  let userId = login.existing?.id;
  if (userId) {
    const [member] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, org.id), eq(memberships.userId, userId)));
    if (member) throw conflict(`${values.email} is already a member of ${org.name} (as ${member.role}).`);
  } else {
    // No RETURNING: the new user is visible to this transaction only once the membership exists (RLS).
    userId = crypto.randomUUID();
    await tx.insert(users).values({
      id: userId,
      email: values.email,
      name: values.name,
      passwordHash: login.passwordHash!,
      createdAt: ctx.clock(),
    });
  }
  await tx.insert(memberships).values({ orgId: org.id, userId, role: values.role, createdAt: ctx.clock() });
  await audit(tx, ctx, 'member.added', ['user', userId], {
    email: values.email,
    role: values.role,
    newUser: !login.existing,
  });
  return {
    userId,
    email: login.existing?.email ?? values.email,
    name: login.existing?.name ?? values.name,
    role: values.role,
    org,
    newUser: !login.existing,
    ...(login.password === undefined || values.password !== undefined ? {} : { password: login.password }),
  };
}

export async function addMember(ctx: OperatorContext, input: unknown): Promise<AddedMember> {
  const values = parse(newMemberSchema, input);
  const org = await orgBySlug(ctx, values.orgSlug);
  const login = await loginFor(ctx, values);
  return withOrg(ctx.db, { orgId: org.id }, (tx) => insertMember(tx, ctx, org, values, login));
}

export const firstOrgSchema = z.object({
  orgName: newOrgSchema.shape.name,
  slug,
  name: newMemberSchema.shape.name,
  email: newMemberSchema.shape.email,
  password: z.string().min(12, 'Use at least 12 characters.').max(200, 'Use at most 200 characters.'),
});

/**
 * A fresh install's first org and its first admin, in one transaction (the first-run page): refused once any
 * org exists, so the page cannot be used to add orgs later.
 */
export async function setUpFirstOrg(ctx: OperatorContext, input: unknown): Promise<AddedMember> {
  const values = parse(firstOrgSchema, input);
  if ((await orgCount(ctx)) > 0) throw conflict('This install has an org already: sign in instead.');
  const member: MemberValues = { ...values, orgSlug: values.slug, role: 'admin' };
  const login = await loginFor(ctx, member);
  const id = crypto.randomUUID();
  return withOrg(ctx.db, { orgId: id }, async (tx) => {
    const org = await insertOrg(tx, ctx, id, { name: values.orgName, slug: values.slug });
    return insertMember(tx, ctx, org, member, login);
  });
}

export interface OperatorKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  org: OrgBySlug;
  /** The whole key: shown once, only its hash is stored. */
  key: string;
}

export async function createOperatorApiKey(ctx: OperatorContext, input: unknown): Promise<OperatorKey> {
  const values = parse(newOperatorKeySchema, input);
  const org = await orgBySlug(ctx, values.orgSlug);
  return withOrg(ctx.db, { orgId: org.id }, async (tx) => {
    const { apiKey, key } = await insertApiKey(
      tx,
      { orgId: org.id, name: values.name, role: values.role, createdBy: null, expiresAt: null },
      { ...operatorActor(ctx), at: ctx.clock() },
    );
    return { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, role: apiKey.role, org, key };
  });
}
