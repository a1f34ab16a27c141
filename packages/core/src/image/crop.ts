import { createImage, type Image, type ImageF32, type ImageU8 } from './image.js';

/** An integer pixel rectangle: top-left corner `(x, y)` and size. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Allocates an image of the same data type as `like`. */
export function createImageLike<T extends Image>(like: T, width: number, height: number, channels: 1 | 2 | 3 | 4 = like.channels): T {
  return (like.data instanceof Uint8Array ? createImage(width, height, channels, 'u8') : createImage(width, height, channels, 'f32')) as T;
}

/** Expands a fill value (scalar or per channel) to one value per channel. */
export function fillValues(fill: number | ArrayLike<number> | undefined, channels: number): Float64Array {
  const out = new Float64Array(channels);
  for (let c = 0; c < channels; c++) out[c] = fill === undefined ? 0 : typeof fill === 'number' ? fill : (fill[c] ?? 0);
  return out;
}

/**
 * Copies the rectangle `rect` (integer pixels; it may extend past the image) into a new image of the same type
 * and channel count. Pixels outside the source are set to `fill` (a scalar or one value per channel, in the data's
 * scale: 0..255 for u8, default 0), so a square crop around a face near the border keeps the face centred.
 *
 * In continuous pixel coordinates the crop is the translation `crop = orig - (x, y)`, i.e. the affine
 * `[1, 0, -x, 0, 1, -y]` of `math/affine2d`.
 */
export function cropImage<T extends ImageU8 | ImageF32>(image: T, rect: PixelRect, fill?: number | ArrayLike<number>): T;
export function cropImage(image: Image, rect: PixelRect, fill?: number | ArrayLike<number>): Image;
export function cropImage(image: Image, rect: PixelRect, fill?: number | ArrayLike<number>): Image {
  const { x, y, width, height } = rect;
  if (![x, y, width, height].every(Number.isInteger)) throw new RangeError(`crop rectangle must be integer pixels, got ${JSON.stringify(rect)}`);
  const ch = image.channels;
  const out = createImageLike(image, width, height);
  const f = fillValues(fill, ch);
  const hasFill = f.some((v) => v !== 0);
  const src = image.data, dst = out.data;
  // Overlap of the rectangle with the image, in destination columns.
  const x0 = Math.max(0, -x), x1 = Math.min(width, image.width - x);
  for (let j = 0; j < height; j++) {
    const sy = y + j;
    const rowOut = j * width * ch;
    if (hasFill) for (let i = 0; i < width * ch; i++) dst[rowOut + i] = f[i % ch];
    if (sy < 0 || sy >= image.height || x1 <= x0) continue;
    const start = (sy * image.width + x + x0) * ch;
    dst.set(src.subarray(start, start + (x1 - x0) * ch), rowOut + x0 * ch);
  }
  return out;
}
