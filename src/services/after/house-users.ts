/**
 * The org's House user per CRM (orgs.settings.houseUsers): the CRM user that takes House's split share and
 * House's records in that CRM's export files. Admins set it; each id is checked against its CRM's user id form and
 * stored in the canonical form; every change is audited.
 */
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { orgs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import {
  canonicalHouseUserId,
  HOUSE_CRMS,
  type HouseCrm,
  type HouseUserIds,
} from '../../exports/house-users.ts';
import { AppError } from '../../lib/errors.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { parseOrgSettings } from '../auth/org-settings.ts';

export const HOUSE_USERS_KEY = 'houseUsers';

/** A stored value that no longer reads as a House user id of its CRM is left out (the export says House has none). */
function readStored(stored: unknown): HouseUserIds {
  const out: HouseUserIds = {};
  const ids = z.record(z.string(), z.unknown()).safeParse(stored);
  if (!ids.success) return out;
  for (const crm of HOUSE_CRMS) {
    const value = ids.data[crm];
    if (typeof value !== 'string') continue;
    const parsed = canonicalHouseUserId(crm, value);
    if (parsed.ok) out[crm] = parsed.id;
  }
  return out;
}

export async function readHouseUsers(tx: Tx, orgId: string): Promise<HouseUserIds> {
  const [org] = await tx.select({ settings: orgs.settings }).from(orgs).where(eq(orgs.id, orgId));
  return readStored(org && parseOrgSettings(org.settings, orgId)[HOUSE_USERS_KEY]);
}

export async function getHouseUsers({ ctx }: { ctx: OrgContext }): Promise<HouseUserIds> {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) => readHouseUsers(tx, ctx.principal.orgId));
}

/**
 * Replaces the House users: a CRM given a non-empty id gets it (validated), a CRM given null or '' has none.
 * Every invalid id is reported at once, by CRM, and nothing is saved.
 */
export async function saveHouseUsers({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: Partial<Record<HouseCrm, string | null>>;
}): Promise<HouseUserIds> {
  const next: HouseUserIds = {};
  const details: { path: string; message: string }[] = [];
  for (const crm of HOUSE_CRMS) {
    const raw = input[crm]?.trim() ?? '';
    if (raw === '') continue;
    const parsed = canonicalHouseUserId(crm, raw);
    if (parsed.ok) next[crm] = parsed.id;
    else details.push({ path: crm, message: parsed.message });
  }
  if (details.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `House user ids not saved: ${details.map((d) => d.message).join(' ')}`,
      {
        details,
      },
    );
  }
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [org] = await tx
      .select({ settings: orgs.settings })
      .from(orgs)
      .where(eq(orgs.id, ctx.principal.orgId))
      .for('update');
    const settings = org ? parseOrgSettings(org.settings, ctx.principal.orgId) : {};
    const before = readStored(settings[HOUSE_USERS_KEY]);
    await tx
      .update(orgs)
      .set({ settings: { ...settings, [HOUSE_USERS_KEY]: next } })
      .where(eq(orgs.id, ctx.principal.orgId));
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'house_users.updated',
      entityType: 'org',
      entityId: ctx.principal.orgId,
      before,
      after: next,
    });
    return next;
  });
}
