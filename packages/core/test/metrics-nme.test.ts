import { test } from 'node:test';
import assert from 'node:assert/strict';
import { landmarkNme, summarizeDistances } from '../src/metrics/index.js';

test('NME with bounding-box normalisation: hand-computed example', () => {
  // Ground-truth box 4 x 9 -> sqrt(36) = 6. Errors 5 (3-4-5), 0, 6, 1 -> mean 3 -> NME 0.5.
  const gt = [0, 0, 4, 0, 0, 9, 4, 9];
  const pred = [3, 4, 4, 0, 0, 15, 5, 9];
  const r = landmarkNme(pred, gt);
  assert.equal(r.normalizer, 6);
  assert.deepEqual(Array.from(r.errors), [5, 0, 6, 1]);
  assert.deepEqual(Array.from(r.normalizedErrors), [5 / 6, 0, 1, 1 / 6]);
  assert.equal(r.mean, 0.5);
  // Same with xyz input: z differences are ignored.
  const gt3 = [0, 0, 1, 4, 0, 2, 0, 9, 3, 4, 9, 4];
  const pred3 = [3, 4, 100, 4, 0, -7, 0, 15, 0, 5, 9, 0];
  assert.equal(landmarkNme(pred3, gt3, { stride: 3 }).mean, 0.5);
});

test('NME with inter-ocular normalisation uses outer eye corners 36 and 45', () => {
  const gt = new Float64Array(68 * 2);
  for (let i = 0; i < 68; i++) {
    gt[2 * i] = i;
    gt[2 * i + 1] = 2 * i;
  }
  gt.set([10, 20], 2 * 36);
  gt.set([40, 60], 2 * 45); // |(30, 40)| = 50
  const pred = gt.slice();
  pred[0] += 3;
  pred[1] += 4; // error 5 on landmark 0
  pred[2 * 10] -= 6;
  pred[2 * 10 + 1] += 8; // error 10 on landmark 10
  const r = landmarkNme(pred, gt, { normalization: 'inter-ocular' });
  assert.equal(r.normalizer, 50);
  assert.equal(r.errors[0], 5);
  assert.equal(r.errors[10], 10);
  assert.ok(Math.abs(r.mean - 15 / 68 / 50) < 1e-15);
  assert.equal(landmarkNme(pred, gt, { normalization: 25 }).mean, (15 / 68) / 25);
  assert.throws(() => landmarkNme([0, 0, 1, 1], [0, 0, 1, 1], { normalization: 'inter-ocular' }), /36 and 45/);
  assert.throws(() => landmarkNme([0, 0, 1, 0], [0, 0, 1, 0]), /degenerate/);
});

test('summarizeDistances: mean/median/std/min/max match a sort-based computation', () => {
  let seed = 3;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const n of [1, 2, 7, 100, 1001]) {
    const v = Array.from({ length: n }, () => rand() * 10);
    const s = summarizeDistances(Float32Array.from(v), 1000);
    const f = Array.from(Float32Array.from(v)).sort((a, b) => a - b);
    const mean = f.reduce((a, b) => a + b, 0) / n;
    const median = n % 2 ? f[(n - 1) / 2] : (f[n / 2 - 1] + f[n / 2]) / 2;
    const std = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    assert.equal(s.count, n);
    assert.ok(Math.abs(s.mean - 1000 * mean) < 1e-9);
    assert.ok(Math.abs(s.median - 1000 * median) < 1e-9, `n=${n}: ${s.median} vs ${1000 * median}`);
    assert.ok(Math.abs(s.std - 1000 * std) < 1e-9);
    assert.equal(s.min, 1000 * f[0]);
    assert.equal(s.max, 1000 * f[n - 1]);
  }
  const withInf = summarizeDistances([1, Infinity, 3, NaN]);
  assert.equal(withInf.count, 2);
  assert.equal(withInf.median, 2);
  assert.ok(Number.isNaN(summarizeDistances([]).mean));
});
