import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/query-rows.ts';
import { AppError } from '../../src/lib/errors.ts';
import type { OrgContext } from '../../src/services/auth/context.ts';
import { applyImport } from '../../src/services/imports/apply-import.ts';
import {
  getImportErrorFile,
  listImportErrors,
  listImports,
} from '../../src/services/imports/import-history.ts';
import { previewImport } from '../../src/services/imports/preview-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createMember, createOrg } from '../support/factories.ts';
import { freshOrgContext } from '../support/org-context.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/import/${name}`, import.meta.url));
const bytes = (text: string) => new TextEncoder().encode(text);

let t: TestDatabase;
let ctx: OrgContext;
let now = new Date('2026-03-01T12:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  // A fresh org per test: tests share the database but never each other's rows.
  now = new Date('2026-03-01T12:00:00Z');
  ctx = await freshOrgContext(t.db, 'analyst', () => now);
});

const apply = (file: Uint8Array, extra: Partial<Parameters<typeof applyImport>[0]['input']> = {}) =>
  applyImport({ ctx, input: { source: file, maxRows: 10_000, ...extra } });

const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  queryRows<T>(t.db as never, query);
const book = (orgId: string) =>
  rows<{ crm_id: string; name: string; owner: string | null; revenue: string }>(
    sql`select a.crm_id, a.name, r.crm_user_id as owner, a.annual_revenue_cents::text as revenue
        from accounts a left join reps r on r.id = a.owner_rep_id where a.org_id = ${orgId}::uuid order by a.crm_id`,
  );

describe('applyImport', () => {
  it('imports the roster then a Salesforce report; importing the same file again changes nothing', async () => {
    const roster = await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    expect(roster).toMatchObject({
      status: 'applied',
      counts: { rowsRead: 6, inserted: 6, updated: 0, unchanged: 0, rejected: 0 },
    });
    const managers = await rows<{ crm_user_id: string; manager: string | null }>(
      sql`select r.crm_user_id, m.crm_user_id as manager from reps r left join reps m on m.id = r.manager_rep_id
          where r.org_id = ${ctx.principal.orgId}::uuid and r.crm_user_id = '0055g00000NewHIAAZ'`,
    );
    expect(managers[0]!.manager).toBe('0055g00000MgrXYAAZ');

    const first = await apply(fixture('salesforce-account-report.csv'));
    expect(first).toMatchObject({
      status: 'applied',
      kind: 'accounts',
      presetId: 'salesforce-account-report',
    });
    expect(first.counts).toEqual({ rowsRead: 3, inserted: 3, updated: 0, unchanged: 0, rejected: 0 });
    const before = await book(ctx.principal.orgId);
    expect(before).toEqual([
      { crm_id: '0015g00000AbCdEAAV', name: 'Acme, Inc.', owner: '0055g00000JaneDAAR', revenue: '120000050' },
      { crm_id: '0015g00000BcDeFAAV', name: 'Globex "West"', owner: '0055g00000JohnSAAR', revenue: null },
      { crm_id: '0015g00000CdEfGAAV', name: 'Initech\nLabs', owner: '0055g00000NewHIAAZ', revenue: '500000' },
    ]);

    const again = await apply(fixture('salesforce-account-report.csv'));
    expect(again.counts).toEqual({ rowsRead: 3, inserted: 0, updated: 0, unchanged: 3, rejected: 0 });
    expect(await book(ctx.principal.orgId)).toEqual(before);
    const rosterAgain = await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    expect(rosterAgain.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 6 });

    // Every import is a snapshot: the book as imported, each time.
    const snapshots = await rows<{ import_id: string; n: number }>(
      sql`select import_id, count(*)::int as n from import_snapshot_accounts where org_id = ${ctx.principal.orgId}::uuid group by import_id`,
    );
    expect(snapshots.map((s) => s.n)).toEqual([3, 3]);
    const history = await listImports({ ctx, input: { limit: 10, offset: 0 } });
    expect(history.map((h) => [h.kind, h.status, h.rowsInserted, h.rowsUnchanged])).toEqual([
      ['reps', 'applied', 0, 6],
      ['accounts', 'applied', 0, 3],
      ['accounts', 'applied', 3, 0],
      ['reps', 'applied', 6, 0],
    ]);
    expect(history[1]!.fileHash).toBe(history[2]!.fileHash);
  });

  it('updates only what changed, and records when an owner changed', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    const header = 'account_id,account_name,owner_id,annual_revenue,region\n';
    await apply(
      bytes(`${header}A1,One,Jane Doe,100,West\nA2,Two,Jane Doe,200,West\nA3,Three,Jane Doe,300,West\n`),
    );
    const changed = await apply(
      bytes(
        `${header}A1,One,Jane Doe,100,West\nA2,Two,John Smith,200,West\nA3,Three,Jane Doe,301,West\nA4,Four,Jane Doe,0,East\n`,
      ),
    );
    expect(changed.counts).toEqual({ rowsRead: 4, inserted: 1, updated: 2, unchanged: 1, rejected: 0 });
    const owners = await rows<{ crm_id: string; moved: boolean }>(
      sql`select crm_id, owner_changed_at > created_at as moved from accounts where org_id = ${ctx.principal.orgId}::uuid order by crm_id`,
    );
    expect(owners.map((o) => [o.crm_id, o.moved])).toEqual([
      ['A1', false],
      ['A2', true],
      ['A3', false],
      ['A4', false],
    ]);
  });

  it('all-or-nothing: one bad row leaves the book exactly as it was, and the attempt is kept with its errors', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    const header = 'account_id,account_name,owner_id,annual_revenue,region\n';
    await apply(bytes(`${header}A1,One,Jane Doe,100,West\n`));
    const before = await book(ctx.principal.orgId);
    const failed = await apply(
      bytes(`${header}A1,Renamed,John Smith,999,West\nA2,Two,Jane Doe,-5,West\nA3,Three,Ghost,1,West\n`),
    );
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toMatch(/2 row\(s\) have errors; nothing was imported/);
    expect(failed.counts).toEqual({ rowsRead: 3, inserted: 0, updated: 0, unchanged: 0, rejected: 2 });
    expect(await book(ctx.principal.orgId)).toEqual(before);

    const stored = await listImportErrors({
      ctx,
      input: { importId: failed.importId, limit: 10, offset: 0 },
    });
    expect(stored.total).toBe(2);
    expect(stored.errors.map((e) => [e.row, e.column])).toEqual([
      [3, 'annual_revenue'],
      [4, 'owner_id'],
    ]);
    expect(stored.errors[0]!.reason).toMatch(/negative — Amounts must be zero or more/);
    const csv = await getImportErrorFile({ ctx, input: { importId: failed.importId } });
    expect(csv).toMatch(
      /^account_id,account_name,owner_id,annual_revenue,region,error_row,error_columns,error_reasons,error_hints\n/,
    );
    expect(csv).toContain("A2,Two,Jane Doe,'-5,West,3,annual_revenue");
  });

  it('valid-rows-only: applies the good rows and reports the rejected ones', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    const header = 'account_id,account_name,owner_id,annual_revenue,region\n';
    const result = await apply(
      bytes(
        `${header}A1,One,Jane Doe,100,West\nA1,Dup,Jane Doe,1,West\nA2,Two,Jane Doe,2026-02-30,West\nA3,Three,jane.doe@example.com,$3.50,West\n`,
      ),
      {
        mode: 'valid-rows-only',
      },
    );
    expect(result.status).toBe('applied');
    expect(result.counts).toEqual({ rowsRead: 4, inserted: 1, updated: 0, unchanged: 0, rejected: 3 });
    expect((await book(ctx.principal.orgId)).map((a) => [a.crm_id, a.revenue])).toEqual([['A3', '350']]);
  });

  it('refuses to apply a file other than the one previewed', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    const preview = await previewImport({
      ctx,
      input: { source: fixture('generic-accounts.csv'), maxRows: 100 },
    });
    expect(preview.errors).toEqual([]);
    expect(preview.preview).toHaveLength(3);
    expect(await book(ctx.principal.orgId)).toEqual([]);
    const error = await apply(fixture('hubspot-company-export.csv'), {
      expectedSha256: preview.file.sha256,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(409);
    const ok = await apply(fixture('generic-accounts.csv'), { expectedSha256: preview.file.sha256 });
    expect(ok.counts.inserted).toBe(3);
  });

  it('a narrower export never wipes fields it does not carry', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    const users = await apply(fixture('salesforce-user-dataloader.csv'), { kind: 'reps' });
    expect(users.counts).toMatchObject({ inserted: 1, rejected: 0 });
    const jane = await rows<{ max_accounts: number; weight_bps: number; region: string }>(
      sql`select max_accounts, weight_bps, region from reps where org_id = ${ctx.principal.orgId}::uuid and crm_user_id = '0055g00000JaneDAAR'`,
    );
    expect(jane[0]).toEqual({ max_accounts: 120, weight_bps: 15000, region: 'West' });
  });

  it('opportunities with splits as effective-dated history, and revenue schedules; re-imports are no-ops', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    await apply(fixture('generic-accounts.csv'));
    const opps = await apply(fixture('generic-opportunities.csv'), { kind: 'opportunities' });
    expect(opps.errors).toEqual([]);
    expect(opps.counts).toMatchObject({ inserted: 3, rejected: 0 });
    const splits = () =>
      rows<{ crm_id: string; role: string; rep: string; bps: number; from: string; to: string | null }>(
        sql`select o.crm_id, s.role::text as role, r.crm_user_id as rep, s.bps, s.effective_from::text as "from", s.effective_to::text as "to"
            from commission_splits s join opportunities o on o.id = s.opportunity_id join reps r on r.id = s.rep_id
            where s.org_id = ${ctx.principal.orgId}::uuid order by o.crm_id, s.effective_from, s.role`,
      );
    expect(await splits()).toEqual([
      { crm_id: 'O-1', role: 'house', rep: '0055g00000HouseAAB', bps: 4500, from: '2025-11-01', to: null },
      { crm_id: 'O-1', role: 'rep', rep: '0055g00000JaneDAAR', bps: 5500, from: '2025-11-01', to: null },
      { crm_id: 'O-2', role: 'house', rep: '0055g00000HouseAAB', bps: 4000, from: '2025-09-01', to: null },
      { crm_id: 'O-2', role: 'rep', rep: '0055g00000JohnSAAR', bps: 5000, from: '2025-09-01', to: null },
      { crm_id: 'O-2', role: 'subagent', rep: 'SUB-001', bps: 1000, from: '2025-09-01', to: null },
    ]);
    const statuses = await rows<{ crm_id: string; status: string; billing: boolean }>(
      sql`select crm_id, status::text as status, is_billing_stage as billing from opportunities where org_id = ${ctx.principal.orgId}::uuid order by crm_id`,
    );
    expect(statuses.map((s) => [s.crm_id, s.status, s.billing])).toEqual([
      ['O-1', 'open', false],
      ['O-2', 'open', true],
      ['O-3', 'closed_won', false],
    ]);

    const again = await apply(fixture('generic-opportunities.csv'), { kind: 'opportunities' });
    expect(again.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });

    // A split file changing O-1 from 45/55 to House 100: the old rows close, history stays.
    now = new Date('2026-04-10T09:00:00Z');
    const changed = await apply(bytes('opportunity_id,participant,rep_id,pct\nO-1,house,,100%\n'), {
      kind: 'splits',
    });
    expect(changed.counts).toMatchObject({ updated: 1, rejected: 0 });
    expect((await splits()).filter((s) => s.crm_id === 'O-1')).toEqual([
      {
        crm_id: 'O-1',
        role: 'house',
        rep: '0055g00000HouseAAB',
        bps: 4500,
        from: '2025-11-01',
        to: '2026-04-09',
      },
      {
        crm_id: 'O-1',
        role: 'rep',
        rep: '0055g00000JaneDAAR',
        bps: 5500,
        from: '2025-11-01',
        to: '2026-04-09',
      },
      { crm_id: 'O-1', role: 'house', rep: '0055g00000HouseAAB', bps: 10000, from: '2026-04-10', to: null },
    ]);

    const schedules = await apply(fixture('generic-schedules.csv'), { kind: 'schedules' });
    expect(schedules.counts).toMatchObject({ inserted: 3, rejected: 0 });
    const schedulesAgain = await apply(fixture('generic-schedules.csv'), { kind: 'schedules' });
    expect(schedulesAgain.counts).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    const outside = await apply(
      bytes('opportunity_id,period_start,period_end,amount\nO-1,2026-01-01,2026-01-31,5\n'),
      { kind: 'schedules' },
    );
    expect(outside.status).toBe('failed');
    expect(outside.errors[0]).toMatchObject({ row: 2, field: 'period_start' });
  });

  it('keeps each org to its own book', async () => {
    await apply(fixture('roster-generic.csv'), { kind: 'reps' });
    await apply(fixture('generic-accounts.csv'));
    const other = await createOrg(t.db);
    const { user } = await createMember(t.db, other.id, 'analyst');
    const otherCtx: OrgContext = {
      ...ctx,
      principal: { ...ctx.principal, orgId: other.id, userId: user.id },
    };
    // The other org has no roster: every owner is unknown there, nothing of the first org leaks in.
    const result = await applyImport({
      ctx: otherCtx,
      input: { source: fixture('generic-accounts.csv'), maxRows: 100 },
    });
    expect(result.status).toBe('failed');
    expect(result.errors.every((e) => e.field === 'owner_id')).toBe(true);
    expect(await listImports({ ctx: otherCtx, input: { limit: 10, offset: 0 } })).toHaveLength(1);
  });
});

describe('HubSpot owners by full name', () => {
  it('two owners with the same full name: a company owned by that name is refused, naming both', async () => {
    const owners = await apply(fixture('hubspot-owners-same-name.csv'), { kind: 'reps' });
    expect(owners.counts).toMatchObject({ inserted: 3, rejected: 0 });
    const companies = await apply(fixture('hubspot-company-export.csv'));
    // All or nothing: the file's other company (owned by e-mail) is not applied either.
    expect(companies.counts).toMatchObject({ inserted: 0, rejected: 1 });
    expect(await book(ctx.principal.orgId)).toEqual([]);
    const stored = await listImportErrors({
      ctx,
      input: { importId: companies.importId, limit: 10, offset: 0 },
    });
    expect(stored.errors).toEqual([
      {
        row: 2,
        column: 'Company owner',
        value: 'Jane Doe',
        reason:
          '"Jane Doe" matches 2 reps by name (41234567 <jane.doe@example.com>, 41234570 <jane.doe@northwind.example>) — Use the CRM user id or e-mail of the owner instead of the name, or make the names distinct in the roster.',
      },
    ]);
    // The preview says the same, with what to do.
    const preview = await previewImport({
      ctx,
      input: { source: fixture('hubspot-company-export.csv'), maxRows: 100 },
    });
    expect(preview.errors.map((e) => `${e.row}: ${e.reason} — ${e.hint}`)).toEqual([
      `2: ${stored.errors[0]!.reason}`,
    ]);
  });
});
