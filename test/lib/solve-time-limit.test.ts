/** The solve time limit's one home: the deployment's seconds become milliseconds; the org caps what is asked. */
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/lib/env.ts';
import {
  DEFAULT_SOLVE_TIME_LIMIT_MS,
  effectiveSolveTimeLimitMs,
  envSolveTimeLimitMs,
  orgSolveTimeLimitMs,
} from '../../src/lib/solve-time-limit.ts';

describe('the solve time limit', () => {
  it('reads the deployment limit in milliseconds, 60 s by default', () => {
    expect(envSolveTimeLimitMs(parseEnv({ NODE_ENV: 'test' }))).toBe(DEFAULT_SOLVE_TIME_LIMIT_MS);
    expect(envSolveTimeLimitMs(parseEnv({ NODE_ENV: 'test', SOLVER_TIME_LIMIT_SECONDS: '5' }))).toBe(5_000);
    expect(envSolveTimeLimitMs({ SOLVER_TIME_LIMIT_SECONDS: 1.5 })).toBe(1_500);
  });

  it("reads an org's own limit only when it is a positive number", () => {
    expect(orgSolveTimeLimitMs({ solverTimeLimitSeconds: 20 })).toBe(20_000);
    expect(orgSolveTimeLimitMs({ solverTimeLimitSeconds: '0' })).toBeNull();
    expect(orgSolveTimeLimitMs({ solverTimeLimitSeconds: 'soon' })).toBeNull();
    expect(orgSolveTimeLimitMs(undefined)).toBeNull();
  });

  it('never runs above the org limit nor below 100 ms', () => {
    expect(effectiveSolveTimeLimitMs(undefined, null)).toBe(DEFAULT_SOLVE_TIME_LIMIT_MS);
    expect(effectiveSolveTimeLimitMs(90_000, 30_000)).toBe(30_000);
    expect(effectiveSolveTimeLimitMs(10_000, 30_000)).toBe(10_000);
    expect(effectiveSolveTimeLimitMs(1, null)).toBe(100);
  });
});
