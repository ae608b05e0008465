import { defineConfig } from 'vitest/config';

// One config for every kind of test; files are named by what they need:
// *.test.ts (pure), *.prop.test.ts (fast-check), *.integration.test.ts (database), *.e2e.test.ts (Chromium).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
