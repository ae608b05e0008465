/**
 * The org's custom export layout (F9): its own column headers, each reading one neutral field, saved in
 * orgs.settings.exportLayout. Admins and managers edit it; every change is audited.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { orgs } from '../../../db/schema/index.ts';
import { orgScope } from '../../auth/principal.ts';
import { appendAudit } from '../../db/audit.ts';
import type { Tx } from '../../db/client.ts';
import { withOrg } from '../../db/tenancy.ts';
import { type CustomLayout, NEUTRAL_FIELDS } from '../../exports/formats.ts';
import { AppError } from '../../lib/errors.ts';
import { fieldIssues } from '../../lib/field-issues.ts';
import { auditActor } from '../audit/actor.ts';
import type { OrgContext } from '../auth/context.ts';
import { parseOrgSettings } from '../auth/org-settings.ts';

export const SETTINGS_KEY = 'exportLayout';

export const customLayoutSchema = z
  .object({
    columns: z
      .array(
        z.object({
          header: z
            .string()
            .trim()
            .min(1, 'Give the column a header.')
            .max(100, 'Use at most 100 characters for a header.'),
          field: z.enum(NEUTRAL_FIELDS, `Choose one of: ${NEUTRAL_FIELDS.join(', ')}.`),
        }),
      )
      .min(1, 'A layout needs at least one column.')
      .max(50, 'A layout has at most 50 columns.'),
  })
  .superRefine((layout, ctx) => {
    const seen = new Map<string, number>();
    layout.columns.forEach((c, i) => {
      const key = c.header.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', i, 'header'],
          message: `The header "${c.header}" is already used by column ${first + 1}; headers must be unique.`,
        });
      } else seen.set(key, i);
    });
  });

/** The saved layout, or null. A stored value that no longer validates counts as none (and is reported). */
export async function readCustomLayout(tx: Tx, orgId: string): Promise<CustomLayout | null> {
  const [org] = await tx.select({ settings: orgs.settings }).from(orgs).where(eq(orgs.id, orgId));
  const stored = org && parseOrgSettings(org.settings, orgId)[SETTINGS_KEY];
  if (stored === undefined || stored === null) return null;
  const parsed = customLayoutSchema.safeParse(stored);
  if (!parsed.success) {
    throw new AppError(
      'CONFLICT',
      'The saved custom export layout is no longer valid; save it again with PUT /v1/exports/layout.',
    );
  }
  return parsed.data;
}

export async function getCustomLayout({ ctx }: { ctx: OrgContext }): Promise<CustomLayout | null> {
  return withOrg(ctx.db, orgScope(ctx.principal), (tx) => readCustomLayout(tx, ctx.principal.orgId));
}

/** Replaces the layout (already validated by the route with customLayoutSchema). */
export async function saveCustomLayout({
  ctx,
  input,
}: {
  ctx: OrgContext;
  input: CustomLayout;
}): Promise<CustomLayout> {
  const parsed = customLayoutSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'The export layout is not valid: see details for each column.', {
      details: fieldIssues(parsed.error),
    });
  }
  const layout = parsed.data;
  return withOrg(ctx.db, orgScope(ctx.principal), async (tx) => {
    const [org] = await tx
      .select({ settings: orgs.settings })
      .from(orgs)
      .where(eq(orgs.id, ctx.principal.orgId))
      .for('update');
    const settings = org ? parseOrgSettings(org.settings, ctx.principal.orgId) : {};
    const before = settings[SETTINGS_KEY] ?? null;
    await tx
      .update(orgs)
      .set({ settings: { ...settings, [SETTINGS_KEY]: layout } })
      .where(eq(orgs.id, ctx.principal.orgId));
    await appendAudit(tx, {
      ...auditActor(ctx),
      action: 'export_layout.updated',
      entityType: 'org',
      entityId: ctx.principal.orgId,
      before,
      after: layout,
    });
    return layout;
  });
}
