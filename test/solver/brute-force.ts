/** Exhaustive search over every owner for every account, judged only by the independent checker. */
import { parseSolveInput, type SolveInputRaw } from '../../src/solver/input.ts';
import { verifyAssignment } from '../../src/solver/verify.ts';

export function bruteForceOptimum(raw: SolveInputRaw): number | null {
  const parsed = parseSolveInput(raw);
  if (!parsed.ok) throw new Error('invalid input');
  const input = parsed.input;
  const ids = input.reps.map((r) => r.id);
  const n = input.accounts.length;
  const choice = new Array<number>(n).fill(0);
  let best: number | null = null;
  for (;;) {
    const map = new Map(input.accounts.map((a, i) => [a.id, ids[choice[i]!]!]));
    const v = verifyAssignment(input, map);
    if (v.ok && (best === null || v.objective < best)) best = v.objective;
    let i = 0;
    while (i < n && choice[i] === ids.length - 1) choice[i++] = 0;
    if (i === n) break;
    choice[i]! += 1;
  }
  return best;
}
