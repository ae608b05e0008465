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
import { isSalesforceId } from '../../../src/exports/salesforce-id.ts';
import { EXPORT_FILES, EXPORT_FORMATS, exportRun } from '../../../src/services/exports/run-exports.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createCommittedRun } from '../rollback/committed-run.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('every export file of a committed commission-changing run', () => {
  it('downloads and parses for every format, House as "HOUSE" and one opportunity id not from Salesforce', async () => {
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
});
