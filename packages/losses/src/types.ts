/**
 * Shared types and small tensor helpers of `@facekit/losses`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs';
import type { Loss } from '@facekit/core';

/** A facekit loss over tfjs tensors: core's {@link Loss} with the tensor type fixed to `tf.Tensor`. */
export type TfLoss<TInputs> = Loss<tf.Tensor, TInputs>;

/** Options every loss factory accepts. */
export interface BaseLossOptions {
  /**
   * Name of the term (keys {@link combineLosses} inputs and logs). Defaults to the registry name; give two
   * instances of one loss (e.g. static and contour landmarks) different names to combine them.
   */
  name?: string;
  /** Weight the total energy multiplies this term by (default 1). */
  weight?: number;
}

/**
 * Robust penalty applied to a residual vector r (per landmark, per pixel, ...):
 * - `l2`: squared Euclidean norm `||r||^2` (least squares);
 * - `l1`: sum of absolute components `sum_k |r_k|` (DECA's landmark loss);
 * - `l21`: Euclidean norm `||r||_2` (DECA's photometric L2,1 norm when averaged over pixels), computed as
 *   `sqrt(||r||^2 + 1e-16) - 1e-8` so that its gradient exists (is 0) at r = 0 instead of NaN;
 * - `charbonnier`: `sqrt(||r||^2 + eps^2) - eps`, quadratic below `eps` and linear above it (robust to
 *   outliers, smooth everywhere); `eps` is the loss's `epsilon` option.
 * The `- eps` offsets make every penalty exactly 0 for a zero residual.
 */
export type RobustNorm = 'l2' | 'l1' | 'l21' | 'charbonnier';

/** How per-element penalties are reduced to the scalar a loss returns. */
export type Reduction = 'mean' | 'sum';

/** Input of a loss that is either a tensor or plain numbers (per-landmark weights, masks built in JS). */
export type TensorLike = tf.Tensor | Float32Array | number[];
