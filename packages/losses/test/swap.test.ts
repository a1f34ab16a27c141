import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import {
  compareWith, detailConsistencyLoss, landmarkLoss, photometricLoss, shapeSwapConsistencyLoss,
  type CodeSet, type SwapConsistencyInputs,
} from '../src/index.js';
import { close, gradCheck, leakFree, randn, rng, t, value } from './helpers.js';

// A toy linear "decoder + projection": landmarks = shape @ S + expression @ E + translation, [B, L, 2].
const B = 2, L = 5, KS = 3, KE = 2;
const r = rng(21);
const S = randn(KS * L * 2, r), E = randn(KE * L * 2, r);
const render = (c: CodeSet): tf.Tensor =>
  tf.reshape(tf.add(tf.add(tf.matMul(c.shape, t(S, [KS, L * 2])), tf.matMul(c.expression, t(E, [KE, L * 2]))), tf.tile(c.translation, [1, L])), [-1, L, 2]);
function renderJs(shape: ArrayLike<number>, expr: ArrayLike<number>, tr: ArrayLike<number>, b: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < L * 2; j++) {
    let v = tr[b * 2 + (j % 2)];
    for (let k = 0; k < KS; k++) v += shape[b * KS + k] * S[k * L * 2 + j];
    for (let k = 0; k < KE; k++) v += expr[b * KE + k] * E[k * L * 2 + j];
    out.push(v);
  }
  return out;
}

describe('shapeSwapConsistencyLoss / detailConsistencyLoss', () => {
  const shapeA = randn(B * KS, r), shapeB = randn(B * KS, r);
  const exprA = randn(B * KE, r), exprB = randn(B * KE, r);
  const trA = randn(B * 2, r), trB = randn(B * 2, r);
  const targetA = randn(B * L * 2, r, 2), targetB = randn(B * L * 2, r, 2);
  const codes = (shape: ArrayLike<number>, expr: ArrayLike<number>, tr: ArrayLike<number>): CodeSet =>
    ({ shape: t(shape, [B, KS]), expression: t(expr, [B, KE]), translation: t(tr, [B, 2]) });
  const compare = compareWith(landmarkLoss(), (pred: tf.Tensor, target: tf.Tensor) => ({ pred, target }));
  const inputs = (): SwapConsistencyInputs => ({
    codesA: codes(shapeA, exprA, trA), codesB: codes(shapeB, exprB, trB),
    targetA: t(targetA, [B, L, 2]), targetB: t(targetB, [B, L, 2]),
  });

  function ref(): number {
    // Landmark loss (l2, mean) of A rendered with B's shape against A's target, and vice versa, averaged.
    const term = (shape: ArrayLike<number>, expr: ArrayLike<number>, tr: ArrayLike<number>, target: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        const p = renderJs(shape, expr, tr, b);
        for (let j = 0; j < L * 2; j++) s += (p[j] - target[b * L * 2 + j]) ** 2;
      }
      return s / (B * L);
    };
    return 0.5 * (term(shapeB, exprA, trA, targetA) + term(shapeA, exprB, trB, targetB));
  }

  it('combines render + compare as the formula says (float64 reference)', () => {
    close(leakFree(shapeSwapConsistencyLoss({ render, compare }), inputs()), ref(), 1e-4, 1e-5);
    // Callbacks may also come with the inputs (registry-created instances).
    close(value(shapeSwapConsistencyLoss().compute({ ...inputs(), render, compare })), ref(), 1e-4, 1e-5);
  });

  it('is zero when the shape codes agree and each rendering matches its target', () => {
    const a = codes(shapeA, exprA, trA), b = codes(shapeA, exprB, trB);
    const loss = shapeSwapConsistencyLoss({ render, compare });
    const v = value(loss.compute({ codesA: a, codesB: b, targetA: render(a), targetB: render(b) }));
    close(v, 0, 0, 1e-9);
  });

  it('gradient w.r.t. the other image\'s shape code matches finite differences', () => {
    const base = inputs();
    const loss = shapeSwapConsistencyLoss({ render, compare });
    gradCheck((x) => loss.compute({ ...base, codesB: { ...base.codesB, shape: x } }), shapeB, [B, KS]);
  });

  it('detail consistency swaps the detail code (photometric comparison)', () => {
    // "render" a detail map: image = detail broadcast + expression-dependent offset; compare photometrically.
    const H = 3, W = 4;
    const renderImg = (c: CodeSet): tf.Tensor => tf.add(tf.reshape(c.detail, [B, H, W, 1]), tf.reshape(tf.sum(c.expression, 1), [B, 1, 1, 1]));
    const photo = photometricLoss({ norm: 'l2' });
    const cmp = compareWith(photo, (rendered: tf.Tensor, image: tf.Tensor) => ({ rendered, image: tf.tile(image, [1, 1, 1, 1]) }));
    const dA = randn(B * H * W, r), dB = randn(B * H * W, r);
    const eA = randn(B * KE, r), eB = randn(B * KE, r);
    const imA = randn(B * H * W, r), imB = randn(B * H * W, r);
    const loss = detailConsistencyLoss({ render: renderImg, compare: cmp });
    assert.equal(loss.name, 'detail-consistency');
    const got = value(loss.compute({
      codesA: { detail: t(dA, [B, H * W]), expression: t(eA, [B, KE]) },
      codesB: { detail: t(dB, [B, H * W]), expression: t(eB, [B, KE]) },
      targetA: t(imA, [B, H, W, 1]), targetB: t(imB, [B, H, W, 1]),
    }));
    let sa = 0, sb = 0;
    for (let b = 0; b < B; b++) {
      const ea = eA[b * KE] + eA[b * KE + 1], eb = eB[b * KE] + eB[b * KE + 1];
      for (let p = 0; p < H * W; p++) {
        sa += (dB[b * H * W + p] + ea - imA[b * H * W + p]) ** 2;
        sb += (dA[b * H * W + p] + eb - imB[b * H * W + p]) ** 2;
      }
    }
    close(got, 0.5 * (sa + sb) / (B * H * W), 1e-4, 1e-6);
  });

  it('throws without callbacks; registered', async () => {
    assert.throws(() => shapeSwapConsistencyLoss().compute(inputs()), /render\(codes\)/);
    assert.equal((await registries.losses.get('shape-swap')).name, 'shape-swap');
    assert.equal((await registries.losses.get('detail-consistency')).name, 'detail-consistency');
  });
});
