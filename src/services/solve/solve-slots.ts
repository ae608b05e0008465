/**
 * Solves as a shared resource: at most SOLVE_MAX_CONCURRENT solves at once in this process and
 * SOLVE_MAX_PER_ORG for one org, what-ifs and run solves together, each a worker thread with its own memory
 * (12 concurrent 5,000 × 50 what-ifs added 1.2 GB and pushed /health to 2.8 s). Further what-if requests wait
 * in arrival order, up to WHAT_IF_MAX_WAITING; beyond that they are refused at once with 429 and Retry-After.
 * A waiting request whose client goes away (its signal aborts) leaves the queue without solving. A run solve
 * (a job) takes a slot only when one is free now (tryAcquire); otherwise its job waits in the job queue.
 */
import { AppError } from '../../lib/errors.ts';

export interface SolveSlotLimits {
  global: number;
  perOrg: number;
  waiting: number;
}

interface Waiter {
  orgId: string;
  grant: () => void;
}

export interface SolveSlots {
  /** Waits for a slot; the returned function frees it (call it once, in a finally). */
  acquire(orgId: string, signal?: AbortSignal): Promise<() => void>;
  /** A slot if one is free now for this org (the release function), else null; never waits. */
  tryAcquire(orgId: string): (() => void) | null;
  readonly running: number;
  readonly waiting: number;
}

export function createSolveSlots(limits: SolveSlotLimits): SolveSlots {
  let running = 0;
  const perOrg = new Map<string, number>();
  const queue: Waiter[] = [];
  const fits = (orgId: string) => running < limits.global && (perOrg.get(orgId) ?? 0) < limits.perOrg;
  const take = (orgId: string) => {
    running += 1;
    perOrg.set(orgId, (perOrg.get(orgId) ?? 0) + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      running -= 1;
      const left = (perOrg.get(orgId) ?? 1) - 1;
      if (left > 0) perOrg.set(orgId, left);
      else perOrg.delete(orgId);
      // The first waiter that now fits (another org's may, while this org is still at its limit).
      const index = queue.findIndex((w) => fits(w.orgId));
      if (index >= 0) queue.splice(index, 1)[0]!.grant();
    };
  };
  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    tryAcquire(orgId) {
      // Waiting what-ifs do not fit (a release grants the first that does), so this jumps no one who could run.
      return fits(orgId) ? take(orgId) : null;
    },
    acquire(orgId, signal) {
      if (signal?.aborted) return Promise.reject(new AppError('BAD_REQUEST', 'The request was cancelled.'));
      // Whoever waits does not fit now (a release grants the first that does), so a request that fits goes
      // first: one org at its share never holds up another's.
      if (fits(orgId)) return Promise.resolve(take(orgId));
      if (queue.length >= limits.waiting) {
        return Promise.reject(
          new AppError(
            'TOO_MANY_REQUESTS',
            'Too many what-if solves are running or waiting; try again in a few seconds.',
            { headers: { 'Retry-After': '5' } },
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          orgId,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(take(orgId));
          },
        };
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(new AppError('BAD_REQUEST', 'The request was cancelled while waiting for a solver.'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}

const shared = new Map<string, SolveSlots>();

/** The limits of this process's solves from the environment. */
export function solveSlotLimits(env: {
  SOLVE_MAX_CONCURRENT: number;
  SOLVE_MAX_PER_ORG: number;
  WHAT_IF_MAX_WAITING: number;
}): SolveSlotLimits {
  return {
    global: env.SOLVE_MAX_CONCURRENT,
    perOrg: env.SOLVE_MAX_PER_ORG,
    waiting: env.WHAT_IF_MAX_WAITING,
  };
}

/** The process's slots for these limits (one set per configuration, so tests with other limits stay apart). */
export function solveSlotsFor(limits: SolveSlotLimits): SolveSlots {
  const id = `${limits.global}/${limits.perOrg}/${limits.waiting}`;
  let slots = shared.get(id);
  if (!slots) {
    slots = createSolveSlots(limits);
    shared.set(id, slots);
  }
  return slots;
}
