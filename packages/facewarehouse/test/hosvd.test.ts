import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBilinearModel, stackExpressionMeshes, tuckerDecompose, type ExpressionTensor } from '../src/index.js';
import { lowRankTensor, maxAbsDiff } from './helpers.js';

/** RMS per vertex of model vs data over every training mesh, decoding with the training weights. */
function decodeTrainingRms(data: ExpressionTensor, I: number, E: number, centre: 'none' | 'mean'): { max: number; rms: number } {
  const dec = tuckerDecompose(data, { identityRank: I, expressionRank: E, centre });
  const model = dec.toModel();
  const n = 3 * data.vertexCount;
  let max = 0;
  let sq = 0;
  for (let s = 0; s < data.subjects; s++) {
    const wid = Array.from({ length: I }, (_, i) => dec.identityFactor[s * data.subjects + i]);
    for (let x = 0; x < data.expressions; x++) {
      const wexp = Array.from({ length: E }, (_, e) => dec.expressionFactor[x * data.expressions + e]);
      const mesh = model.decode({ identity: wid, expression: wexp });
      const ref = data.positions.subarray((s * data.expressions + x) * n, (s * data.expressions + x + 1) * n);
      max = Math.max(max, maxAbsDiff(mesh, ref));
      for (let k = 0; k < n; k++) sq += (mesh[k] - ref[k]) ** 2;
    }
  }
  return { max, rms: Math.sqrt(sq / (data.subjects * data.expressions * data.vertexCount)) };
}

describe('tuckerDecompose / buildBilinearModel', () => {
  it('recovers an exact low-rank bilinear tensor: decode reproduces every training mesh to 1e-4', () => {
    // Rank (4, 3) data with an offset mesh; uncentred the offset costs one mode of each, so truncate to (5, 4).
    const data = lowRankTensor(9, 7, 50, 4, 3, 7, 2);
    const uncentred = decodeTrainingRms(data, 5, 4, 'none');
    assert.ok(uncentred.max < 1e-4, `uncentred max error ${uncentred.max}`);
    const centred = decodeTrainingRms(data, 5, 4, 'mean');
    assert.ok(centred.max < 1e-4, `centred max error ${centred.max}`);
    // One mode too few must fail to reproduce the data (the assertion above is not vacuous).
    const short = decodeTrainingRms(data, 3, 4, 'none');
    assert.ok(short.max > 1e-2, `rank-3 identity truncation should not fit rank-5 data (max error ${short.max})`);
  });

  it('reports training errors that equal the decoded RMS at every truncation', () => {
    const data = lowRankTensor(8, 6, 30, 5, 4, 17, 1);
    const dec = tuckerDecompose(data, { centre: 'none' });
    for (const [I, E] of [[1, 1], [2, 3], [5, 4], [8, 6], [3, 6]]) {
      const reported = dec.trainingError(I, E);
      const actual = decodeTrainingRms(data, I, E, 'none').rms;
      assert.ok(Math.abs(reported - actual) < 1e-4 + 1e-4 * actual, `(${I}, ${E}): reported ${reported}, decoded ${actual}`);
    }
    assert.ok(dec.trainingError(8, 6) < 1e-5);
    // Errors never grow when a truncation keeps more modes.
    assert.ok(dec.trainingError(2, 2) >= dec.trainingError(3, 2) && dec.trainingError(3, 2) >= dec.trainingError(3, 3));
  });

  it('has orthonormal factors, descending eigenvalues and matching Gram traces', () => {
    const data = lowRankTensor(7, 5, 20, 3, 3, 5, 10);
    const dec = tuckerDecompose(data);
    for (const [u, k] of [[dec.identityFactor, 7], [dec.expressionFactor, 5]] as const) {
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) {
          let d = 0;
          for (let r = 0; r < k; r++) d += u[r * k + a] * u[r * k + b];
          assert.ok(Math.abs(d - (a === b ? 1 : 0)) < 1e-9);
        }
    }
    for (let i = 1; i < 7; i++) assert.ok(dec.identityEigenvalues[i] <= dec.identityEigenvalues[i - 1]);
    const sum = (a: Float64Array): number => a.reduce((p, q) => p + q, 0);
    assert.ok(Math.abs(sum(dec.identityEigenvalues) - dec.dataSquaredNorm) < 1e-6 * dec.dataSquaredNorm);
    assert.ok(Math.abs(sum(dec.expressionEigenvalues) - dec.dataSquaredNorm) < 1e-6 * dec.dataSquaredNorm);
    // Uncentred data: the leading identity mode is the mean-face direction, with one sign for every subject.
    for (let s = 0; s < 7; s++) assert.ok(dec.identityFactor[s * 7] > 0);
  });

  it('takes priors from the training weights and maps training expressions to w_exp', () => {
    const data = lowRankTensor(6, 5, 15, 3, 2, 23, 1);
    const { model, decomposition: dec, errors } = buildBilinearModel(data, { identityRank: 4, expressionRank: 3, units: 'cm', id: 'toy' });
    assert.equal(model.id, 'toy');
    assert.equal(model.units, 'cm');
    const prior = model.identityPrior!;
    for (let i = 0; i < 4; i++) {
      const col = Array.from({ length: 6 }, (_, s) => dec.identityFactor[s * 6 + i]);
      const mu = col.reduce((a, b) => a + b, 0) / 6;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / 6);
      assert.ok(Math.abs(prior.mean[i] - mu) < 1e-6 && Math.abs(prior.std[i] - Math.max(sd, 1e-6)) < 1e-6);
    }
    const oneHot = [0, 0, 1, 0, 0];
    assert.deepEqual(Array.from(model.expressionWeightsFromTraining(oneHot)), Array.from({ length: 3 }, (_, e) => Math.fround(dec.expressionFactor[2 * 5 + e])));
    assert.deepEqual(model.trainingExpressions?.labels, ['x0', 'x1', 'x2', 'x3', 'x4']);
    assert.ok(errors.length > 0 && errors.every((e) => e.identityRank <= 4 && e.expressionRank <= 3 && e.rms >= 0));
    assert.throws(() => dec.trainingError(5, 1), RangeError);
  });

  it('validates inputs and stacks meshes', () => {
    const t = stackExpressionMeshes([[[0, 0, 0], [1, 1, 1]], [[2, 2, 2], [3, 3, 3]]]);
    assert.equal(t.subjects, 2);
    assert.equal(t.expressions, 2);
    assert.deepEqual(Array.from(t.positions), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    assert.throws(() => tuckerDecompose({ ...t, positions: new Float32Array(5) }), RangeError);
    assert.throws(() => tuckerDecompose(t, { identityRank: 3 }), RangeError);
    assert.throws(() => stackExpressionMeshes([[[0, 0, 0]], [[1, 1]]]), RangeError);
  });
});
