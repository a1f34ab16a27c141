import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { identityLoss, identityPairLoss, ringShapeConsistencyLoss } from '../src/index.js';
import { close, gradCheck, leakFree, randn, rng, t, value } from './helpers.js';

describe('identityLoss', () => {
  const B = 3, D = 16;
  const r = rng(11);
  const a = randn(B * D, r), b = randn(B * D, r);
  function ref(): number {
    let s = 0;
    for (let i = 0; i < B; i++) {
      let dot = 0, na = 0, nb = 0;
      for (let k = 0; k < D; k++) {
        dot += a[i * D + k] * b[i * D + k];
        na += a[i * D + k] ** 2;
        nb += b[i * D + k] ** 2;
      }
      s += 1 - dot / Math.sqrt(na * nb);
    }
    return s / B;
  }
  it('matches a float64 reference', () => close(leakFree(identityLoss(), { pred: t(a, [B, D]), target: t(b, [B, D]) }), ref(), 1e-4, 1e-6));
  it('is zero for identical and for scaled descriptors', () => {
    close(value(identityLoss().compute({ pred: t(a, [B, D]), target: t(a, [B, D]) })), 0, 0, 1e-6);
    close(value(identityLoss().compute({ pred: t(a, [B, D]), target: tf.mul(t(a, [B, D]), 3) })), 0, 0, 1e-6);
  });
  it('gradient matches finite differences', () => {
    const tg = t(b, [B, D]);
    gradCheck((x) => identityLoss().compute({ pred: x, target: tg }), a, [B, D]);
  });
});

describe('ringShapeConsistencyLoss', () => {
  const N = 2, R = 6, K = 5;
  const r = rng(12);
  const shapes = randn(N * R * K, r, 0.6);
  function ref(eta: number, distinct: boolean, neg = R - 1): number {
    const at = (i: number, j: number, k: number): number => shapes[(i * R + j) * K + k];
    const d2 = (i: number, j: number, k: number): number => {
      let s = 0;
      for (let c = 0; c < K; c++) s += (at(i, j, c) - at(i, k, c)) ** 2;
      return s;
    };
    let e = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < R; j++) for (let k = 0; k < R; k++) {
      if (j === neg || k === neg || (distinct && j === k)) continue;
      e += Math.max(0, d2(i, j, k) - d2(i, j, neg) + eta);
    }
    return e;
  }
  it('matches the RingNet formula (float64 reference)', () => {
    close(leakFree(ringShapeConsistencyLoss(), { shapes: t(shapes, [N, R, K]) }), ref(0.5, false), 1e-4, 1e-5);
    close(value(ringShapeConsistencyLoss({ pairs: 'distinct', negativeIndex: 2 }).compute({ shapes: t(shapes, [N, R, K]) })), ref(0.5, true, 2), 1e-4, 1e-5);
    const mean = ringShapeConsistencyLoss({ reduction: 'mean', margin: 1 });
    close(value(mean.compute({ shapes: t(shapes, [N, R, K]) })), ref(1, false) / (N * (R - 1) * (R - 1)), 1e-4, 1e-6);
  });
  it('is zero when the ring agrees and the other subject is far', () => {
    const s = new Float32Array(N * R * K);
    for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) s[(i * R + R - 1) * K + k] = 1; // distance^2 = K > eta
    assert.equal(value(ringShapeConsistencyLoss().compute({ shapes: t(s, [N, R, K]) })), 0);
  });
  it('gradient matches finite differences', () => {
    gradCheck((x) => ringShapeConsistencyLoss().compute({ shapes: x }), shapes, [N, R, K], { samples: 30 });
  });
});

describe('identityPairLoss', () => {
  const P = 6, K = 4;
  const r = rng(13);
  const a = randn(P * K, r, 0.5), b = randn(P * K, r, 0.5);
  const same = [1, 0, 1, 0, 0, 1];
  function ref(m: number): number {
    let e = 0;
    for (let p = 0; p < P; p++) {
      let d2 = 0;
      for (let k = 0; k < K; k++) d2 += (a[p * K + k] - b[p * K + k]) ** 2;
      e += same[p] ? d2 : Math.max(0, m - Math.sqrt(d2)) ** 2;
    }
    return e / P;
  }
  it('matches a float64 reference', () => {
    close(leakFree(identityPairLoss({ margin: 1.5 }), { a: t(a, [P, K]), b: t(b, [P, K]), same }), ref(1.5), 1e-4, 1e-6);
  });
  it('is zero for identical same-identity codes', () => {
    assert.equal(value(identityPairLoss().compute({ a: t(a, [P, K]), b: t(a, [P, K]), same: new Array(P).fill(1) })), 0);
  });
  it('gradient matches finite differences', () => {
    const tb = t(b, [P, K]);
    gradCheck((x) => identityPairLoss({ margin: 1.5 }).compute({ a: x, b: tb, same }), a, [P, K]);
  });
  it('registry lookups', async () => {
    for (const n of ['identity', 'ring-shape-consistency', 'identity-pair']) assert.equal((await registries.losses.get(n)).name, n);
  });
});
