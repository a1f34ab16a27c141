import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createImage,
  sampleBilinear,
  sampleNearest,
  cropImage,
  resizeImage,
  warpAffine,
  toRGB,
  toRGBA,
  toGrayscale,
  toNdarray,
  fromNdarray,
  drawCircle,
  drawLine,
  drawPoints,
  drawPolyline,
  drawWireframe,
  type ImageF32,
  type ImageU8,
} from '../src/image/index.js';
import {
  estimateSimilarity,
  estimateAffine,
  similarityToAffine,
  affineToSimilarity,
  applyAffine,
  invertAffine,
  composeAffine,
  affineFromPixelCenterConvention,
  affineToPixelCenterConvention,
} from '../src/math/affine2d.js';

/** A float test image whose value is a linear function of the pixel centre: f(x, y) = 2x + 3y (+ c per channel). */
function linearImage(w: number, h: number, ch: 1 | 3 = 1): ImageF32 {
  const img = createImage(w, h, ch, 'f32');
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < ch; c++) img.data[(y * w + x) * ch + c] = 2 * (x + 0.5) + 3 * (y + 0.5) + 10 * c;
  return img;
}

function randomU8(w: number, h: number, ch: 1 | 2 | 3 | 4, seed = 1): ImageU8 {
  const img = createImage(w, h, ch, 'u8');
  let s = seed;
  for (let i = 0; i < img.data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    img.data[i] = s >>> 24;
  }
  return img;
}

test('sampleBilinear: pixel centres are exact, interpolation is linear, edges clamp, u8 is scaled to [0, 1]', () => {
  const img = linearImage(5, 4, 3);
  const out = new Float32Array(3);
  sampleBilinear(img, 0.5, 0.5, out);
  assert.deepEqual(Array.from(out), [2 * 0.5 + 3 * 0.5, 2.5 + 10, 2.5 + 20]);
  sampleBilinear(img, 2.3, 1.7, out);
  assert.ok(Math.abs(out[0] - (2 * 2.3 + 3 * 1.7)) < 1e-5);
  sampleBilinear(img, -10, -3, out); // clamps to pixel (0, 0)
  assert.equal(out[0], 2.5);
  sampleBilinear(img, 100, 100, out); // pixel (4, 3)
  assert.equal(out[0], 2 * 4.5 + 3 * 3.5);
  const arr = [0, 0, 0, 0];
  sampleBilinear(img, 1.5, 0.5, arr, 1);
  assert.deepEqual(arr, [0, 4.5, 14.5, 24.5]);
  const u8 = createImage(2, 1, 1, 'u8');
  u8.data.set([0, 255]);
  const o = [0];
  sampleBilinear(u8, 1, 0.5, o);
  assert.equal(o[0], 0.5);
  sampleNearest(u8, 1.2, 0.2, o);
  assert.equal(o[0], 1);
});

test('cropImage copies the overlap and pads outside with the fill value', () => {
  const img = randomU8(6, 5, 3);
  const c = cropImage(img, { x: -2, y: 1, width: 4, height: 5 }, [1, 2, 3]);
  assert.equal(c.width, 4);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 4; x++) {
      const sx = x - 2, sy = y + 1;
      for (let k = 0; k < 3; k++) {
        const expected = sx >= 0 && sy < 5 ? img.data[(sy * 6 + sx) * 3 + k] : [1, 2, 3][k];
        assert.equal(c.data[(y * 4 + x) * 3 + k], expected);
      }
    }
  }
  const f = cropImage(linearImage(3, 3), { x: 5, y: 5, width: 2, height: 2 });
  assert.deepEqual(Array.from(f.data), [0, 0, 0, 0]);
  assert.ok(f.data instanceof Float32Array);
  assert.throws(() => cropImage(img, { x: 0.5, y: 0, width: 2, height: 2 }), RangeError);
});

test('resizeImage: bilinear reproduces linear ramps, area averages exact blocks, identity copies', () => {
  const img = linearImage(8, 6);
  // Upscale 2x: interior output pixel centres map to (x + 0.5) / 2 in source coordinates.
  const up = resizeImage(img, 16, 12, { filter: 'bilinear' });
  for (let y = 1; y < 11; y++) {
    for (let x = 1; x < 15; x++) {
      const sx = (x + 0.5) / 2, sy = (y + 0.5) / 2;
      assert.ok(Math.abs(up.data[y * 16 + x] - (2 * sx + 3 * sy)) < 1e-4, `up ${x},${y}`);
    }
  }
  // Downscale 4x with area averaging: each output is the mean of a 4x4 block.
  const src = randomU8(16, 8, 1);
  const down = resizeImage(toFloat(src), 4, 2);
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 4; x++) {
      let s = 0;
      for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) s += src.data[(y * 4 + j) * 16 + x * 4 + i];
      assert.ok(Math.abs(down.data[y * 4 + x] - s / 16) < 1e-3);
    }
  }
  // u8 output is rounded mean; a constant image stays constant through any filter.
  const flat = createImage(37, 23, 3, 'u8');
  flat.data.fill(200);
  for (const filter of ['auto', 'bilinear', 'area', 'nearest'] as const) {
    const r = resizeImage(flat, 11, 50, { filter });
    assert.ok(r.data.every((v) => v === 200), filter);
  }
  const same = resizeImage(src, 16, 8);
  assert.deepEqual(same.data, src.data);
  assert.notEqual(same.data, src.data);
  // Downscale 8x of a 1-pixel checkerboard averages to mid grey instead of aliasing.
  const checker = createImage(64, 64, 1, 'u8');
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) checker.data[y * 64 + x] = (x + y) % 2 ? 255 : 0;
  const small = resizeImage(checker, 8, 8);
  assert.ok(small.data.every((v) => v === 128), `checker ${small.data.slice(0, 4)}`);
});

function toFloat(img: ImageU8): ImageF32 {
  return { ...img, data: Float32Array.from(img.data) };
}

test('warpAffine: identity copies, integer translation shifts exactly, scale matches the closed form', () => {
  const img = randomU8(9, 7, 3);
  const id = warpAffine(img, [1, 0, 0, 0, 1, 0], 9, 7);
  assert.deepEqual(id.data, img.data);
  // Shift by (+2, -1): dst(x, y) = src(x - 2, y + 1); outside is the fill.
  const sh = warpAffine(img, [1, 0, 2, 0, 1, -1], 9, 7, { fill: [7, 8, 9] });
  for (let y = 0; y < 7; y++) {
    for (let x = 0; x < 9; x++) {
      const sx = x - 2, sy = y + 1;
      for (let k = 0; k < 3; k++) {
        const e = sx >= 0 && sy < 7 ? img.data[(sy * 9 + sx) * 3 + k] : [7, 8, 9][k];
        assert.equal(sh.data[(y * 9 + x) * 3 + k], e, `${x},${y}`);
      }
    }
  }
  // Inverse flag gives the same result from the inverted matrix.
  const inv = warpAffine(img, [1, 0, -2, 0, 1, 1], 9, 7, { fill: [7, 8, 9], inverse: true });
  assert.deepEqual(inv.data, sh.data);
  // Scale by 1.5 about the origin on a linear ramp: dst(x, y) = f((x + 0.5) / 1.5, (y + 0.5) / 1.5) inside.
  const ramp = linearImage(10, 10);
  const sc = warpAffine(ramp, [1.5, 0, 0, 0, 1.5, 0], 12, 12, { border: 'replicate' });
  for (let y = 0; y < 12; y++) {
    for (let x = 0; x < 12; x++) {
      const sx = (x + 0.5) / 1.5, sy = (y + 0.5) / 1.5;
      if (sx < 0.5 || sy < 0.5) continue; // clamped border region
      assert.ok(Math.abs(sc.data[y * 12 + x] - (2 * sx + 3 * sy)) < 1e-4);
    }
  }
  // 90-degree rotation about the image centre maps pixels exactly.
  const sq = randomU8(6, 6, 1, 3);
  const rot = composeAffine([1, 0, 3, 0, 1, 3], composeAffine([0, -1, 0, 1, 0, 0], [1, 0, -3, 0, 1, -3]));
  const r = warpAffine(sq, rot, 6, 6);
  for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) {
    // dst = R src with R (x, y) -> (-y, x) about the centre: src = (y', -x') relative => src x = y, src y = 5 - x.
    assert.equal(r.data[y * 6 + x], sq.data[(5 - x) * 6 + y]);
  }
});

test('warpAffine antialiases strong downscaling', () => {
  const checker = createImage(256, 256, 1, 'u8');
  for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) checker.data[y * 256 + x] = (x + y) % 2 ? 255 : 0;
  const shrink = [0.125, 0, 0.0625, 0, 0.125, 0.0625]; // lands bilinear taps on pixel centres: worst case for aliasing
  const small = warpAffine(checker, shrink, 32, 32);
  for (let y = 1; y < 31; y++) for (let x = 1; x < 31; x++) assert.ok(Math.abs(small.data[y * 32 + x] - 128) <= 1, 'mid grey');
  const aliased = warpAffine(checker, shrink, 32, 32, { antialias: false });
  assert.ok(aliased.data.some((v) => Math.abs(v - 128) > 60));
});

test('antialiased warp of a sub-region stays exact on a linear ramp', () => {
  // Area averages and bilinear interpolation are both exact on linear functions, so even the prefiltered path
  // (which crops the visible source region first) must reproduce f(A^-1 p) up to float rounding.
  const ramp = linearImage(400, 300);
  const A = similarityToAffine({ scale: 0.2, angle: 0.3, tx: -20, ty: -30 });
  const out = warpAffine(ramp, A, 24, 24, { border: 'replicate' });
  const inv = invertAffine(A);
  for (let y = 0; y < 24; y++) {
    for (let x = 0; x < 24; x++) {
      const [sx, sy] = applyAffine(inv, x + 0.5, y + 0.5);
      if (sx < 10 || sy < 10 || sx > 390 || sy > 290) continue;
      assert.ok(Math.abs(out.data[y * 24 + x] - (2 * sx + 3 * sy)) < 0.05, `${x},${y}: ${out.data[y * 24 + x]} vs ${2 * sx + 3 * sy}`);
    }
  }
});

test('channel conversions', () => {
  const grey = createImage(2, 1, 1, 'u8');
  grey.data.set([10, 200]);
  assert.deepEqual(Array.from(toRGB(grey).data), [10, 10, 10, 200, 200, 200]);
  const rgba = createImage(2, 1, 4, 'u8');
  rgba.data.set([100, 50, 0, 255, 100, 50, 0, 0]);
  assert.deepEqual(Array.from(toRGB(rgba).data), [100, 50, 0, 255, 255, 255]);
  assert.deepEqual(Array.from(toRGB(rgba, { alpha: 'drop' }).data), [100, 50, 0, 100, 50, 0]);
  assert.deepEqual(Array.from(toRGB(rgba, { background: [0, 0, 0] }).data), [100, 50, 0, 0, 0, 0]);
  const ga = createImage(1, 1, 2, 'f32');
  ga.data.set([0.2, 0.5]);
  assert.deepEqual(Array.from(toRGB(ga).data).map((v) => +v.toFixed(6)), [0.6, 0.6, 0.6]);
  const rgb = toRGB(rgba);
  assert.equal(toRGB(rgb), rgb);
  assert.deepEqual(Array.from(toRGBA(grey).data), [10, 10, 10, 255, 200, 200, 200, 255]);
  assert.deepEqual(Array.from(toRGBA(ga).data).map((v) => +v.toFixed(6)), [0.2, 0.2, 0.2, 0.5]);
  const g = toGrayscale(rgb);
  assert.deepEqual(Array.from(g.data), [Math.round(0.299 * 100 + 0.587 * 50), 255]);
});

test('toNdarray is a zero-copy [h, w, c] view; fromNdarray copies strided views', () => {
  const img = randomU8(5, 3, 3);
  const nd = toNdarray(img);
  assert.deepEqual(nd.shape, [3, 5, 3]);
  assert.equal(nd.get(2, 4, 1), img.data[(2 * 5 + 4) * 3 + 1]);
  nd.set(1, 2, 0, 77);
  assert.equal(img.data[(1 * 5 + 2) * 3], 77);
  const back = fromNdarray(nd);
  assert.equal(back.data.buffer, img.data.buffer);
  const t = fromNdarray(nd.transpose(1, 0, 2));
  assert.equal(t.width, 3);
  assert.equal(t.height, 5);
  assert.equal(t.data[(4 * 3 + 2) * 3 + 1], img.data[(2 * 5 + 4) * 3 + 1]);
});

test('draw helpers paint pixels whose centres are inside the shape', () => {
  const img = createImage(10, 10, 3, 'u8');
  drawCircle(img, 5, 5, 1.5, { color: [255, 0, 0] });
  const red = (x: number, y: number): boolean => img.data[(y * 10 + x) * 3] === 255;
  assert.ok(red(4, 4) && red(5, 5) && red(4, 5) && red(5, 4));
  assert.ok(!red(2, 5) && !red(3, 3));
  drawCircle(img, NaN, 5, 3, { color: [0, 255, 0] }); // skipped
  assert.ok(!img.data.some((v, i) => i % 3 === 1 && v > 0));
  const line = createImage(10, 10, 4, 'u8');
  drawLine(line, 0.5, 0.5, 9.5, 9.5, { color: [0, 0, 255] });
  for (let i = 0; i < 10; i++) {
    assert.equal(line.data[(i * 10 + i) * 4 + 2], 255);
    assert.equal(line.data[(i * 10 + i) * 4 + 3], 255, 'alpha filled to full');
  }
  assert.equal(line.data[(0 * 10 + 5) * 4 + 2], 0);
  // Horizontal thick line.
  const thick = createImage(10, 10, 1, 'f32');
  drawLine(thick, 1, 5, 9, 5, { color: [1], opacity: 0.5 }, 2);
  assert.equal(thick.data[4 * 10 + 5], 0.5);
  assert.equal(thick.data[5 * 10 + 5], 0.5);
  assert.equal(thick.data[7 * 10 + 5], 0);
  const pts = createImage(10, 10, 1, 'u8');
  drawPoints(pts, Float32Array.of(1.5, 1.5, 0, 8.5, 8.5, 0), 0.5, { color: [9] }, 3);
  assert.equal(pts.data[1 * 10 + 1], 9);
  assert.equal(pts.data[8 * 10 + 8], 9);
  const poly = createImage(10, 10, 1, 'u8');
  drawPolyline(poly, [1.5, 1.5, 8.5, 1.5, 8.5, 8.5], { color: [1] }, { closed: true });
  assert.equal(poly.data[1 * 10 + 5], 1);
  assert.equal(poly.data[5 * 10 + 8], 1);
  assert.equal(poly.data[5 * 10 + 5], 1); // diagonal closing segment
  const wf = createImage(10, 10, 1, 'u8');
  drawWireframe(wf, Float32Array.of(1.5, 1.5, 0, 8.5, 1.5, 0, 1.5, 8.5, 0), Uint32Array.of(0, 1, 2), { color: [3] });
  assert.equal(wf.data[1 * 10 + 4], 3);
  assert.equal(wf.data[5 * 10 + 1], 3);
});

test('similarity and affine estimation recover exact transforms and are least squares under noise', () => {
  const sim = similarityToAffine({ scale: 1.7, angle: -0.4, tx: 12, ty: -5 });
  const src = [10, 20, 50, 25, 30, 70, 80, 90];
  const dst: number[] = [];
  for (let i = 0; i < src.length; i += 2) dst.push(...applyAffine(sim, src[i], src[i + 1]));
  const est = estimateSimilarity(src, dst);
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(est[k] - sim[k]) < 1e-9);
  const two = estimateSimilarity(src.slice(0, 4), dst.slice(0, 4));
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(two[k] - sim[k]) < 1e-9);
  const s = affineToSimilarity(est);
  assert.ok(s && Math.abs(s.scale - 1.7) < 1e-9 && Math.abs(s.angle + 0.4) < 1e-9);
  const aff = [1.2, 0.3, 4, -0.2, 0.8, 9];
  const dst2: number[] = [];
  for (let i = 0; i < src.length; i += 2) dst2.push(...applyAffine(aff, src[i], src[i + 1]));
  const ea = estimateAffine(src, dst2);
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(ea[k] - aff[k]) < 1e-9);
  assert.equal(affineToSimilarity(ea), undefined);
  // Least squares: perturbing the estimate increases the residual.
  const noisy = dst.map((v, i) => v + Math.sin(i * 7.1) * 0.5);
  const en = estimateSimilarity(src, noisy);
  const resid = (m: ArrayLike<number>): number => {
    let r = 0;
    for (let i = 0; i < src.length; i += 2) {
      const [x, y] = applyAffine(m, src[i], src[i + 1]);
      r += (x - noisy[i]) ** 2 + (y - noisy[i + 1]) ** 2;
    }
    return r;
  };
  for (let k = 0; k < 6; k++) {
    const p = Array.from(en);
    p[k] += 1e-3;
    if (k === 0) p[4] += 1e-3; // keep it a similarity
    if (k === 1) p[3] -= 1e-3;
    assert.ok(resid(p) > resid(en));
  }
  assert.throws(() => estimateSimilarity([1, 1], [2, 2]), RangeError);
  assert.throws(() => estimateAffine([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]), RangeError);
  const m = invertAffine(sim);
  const c = composeAffine(sim, m);
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(c[k] - [1, 0, 0, 0, 1, 0][k]) < 1e-12);
  // Pixel-centre conventions: a point at OpenCV pixel centre (i, j) is facekit (i + 0.5, j + 0.5).
  const cv = [0.5, 0.1, 3, -0.1, 0.5, 2];
  const fk = affineFromPixelCenterConvention(cv);
  const [a, b] = applyAffine(cv, 4, 6);
  const [a2, b2] = applyAffine(fk, 4.5, 6.5);
  assert.ok(Math.abs(a + 0.5 - a2) < 1e-12 && Math.abs(b + 0.5 - b2) < 1e-12);
  const rt = affineToPixelCenterConvention(fk);
  for (let k = 0; k < 6; k++) assert.ok(Math.abs(rt[k] - cv[k]) < 1e-12);
});
