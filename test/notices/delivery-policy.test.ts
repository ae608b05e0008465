import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffMs, decideOutcome, MAX_ATTEMPTS } from '../../src/notices/delivery-policy.ts';
import { type FakeResend, startFakeResend } from '../support/fake-resend.ts';

describe('delivery policy', () => {
  it('backs off exponentially, honours a longer Retry-After, and caps the delay', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(1, 30)).toBe(30_000);
    expect(backoffMs(1, 1)).toBe(2000);
    expect(backoffMs(40)).toBe(600_000);
  });

  it('gives up after the last attempt with the last reason', () => {
    const outcome = decideOutcome(MAX_ATTEMPTS, {
      data: null,
      error: { name: 'internal_server_error', statusCode: 500, message: 'x' },
    });
    expect(outcome).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/gave up after 8 attempts.*HTTP 500/),
    });
  });
});

describe('delivery policy against the real SDK and a faulty provider', () => {
  let fake: FakeResend;
  let resend: Resend;
  const email = { from: 'Bookshift <b@example.com>', to: 'ria@acme.test', subject: 'Hello', text: 'Hi' };
  const send = (key: string, body = email, timeoutMs = 2000) =>
    resend.emails.send(body, { idempotencyKey: key, signal: AbortSignal.timeout(timeoutMs) });

  beforeAll(async () => {
    fake = await startFakeResend();
    resend = new Resend('re_test_key', { baseUrl: fake.url });
  });
  afterAll(() => fake.close());

  it('sends, and a retry with the same key after a dropped connection does not deliver twice', async () => {
    fake.faults.push('accept_then_drop');
    const first = decideOutcome(1, await send('n-1'));
    expect(first.kind).toBe('retry');
    const second = decideOutcome(2, await send('n-1'));
    expect(second).toEqual({ kind: 'sent', providerId: fake.delivered.at(-1)!.id });
    expect(fake.delivered.filter((d) => d.idempotencyKey === 'n-1')).toHaveLength(1);
  });

  it('retries 5xx, 429 (with its Retry-After) and timeouts; fails validation errors and key reuse', async () => {
    fake.faults.push('server_error');
    expect(decideOutcome(1, await send('n-2'))).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/HTTP 500/),
    });
    fake.faults.push('rate_limit');
    expect(decideOutcome(1, await send('n-2'))).toMatchObject({ kind: 'retry', delayMs: 2000 });
    fake.faults.push('timeout');
    expect(decideOutcome(1, await send('n-2', email, 300))).toMatchObject({ kind: 'retry' });
    fake.faults.push('validation_error');
    expect(decideOutcome(1, await send('n-3'))).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/validation_error/),
    });
    expect(decideOutcome(1, await send('n-2'))).toMatchObject({ kind: 'sent' });
    expect(decideOutcome(1, await send('n-2', { ...email, subject: 'Other' }))).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/invalid_idempotent_request/),
    });
    expect(fake.delivered.filter((d) => d.idempotencyKey === 'n-2')).toHaveLength(1);
    expect(fake.delivered.filter((d) => d.idempotencyKey === 'n-3')).toHaveLength(0);
  });
});
