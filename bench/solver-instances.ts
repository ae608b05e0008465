/**
 * Seeded instance generator reproducing SOLVER-LAB's books: lognormal revenue (μ=10, σ=1.5), uneven books,
 * regions, protected accounts, departing reps and caps loosened until first-fit-decreasing places everything.
 */
import type { SolveInputRaw } from '../src/solver/input.ts';
import { mulberry32 } from '../src/solver/prng.ts';

export interface InstanceSize {
  name: string;
  accounts: number;
  reps: number;
  regions: number;
}

export const INSTANCE_SIZES: InstanceSize[] = [
  { name: '60x6', accounts: 60, reps: 6, regions: 2 },
  { name: '300x12', accounts: 300, reps: 12, regions: 3 },
  { name: '1000x20', accounts: 1000, reps: 20, regions: 3 },
  { name: '5000x50', accounts: 5000, reps: 50, regions: 4 },
  { name: '20000x100', accounts: 20000, reps: 100, regions: 4 },
  { name: '100000x300', accounts: 100000, reps: 300, regions: 5 },
];

const REGION_NAMES = ['West', 'East', 'North', 'South', 'Central', 'Pacific', 'Mountain', 'Atlantic'];

function normal(rand: () => number): number {
  // Box-Muller; 1 - rand() avoids log(0).
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function generateInstance(
  size: Pick<InstanceSize, 'accounts' | 'reps' | 'regions'>,
  kind: 'departure' | 'realignment',
  seed = 1,
  objective: 'l1' | 'minimax' = 'l1',
): SolveInputRaw {
  const rand = mulberry32(seed * 1_000_003 + size.accounts * 7 + size.reps);
  const G = size.regions;
  const reps = Array.from({ length: size.reps }, (_, i) => ({
    id: `R${String(i + 1).padStart(4, '0')}`,
    name: `Rep ${i + 1}`,
    region: REGION_NAMES[i % G]!,
    weight: 1,
    departing: false,
    mayReceive: true,
    drawWeight: Math.exp(0.35 * normal(rand)),
    capFactor: 0.8 + 0.4 * rand(),
  }));
  // Departing reps spread over the regions, keeping at least two staying reps per region.
  const departingCount = Math.max(2, Math.floor(size.reps / 25));
  for (let d = 0; d < departingCount; d++) {
    const g = d % G;
    const inRegion = reps.filter((r) => r.region === REGION_NAMES[g] && !r.departing);
    if (inRegion.length > 2) inRegion[Math.floor(rand() * inRegion.length)]!.departing = true;
  }
  const byRegion = REGION_NAMES.slice(0, G).map((name) => reps.filter((r) => r.region === name));
  const accounts = Array.from({ length: size.accounts }, (_, i) => {
    const g = Math.floor(rand() * G);
    const pool = byRegion[g]!;
    const total = pool.reduce((s, r) => s + r.drawWeight, 0);
    let x = rand() * total;
    let owner = pool[pool.length - 1]!;
    for (const r of pool) {
      x -= r.drawWeight;
      if (x <= 0) {
        owner = r;
        break;
      }
    }
    const revenueCents = Math.round(Math.exp(10 + 1.5 * normal(rand)) * 100);
    const hasOpenDeal = rand() < 0.2;
    const day = 1 + Math.floor(rand() * 90);
    const close = new Date(Date.UTC(2025, 0, 15 + day)).toISOString().slice(0, 10);
    return {
      id: `A${String(i + 1).padStart(6, '0')}`,
      name: `Account ${i + 1}`,
      ownerId: owner.id,
      revenueCents,
      region: REGION_NAMES[g]!,
      protected: false,
      hasOpenDeal,
      ...(hasOpenDeal ? { nextCloseDate: close } : {}),
    };
  });
  const sorted = [...accounts].sort((a, b) => b.revenueCents - a.revenueCents);
  const top = Math.ceil(accounts.length * 0.05);
  sorted.forEach((a, i) => {
    a.protected = rand() < (i < top ? 0.5 : 0.05);
  });

  // Caps per staying rep, computed on what the kind keeps fixed, loosened until FFD places everything.
  const repOut = reps.map((r) => ({
    id: r.id,
    name: r.name,
    region: r.region,
    departing: r.departing,
    mayReceive: r.mayReceive,
    weight: r.weight,
    maxAccounts: undefined as number | undefined,
    maxRevenueCents: undefined as number | undefined,
  }));
  for (let g = 0; g < G; g++) {
    const region = REGION_NAMES[g]!;
    const staying = repOut.filter((r) => r.region === region && !r.departing);
    const inRegion = accounts.filter((a) => a.region === region);
    const departingIds = new Set(repOut.filter((r) => r.departing).map((r) => r.id));
    const isMovable = (a: (typeof accounts)[number]) =>
      departingIds.has(a.ownerId) || (kind === 'realignment' && !a.protected);
    const fixedCount = new Map<string, number>();
    const fixedRev = new Map<string, number>();
    for (const a of inRegion) {
      if (isMovable(a)) continue;
      fixedCount.set(a.ownerId, (fixedCount.get(a.ownerId) ?? 0) + 1);
      fixedRev.set(a.ownerId, (fixedRev.get(a.ownerId) ?? 0) + a.revenueCents);
    }
    const meanCount = inRegion.length / staying.length;
    const meanRev = inRegion.reduce((s, a) => s + a.revenueCents, 0) / staying.length;
    const movable = inRegion.filter(isMovable).sort((a, b) => b.revenueCents - a.revenueCents);
    for (let loosen = 1; loosen < 10; loosen *= 1.05) {
      for (const r of staying) {
        const f = reps.find((x) => x.id === r.id)!.capFactor * loosen;
        r.maxAccounts = Math.max(Math.ceil(f * 1.15 * meanCount), fixedCount.get(r.id) ?? 0);
        r.maxRevenueCents = Math.max(Math.round(f * 1.25 * meanRev), fixedRev.get(r.id) ?? 0);
      }
      if (ffdPlaces(staying, movable, fixedCount, fixedRev)) break;
    }
  }

  return {
    kind,
    objective,
    asOfDate: '2025-01-15',
    accounts,
    reps: repOut.map(({ maxAccounts, maxRevenueCents, ...r }) => ({
      ...r,
      ...(maxAccounts !== undefined ? { maxAccounts } : {}),
      ...(maxRevenueCents !== undefined ? { maxRevenueCents } : {}),
    })),
  };
}

function ffdPlaces(
  staying: { id: string; maxAccounts?: number | undefined; maxRevenueCents?: number | undefined }[],
  movable: { revenueCents: number }[],
  fixedCount: Map<string, number>,
  fixedRev: Map<string, number>,
): boolean {
  const n = staying.map((r) => fixedCount.get(r.id) ?? 0);
  const v = staying.map((r) => fixedRev.get(r.id) ?? 0);
  for (const a of movable) {
    let best = -1;
    let bestSlack = Number.NEGATIVE_INFINITY;
    staying.forEach((r, i) => {
      const cc = r.maxAccounts!;
      const cr = r.maxRevenueCents!;
      if (n[i]! + 1 > cc || v[i]! + a.revenueCents > cr) return;
      const slack = Math.min((cc - n[i]! - 1) / cc, (cr - v[i]! - a.revenueCents) / cr);
      if (slack > bestSlack) {
        bestSlack = slack;
        best = i;
      }
    });
    if (best < 0) return false;
    n[best]! += 1;
    v[best]! += a.revenueCents;
  }
  return true;
}
