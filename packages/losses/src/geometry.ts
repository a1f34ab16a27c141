/**
 * Dense correspondence losses: optical flow between video frames and point-to-plane distance to RGB-D depth.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { expectShape, robustPenalty, weightedReduce } from './robust.js';
import type { BaseLossOptions, Reduction, RobustNorm, TfLoss } from './types.js';

/** Inputs of {@link opticalFlowLoss}. */
export interface OpticalFlowInputs {
  /** Flow of the rendered model between frames t and t+1 (projected vertex motion rasterised), `[B, H, W, 2]`. */
  renderedFlow: tf.Tensor;
  /** Observed optical flow of the video between the same frames, `[B, H, W, 2]` (pixels). */
  observedFlow: tf.Tensor;
  /** Pixel weights `[B, H, W]`: face coverage x flow confidence (e.g. forward-backward consistency). */
  mask?: tf.Tensor;
}

/** Options of {@link opticalFlowLoss}. */
export interface OpticalFlowLossOptions extends BaseLossOptions {
  /** Per-pixel penalty (default `l21`: end-point error; `charbonnier` is the usual robust choice). */
  norm?: RobustNorm;
  epsilon?: number;
  /** Divide flow vectors by this many pixels (e.g. the image width) so the value is resolution-independent. */
  scale?: number;
  reduction?: Reduction;
}

/**
 * Optical-flow loss for video fitting: the model's motion between two frames should match the observed flow,
 * which constrains temporal consistency where landmarks are sparse:
 *
 * `E = sum m rho((F_r - F_o) / s) / sum m` over `renderedFlow F_r, observedFlow F_o: [B, H, W, 2]`, `mask m: [B, H, W]`.
 */
export function opticalFlowLoss(options: OpticalFlowLossOptions = {}): TfLoss<OpticalFlowInputs> {
  const name = options.name ?? 'optical-flow';
  const norm = options.norm ?? 'l21';
  const epsilon = options.epsilon ?? 1e-3;
  const reduction = options.reduction ?? 'mean';
  const scale = options.scale ?? 1;
  return {
    name,
    weight: options.weight ?? 1,
    formula: `sum m ${norm}((renderedFlow - observedFlow) / ${scale}) / ${reduction === 'mean' ? 'sum m' : '1'}`,
    compute(inputs: OpticalFlowInputs): tf.Scalar {
      return tf.tidy(() => {
        const { renderedFlow, observedFlow, mask } = inputs;
        expectShape(name, 'renderedFlow', renderedFlow, [null, null, null, 2]);
        expectShape(name, 'observedFlow', observedFlow, renderedFlow.shape);
        if (mask) expectShape(name, 'mask', mask, renderedFlow.shape.slice(0, 3));
        let r = tf.sub(renderedFlow, observedFlow);
        if (scale !== 1) r = tf.div(r, scale);
        return weightedReduce(robustPenalty(r, norm, epsilon), mask, reduction);
      });
    },
  };
}

/** Inputs of {@link pointToPlaneLoss}. */
export interface PointToPlaneInputs {
  /** Model points (e.g. visible vertices) `[B, N, 3]`. */
  pred: tf.Tensor;
  /** Corresponding observed depth points (back-projected RGB-D pixels) `[B, N, 3]`. */
  target: tf.Tensor;
  /** Unit normals of the observed surface at `target`, `[B, N, 3]`. */
  normals: tf.Tensor;
  /** Correspondence weights `[B, N]` (0 for rejected pairs: too far, normals disagree, no depth). */
  weights?: tf.Tensor;
}

/** Options of {@link pointToPlaneLoss}. */
export interface PointToPlaneLossOptions extends BaseLossOptions {
  /** `sum` (default, the energy as written) or weighted `mean`. */
  reduction?: Reduction;
}

/**
 * Point-to-plane depth term for RGB-D fitting: the distance of each model point to the observed surface's
 * tangent plane, which (unlike point-to-point) lets the surface slide along itself and so converges in far
 * fewer ICP iterations:
 *
 * `E = sum_{b,i} w_bi ((p_bi - q_bi) . n_bi)^2` over `pred p, target q, normals n: [B, N, 3]`, `weights w: [B, N]`.
 */
export function pointToPlaneLoss(options: PointToPlaneLossOptions = {}): TfLoss<PointToPlaneInputs> {
  const name = options.name ?? 'point-to-plane';
  const reduction = options.reduction ?? 'sum';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${reduction === 'sum' ? 'sum' : 'weighted mean'}_{b,i} w_bi ((pred_bi - target_bi) . n_bi)^2`,
    compute(inputs: PointToPlaneInputs): tf.Scalar {
      return tf.tidy(() => {
        const { pred, target, normals, weights } = inputs;
        expectShape(name, 'pred', pred, [null, null, 3]);
        expectShape(name, 'target', target, pred.shape);
        expectShape(name, 'normals', normals, pred.shape);
        if (weights) expectShape(name, 'weights', weights, pred.shape.slice(0, 2));
        const dist = tf.sum(tf.mul(tf.sub(pred, target), normals), 2); // [B, N]
        return weightedReduce(tf.square(dist), weights, reduction);
      });
    },
  };
}
