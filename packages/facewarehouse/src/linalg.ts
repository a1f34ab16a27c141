/**
 * Small dense helpers shared by the decomposition and the fitter. Internal to the package (not re-exported).
 * Eigen-decompositions go through `ml-matrix`; only the tiny symmetric solves the fitter repeats thousands of
 * times are written here, because allocating `Matrix` objects for a 25 x 25 system per target would dominate.
 * @module
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major Float64Array), eigenvalues in descending order.
 * Eigenvalues below zero (round-off of a positive semi-definite Gram matrix) are clamped to 0.
 * Each eigenvector's sign is fixed so that its entries sum to a positive number (or, when the sum is ~0, its
 * largest-magnitude entry is positive): the decomposition is then deterministic, and for uncentred face data the
 * leading factor (the "mean face" direction) gets positive weights for every training sample.
 *
 * @param gram n x n symmetric matrix, row-major.
 * @returns `values` (n, descending) and `vectors` (n x n row-major; column c is the c-th eigenvector).
 */
export function symmetricEigen(gram: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(gram.subarray(i * n, (i + 1) * n)));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const raw = eig.realEigenvalues;
  const vec = eig.eigenvectorMatrix;
  const order = raw.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v || a.i - b.i);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach(({ v, i }, c) => {
    values[c] = Math.max(0, v);
    let sum = 0;
    let big = 0;
    for (let r = 0; r < n; r++) {
      const x = vec.get(r, i);
      sum += x;
      if (Math.abs(x) > Math.abs(big)) big = x;
    }
    const sign = Math.abs(sum) > 1e-8 ? Math.sign(sum) : big < 0 ? -1 : 1;
    for (let r = 0; r < n; r++) vectors[r * n + c] = sign * vec.get(r, i);
  });
  return { values, vectors };
}

/** Dot product of two Float32Array ranges of length `n`, accumulated in double precision. */
export function dot32(a: Float32Array, aOff: number, b: Float32Array, bOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  // Four accumulators break the add dependency chain; V8 keeps them in registers.
  for (; i + 3 < n; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + s2 + s3;
}
