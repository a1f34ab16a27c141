import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registries } from '@facekit/core';
import { photometricLoss, robustPenaltyJs, sampleImageBilinear, vertexPhotometricLoss, type RobustNorm } from '../src/index.js';
import { close, gradCheck, leakFree, randu, rng, t, value } from './helpers.js';

describe('photometricLoss', () => {
  const B = 2, H = 6, W = 5, C = 3, P = B * H * W;
  const r = rng(3);
  const rendered = randu(P * C, r);
  const image = randu(P * C, r);
  const mask = randu(P, r).map((v) => (v < 0.3 ? 0 : v));

  function ref(norm: RobustNorm, m: Float64Array | null): number {
    let num = 0, den = 0;
    for (let p = 0; p < P; p++) {
      const res = [0, 1, 2].map((c) => rendered[p * C + c] - image[p * C + c]);
      const w = m ? m[p] : 1;
      num += w * robustPenaltyJs(res, norm);
      den += w;
    }
    return num / den;
  }

  for (const norm of ['l21', 'l2', 'l1', 'charbonnier'] as RobustNorm[]) {
    it(`matches a float64 reference (${norm}, soft mask)`, () => {
      const got = leakFree(photometricLoss({ norm }), { rendered: t(rendered, [B, H, W, C]), image: t(image, [B, H, W, C]), mask: t(mask, [B, H, W]) });
      close(got, ref(norm, mask));
    });
  }

  it('defaults to every pixel without a mask; sum reduction', () => {
    close(value(photometricLoss().compute({ rendered: t(rendered, [B, H, W, C]), image: t(image, [B, H, W, C]) })), ref('l21', null));
    close(
      value(photometricLoss({ reduction: 'sum' }).compute({ rendered: t(rendered, [B, H, W, C]), image: t(image, [B, H, W, C]), mask: t(mask, [B, H, W]) })),
      ref('l21', mask) * mask.reduce((a, b) => a + b, 0),
    );
  });

  it('is zero for identical inputs (with finite gradient) and for an empty mask', () => {
    const x = t(rendered, [B, H, W, C]);
    assert.equal(value(photometricLoss().compute({ rendered: x, image: x })), 0);
    const g = tf.grad((y: tf.Tensor) => photometricLoss().compute({ rendered: y, image: x }) as tf.Scalar)(x);
    assert.ok(g.dataSync().every(Number.isFinite));
    assert.equal(value(photometricLoss().compute({ rendered: x, image: tf.zerosLike(x), mask: tf.zeros([B, H, W]) })), 0);
  });

  for (const norm of ['l21', 'l2'] as RobustNorm[]) {
    it(`gradient w.r.t. rendered matches finite differences (${norm})`, () => {
      const img = t(image, [B, H, W, C]), m = t(mask, [B, H, W]);
      gradCheck((x) => photometricLoss({ norm }).compute({ rendered: x, image: img, mask: m }), rendered, [B, H, W, C], { samples: 40 });
    });
  }
});

describe('vertexPhotometricLoss / sampleImageBilinear', () => {
  const B = 2, N = 9, H = 7, W = 8, C = 3;
  const r = rng(4);
  const colors = randu(B * N * C, r);
  const image = randu(B * H * W * C, r);
  // Keep points strictly inside cells so finite differences do not cross pixel boundaries.
  const points = new Float64Array(B * N * 2);
  for (let i = 0; i < B * N; i++) {
    points[i * 2] = Math.fround(Math.floor(r() * (W - 1)) + 0.1 + 0.8 * r());
    points[i * 2 + 1] = Math.fround(Math.floor(r() * (H - 1)) + 0.1 + 0.8 * r());
  }
  const vis = randu(B * N, r);

  function sampleRef(b: number, x: number, y: number): number[] {
    const x0 = Math.min(Math.floor(x), W - 2), y0 = Math.min(Math.floor(y), H - 2);
    const fx = x - x0, fy = y - y0;
    const px = (yy: number, xx: number, c: number): number => image[((b * H + yy) * W + xx) * C + c];
    return [0, 1, 2].map((c) =>
      (1 - fy) * ((1 - fx) * px(y0, x0, c) + fx * px(y0, x0 + 1, c)) + fy * ((1 - fx) * px(y0 + 1, x0, c) + fx * px(y0 + 1, x0 + 1, c)));
  }

  it('samples bilinearly like a float64 reference', () => {
    const s = sampleImageBilinear(t(image, [B, H, W, C]), t(points, [B, N, 2])).dataSync();
    for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
      const e = sampleRef(b, points[(b * N + i) * 2], points[(b * N + i) * 2 + 1]);
      for (let c = 0; c < C; c++) close(s[(b * N + i) * C + c], e[c], 1e-5, 1e-6);
    }
    // Integer pixel positions (including the last row/column) return the pixel itself.
    const corner = sampleImageBilinear(t(image, [B, H, W, C]), t([W - 1, H - 1, 0, 0, W - 1, H - 1, 0, 0], [B, 2, 2])).dataSync();
    close(corner[0], image[((H - 1) * W + W - 1) * C], 1e-6, 1e-7);
  });

  it('matches a float64 reference (target given, and image + points)', () => {
    let num = 0, den = 0;
    const target: number[] = [];
    for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
      const s = sampleRef(b, points[(b * N + i) * 2], points[(b * N + i) * 2 + 1]);
      target.push(...s);
      const res = s.map((v, c) => colors[(b * N + i) * C + c] - v);
      num += vis[b * N + i] * robustPenaltyJs(res, 'l21');
      den += vis[b * N + i];
    }
    const loss = vertexPhotometricLoss();
    close(leakFree(loss, { colors: t(colors, [B, N, C]), image: t(image, [B, H, W, C]), points: t(points, [B, N, 2]), visibility: t(vis, [B, N]) }), num / den, 1e-4);
    close(value(loss.compute({ colors: t(colors, [B, N, C]), target: t(target, [B, N, C]), visibility: t(vis, [B, N]) })), num / den, 1e-4);
  });

  it('is zero for identical colours', () => {
    const c = t(colors, [B, N, C]);
    assert.equal(value(vertexPhotometricLoss().compute({ colors: c, target: c })), 0);
  });

  it('gradient w.r.t. colours and w.r.t. projected points matches finite differences', () => {
    const img = t(image, [B, H, W, C]), pts = t(points, [B, N, 2]), v = t(vis, [B, N]), col = t(colors, [B, N, C]);
    const loss = vertexPhotometricLoss({ norm: 'l2' });
    gradCheck((x) => loss.compute({ colors: x, image: img, points: pts, visibility: v }), colors, [B, N, C]);
    gradCheck((x) => loss.compute({ colors: col, image: img, points: x, visibility: v }), points, [B, N, 2], { eps: 1e-2 });
  });

  it('registry lookups', async () => {
    assert.equal((await registries.losses.get('photometric')).name, 'photometric');
    assert.equal((await registries.losses.get('vertex-photometric')).name, 'vertex-photometric');
  });
});
