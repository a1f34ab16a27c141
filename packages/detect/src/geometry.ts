/**
 * Box arithmetic, face selection, the detector input preparation (RGB, downscaled) and the landmark agreement
 * metric shared by the detectors. Browser-safe.
 * @module
 */
import { resizeImage, type Box, type DetectedFace, type DetectOptions, type Image, type ImageU8 } from '@facekit/core';

/** Default longest side, in pixels, of the image a detector actually looks at (see {@link prepareDetectionInput}). */
export const DEFAULT_MAX_DETECTION_SIDE = 2048;

/** Default {@link DetectOptions.minConfidence}. */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/**
 * The image a detector network sees: RGB, 8-bit, at most `maxSide` pixels on its longest side, plus the
 * factors that map its pixel coordinates back to the original: `xOriginal = x * scaleX`, `yOriginal = y * scaleY`.
 */
export interface DetectionInput {
  /** Row-major RGB bytes, `(y * width + x) * 3 + c`. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Original width / detection width (1 when not downscaled). */
  scaleX: number;
  /** Original height / detection height. */
  scaleY: number;
}

/**
 * Converts any facekit {@link Image} (grey, grey+alpha, RGB, RGBA; u8 or float in [0, 1]) to the RGB bytes the
 * detectors take, downscaling with an area filter when the longest side exceeds `maxSide`, and with
 * `padToSquare` padding the right or bottom to a square. Face detectors
 * resize their input to a few hundred pixels anyway, so a 9000 px photo only costs memory and time; the area
 * filter avoids the aliasing a plain subsampling would feed the networks. Coordinates map back exactly because
 * `resizeImage` is a pure scale in continuous pixel coordinates.
 */
export function prepareDetectionInput(
  image: Image,
  maxSide = DEFAULT_MAX_DETECTION_SIDE,
  options: { padToSquare?: boolean } = {},
): DetectionInput {
  let img: Image = image;
  const longest = Math.max(image.width, image.height);
  if (longest > maxSide) {
    const f = maxSide / longest;
    const w = Math.max(1, Math.round(image.width * f));
    const h = Math.max(1, Math.round(image.height * f));
    img = resizeImage(image, w, h, { filter: 'area' });
  }
  const scaleX = image.width / img.width;
  const scaleY = image.height / img.height;
  const rgb = toRgbBytes(img);
  if (!options.padToSquare || img.width === img.height) return { rgb, width: img.width, height: img.height, scaleX, scaleY };
  // Pad on the right or bottom only, so detection coordinates map back with the same scale and no offset.
  // Detectors that stretch their input to a square network size would otherwise see faces squashed in
  // wide or tall photos, which inflates their boxes (measured: 1.4x on a 2:1 canvas).
  const side = Math.max(img.width, img.height);
  const padded = new Uint8Array(side * side * 3).fill(DETECTION_PAD_VALUE);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) padded.set(rgb.subarray(y * row, (y + 1) * row), y * side * 3);
  return { rgb: padded, width: side, height: side, scaleX, scaleY };
}

/** Grey level of the padding {@link prepareDetectionInput} adds to square an image. */
export const DETECTION_PAD_VALUE = 114;

/** Interleaved RGB bytes of an image of any channel count / data type (alpha dropped, grey replicated). */
function toRgbBytes(image: Image): Uint8Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (channels === 3 && data instanceof Uint8Array) return data;
  const out = new Uint8Array(n * 3);
  const isFloat = data instanceof Float32Array;
  const byte = (v: number): number => {
    if (!isFloat) return v;
    const b = v * 255 + 0.5;
    return b <= 0 ? 0 : b >= 255 ? 255 : b;
  };
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (channels >= 3) {
      out[i * 3] = byte(data[s]);
      out[i * 3 + 1] = byte(data[s + 1]);
      out[i * 3 + 2] = byte(data[s + 2]);
    } else {
      const g = byte(data[s]);
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    }
  }
  return out;
}

/** Area of a `[x, y, w, h]` box. */
export function boxArea(box: Box): number {
  return Math.max(0, box[2]) * Math.max(0, box[3]);
}

/** Intersection over union of two `[x, y, w, h]` boxes. */
export function boxIou(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]), y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]), y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Grows a box about its centre by `factor` (1.1 = 10 % larger on each axis). */
export function enlargeBox(box: Box, factor: number): Box {
  const [x, y, w, h] = box;
  const nw = w * factor, nh = h * factor;
  return [x + (w - nw) / 2, y + (h - nh) / 2, nw, nh];
}

/** Clamps a box to the image rectangle `[0, width] x [0, height]`. */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.min(Math.max(box[0], 0), width), y0 = Math.min(Math.max(box[1], 0), height);
  const x1 = Math.min(Math.max(box[0] + box[2], 0), width), y1 = Math.min(Math.max(box[1] + box[3], 0), height);
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Applies the options every detector shares: drops faces under `minConfidence` (default
 * {@link DEFAULT_MIN_CONFIDENCE}), then returns all faces largest first with `allFaces`, else only the largest.
 * Largest, not most confident, is the default because a portrait's subject is the big face and a background
 * face can score higher.
 */
export function selectFaces(faces: DetectedFace[], options: DetectOptions = {}): DetectedFace[] {
  const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const kept = faces.filter((f) => f.confidence >= min).sort((a, b) => boxArea(b.box) - boxArea(a.box));
  return options.allFaces ? kept : kept.slice(0, 1);
}

/** Scales a flat x/y(/z) point array in place: x by `sx`, y by `sy`, z (when `stride` is 3) by `sz`. */
export function scalePoints(points: Float32Array, stride: 2 | 3, sx: number, sy: number, sz = sx): Float32Array {
  for (let i = 0; i < points.length; i += stride) {
    points[i] *= sx;
    points[i + 1] *= sy;
    if (stride === 3) points[i + 2] *= sz;
  }
  return points;
}

/**
 * Normalised mean error between two 68 x 2 landmark sets: mean point distance divided by `sqrt(w * h)` of
 * `normBox` (pass the face box; the usual 300W-style "box" normalisation). Returns a fraction (0.03 = 3 %).
 */
export function landmarksNme(a: Float32Array, b: Float32Array, normBox: Box): number {
  if (a.length !== b.length) throw new RangeError(`landmark sets differ in length: ${a.length} vs ${b.length}`);
  const d = Math.sqrt(boxArea(normBox));
  if (!(d > 0)) throw new RangeError('normalisation box has zero area');
  let s = 0;
  for (let i = 0; i < a.length; i += 2) s += Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1]);
  return s / (a.length / 2) / d;
}

/** An 8-bit RGB {@link Image} view of a {@link DetectionInput}, for callers that want to look at what was detected on. */
export function detectionInputImage(input: DetectionInput): ImageU8 {
  return { width: input.width, height: input.height, channels: 3, data: input.rgb };
}
