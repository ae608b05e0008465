/** Public surface of the solver: the input contract, the pure solve, the worker runner, the checker. */
export {
  type InputIssue,
  parseSolveInput,
  SOLVE_LIMITS,
  type SolveInput,
  type SolveInputRaw,
  solveInputSchema,
} from './input.ts';
export type {
  AssignmentRow,
  BalanceMetrics,
  Conflict,
  PoolReport,
  Proposal,
  RepMetrics,
  SolveResult,
} from './result.ts';
export { ENGINE_LIMITS, solve } from './solve.ts';
export { verifyAssignment } from './verify.ts';
export { solveInWorker, type WorkerSolveOptions } from './worker/solve-in-worker.ts';
