import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { EYELID_PAIRS_68, eyeClosureLoss, landmarkLoss, robustPenaltyJs, type RobustNorm } from '../src/index.js';
import { close, gradCheck, leakFree, randn, randu, rng, t, value } from './helpers.js';

const B = 2, L = 68;

/** Float64 reference of landmarkLoss (mean reduction). */
function landmarkRef(
  pred: Float64Array, target: Float64Array, conf: Float64Array | null, w: Float64Array | null,
  norm: RobustNorm, size: [number, number] | null, indices: number[] | null, eps = 1e-3,
): number {
  let num = 0, den = 0;
  const idx = indices ?? Array.from({ length: L }, (_, i) => i);
  for (let b = 0; b < B; b++) {
    for (const l of idx) {
      const k = (b * L + l) * 2;
      let rx = pred[k] - target[k], ry = pred[k + 1] - target[k + 1];
      if (size) { rx /= size[0]; ry /= size[1]; }
      const weight = (conf ? conf[b * L + l] : 1) * (w ? w[l] : 1);
      num += weight * robustPenaltyJs([rx, ry], norm, eps);
      den += weight;
    }
  }
  return num / den;
}

describe('landmarkLoss', () => {
  const r = rng(1);
  const pred = randn(B * L * 2, r, 20, 100);
  const target = randn(B * L * 2, r, 20, 100);
  const conf = randu(B * L, r, 0.2, 1);
  const w = randu(L, r, 0.5, 2);

  for (const norm of ['l2', 'l1', 'l21', 'charbonnier'] as RobustNorm[]) {
    it(`matches a float64 reference (${norm}, confidence, weights, image size)`, () => {
      const loss = landmarkLoss({ norm, imageSize: [224, 200], weights: Float32Array.from(w) });
      const got = leakFree(loss, { pred: t(pred, [B, L, 2]), target: t(target, [B, L, 2]), confidence: t(conf, [B, L]) });
      close(got, landmarkRef(pred, target, conf, w, norm, [224, 200], null), 1e-4, 1e-7);
    });
  }

  it('selects static / contour subsets with indices', () => {
    const contour = Array.from({ length: 17 }, (_, i) => i);
    const loss = landmarkLoss({ indices: contour, weights: Float32Array.from(w) });
    const got = value(loss.compute({ pred: t(pred, [B, L, 2]), target: t(target, [B, L, 2]), confidence: t(conf, [B, L]) }));
    close(got, landmarkRef(pred, target, conf, w, 'l2', null, contour));
  });

  it('sum reduction and no confidence', () => {
    const loss = landmarkLoss({ reduction: 'sum', norm: 'l1' });
    const got = value(loss.compute({ pred: t(pred, [B, L, 2]), target: t(target, [B, L, 2]) }));
    close(got, landmarkRef(pred, target, null, null, 'l1', null, null) * B * L);
  });

  it('is zero for identical inputs', () => {
    for (const norm of ['l2', 'l1', 'l21', 'charbonnier'] as RobustNorm[]) {
      const p = t(pred, [B, L, 2]);
      assert.equal(value(landmarkLoss({ norm }).compute({ pred: p, target: p })), 0);
    }
  });

  for (const norm of ['l2', 'l1', 'charbonnier'] as RobustNorm[]) {
    it(`gradient w.r.t. pred matches finite differences (${norm})`, () => {
      const loss = landmarkLoss({ norm, imageSize: 224, epsilon: 0.05 });
      const tgt = t(target, [B, L, 2]), c = t(conf, [B, L]);
      gradCheck((x) => loss.compute({ pred: x, target: tgt, confidence: c }), pred, [B, L, 2], { eps: 1e-2 });
    });
  }

  it('rejects mismatched shapes', () => {
    assert.throws(() => landmarkLoss().compute({ pred: tf.zeros([1, 68, 2]), target: tf.zeros([1, 67, 2]) }), /target has shape/);
  });
});

describe('eyeClosureLoss', () => {
  const r = rng(2);
  const pred = randn(B * L * 2, r, 10, 100);
  const target = randn(B * L * 2, r, 10, 100);
  const conf = randu(B * L, r, 0.2, 1);

  function ref(norm: RobustNorm, withConf: boolean): number {
    let num = 0, den = 0;
    for (let b = 0; b < B; b++) {
      for (const [u, d] of EYELID_PAIRS_68) {
        const res = [0, 1].map((c) => (pred[(b * L + u) * 2 + c] - pred[(b * L + d) * 2 + c]) - (target[(b * L + u) * 2 + c] - target[(b * L + d) * 2 + c]));
        const wt = withConf ? conf[b * L + u] * conf[b * L + d] : 1;
        num += wt * robustPenaltyJs(res, norm);
        den += wt;
      }
    }
    return num / den;
  }

  it('matches a float64 reference', () => {
    close(value(eyeClosureLoss().compute({ pred: t(pred, [B, L, 2]), target: t(target, [B, L, 2]), confidence: t(conf, [B, L]) })), ref('l1', true));
    close(value(eyeClosureLoss({ norm: 'l2' }).compute({ pred: t(pred, [B, L, 2]), target: t(target, [B, L, 2]) })), ref('l2', false));
  });

  it('is zero for identical inputs and for a translated eye', () => {
    const p = t(pred, [B, L, 2]);
    assert.equal(value(eyeClosureLoss().compute({ pred: p, target: p })), 0);
    close(value(eyeClosureLoss().compute({ pred: p, target: tf.add(p, 5) })), 0, 0, 1e-5);
  });

  it('gradient w.r.t. pred matches finite differences', () => {
    const loss = eyeClosureLoss({ norm: 'l2', imageSize: 100 });
    const tgt = t(target, [B, L, 2]);
    gradCheck((x) => loss.compute({ pred: x, target: tgt }), pred, [B, L, 2], { samples: 40, eps: 1e-2 });
  });
});

describe('registry', () => {
  it('registers landmark and eye-closure', async () => {
    const l = await registries.losses.get('landmark');
    assert.equal(l.name, 'landmark');
    const e = await registries.losses.get('eye-closure', { weight: 3 });
    assert.equal(e.weight, 3);
  });
});
