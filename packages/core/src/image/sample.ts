import type { Image } from './image.js';

/**
 * Bilinear sample of an image at a continuous pixel position, writing `image.channels` values to
 * `out[outOffset ..]`.
 *
 * Coordinates are in pixels with pixel centres at integer + 0.5 (the convention of `camera/camera.ts`), so
 * `(0.5, 0.5)` returns pixel (0, 0) exactly and `(0, 0)` is the top-left corner of the image. Positions outside
 * the image clamp to the edge pixels (clamp-to-edge), which keeps sampling near borders free of dark fringes.
 *
 * Value scale: for `Uint8Array` images values are divided by 255 (output in [0, 1]); float images are
 * returned raw.
 *
 * @param image source image (any channel count).
 * @param x horizontal pixel coordinate (right).
 * @param y vertical pixel coordinate (down).
 * @param out destination; receives `image.channels` values.
 * @param outOffset first index written in `out` (default 0).
 */
export function sampleBilinear(image: Image, x: number, y: number, out: Float32Array | number[], outOffset = 0): void {
  const { width, height, channels, data } = image;
  // Shift to "pixel index" space where integer coordinates are pixel centres.
  let fx = x - 0.5;
  let fy = y - 0.5;
  // Clamp to the range of pixel centres: clamp-to-edge, and NaN-safe (NaN falls to 0).
  fx = fx > 0 ? (fx < width - 1 ? fx : width - 1) : 0;
  fy = fy > 0 ? (fy < height - 1 ? fy : height - 1) : 0;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  const ax = fx - x0;
  const ay = fy - y0;
  const w00 = (1 - ax) * (1 - ay);
  const w10 = ax * (1 - ay);
  const w01 = (1 - ax) * ay;
  const w11 = ax * ay;
  const i00 = (y0 * width + x0) * channels;
  const i10 = (y0 * width + x1) * channels;
  const i01 = (y1 * width + x0) * channels;
  const i11 = (y1 * width + x1) * channels;
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  for (let c = 0; c < channels; c++) {
    out[outOffset + c] =
      (w00 * data[i00 + c] + w10 * data[i10 + c] + w01 * data[i01 + c] + w11 * data[i11 + c]) * scale;
  }
}

/**
 * Nearest-neighbour sample with the same conventions as {@link sampleBilinear} (pixel centres at
 * integer + 0.5, clamp-to-edge, u8 values divided by 255).
 */
export function sampleNearest(image: Image, x: number, y: number, out: Float32Array | number[], outOffset = 0): void {
  const { width, height, channels, data } = image;
  let ix = Math.floor(x);
  let iy = Math.floor(y);
  ix = ix > 0 ? (ix < width - 1 ? ix : width - 1) : 0;
  iy = iy > 0 ? (iy < height - 1 ? iy : height - 1) : 0;
  const i = (iy * width + ix) * channels;
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  for (let c = 0; c < channels; c++) out[outOffset + c] = data[i + c] * scale;
}
