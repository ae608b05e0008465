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

/** One process's view of the shared slots: the leases it holds and the what-ifs waiting here, in arrival order. */
interface SlotState {
  db: Database;
  limits: SolveSlotLimits;
  holder: string;
  pollMs: number;
  held: Map<string, Held>;
  queue: Waiter[];
  heartbeat: NodeJS.Timeout | null;
  poll: NodeJS.Timeout | null;
  pumping: boolean;
  pumpAgain: boolean;
}

export function createSolveSlots(
  db: Database,
  limits: SolveSlotLimits,
  options: { holder?: string; pollMs?: number } = {},
): SolveSlots {
  const s: SlotState = {
    db,
    limits,
    holder: options.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`,
    pollMs: options.pollMs ?? POLL_MS,
    held: new Map<string, Held>(),
    queue: [],
    heartbeat: null,
    poll: null,
    pumping: false,
    pumpAgain: false,
  };
  return {
    get held() {
      return s.held.size;
    },
    get waiting() {
      return s.queue.length;
    },
    async tryAcquireRun(orgId) {
      // What-ifs of this org waiting here came first.
      if (s.queue.some((w) => w.orgId === orgId)) return null;
      return (await claim(s, orgId, 'run')).slot;
    },
    async acquire(orgId, signal) {
      if (signal?.aborted) throw new AppError('BAD_REQUEST', 'The request was cancelled.');
      // Nobody waits here: a request that fits goes first (one org at its share never holds up another's).
      if (s.queue.length === 0) {
        const { slot } = await claim(s, orgId, 'what_if');
        if (slot) return slot;
      }
      if (s.queue.length >= limits.waiting) throw tooMany();
      return wait(s, orgId, signal);
    },
  };
}

const tooMany = () =>
  new AppError(
    'TOO_MANY_REQUESTS',
    'Too many what-if solves are running or waiting; try again in a few seconds.',
    {
      headers: { 'Retry-After': '5' },
    },
  );

/** Renews every lease held, per org; a lease the database says is gone aborts its solve. */
async function renew(s: SlotState) {
  const byOrg = new Map<string, string[]>();
  for (const [id, h] of s.held) byOrg.set(h.orgId, [...(byOrg.get(h.orgId) ?? []), id]);
  for (const [orgId, ids] of byOrg) {
    // A failed renewal (database unreachable) is tried again at the next beat; only a lease the database says
    // is gone is lost.
    const kept = await renewSolveSlots(s.db, orgId, ids, s.limits.leaseSeconds).catch(() => null);
    if (!kept) continue;
    for (const id of ids) {
      const h = s.held.get(id);
      if (kept.has(id) || !h) continue;
      s.held.delete(id);
      h.controller.abort(new Error('solver slot lease lost'));
    }
  }
  if (s.held.size === 0) stopHeartbeat(s);
}

function stopHeartbeat(s: SlotState) {
  if (s.heartbeat) clearInterval(s.heartbeat);
  s.heartbeat = null;
}

/** Claims a slot in the database; `globalFull` says no org could have one now. */
async function claim(
  s: SlotState,
  orgId: string,
  kind: SolveSlotKind,
): Promise<{ slot: SolveSlot | null; globalFull: boolean }> {
  const { limits } = s;
  const claimed = await claimSolveSlot(s.db, {
    orgId,
    kind,
    holder: s.holder,
    leaseSeconds: limits.leaseSeconds,
    maxGlobal: limits.global,
    maxPerOrg: limits.perOrg,
  });
  if (!claimed.slotId) return { slot: null, globalFull: claimed.inUse >= limits.global };
  const id = claimed.slotId;
  const controller = new AbortController();
  s.held.set(id, { orgId, controller });
  if (!s.heartbeat) {
    s.heartbeat = setInterval(() => void renew(s), Math.max(200, (limits.leaseSeconds * 1000) / 3));
    s.heartbeat.unref();
  }
  let released = false;
  const slot: SolveSlot = {
    signal: controller.signal,
    async release() {
      if (released) return;
      released = true;
      s.held.delete(id);
      if (s.held.size === 0) stopHeartbeat(s);
      // Should the delete fail, the lease still expires after leaseSeconds.
      await releaseSolveSlot(s.db, orgId, id).catch(() => {});
      void pump(s);
    },
  };
  return { slot, globalFull: false };
}

/** Grants waiting what-ifs in arrival order while slots are free; one claim per org per pass. */
async function pump(s: SlotState): Promise<void> {
  if (s.pumping) {
    s.pumpAgain = true;
    return;
  }
  s.pumping = true;
  try {
    do {
      s.pumpAgain = false;
      await grantWaiting(s);
    } while (s.pumpAgain);
  } finally {
    s.pumping = false;
    if (s.poll) clearTimeout(s.poll);
    s.poll = null;
    if (s.queue.length > 0) {
      s.poll = setTimeout(() => void pump(s), s.pollMs);
      s.poll.unref();
    }
  }
}

/** One pass over the queue: each org's first waiter tries a claim; a full instance-wide limit ends the pass. */
async function grantWaiting(s: SlotState) {
  const { queue } = s;
  const tried = new Set<string>();
  for (const waiter of [...queue]) {
    if (tried.has(waiter.orgId) || !queue.includes(waiter)) continue;
    tried.add(waiter.orgId);
    let outcome: Awaited<ReturnType<typeof claim>>;
    try {
      outcome = await claim(s, waiter.orgId, 'what_if');
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
}

/** Joins the queue until a slot is granted, or the request is cancelled. */
function wait(s: SlotState, orgId: string, signal: AbortSignal | undefined): Promise<SolveSlot> {
  const cancelled = () =>
    new AppError('BAD_REQUEST', 'The request was cancelled while waiting for a solver.');
  return new Promise<SolveSlot>((resolve, reject) => {
    const onAbort = () => {
      const index = s.queue.indexOf(waiter);
      if (index >= 0) s.queue.splice(index, 1);
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
    s.queue.push(waiter);
    void pump(s);
  });
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
