/**
 * Normalised mean error (NME) of 2D facial landmarks, the standard sparse-alignment metric.
 * @module
 */

/**
 * What the landmark errors are divided by:
 * - `'bbox'`: `sqrt(w · h)` of the ground-truth landmarks' bounding box (AFLW2000-3D protocol, as in 3DDFA/PRNet);
 * - `'inter-ocular'`: distance between the ground-truth outer eye corners (indices 36 and 45 of the 68-point
 *   iBUG/Multi-PIE order, 300-W protocol), or `eyeCornerIndices` when given;
 * - a positive number: a caller-supplied normaliser (e.g. a face-box size).
 */
export type NmeNormalization = 'bbox' | 'inter-ocular' | number;

/** Options of {@link landmarkNme}. */
export interface NmeOptions {
  /** Default `'bbox'`. */
  normalization?: NmeNormalization;
  /**
   * Values per landmark in the inputs: 2 (xy) or 3 (xyz; z is ignored, since these protocols score the image
   * plane). Default 2.
   */
  stride?: 2 | 3;
  /** Landmark indices used for `'inter-ocular'` (default `[36, 45]`, the outer eye corners of the 68 points). */
  eyeCornerIndices?: readonly [number, number];
}

/**
 * Result of {@link landmarkNme} for L landmarks:
 * - `errors`: L Euclidean xy errors in input units (pixels),
 * - `normalizedErrors`: `errors / normalizer`,
 * - `mean`: the NME (mean of `normalizedErrors`; multiply by 100 for the usual percentage),
 * - `normalizer`: the distance divided by, in input units.
 */
export interface NmeResult {
  errors: Float64Array;
  normalizedErrors: Float64Array;
  mean: number;
  normalizer: number;
}

/**
 * NME of predicted vs ground-truth landmarks of one face.
 *
 * @param predicted - L x stride predicted landmarks (image pixels).
 * @param groundTruth - L x stride ground-truth landmarks, same order.
 * @throws RangeError on length mismatch, missing eye-corner landmarks, or a zero normaliser.
 */
export function landmarkNme(predicted: ArrayLike<number>, groundTruth: ArrayLike<number>, options: NmeOptions = {}): NmeResult {
  const stride = options.stride ?? 2;
  if (stride !== 2 && stride !== 3) throw new RangeError(`stride must be 2 or 3, got ${String(stride)}`);
  if (predicted.length !== groundTruth.length) {
    throw new RangeError(`predicted has ${predicted.length} values but ground truth has ${groundTruth.length}`);
  }
  if (groundTruth.length % stride !== 0 || groundTruth.length === 0) {
    throw new RangeError(`landmark arrays must hold L x ${stride} values with L > 0, got ${groundTruth.length}`);
  }
  const l = groundTruth.length / stride;
  const norm = options.normalization ?? 'bbox';
  let normalizer: number;
  if (norm === 'bbox') {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < l; i++) {
      const x = groundTruth[i * stride], y = groundTruth[i * stride + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    normalizer = Math.sqrt((x1 - x0) * (y1 - y0));
  } else if (norm === 'inter-ocular') {
    const [a, b] = options.eyeCornerIndices ?? [36, 45];
    if (!(a >= 0 && a < l && b >= 0 && b < l)) {
      throw new RangeError(`inter-ocular normalisation needs landmarks ${a} and ${b}, but there are only ${l}`);
    }
    normalizer = Math.hypot(groundTruth[a * stride] - groundTruth[b * stride], groundTruth[a * stride + 1] - groundTruth[b * stride + 1]);
  } else {
    normalizer = norm;
  }
  if (!(normalizer > 0) || !Number.isFinite(normalizer)) {
    throw new RangeError(`NME normaliser is ${normalizer}; the ground-truth landmarks are degenerate for '${String(norm)}'`);
  }
  const errors = new Float64Array(l);
  const normalizedErrors = new Float64Array(l);
  let sum = 0;
  for (let i = 0; i < l; i++) {
    const e = Math.hypot(predicted[i * stride] - groundTruth[i * stride], predicted[i * stride + 1] - groundTruth[i * stride + 1]);
    errors[i] = e;
    normalizedErrors[i] = e / normalizer;
    sum += e;
  }
  return { errors, normalizedErrors, mean: sum / l / normalizer, normalizer };
}
