/**
 * An opportunity-level run (issue 5, issue 8 level 1) through the API from creation to commit and rollback: one
 * opportunity changes owner while its account keeps its owner; its split changes per the run's commission type
 * with new effective-dated rows; a changed opportunity owner refuses the commit; a rollback restores exactly.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as s from '../../../db/schema/index.ts';
import { parseChangeItem } from '../../../src/workflow/change-set-items.ts';
import { createSplits } from '../../support/factories.ts';
import {
  createOpportunity,
  createRunsWorld,
  type RunsWorld,
  runRow,
  seedBook,
  solveAndDrain,
} from './run-fixture.ts';

let w: RunsWorld;
let book: Awaited<ReturnType<typeof seedBook>>;
beforeAll(async () => {
  w = await createRunsWorld();
  book = await seedBook(w);
});
afterAll(() => w.close());

const db = () => w.h.db.db;

/** Every split row of an opportunity, past and present, in a stable order. */
async function splitRows(opportunityId: string) {
  const rows = await db()
    .select({
      id: s.commissionSplits.id,
      repId: s.commissionSplits.repId,
      role: s.commissionSplits.role,
      bps: s.commissionSplits.bps,
      effectiveFrom: s.commissionSplits.effectiveFrom,
      effectiveTo: s.commissionSplits.effectiveTo,
    })
    .from(s.commissionSplits)
    .where(eq(s.commissionSplits.opportunityId, opportunityId))
    .orderBy(asc(s.commissionSplits.effectiveFrom), asc(s.commissionSplits.role), asc(s.commissionSplits.id));
  return rows;
}

async function ownerOf(table: typeof s.accounts | typeof s.opportunities, id: string) {
  const [row] = await db().select({ owner: table.ownerRepId }).from(table).where(eq(table.id, id));
  return row!.owner;
}

/**
 * A fresh opportunity of one of Eve's accounts, owned by Eve, split House 45% / Eve 55%, and an opportunity-level
 * run handing it to Ben: created, solved, its blocking conflicts accepted, approved.
 */
async function approvedOpportunityRun(params: Record<string, unknown> = {}) {
  const { eve, ben, house } = book.reps;
  const account = book.others.find((a) => a.ownerRepId === eve.id)!;
  const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id });
  await createSplits(db(), w.orgId, opp.id, [
    { repId: house.id, role: 'house', bps: 4500 },
    { repId: eve.id, role: 'rep', bps: 5500 },
  ]);
  const created = await w.call('analyst', 'POST', '/runs', {
    kind: 'opportunity',
    reason: 'Ben takes the renewal',
    commissionEndDate: '2026-03-31',
    reassignmentDate: '2026-04-01',
    params: { opportunityId: opp.id, newOwnerRepId: ben.id, ...params },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const runId = created.body.id as string;
  const solved = await solveAndDrain(w, runId);
  expect(solved.status, solved.failureReason).toBe('solved');
  const open = await w.call('manager', 'GET', `/runs/${runId}/conflicts`);
  for (const c of open.body.data as { id: string; severity: string; resolution: string | null }[]) {
    if (c.severity !== 'blocking' || c.resolution) continue;
    const res = await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
      resolution: 'accept',
      note: 'Ben takes over this deal',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
  const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
    expectedHash: reviewed.body.proposalHash,
    expectedVersion: reviewed.body.version,
  });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  expect(approved.body.run.status).toBe('approved');
  return { runId, account, opp, hash: reviewed.body.proposalHash as string };
}

async function changeSetItemsOf(runId: string) {
  const [cs] = await db().select().from(s.changeSets).where(eq(s.changeSets.runId, runId));
  if (!cs) return [];
  const rows = await db()
    .select()
    .from(s.changeSetItems)
    .where(eq(s.changeSetItems.changeSetId, cs.id))
    .orderBy(asc(s.changeSetItems.seq));
  return rows.map((r) => ({ row: r, payload: parseChangeItem(r) }));
}

/** Split shares (by role and rep) in force from a date on: the open rows. */
function openShares(rows: Awaited<ReturnType<typeof splitRows>>) {
  return Object.fromEntries(
    rows.filter((r) => r.effectiveTo === null).map((r) => [`${r.role}:${r.repId}`, r.bps]),
  );
}

describe('opportunity-level run: approve, commit, roll back', () => {
  it('Type B (the default): the opportunity goes to Ben with Eve’s exact share; the account stays Eve’s; rollback restores exactly', async () => {
    const { eve, ben, house } = book.reps;
    const { runId, account, opp, hash } = await approvedOpportunityRun();
    const before = await splitRows(opp.id);
    expect(before).toHaveLength(2);

    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.run.status).toBe('committed');
    expect(committed.body.changeSet.hash).toBe(hash);
    expect(committed.body.changeSet.counts).toMatchObject({ accounts: 0, opportunities: 1, splits: 1 });

    expect(await ownerOf(s.opportunities, opp.id)).toBe(ben.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);

    // The old rows are ended on the commission end date and otherwise untouched; new rows start on the
    // reassignment date: House keeps 45%, Ben inherits Eve's 55%.
    const after = await splitRows(opp.id);
    expect(after).toHaveLength(4);
    for (const old of before) {
      expect(after.find((r) => r.id === old.id)).toEqual({ ...old, effectiveTo: '2026-03-31' });
    }
    const added = after.filter((r) => !before.some((b) => b.id === r.id));
    expect(added.every((r) => r.effectiveFrom === '2026-04-01' && r.effectiveTo === null)).toBe(true);
    expect(openShares(after)).toEqual({ [`house:${house.id}`]: 4500, [`rep:${ben.id}`]: 5500 });

    // The change set: the opportunity's owner and its split, no account.
    const items = await changeSetItemsOf(runId);
    expect(items.map((i) => i.payload.object)).toEqual(['opportunity', 'split']);
    const [ownerItem, splitItem] = items;
    expect(ownerItem!.row).toMatchObject({ recordId: opp.id, fromRepId: eve.id, toRepId: ben.id });
    if (ownerItem!.payload.object !== 'opportunity') throw new Error('expected an opportunity item');
    expect(ownerItem!.payload.before.repId).toBe(eve.id);
    expect(ownerItem!.payload.after.repId).toBe(ben.id);
    if (splitItem!.payload.object !== 'split') throw new Error('expected a split item');
    expect(splitItem!.payload.after.edit?.opportunityId).toBe(opp.id);
    expect(splitItem!.payload.after.edit?.rowsToEnd).toHaveLength(2);

    // Audit: the transitions and the book event naming the opportunity's owner before and after.
    const events = await db()
      .select()
      .from(s.auditEvents)
      .where(eq(s.auditEvents.runId, runId))
      .orderBy(asc(s.auditEvents.seq));
    const actions = events.map((e) => e.action);
    expect(actions.slice(-4)).toEqual([
      'run.approved',
      'run.commit_started',
      'run.book_changed',
      'run.committed',
    ]);
    const bookEvent = events.find((e) => e.action === 'run.book_changed')!;
    expect(bookEvent.before).toMatchObject({
      opportunities: [{ opportunityId: opp.id, ownerRepId: eve.id }],
    });
    expect(bookEvent.after).toMatchObject({ opportunities: [{ opportunityId: opp.id, ownerRepId: ben.id }] });

    // Notices: finance hears about the changed split (written in the commit, pending).
    const notices = await db().select().from(s.notices).where(eq(s.notices.runId, runId));
    expect(notices.map((n) => n.kind)).toContain('finance_summary');
    expect(notices.every((n) => n.status === 'pending')).toBe(true);

    // A second commit returns the same change set and applies nothing again.
    const again = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(again.status).toBe(200);
    expect(again.body.changeSet.id).toBe(committed.body.changeSet.id);
    expect(await splitRows(opp.id)).toHaveLength(4);

    // The handoff digests went out (marked sent here), so the rollback owes their recipients a correction.
    expect(notices.map((n) => n.kind)).toContain('receiving_rep');
    await db()
      .update(s.notices)
      .set({ status: 'sent', sentAt: new Date() })
      .where(eq(s.notices.runId, runId));

    // Rollback: owner and split history exactly as before the commit; the account untouched.
    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`);
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(rolled.body.restored).toEqual({ accounts: 0, opportunities: 1, splits: 1 });
    const corrections = (await db().select().from(s.notices).where(eq(s.notices.runId, runId))).filter((n) =>
      n.subject.startsWith('Correction:'),
    );
    const toBen = corrections.find((n) => n.recipientEmail === ben.email);
    expect(toBen?.text ?? '', 'the new owner is told the opportunity is no longer theirs').toContain(
      opp.name,
    );
    expect(rolled.body.conflicts).toEqual([]);
    expect(await ownerOf(s.opportunities, opp.id)).toBe(eve.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);
    expect(await splitRows(opp.id)).toEqual(before);
    expect((await runRow(w, runId)).status).toBe('rolled_back');
  });

  it('Type C at 35%: Ben gets 35% and House adjusts to 65% on a 45/55 split; rollback restores exactly', async () => {
    const { eve, ben, house } = book.reps;
    const { runId, account, opp } = await approvedOpportunityRun({
      commissionType: 'custom',
      customBps: 3500,
    });
    const before = await splitRows(opp.id);

    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(await ownerOf(s.opportunities, opp.id)).toBe(ben.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);
    const after = await splitRows(opp.id);
    for (const old of before) {
      expect(after.find((r) => r.id === old.id)).toEqual({ ...old, effectiveTo: '2026-03-31' });
    }
    expect(openShares(after)).toEqual({ [`house:${house.id}`]: 6500, [`rep:${ben.id}`]: 3500 });
    const items = await changeSetItemsOf(runId);
    const split = items.find((i) => i.payload.object === 'split')!;
    if (split.payload.object !== 'split') throw new Error('expected a split item');
    expect(split.payload.before.participants.map((p) => [p.role, p.bps]).sort()).toEqual([
      ['house', 4500],
      ['rep', 5500],
    ]);
    expect(split.payload.after.participants.map((p) => [p.role, p.bps]).sort()).toEqual([
      ['house', 6500],
      ['rep', 3500],
    ]);

    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`);
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(await ownerOf(s.opportunities, opp.id)).toBe(eve.id);
    expect(await splitRows(opp.id)).toEqual(before);
  });

  it('refuses (409) and writes nothing when the opportunity changed owner since the run was planned', async () => {
    const { eve, ana } = book.reps;
    const { runId, account, opp } = await approvedOpportunityRun();
    // Someone gives the deal to Ana in the CRM after the run was planned and approved.
    await db().update(s.opportunities).set({ ownerRepId: ana.id }).where(eq(s.opportunities.id, opp.id));
    const before = await splitRows(opp.id);
    const auditBefore = await db().select().from(s.auditEvents).where(eq(s.auditEvents.runId, runId));

    const refused = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toMatch(/changed owner since the run was planned/);
    expect(refused.body.details.staleOpportunities).toEqual([
      expect.objectContaining({
        opportunityId: opp.id,
        plannedOwnerRepId: eve.id,
        currentOwnerRepId: ana.id,
      }),
    ]);

    expect(await ownerOf(s.opportunities, opp.id)).toBe(ana.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);
    expect(await splitRows(opp.id)).toEqual(before);
    expect(await db().select().from(s.changeSets).where(eq(s.changeSets.runId, runId))).toEqual([]);
    expect(await db().select().from(s.notices).where(eq(s.notices.runId, runId))).toEqual([]);
    expect(await db().select().from(s.auditEvents).where(eq(s.auditEvents.runId, runId))).toHaveLength(
      auditBefore.length,
    );
    expect((await runRow(w, runId)).status).toBe('approved');
  });

  it('an opportunity without a split changes owner only, and the skipped split is reported in the change set', async () => {
    const { eve, ben } = book.reps;
    const account = book.others.filter((a) => a.ownerRepId === eve.id).at(-1)!;
    const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id });
    const created = await w.call('analyst', 'POST', '/runs', {
      kind: 'opportunity',
      reason: 'Ben takes the new deal',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { opportunityId: opp.id, newOwnerRepId: ben.id },
    });
    expect(created.status).toBe(201);
    const runId = created.body.id as string;
    await solveAndDrain(w, runId);
    for (const c of (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
      id: string;
      severity: string;
    }[]) {
      if (c.severity === 'blocking')
        await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
          resolution: 'accept',
          note: 'ok',
        });
    }
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.counts).toMatchObject({ accounts: 0, opportunities: 1, splits: 0 });
    expect(await ownerOf(s.opportunities, opp.id)).toBe(ben.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);
    expect(await splitRows(opp.id)).toEqual([]);
    const [cs] = await db().select().from(s.changeSets).where(eq(s.changeSets.runId, runId));
    expect((cs!.body as { commissionSkipped: unknown[] }).commissionSkipped).toEqual([
      expect.objectContaining({ opportunityId: opp.id, code: 'SPLIT_MISSING' }),
    ]);
  });

  it('plannedFromRepId: a deal already owned by Ben changes only its split (Eve’s share to Ben, Type C); rollback restores it', async () => {
    const { eve, ben, house } = book.reps;
    const account = book.others.find((a) => a.ownerRepId === eve.id)!;
    const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: ben.id });
    await createSplits(db(), w.orgId, opp.id, [
      { repId: house.id, role: 'house', bps: 4500 },
      { repId: eve.id, role: 'rep', bps: 5500 },
    ]);
    const body = (params: Record<string, unknown>) => ({
      kind: 'opportunity',
      reason: 'Ben’s deal still pays Eve',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: {
        opportunityId: opp.id,
        newOwnerRepId: ben.id,
        commissionType: 'custom',
        customBps: 3500,
        ...params,
      },
    });
    const unknown = await w.call('analyst', 'POST', '/runs', body({ plannedFromRepId: crypto.randomUUID() }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([expect.objectContaining({ path: 'params.plannedFromRepId' })]);
    const same = await w.call('analyst', 'POST', '/runs', body({ plannedFromRepId: ben.id }));
    expect(same.status).toBe(400);
    expect(JSON.stringify(same.body)).toMatch(/plannedFromRepId must differ from newOwnerRepId/);

    const created = await w.call('analyst', 'POST', '/runs', body({ plannedFromRepId: eve.id }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.id as string;
    const solved = await solveAndDrain(w, runId);
    expect(solved.status, solved.failureReason).toBe('solved');
    const [change] = await db()
      .select()
      .from(s.runOpportunityChanges)
      .where(eq(s.runOpportunityChanges.runId, runId));
    expect(change).toMatchObject({
      fromRepId: eve.id,
      toRepId: ben.id,
      commissionType: 'custom',
      error: null,
    });
    for (const c of (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
      id: string;
      severity: string;
    }[]) {
      if (c.severity === 'blocking')
        await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
          resolution: 'accept',
          note: 'ok',
        });
    }
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: (await w.call('manager', 'GET', `/runs/${runId}`)).body.proposalHash,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const before = await splitRows(opp.id);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.counts).toMatchObject({ accounts: 0, opportunities: 0, splits: 1 });
    expect(await ownerOf(s.opportunities, opp.id)).toBe(ben.id);
    expect(await ownerOf(s.accounts, account.id)).toBe(eve.id);
    expect(openShares(await splitRows(opp.id))).toEqual({
      [`house:${house.id}`]: 6500,
      [`rep:${ben.id}`]: 3500,
    });

    const rolled = await w.call('manager', 'POST', `/runs/${runId}/rollback`);
    expect(rolled.status, JSON.stringify(rolled.body)).toBe(200);
    expect(await ownerOf(s.opportunities, opp.id)).toBe(ben.id);
    expect(await splitRows(opp.id)).toEqual(before);
  });

  it('an account-level run still moves the account with its opportunities (unchanged behaviour)', async () => {
    const { ben, ana } = book.reps;
    const account = book.others.find((a) => a.ownerRepId === ben.id)!;
    const opp = await createOpportunity(db(), w.orgId, account.id, { ownerRepId: ben.id });
    const created = await w.call('analyst', 'POST', '/runs', {
      kind: 'account',
      scope: 'open_opportunities',
      reason: 'Customer asked for Ana',
      commissionEndDate: '2026-03-31',
      reassignmentDate: '2026-04-01',
      params: { accountId: account.id, newOwnerRepId: ana.id },
    });
    expect(created.status).toBe(201);
    const runId = created.body.id as string;
    await solveAndDrain(w, runId);
    for (const c of (await w.call('manager', 'GET', `/runs/${runId}/conflicts`)).body.data as {
      id: string;
      severity: string;
    }[]) {
      if (c.severity === 'blocking')
        await w.call('manager', 'POST', `/runs/${runId}/conflicts/${c.id}/resolve`, {
          resolution: 'accept',
          note: 'ok',
        });
    }
    const reviewed = await w.call('manager', 'GET', `/runs/${runId}`);
    const approved = await w.call('manager', 'POST', `/runs/${runId}/approve`, {
      expectedHash: reviewed.body.proposalHash,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const committed = await w.call('manager', 'POST', `/runs/${runId}/commit`, {});
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.changeSet.counts).toMatchObject({ accounts: 1, opportunities: 1 });
    expect(await ownerOf(s.accounts, account.id)).toBe(ana.id);
    expect(await ownerOf(s.opportunities, opp.id)).toBe(ana.id);
    const items = await changeSetItemsOf(runId);
    expect(items.map((i) => i.payload.object)).toEqual(['account', 'opportunity']);
    const [bookEvent] = await db()
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.runId, runId), eq(s.auditEvents.action, 'run.book_changed')));
    expect(Object.keys(bookEvent!.before as object)).toEqual(['accounts']);
  });
});

describe('the scope of an opportunity run', () => {
  const create = (scope?: string) => {
    const { eve, ben } = book.reps;
    const account = book.others.find((a) => a.ownerRepId === eve.id)!;
    return createOpportunity(db(), w.orgId, account.id, { ownerRepId: eve.id }).then((opp) =>
      w.call('analyst', 'POST', '/runs', {
        kind: 'opportunity',
        ...(scope === undefined ? {} : { scope }),
        reason: 'Ben takes the renewal',
        commissionEndDate: '2026-03-31',
        reassignmentDate: '2026-04-01',
        params: { opportunityId: opp.id, newOwnerRepId: ben.id },
      }),
    );
  };

  it('refuses a scope that does not apply (422 naming the field and the allowed value) and creates nothing', async () => {
    const before = (await db().select({ id: s.runs.id }).from(s.runs)).length;
    for (const scope of ['ownership', 'complete']) {
      const res = await create(scope);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.code).toBe('UNPROCESSABLE');
      expect(res.body.message).toContain(`The scope "${scope}" does not apply to a run of kind opportunity`);
      expect(res.body.details).toEqual([
        { path: 'scope', message: expect.stringContaining('choose "open_opportunities"') },
      ]);
    }
    expect((await db().select({ id: s.runs.id }).from(s.runs)).length).toBe(before);
  });

  it('takes the opportunity alone (open_opportunities), given or by default', async () => {
    for (const scope of ['open_opportunities', undefined]) {
      const res = await create(scope);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.scope).toBe('open_opportunities');
    }
  });
});
