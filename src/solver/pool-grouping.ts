/**
 * Which reps are balanced together: reps linked through a movable account they could both receive share a pool
 * (union-find over the eligibility lists). Reps no movable account could go to take part in no pool.
 */

/** Per rep its pool (-1 when in none), and each pool's reps, ascending; pools in the order of their first rep. */
export function groupRepsIntoPools(
  nR: number,
  eligStart: Int32Array,
  eligRep: Int32Array,
): { repPool: Int32Array; members: number[][] } {
  const parent = Int32Array.from({ length: nR }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const inPlay = new Uint8Array(nR);
  for (let k = 0; k + 1 < eligStart.length; k++) {
    const s = eligStart[k]!;
    const e = eligStart[k + 1]!;
    for (let j = s; j < e; j++) inPlay[eligRep[j]!] = 1;
    for (let j = s + 1; j < e; j++) {
      const ra = find(eligRep[s]!);
      const rb = find(eligRep[j]!);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
  const repPool = new Int32Array(nR).fill(-1);
  const members: number[][] = [];
  const rootPool = new Map<number, number>();
  for (let r = 0; r < nR; r++) {
    if (!inPlay[r]) continue;
    const root = find(r);
    let p = rootPool.get(root);
    if (p === undefined) {
      p = members.length;
      rootPool.set(root, p);
      members.push([]);
    }
    repPool[r] = p;
    members[p]!.push(r);
  }
  return { repPool, members };
}
