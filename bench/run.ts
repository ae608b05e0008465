/** `npm run bench` / `npm run bench:ci`: runs the named bench modules (add one to BENCHES); exits 1 if any fails. */
import { loadavg } from 'node:os';

export interface BenchModule {
  run(options: { ci: boolean; args: string[] }): Promise<{ ok: boolean }>;
}

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  solver: () => import('./solver.ts'),
  import: () => import('./import.ts'),
  'review-bulk': () => import('./review-bulk.ts'),
  planted: () => import('./planted.ts'),
  load: () => import('./load.ts'),
};

const args = process.argv.slice(2);
const ci = args.includes('--ci');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
let ok = true;
const t0 = Date.now();
const times: string[] = [];
for (const [name, load] of Object.entries(BENCHES)) {
  if (only && !only.includes(name)) continue;
  console.log(`\n## bench: ${name}${ci ? ' (ci)' : ''}\n`);
  const started = Date.now();
  const bench = await load();
  const result = await bench.run({ ci, args });
  if (!result.ok) ok = false;
  times.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
// The step's wall time (CI keeps it well under 2 minutes on a quiet machine); with the load beside it.
console.log(
  `\nbench${ci ? ' (ci)' : ''}: ${((Date.now() - t0) / 1000).toFixed(1)} s (${times.join(', ')}); load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exitCode = ok ? 0 : 1;
