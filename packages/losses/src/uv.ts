/**
 * UV-space losses: DECA's soft symmetry of a displacement map and PRNet's weighted UV position loss.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { expectShape, robustPenalty, toTensor, weightedReduce } from './robust.js';
import type { BaseLossOptions, Reduction, RobustNorm, TensorLike, TfLoss } from './types.js';

/** Inputs of {@link uvSymmetryLoss}. */
export interface UvSymmetryInputs {
  /** UV map `[B, H, W]` (a displacement map) or `[B, H, W, C]`; u runs along W. */
  map: tf.Tensor;
  /** Where symmetry applies, `[H, W]` or `[B, H, W]` (the face region of the UV layout); default everywhere. */
  mask?: TensorLike;
}

/** Options of {@link uvSymmetryLoss}. */
export interface UvSymmetryLossOptions extends BaseLossOptions {
  /** Penalty per texel (default `l1`, as DECA). */
  norm?: RobustNorm;
  /** `mean` over masked texels (default) or `sum` (DECA sums). */
  reduction?: Reduction;
  /** Mask used when the inputs give none (`[H, W]`). */
  mask?: TensorLike;
}

/**
 * Soft symmetry of a UV map (DECA's detail regulariser): faces are nearly left-right symmetric and in a
 * symmetric UV layout the mirror image is a flip of u, so penalise `D - flip_u(D)`:
 *
 * `E = sum m' rho(D - flip_u(D)) / sum m'`, `m' = m * flip_u(m)`
 *
 * over `map D: [B, H, W(, C)]` and `mask m: [H, W]` or `[B, H, W]`. The mask is symmetrised (`m'`) so a texel only
 * counts when its mirror is valid too; "soft" because it is a weighted penalty, not a constraint.
 */
export function uvSymmetryLoss(options: UvSymmetryLossOptions = {}): TfLoss<UvSymmetryInputs> {
  const name = options.name ?? 'uv-symmetry';
  const norm = options.norm ?? 'l1';
  const reduction = options.reduction ?? 'mean';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `sum m' ${norm}(D - flip_u(D)) / ${reduction === 'mean' ? "sum m'" : '1'}, m' = m * flip_u(m)`,
    compute(inputs: UvSymmetryInputs): tf.Scalar {
      return tf.tidy(() => {
        const d = inputs.map.rank === 3 ? tf.expandDims(inputs.map, 3) : inputs.map;
        expectShape(name, 'map', d, [null, null, null, null]);
        const [, h, w] = d.shape;
        const penalty = robustPenalty(tf.sub(d, tf.reverse(d, 2)), norm); // [B, H, W]
        const maskLike = inputs.mask ?? options.mask;
        if (maskLike === undefined) return weightedReduce(penalty, undefined, reduction);
        let m = toTensor(maskLike, maskLike instanceof tf.Tensor ? undefined : [h, w]);
        if (m.rank === 2) m = tf.expandDims(m, 0);
        expectShape(name, 'mask', m, [null, h, w]);
        return weightedReduce(penalty, tf.mul(m, tf.reverse(m, 2)), reduction);
      });
    },
  };
}

/** Masks of the regions of a PRNet-style UV weight mask, each `size * size` (row-major, non-zero = inside). */
export interface PrnetRegions {
  /** Texels of the 68 landmarks (e.g. small discs around PRNet's `uv_kpt_ind`). */
  landmarks?: ArrayLike<number>;
  /** Alternatively, landmark texel coordinates as (u, v) pairs (PRNet's `uv_kpt_ind`, flattened). */
  landmarkPixels?: ArrayLike<number>;
  /** Eyes, nose and mouth. */
  eyesNoseMouth?: ArrayLike<number>;
  /** The rest of the face. */
  face?: ArrayLike<number>;
  /** Neck (weight 0 by default: it is not part of the face and its ground truth is unreliable). */
  neck?: ArrayLike<number>;
}

/** Region weights of {@link prnetWeightMask}. */
export interface PrnetRatios {
  landmarks: number;
  eyesNoseMouth: number;
  face: number;
  neck: number;
}

/** PRNet's ratios: 68 landmarks : eyes/nose/mouth : rest of face : neck = 16 : 4 : 3 : 0. */
export const PRNET_RATIOS: Readonly<PrnetRatios> = { landmarks: 16, eyesNoseMouth: 4, face: 3, neck: 0 };

/**
 * Builds PRNet's UV weight mask `[size, size]` (row-major Float32Array) from region masks: each texel gets the
 * weight of the most important region containing it (landmarks > eyes/nose/mouth > face > neck), 0 outside
 * every region. `normalize` divides by the largest ratio (PRNet ships the mask as an image in [0, 1]).
 */
export function prnetWeightMask(
  size: number,
  regions: PrnetRegions,
  options: { ratios?: Partial<PrnetRatios>; normalize?: boolean } = {},
): Float32Array {
  const n = size * size;
  const ratios = { ...PRNET_RATIOS, ...options.ratios };
  const out = new Float32Array(n);
  const check = (m: ArrayLike<number> | undefined, what: string): ArrayLike<number> | undefined => {
    if (m && m.length !== n) throw new RangeError(`prnetWeightMask: ${what} has ${m.length} values, expected ${size} x ${size}`);
    return m;
  };
  // Painted from least to most important so the later (higher-priority) region wins.
  const layers: Array<[ArrayLike<number> | undefined, number]> = [
    [check(regions.neck, 'neck'), ratios.neck],
    [check(regions.face, 'face'), ratios.face],
    [check(regions.eyesNoseMouth, 'eyesNoseMouth'), ratios.eyesNoseMouth],
    [check(regions.landmarks, 'landmarks'), ratios.landmarks],
  ];
  for (const [mask, weight] of layers) {
    if (!mask) continue;
    for (let i = 0; i < n; i++) if (mask[i]) out[i] = weight;
  }
  const px = regions.landmarkPixels;
  if (px) {
    for (let k = 0; k + 1 < px.length; k += 2) {
      const u = Math.round(px[k]), v = Math.round(px[k + 1]);
      if (u >= 0 && u < size && v >= 0 && v < size) out[v * size + u] = ratios.landmarks;
    }
  }
  if (options.normalize) {
    const max = Math.max(ratios.landmarks, ratios.eyesNoseMouth, ratios.face, ratios.neck);
    if (max > 0) for (let i = 0; i < n; i++) out[i] /= max;
  }
  return out;
}

/** Inputs of {@link uvPositionLoss}. */
export interface UvPositionInputs {
  /** Predicted UV position map `[B, H, W, 3]`. */
  pred: tf.Tensor;
  /** Ground-truth UV position map `[B, H, W, 3]`. */
  target: tf.Tensor;
  /** Weight mask `[H, W]` or `[B, H, W]` (see {@link prnetWeightMask}); overrides the factory's. */
  weightMask?: TensorLike;
}

/** Options of {@link uvPositionLoss}. */
export interface UvPositionLossOptions extends BaseLossOptions {
  /** Weight mask `[H, W]` (row-major) used when the inputs give none. */
  weightMask?: TensorLike;
  /** Per-texel penalty of the 3D residual (default `l21`: Euclidean distance; `l2` for squared). */
  norm?: RobustNorm;
  /** `mean` over all texels (default, as PRNet) or `sum`. */
  reduction?: Reduction;
}

/**
 * PRNet's weighted UV position loss:
 *
 * `E = mean_{b,u,v} W(u, v) ||P_b(u, v) - P~_b(u, v)||`
 *
 * with `pred P, target P~: [B, H, W, 3]` and `W: [H, W]` from {@link prnetWeightMask} (16 : 4 : 3 : 0). The mean
 * is over all texels (not the weighted mean), as in PRNet, so the weight mask also sets the loss scale.
 */
export function uvPositionLoss(options: UvPositionLossOptions = {}): TfLoss<UvPositionInputs> {
  const name = options.name ?? 'uv-position';
  const norm = options.norm ?? 'l21';
  const reduction = options.reduction ?? 'mean';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${reduction}_{b,u,v} W(u,v) ${norm}(P - P_gt)`,
    compute(inputs: UvPositionInputs): tf.Scalar {
      return tf.tidy(() => {
        const { pred, target } = inputs;
        expectShape(name, 'pred', pred, [null, null, null, 3]);
        expectShape(name, 'target', target, pred.shape);
        const [, h, w] = pred.shape;
        const penalty = robustPenalty(tf.sub(pred, target), norm); // [B, H, W]
        const wLike = inputs.weightMask ?? options.weightMask;
        let weighted = penalty;
        if (wLike !== undefined) {
          const wm = toTensor(wLike, wLike instanceof tf.Tensor ? undefined : [h, w]);
          expectShape(name, 'weightMask', wm, wm.rank === 2 ? [h, w] : [pred.shape[0], h, w]);
          weighted = tf.mul(penalty, wm);
        }
        return (reduction === 'sum' ? tf.sum(weighted) : tf.mean(weighted)) as tf.Scalar;
      });
    },
  };
}
