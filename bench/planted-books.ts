/**
 * Planted books: seeded instances whose optimum is known to be 0. Every staying rep of a region has a
 * planted book of the same number of accounts and exactly the same revenue (heavy-tailed lognormal
 * revenues scaled to the region's target, in whole cents). The rep owns part of it; the rest is owned by
 * a departing rep of the region (departure) or by nobody yet (realignment: new accounts). Giving every
 * rep its planted book balances count and revenue exactly and moves no account away from a staying
 * owner, so the objective is 0; no answer can be below 0. Caps are at least the planted book.
 */
import type { SolveInputRaw } from '../src/solver/input.ts';
import { mulberry32 } from '../src/solver/prng.ts';
import type { InstanceSize } from './solver-instances.ts';

const REGION_NAMES = ['West', 'East', 'North', 'South', 'Central', 'Pacific', 'Mountain', 'Atlantic'];

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** `n` lognormal revenues (μ=10, σ=1.5, in cents) scaled to sum to exactly `total` cents, each ≥ 1. */
function revenuesSumming(rand: () => number, n: number, total: number): number[] {
  const raw = Array.from({ length: n }, () => Math.exp(10 + 1.5 * normal(rand)));
  const sum = raw.reduce((a, b) => a + b, 0);
  const out = raw.map((x) => Math.max(1, Math.floor((x / sum) * total)));
  let rest = total - out.reduce((a, b) => a + b, 0);
  // Rounding leaves a few cents: they go to the largest accounts (never below 1 cent).
  const order = out.map((_, i) => i).sort((a, b) => out[b]! - out[a]!);
  for (let i = 0; rest !== 0; i = (i + 1) % n) {
    const step = rest > 0 ? 1 : out[order[i]!]! > 1 ? -1 : 0;
    out[order[i]!]! += step;
    rest -= step;
  }
  return out;
}

/**
 * A book of `size` whose best answer scores exactly 0 (see the file comment). The share of accounts to
 * place is about 5 % (departure, as SOLVER-LAB's departing reps hold) or 20 % (realignment's new accounts).
 */
export function plantedBook(
  size: Pick<InstanceSize, 'accounts' | 'reps' | 'regions'>,
  kind: 'departure' | 'realignment',
  seed = 1,
): SolveInputRaw {
  const rand = mulberry32(seed * 2_000_003 + size.accounts * 13 + size.reps + (kind === 'departure' ? 0 : 1));
  const G = size.regions;
  const departingPerRegion = kind === 'departure' ? Math.max(1, Math.round(size.reps / 25 / G)) : 0;
  const reps: NonNullable<SolveInputRaw['reps']> = [];
  const accounts: SolveInputRaw['accounts'] = [];
  const toPlace = kind === 'departure' ? 0.05 : 0.2;
  let repNo = 0;
  let accountNo = 0;
  for (let g = 0; g < G; g++) {
    const region = REGION_NAMES[g % REGION_NAMES.length]!;
    const repsHere = Math.floor(size.reps / G) + (g < size.reps % G ? 1 : 0);
    const stayingHere = Math.max(2, repsHere - departingPerRegion);
    const departing = Array.from(
      { length: repsHere - stayingHere },
      () => `R${String(++repNo).padStart(4, '0')}`,
    );
    const accountsHere = Math.floor(size.accounts / G) + (g < size.accounts % G ? 1 : 0);
    const perRep = Math.max(2, Math.floor(accountsHere / stayingHere));
    // The region's target revenue per rep: the book of a mean account, perRep times.
    const target = Math.round(perRep * Math.exp(10 + 1.5 ** 2 / 2) * 100);
    for (const id of departing) reps.push({ id, name: `Rep ${id.slice(1)}`, region, departing: true });
    for (let s = 0; s < stayingHere; s++) {
      const id = `R${String(++repNo).padStart(4, '0')}`;
      const f = 0.8 + 0.4 * rand();
      reps.push({
        id,
        name: `Rep ${repNo}`,
        region,
        maxAccounts: Math.max(perRep, Math.ceil(f * 1.15 * perRep)),
        maxRevenueCents: Math.max(target, Math.round(f * 1.25 * target)),
      });
      const book = revenuesSumming(rand, perRep, target);
      // At least one account of each planted book is to place, so every rep needs the placement.
      const placeAt = Math.floor(rand() * perRep);
      book.forEach((revenueCents, i) => {
        const place = i === placeAt || rand() < toPlace;
        const ownerId = !place
          ? id
          : kind === 'departure'
            ? departing[Math.floor(rand() * departing.length)]!
            : null;
        accountNo++;
        accounts.push({
          id: `A${String(accountNo).padStart(6, '0')}`,
          name: `Account ${accountNo}`,
          ownerId,
          revenueCents,
          region,
          protected: false,
        });
      });
    }
  }
  // Shuffled so the planted books are not contiguous in the input.
  for (let i = accounts.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [accounts[i], accounts[j]] = [accounts[j]!, accounts[i]!];
  }
  return { kind, objective: 'l1', accounts, reps };
}
