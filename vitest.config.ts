import { defineConfig } from 'vitest/config';

/**
 * Files whose tests count time or need the machine's cores to themselves: the solver (time limits, worker
 * threads), Chromium, the CLI and servers started as processes, jobs and solve slots with leases and polling, and
 * the property tests that run thousands of solves. They run one file at a time, after the rest.
 */
const ONE_AT_A_TIME = [
  'test/e2e/**',
  'test/solver/**',
  'test/cli/**',
  'test/jobs/**',
  'test/reliability/**',
  'test/app/start.integration.test.ts',
  'test/services/solve/**',
  'test/**/*.prop.test.ts',
];

const shared = {
  environment: 'node',
  pool: 'forks',
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

// One config for every kind of test; files are named by what they need:
// *.test.ts (pure), *.prop.test.ts (fast-check), *.integration.test.ts (database), *.e2e.test.ts (Chromium).
// Two groups: the rest first on two workers (each file has its own database and orgs), then the timed files
// alone (`sequence.groupOrder`).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'side-by-side',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['**/node_modules/**', ...ONE_AT_A_TIME],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'one-at-a-time',
          include: ONE_AT_A_TIME.map((glob) => (glob.endsWith('**') ? `${glob}/*.test.{ts,tsx}` : glob)),
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
