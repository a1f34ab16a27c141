/**
 * 2D landmark reprojection and eye-closure losses.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { expectShape, robustPenalty, toTensor, weightedReduce } from './robust.js';
import type { BaseLossOptions, Reduction, RobustNorm, TensorLike, TfLoss } from './types.js';

/** Image size used to normalise pixel residuals: one number for both axes, or `[width, height]`. */
export type ImageSize = number | readonly [number, number];

/** Inputs of {@link landmarkLoss}. */
export interface LandmarkInputs {
  /** Projected model landmarks, `[B, L, 2]` (x, y), in the same units as `target` (usually image pixels). */
  pred: tf.Tensor;
  /** Detected / annotated landmarks, `[B, L, 2]`. */
  target: tf.Tensor;
  /** Detector confidence per landmark, `[B, L]`, non-negative (0 drops a point). */
  confidence?: tf.Tensor;
  /** Per-landmark weights `[L]`; overrides the factory's `weights`. */
  weights?: TensorLike;
  /** Image size for normalisation; overrides the factory's `imageSize`. */
  imageSize?: ImageSize;
}

/** Options of {@link landmarkLoss}. */
export interface LandmarkLossOptions extends BaseLossOptions {
  /** Robust penalty of each 2D residual (default `l2`: squared distance). */
  norm?: RobustNorm;
  /** Charbonnier epsilon, in normalised units when `imageSize` is set (default 1e-3). */
  epsilon?: number;
  /**
   * Divide x residuals by the width and y residuals by the height, so the value does not depend on the image
   * resolution (a 1-pixel error on a 224 crop counts like a 2-pixel one on 448). Default: no normalisation.
   */
  imageSize?: ImageSize;
  /** Per-landmark weights `[L]` (of the full set, before `indices` selects). E.g. heavier mouth/eye points. */
  weights?: TensorLike;
  /**
   * Landmarks to use, as indices into L: e.g. `17..67` for the static (inner) 68-point landmarks and `0..16`
   * for the jaw contour. Default: all.
   */
  indices?: readonly number[];
  /** `mean` (default): weighted mean over batch and landmarks, `sum(w c rho) / sum(w c)`; `sum`: the sum. */
  reduction?: Reduction;
}

function normaliser(size: ImageSize | undefined): tf.Tensor | undefined {
  if (size === undefined) return undefined;
  const [w, h] = typeof size === 'number' ? [size, size] : size;
  if (!(w > 0 && h > 0)) throw new RangeError(`imageSize must be positive, got ${String(size)}`);
  return tf.tensor1d([1 / w, 1 / h]);
}

/**
 * Confidence- and landmark-weighted 2D reprojection loss:
 *
 * `E = sum_{b,l} w_l c_{b,l} rho((p_{b,l} - q_{b,l}) / s) / sum_{b,l} w_l c_{b,l}`
 *
 * with `p` the projected model landmarks `pred: [B, L, 2]`, `q` the detections `target: [B, L, 2]`, `c` the
 * optional detector confidences `[B, L]`, `w` optional per-landmark weights `[L]`, `s = (width, height)` the
 * optional image size and `rho` the {@link RobustNorm} (default squared L2).
 *
 * Static + dynamic contour: the loss compares points it is given and knows nothing about the face model.
 * Jaw contour landmarks 0..16 of a 3D model move with head yaw (the visible silhouette is not a fixed set of
 * vertices), so upstream code picks them from a yaw-dependent embedding (FLAME's dynamic contour: one set of 17
 * barycentric points per yaw bin) and projects them into `pred` at the same positions as the static ones.
 * Use `indices` to weigh the two parts separately, e.g.
 * `landmarkLoss({ name: 'lmk-static', indices: range(17, 68) })` and
 * `landmarkLoss({ name: 'lmk-contour', indices: range(0, 17), weight: 0.5 })`.
 */
export function landmarkLoss(options: LandmarkLossOptions = {}): TfLoss<LandmarkInputs> {
  const norm = options.norm ?? 'l2';
  const epsilon = options.epsilon ?? 1e-3;
  const reduction = options.reduction ?? 'mean';
  const name = options.name ?? 'landmark';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `sum_{b,l} w_l c_bl ${norm}((pred_bl - target_bl) / imageSize) / ${reduction === 'mean' ? 'sum_{b,l} w_l c_bl' : '1'}`,
    compute(inputs: LandmarkInputs): tf.Scalar {
      return tf.tidy(() => {
        let { pred, target, confidence } = inputs;
        expectShape(name, 'pred', pred, [null, null, 2]);
        expectShape(name, 'target', target, pred.shape);
        if (confidence) expectShape(name, 'confidence', confidence, [pred.shape[0], pred.shape[1]]);
        const weightsLike = inputs.weights ?? options.weights;
        let weights = weightsLike === undefined ? undefined : toTensor(weightsLike);
        if (weights) expectShape(name, 'weights', weights, [pred.shape[1]]);
        if (options.indices) {
          const idx = tf.tensor1d(Int32Array.from(options.indices), 'int32');
          pred = tf.gather(pred, idx, 1);
          target = tf.gather(target, idx, 1);
          if (confidence) confidence = tf.gather(confidence, idx, 1);
          if (weights) weights = tf.gather(weights, idx);
        }
        let residual = tf.sub(pred, target);
        const scale = normaliser(inputs.imageSize ?? options.imageSize);
        if (scale) residual = tf.mul(residual, scale);
        const penalty = robustPenalty(residual, norm, epsilon); // [B, L]
        let w: tf.Tensor | undefined = confidence;
        if (weights) w = w ? tf.mul(w, weights) : weights;
        return weightedReduce(penalty, w, reduction);
      });
    },
  };
}

/** Inputs of {@link eyeClosureLoss}: the same 68-point layout as {@link LandmarkInputs}. */
export interface EyeClosureInputs {
  /** Projected model landmarks `[B, 68, 2]` (or any layout the `pairs` index). */
  pred: tf.Tensor;
  /** Detected landmarks `[B, 68, 2]`. */
  target: tf.Tensor;
  /** Detector confidence `[B, 68]`; a pair is weighted by the product of its two confidences. */
  confidence?: tf.Tensor;
  /** Overrides the factory's `imageSize`. */
  imageSize?: ImageSize;
}

/** Options of {@link eyeClosureLoss}. */
export interface EyeClosureLossOptions extends BaseLossOptions {
  /** (upper, lower) eyelid landmark pairs; default {@link EYELID_PAIRS_68}. */
  pairs?: ReadonlyArray<readonly [number, number]>;
  /** Penalty of the difference of the 2D eyelid vectors (default `l1`, as DECA). */
  norm?: RobustNorm;
  epsilon?: number;
  imageSize?: ImageSize;
  reduction?: Reduction;
}

/** Upper/lower eyelid pairs of the 68-point (Multi-PIE) scheme, 0-based: 37-41, 38-40 (right eye), 43-47, 44-46. */
export const EYELID_PAIRS_68: ReadonlyArray<readonly [number, number]> = [
  [37, 41],
  [38, 40],
  [43, 47],
  [44, 46],
];

/**
 * Eye-closure loss (DECA): the landmark loss alone barely moves the eyelids (few, close points), so compare
 * the eyelid opening itself:
 *
 * `E = mean_{b,k} c_{b,k} rho((p_{b,u_k} - p_{b,d_k}) - (q_{b,u_k} - q_{b,d_k}))`
 *
 * over pairs `(u_k, d_k)` of upper/lower eyelid landmarks, `pred, target: [B, 68, 2]`, with `rho` default L1.
 * Invariant to a translation of the whole eye, so it only constrains blinks.
 */
export function eyeClosureLoss(options: EyeClosureLossOptions = {}): TfLoss<EyeClosureInputs> {
  const pairs = options.pairs ?? EYELID_PAIRS_68;
  const norm = options.norm ?? 'l1';
  const epsilon = options.epsilon ?? 1e-3;
  const reduction = options.reduction ?? 'mean';
  const name = options.name ?? 'eye-closure';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${reduction}_{b,k} c ${norm}((pred[up_k] - pred[down_k]) - (target[up_k] - target[down_k]))`,
    compute(inputs: EyeClosureInputs): tf.Scalar {
      return tf.tidy(() => {
        const { pred, target, confidence } = inputs;
        expectShape(name, 'pred', pred, [null, null, 2]);
        expectShape(name, 'target', target, pred.shape);
        const up = tf.tensor1d(Int32Array.from(pairs, (p) => p[0]), 'int32');
        const down = tf.tensor1d(Int32Array.from(pairs, (p) => p[1]), 'int32');
        const opening = (x: tf.Tensor): tf.Tensor => tf.sub(tf.gather(x, up, 1), tf.gather(x, down, 1));
        let residual = tf.sub(opening(pred), opening(target)); // [B, K, 2]
        const scale = normaliser(inputs.imageSize ?? options.imageSize);
        if (scale) residual = tf.mul(residual, scale);
        const penalty = robustPenalty(residual, norm, epsilon);
        const w = confidence ? tf.mul(tf.gather(confidence, up, 1), tf.gather(confidence, down, 1)) : undefined;
        return weightedReduce(penalty, w, reduction);
      });
    },
  };
}
