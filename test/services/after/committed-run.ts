/**
 * A committed run built directly in the database, written through the change-set contract
 * (src/workflow/change-set-items.ts) the way the commit writes it: owners moved, split history edited with
 * planEdit (rows ended + rows added), change_sets + change_set_items with before/after snapshots, and the
 * handoff notices composed into the outbox. Used by the export, notice, audit and rollback tests.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as s from '../../../db/schema/index.ts';
import type { Principal } from '../../../src/auth/principal.ts';
import { planEdit } from '../../../src/commission/history.ts';
import type { Database } from '../../../src/db/client.ts';
import { withOrg } from '../../../src/db/tenancy.ts';
import { composeNotices } from '../../../src/notices/compose.ts';
import { loadChangeSet } from '../../../src/services/after/load-change-set.ts';
import { buildNoticeInput } from '../../../src/services/after/notice-input.ts';
import { writeNoticeDrafts } from '../../../src/services/after/outbox.ts';
import { splitRowOf } from '../../../src/services/commission-splits/opportunity-inputs.ts';
import { changeItemSchema, type OwnerSnapshot } from '../../../src/workflow/change-set-items.ts';
import {
  createAccount,
  createMember,
  createOpportunity,
  createOrg,
  createRep,
  createSplits,
  uniq,
} from '../../support/factories.ts';

type Rep = typeof s.reps.$inferSelect;

const snapshot = (rep: Rep | null): OwnerSnapshot => ({
  repId: rep?.id ?? null,
  name: rep?.name ?? null,
  email: rep?.email ?? null,
  crmUserId: rep?.crmUserId ?? null,
});

export interface CommittedRunOptions {
  orgId?: string;
  /** How many accounts move (each with one open opportunity and a House 45 / rep 55 split). */
  accounts?: number;
  /** Names of the accounts (hostile text welcome); defaults to generated names. */
  names?: string[];
  withSplits?: boolean;
  committedAt?: Date;
  windowHours?: number;
  /** Write the handoff digests to the outbox. */
  withNotices?: boolean;
}

export async function createCommittedRun(db: Database, options: CommittedRunOptions = {}) {
  const org = options.orgId
    ? (await db.select().from(s.orgs).where(eq(s.orgs.id, options.orgId)))[0]!
    : await createOrg(db, { rollbackWindowHours: options.windowHours ?? 48 });
  const manager = await createMember(db, org.id, 'manager', { name: 'Mona Manager' });
  await createMember(db, org.id, 'finance', { name: 'Fay Finance' });
  const house = await createRep(db, org.id, {
    kind: 'house',
    name: 'House',
    crmUserId: `005${uniq().replaceAll('-', '').slice(0, 12)}`,
  });
  const boss = await createRep(db, org.id, { name: 'Bea Boss' });
  const departing = await createRep(db, org.id, {
    name: 'Dan Departing',
    managerRepId: boss.id,
    endDate: '2026-06-30',
  });
  const receivers = [
    await createRep(db, org.id, { name: 'Ria Receiver', managerRepId: boss.id }),
    await createRep(db, org.id, { name: 'Sam Receiver', managerRepId: boss.id }),
  ];
  const committedAt = options.committedAt ?? new Date();
  const [run] = await db
    .insert(s.runs)
    .values({
      orgId: org.id,
      kind: 'rep_departure',
      scope: options.withSplits === false ? 'ownership' : 'open_opportunities',
      status: 'committed',
      reason: 'Dan leaves the company',
      commissionEndDate: '2026-06-30',
      reassignmentDate: '2026-07-01',
      params: { strategy: 'optimal', departingRepIds: [departing.id] },
      approvedBy: manager.user.id,
      approvedAt: new Date(committedAt.getTime() - 60_000),
      committedBy: manager.user.id,
      committedAt,
    })
    .returning();
  const [changeSet] = await db
    .insert(s.changeSets)
    .values({
      orgId: org.id,
      runId: run!.id,
      hash: uniq('hash-'),
      body: { strategy: 'optimal' },
      createdBy: manager.user.id,
    })
    .returning();

  const n = options.accounts ?? 3;
  const items: (typeof s.changeSetItems.$inferInsert)[] = [];
  const moved: { accountId: string; opportunityId: string; from: Rep; to: Rep; splitRowIds: string[] }[] = [];
  let seq = 0;
  for (let i = 0; i < n; i += 1) {
    const to = receivers[i % receivers.length]!;
    const account = await createAccount(db, org.id, {
      ownerRepId: to.id,
      ...(options.names?.[i] !== undefined ? { name: options.names[i]! } : {}),
      annualRevenueCents: (i + 1) * 10_000_00,
    });
    const opp = await createOpportunity(db, org.id, account.id, { ownerRepId: to.id });
    seq += 1;
    items.push(ownerItem('account', account.id, account.crmId, account.name, departing, to, seq));
    seq += 1;
    items.push(ownerItem('opportunity', opp.id, opp.crmId, opp.name, departing, to, seq));
    const splitRowIds: string[] = [];
    if (options.withSplits !== false) {
      const original = await createSplits(db, org.id, opp.id, [
        { repId: house.id, role: 'house', bps: 4500 },
        { repId: departing.id, role: 'rep', bps: 5500 },
      ]);
      const rows = original.map(splitRowOf);
      const after = {
        participants: [
          { participantId: house.id, role: 'house' as const, bps: 4500 },
          { participantId: to.id, role: 'rep' as const, bps: 5500 },
        ],
      };
      const planned = planEdit(rows, opp.id, '2026-06-30', '2026-07-01', after, after, () => randomUUID());
      if (!planned.ok) throw new Error(planned.refusal.message);
      const edit = planned.value;
      for (const end of edit.rowsToEnd) {
        await db
          .update(s.commissionSplits)
          .set({ effectiveTo: end.effectiveToAfter })
          .where(eq(s.commissionSplits.id, end.rowId));
      }
      await db.insert(s.commissionSplits).values(
        edit.rowsToAdd.map((r) => ({
          id: r.rowId,
          orgId: org.id,
          opportunityId: opp.id,
          repId: r.participantId,
          role: r.role,
          bps: r.bps,
          effectiveFrom: r.effectiveFrom,
          effectiveTo: r.effectiveTo,
          runId: run!.id,
        })),
      );
      splitRowIds.push(...original.map((r) => r.id), ...edit.rowsToAdd.map((r) => r.rowId));
      seq += 1;
      const payload = changeItemSchema.parse({
        object: 'split',
        before: { participants: rows.map(({ participantId, role, bps }) => ({ participantId, role, bps })) },
        after: { participants: after.participants, edit },
      });
      items.push({
        orgId: org.id,
        changeSetId: changeSet!.id,
        seq,
        object: 'split',
        recordId: opp.id,
        crmId: opp.crmId,
        recordName: opp.name,
        fromRepId: departing.id,
        toRepId: to.id,
        effectiveDate: '2026-07-01',
        before: payload.before as Record<string, unknown>,
        after: payload.after as Record<string, unknown>,
      });
    }
    moved.push({ accountId: account.id, opportunityId: opp.id, from: departing, to, splitRowIds });
  }
  function ownerItem(
    object: 'account' | 'opportunity',
    recordId: string,
    crmId: string,
    name: string,
    from: Rep,
    to: Rep,
    at: number,
  ) {
    const payload = changeItemSchema.parse({ object, before: snapshot(from), after: snapshot(to) });
    return {
      orgId: org.id,
      changeSetId: changeSet!.id,
      seq: at,
      object,
      recordId,
      crmId,
      recordName: name,
      fromRepId: from.id,
      toRepId: to.id,
      effectiveDate: '2026-07-01',
      before: payload.before as Record<string, unknown>,
      after: payload.after as Record<string, unknown>,
    } satisfies typeof s.changeSetItems.$inferInsert;
  }
  if (items.length > 0) await db.insert(s.changeSetItems).values(items);
  await db.update(s.changeSets).set({ itemCount: items.length }).where(eq(s.changeSets.id, changeSet!.id));

  const principal: Principal = {
    kind: 'session',
    orgId: org.id,
    orgName: org.name,
    role: 'manager',
    userId: manager.user.id,
    email: manager.user.email,
  };
  if (options.withNotices !== false) {
    await withOrg(db, { orgId: org.id }, async (tx) => {
      const loaded = await loadChangeSet(tx, run!.id);
      const input = await buildNoticeInput(tx, loaded, {
        purpose: 'handoff',
        appBaseUrl: 'http://bookshift.test',
      });
      await writeNoticeDrafts(tx, { orgId: org.id, runId: run!.id, drafts: composeNotices(input).drafts });
    });
  }
  return {
    org,
    run: run!,
    changeSet: changeSet!,
    manager,
    principal,
    reps: { house, boss, departing, receivers },
    moved,
  };
}
