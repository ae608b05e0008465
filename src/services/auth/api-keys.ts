/**
 * API keys of an org: create (the full key is returned once; only its sha256 is stored), list, revoke, and
 * resolve a presented key to a principal. Keys are high-entropy, so a plain digest is safe to store.
 */
import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { apiKeys, orgs } from '../../../db/schema/index.ts';
import type { Principal } from '../../auth/principal.ts';
import { orgScope } from '../../auth/principal.ts';
import { generateApiKey, parseApiKey } from '../../auth/tokens.ts';
import { appendAudit } from '../../db/audit.ts';
import { findApiKeyByHash } from '../../db/auth-lookups.ts';
import type { Database, Tx } from '../../db/client.ts';
import { withOrg, withoutOrg } from '../../db/tenancy.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { GRANTABLE_KEY_ROLES, isRole, type Role } from '../../lib/roles.ts';
import { type ActorFields, auditActor } from '../audit/actor.ts';
import type { OrgContext } from './context.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
};

/** What the audit trail keeps of a key: never its hash. */
function describe(k: ApiKeyRecord) {
  return { name: k.name, prefix: k.prefix, role: k.role, expiresAt: k.expiresAt, revokedAt: k.revokedAt };
}

/** The keys a caller manages: an admin every key of the org, anyone else the keys they created. */
function managedBy(principal: OrgContext['principal']): SQL | undefined {
  if (principal.role === 'admin') return undefined;
  return principal.userId ? eq(apiKeys.createdBy, principal.userId) : sql`false`;
}

/** Refuses a key role with any right its creator lacks (see GRANTABLE_KEY_ROLES). */
export function assertGrantable(creatorRole: Role, keyRole: Role) {
  const grantable = GRANTABLE_KEY_ROLES[creatorRole];
  if (grantable.includes(keyRole)) return;
  throw new AppError('FORBIDDEN', `As ${creatorRole} you cannot create a ${keyRole} key.`, {
    details: [
      {
        path: 'role',
        message: `A key never carries more than its creator may do. Choose one of: ${grantable.join(', ')}.`,
      },
    ],
  });
}

export async function createApiKey({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { name: string; role: Role; expiresAt?: Date };
}): Promise<{ apiKey: ApiKeyRecord; key: string }> {
  assertGrantable(ctx.principal.role, input.role);
  if (input.expiresAt && input.expiresAt.getTime() <= ctx.clock().getTime()) {
    throw new AppError('VALIDATION_FAILED', 'The key would be expired already.', {
      details: [{ path: 'expiresAt', message: 'Choose a time in the future, or leave it out.' }],
    });
  }
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    insertApiKey(
      tx,
      {
        orgId: ctx.principal.orgId,
        name: input.name,
        role: input.role,
        createdBy: ctx.principal.userId ?? null,
        expiresAt: input.expiresAt ?? null,
      },
      auditActor(ctx),
    ),
  );
}

/**
 * Stores a new key (its hash only) and the audit event of its creation, in the caller's transaction; returns
 * the record and the whole key, which is shown once. The admin CLI creates keys through here too.
 */
export async function insertApiKey(
  tx: Tx,
  values: { orgId: string; name: string; role: Role; createdBy: string | null; expiresAt: Date | null },
  actor: ActorFields & { at: Date },
): Promise<{ apiKey: ApiKeyRecord; key: string }> {
  const generated = generateApiKey();
  const [inserted] = await tx
    .insert(apiKeys)
    .values({ ...values, prefix: generated.prefix, keyHash: generated.hash, createdAt: actor.at })
    .returning(columns);
  const apiKey = inserted!;
  await appendAudit(tx, {
    action: 'api_key.created',
    entityType: 'api_key',
    entityId: apiKey.id,
    before: null,
    after: describe(apiKey),
    ...actor,
  });
  return { apiKey, key: generated.key };
}

/** The keys the caller manages, newest first. */
export async function listApiKeys({ ctx }: { ctx: OrgContext }): Promise<ApiKeyRecord[]> {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) =>
    tx
      .select(columns)
      .from(apiKeys)
      .where(managedBy(ctx.principal))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)),
  );
}

/** Revokes a key the caller manages; revoking twice keeps the first revocation time. */
export async function revokeApiKey({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: { id: string };
}): Promise<ApiKeyRecord> {
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    // RLS limits this to the caller's org: another org's key id is simply not found; so is a key the caller
    // does not manage (another person's, for a manager).
    const [existing] = await tx
      .select(columns)
      .from(apiKeys)
      .where(and(eq(apiKeys.id, input.id), managedBy(ctx.principal)))
      .for('update');
    if (!existing) throw notFound('The API key');
    if (existing.revokedAt) return existing;
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.clock() })
      .where(eq(apiKeys.id, input.id))
      .returning(columns);
    return row!;
  });
}

/** The principal of a presented key, or null when it is malformed, unknown, revoked or expired. */
export async function resolveApiKey({
  ctx,
  input,
}: {
  ctx: { db: Database; clock: () => Date };
  input: { key: string };
}): Promise<Principal | null> {
  const parsed = parseApiKey(input.key);
  if (!parsed) return null;
  const found = await withoutOrg(ctx.db, {}, (tx) => findApiKeyByHash(tx, parsed.hash));
  const now = ctx.clock();
  // The lookup returns active keys only (not revoked, not expired by the database clock); the app clock too.
  if (!found || (found.expiresAt && found.expiresAt <= now) || !isRole(found.role)) return null;
  const { orgName, createdBy } = await withOrg(ctx.db, { orgId: found.orgId }, async (tx) => {
    // Last use to the minute is enough, and saves a row write on every call of a busy integration.
    await tx
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiKeys.id, found.id),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - 60_000))),
        ),
      );
    const [org] = await tx.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, found.orgId));
    const [key] = await tx
      .select({ createdBy: apiKeys.createdBy })
      .from(apiKeys)
      .where(eq(apiKeys.id, found.id));
    return { orgName: org?.name ?? '', createdBy: key?.createdBy ?? null };
  });
  return {
    kind: 'api_key',
    orgId: found.orgId,
    orgName,
    role: found.role,
    apiKeyId: found.id,
    apiKeyName: found.name,
    ...(createdBy ? { apiKeyCreatedBy: createdBy } : {}),
  };
}
