import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DenseWorkspace, gemmSimdAvailable, padToTile } from '../src/kernels/index.js';

/** A deterministic sequence in [-0.5, 0.5) (no randomness needed: the products just need varied values). */
function sequence(seed: number): () => number {
  let i = 0;
  return () => {
    const v = Math.sin(12.9898 * seed + 78.233 * i++) * 43758.5453;
    return v - Math.floor(v) - 0.5;
  };
}

interface Case {
  m: number;
  n: number;
  k: number;
  ldc: number;
  lda: number;
  ldb: number;
  upper: boolean;
}

/**
 * Runs one product in a workspace, with C starting from non-zero values (the kernel accumulates), and returns
 * C together with the independent triple-loop result over the whole m x n block.
 */
function run(ws: DenseWorkspace, cs: Case, seed: number): { got: Float64Array; want: Float64Array } {
  const rand = sequence(seed);
  const { m, n, k, ldc, lda, ldb, upper } = cs;
  ws.reset();
  const pad = ws.alloc(3); // operands at odd-ish offsets inside the arena, not at 0
  const c = ws.alloc(m * ldc);
  const a = ws.alloc(k * lda);
  const b = upper ? a : ws.alloc(k * ldb);
  const x = ws.values;
  x.fill(7, pad, c); // must stay untouched
  for (let i = 0; i < m * ldc; i++) x[c + i] = rand();
  for (let i = 0; i < k * lda; i++) x[a + i] = rand();
  if (!upper) for (let i = 0; i < k * ldb; i++) x[b + i] = rand();
  const want = x.slice(c, c + m * ldc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[a + p * lda + i] * x[b + p * ldb + j];
      want[i * ldc + j] += s;
    }
  }
  const before = x.slice(c, c + m * ldc);
  ws.gemmTN(c, ldc, a, lda, b, upper ? lda : ldb, m, n, k, upper);
  const got = ws.values.slice(c, c + m * ldc);
  for (let i = pad; i < c; i++) assert.equal(ws.values[i], 7, 'wrote before C');
  // Columns past n in each C row (the leading-dimension padding) are never written.
  for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) assert.equal(got[i * ldc + j], before[i * ldc + j], `wrote C[${i}][${j}] past n`);
  if (upper) {
    // Below the diagonal tiles nothing changes.
    for (let i = 0; i < m; i++) for (let j = 0; j < (i & ~3); j++) assert.equal(got[i * ldc + j], before[i * ldc + j], `wrote C[${i}][${j}] below the diagonal tiles`);
  }
  return { got, want };
}

const cases: Case[] = [
  { m: 4, n: 4, k: 1, ldc: 4, lda: 4, ldb: 4, upper: false },
  { m: 8, n: 12, k: 7, ldc: 12, lda: 8, ldb: 12, upper: false },
  { m: 20, n: 36, k: 33, ldc: 41, lda: 23, ldb: 38, upper: false },
  { m: 160, n: 200, k: 64, ldc: 230, lda: 160, ldb: 200, upper: false },
  { m: 24, n: 24, k: 19, ldc: 26, lda: 25, ldb: 25, upper: true },
  { m: 160, n: 160, k: 192, ldc: 160, lda: 160, ldb: 160, upper: true },
];

for (const backend of ['simd', 'js'] as const) {
  test(`gemmTN (${backend}) matches a triple loop on full and upper-triangle products`, (t) => {
    if (backend === 'simd' && !gemmSimdAvailable()) {
      t.skip('WebAssembly SIMD is not available in this runtime');
      return;
    }
    const ws = DenseWorkspace.create({ simd: backend === 'simd' });
    assert.equal(ws.backend, backend);
    cases.forEach((cs, ci) => {
      const { got, want } = run(ws, cs, 100 + ci);
      for (let i = 0; i < cs.m; i++) {
        for (let j = cs.upper ? i : 0; j < cs.n; j++) {
          const e = want[i * cs.ldc + j], g = got[i * cs.ldc + j];
          assert.ok(Math.abs(g - e) <= 1e-12 * (1 + Math.abs(e)) * Math.sqrt(cs.k), `case ${ci} C[${i}][${j}]: ${g} vs ${e}`);
        }
      }
    });
  });
}

test('the SIMD and JS kernels agree, including the lower halves of diagonal tiles', (t) => {
  if (!gemmSimdAvailable()) {
    t.skip('WebAssembly SIMD is not available in this runtime');
    return;
  }
  const cs = cases[4];
  const a = run(DenseWorkspace.create(), cs, 9).got;
  const b = run(DenseWorkspace.create({ simd: false }), cs, 9).got;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-12, `entry ${i}: ${a[i]} vs ${b[i]}`);
});

test('alloc grows the arena, keeps earlier values and returns zeroed, even offsets', () => {
  for (const simd of [true, false]) {
    const ws = DenseWorkspace.create({ simd });
    const first = ws.alloc(5);
    ws.values[first + 4] = 3.5;
    const big = ws.alloc(300_000); // past the first 64 KiB page
    assert.equal(first % 2, 0);
    assert.equal(big % 2, 0);
    assert.equal(ws.values[first + 4], 3.5);
    assert.equal(ws.values[big + 299_999], 0);
    ws.values[big] = 1;
    ws.reset();
    assert.equal(ws.values[ws.alloc(big + 1) + big], 0, 'alloc zeroes reused memory');
  }
});

test('gemmTN rejects unpadded sizes, short leading dimensions and operands outside the arena', () => {
  const ws = DenseWorkspace.create();
  const c = ws.alloc(64), a = ws.alloc(64);
  assert.throws(() => ws.gemmTN(c, 8, a, 8, a, 8, 6, 8, 2), /multiples of 4.*padToTile/);
  assert.throws(() => ws.gemmTN(c, 4, a, 8, a, 8, 8, 8, 2), /leading dimensions/);
  assert.throws(() => ws.gemmTN(c, 8, a, 8, a, 8, 8, 8, 9), /outside the allocated workspace/);
  assert.throws(() => ws.gemmTN(c, 8, a, 8, a, 8, 4, 8, 2, true), /square/);
  assert.equal(padToTile(159), 160);
  assert.equal(padToTile(160), 160);
});
