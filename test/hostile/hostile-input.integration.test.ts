/**
 * Issue 15, "no 500 from any input": NUL and other control characters in any string (query, JSON, forms, CSV
 * cells), lone surrogates, impossible dates and malformed ids, on the API and the page forms. Each is a 4xx that
 * names the field, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunsWorld, type RunsWorld, seedBook } from '../api/runs/run-fixture.ts';
import { type Json, signedIn } from '../app/harness.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;

beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(async () => {
  await w?.close();
});

const run = (over: Record<string, unknown> = {}) => ({
  kind: 'rep_departure',
  reason: 'Dana leaves',
  commissionEndDate: '2026-03-31',
  params: { departingRepIds: [book.reps.dana.id] },
  ...over,
});

function paths(body: Json): string[] {
  return (Array.isArray(body?.details) ? body.details : []).map((d: { path: string }) => d.path);
}

const HOSTILE = [
  '\u0000',
  'a\u0000b',
  '\u0007bell',
  'esc\u001b[31m',
  'del\u007f',
  'lone \ud800 high',
  'lone \udc00',
];

describe('control characters, refused where they enter', () => {
  it.each(HOSTILE.filter((s) => !/[\ud800-\udfff]/.test(s)))(
    'in a query string (%j) → 400 naming query.q',
    async (bad) => {
      const res = await w.call('analyst', 'GET', `/reps?q=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(paths(res.body)).toContain('query.q');
    },
  );

  it('bytes that are not UTF-8 in a query string (a lone surrogate encoded) → no 5xx', async () => {
    const res = await w.call('analyst', 'GET', '/reps?q=%ED%A0%80%C0%AF');
    expect(res.status).toBeLessThan(500);
  });

  it.each(HOSTILE)('in a run reason (%j) → 400 naming body.reason, no run created', async (bad) => {
    const before = (await w.call('analyst', 'GET', '/runs')).body.data.length;
    const res = await w.call('analyst', 'POST', '/runs', run({ reason: bad }));
    expect(res.status).toBe(400);
    expect(paths(res.body)).toContain('body.reason');
    expect((await w.call('analyst', 'GET', '/runs')).body.data.length).toBe(before);
  });

  it('in an API key name and a column mapping name → 400', async () => {
    const key = await w.call('admin', 'POST', '/api-keys', { name: 'robot\u0000', role: 'admin' });
    expect(key.status).toBe(400);
    expect(paths(key.body)).toContain('body.name');
    const mapping = await w.call('analyst', 'POST', '/column-mappings', {
      name: 'm\u0000',
      header: ['Id'],
      mapping: { kind: 'accounts', columns: { account_id: 'Id' } },
    });
    expect(mapping.status).toBe(400);
    expect(paths(mapping.body)).toContain('body.name');
  });

  it('in a JSON key, deep inside → 400 naming the path', async () => {
    const res = await w.call('analyst', 'POST', '/runs', run({ params: { departingRepIds: ['x\u0000'] } }));
    expect(res.status).toBe(400);
    expect(paths(res.body)).toContain('body.params.departingRepIds.0');
  });

  it('a JSON body nested 10,000 deep → 400, not a stack overflow', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await w.h.app.request('/v1/rulesets/validate', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.keys.analyst}`, 'content-type': 'application/json' },
      body: deep,
    });
    expect(res.status).toBe(400);
  });

  it('in a CSV cell: the preview reports the row and column, and apply refuses the row, never a 500', async () => {
    const csv = `Account ID,Account Name,Owner ID,Annual Revenue,Region\nNUL-1,Acme\u0000Corp,${book.reps.ana.id},100,West\nOK-1,Fine,${book.reps.ana.id},100,West\n`;
    const headers = { authorization: `Bearer ${w.keys.analyst}`, 'content-type': 'text/csv' };
    const preview = await w.h.app.request('/v1/imports/preview?kind=accounts', {
      method: 'POST',
      headers,
      body: csv,
    });
    expect(preview.status).toBe(200);
    const p: Json = await preview.json();
    const rowErrors = JSON.stringify(p);
    expect(rowErrors).toContain('U+0000');
    expect(rowErrors).not.toContain('\u0000');
    const apply = await w.h.app.request('/v1/imports?kind=accounts&mode=skip-bad-rows', {
      method: 'POST',
      headers,
      body: csv,
    });
    expect(apply.status).toBeLessThan(500);
  });

  it('a 600,000-character account name in a CSV is a row error (the solver takes 500), not a run blocker', async () => {
    const csv = `Account ID,Account Name,Owner ID,Annual Revenue,Region\nBIG-1,${'n'.repeat(600_000)},${book.reps.ana.id},100,West\n`;
    const preview = await w.h.app.request('/v1/imports/preview?kind=accounts', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.keys.analyst}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(preview.status).toBe(200);
    const text = await preview.text();
    expect(text).toContain('the limit is 500');
    expect(text.length).toBeLessThan(100_000); // the error report does not echo the whole cell
  });
});

describe('impossible dates and malformed ids', () => {
  it.each(['2026-13-45', '', '0000-00-00', '2026-02-30', '0000-01-01', '2026-1-1', 'tomorrow'])(
    'commissionEndDate %j on the API → 400 naming it',
    async (date) => {
      const res = await w.call('analyst', 'POST', '/runs', run({ commissionEndDate: date }));
      expect(res.status).toBe(400);
      expect(paths(res.body).some((p) => p.endsWith('commissionEndDate'))).toBe(true);
    },
  );

  it.each(['not-a-uuid', '', '00000000-0000-0000-0000-00000000000g'])(
    'departingRepIds [%j] → 400 naming the id',
    async (id) => {
      const res = await w.call('analyst', 'POST', '/runs', run({ params: { departingRepIds: [id] } }));
      expect(res.status).toBe(400);
      expect(paths(res.body).some((p) => p.includes('departingRepIds'))).toBe(true);
    },
  );

  it('a what-if by reference with a non-UUID departing rep → 4xx', async () => {
    const res = await w.call('analyst', 'POST', '/what-if/solve', {
      reference: { kind: 'rep_departure', params: { departingRepIds: ['nope'] } },
      timeLimitMs: 1000,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it.each(['2026-13-45', '0000-00-00'])(
    'the new-run page form with commissionEndDate %j → 400',
    async (date) => {
      const org = w.h;
      const analyst = await signedIn(org, await userOf('analyst'));
      await analyst.page('/runs/new');
      const res = await analyst.request('/runs/new', {
        method: 'POST',
        form: {
          _csrf: analyst.csrfToken,
          kind: 'rep_departure',
          departingRepIds: book.reps.dana.id,
          reason: 'Dana leaves',
          commissionEndDate: date,
          intent: 'draft',
        },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('real calendar date');
    },
  );

  it.each(['2026-13-45', '0000-00-00', ''])(
    'terminate-commissions with commissionEndDate %j → 4xx',
    async (date) => {
      const manager = await signedIn(w.h, await userOf('manager'));
      await manager.page(`/reps/${book.reps.dana.id}/terminate-commissions`);
      const res = await manager.request(`/reps/${book.reps.dana.id}/terminate-commissions`, {
        method: 'POST',
        form: {
          _csrf: manager.csrfToken,
          commissionEndDate: date,
          reason: 'Dana leaves',
          commissionType: 'house_absorbs',
        },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    },
  );

  it('a NUL in a page form field → 400', async () => {
    const analyst = await signedIn(w.h, await userOf('analyst'));
    await analyst.page('/runs/new');
    const res = await analyst.request('/runs/new', {
      method: 'POST',
      form: { _csrf: analyst.csrfToken, kind: 'rep_departure', reason: 'x\u0000', intent: 'draft' },
    });
    expect(res.status).toBe(400);
  });
});

async function userOf(role: 'analyst' | 'manager') {
  const { memberships, users } = await import('../../db/schema/index.ts');
  const { and, eq } = await import('drizzle-orm');
  const [row] = await w.h.db.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(memberships.orgId, w.orgId), eq(memberships.role, role)));
  return { id: row!.id, email: row!.email, role, orgId: w.orgId };
}
