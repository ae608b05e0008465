/** Largest-remainder allocation of integer cents by integer weights: the parts always sum to the total. */

/**
 * Splits `total` (integer cents, may be negative) into parts proportional to `weights`
 * (non-negative integers, at least one positive).
 *
 * Rule: each part gets floor(total × weight / Σweights); the cents left over (fewer than the
 * number of parts) go one each to the parts with the largest fractional remainders; equal
 * remainders go to the earlier part (lower index). A negative total is allocated as its
 * absolute value and negated, so a credit mirrors its charge exactly. BigInt keeps
 * total × weight exact beyond 2^53.
 */
export function allocateByWeights(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) throw new RangeError(`Amount ${total} is not a whole number of cents.`);
  if (weights.length === 0) throw new RangeError('Cannot allocate an amount across zero parts.');
  for (const [i, w] of weights.entries()) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new RangeError(`Weight ${i} (${w}) is not a non-negative integer.`);
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new RangeError('Cannot allocate an amount when every weight is zero.');
  if (total < 0) return allocateByWeights(-total, weights).map((part) => (part === 0 ? 0 : -part));

  const bigTotal = BigInt(total);
  const bigSum = BigInt(sum);
  const floors: number[] = [];
  const remainders: bigint[] = [];
  for (const w of weights) {
    const product = bigTotal * BigInt(w);
    floors.push(Number(product / bigSum));
    remainders.push(product % bigSum);
  }
  let left = total - floors.reduce((a, b) => a + b, 0);
  // Stable order: larger remainder first, then lower index.
  const order = weights
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = remainders[a]!;
      const rb = remainders[b]!;
      if (ra !== rb) return ra > rb ? -1 : 1;
      return a - b;
    });
  for (const i of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}
