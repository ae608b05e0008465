/**
 * Issue 18, "another system drives the whole flow from a client generated from the served document without a
 * single cast": the test generates the types from /v1/openapi.json as this server serves it (openapi-typescript),
 * compiles the integration script test/api/client-flow/drive-flow.ts against them with tsc (strict), checks the
 * script has no cast or non-null assertion, then runs it through openapi-fetch: import → run → solve → review →
 * approve → commit → export → rollback.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { apiKeyFor, createHarness, createOrgWithUsers, type Harness, ORIGIN } from '../app/harness.ts';
import { generateApiTypes } from '../support/api-types.ts';
import { driveFlow } from './client-flow/drive-flow.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const SCRIPT = join(here, 'client-flow/drive-flow.ts');

let h: Harness;
let key: string;
let build: string;
beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  const org = await createOrgWithUsers(h, 'Generated Client Org');
  key = (await apiKeyFor(h, org.id, 'manager')).key;
  build = await mkdtemp(join(tmpdir(), 'bookshift-client-'));
});
afterAll(async () => {
  await h?.close();
  if (build) await rm(build, { recursive: true, force: true });
});

const rosterCsv = [
  'rep_id,name,email,rep_type,region,segment,may_receive,departing,end_date,max_accounts,max_revenue,seniority,weight,ramp_target,manager',
  ...Array.from({ length: 4 }, (_, i) => `005R${i},Rep ${i},rep${i}@example.com,rep,West,,yes,no,,,,1,1,,`),
].join('\n');
const accountsCsv = [
  'account_id,account_name,owner_id,annual_revenue,region,tier,type,industry,protected,next_close_date',
  ...Array.from(
    { length: 12 },
    (_, i) =>
      `ACC-${i},Account ${i},005R${i < 6 ? 0 : 1 + (i % 3)},${(i + 1) * 10_000},West,1,Customer,Retail,no,`,
  ),
].join('\n');

describe('a client generated from the served document', () => {
  it('compiles the integration script with tsc, without a cast', async () => {
    const served = await h.app.request(`${ORIGIN}/v1/openapi.json`);
    expect(served.status).toBe(200);
    const types = await generateApiTypes((await served.json()) as Record<string, unknown>);
    await mkdir(join(build, 'generated'), { recursive: true });
    await mkdir(join(build, 'client-flow'), { recursive: true });
    await writeFile(join(build, 'generated/bookshift-api.ts'), types);
    await copyFile(SCRIPT, join(build, 'client-flow/drive-flow.ts'));
    await symlink(join(root, 'node_modules'), join(build, 'node_modules'));
    await writeFile(join(build, 'package.json'), JSON.stringify({ type: 'module' }));
    const base = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
    await writeFile(
      join(build, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: base.compilerOptions, include: ['client-flow', 'generated'] }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [
      tsc,
      '-p',
      join(build, 'tsconfig.json'),
    ]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);

    // No cast (`as …`, `<T>x`) and no non-null assertion (`x!`) anywhere in the script's code.
    const code = (await readFile(SCRIPT, 'utf8'))
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
    expect(code.match(/\sas\s/g) ?? []).toEqual([]);
    expect(code.match(/[\w)\]]!(?!=)/g) ?? []).toEqual([]);
  }, 180_000);

  it('drives import → run → solve → review → approve → commit → export → rollback', async () => {
    // The harness clock stands still; imports are stamped by the database: keep the app's now in step with it.
    h.clock.now = new Date();
    const runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob }, pollMs: 50 });
    runner.start();
    try {
      const result = await driveFlow({
        baseUrl: ORIGIN,
        apiKey: key,
        fetch: async (request) => h.app.request(request),
        rosterCsv,
        accountsCsv,
        leaver: 'Rep 0',
      });
      expect(result.moved).toBe(6);
      expect(result.ownedByLeaverAfterCommit).toBe(0);
      expect(result.exportLines).toBe(1 + 6);
      expect(result.ownedByLeaverAfterRollback).toBe(6);
      expect(result.runStatus).toBe('rolled_back');
      expect(result.approvedByType).toBe('api_key');
      expect(result.approvedBy).not.toBeNull();
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
