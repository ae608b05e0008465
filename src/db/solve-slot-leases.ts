/**
 * The solver slots of every instance on this database (db/schema/solve-slots.ts): claim one through the
 * SECURITY DEFINER function solve_slot_claim() (migration 0012: both limits counted over every org's live leases
 * under one lock), renew the ones this process holds, release one. Each runs in its own short transaction in the
 * org (src/db/tenancy.ts), read committed (the claim refuses any other isolation).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.ts';
import { queryRows } from './query-rows.ts';
import { withOrg } from './tenancy.ts';

export type SolveSlotKind = 'run' | 'what_if';

export interface SlotClaimRequest {
  orgId: string;
  kind: SolveSlotKind;
  /** The process claiming (operations read it; leases are released by id). */
  holder: string;
  leaseSeconds: number;
  maxGlobal: number;
  maxPerOrg: number;
}

export interface SlotClaim {
  /** The lease's id, or null when a limit is reached. */
  slotId: string | null;
  /** Live leases before this claim: of every org, and of this org. */
  inUse: number;
  orgInUse: number;
}

const READ_COMMITTED = { transaction: { isolationLevel: 'read committed' as const } };

export async function claimSolveSlot(db: Database, request: SlotClaimRequest): Promise<SlotClaim> {
  const { orgId, kind, holder, leaseSeconds, maxGlobal, maxPerOrg } = request;
  const [row] = await withOrg(
    db,
    { orgId },
    (tx) =>
      queryRows<{ slot_id: string | null; in_use: number | string; org_in_use: number | string }>(
        tx,
        sql`select slot_id, in_use, org_in_use from solve_slot_claim(${kind}, ${holder}, ${leaseSeconds}, ${maxGlobal}, ${maxPerOrg})`,
      ),
    READ_COMMITTED,
  );
  if (!row) throw new Error('solve_slot_claim returned no row');
  return { slotId: row.slot_id ?? null, inUse: Number(row.in_use), orgInUse: Number(row.org_in_use) };
}

/**
 * Extends the leases of one org this process still holds; returns the ids renewed. A lease missing from the
 * answer has expired (this process stalled longer than the lease) and may already count for someone else.
 */
export async function renewSolveSlots(
  db: Database,
  orgId: string,
  slotIds: readonly string[],
  leaseSeconds: number,
): Promise<Set<string>> {
  if (slotIds.length === 0) return new Set();
  const rows = await withOrg(db, { orgId }, (tx) =>
    queryRows<{ id: string }>(
      tx,
      sql`update solve_slots
          set expires_at = clock_timestamp() + make_interval(secs => ${leaseSeconds}),
              heartbeat_at = clock_timestamp()
          where id in (${sql.join(
            slotIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )}) and expires_at > clock_timestamp()
          returning id`,
    ),
  );
  return new Set(rows.map((r) => String(r.id)));
}

export async function releaseSolveSlot(db: Database, orgId: string, slotId: string): Promise<void> {
  await withOrg(db, { orgId }, (tx) => tx.execute(sql`delete from solve_slots where id = ${slotId}::uuid`));
}
