/**
 * Cholesky factorisation and solve for the small dense symmetric systems facekit builds everywhere (normal
 * equations of Gauss-Newton, ICP, SH lighting, bilinear ALS). Matrices are row-major `n x n` Float64Arrays; only
 * the lower triangle is read.
 */

import { DenseWorkspace, gemmSimdAvailable, padToTile } from '../kernels/dense-workspace.js';

/** Options of {@link choleskyFactor}. */
export interface CholeskyOptions {
  /** Pivots must exceed this (default 0). */
  minPivot?: number;
  /**
   * Replace a pivot at or below {@link minPivot} by `minPivot` instead of failing: rank-deficient normal
   * equations then give the minimum-change solution (default false).
   */
  clampPivot?: boolean;
}

/**
 * Factors `A = L L^T` in place: the lower triangle of `a` receives `L` (the upper triangle is left as it was).
 * Returns false when a pivot is not above `minPivot` and `clampPivot` is off (A is not positive definite to
 * working precision); `a` is then partly overwritten.
 */
export function choleskyFactor(a: Float64Array, n: number, options: CholeskyOptions = {}): boolean {
  const minPivot = options.minPivot ?? 0;
  if (n >= BLOCKED_FROM && gemmSimdAvailable()) return choleskyBlocked(a, n, minPivot, options.clampPivot ?? false);
  for (let j = 0; j < n; j++) {
    const oj = j * n;
    let d = a[oj + j] - dot(a, oj, a, oj, j);
    if (!(d > minPivot)) {
      if (!options.clampPivot || !(minPivot > 0)) return false;
      d = minPivot;
    }
    const l = Math.sqrt(d);
    a[oj + j] = l;
    for (let i = j + 1; i < n; i++) {
      const oi = i * n;
      a[oi + j] = (a[oi + j] - dot(a, oi, a, oj, j)) / l;
    }
  }
  return true;
}

/** Size from which {@link choleskyFactor} runs blocked, with the SIMD matrix kernel (below it the copies cost more). */
const BLOCKED_FROM = 96;
/** Columns per block of {@link choleskyBlocked}: the in-block work is scalar, the updates between blocks SIMD. */
const BLOCK = 16;
let workspace: DenseWorkspace | null = null;

/**
 * Left-looking blocked Cholesky: each block of 16 columns first takes the update from all columns left of it in
 * one `gemmTN` product (`-L[j0.., :j0] L[j0..j0+16, :j0]^T`, from two transposed copies of the finished columns),
 * then is factored column by column with in-block dot products only. Same contract as {@link choleskyFactor}.
 */
function choleskyBlocked(a: Float64Array, n: number, minPivot: number, clampPivot: boolean): boolean {
  const ws = workspace ?? DenseWorkspace.create();
  workspace = null; // a nested call (none today) would get its own
  ws.reset();
  const np = padToTile(n);
  const m = ws.alloc(np * np), lt = ws.alloc(np * np), nlt = ws.alloc(np * np);
  const x = ws.values;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) x[m + i * np + j] = a[i * n + j];
  let ok = true;
  for (let j0 = 0; j0 < n && ok; j0 += BLOCK) {
    const jb = Math.min(BLOCK, np - j0);
    // Row i of this block column loses sum_{p < j0} L[i][p] L[j][p]; rows above j0 + j are never read.
    if (j0 > 0) ws.gemmTN(m + j0 * np + j0, np, nlt + j0, np, lt + j0, np, np - j0, jb, j0);
    const jEnd = Math.min(j0 + jb, n);
    for (let j = j0; j < jEnd; j++) {
      const oj = m + j * np;
      let d = x[oj + j] - dot(x, oj + j0, x, oj + j0, j - j0);
      if (!(d > minPivot)) {
        if (!clampPivot || !(minPivot > 0)) {
          ok = false;
          break;
        }
        d = minPivot;
      }
      const l = Math.sqrt(d);
      x[oj + j] = l;
      x[lt + j * np + j] = l;
      x[nlt + j * np + j] = -l;
      for (let i = j + 1; i < n; i++) {
        const oi = m + i * np;
        const v = (x[oi + j] - dot(x, oi + j0, x, oj + j0, j - j0)) / l;
        x[oi + j] = v;
        x[lt + j * np + i] = v;
        x[nlt + j * np + i] = -v;
      }
    }
  }
  if (ok) for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = x[m + i * np + j];
  workspace = ws;
  return ok;
}

/**
 * `sum_{k < n} a[ao + k] b[bo + k]` with four partial sums: with one running sum every product waits on the
 * previous add, which made the Cholesky factorisation latency-bound (~1.5x slower at n = 230 on the dev box).
 */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/** Solves `L L^T x = b` in place in `b`, with `L` from {@link choleskyFactor}. Returns `b`. */
export function choleskySubstitute(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
  return b;
}

/**
 * Solves `A x = b` for symmetric positive definite `A` without touching the inputs; returns the new `x`, or null
 * when `A` is not positive definite (see {@link choleskyFactor}).
 */
export function solveCholesky(a: Float64Array, b: ArrayLike<number>, n: number, options: CholeskyOptions = {}): Float64Array | null {
  const l = a.slice(0, n * n);
  if (!choleskyFactor(l, n, options)) return null;
  return choleskySubstitute(l, n, Float64Array.from({ length: n }, (_, i) => b[i]));
}
