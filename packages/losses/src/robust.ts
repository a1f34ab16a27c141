/**
 * Robust penalties and masked reductions shared by the losses.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import type { Reduction, RobustNorm, TensorLike } from './types.js';

/** Epsilon of the `l21` norm: small enough to be invisible, large enough that sqrt's gradient is finite at 0. */
const L21_EPS = 1e-8;

/**
 * Penalty of each residual vector along the last axis: `[..., K] -> [...]`. See {@link RobustNorm}.
 * @param residual `[..., K]` residual vectors (K = 2 for landmarks, 3 for colours).
 * @param norm which penalty.
 * @param epsilon Charbonnier's `eps` (ignored by the other norms).
 */
export function robustPenalty(residual: tf.Tensor, norm: RobustNorm, epsilon = 1e-3): tf.Tensor {
  const last = residual.rank - 1;
  switch (norm) {
    case 'l2':
      return tf.sum(tf.square(residual), last);
    case 'l1':
      return tf.sum(tf.abs(residual), last);
    case 'l21':
      return tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(residual), last), L21_EPS * L21_EPS)), L21_EPS);
    case 'charbonnier':
      return tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(residual), last), epsilon * epsilon)), epsilon);
    default:
      throw new RangeError(`unknown robust norm ${JSON.stringify(norm as string)}: use l2, l1, l21 or charbonnier`);
  }
}

/** Plain JS version of {@link robustPenalty} for one residual vector (tests and docs use it). */
export function robustPenaltyJs(residual: ArrayLike<number>, norm: RobustNorm, epsilon = 1e-3): number {
  let sq = 0, ab = 0;
  for (let i = 0; i < residual.length; i++) {
    sq += residual[i] * residual[i];
    ab += Math.abs(residual[i]);
  }
  if (norm === 'l2') return sq;
  if (norm === 'l1') return ab;
  const e = norm === 'l21' ? L21_EPS : epsilon;
  return Math.sqrt(sq + e * e) - e;
}

/** Converts a tensor-like value to a float32 tensor (passes tensors through untouched). */
export function toTensor(x: TensorLike, shape?: number[]): tf.Tensor {
  if (x instanceof tf.Tensor) return x;
  return tf.tensor(x instanceof Float32Array ? x : Float32Array.from(x), shape, 'float32');
}

/**
 * Reduces per-element penalties `[...]` with optional non-negative weights broadcastable to them:
 * `mean`: `sum(w p) / sum(w)` (a weighted mean, so the value does not depend on how many elements are
 * masked in, or on the scale of the weights); `sum`: `sum(w p)`. Without weights `mean` is the plain mean.
 * The denominator is clamped to 1e-12 so an all-zero mask gives 0, not NaN.
 */
export function weightedReduce(penalty: tf.Tensor, weights: tf.Tensor | undefined, reduction: Reduction): tf.Scalar {
  if (!weights) return (reduction === 'sum' ? tf.sum(penalty) : tf.mean(penalty)) as tf.Scalar;
  const same = weights.rank === penalty.rank && weights.shape.every((s, i) => s === penalty.shape[i]);
  // Broadcast explicitly so that sum(w) counts every element the weights apply to.
  const w = same ? weights : tf.broadcastTo(weights, penalty.shape);
  const num = tf.sum(tf.mul(penalty, w));
  if (reduction === 'sum') return num as tf.Scalar;
  return tf.div(num, tf.maximum(tf.sum(w), 1e-12)) as tf.Scalar;
}

/** Throws a RangeError naming the loss when `t` does not have the expected rank / trailing sizes. */
export function expectShape(loss: string, what: string, t: tf.Tensor, shape: ReadonlyArray<number | null | undefined>): void {
  const ok = t.rank === shape.length && shape.every((s, i) => s == null || s === t.shape[i]);
  if (!ok) {
    const want = `[${shape.map((s) => (s == null ? '?' : s)).join(', ')}]`;
    throw new RangeError(`${loss}: ${what} has shape [${t.shape.join(', ')}], expected ${want}`);
  }
}
