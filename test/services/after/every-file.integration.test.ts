/**
 * Every file offered after a commit downloads and loads: after a departure that moves accounts and opportunities
 * and changes commission splits, each file of each format is written (never a 422), parses back with the CSV
 * library, carries 18-character Salesforce ids with valid checksums, and lists in its read-me each change it
 * could not express (House without a Salesforce user, an opportunity id that is not Salesforce's).
 */
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { isSalesforceId, to18 } from '../../../src/exports/salesforce-id.ts';
import { getHouseUsers, saveHouseUsers } from '../../../src/services/after/house-users.ts';
import { EXPORT_FILES, EXPORT_FORMATS, exportRun } from '../../../src/services/after/run-exports.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createCommittedRun } from './committed-run.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

/**
 * A committed departure with Salesforce ids (15 characters, as a report export gives them) for the people and
 * records, except, as observed, House ("HOUSE", not a Salesforce user) and one opportunity from another system.
 */
async function salesforceRun() {
  const fx = await createCommittedRun(t.db, { accounts: 3, withSplits: true });
  // Salesforce ids (15 characters, as a report export gives them) for the people and records...
  const sfId = (prefix: string, n: number) => `${prefix}Dn${String(n).padStart(10, '0')}`;
  const people = await t.db.select().from(s.reps).where(eq(s.reps.orgId, fx.org.id));
  for (const [i, rep] of people.entries()) {
    const id = rep.id === fx.reps.house.id ? 'HOUSE' : sfId('005', i + 1);
    await t.db.update(s.reps).set({ crmUserId: id }).where(eq(s.reps.id, rep.id));
    // The change set keeps each owner as they were at the commit: rewrite those snapshots too.
    if (rep.crmUserId)
      await t.db.execute(
        sql`update change_set_items set before = replace(before::text, ${rep.crmUserId}, ${id})::jsonb,
              after = replace(after::text, ${rep.crmUserId}, ${id})::jsonb where change_set_id = ${fx.changeSet.id}`,
      );
  }
  const items = await t.db
    .select()
    .from(s.changeSetItems)
    .where(eq(s.changeSetItems.changeSetId, fx.changeSet.id));
  for (const [i, item] of items.entries())
    await t.db
      .update(s.changeSetItems)
      .set({ crmId: sfId(item.object === 'account' ? '001' : '006', 100 + i) })
      .where(eq(s.changeSetItems.id, item.id));
  // ... but, as observed, House is not a Salesforce user, and one opportunity came from another system.
  const oppItem = items.find((i) => i.object === 'opportunity')!;
  await t.db.update(s.changeSetItems).set({ crmId: 'O-17' }).where(eq(s.changeSetItems.id, oppItem.id));

  const ctx = { db: t.db, clock: () => new Date(), principal: fx.principal };
  const download = (format: (typeof EXPORT_FORMATS)[number], file?: string) =>
    exportRun({ ctx, input: { runId: fx.run.id, format, ...(file ? { file } : {}) } });

  return { fx, ctx, download };
}

describe('every export file of a committed commission-changing run', () => {
  it('downloads and parses for every format, House as "HOUSE" and one opportunity id not from Salesforce', async () => {
    const { download } = await salesforceRun();
    for (const format of EXPORT_FORMATS.filter((f) => f !== 'custom')) {
      const files =
        format in EXPORT_FILES ? Object.keys(EXPORT_FILES[format as keyof typeof EXPORT_FILES]) : [undefined];
      for (const file of files) {
        const out = await download(format, file);
        if (!out.contentType.startsWith('text/csv')) continue;
        const rows = parse(out.body, { bom: true }) as string[][];
        expect(rows.length).toBeGreaterThanOrEqual(1);
        if (format !== 'salesforce') continue;
        for (const row of rows.slice(1))
          for (const cell of row.filter((c) => /^[A-Za-z0-9]{18}$/.test(c)))
            expect(isSalesforceId(cell)).toBe(true);
      }
    }

    const sf = (file: string) => download('salesforce', file);
    const accounts = parse((await sf('accounts')).body) as string[][];
    expect(accounts.slice(1)).toHaveLength(3);
    for (const [id, owner] of accounts.slice(1)) {
      expect(id).toHaveLength(18);
      expect(owner).toHaveLength(18);
    }
    const opportunities = parse((await sf('opportunities')).body) as string[][];
    expect(opportunities.slice(1)).toHaveLength(2);
    const readme = (await sf('readme')).body;
    expect(readme).toMatch(/opportunity O-17 .*"O-17" is not a Salesforce record id/);
    expect(readme).toContain('House shares: the remainder');
    const inserts = parse((await sf('splits-insert')).body) as string[][];
    expect(inserts.slice(1).length).toBeGreaterThan(0);
    for (const row of inserts.slice(1)) expect(row[1]).not.toBe('HOUSE');

    const dynamics = await download('dynamics', 'readme');
    expect(dynamics.body).toMatch(/is not a Dynamics GUID/);
  });

  it('with a Salesforce House user set, House’s share is a row of the split file and each split totals 100.00', async () => {
    const { ctx, download } = await salesforceRun();
    await saveHouseUsers({ ctx, input: { salesforce: '005Dn00000HoUSE' } });
    const house18 = to18('005Dn00000HoUSE');
    expect(await getHouseUsers({ ctx })).toEqual({ salesforce: house18 });
    const inserts = parse((await download('salesforce', 'splits-insert')).body, { bom: true }) as string[][];
    const rows = inserts.slice(1);
    const byOpportunity = new Map<string, number>();
    for (const [opp, , pct] of rows)
      byOpportunity.set(opp!, (byOpportunity.get(opp!) ?? 0) + Math.round(Number(pct) * 100));
    expect([...byOpportunity.values()].every((bps) => bps === 10_000)).toBe(true);
    expect(rows.filter((r) => r[1] === house18).map((r) => r[2])).toEqual(['45.00', '45.00', '45.00']);
    const readme = (await download('salesforce', 'readme')).body;
    expect(readme).toContain(`under the Salesforce user ${house18}`);
    expect(readme).not.toContain('House shares: the remainder');
    // Clearing it brings the remainder back.
    await saveHouseUsers({ ctx, input: { salesforce: null } });
    expect((await download('salesforce', 'readme')).body).toContain('House shares: the remainder');
  });

  it('refuses a House user id that is not its CRM’s user id form, naming the CRM, and saves nothing', async () => {
    const { ctx } = await salesforceRun();
    const attempt = saveHouseUsers({
      ctx,
      input: {
        salesforce: '001Dn0000000001',
        hubspot: 'owner-7',
        dynamics: '{3F2504E0-4F89-11D3-9A0C-0305E82C3301}',
      },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { path: 'salesforce', message: expect.stringContaining('user ids start 005') },
        { path: 'hubspot', message: expect.stringContaining('not a HubSpot owner id') },
      ],
    });
    expect(await getHouseUsers({ ctx })).toEqual({});
    await saveHouseUsers({
      ctx,
      input: { dynamics: '{3F2504E0-4F89-11D3-9A0C-0305E82C3301}', hubspot: '41234570' },
    });
    expect(await getHouseUsers({ ctx })).toEqual({
      dynamics: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      hubspot: '41234570',
    });
  });
});
