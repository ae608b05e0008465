/**
 * A bound on password hashing at once. scrypt at its recommended cost takes about 128 MiB and a few hundred
 * milliseconds per verification, so a flood of sign-ins (100 at once measured 886 MB and 14.6 s) would take the
 * memory and the thread pool that every other request needs. At most `concurrent` verifications run; up to
 * `waiting` more wait their turn in arrival order; anything beyond is refused at once with 429 and Retry-After,
 * which costs nothing. Throttling by email and address (login-throttle.ts) stops a guesser; this keeps the
 * server up when the flood comes from many addresses.
 */
import { AppError } from '../lib/errors.ts';

export interface HashGate {
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

export function createHashGate(concurrent: number, waiting: number): HashGate {
  let active = 0;
  const queue: Array<() => void> = [];
  const release = () => {
    active -= 1;
    const next = queue.shift();
    if (next) {
      active += 1;
      next();
    }
  };
  return {
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
    async run(work) {
      if (active >= concurrent) {
        if (queue.length >= waiting) {
          throw new AppError(
            'TOO_MANY_REQUESTS',
            'Too many sign-ins at this moment. Try again in a few seconds.',
            {
              headers: { 'Retry-After': '2' },
            },
          );
        }
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        active += 1;
      }
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
