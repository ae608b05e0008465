/**
 * RELIABILITY 20 (a modest pass over the run actions): generated valid and mutated requests to approve, commit and
 * cancel, as each role of two orgs and anonymously, against runs of both orgs in every status. No 5xx, every
 * response matches the schema its operation declares for that status, and no id of the other org in any body.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ErrorBodySchema } from '../../src/api/errors.ts';
import {
  ApproveResponseSchema,
  CancelResponseSchema,
  CommitResponseSchema,
} from '../../src/api/routes/run-actions/run-actions.routes.ts';
import { ROLES, type Role } from '../../src/lib/roles.ts';
import { createRunFixture } from '../api/run-actions/run-fixture.ts';
import {
  apiKeyFor,
  bearer,
  createHarness,
  createOrgWithUsers,
  type Harness,
  ORIGIN,
} from '../app/harness.ts';

const OPS: Record<string, z.ZodType> = {
  approve: ApproveResponseSchema,
  commit: CommitResponseSchema,
  cancel: CancelResponseSchema,
};
const STATUSES = ['draft', 'solved', 'in_review', 'approved', 'committed', 'cancelled'] as const;

interface OrgSide {
  id: string;
  keys: Record<Role, string>;
  runIds: string[];
  /** Every id of this org that must never show up in the other org's responses. */
  secrets: string[];
}

let h: Harness;
const sides: OrgSide[] = [];

beforeAll(async () => {
  h = await createHarness();
  for (const name of ['Fuzz A', 'Fuzz B']) {
    const org = await createOrgWithUsers(h, name);
    const keys = {} as Record<Role, string>;
    for (const role of ROLES) keys[role] = (await apiKeyFor(h, org.id, role)).key;
    const runIds: string[] = [];
    const secrets = [org.id, ...Object.values(org.users).map((u) => u.id)];
    for (const status of STATUSES) {
      const f = await createRunFixture(h.db.db, org.id, {
        accounts: 2,
        status: status === 'approved' ? 'in_review' : status,
        approved: status === 'approved',
      });
      runIds.push(f.run.id);
      secrets.push(f.run.id, ...f.accounts.map((a) => a.id), f.departing.id, ...f.receivers.map((r) => r.id));
    }
    sides.push({ id: org.id, keys, runIds, secrets });
  }
});
afterAll(async () => {
  await h?.close();
});

const body = fc.oneof(
  fc.constant(undefined),
  fc.record({ reason: fc.string({ maxLength: 40 }) }),
  fc.record(
    { expectedVersion: fc.oneof(fc.integer(), fc.string()), note: fc.string({ maxLength: 20 }) },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant('{"reason": '),
);

const request = fc.record({
  op: fc.constantFrom('approve', 'commit', 'cancel'),
  side: fc.constantFrom(0, 1),
  caller: fc.constantFrom<Role | 'anonymous'>('anonymous', ...ROLES),
  target: fc.oneof(
    fc.record({ kind: fc.constant('own' as const), index: fc.nat(STATUSES.length - 1) }),
    fc.record({ kind: fc.constant('other' as const), index: fc.nat(STATUSES.length - 1) }),
    fc.record({
      kind: fc.constant('raw' as const),
      value: fc.oneof(fc.uuid(), fc.string({ maxLength: 12 })),
    }),
  ),
  body,
  idem: fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('fuzz-key-0001', 'fuzz-key-0002'),
    fc.string({ maxLength: 10 }),
  ),
});

describe('run actions fuzz (RELIABILITY 20)', () => {
  it('no 5xx, every body matches its schema, nothing of the other org leaks', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const me = sides[r.side]!;
        const other = sides[1 - r.side]!;
        const id =
          r.target.kind === 'own'
            ? me.runIds[r.target.index]!
            : r.target.kind === 'other'
              ? other.runIds[r.target.index]!
              : encodeURIComponent(r.target.value);
        const headers: Record<string, string> = {};
        if (r.caller !== 'anonymous') Object.assign(headers, bearer(me.keys[r.caller]));
        if (r.idem !== undefined && r.idem !== '') headers['idempotency-key'] = r.idem;
        let payload: string | undefined;
        if (r.body !== undefined) {
          headers['content-type'] = 'application/json';
          payload = typeof r.body === 'string' && r.body.startsWith('{') ? r.body : JSON.stringify(r.body);
        }
        const res = await h.app.request(`${ORIGIN}/v1/runs/${id}/${r.op}`, {
          method: 'POST',
          headers,
          ...(payload === undefined ? {} : { body: payload }),
        });
        const text = await res.text();
        expect(res.status, text).toBeLessThan(500);
        const json = JSON.parse(text);
        const schema = res.status === 200 ? OPS[r.op]! : ErrorBodySchema;
        const parsed = schema.safeParse(json);
        expect(parsed.success, `${r.op} ${res.status}: ${text}`).toBe(true);
        for (const secret of other.secrets)
          expect(text, `${r.op} ${res.status} leaks ${secret}`).not.toContain(secret);
      }),
      { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? 20_2620), endOnFailure: true },
    );
  }, 120_000);
});
