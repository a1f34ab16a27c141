import type { Image, ImageF32, ImageU8 } from './image.js';
import { createImageLike, cropImage, fillValues } from './crop.js';
import { resizeImage } from './resize.js';
import { composeAffine, invertAffine, type Affine2D } from '../math/affine2d.js';

/** Options of {@link warpAffine}. */
export interface WarpOptions {
  /**
   * What samples outside the source read: `constant` (default) uses {@link fill}; `replicate` clamps to the
   * nearest edge pixel.
   */
  border?: 'constant' | 'replicate';
  /** Border value for `constant`, scalar or per channel, in the data's scale (0..255 for u8). Default 0. */
  fill?: number | ArrayLike<number>;
  /** The matrix maps destination pixels to source pixels (it is already inverted). Default false. */
  inverse?: boolean;
  /**
   * When the warp shrinks by more than 2x (sqrt |det| < 0.5), first box-filter the source to about the output
   * scale so the bilinear warp does not alias (a 224 px face crop from a 4000 px photo). Default true.
   */
  antialias?: boolean;
}

/**
 * Warps an image by a 2x3 affine (continuous pixel coordinates, pixel centres at integer + 0.5; see
 * `math/affine2d`) into a `width x height` output of the same type: each output pixel centre is mapped back
 * through the inverse transform and sampled bilinearly (inverse mapping, so there are no holes).
 *
 * With the identity the output equals the input; an integer translation shifts pixels exactly.
 *
 * @param image source image.
 * @param matrix source -> destination affine (`dst = A · src`, e.g. a crop transform), or the inverse when
 *   `options.inverse` is set.
 * @param width output width in pixels.
 * @param height output height in pixels.
 */
export function warpAffine<T extends ImageU8 | ImageF32>(image: T, matrix: Affine2D, width: number, height: number, options?: WarpOptions): T;
export function warpAffine(image: Image, matrix: Affine2D, width: number, height: number, options?: WarpOptions): Image;
export function warpAffine(image: Image, matrix: Affine2D, width: number, height: number, options: WarpOptions = {}): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`warp output size must be positive integers, got ${width} x ${height}`);
  }
  const forward = options.inverse ? invertAffine(matrix) : Float64Array.from(matrix);
  let src = image;
  if (options.antialias ?? true) {
    const scale = Math.sqrt(Math.abs(forward[0] * forward[4] - forward[1] * forward[3]));
    if (scale < 0.5) {
      // Only the part of the source that the output sees is prefiltered (a 224 crop of a 4K photo would
      // otherwise shrink the whole photo): the bounding box of the output's corners mapped back, plus a margin
      // of two output pixels for the bilinear taps.
      const back = invertAffine(forward);
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (const [cx, cy] of [[0, 0], [width, 0], [0, height], [width, height]]) {
        const sx = back[0] * cx + back[1] * cy + back[2];
        const sy = back[3] * cx + back[4] * cy + back[5];
        minX = Math.min(minX, sx); maxX = Math.max(maxX, sx);
        minY = Math.min(minY, sy); maxY = Math.max(maxY, sy);
      }
      const pad = 2 / scale;
      const x0 = Math.max(0, Math.floor(minX - pad)), x1 = Math.min(image.width, Math.ceil(maxX + pad));
      const y0 = Math.max(0, Math.floor(minY - pad)), y1 = Math.min(image.height, Math.ceil(maxY + pad));
      if (x1 > x0 && y1 > y0) {
        const rw = x1 - x0, rh = y1 - y0;
        const region = rw === image.width && rh === image.height ? image : cropImage(image, { x: x0, y: y0, width: rw, height: rh });
        const w = Math.max(1, Math.round(rw * scale));
        const h = Math.max(1, Math.round(rh * scale));
        src = resizeImage(region, w, h, { filter: 'area' });
        // Prefiltered pixels relate to the original exactly by orig = diag(rw/w, rh/h) · p + (x0, y0).
        composeAffine(forward, Float64Array.of(rw / w, 0, x0, 0, rh / h, y0), forward);
      }
    }
  }
  const inv = invertAffine(forward);
  const replicate = options.border === 'replicate';
  const ch = src.channels;
  const fill = fillValues(options.fill, ch);
  const out = createImageLike(image, width, height);
  const sw = src.width, sh = src.height, sdata = src.data, dst = out.data;
  const isU8 = dst instanceof Uint8Array;
  const [a, b, c, d, e, f] = inv;
  const px = new Float64Array(ch);
  // Index of the source pixel (x, y) after the border rule, or -1 for the constant fill.
  const at = (x: number, y: number): number => {
    if (x < 0 || y < 0 || x >= sw || y >= sh) {
      if (!replicate) return -1;
      x = x < 0 ? 0 : x >= sw ? sw - 1 : x;
      y = y < 0 ? 0 : y >= sh ? sh - 1 : y;
    }
    return (y * sw + x) * ch;
  };
  for (let y = 0; y < height; y++) {
    const yc = y + 0.5;
    for (let x = 0; x < width; x++) {
      const xc = x + 0.5;
      // Computed directly (not incrementally) so integer translations land exactly on pixel centres.
      const sx = a * xc + b * yc + c - 0.5;
      const sy = d * xc + e * yc + f - 0.5;
      const o = (y * width + x) * ch;
      if (!(sx > -1 && sy > -1 && sx < sw && sy < sh) && !replicate) {
        for (let k = 0; k < ch; k++) px[k] = fill[k];
      } else {
        const x0 = Math.floor(sx), y0 = Math.floor(sy);
        const ax = sx - x0, ay = sy - y0;
        const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
        const i00 = at(x0, y0), i10 = at(x0 + 1, y0), i01 = at(x0, y0 + 1), i11 = at(x0 + 1, y0 + 1);
        for (let k = 0; k < ch; k++) {
          px[k] =
            w00 * (i00 < 0 ? fill[k] : sdata[i00 + k]) +
            w10 * (i10 < 0 ? fill[k] : sdata[i10 + k]) +
            w01 * (i01 < 0 ? fill[k] : sdata[i01 + k]) +
            w11 * (i11 < 0 ? fill[k] : sdata[i11 + k]);
        }
      }
      if (isU8) {
        for (let k = 0; k < ch; k++) {
          const v = px[k] + 0.5;
          dst[o + k] = v <= 0 ? 0 : v >= 255 ? 255 : v;
        }
      } else {
        for (let k = 0; k < ch; k++) dst[o + k] = px[k];
      }
    }
  }
  return out;
}
