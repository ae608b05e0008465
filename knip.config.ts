/**
 * knip: files, exports and dependencies nothing uses (`npm run check:unused`). An unused export is removed,
 * not listed here; only what is reached in a way knip cannot see is declared, with the reason beside it.
 */
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: [
    // src/index.ts, bin/bookshift.mjs (package.json "bin"), db/migrate.ts and db/seed.ts (npm scripts) are
    // found through package.json; the benchmarks and the tests are entry points of their own.
    'bench/*.ts',
    // The function-length check (npm run check:functions) runs through tsx with its path in package.json.
    'scripts/*.ts',
    'test/**/*.{ts,tsx}',
    // Worker threads are started by URL (`new Worker(new URL('./…-bootstrap.mjs', import.meta.url))` in
    // src/solver/worker/solve-in-worker.ts and src/solver/engines/highs-threads.ts), which knip cannot follow.
    'src/solver/**/*-bootstrap.mjs',
  ],
  project: [
    'src/**/*.{ts,tsx,mjs}',
    'db/**/*.ts',
    'bench/**/*.ts',
    'scripts/**/*.ts',
    'bin/**/*.mjs',
    'test/**/*.{ts,tsx}',
  ],
  // An export used inside its own file is still used; the check is for code nothing reaches.
  ignoreExportsUsedInFile: true,
};

export default config;
