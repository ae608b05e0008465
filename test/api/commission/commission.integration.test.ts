/**
 * The commission impact and reconciliation API (C1–C6) through the real app: the worked facts of MISSION.md
 * ($1,000 a month ended mid-month; the $12,000 annual prepayment ended six months in; Types A, B and C on a
 * House 45 / Rep 55 split), the CSV downloads (formula-safe, numbers as numbers), and the refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromCsv } from '../../../src/exports/csv-safe.ts';
import type { Role } from '../../../src/lib/roles.ts';
import { jsonOf, ORIGIN } from '../../app/harness.ts';
import {
  annualByName,
  createCommissionWorld,
  createDeal,
  monthly,
  type Roster,
  seedRoster,
  solvedAccountRun,
  split4555,
} from '../../services/commission-splits/commission-fixture.ts';
import { createRun } from '../../support/factories.ts';
import type { RunsWorld } from '../runs/run-fixture.ts';

let w: RunsWorld;
let r: Roster;

beforeAll(async () => {
  w = await createCommissionWorld();
  r = await seedRoster(w);
});
afterAll(async () => {
  await w?.close();
});

async function download(role: Role | null, path: string) {
  return w.h.app.request(`${ORIGIN}/v1${path}`, {
    headers: role ? { authorization: `Bearer ${w.keys[role]}` } : {},
  });
}

/** The after-split of the run's one opportunity as { name: bps }. */
function afterByName(body: { opportunities: { after: { participantId: string; bps: number }[] }[] }) {
  const names = new Map(Object.values(r).map((p) => [p.id, p.name]));
  return Object.fromEntries(body.opportunities[0]!.after.map((p) => [names.get(p.participantId), p.bps]));
}

describe('GET /v1/runs/{id}/commission-impact', () => {
  it('$1,000 a month ended mid-month: the old split up to and including 15 June, the new one for the rest', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const res = await w.call('finance', 'GET', `/runs/${runId}/commission-impact`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // 1–15 June (15 of 30 days) = 50000 under House 45 / Dana 55; 16–30 June = 50000 under House 45 / Ria 55.
    const june = Object.fromEntries(
      res.body.people.map((p: { name: string; months: { month: string }[] }) => [
        p.name,
        p.months.find((m) => m.month === '2026-06'),
      ]),
    );
    expect(june).toEqual({
      House: { month: '2026-06', beforeCents: 45000, afterCents: 45000 },
      'Dana Departing': { month: '2026-06', beforeCents: 55000, afterCents: 27500 },
      'Ria Receiver': { month: '2026-06', beforeCents: 0, afterCents: 27500 },
    });
    expect(res.body).toMatchObject({
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
      houseGap: null,
      nextPaymentDate: '2026-06-30',
      counts: { accounts: 1, opportunities: 1, affectedSchedules: 1, affectedPeriods: 7 },
    });
  });

  it('Types A, B and C on House 45 / Rep 55: House 100; Ria 55 and House 45; Ria 35 and House 65', async () => {
    const cases = [
      {
        type: 'house_absorbs',
        after: { House: 10000 },
        annual: { House: 600000, 'Ria Receiver': undefined },
      },
      {
        type: 'direct_transfer',
        after: { House: 4500, 'Ria Receiver': 5500 },
        annual: { House: 270000, 'Ria Receiver': 330000 },
      },
      {
        type: 'custom',
        customBps: 3500,
        after: { House: 6500, 'Ria Receiver': 3500 },
        annual: { House: 390000, 'Ria Receiver': 210000 },
      },
    ] as const;
    for (const c of cases) {
      const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
      const runId = await solvedAccountRun(w, {
        accountId: account.id,
        newOwnerRepId: r.ria.id,
        commissionType: c.type,
        ...('customBps' in c ? { customBps: c.customBps } : {}),
        endDate: '2026-06-30',
        reassignmentDate: '2026-07-01',
      });
      const res = await w.call('manager', 'GET', `/runs/${runId}/commission-impact`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(afterByName(res.body), c.type).toEqual(c.after);
      // July to December 2026 fall in the window (July 2026 – June 2027): six periods of 100000.
      const annual = annualByName(res.body);
      expect(annual['Dana Departing'], c.type).toEqual([330000, 0]);
      expect(annual.House, c.type).toEqual([270000, c.annual.House]);
      if (c.annual['Ria Receiver'] === undefined) expect(annual['Ria Receiver'], c.type).toBeUndefined();
      else expect(annual['Ria Receiver'], c.type).toEqual([0, c.annual['Ria Receiver']]);
      expect(res.body.commissionType).toBe({ house_absorbs: 'A', direct_transfer: 'B', custom: 'C' }[c.type]);
    }
  });

  it('a $12,000 annual prepayment ended six months in splits by days (181 / 184 of 365), and its paid period is reconciled', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), [
      { start: '2026-01-01', end: '2026-12-31', amountCents: 12_000_00, paid: true },
    ]);
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-30',
      reassignmentDate: '2026-07-01',
    });
    const res = await w.call('analyst', 'GET', `/runs/${runId}/commission-impact`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Type B leaves House's 45% alone on every day, so House keeps exactly its 540000. Dana and Ria share the
    // other 660000 by days × bps: Dana 660000 × 181/365 = 327287.67 → 327288, Ria 332712.33 → 332712.
    expect(annualByName(res.body)).toEqual({
      House: [540000, 540000],
      'Dana Departing': [660000, 327288],
      'Ria Receiver': [0, 332712],
    });
    expect(res.body.nextPaymentDate).toBeNull(); // the one period is already paid

    const rec = await w.call('finance', 'GET', `/runs/${runId}/commission-reconciliation`);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    expect(
      rec.body.entries.map((e: { participantName: string; kind: string; amountCents: number }) => [
        e.participantName,
        e.kind,
        e.amountCents,
      ]),
    ).toEqual(
      // Canonical participant order (by id), not by kind.
      expect.arrayContaining([
        ['Dana Departing', 'clawback', -332712],
        ['Ria Receiver', 'credit', 332712],
      ]),
    );
    expect(rec.body.entries).toHaveLength(2);
    expect(rec.body.netCents).toBe(0);
  });
});

describe('CSV downloads', () => {
  it('impact and reconciliation as attachments: one row per person or entry, formula-safe text, numbers as numbers', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00, 7), {
      accountName: '=HYPERLINK("http://evil.test","x")',
    });
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.ria.id,
      commissionType: 'direct_transfer',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    const json = (await w.call('finance', 'GET', `/runs/${runId}/commission-impact?months=3`)).body;
    const res = await download('finance', `/runs/${runId}/commission-impact.csv?months=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('commission-impact.csv');
    const rows = fromCsv(await res.text());
    expect(rows[0]).toEqual([
      'participant_id',
      'name',
      'role',
      'category',
      'monthly_before_cents',
      'monthly_after_cents',
      'annual_before_cents',
      'annual_after_cents',
      'annual_delta_cents',
      '2026-06_before_cents',
      '2026-06_after_cents',
      '2026-07_before_cents',
      '2026-07_after_cents',
      '2026-08_before_cents',
      '2026-08_after_cents',
    ]);
    expect(rows.slice(1)).toEqual(
      json.people.map(
        (p: {
          participantId: string;
          name: string;
          role: string;
          category: string;
          monthlyBeforeCents: number;
          monthlyAfterCents: number;
          annualBeforeCents: number;
          annualAfterCents: number;
          annualDeltaCents: number;
          months: { beforeCents: number; afterCents: number }[];
        }) =>
          [
            p.participantId,
            p.name,
            p.role,
            p.category,
            p.monthlyBeforeCents,
            p.monthlyAfterCents,
            p.annualBeforeCents,
            p.annualAfterCents,
            p.annualDeltaCents,
            ...p.months.flatMap((m) => [m.beforeCents, m.afterCents]),
          ].map(String),
      ),
    );
    // Dana over June to August: 55000 + 55000 + 55000 before; 27500 after.
    expect(rows.find((row) => row[1] === 'Dana Departing')!.slice(6, 9)).toEqual([
      '165000',
      '27500',
      '-137500',
    ]);

    const recRes = await download('finance', `/runs/${runId}/commission-reconciliation.csv`);
    expect(recRes.status).toBe(200);
    expect(recRes.headers.get('content-disposition')).toContain('commission-reconciliation.csv');
    const raw = await recRes.text();
    // The account name would be a formula: it is written with an apostrophe; the negative amount stays a number.
    expect(raw).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(raw).toMatch(/,clawback,-27500\r\n/);
    const rec = fromCsv(raw);
    expect(rec[0]).toContain('amount_cents');
    const entries = rec.slice(1);
    expect(entries).toHaveLength(4); // June and July, Dana and Ria each
    for (const e of entries) expect(e[4]).toBe('=HYPERLINK("http://evil.test","x")');
    expect(entries.reduce((a, e) => a + Number(e[14]), 0)).toBe(0);
  });
});

describe('access and refusals', () => {
  it('managers, analysts, finance and admins read; reps never; anonymous callers must sign in', async () => {
    const { account } = await createDeal(w, r.dana, split4555(r), monthly(2026, 1000_00));
    const runId = await solvedAccountRun(w, {
      accountId: account.id,
      newOwnerRepId: r.sam.id,
      commissionType: 'house_absorbs',
      endDate: '2026-06-15',
      reassignmentDate: '2026-06-16',
    });
    for (const path of [
      `/runs/${runId}/commission-impact`,
      `/runs/${runId}/commission-impact.csv`,
      `/runs/${runId}/commission-reconciliation`,
      `/runs/${runId}/commission-reconciliation.csv`,
    ]) {
      for (const role of ['manager', 'analyst', 'finance', 'admin'] as const)
        expect((await download(role, path)).status, `${role} ${path}`).toBe(200);
      const asRep = await download('rep', path);
      expect(asRep.status, path).toBe(403);
      expect((await jsonOf(asRep)).code).toBe('FORBIDDEN');
      expect((await download(null, path)).status, path).toBe(401);
    }
  });

  it('bad ids and months are 400, unknown runs 404, runs without dates 422 — never a 500', async () => {
    const bad = await w.call('finance', 'GET', '/runs/not-a-uuid/commission-impact');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const months = await w.call('finance', 'GET', `/runs/${crypto.randomUUID()}/commission-impact?months=0`);
    expect(months.status).toBe(400);
    expect(JSON.stringify(months.body.details)).toContain('months');
    const missing = await w.call('finance', 'GET', `/runs/${crypto.randomUUID()}/commission-reconciliation`);
    expect(missing.status).toBe(404);
    const undated = await createRun(w.h.db.db, w.orgId, { status: 'in_review' });
    const noDates = await download('finance', `/runs/${undated.id}/commission-impact.csv`);
    expect(noDates.status).toBe(422);
    expect((await jsonOf(noDates)).message).toMatch(/set both on the run/);
  });

  it('the OpenAPI document lists the four operations with their roles', async () => {
    const doc = await jsonOf(await w.h.app.request(`${ORIGIN}/v1/openapi.json`));
    const ops = [
      ['/v1/runs/{id}/commission-impact', 'getCommissionImpact'],
      ['/v1/runs/{id}/commission-impact.csv', 'downloadCommissionImpact'],
      ['/v1/runs/{id}/commission-reconciliation', 'getCommissionReconciliation'],
      ['/v1/runs/{id}/commission-reconciliation.csv', 'downloadCommissionReconciliation'],
    ];
    for (const [path, operationId] of ops) {
      expect(doc.paths[path!]?.get, path).toMatchObject({
        operationId,
        tags: ['Commission'],
        'x-roles': ['manager', 'analyst', 'finance', 'admin'],
      });
    }
  });
});
