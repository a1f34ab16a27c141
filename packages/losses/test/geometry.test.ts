import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { opticalFlowLoss, pointToPlaneLoss, robustPenaltyJs, type RobustNorm } from '../src/index.js';
import { close, gradCheck, leakFree, randn, randu, rng, t, value } from './helpers.js';

describe('opticalFlowLoss', () => {
  const B = 2, H = 5, W = 4, P = B * H * W;
  const r = rng(51);
  const fr = randn(P * 2, r, 3), fo = randn(P * 2, r, 3);
  const m = randu(P, r);
  function ref(norm: RobustNorm, scale: number, eps: number): number {
    let num = 0, den = 0;
    for (let p = 0; p < P; p++) {
      num += m[p] * robustPenaltyJs([(fr[2 * p] - fo[2 * p]) / scale, (fr[2 * p + 1] - fo[2 * p + 1]) / scale], norm, eps);
      den += m[p];
    }
    return num / den;
  }
  it('matches a float64 reference', () => {
    close(leakFree(opticalFlowLoss(), { renderedFlow: t(fr, [B, H, W, 2]), observedFlow: t(fo, [B, H, W, 2]), mask: t(m, [B, H, W]) }), ref('l21', 1, 0));
    close(value(opticalFlowLoss({ norm: 'charbonnier', epsilon: 0.1, scale: 10 }).compute({ renderedFlow: t(fr, [B, H, W, 2]), observedFlow: t(fo, [B, H, W, 2]), mask: t(m, [B, H, W]) })), ref('charbonnier', 10, 0.1));
  });
  it('is zero for identical flows', () => {
    const f = t(fr, [B, H, W, 2]);
    assert.equal(value(opticalFlowLoss().compute({ renderedFlow: f, observedFlow: f })), 0);
  });
  it('gradient matches finite differences', () => {
    const o = t(fo, [B, H, W, 2]), mm = t(m, [B, H, W]);
    gradCheck((x) => opticalFlowLoss().compute({ renderedFlow: x, observedFlow: o, mask: mm }), fr, [B, H, W, 2], { samples: 30 });
  });
});

describe('pointToPlaneLoss', () => {
  const B = 2, N = 20;
  const r = rng(52);
  const p = randn(B * N * 3, r), q = randn(B * N * 3, r);
  const n = randn(B * N * 3, r);
  for (let i = 0; i < B * N; i++) {
    const l = Math.hypot(n[3 * i], n[3 * i + 1], n[3 * i + 2]);
    for (let k = 0; k < 3; k++) n[3 * i + k] = Math.fround(n[3 * i + k] / l);
  }
  const w = randu(B * N, r);
  function ref(weighted: boolean): number {
    let s = 0;
    for (let i = 0; i < B * N; i++) {
      let dot = 0;
      for (let k = 0; k < 3; k++) dot += (p[3 * i + k] - q[3 * i + k]) * n[3 * i + k];
      s += (weighted ? w[i] : 1) * dot * dot;
    }
    return s;
  }
  it('matches a float64 reference (sum, and weighted mean)', () => {
    close(leakFree(pointToPlaneLoss(), { pred: t(p, [B, N, 3]), target: t(q, [B, N, 3]), normals: t(n, [B, N, 3]) }), ref(false));
    const wsum = w.reduce((a, b) => a + b, 0);
    close(value(pointToPlaneLoss({ reduction: 'mean' }).compute({ pred: t(p, [B, N, 3]), target: t(q, [B, N, 3]), normals: t(n, [B, N, 3]), weights: t(w, [B, N]) })), ref(true) / wsum);
  });
  it('is zero for identical points and for sliding within the tangent plane', () => {
    const tp = t(p, [B, N, 3]), tn = t(n, [B, N, 3]);
    assert.equal(value(pointToPlaneLoss().compute({ pred: tp, target: tp, normals: tn })), 0);
    // Move each point along (n_y, -n_x, 0), which is perpendicular to its normal n.
    const tan = new Float32Array(B * N * 3);
    for (let i = 0; i < B * N; i++) { tan[3 * i] = n[3 * i + 1]; tan[3 * i + 1] = -n[3 * i]; }
    close(value(pointToPlaneLoss().compute({ pred: tf.add(tp, tf.tensor(tan, [B, N, 3])), target: tp, normals: tn })), 0, 0, 1e-10);
  });
  it('gradient matches finite differences', () => {
    const tq = t(q, [B, N, 3]), tn = t(n, [B, N, 3]), tw = t(w, [B, N]);
    gradCheck((x) => pointToPlaneLoss().compute({ pred: x, target: tq, normals: tn, weights: tw }), p, [B, N, 3]);
  });
  it('registry lookups', async () => {
    for (const name of ['optical-flow', 'point-to-plane']) assert.equal((await registries.losses.get(name)).name, name);
  });
});
