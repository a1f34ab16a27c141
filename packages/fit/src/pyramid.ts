/**
 * Image pyramid for the photometric term: per level, RGB and its x/y derivatives packed 9 floats per pixel
 * (`r g b  rx gx bx  ry gy by`) so one bilinear lookup returns colour and gradient together.
 * @module
 */
import { resizeImage, toFloatImage, toRGB, type Image, type ImageF32 } from '@facekit/core';

/** One pyramid level. Coordinates passed to {@link sampleLevel} are in level-0 pixels. */
export interface PyramidLevel {
  width: number;
  height: number;
  /** Level pixels per level-0 pixel (1, 1/2, 1/4, ...). */
  scale: number;
  /** W*H*9: colour, d/dx, d/dy (per level-0 pixel). */
  data: Float32Array;
  /** The (slightly smoothed) RGB image of the level. */
  image: ImageF32;
}

/** Builds `levels` levels, finest first (level 0 has the input's size). */
export function buildPyramid(input: Image, levels: number): PyramidLevel[] {
  const base = toFloatImage(toRGB(input));
  const out: PyramidLevel[] = [];
  for (let l = 0; l < levels; l++) {
    const w = Math.max(8, Math.round(base.width / 2 ** l));
    const h = Math.max(8, Math.round(base.height / 2 ** l));
    const img = l === 0 ? base : resizeImage(base, w, h, { filter: 'area' });
    out.push(makeLevel(img, w / base.width));
  }
  return out;
}

/**
 * A level from an image: a [1 2 1]/4 binomial blur (so bilinear interpolation of colour and of the central
 * differences are consistent enough for Gauss-Newton) and central-difference gradients.
 */
export function makeLevel(img: ImageF32, scale: number): PyramidLevel {
  const { width: W, height: H } = img;
  const src = img.data;
  const tmp = new Float32Array(W * H * 3);
  const sm = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const xl = x > 0 ? x - 1 : 0, xr = x < W - 1 ? x + 1 : W - 1;
      for (let c = 0; c < 3; c++) {
        tmp[(y * W + x) * 3 + c] = 0.25 * src[(y * W + xl) * 3 + c] + 0.5 * src[(y * W + x) * 3 + c] + 0.25 * src[(y * W + xr) * 3 + c];
      }
    }
  }
  for (let y = 0; y < H; y++) {
    const yu = y > 0 ? y - 1 : 0, yd = y < H - 1 ? y + 1 : H - 1;
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        sm[(y * W + x) * 3 + c] = 0.25 * tmp[(yu * W + x) * 3 + c] + 0.5 * tmp[(y * W + x) * 3 + c] + 0.25 * tmp[(yd * W + x) * 3 + c];
      }
    }
  }
  const data = new Float32Array(W * H * 9);
  for (let y = 0; y < H; y++) {
    const yu = y > 0 ? y - 1 : 0, yd = y < H - 1 ? y + 1 : H - 1;
    const fy = (yd - yu) > 0 ? scale / (yd - yu) : 0;
    for (let x = 0; x < W; x++) {
      const xl = x > 0 ? x - 1 : 0, xr = x < W - 1 ? x + 1 : W - 1;
      const fx = (xr - xl) > 0 ? scale / (xr - xl) : 0;
      const o = (y * W + x) * 9;
      for (let c = 0; c < 3; c++) {
        data[o + c] = sm[(y * W + x) * 3 + c];
        data[o + 3 + c] = (sm[(y * W + xr) * 3 + c] - sm[(y * W + xl) * 3 + c]) * fx;
        data[o + 6 + c] = (sm[(yd * W + x) * 3 + c] - sm[(yu * W + x) * 3 + c]) * fy;
      }
    }
  }
  return { width: W, height: H, scale, data, image: { width: W, height: H, channels: 3, data: sm } };
}

/**
 * Bilinear lookup of colour and gradient at a level-0 position (pixel centres at integer + 0.5, clamped to
 * the edge). Writes 9 values to `out[o..o+8]`; returns false when the point lies outside the image (the
 * caller drops such samples rather than trusting clamped colours).
 */
export function sampleLevel(level: PyramidLevel, u: number, v: number, out: Float64Array, o = 0): boolean {
  const { width: W, height: H, data } = level;
  const x = u * level.scale - 0.5;
  const y = v * level.scale - 0.5;
  const inside = x >= 0 && y >= 0 && x <= W - 1 && y <= H - 1;
  const fx = x > 0 ? (x < W - 1 ? x : W - 1) : 0;
  const fy = y > 0 ? (y < H - 1 ? y : H - 1) : 0;
  const x0 = Math.floor(fx), y0 = Math.floor(fy);
  const x1 = x0 + 1 < W ? x0 + 1 : x0, y1 = y0 + 1 < H ? y0 + 1 : y0;
  const ax = fx - x0, ay = fy - y0;
  const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
  const i00 = (y0 * W + x0) * 9, i10 = (y0 * W + x1) * 9, i01 = (y1 * W + x0) * 9, i11 = (y1 * W + x1) * 9;
  for (let c = 0; c < 9; c++) out[o + c] = w00 * data[i00 + c] + w10 * data[i10 + c] + w01 * data[i01 + c] + w11 * data[i11 + c];
  return inside;
}
