import { fc, test } from '@fast-check/vitest';
import { expect, it } from 'vitest';
import { allocateByWeights } from '../../src/commission/allocate.ts';

const weights = fc
  .array(fc.nat({ max: 20_000 }), { minLength: 1, maxLength: 12 })
  .filter((w) => w.some((x) => x > 0));
const amount = fc.oneof(
  fc.integer({ min: -10_000_000, max: 10_000_000 }),
  fc.maxSafeInteger(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }),
);

test.prop([amount, weights])(
  'parts sum to the total, each within one cent of its exact share',
  (total, w) => {
    const parts = allocateByWeights(total, w);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    const sum = BigInt(w.reduce((a, b) => a + b, 0));
    parts.forEach((part, i) => {
      // |part − total·w/Σw| < 1, checked exactly in integers.
      const diff = BigInt(part) * sum - BigInt(total) * BigInt(w[i]!);
      expect(diff < sum && diff > -sum).toBe(true);
      if (w[i] === 0) expect(part).toBe(0);
    });
  },
);

test.prop([amount, weights])('a credit mirrors its charge', (total, w) => {
  expect(allocateByWeights(-total, w)).toEqual(allocateByWeights(total, w).map((x) => (x === 0 ? 0 : -x)));
});

it('gives tied leftover cents to the earlier part', () => {
  expect(allocateByWeights(1, [1, 1, 1])).toEqual([1, 0, 0]);
  expect(allocateByWeights(2, [1, 1, 1])).toEqual([1, 1, 0]);
  expect(allocateByWeights(100, [1, 2])).toEqual([33, 67]);
});

it('refuses inputs that cannot be allocated', () => {
  expect(() => allocateByWeights(1.5, [1])).toThrow('not a whole number of cents');
  expect(() => allocateByWeights(1, [])).toThrow('zero parts');
  expect(() => allocateByWeights(1, [0, 0])).toThrow('every weight is zero');
  expect(() => allocateByWeights(1, [-1, 2])).toThrow('not a non-negative integer');
});
