/**
 * Small dense linear algebra for the Gauss-Newton solvers: symmetric rank-k updates of normal equations and
 * Cholesky solves, in double precision. Kept local (not in core) because they are tuned to the fitter's
 * row-at-a-time accumulation pattern.
 * @module
 */

/**
 * Adds `w * row row^T` to the upper triangle of the n x n row-major matrix `h` (only `h[i * n + j]` with
 * j >= i is written) and `w * r * row` to `g`. The fitter calls it once per residual; the upper triangle is
 * mirrored once before solving ({@link symmetrizeUpper}), which halves the dominant cost of a GN step.
 */
export function accumulateRow(h: Float64Array, g: Float64Array, n: number, row: Float64Array, r: number, w: number): void {
  for (let i = 0; i < n; i++) {
    const a = row[i] * w;
    if (a === 0) continue;
    g[i] += a * r;
    const o = i * n;
    for (let j = i; j < n; j++) h[o + j] += a * row[j];
  }
}

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
