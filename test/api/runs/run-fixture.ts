/**
 * Shared setup for the runs API tests: the real app on a test database, an org with a user and an API key per
 * role, a small book written through the factories, and a job runner with the solve handler (tests drain it).
 */
import { eq } from 'drizzle-orm';
import * as s from '../../../db/schema/index.ts';
import { createJobRunner } from '../../../src/jobs/runner.ts';
import { ROLES, type Role } from '../../../src/lib/roles.ts';
import { solveRunJob } from '../../../src/services/solve/solve-run-job.ts';
import {
  apiKeyFor,
  createHarness,
  createOrgWithUsers,
  type Harness,
  type Json,
  jsonOf,
  ORIGIN,
} from '../../app/harness.ts';
import { createAccount, createOpportunity, createRep } from '../../support/factories.ts';

export interface RunsWorld {
  h: Harness;
  orgId: string;
  keys: Record<Role, string>;
  runner: ReturnType<typeof createJobRunner>;
  call(role: Role, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

export async function createRunsWorld(envOverrides: Record<string, string> = {}): Promise<RunsWorld> {
  const h = await createHarness({ SOLVER_TIME_LIMIT_SECONDS: '5', ...envOverrides });
  const org = await createOrgWithUsers(h, 'Runs Org');
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await apiKeyFor(h, org.id, role)).key;
  const runner = createJobRunner({ db: h.db.db, handlers: { solve_run: solveRunJob } });
  return {
    h,
    orgId: org.id,
    keys,
    runner,
    async call(role, method, path, body) {
      const res = await h.app.request(`${ORIGIN}/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${keys[role]}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: () => h.close(),
  };
}

/** A small West/East book: Dana (departing) owns six West accounts, three staying reps, House. */
export async function seedBook(w: RunsWorld) {
  const db = w.h.db.db;
  const orgId = w.orgId;
  const house = await createRep(db, orgId, {
    kind: 'house',
    name: 'House',
    region: 'West',
    mayReceive: false,
  });
  const dana = await createRep(db, orgId, { name: 'Dana', region: 'West' });
  const ana = await createRep(db, orgId, { name: 'Ana', region: 'West' });
  const ben = await createRep(db, orgId, { name: 'Ben', region: 'West' });
  const eve = await createRep(db, orgId, { name: 'Eve', region: 'East' });
  const danaAccounts = [];
  for (let i = 0; i < 6; i++)
    danaAccounts.push(
      await createAccount(db, orgId, {
        name: `Dana ${i}`,
        ownerRepId: dana.id,
        region: 'West',
        annualRevenueCents: (i + 1) * 10_000_00,
      }),
    );
  const others = [];
  for (const [rep, n, region] of [
    [ana, 2, 'West'],
    [ben, 3, 'West'],
    [eve, 2, 'East'],
  ] as const) {
    for (let i = 0; i < n; i++)
      others.push(
        await createAccount(db, orgId, {
          name: `${rep.name} ${i}`,
          ownerRepId: rep.id,
          region,
          annualRevenueCents: 20_000_00,
        }),
      );
  }
  return { reps: { house, dana, ana, ben, eve }, danaAccounts, others };
}

export async function solveAndDrain(w: RunsWorld, runId: string, role: Role = 'analyst') {
  const res = await w.call(role, 'POST', `/runs/${runId}/solve`);
  if (res.status !== 202) throw new Error(`solve refused: ${res.status} ${JSON.stringify(res.body)}`);
  await w.runner.drain();
  return (await w.call(role, 'GET', `/runs/${runId}`)).body;
}

export async function runRow(w: RunsWorld, runId: string) {
  const [row] = await w.h.db.db.select().from(s.runs).where(eq(s.runs.id, runId));
  return row!;
}

export { createAccount, createOpportunity, createRep, jsonOf };
