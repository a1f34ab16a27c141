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

  it('the blocked path (n >= 96) reproduces A = L L^T, keeps the upper triangle and fails on an indefinite matrix', () => {
    // 150 and 161: whole blocks of 16 plus a partial one, and a size that is not a multiple of the kernel's tile.
    for (const n of [150, 161]) {
      const a = spd(n, n);
      const l = a.slice();
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) l[i * n + j] = -7; // upper triangle: left alone
      assert.equal(choleskyFactor(l, n), true);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let v = 0;
          for (let k = 0; k <= j; k++) v += l[i * n + k] * l[j * n + k];
          worst = Math.max(worst, Math.abs(v - a[i * n + j]) / a[i * n + i]);
        }
        for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], -7);
      }
      assert.ok(worst < 1e-12, `n=${n} worst relative error ${worst}`);
    }
    // A negative eigenvalue deep inside (past the first block): the factorisation must notice it.
    const n = 120;
    const bad = spd(n, 3);
    for (let i = 100; i < n; i++) bad[i * n + i] = -1;
    assert.equal(choleskyFactor(bad.slice(), n), false);
    // A rank-deficient one (rank 100 of 120) fails plainly, and with clampPivot factors to a finite L whose
    // L L^T still reproduces A to the clamp's order.
    const r = 100;
    const b = spd(n, 5); // any full matrix: its first r columns make a rank-r Gram
    const psd = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < r; k++) psd[i * n + j] += (b[i * n + k] * b[j * n + k]) / (n * n);
    assert.equal(choleskyFactor(psd.slice(), n, { minPivot: 1e-9 }), false);
    const clamped = psd.slice();
    assert.equal(choleskyFactor(clamped, n, { minPivot: 1e-9, clampPivot: true }), true);
    assert.ok(clamped.every(Number.isFinite), 'clamped factor is finite');
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let k = 0; k <= i; k++) v += clamped[i * n + k] * clamped[i * n + k];
      assert.ok(Math.abs(v - psd[i * n + i]) < 1e-6 * (1 + psd[i * n + i]), `diagonal ${i}: ${v} vs ${psd[i * n + i]}`);
    }
  });
});
