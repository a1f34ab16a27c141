/**
 * Smooth-skin mask of a linearised model for the photometric samples: the fitting region (narrow face) minus
 * the places whose albedo a low-frequency skin prior cannot explain — lips, brows, eyes and lids, nostrils and
 * the hairline band — found on the frontal mean face by their distance to the model's 68 landmarks (in units
 * of the inter-ocular distance, so it works in any model's units). Computed once per model (cached).
 * @module
 */
import { pointInPolygon2D, pointSegmentDistance2D } from '@facekit/core';
import { landmarkPositions, type LinearizedModel } from './linearize.js';

/** Margins of {@link skinOrder}, in inter-ocular distances. */
export interface SkinMaskOptions {
  /** Around the outer lip contour (48..59; default 0.12). */
  lips: number;
  /** Around the brow polylines (17..21, 22..26; default 0.14). */
  brows: number;
  /** Around the eye contours (36..41, 42..47; default 0.16). */
  eyes: number;
  /** Around the lower nose (31..35; default 0.08). */
  nostrils: number;
  /** Samples stop this far above the mean brow height (default 0.45; synth-like hairlines start ~0.6). */
  hairline: number;
}

/** Default {@link SkinMaskOptions}. */
export const DEFAULT_SKIN_MASK: Readonly<SkinMaskOptions> = Object.freeze({ lips: 0.12, brows: 0.14, eyes: 0.16, nostrils: 0.08, hairline: 0.45 });

const cache = new WeakMap<LinearizedModel, Map<string, Uint32Array>>();

/** Distance to a polyline (closed when `closed`), 0 inside a closed one. */
function polyDistance(x: number, y: number, pts: number[][], closed: boolean): number {
  if (closed && pointInPolygon2D(x, y, pts)) return 0;
  let d = Infinity;
  const n = pts.length;
  for (let k = 0; k < (closed ? n : n - 1); k++) {
    const a = pts[k], b = pts[(k + 1) % n];
    d = Math.min(d, pointSegmentDistance2D(x, y, a[0], a[1], b[0], b[1]));
  }
  return d;
}

/**
 * The fitting-region vertices (in `lin.fitOrder`'s shuffled order) that lie on smooth skin; `lin.fitOrder`
 * itself when the model has no 68 landmarks.
 */
export function skinOrder(lin: LinearizedModel, options: Partial<SkinMaskOptions> = {}): Uint32Array {
  const o = { ...DEFAULT_SKIN_MASK, ...options };
  const key = JSON.stringify(o);
  let per = cache.get(lin);
  if (!per) cache.set(lin, (per = new Map()));
  const hit = per.get(key);
  if (hit) return hit;
  if (!lin.landmarkVertices || !lin.landmarkWeights) {
    per.set(key, lin.fitOrder);
    return lin.fitOrder;
  }
  const flat = landmarkPositions(lin);
  const L = Array.from({ length: 68 }, (_, k) => [flat[3 * k], flat[3 * k + 1], flat[3 * k + 2]]);
  const range = (a: number, b: number): number[][] => L.slice(a, b + 1);
  const unit = Math.hypot(L[36][0] - L[45][0], L[36][1] - L[45][1], L[36][2] - L[45][2]) || 1;
  const lips = range(48, 59);
  const browL = range(17, 21), browR = range(22, 26);
  const eyeL = range(36, 41), eyeR = range(42, 47);
  const nose = range(31, 35);
  const browY = [...browL, ...browR].reduce((s, p) => s + p[1], 0) / 10;
  const out: number[] = [];
  for (const i of lin.fitOrder) {
    const x = lin.mean[3 * i], y = lin.mean[3 * i + 1];
    if (polyDistance(x, y, lips, true) < o.lips * unit) continue;
    if (Math.min(polyDistance(x, y, browL, false), polyDistance(x, y, browR, false)) < o.brows * unit) continue;
    if (Math.min(polyDistance(x, y, eyeL, true), polyDistance(x, y, eyeR, true)) < o.eyes * unit) continue;
    if (polyDistance(x, y, nose, false) < o.nostrils * unit) continue;
    if (y > browY + o.hairline * unit) continue;
    out.push(i);
  }
  const res = Uint32Array.from(out);
  per.set(key, res);
  return res;
}
