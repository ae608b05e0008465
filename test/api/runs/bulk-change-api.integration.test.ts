/**
 * The JSON API's bulk change of a run's accounts (POST /v1/runs/{id}/accounts/bulk): the same one-transaction
 * change the review table makes, for another system. Listed accounts or every account matching a filter; the
 * body is validated with field paths; a stale count is refused with 409 and nothing changes; a rep may not call it.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { createRunsWorld, type RunsWorld, runRow, seedBook, solveAndDrain } from './run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;

beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

async function solvedDeparture(reason: string) {
  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'rep_departure',
    scope: 'ownership',
    reason,
    params: { departingRepIds: [book.reps.dana.id] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = (created.body as { id: string }).id;
  expect((await solveAndDrain(w, id)).status).toBe('solved');
  return id;
}

const rowsOf = (runId: string) =>
  w.h.db.db.select().from(s.runAssignments).where(eq(s.runAssignments.runId, runId));

describe('POST /v1/runs/{id}/accounts/bulk', () => {
  it('pins listed accounts in one change and unpins every pinned one by filter', async () => {
    const runId = await solvedDeparture('Dana leaves: bulk by API');
    const before = await runRow(w, runId);
    const chosen = book.danaAccounts.slice(0, 2).map((a) => a.id);
    const pin = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'pin',
      accountIds: chosen,
      repId: book.reps.ben.id,
      note: 'Ben knows them',
    });
    expect(pin.status, JSON.stringify(pin.body)).toBe(200);
    expect(pin.body).toMatchObject({
      selected: 2,
      applied: 2,
      skipped: 0,
      run: { version: before.version + 1 },
    });
    const pinnedRows = (await rowsOf(runId)).filter((r) => r.pinned);
    expect(pinnedRows.map((r) => r.accountId).sort()).toEqual([...chosen].sort());
    expect(pinnedRows.every((r) => r.toRepId === book.reps.ben.id)).toBe(true);

    // A stale count is refused and changes nothing.
    const stale = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'unpin',
      matching: { pinned: true, expected: 5 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('not 5 as shown');
    expect((await rowsOf(runId)).filter((r) => r.pinned)).toHaveLength(2);

    const unpin = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'unpin',
      matching: { pinned: true, expected: 2 },
    });
    expect(unpin.status, JSON.stringify(unpin.body)).toBe(200);
    expect(unpin.body).toMatchObject({ selected: 2, applied: 2, skipped: 0 });
    expect((await rowsOf(runId)).filter((r) => r.pinned)).toHaveLength(0);
  });

  it('validates the body with field paths, and refuses a rep', async () => {
    const runId = await solvedDeparture('Dana leaves: bad bulk bodies');
    const both = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'exclude',
      note: 'x',
      accountIds: [book.danaAccounts[0]!.id],
      matching: { moved: true },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('exactly one of them');
    const noNote = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'exclude',
      accountIds: [book.danaAccounts[0]!.id],
    });
    expect(noNote.status).toBe(400);
    expect(JSON.stringify(noNote.body)).toContain('note');
    const unknown = await w.call('analyst', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'delete',
      accountIds: [book.danaAccounts[0]!.id],
    });
    expect(unknown.status).toBe(400);
    const rep = await w.call('rep', 'POST', `/runs/${runId}/accounts/bulk`, {
      action: 'exclude',
      note: 'mine',
      accountIds: [book.danaAccounts[0]!.id],
    });
    expect(rep.status).toBe(403);
    expect((await rowsOf(runId)).some((r) => r.excluded)).toBe(false);
  });
});
