/** The L-BFGS direction of the Lagrangian search (lagrangian.ts): limited-memory quasi-Newton on the last pairs. */

/** Two-loop recursion: the quasi-Newton ascent direction H·g. */
export function lbfgsDirection(g: Float64Array, S: Float64Array[], Y: Float64Array[]): Float64Array {
  const q = Float64Array.from(g);
  const k = S.length;
  if (k === 0) return q;
  const alpha = new Float64Array(k);
  const rho = new Float64Array(k);
  const dot = (a: Float64Array, b: Float64Array) => {
    let v = 0;
    for (let i = 0; i < a.length; i++) v += a[i]! * b[i]!;
    return v;
  };
  for (let i = k - 1; i >= 0; i--) {
    rho[i] = 1 / dot(Y[i]!, S[i]!);
    alpha[i] = rho[i]! * dot(S[i]!, q);
    for (let j = 0; j < q.length; j++) q[j]! -= alpha[i]! * Y[i]![j]!;
  }
  const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
  for (let j = 0; j < q.length; j++) q[j]! *= gamma;
  for (let i = 0; i < k; i++) {
    const beta = rho[i]! * dot(Y[i]!, q);
    for (let j = 0; j < q.length; j++) q[j]! += S[i]![j]! * (alpha[i]! - beta);
  }
  return q;
}
