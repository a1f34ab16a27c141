import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { PRNET_RATIOS, prnetWeightMask, uvPositionLoss, uvSymmetryLoss } from '../src/index.js';
import { close, gradCheck, leakFree, randn, randu, rng, t, value } from './helpers.js';

describe('uvSymmetryLoss', () => {
  const B = 2, H = 4, W = 6;
  const r = rng(31);
  const d = randn(B * H * W, r);
  const mask = randu(H * W, r).map((v) => (v < 0.25 ? 0 : 1));
  function ref(withMask: boolean): number {
    let num = 0, den = 0;
    for (let b = 0; b < B; b++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const fx = W - 1 - x;
      const m = withMask ? mask[y * W + x] * mask[y * W + fx] : 1;
      num += m * Math.abs(d[(b * H + y) * W + x] - d[(b * H + y) * W + fx]);
      den += m;
    }
    return num / den;
  }
  it('matches a float64 reference ([B, H, W] map, [H, W] mask)', () => {
    close(leakFree(uvSymmetryLoss(), { map: t(d, [B, H, W]), mask: Float32Array.from(mask) }), ref(true));
    close(value(uvSymmetryLoss().compute({ map: t(d, [B, H, W, 1]) })), ref(false));
  });
  it('is zero for a mirror-symmetric map', () => {
    const m = t(d, [B, H, W]);
    assert.equal(value(uvSymmetryLoss().compute({ map: tf.add(m, tf.reverse(m, 2)) })), 0);
  });
  it('gradient matches finite differences', () => {
    gradCheck((x) => uvSymmetryLoss({ norm: 'l2' }).compute({ map: x, mask: Float32Array.from(mask) }), d, [B, H, W]);
  });
});

describe('prnetWeightMask / uvPositionLoss', () => {
  const S = 8;
  const region = (pred: (x: number, y: number) => boolean): Uint8Array => {
    const m = new Uint8Array(S * S);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) m[y * S + x] = pred(x, y) ? 1 : 0;
    return m;
  };
  const face = region((x, y) => y < 6);
  const neck = region((x, y) => y >= 6);
  const enm = region((x, y) => y >= 2 && y < 4 && x >= 2 && x < 6);
  const lmk = region((x, y) => y === 3 && x === 3);

  it('paints 16 : 4 : 3 : 0 with priority landmarks > eyes/nose/mouth > face > neck', () => {
    const w = prnetWeightMask(S, { face, neck, eyesNoseMouth: enm, landmarks: lmk, landmarkPixels: [0, 0] });
    assert.equal(w[3 * S + 3], 16);
    assert.equal(w[0], 16); // from landmarkPixels
    assert.equal(w[2 * S + 2], 4);
    assert.equal(w[5 * S + 7], 3);
    assert.equal(w[7 * S + 1], 0);
    const n = prnetWeightMask(S, { face }, { normalize: true });
    close(n[0], PRNET_RATIOS.face / 16);
    assert.throws(() => prnetWeightMask(S, { face: new Uint8Array(3) }), /expected 8 x 8/);
  });

  const B = 2, H = S, W = S;
  const r = rng(32);
  const pred = randn(B * H * W * 3, r), target = randn(B * H * W * 3, r);
  const wm = prnetWeightMask(S, { face, neck, eyesNoseMouth: enm, landmarks: lmk });
  function ref(squared: boolean): number {
    let s = 0;
    for (let b = 0; b < B; b++) for (let p = 0; p < H * W; p++) {
      let d2 = 0;
      for (let c = 0; c < 3; c++) d2 += (pred[(b * H * W + p) * 3 + c] - target[(b * H * W + p) * 3 + c]) ** 2;
      s += wm[p] * (squared ? d2 : Math.sqrt(d2));
    }
    return s / (B * H * W);
  }
  it('matches a float64 reference', () => {
    close(leakFree(uvPositionLoss({ weightMask: wm }), { pred: t(pred, [B, H, W, 3]), target: t(target, [B, H, W, 3]) }), ref(false));
    close(value(uvPositionLoss({ norm: 'l2' }).compute({ pred: t(pred, [B, H, W, 3]), target: t(target, [B, H, W, 3]), weightMask: tf.tensor2d(wm, [H, W]) })), ref(true));
  });
  it('is zero for identical maps', () => {
    const p = t(pred, [B, H, W, 3]);
    assert.equal(value(uvPositionLoss({ weightMask: wm }).compute({ pred: p, target: p })), 0);
  });
  it('gradient matches finite differences', () => {
    const tg = t(target, [B, H, W, 3]);
    gradCheck((x) => uvPositionLoss({ weightMask: wm }).compute({ pred: x, target: tg }), pred, [B, H, W, 3], { samples: 40 });
  });
  it('registry lookups', async () => {
    for (const n of ['uv-symmetry', 'uv-position']) assert.equal((await registries.losses.get(n)).name, n);
  });
});
