import type { Image, ImageF32, ImageU8 } from './image.js';
import { createImageLike } from './crop.js';

/** Resampling filter of {@link resizeImage}. */
export type ResizeFilter = 'auto' | 'bilinear' | 'area' | 'nearest';

/** Options of {@link resizeImage}. */
export interface ResizeOptions {
  /**
   * - `bilinear`: 2-tap linear interpolation between pixel centres (aliases when shrinking a lot);
   * - `area`: exact box-filter average over each output pixel's footprint when shrinking (OpenCV `INTER_AREA`),
   *   bilinear when enlarging;
   * - `nearest`: nearest source pixel;
   * - `auto` (default): per axis, `area` when shrinking by more than 2x, else `bilinear`, so downscaling never
   *   aliases and mild resizes stay sharp.
   */
  filter?: ResizeFilter;
}

/** Taps of a 1D resampling: for output i, source indices/weights `[offsets[i], offsets[i + 1])`. */
interface Taps {
  offsets: Uint32Array;
  index: Uint32Array;
  weight: Float32Array;
}

function axisTaps(src: number, dst: number, filter: ResizeFilter): Taps {
  const f = src / dst;
  const mode = filter === 'auto' ? (f > 2 ? 'area' : 'bilinear') : filter === 'area' && f <= 1 ? 'bilinear' : filter;
  const offsets = new Uint32Array(dst + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < dst; i++) {
    if (mode === 'nearest') {
      index.push(Math.min(src - 1, Math.floor((i + 0.5) * f)));
      weight.push(1);
    } else if (mode === 'bilinear') {
      // Output centre i + 0.5 maps to source coordinate (i + 0.5) f; in index space subtract 0.5.
      let s = (i + 0.5) * f - 0.5;
      s = s < 0 ? 0 : s > src - 1 ? src - 1 : s;
      const i0 = Math.floor(s);
      const w = s - i0;
      index.push(i0);
      weight.push(1 - w);
      if (w > 0 && i0 + 1 < src) {
        index.push(i0 + 1);
        weight.push(w);
      }
    } else {
      // Box footprint [i f, (i + 1) f] in continuous coordinates; weights are overlap lengths / f.
      const a = i * f, b = Math.min(src, (i + 1) * f);
      for (let j = Math.floor(a); j < b; j++) {
        const ov = Math.min(b, j + 1) - Math.max(a, j);
        if (ov > 1e-12) {
          index.push(j);
          weight.push(ov / f);
        }
      }
    }
    offsets[i + 1] = index.length;
  }
  return { offsets, index: Uint32Array.from(index), weight: Float32Array.from(weight) };
}

/**
 * Resizes an image to `width x height` (same data type and channels) with separable resampling; see
 * {@link ResizeOptions.filter}. Pixel centres map as `(x + 0.5) · srcW / dstW` (no half-pixel shift), so the
 * continuous-coordinate transform is the pure scale `diag(dstW / srcW, dstH / srcH)`. Edges clamp. u8 results are
 * rounded and clamped.
 */
export function resizeImage<T extends ImageU8 | ImageF32>(image: T, width: number, height: number, options?: ResizeOptions): T;
export function resizeImage(image: Image, width: number, height: number, options?: ResizeOptions): Image;
export function resizeImage(image: Image, width: number, height: number, options: ResizeOptions = {}): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`resize target must be positive integers, got ${width} x ${height}`);
  }
  const filter = options.filter ?? 'auto';
  const ch = image.channels;
  const sw = image.width, sh = image.height;
  const out = createImageLike(image, width, height);
  if (width === sw && height === sh) {
    out.data.set(image.data);
    return out;
  }
  const tx = axisTaps(sw, width, filter);
  const ty = axisTaps(sh, height, filter);
  const src = image.data;
  // Horizontal pass into float scratch (sh x width x ch), then vertical pass into the output.
  const tmp = new Float32Array(sh * width * ch);
  // Channels are accumulated in locals (up to 4) rather than an inner channel loop: about 2x faster in V8.
  for (let y = 0; y < sh; y++) {
    const rowIn = y * sw * ch, rowOut = y * width * ch;
    for (let x = 0; x < width; x++) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let k = tx.offsets[x]; k < tx.offsets[x + 1]; k++) {
        const w = tx.weight[k];
        const s = rowIn + tx.index[k] * ch;
        a0 += w * src[s];
        if (ch > 1) {
          a1 += w * src[s + 1];
          if (ch > 2) {
            a2 += w * src[s + 2];
            if (ch > 3) a3 += w * src[s + 3];
          }
        }
      }
      const o = rowOut + x * ch;
      tmp[o] = a0;
      if (ch > 1) tmp[o + 1] = a1;
      if (ch > 2) tmp[o + 2] = a2;
      if (ch > 3) tmp[o + 3] = a3;
    }
  }
  const dst = out.data;
  const isU8 = dst instanceof Uint8Array;
  const rowLen = width * ch;
  // Vertical pass row by row: output row y is a weighted sum of whole scratch rows (contiguous, cache friendly).
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = ty.offsets[y]; k < ty.offsets[y + 1]; k++) {
      const w = ty.weight[k];
      const s = ty.index[k] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += w * tmp[s + i];
    }
    const o = y * rowLen;
    if (isU8) {
      for (let i = 0; i < rowLen; i++) {
        const v = acc[i] + 0.5;
        dst[o + i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
      }
    } else {
      for (let i = 0; i < rowLen; i++) dst[o + i] = acc[i];
    }
  }
  return out;
}
