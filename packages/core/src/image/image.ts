/**
 * A raster image in row-major, channel-interleaved layout: pixel (x, y) channel c is at
 * `data[(y * width + x) * channels + c]`. Row 0 is the top of the picture.
 *
 * `Uint8Array` data holds 0..255; `Float32Array` data holds linear-free "display" values in [0, 1]
 * (no gamma conversion is applied anywhere in facekit unless a function says so).
 */
export interface Image<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 2 | 3 | 4;
  data: T;
}

/** An 8-bit image. */
export type ImageU8 = Image<Uint8Array>;
/** A float image, values in [0, 1] for colours. */
export type ImageF32 = Image<Float32Array>;

/** Allocates a zero-filled image. */
export function createImage(width: number, height: number, channels: 1 | 2 | 3 | 4, type: 'u8'): ImageU8;
export function createImage(width: number, height: number, channels: 1 | 2 | 3 | 4, type: 'f32'): ImageF32;
export function createImage(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  type: 'u8' | 'f32',
): ImageU8 | ImageF32 {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width} x ${height}`);
  }
  const n = width * height * channels;
  return type === 'u8'
    ? { width, height, channels, data: new Uint8Array(n) }
    : { width, height, channels, data: new Float32Array(n) };
}

/** Converts an 8-bit image to float in [0, 1]. */
export function toFloatImage(image: Image): ImageF32 {
  if (image.data instanceof Float32Array) return image as ImageF32;
  const out = new Float32Array(image.data.length);
  const src = image.data;
  for (let i = 0; i < src.length; i++) out[i] = src[i] / 255;
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}

/** Converts a float image in [0, 1] to 8 bits (clamped, rounded). */
export function toUint8Image(image: Image): ImageU8 {
  if (image.data instanceof Uint8Array) return image as ImageU8;
  const out = new Uint8Array(image.data.length);
  const src = image.data;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] * 255 + 0.5;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return { width: image.width, height: image.height, channels: image.channels, data: out };
}
