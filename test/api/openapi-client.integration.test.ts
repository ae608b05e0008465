/**
 * Issue 5, "a client generated from the OpenAPI document compiles and can drive the whole workflow": the types
 * openapi-typescript generates from /v1/openapi.json are committed (and must match the live document), and a
 * client typed by them (openapi-fetch) drives book → run → solve → review → resolve → approve → commit →
 * exports → audit. `npm run typecheck` compiles this file against the generated types.
 */
import { readFile } from 'node:fs/promises';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/jobs/runner.ts';
import { solveRunJob } from '../../src/services/solve/solve-run-job.ts';
import { apiKeyFor, createHarness, createOrgWithUsers, type Harness, ORIGIN } from '../app/harness.ts';
import { GENERATED_TYPES, generateApiTypes, openApiDocument } from '../support/api-types.ts';
import { createAccount, createRep } from '../support/factories.ts';
import type { paths } from './generated/bookshift-api.ts';

let h: Harness;
let orgId: string;
let managerKey: string;
beforeAll(async () => {
  h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5' });
  const org = await createOrgWithUsers(h, 'Client Org');
  orgId = org.id;
  managerKey = (await apiKeyFor(h, org.id, 'manager')).key;
});
afterAll(() => h?.close());

describe('the generated client', () => {
  it('the committed types are what openapi-typescript generates from the live document', async () => {
    const expected = await generateApiTypes(await openApiDocument());
    const committed = await readFile(GENERATED_TYPES, 'utf8');
    expect(
      committed === expected,
      'test/api/generated/bookshift-api.ts is stale: run `npx tsx test/support/api-types.ts` and commit it',
    ).toBe(true);
  });

  it('drives a whole reassignment through the documented API alone', async () => {
    const db = h.db.db;
    const leaver = await createRep(db, orgId, { name: 'Lee Leaver', region: 'West' });
    const stayers = [
      await createRep(db, orgId, { name: 'Ria Stay', region: 'West' }),
      await createRep(db, orgId, { name: 'Sam Stay', region: 'West' }),
    ];
    for (let i = 0; i < 6; i += 1)
      await createAccount(db, orgId, {
        ownerRepId: (i < 4 ? leaver : stayers[i % 2]!).id,
        region: 'West',
        annualRevenueCents: (i + 1) * 10_000_00,
      });

    const client = createClient<paths>({
      baseUrl: ORIGIN,
      fetch: async (request: Request) => h.app.request(request),
      headers: { authorization: `Bearer ${managerKey}` },
    });

    const reps = await client.GET('/v1/reps', { params: { query: { q: 'Leaver' } } });
    expect(reps.response.status).toBe(200);
    const leaverId = reps.data!.data[0]!.id;

    const created = await client.POST('/v1/runs', {
      body: {
        kind: 'rep_departure',
        reason: 'Lee leaves at the end of the month',
        params: { departingRepIds: [leaverId] },
      },
    });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const runId = created.data!.id;

    const solve = await client.POST('/v1/runs/{id}/solve', { params: { path: { id: runId } } });
    expect(solve.response.status).toBe(202);
    await createJobRunner({ db, handlers: { solve_run: solveRunJob } }).drain();

    const run = await client.GET('/v1/runs/{id}', { params: { path: { id: runId } } });
    expect(run.data!.status).toBe('solved');
    const summary = await client.GET('/v1/runs/{id}/summary', { params: { path: { id: runId } } });
    expect(summary.data!.moved).toBe(4);
    const accounts = await client.GET('/v1/runs/{id}/accounts', {
      params: { path: { id: runId }, query: { pageSize: 50 } },
    });
    expect(accounts.data!.data.every((a) => a.toRepId !== leaverId)).toBe(true);

    const conflicts = await client.GET('/v1/runs/{id}/conflicts', { params: { path: { id: runId } } });
    for (const c of conflicts.data!.data) {
      if (c.severity !== 'blocking' || c.resolution) continue;
      const resolved = await client.POST('/v1/runs/{id}/conflicts/{conflictId}/resolve', {
        params: { path: { id: runId, conflictId: c.id } },
        body: { resolution: 'accept', note: 'Reviewed' },
      });
      expect(resolved.response.status).toBe(200);
    }

    const reviewed = await client.GET('/v1/runs/{id}', { params: { path: { id: runId } } });
    const approved = await client.POST('/v1/runs/{id}/approve', {
      params: { path: { id: runId } },
      body: { expectedHash: reviewed.data!.proposalHash!, expectedVersion: reviewed.data!.version },
    });
    expect(approved.response.status, JSON.stringify(approved.error)).toBe(200);

    const committed = await client.POST('/v1/runs/{id}/commit', {
      params: { path: { id: runId }, header: { 'idempotency-key': `commit-${runId}` } },
    });
    expect(committed.response.status, JSON.stringify(committed.error)).toBe(200);
    expect(committed.data!.changeSet.counts.accounts).toBe(4);

    const left = await client.GET('/v1/accounts', { params: { query: { owner: leaverId } } });
    expect(left.data!.total).toBe(0);

    const file = await client.GET('/v1/runs/{id}/exports/{format}', {
      params: { path: { id: runId, format: 'neutral' } },
      parseAs: 'text',
    });
    expect(file.response.status).toBe(200);
    expect((file.data as unknown as string).split('\n').filter(Boolean).length).toBe(5);

    const chain = await client.GET('/v1/audit/verify');
    expect(chain.data!.ok).toBe(true);
  });
});
