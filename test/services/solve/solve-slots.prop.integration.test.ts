/**
 * Solver slots over any interleaving of claims, releases, renewals and expiries (a holder that crashed or
 * stalled past its lease): the live leases in solve_slots are exactly those a model of the rules holds, a claim
 * succeeds exactly when both limits leave room (an expired lease's slot has returned), and neither limit is ever
 * passed. Runs against the real function (migration 0012), on PGlite or a server.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { queryRows } from '../../../src/db/query-rows.ts';
import { claimSolveSlot, releaseSolveSlot, renewSolveSlots } from '../../../src/db/solve-slot-leases.ts';
import { createTestDatabase, type TestDatabase } from '../../support/db.ts';
import { createOrg } from '../../support/factories.ts';

let t: TestDatabase;
let orgs: string[];

beforeAll(async () => {
  t = await createTestDatabase();
  orgs = [(await createOrg(t.db)).id, (await createOrg(t.db)).id, (await createOrg(t.db)).id];
});
afterAll(() => t.close());

type Op =
  | { op: 'claim'; org: number; kind: 'run' | 'what_if' }
  | { op: 'release' | 'expire' | 'renew'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('claim' as const),
      org: fc.nat(2),
      kind: fc.constantFrom('run' as const, 'what_if' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('renew' as const), pick: fc.nat() }) },
);

interface Lease {
  id: string;
  org: string;
  state: 'live' | 'expired' | 'gone';
}

async function liveRows() {
  return queryRows<{ id: string; org_id: string }>(
    t.db,
    sql`select id, org_id from solve_slots where expires_at > clock_timestamp()`,
  );
}

describe('solve slot leases (property)', () => {
  it('hold exactly the model’s live leases and never pass a limit, over any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(opArb, { minLength: 1, maxLength: 25 }),
        async (G, P, ops) => {
          await t.db.delete(s.solveSlots);
          const leases: Lease[] = [];
          const live = () => leases.filter((l) => l.state === 'live');
          for (const step of ops) {
            if (step.op === 'claim') {
              const org = orgs[step.org]!;
              const inUse = live().length;
              const orgInUse = live().filter((l) => l.org === org).length;
              const got = await claimSolveSlot(t.db, {
                orgId: org,
                kind: step.kind,
                holder: 'prop',
                leaseSeconds: 60,
                maxGlobal: G,
                maxPerOrg: P,
              });
              expect({ inUse: got.inUse, orgInUse: got.orgInUse }).toEqual({ inUse, orgInUse });
              expect(got.slotId !== null).toBe(inUse < G && orgInUse < P);
              // The claim cleared every expired lease, whoever held it.
              for (const l of leases) if (l.state === 'expired') l.state = 'gone';
              if (got.slotId) leases.push({ id: got.slotId, org, state: 'live' });
            } else {
              const lease = leases[step.pick % Math.max(leases.length, 1)];
              if (!lease) continue;
              if (step.op === 'release') {
                await releaseSolveSlot(t.db, lease.org, lease.id);
                lease.state = 'gone';
              } else if (step.op === 'expire') {
                // What a holder that crashed or stalled past its lease leaves behind.
                await t.db.execute(
                  sql`update solve_slots set expires_at = clock_timestamp() - interval '1 second' where id = ${lease.id}::uuid`,
                );
                if (lease.state === 'live') lease.state = 'expired';
              } else {
                const kept = await renewSolveSlots(t.db, lease.org, [lease.id], 60);
                expect(kept.has(lease.id)).toBe(lease.state === 'live');
              }
            }
            const rows = await liveRows();
            expect(rows.map((r) => r.id).sort()).toEqual(
              live()
                .map((l) => l.id)
                .sort(),
            );
            expect(rows.length).toBeLessThanOrEqual(G);
            for (const org of orgs)
              expect(rows.filter((r) => r.org_id === org).length).toBeLessThanOrEqual(P);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
