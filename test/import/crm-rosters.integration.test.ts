/**
 * Rosters as the CRMs export them (issue 14): a Salesforce Data Loader user export (18-character ids), a
 * Salesforce user report (15-character ids, report footer), a HubSpot owners export and a Dynamics 365 user
 * export each import unedited; then an accounts file names its owners by id (in the other form the CRM writes
 * it), by e-mail (in any case) and by exact full name, and each resolves to the one rep it names. A name in
 * another spelling is not guessed.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { freshOrgContext } from '../support/org-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

async function newOrg(): Promise<OrgContext> {
  return await freshOrgContext(t.db, 'analyst');
}

interface Layout {
  file: string;
  preset: string;
  /** [how the accounts file names the owner, the rep id it must resolve to]. */
  byId: [string, string];
  byEmail: [string, string];
  byName: [string, string];
  reps: number;
}

const LAYOUTS: Layout[] = [
  {
    file: 'salesforce-user-dataloader-18.csv',
    preset: 'salesforce-user-dataloader',
    // The Data Loader wrote 18 characters; a report names the same user in 15.
    byId: ['005Dn00000JaneD', '005Dn00000JaneDIAR'],
    byEmail: ['JOHN.SMITH@example.com', '005Dn00000JohnSIAR'],
    byName: ['Nia Newhire', '005Dn00000NiaNhIAJ'],
    reps: 3,
  },
  {
    file: 'salesforce-user-report.csv',
    preset: 'salesforce-user-report',
    // The report wrote 15 characters (stored as 18); a Data Loader file names the same user in 18.
    byId: ['005Dn00000JaneDIAR', '005Dn00000JaneDIAR'],
    byEmail: ['john.smith@EXAMPLE.com', '005Dn00000JohnSIAR'],
    byName: ['Nia Newhire', '005Dn00000NiaNhIAJ'],
    reps: 3,
  },
  {
    file: 'hubspot-owners-export.csv',
    preset: 'hubspot-owners-export',
    byId: ['41234567', '41234567'],
    byEmail: ['John.Smith@example.com', '41234568'],
    // HubSpot has no full-name column: first + last joined.
    byName: ['Nia Newhire', '41234569'],
    reps: 3,
  },
  {
    file: 'dynamics-user-export.csv',
    preset: 'dynamics-user-export',
    // Dynamics writes GUIDs with braces in upper case in one place and bare lower case in another.
    byId: ['{8F3C2B1A-0000-4000-8000-00000000AA01}', '8f3c2b1a-0000-4000-8000-00000000aa01'],
    byEmail: ['JOHN.SMITH@EXAMPLE.COM', '8f3c2b1a-0000-4000-8000-00000000aa02'],
    byName: ['Jane Doe', '8f3c2b1a-0000-4000-8000-00000000aa01'],
    reps: 2,
  },
];

const accountsFile = (owners: string[]) =>
  new TextEncoder().encode(
    stringify([
      ['account_id', 'account_name', 'owner_id'],
      ...owners.map((o, i) => [`A-${i + 1}`, `Account ${i + 1}`, o]),
    ]),
  );

describe('owners resolved by id, then e-mail, then exact full name, for every roster layout', () => {
  for (const layout of LAYOUTS) {
    it(`${layout.file}`, async () => {
      const ctx = await newOrg();
      const roster = await applyImport({
        ctx,
        input: { source: fixture(layout.file), maxRows: 100, kind: 'reps' },
      });
      expect(roster.errors).toEqual([]);
      expect(roster).toMatchObject({
        status: 'applied',
        presetId: layout.preset,
        counts: { inserted: layout.reps, rejected: 0 },
      });

      const refs = [layout.byId, layout.byEmail, layout.byName];
      const accounts = await applyImport({
        ctx,
        input: { source: accountsFile(refs.map(([ref]) => ref)), maxRows: 100 },
      });
      expect(accounts.errors).toEqual([]);
      expect(accounts.counts).toMatchObject({ inserted: 3, rejected: 0 });
      const owners = await queryRows<{ crm_id: string; owner: string }>(
        t.db as never,
        sql`select a.crm_id, r.crm_user_id as owner from accounts a join reps r on r.id = a.owner_rep_id
            where a.org_id = ${ctx.principal.orgId}::uuid order by a.crm_id`,
      );
      expect(owners.map((o) => o.owner)).toEqual(refs.map(([, id]) => id));

      // The name exactly: another spelling of it is not the rep, and the file is refused all or nothing.
      const [name] = layout.byName;
      const guessed = await applyImport({
        ctx,
        input: { source: accountsFile([name.toLowerCase()]), maxRows: 100 },
      });
      expect(guessed.status).toBe('failed');
      expect(guessed.errors.map((e) => [e.row, e.field, e.value])).toEqual([
        [2, 'owner_id', name.toLowerCase()],
      ]);
    });
  }
});
