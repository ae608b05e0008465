/**
 * Solves as a shared resource: at most SOLVE_MAX_CONCURRENT solves at once and SOLVE_MAX_PER_ORG for one org,
 * what-ifs and run solves together, across every app instance on the database. Each solve is a worker thread
 * with its own memory (12 concurrent 5,000 × 50 what-ifs added 1.2 GB and pushed /health to 2.8 s).
 *
 * A slot is a lease row (src/db/solve-slot-leases.ts): claimed atomically against both limits, renewed by this
 * process every third of the lease while the solve runs, deleted when it ends (done, failed or cancelled). A
 * crashed process's leases stop counting when they expire; a lease this process fails to renew (it stalled past
 * the lease) aborts its solve through the slot's signal, since its place may already be someone else's.
 *
 * What-ifs that find no slot wait in this process, in arrival order, up to WHAT_IF_MAX_WAITING (their bodies
 * live in its memory); beyond that they are refused at once with 429 and Retry-After. Waiters look again when
 * this process frees a slot and every POLL_MS (another instance's release is seen no later). A waiting request
 * whose client goes away (its signal aborts) leaves the queue without solving. A run solve (a job) takes a slot
 * only when one is free now (tryAcquireRun); otherwise its job waits in the job queue.
 */
import { hostname } from 'node:os';
import type { Database } from '../../db/client.ts';
import {
  claimSolveSlot,
  releaseSolveSlot,
  renewSolveSlots,
  type SolveSlotKind,
} from '../../db/solve-slot-leases.ts';
import { AppError } from '../../lib/errors.ts';

export interface SolveSlotLimits {
  global: number;
  perOrg: number;
  waiting: number;
  /** How long a lease lasts without renewal: a crashed process's slots return after this. */
  leaseSeconds: number;
}

/** A held slot: solve while it is held, then release it once (in a finally). */
export interface SolveSlot {
  /** Aborts when the lease was lost (not renewed in time): stop solving. */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface SolveSlots {
  /** A what-if's slot: waits for one (429 when too many wait already). */
  acquire(orgId: string, signal?: AbortSignal): Promise<SolveSlot>;
  /** A run solve's slot if one is free now for this org, else null; never waits. */
  tryAcquireRun(orgId: string): Promise<SolveSlot | null>;
  /** Slots this process holds, and what-ifs waiting in it. */
  readonly held: number;
  readonly waiting: number;
}

/** How often waiting what-ifs look for a slot freed by another instance. */
export const POLL_MS = 250;

interface Waiter {
  orgId: string;
  grant(slot: SolveSlot): void;
  fail(error: unknown): void;
}

interface Held {
  orgId: string;
  controller: AbortController;
}

export function createSolveSlots(
  db: Database,
  limits: SolveSlotLimits,
  options: { holder?: string; pollMs?: number } = {},
): SolveSlots {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const pollMs = options.pollMs ?? POLL_MS;
  const held = new Map<string, Held>();
  const queue: Waiter[] = [];
  let heartbeat: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let pumping = false;
  let pumpAgain = false;

  const renew = async () => {
    const byOrg = new Map<string, string[]>();
    for (const [id, h] of held) byOrg.set(h.orgId, [...(byOrg.get(h.orgId) ?? []), id]);
    for (const [orgId, ids] of byOrg) {
      // A failed renewal (database unreachable) is tried again at the next beat; only a lease the database says
      // is gone is lost.
      const kept = await renewSolveSlots(db, orgId, ids, limits.leaseSeconds).catch(() => null);
      if (!kept) continue;
      for (const id of ids) {
        const h = held.get(id);
        if (kept.has(id) || !h) continue;
        held.delete(id);
        h.controller.abort(new Error('solver slot lease lost'));
      }
    }
    if (held.size === 0) stopHeartbeat();
  };
  const stopHeartbeat = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };

  const claim = async (orgId: string, kind: SolveSlotKind) => {
    const claimed = await claimSolveSlot(db, {
      orgId,
      kind,
      holder,
      leaseSeconds: limits.leaseSeconds,
      maxGlobal: limits.global,
      maxPerOrg: limits.perOrg,
    });
    if (!claimed.slotId) return { slot: null, globalFull: claimed.inUse >= limits.global };
    const id = claimed.slotId;
    const controller = new AbortController();
    held.set(id, { orgId, controller });
    if (!heartbeat) {
      heartbeat = setInterval(() => void renew(), Math.max(200, (limits.leaseSeconds * 1000) / 3));
      heartbeat.unref();
    }
    let released = false;
    const slot: SolveSlot = {
      signal: controller.signal,
      async release() {
        if (released) return;
        released = true;
        held.delete(id);
        if (held.size === 0) stopHeartbeat();
        // Should the delete fail, the lease still expires after leaseSeconds.
        await releaseSolveSlot(db, orgId, id).catch(() => {});
        void pump();
      },
    };
    return { slot, globalFull: false };
  };

  /** Grants waiting what-ifs in arrival order while slots are free; one claim per org per pass. */
  const pump = async (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        const tried = new Set<string>();
        for (const waiter of [...queue]) {
          if (tried.has(waiter.orgId) || !queue.includes(waiter)) continue;
          tried.add(waiter.orgId);
          let outcome: Awaited<ReturnType<typeof claim>>;
          try {
            outcome = await claim(waiter.orgId, 'what_if');
          } catch (error) {
            queue.splice(queue.indexOf(waiter), 1);
            waiter.fail(error);
            continue;
          }
          if (outcome.slot) {
            const index = queue.indexOf(waiter);
            // Gone while the claim ran (its client left): the slot goes straight back.
            if (index < 0) await outcome.slot.release();
            else {
              queue.splice(index, 1);
              waiter.grant(outcome.slot);
            }
          } else if (outcome.globalFull) break;
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
      if (poll) clearTimeout(poll);
      poll = null;
      if (queue.length > 0) {
        poll = setTimeout(() => void pump(), pollMs);
        poll.unref();
      }
    }
  };

  const tooMany = () =>
    new AppError(
      'TOO_MANY_REQUESTS',
      'Too many what-if solves are running or waiting; try again in a few seconds.',
      {
        headers: { 'Retry-After': '5' },
      },
    );

  return {
    get held() {
      return held.size;
    },
    get waiting() {
      return queue.length;
    },
    async tryAcquireRun(orgId) {
      // What-ifs of this org waiting here came first.
      if (queue.some((w) => w.orgId === orgId)) return null;
      return (await claim(orgId, 'run')).slot;
    },
    async acquire(orgId, signal) {
      const cancelled = () =>
        new AppError('BAD_REQUEST', 'The request was cancelled while waiting for a solver.');
      if (signal?.aborted) throw new AppError('BAD_REQUEST', 'The request was cancelled.');
      // Nobody waits here: a request that fits goes first (one org at its share never holds up another's).
      if (queue.length === 0) {
        const { slot } = await claim(orgId, 'what_if');
        if (slot) return slot;
      }
      if (queue.length >= limits.waiting) throw tooMany();
      return new Promise<SolveSlot>((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(cancelled());
        };
        const waiter: Waiter = {
          orgId,
          grant: (slot) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(slot);
          },
          fail: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        void pump();
      });
    },
  };
}

/** The limits of solves from the environment (the same on every instance of a deployment). */
export function solveSlotLimits(env: {
  SOLVE_MAX_CONCURRENT: number;
  SOLVE_MAX_PER_ORG: number;
  WHAT_IF_MAX_WAITING: number;
  SOLVE_SLOT_LEASE_SECONDS: number;
}): SolveSlotLimits {
  return {
    global: env.SOLVE_MAX_CONCURRENT,
    perOrg: env.SOLVE_MAX_PER_ORG,
    waiting: env.WHAT_IF_MAX_WAITING,
    leaseSeconds: env.SOLVE_SLOT_LEASE_SECONDS,
  };
}

const shared = new WeakMap<Database, Map<string, SolveSlots>>();

/**
 * This process's slots on this database for these limits: one set, whose heartbeat renews every lease it holds
 * (tests with another database or other limits get their own).
 */
export function solveSlotsFor(db: Database, limits: SolveSlotLimits): SolveSlots {
  const id = `${limits.global}/${limits.perOrg}/${limits.waiting}/${limits.leaseSeconds}`;
  let byLimits = shared.get(db);
  if (!byLimits) {
    byLimits = new Map();
    shared.set(db, byLimits);
  }
  let slots = byLimits.get(id);
  if (!slots) {
    slots = createSolveSlots(db, limits);
    byLimits.set(id, slots);
  }
  return slots;
}
