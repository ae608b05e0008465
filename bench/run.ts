/** `npm run bench` / `npm run bench:ci`: runs the named bench modules (add one to BENCHES); exits 1 if any fails. */
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
for (const [name, load] of Object.entries(BENCHES)) {
  if (only && !only.includes(name)) continue;
  console.log(`\n## bench: ${name}${ci ? ' (ci)' : ''}\n`);
  const bench = await load();
  const result = await bench.run({ ci, args });
  if (!result.ok) ok = false;
}
process.exitCode = ok ? 0 : 1;
