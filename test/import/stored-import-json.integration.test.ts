/**
 * An import's JSON columns (imports.options, an import job's progress and result) and the book's custom fields
 * (accounts.custom's `protected`, opportunities.custom's term) are parsed where their table is read: a well-formed
 * value reads back as written, and a malformed one — written with raw SQL, as a hand edit would be — is refused with
 * StoredJsonError naming the table, the row, the column and the path inside the value.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.ts';
import { queryRows } from '../../src/db/query-rows.ts';
import { withOrg } from '../../src/db/tenancy.ts';
import { StoredJsonError } from '../../src/lib/json-column.ts';
import { loadAccounts } from '../../src/services/book/load-book.ts';
import { loadOpportunities } from '../../src/services/imports/book-lookups.ts';
import { listImports } from '../../src/services/imports/import-history.ts';
import { getImportJob, IMPORT_JOB_KIND } from '../../src/services/imports/import-job.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAccount, createOpportunity, createOrg } from '../support/factories.ts';

let h: TestDatabase;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(() => h.close());

/** A new org and a service context in it. */
async function freshOrg() {
  const orgId = (await createOrg(h.db)).id;
  const principal: Principal = {
    kind: 'api_key',
    orgId,
    orgName: 'Stored JSON',
    role: 'admin',
    apiKeyName: 'json',
  };
  return { orgId, ctx: { db: h.db, clock: () => new Date(), principal } };
}

/** The error a read throws, or a failure when it does not throw. */
async function refusal(read: () => Promise<unknown>): Promise<StoredJsonError> {
  try {
    await read();
  } catch (error) {
    expect(error).toBeInstanceOf(StoredJsonError);
    return error as StoredJsonError;
  }
  throw new Error('the read accepted a malformed stored value');
}

async function insertImport(orgId: string, options: string) {
  const [row] = await queryRows<{ id: string }>(
    h.db,
    sql`insert into imports (org_id, kind, source, file_hash, options, status)
        values (${orgId}, 'opportunities', 'api', 'hash', ${options}::jsonb, 'applied') returning id`,
  );
  return row!.id;
}

async function insertImportJob(orgId: string, progress: string, result: string | null) {
  const [row] = await queryRows<{ id: string }>(
    h.db,
    sql`insert into jobs (org_id, kind, status, progress, result)
        values (${orgId}, ${IMPORT_JOB_KIND}, 'running', ${progress}::jsonb, ${result}::jsonb) returning id`,
  );
  return row!.id;
}

describe('imports.options', () => {
  it('reads the file kind and mode as written', async () => {
    const { orgId, ctx } = await freshOrg();
    const id = await insertImport(orgId, '{"mode":"valid-rows-only","fileKind":"splits","encoding":"utf-8"}');
    const [listed] = await listImports({ ctx, input: { limit: 10, offset: 0 } });
    expect(listed).toMatchObject({ id, kind: 'splits', mode: 'valid-rows-only' });
  });

  it('names the row and the path of a malformed value', async () => {
    const { orgId, ctx } = await freshOrg();
    const id = await insertImport(orgId, '{"mode":"valid-rows-only","fileKind":"contacts"}');
    const error = await refusal(() => listImports({ ctx, input: { limit: 10, offset: 0 } }));
    expect(error).toMatchObject({ table: 'imports', column: 'options', rowId: id });
    expect(error.issues.map((i) => i.path)).toEqual(['options.fileKind']);
    expect(error.message).toContain(
      `Stored imports.options of row ${id} does not match its schema (at options.fileKind:`,
    );
  });
});

describe("an import job's progress and result", () => {
  it('read back as the job reported them', async () => {
    const { orgId, ctx } = await freshOrg();
    const jobId = await insertImportJob(orgId, '{"phase":"writing","rows":40,"total":100}', null);
    const job = await getImportJob({ ctx, input: { jobId } });
    expect(job.progress).toEqual({ phase: 'writing', rows: 40, total: 100 });
    expect(job.outcome).toBeNull();
  });

  it('names the progress column and its path', async () => {
    const { orgId, ctx } = await freshOrg();
    const jobId = await insertImportJob(orgId, '{"phase":"writing","rows":"forty"}', null);
    const error = await refusal(() => getImportJob({ ctx, input: { jobId } }));
    expect(error).toMatchObject({ table: 'jobs', column: 'progress', rowId: jobId });
    expect(error.issues.map((i) => i.path)).toEqual(['progress.rows']);
  });

  it('names the result column and its path', async () => {
    const { orgId, ctx } = await freshOrg();
    const jobId = await insertImportJob(
      orgId,
      '{"phase":"writing","rows":1}',
      '{"importId":"x","status":"applied"}',
    );
    const error = await refusal(() => getImportJob({ ctx, input: { jobId } }));
    expect(error).toMatchObject({ table: 'jobs', column: 'result', rowId: jobId });
    expect(error.issues.map((i) => i.path)).toContain('result.kind');
  });
});

describe("the book's custom fields", () => {
  it("reads an opportunity's term and names a malformed one (opportunities.custom)", async () => {
    const { orgId } = await freshOrg();
    const account = await createAccount(h.db, orgId);
    const opp = await createOpportunity(h.db, orgId, account.id, {
      custom: { start_date: '2026-01-01', end_date: '2026-12-31' },
    });
    const read = () => withOrg(h.db, { orgId }, (tx) => loadOpportunities(tx));
    expect((await read()).get(opp.crmId)).toMatchObject({ startDate: '2026-01-01', endDate: '2026-12-31' });

    await h.db.execute(
      sql`update opportunities set custom = '{"start_date": "1 Jan 2026"}' where id = ${opp.id}`,
    );
    const error = await refusal(read);
    expect(error).toMatchObject({ table: 'opportunities', column: 'custom', rowId: opp.id });
    expect(error.issues.map((i) => i.path)).toEqual(['custom.start_date']);
  });

  it('reads whether an account stays with its owner and names a malformed flag (accounts.custom)', async () => {
    const { orgId } = await freshOrg();
    const kept = await createAccount(h.db, orgId, { custom: { protected: true } });
    const text = await createAccount(h.db, orgId, { custom: { protected: 'true' } });
    const free = await createAccount(h.db, orgId, { custom: { state: 'NY', protected: 'no' } });
    const read = () => withOrg(h.db, { orgId }, (tx) => loadAccounts(tx, null));
    const keep = new Map((await read()).map((a) => [a.id, a.keepWithOwner]));
    expect([keep.get(kept.id), keep.get(text.id), keep.get(free.id)]).toEqual([true, true, false]);

    await h.db.execute(
      sql`update accounts set custom = '{"protected": {"since": 2024}}' where id = ${free.id}`,
    );
    const error = await refusal(read);
    expect(error).toMatchObject({ table: 'accounts', column: 'custom', rowId: free.id });
    expect(error.issues.map((i) => i.path)).toEqual(['custom.protected']);
  });
});
