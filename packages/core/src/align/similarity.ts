/**
 * Similarity transforms `y = s · R · x + t` in 3D and 2D, the result type of Procrustes and ICP.
 * @module
 */

/**
 * A 3D similarity transform mapping a point `x` to `scale · rotation · x + translation`.
 * - `rotation`: 3x3 proper rotation (det +1), **row-major** (`R[r * 3 + c]`), as in `math/rotations`.
 * - `translation`: 3 values, in the units of the target points.
 * - `scale`: unitless, 1 for rigid transforms.
 */
export interface SimilarityTransform {
  scale: number;
  rotation: Float64Array;
  translation: Float64Array;
}

/**
 * A 2D similarity transform mapping `x` to `scale · rotation · x + translation`.
 * - `rotation`: 2x2 row-major rotation `[cos, -sin, sin, cos]`.
 * - `angle`: the rotation angle in radians (counter-clockwise for x right / y up, clockwise on screen with y down).
 * - `translation`: 2 values.
 */
export interface SimilarityTransform2D {
  scale: number;
  angle: number;
  rotation: Float64Array;
  translation: Float64Array;
}

/** The identity 3D similarity (scale 1, R = I, t = 0). */
export function identitySimilarity(): SimilarityTransform {
  return { scale: 1, rotation: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), translation: new Float64Array(3) };
}

/**
 * Applies `s R x + t` to N x 3 points (xyz interleaved). `out` may be `points` itself (in place).
 * Arithmetic is done in double precision before storing.
 */
export function applySimilarity(
  points: ArrayLike<number>,
  transform: SimilarityTransform,
  out: Float32Array | Float64Array = new Float32Array(points.length),
): Float32Array | Float64Array {
  if (points.length % 3 !== 0) throw new RangeError(`points has length ${points.length}, not a multiple of 3`);
  if (out.length < points.length) throw new RangeError(`out holds ${out.length} values, need ${points.length}`);
  const { scale: s, rotation: r, translation: t } = transform;
  const r0 = s * r[0], r1 = s * r[1], r2 = s * r[2];
  const r3 = s * r[3], r4 = s * r[4], r5 = s * r[5];
  const r6 = s * r[6], r7 = s * r[7], r8 = s * r[8];
  const tx = t[0], ty = t[1], tz = t[2];
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = r0 * x + r1 * y + r2 * z + tx;
    out[i + 1] = r3 * x + r4 * y + r5 * z + ty;
    out[i + 2] = r6 * x + r7 * y + r8 * z + tz;
  }
  return out;
}

/** Applies a 2D similarity to N x 2 points (xy interleaved). `out` may be `points` itself. */
export function applySimilarity2D(
  points: ArrayLike<number>,
  transform: SimilarityTransform2D,
  out: Float32Array | Float64Array = new Float32Array(points.length),
): Float32Array | Float64Array {
  if (points.length % 2 !== 0) throw new RangeError(`points has length ${points.length}, not a multiple of 2`);
  if (out.length < points.length) throw new RangeError(`out holds ${out.length} values, need ${points.length}`);
  const { scale: s, rotation: r, translation: t } = transform;
  const r0 = s * r[0], r1 = s * r[1], r2 = s * r[2], r3 = s * r[3];
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i], y = points[i + 1];
    out[i] = r0 * x + r1 * y + t[0];
    out[i + 1] = r2 * x + r3 * y + t[1];
  }
  return out;
}

/** `a ∘ b`: the similarity that applies `b` first, then `a`. */
export function composeSimilarity(a: SimilarityTransform, b: SimilarityTransform): SimilarityTransform {
  const ra = a.rotation, rb = b.rotation, tb = b.translation;
  const rotation = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      rotation[r * 3 + c] = ra[r * 3] * rb[c] + ra[r * 3 + 1] * rb[3 + c] + ra[r * 3 + 2] * rb[6 + c];
    }
  }
  const translation = new Float64Array(3);
  for (let r = 0; r < 3; r++) {
    translation[r] = a.scale * (ra[r * 3] * tb[0] + ra[r * 3 + 1] * tb[1] + ra[r * 3 + 2] * tb[2]) + a.translation[r];
  }
  return { scale: a.scale * b.scale, rotation, translation };
}

/** Inverse similarity: `x = (1/s) R^T (y - t)`. Throws for a zero scale. */
export function invertSimilarity(transform: SimilarityTransform): SimilarityTransform {
  const { scale: s, rotation: r, translation: t } = transform;
  if (s === 0 || !Number.isFinite(s)) throw new RangeError(`cannot invert a similarity with scale ${s}`);
  const rotation = new Float64Array([r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]);
  const inv = 1 / s;
  const translation = new Float64Array(3);
  for (let i = 0; i < 3; i++) {
    translation[i] = -inv * (rotation[i * 3] * t[0] + rotation[i * 3 + 1] * t[1] + rotation[i * 3 + 2] * t[2]);
  }
  return { scale: inv, rotation, translation };
}
