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
  /**
   * Per pixel, a bit per channel (1 red, 2 green, 4 blue) set where the level's colour is read from saturated
   * photo pixels (at or above {@link CLIP_LEVEL}, widened by the smoothing). There the photo only says the true
   * colour is at least that bright. Absent on levels not made from a photo.
   */
  clipped?: Uint8Array;
}

/** Photo values at or above this (in 0..1; 8-bit 253 and up) count as clipped by the camera. */
export const CLIP_LEVEL = 252.5 / 255;

/** Builds `levels` levels, finest first (level 0 has the input's size). */
export function buildPyramid(input: Image, levels: number): PyramidLevel[] {
  const base = toFloatImage(toRGB(input));
  const out: PyramidLevel[] = [];
  const clippedBase = clippedBits(base);
  for (let l = 0; l < levels; l++) {
    const w = Math.max(8, Math.round(base.width / 2 ** l));
    const h = Math.max(8, Math.round(base.height / 2 ** l));
    const img = l === 0 ? base : resizeImage(base, w, h, { filter: 'area' });
    const level = makeLevel(img, w / base.width);
    if (clippedBase) level.clipped = clippedLevel(clippedBase, base.width, base.height, w, h);
    out.push(level);
  }
  return out;
}

/** Per pixel of an RGB image, its clipped channels as bits; undefined when nothing is clipped. */
function clippedBits(image: ImageF32): Uint8Array | undefined {
  const { width: W, height: H, data } = image;
  let any = false;
  const bits = new Uint8Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const b = (data[3 * p] >= CLIP_LEVEL ? 1 : 0) | (data[3 * p + 1] >= CLIP_LEVEL ? 2 : 0) | (data[3 * p + 2] >= CLIP_LEVEL ? 4 : 0);
    bits[p] = b;
    if (b) any = true;
  }
  return any ? bits : undefined;
}

/**
 * The clip bits of a `w` x `h` level from those of its `W` x `H` base (`src`): a level pixel takes the bits of
 * every base pixel its area covers, then of its 3 x 3 neighbourhood (the level's blur reads those).
 */
function clippedLevel(src: Uint8Array, W: number, H: number, w: number, h: number): Uint8Array {
  const area = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * H) / h), y1 = Math.max(y0 + 1, Math.ceil(((y + 1) * H) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * W) / w), x1 = Math.max(x0 + 1, Math.ceil(((x + 1) * W) / w));
      let bits = 0;
      for (let sy = y0; sy < y1 && sy < H; sy++) for (let sx = x0; sx < x1 && sx < W; sx++) bits |= src[sy * W + sx];
      area[y * w + x] = bits;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let bits = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) bits |= area[yy * w + xx];
        }
      }
      out[y * w + x] = bits;
    }
  }
  return out;
}

/**
 * The clip bits (see {@link PyramidLevel.clipped}) of the four pixels a bilinear lookup at a level-0 position
 * reads, or 0 when the level has no clipped pixels.
 */
export function clippedAt(level: PyramidLevel, u: number, v: number): number {
  const clipped = level.clipped;
  if (!clipped) return 0;
  const { width: W, height: H } = level;
  const x = u * level.scale - 0.5;
  const y = v * level.scale - 0.5;
  const x0 = Math.min(W - 1, Math.max(0, Math.floor(x))), y0 = Math.min(H - 1, Math.max(0, Math.floor(y)));
  const x1 = Math.min(W - 1, x0 + 1), y1 = Math.min(H - 1, y0 + 1);
  return clipped[y0 * W + x0] | clipped[y0 * W + x1] | clipped[y1 * W + x0] | clipped[y1 * W + x1];
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
