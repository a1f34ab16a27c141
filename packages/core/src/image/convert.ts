import { createImage, type Image, type ImageF32, type ImageU8 } from './image.js';

/** Options of {@link toRGB}. */
export interface ToRGBOptions {
  /**
   * What to do with an alpha channel (2- and 4-channel images): `composite` (default) blends over
   * {@link background}, which is what image viewers show for transparent areas; `drop` ignores it.
   */
  alpha?: 'composite' | 'drop';
  /** Background for `composite`, RGB in [0, 1] (default white). */
  background?: [number, number, number];
}

/**
 * Converts any image (grey, grey+alpha, RGB, RGBA) to 3-channel RGB of the same data type. Grey is replicated;
 * alpha is composited or dropped per {@link ToRGBOptions}. Returns the input itself when it is already RGB.
 */
export function toRGB<T extends ImageU8 | ImageF32>(image: T, options?: ToRGBOptions): T;
export function toRGB(image: Image, options?: ToRGBOptions): Image;
export function toRGB(image: Image, options: ToRGBOptions = {}): Image {
  const ch = image.channels;
  if (ch === 3) return image;
  const isU8 = image.data instanceof Uint8Array;
  const out = isU8 ? createImage(image.width, image.height, 3, 'u8') : createImage(image.width, image.height, 3, 'f32');
  const src = image.data, dst = out.data;
  const n = image.width * image.height;
  const composite = (options.alpha ?? 'composite') === 'composite';
  const full = isU8 ? 255 : 1;
  const bg = (options.background ?? [1, 1, 1]).map((v) => v * full);
  const hasAlpha = ch === 2 || ch === 4;
  for (let i = 0; i < n; i++) {
    const s = i * ch;
    let r: number, g: number, b: number;
    if (ch >= 3) {
      r = src[s]; g = src[s + 1]; b = src[s + 2];
    } else {
      r = g = b = src[s];
    }
    if (hasAlpha && composite) {
      const a = src[s + ch - 1] / full;
      r = r * a + bg[0] * (1 - a);
      g = g * a + bg[1] * (1 - a);
      b = b * a + bg[2] * (1 - a);
      if (isU8) {
        r += 0.5; g += 0.5; b += 0.5; // round on the truncating u8 store
      }
    }
    dst[3 * i] = r; dst[3 * i + 1] = g; dst[3 * i + 2] = b;
  }
  return out;
}

/**
 * Converts any image to RGBA of the same data type: grey is replicated, a missing alpha becomes opaque (255 or 1).
 * Returns the input itself when it is already RGBA.
 */
export function toRGBA<T extends ImageU8 | ImageF32>(image: T): T;
export function toRGBA(image: Image): Image;
export function toRGBA(image: Image): Image {
  const ch = image.channels;
  if (ch === 4) return image;
  const isU8 = image.data instanceof Uint8Array;
  const out = isU8 ? createImage(image.width, image.height, 4, 'u8') : createImage(image.width, image.height, 4, 'f32');
  const src = image.data, dst = out.data;
  const full = isU8 ? 255 : 1;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const s = i * ch, o = 4 * i;
    if (ch === 3) {
      dst[o] = src[s]; dst[o + 1] = src[s + 1]; dst[o + 2] = src[s + 2]; dst[o + 3] = full;
    } else {
      dst[o] = dst[o + 1] = dst[o + 2] = src[s];
      dst[o + 3] = ch === 2 ? src[s + 1] : full;
    }
  }
  return out;
}

/**
 * Converts to one grey channel of the same data type with Rec. 601 luma `0.299 R + 0.587 G + 0.114 B` (the
 * weights of OpenCV and PIL, which face detectors were trained with). Alpha is ignored; grey input is copied.
 */
export function toGrayscale<T extends ImageU8 | ImageF32>(image: T): T;
export function toGrayscale(image: Image): Image;
export function toGrayscale(image: Image): Image {
  const ch = image.channels;
  const isU8 = image.data instanceof Uint8Array;
  const out = isU8 ? createImage(image.width, image.height, 1, 'u8') : createImage(image.width, image.height, 1, 'f32');
  const src = image.data, dst = out.data;
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const s = i * ch;
    const v = ch >= 3 ? 0.299 * src[s] + 0.587 * src[s + 1] + 0.114 * src[s + 2] : src[s];
    dst[i] = isU8 ? v + 0.5 : v;
  }
  return out;
}
