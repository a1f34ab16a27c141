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
 * {@link accumulateRow} for three rows of one weight at once (`rows` holds them back to back, `r` their
 * residuals): one pass over the matrix for a photometric sample's three colour channels.
 */
export function accumulateRowTriple(h: Float64Array, g: Float64Array, n: number, rows: Float64Array, r: Float64Array, w: number): void {
  const n2 = 2 * n;
  for (let i = 0; i < n; i++) {
    const a = rows[i] * w, b = rows[n + i] * w, c = rows[n2 + i] * w;
    if (a === 0 && b === 0 && c === 0) continue;
    g[i] += a * r[0] + b * r[1] + c * r[2];
    const o = i * n;
    for (let j = i; j < n; j++) h[o + j] += a * rows[j] + b * rows[n + j] + c * rows[n2 + j];
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

/**
 * Batched rank-1 updates `out[o + t * stride + q] += sum_b coef[b * m + t] * psi[b * F + q]` (t < m, q < F)
 * over n samples (n a multiple of 4; pad with zero rows). Four samples share each pass over an output row, so
 * the row is loaded and stored once per four updates.
 */
export function addBatchOuter(out: Float64Array, o: number, stride: number, coef: Float64Array, m: number, psi: Float64Array, F: number, n: number): void {
  for (let b = 0; b < n; b += 4) {
    const p0 = b * F, p1 = p0 + F, p2 = p1 + F, p3 = p2 + F;
    for (let t = 0; t < m; t++) {
      const a0 = coef[b * m + t], a1 = coef[(b + 1) * m + t], a2 = coef[(b + 2) * m + t], a3 = coef[(b + 3) * m + t];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const ot = o + t * stride;
      for (let q = 0; q < F; q++) out[ot + q] += a0 * psi[p0 + q] + a1 * psi[p1 + q] + a2 * psi[p2 + q] + a3 * psi[p3 + q];
    }
  }
}

/**
 * Batched weighted Gram, upper triangle: `out[o + t * stride + q] += sum_b d[b] psi[b * F + t] psi[b * F + q]`
 * for q >= t, over n samples (a multiple of 4, as {@link addBatchOuter}).
 */
export function addBatchGram(out: Float64Array, o: number, stride: number, d: Float64Array, psi: Float64Array, F: number, n: number): void {
  for (let b = 0; b < n; b += 4) {
    const p0 = b * F, p1 = p0 + F, p2 = p1 + F, p3 = p2 + F;
    const d0 = d[b], d1 = d[b + 1], d2 = d[b + 2], d3 = d[b + 3];
    for (let t = 0; t < F; t++) {
      const a0 = d0 * psi[p0 + t], a1 = d1 * psi[p1 + t], a2 = d2 * psi[p2 + t], a3 = d3 * psi[p3 + t];
      const ot = o + t * stride;
      for (let q = t; q < F; q++) out[ot + q] += a0 * psi[p0 + q] + a1 * psi[p1 + q] + a2 * psi[p2 + q] + a3 * psi[p3 + q];
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
