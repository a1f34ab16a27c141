import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { cotangentLaplacian, createGrid, createIcosphere, registries, uniformLaplacian, type SparseMatrixCSR } from '@facekit/core';
import { gatherRows, laplacianSmoothnessLoss, sparseMatMul, toSparseOperator } from '../src/index.js';
import { close, gradCheck, leakFree, randn, randu, rng, t, value } from './helpers.js';

/** Float64 (L x)_i for x [N, C], straight from the CSR arrays. */
function applyRef(m: SparseMatrixCSR, x: ArrayLike<number>, c: number): Float64Array {
  const out = new Float64Array(m.rows * c);
  for (let i = 0; i < m.rows; i++) for (let p = m.rowOffsets[i]; p < m.rowOffsets[i + 1]; p++) {
    for (let k = 0; k < c; k++) out[i * c + k] += m.values[p] * x[m.columns[p] * c + k];
  }
  return out;
}

describe('laplacianSmoothnessLoss', () => {
  const sphere = createIcosphere(2); // 162 vertices
  const N = sphere.positions.length / 3;
  const lap = cotangentLaplacian(sphere.positions, sphere.triangles);
  const r = rng(41);
  const B = 2;
  const d = randn(B * N, r, 0.1);
  const d3 = randn(B * N * 3, r, 0.1);
  const w = randu(N, r);

  it('sparseMatMul equals the CSR product', () => {
    const x = randn(N * 3, r);
    const got = sparseMatMul(toSparseOperator(lap), t(x, [N, 3])).dataSync();
    const want = applyRef(lap, x, 3);
    for (let i = 0; i < got.length; i++) close(got[i], want[i], 1e-4, 1e-4);
  });

  it('sparseMatMul gradient is M^T dy (non-symmetric row-normalised Laplacian); gatherRows gradient', () => {
    const op = toSparseOperator(uniformLaplacian(sphere.triangles, N, { normalize: true }));
    const x = randn(N * 2, r);
    const probe = t(randn(N * 2, r), [N, 2]);
    gradCheck((v) => tf.sum(tf.mul(sparseMatMul(op, v), probe)), x, [N, 2], { samples: 30 });
    const idx = [5, 0, 5, 161, 7];
    const g = gatherRows(t(x, [N, 2]), idx).dataSync();
    for (let i = 0; i < idx.length; i++) close(g[2 * i + 1], x[2 * idx[i] + 1], 0, 0);
    const p5 = t(randn(idx.length * 2, r), [idx.length, 2]);
    gradCheck((v) => tf.sum(tf.square(tf.mul(gatherRows(v, idx), p5))), x, [N, 2], { samples: 30 });
    assert.throws(() => gatherRows(t(x, [N, 2]), [N]), /outside/);
  });

  function ref(field: ArrayLike<number>, c: number, norm: 'l1' | 'l2', weights: ArrayLike<number> | null): number {
    let num = 0, den = 0;
    for (let b = 0; b < B; b++) {
      const x = Array.from({ length: N * c }, (_, i) => field[b * N * c + i]);
      const ld = applyRef(lap, x, c);
      for (let i = 0; i < N; i++) {
        let p = 0;
        for (let k = 0; k < c; k++) p += norm === 'l1' ? Math.abs(ld[i * c + k]) : ld[i * c + k] ** 2;
        const wi = weights ? weights[i] : 1;
        num += wi * p;
        den += wi;
      }
    }
    return num / den;
  }

  it('matches a float64 reference (|L d|_1 on [B, N], |L d|^2 on [B, N, 3], vertex weights)', () => {
    close(leakFree(laplacianSmoothnessLoss({ laplacian: lap }), { field: t(d, [B, N]) }), ref(d, 1, 'l1', null), 1e-4, 1e-7);
    close(value(laplacianSmoothnessLoss({ norm: 'l2', vertexWeights: Float32Array.from(w) }).compute({ field: t(d3, [B, N, 3]), laplacian: lap })), ref(d3, 3, 'l2', w), 1e-4, 1e-8);
  });

  it('is zero for a constant field (rows of L sum to 0) and for a linear field on a flat grid', () => {
    close(value(laplacianSmoothnessLoss({ laplacian: lap }).compute({ field: tf.fill([B, N], 0.7) })), 0, 0, 1e-6);
    const grid = createGrid(6, 5);
    const gl = cotangentLaplacian(grid.positions, grid.triangles);
    const gn = grid.positions.length / 3;
    // Interior vertices only: boundary rows of a Laplacian do not vanish for linear fields.
    const interior = new Float32Array(gn);
    for (let j = 1; j < 5; j++) for (let i = 1; i < 6; i++) interior[j * 7 + i] = 1;
    const lin = Float32Array.from({ length: gn }, (_, v) => 2 * grid.positions[3 * v] - grid.positions[3 * v + 1]);
    close(value(laplacianSmoothnessLoss({ laplacian: gl, vertexWeights: interior }).compute({ field: t(lin, [1, gn]) })), 0, 0, 1e-5);
  });

  it('gradient matches finite differences (l1 and l2, uniform Laplacian)', () => {
    const ul = uniformLaplacian(sphere.triangles, N);
    gradCheck((x) => laplacianSmoothnessLoss({ laplacian: ul }).compute({ field: x }), d, [B, N], { samples: 30 });
    gradCheck((x) => laplacianSmoothnessLoss({ laplacian: lap, norm: 'l2' }).compute({ field: x }), d3, [B, N, 3], { samples: 30 });
  });

  it('throws without a Laplacian or with a wrong vertex count; registered', async () => {
    assert.throws(() => laplacianSmoothnessLoss().compute({ field: tf.zeros([1, N]) }), /no Laplacian/);
    assert.throws(() => laplacianSmoothnessLoss({ laplacian: lap }).compute({ field: tf.zeros([1, N + 1]) }), /expected \[B, 162\]/);
    assert.equal((await registries.losses.get('laplacian-smoothness')).name, 'laplacian-smoothness');
  });
});
