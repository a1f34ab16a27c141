/**
 * Small dense linear-algebra kernels the alignment code needs: a cyclic Jacobi eigen solver for tiny symmetric
 * matrices (4x4 for Horn's quaternion method, 3x3 for PCA) and a Cholesky solve for the 6x6 normal equations of
 * point-to-plane ICP. Internal to `@facekit/core` (not re-exported from the package index).
 * @module
 */
import { choleskyFactor, choleskySubstitute } from '../math/cholesky.js';

/**
 * Eigen-decomposition of a symmetric `n x n` matrix by cyclic Jacobi rotations.
 *
 * Jacobi is chosen over a general solver because it is unconditionally stable, reaches full double precision
 * on these tiny matrices in a handful of sweeps and needs no dependency.
 *
 * @param a - row-major `n x n` symmetric matrix; **overwritten** (its diagonal ends up holding the eigenvalues).
 * @param n - matrix size.
 * @param values - receives the n eigenvalues, sorted descending.
 * @param vectors - receives the eigenvectors as **columns** of a row-major `n x n` matrix
 *   (`vectors[r * n + k]` is component r of the k-th eigenvector), in the order of `values`.
 */
export function jacobiEigenSymmetric(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): void {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    // Relative threshold: stop once off-diagonal mass is at the level of rounding error of the diagonal.
    if (off <= 1e-32 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Stable rotation angle (Numerical Recipes' form) avoids cancellation when app ~ aqq.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  // Selection sort of the (tiny) spectrum, descending.
  const order: number[] = [];
  for (let i = 0; i < n; i++) order.push(i);
  order.sort((i, j) => a[j * n + j] - a[i * n + i]);
  for (let k = 0; k < n; k++) {
    const src = order[k];
    values[k] = a[src * n + src];
    for (let r = 0; r < n; r++) vectors[r * n + k] = v[r * n + src];
  }
}

/**
 * Solves `A x = b` for a symmetric positive (semi-)definite `n x n` matrix by Cholesky factorisation, with a
 * tiny relative ridge added to the diagonal so that rank-deficient systems (e.g. point-to-plane ICP on a plane,
 * where sliding along the plane is unconstrained) give the minimum-change solution instead of NaN.
 *
 * @param a - row-major `n x n` matrix; **overwritten** by the factor.
 * @param b - right-hand side of length n; **overwritten** by the solution, which is also returned.
 * @returns `b`, or `null` when the matrix is not positive definite even after regularisation.
 */
export function solveSymmetricPositive(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  const ridge = Math.max(trace / n, 1e-300) * 1e-12;
  for (let i = 0; i < n; i++) a[i * n + i] += ridge;
  return choleskyFactor(a, n) ? choleskySubstitute(a, n, b) : null;
}

/**
 * k-th smallest value (0-based) of `values[0..count)` by quickselect; reorders `values` in place.
 * Used for trimmed ICP (distance of the kept fraction) and medians, in O(count).
 */
export function selectKth(values: Float64Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    // Median of three pivot keeps sorted or nearly sorted inputs from degrading to O(n^2).
    const mid = (lo + hi) >> 1;
    let x = values[lo], y = values[mid], z = values[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        x = values[i];
        values[i] = values[j];
        values[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}
