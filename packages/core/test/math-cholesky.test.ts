import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { choleskyFactor, choleskySubstitute, solveCholesky } from '../src/index.js';

/** A random symmetric positive definite matrix B B^T + n I. */
function spd(n: number, seed: number): Float64Array {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const b = Array.from({ length: n * n }, rnd);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let v = i === j ? n : 0;
    for (let k = 0; k < n; k++) v += b[i * n + k] * b[j * n + k];
    a[i * n + j] = v;
  }
  return a;
}

describe('Cholesky', () => {
  it('solveCholesky gives x with A x = b and leaves its inputs alone', () => {
    for (const n of [1, 3, 9, 20]) {
      const a = spd(n, n);
      const copy = a.slice();
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const x = solveCholesky(a, b, n)!;
      assert.deepEqual(a, copy);
      for (let i = 0; i < n; i++) {
        let r = -b[i];
        for (let j = 0; j < n; j++) r += a[i * n + j] * x[j];
        assert.ok(Math.abs(r) < 1e-9, `n=${n} residual ${r}`);
      }
    }
  });

  it('the factor reproduces A = L L^T from the lower triangle alone', () => {
    const n = 6;
    const a = spd(n, 7);
    const l = a.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[i * n + j] = Number.NaN; // upper triangle unused
    assert.equal(choleskyFactor(l, n), true);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = 0; k <= j; k++) v += l[i * n + k] * l[j * n + k];
      assert.ok(Math.abs(v - a[i * n + j]) < 1e-9);
    }
  });

  it('a singular matrix fails, or gives a finite minimum-change solution with clampPivot', () => {
    // [[1, 1], [1, 1]] is rank 1.
    const a = new Float64Array([1, 1, 1, 1]);
    assert.equal(solveCholesky(a, [2, 2], 2, { minPivot: 1e-9 }), null);
    const x = solveCholesky(a, [2, 2], 2, { minPivot: 1e-9, clampPivot: true })!;
    assert.ok(x.every(Number.isFinite));
    assert.ok(Math.abs(x[0] + x[1] - 2) < 1e-6, `x = ${Array.from(x)}`);
    const b = new Float64Array([4, 6]);
    const l = new Float64Array([4, 2, 2, 3]);
    choleskyFactor(l, 2);
    assert.deepEqual(Array.from(choleskySubstitute(l, 2, b)).map((v) => +v.toFixed(12)), [0, 2]); // by Cramer: det 8, x = (0, 16/8)
  });
});
