/** Issue 15: what-if solves share slots — a global and a per-org bound, a bounded queue, 429 beyond it. */
import { describe, expect, it } from 'vitest';
import { createSolveSlots } from '../../../src/services/solve/solve-slots.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('solve slots', () => {
  it('holds one org to its share while another org’s request goes first', async () => {
    const slots = createSolveSlots({ global: 2, perOrg: 1, waiting: 4 });
    const a1 = await slots.acquire('A');
    let a2Granted = false;
    const a2 = slots.acquire('A').then((release) => {
      a2Granted = true;
      return release;
    });
    const b1 = await slots.acquire('B'); // the second global slot: B is not behind A's queue
    await tick();
    expect(a2Granted).toBe(false);
    expect(slots.running).toBe(2);
    a1();
    const release = await a2;
    expect(a2Granted).toBe(true);
    release();
    b1();
    expect(slots.running).toBe(0);
  });

  it('refuses beyond the queue with 429 and Retry-After, at once', async () => {
    const slots = createSolveSlots({ global: 1, perOrg: 1, waiting: 1 });
    const held = await slots.acquire('A');
    const queued = slots.acquire('A');
    await expect(slots.acquire('B')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    held();
    (await queued)();
    expect(slots.running + slots.waiting).toBe(0);
  });

  it('a waiting request whose client went away leaves the queue and never runs', async () => {
    const slots = createSolveSlots({ global: 1, perOrg: 1, waiting: 2 });
    const held = await slots.acquire('A');
    const controller = new AbortController();
    const waiting = slots.acquire('A', controller.signal);
    expect(slots.waiting).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(slots.waiting).toBe(0);
    held();
    expect(slots.running).toBe(0);
  });

  it('tryAcquire (run solves) shares the same global and per-org limits and never waits', () => {
    const slots = createSolveSlots({ global: 2, perOrg: 1, waiting: 4 });
    const a = slots.tryAcquire('A');
    expect(a).not.toBeNull();
    expect(slots.tryAcquire('A')).toBeNull();
    const b = slots.tryAcquire('B');
    expect(b).not.toBeNull();
    expect(slots.tryAcquire('C')).toBeNull();
    expect(slots.waiting).toBe(0);
    a!();
    expect(slots.tryAcquire('C')).not.toBeNull();
  });
});
