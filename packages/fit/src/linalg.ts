/**
 * Small dense linear algebra for the Gauss-Newton solvers: symmetric rank-k updates of normal equations and
 * Cholesky solves, in double precision. Kept local (not in core) because they are tuned to the fitter's
 * row-at-a-time accumulation pattern.
 * @module
 */

/**
 * Adds `row1 row1^T + row2 row2^T` (upper triangle) for two rows at once: one pass over the matrix for the
 * two image-gradient rows a photometric sample contributes, which halves memory traffic.
 */
export function accumulateRowPair(h: Float64Array, n: number, row1: Float64Array, row2: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const a = row1[i];
    const b = row2[i];
    if (a === 0 && b === 0) continue;
    const o = i * n;
    for (let j = i; j < n; j++) h[o + j] += a * row1[j] + b * row2[j];
  }
}

/**
 * Batched weighted Gram, upper triangle: `out[o + t * stride + q] += sum_b d[b] psi[b * F + t] psi[b * F + q]`
 * for q >= t, over n samples (n a multiple of 8; pad with zero rows). Each output row is loaded once per eight
 * samples, which keeps it in L1 cache. (The per-iteration products run in core's `DenseWorkspace`; this one is
 * for one-off Grams.)
 */
export function addBatchGram(out: Float64Array, o: number, stride: number, d: Float64Array, psi: Float64Array, F: number, n: number): void {
  for (let t = 0; t < F; t++) {
    const ot = o + t * stride;
    for (let b = 0; b < n; b += 8) {
      const p0 = b * F, p1 = p0 + F, p2 = p1 + F, p3 = p2 + F, p4 = p3 + F, p5 = p4 + F, p6 = p5 + F, p7 = p6 + F;
      const a0 = d[b] * psi[p0 + t], a1 = d[b + 1] * psi[p1 + t], a2 = d[b + 2] * psi[p2 + t], a3 = d[b + 3] * psi[p3 + t];
      const a4 = d[b + 4] * psi[p4 + t], a5 = d[b + 5] * psi[p5 + t], a6 = d[b + 6] * psi[p6 + t], a7 = d[b + 7] * psi[p7 + t];
      for (let q = t; q < F; q++) {
        out[ot + q] +=
          a0 * psi[p0 + q] + a1 * psi[p1 + q] + a2 * psi[p2 + q] + a3 * psi[p3 + q] +
          a4 * psi[p4 + q] + a5 * psi[p5 + q] + a6 * psi[p6 + q] + a7 * psi[p7 + q];
      }
    }
  }
}

/** Copies the upper triangle of a row-major n x n matrix into its lower triangle. */
export function symmetrizeUpper(h: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) h[j * n + i] = h[i * n + j];
}

/** Deterministic pseudo-random permutation of 0..n-1 (xorshift), so fits are reproducible run to run. */
export function shuffledIndices(n: number, seed = 12345): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
