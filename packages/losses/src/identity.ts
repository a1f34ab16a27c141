/**
 * Identity (face-recognition embedding) loss and the RingNet ring / contrastive pair losses on shape codes.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import { expectShape, toTensor } from './robust.js';
import type { BaseLossOptions, Reduction, TensorLike, TfLoss } from './types.js';

/** Inputs of {@link identityLoss}. */
export interface IdentityInputs {
  /** Descriptor of the rendered face, `[B, D]` (e.g. face-api's 128-d or ArcFace's 512-d embedding). */
  pred: tf.Tensor;
  /** Descriptor of the photo, `[B, D]`. */
  target: tf.Tensor;
}

/**
 * Identity loss (DECA, Deep3DFaceRecon): recognition networks compare faces by the angle of their
 * embeddings, so the loss is the cosine distance, invariant to descriptor scale:
 *
 * `E = mean_b (1 - <f_b, g_b> / (||f_b|| ||g_b||))`, `pred f: [B, D]`, `target g: [B, D]`, range [0, 2].
 */
export function identityLoss(options: BaseLossOptions = {}): TfLoss<IdentityInputs> {
  const name = options.name ?? 'identity';
  return {
    name,
    weight: options.weight ?? 1,
    formula: 'mean_b (1 - <pred_b, target_b> / (||pred_b|| ||target_b||))',
    compute(inputs: IdentityInputs): tf.Scalar {
      return tf.tidy(() => {
        const { pred, target } = inputs;
        expectShape(name, 'pred', pred, [null, null]);
        expectShape(name, 'target', target, pred.shape);
        // 1e-12 inside the square roots keeps a zero descriptor from producing NaN.
        const na = tf.sqrt(tf.add(tf.sum(tf.square(pred), 1), 1e-12));
        const nb = tf.sqrt(tf.add(tf.sum(tf.square(target), 1), 1e-12));
        const cos = tf.div(tf.sum(tf.mul(pred, target), 1), tf.mul(na, nb));
        return tf.mean(tf.sub(1, cos)) as tf.Scalar;
      });
    },
  };
}

/** Inputs of {@link ringShapeConsistencyLoss}. */
export interface RingInputs {
  /**
   * Shape codes of the rings, `[n_b, R, K]`: per ring, R - 1 images of one subject and one image of a different
   * subject, at index `negativeIndex` (default the last, as RingNet's I_R).
   */
  shapes: tf.Tensor;
}

/** Options of {@link ringShapeConsistencyLoss}. */
export interface RingLossOptions extends BaseLossOptions {
  /** Margin eta (RingNet: 0.5). */
  margin?: number;
  /** Index of the different-subject image in each ring (default R - 1). */
  negativeIndex?: number;
  /**
   * `all` (default): every ordered pair (j, k) of same-subject images including j = k, the paper's
   * `sum_{j,k=1}^{R-1}`; `distinct`: only j != k.
   */
  pairs?: 'all' | 'distinct';
  /** `sum` (default, as the paper) or `mean` over rings and pairs. */
  reduction?: Reduction;
}

/**
 * RingNet shape consistency ("ring") loss, a triplet loss over rings of R images (RingNet: R = 6, 5 of one
 * subject, 1 of another): the shape codes of the same subject should be closer to each other than to the other
 * subject's by a margin,
 *
 * `E = sum_{i=1}^{n_b} sum_{j,k=1}^{R-1} max(0, ||b_ij - b_ik||^2 - ||b_ij - b_iR||^2 + eta)`
 *
 * with `b = shapes: [n_b, R, K]` and `eta = 0.5` (Sanyal et al., CVPR 2019, Eq. 4; transcribed from the paper's
 * notation, where j, k index the same-subject images of ring i and R the odd one out).
 */
export function ringShapeConsistencyLoss(options: RingLossOptions = {}): TfLoss<RingInputs> {
  const name = options.name ?? 'ring-shape-consistency';
  const eta = options.margin ?? 0.5;
  const reduction = options.reduction ?? 'sum';
  const distinct = options.pairs === 'distinct';
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${reduction}_{i, j,k${distinct ? ' != ' : ','}same} max(0, ||b_ij - b_ik||^2 - ||b_ij - b_iR||^2 + ${eta})`,
    compute(inputs: RingInputs): tf.Scalar {
      return tf.tidy(() => {
        const { shapes } = inputs;
        expectShape(name, 'shapes', shapes, [null, null, null]);
        const r = shapes.shape[1] as number;
        if (r < 2) throw new RangeError(`${name}: a ring needs at least 2 images, got R = ${r}`);
        const neg = options.negativeIndex ?? r - 1;
        if (neg < 0 || neg >= r) throw new RangeError(`${name}: negativeIndex ${neg} outside 0..${r - 1}`);
        const same = Int32Array.from({ length: r }, (_, i) => i).filter((i) => i !== neg);
        const pos = tf.gather(shapes, same, 1); // [n, R-1, K]
        const other = tf.gather(shapes, [neg], 1); // [n, 1, K]
        // ||b_j - b_k||^2 for all pairs: [n, R-1, R-1]
        const dPos = tf.sum(tf.square(tf.sub(tf.expandDims(pos, 2), tf.expandDims(pos, 1))), 3);
        const dNeg = tf.sum(tf.square(tf.sub(pos, other)), 2); // [n, R-1]
        let hinge = tf.relu(tf.add(tf.sub(dPos, tf.expandDims(dNeg, 2)), eta));
        if (distinct) hinge = tf.mul(hinge, tf.sub(1, tf.eye(r - 1)));
        if (reduction === 'sum') return tf.sum(hinge) as tf.Scalar;
        const count = (shapes.shape[0] as number) * (r - 1) * (distinct ? r - 2 : r - 1);
        return tf.div(tf.sum(hinge), Math.max(count, 1)) as tf.Scalar;
      });
    },
  };
}

/** Inputs of {@link identityPairLoss}. */
export interface IdentityPairInputs {
  /** Codes of the first image of each pair, `[P, K]` (e.g. shape coefficients). */
  a: tf.Tensor;
  /** Codes of the second image, `[P, K]`. */
  b: tf.Tensor;
  /** 1 where the pair shows the same identity, 0 where different, `[P]`. */
  same: TensorLike;
}

/** Options of {@link identityPairLoss}. */
export interface IdentityPairLossOptions extends BaseLossOptions {
  /** Distance below which different identities are pushed apart (default 1). */
  margin?: number;
}

/**
 * Same-identity pair (contrastive) loss on codes: pulls codes of the same person together and pushes codes
 * of different people at least `margin` apart (Hadsell et al. 2006; used on shape codes of image pairs):
 *
 * `E = mean_p [ s_p d_p^2 + (1 - s_p) max(0, m - d_p)^2 ]`, `d_p = ||a_p - b_p||_2`, `a, b: [P, K]`, `s: [P]`.
 */
export function identityPairLoss(options: IdentityPairLossOptions = {}): TfLoss<IdentityPairInputs> {
  const name = options.name ?? 'identity-pair';
  const margin = options.margin ?? 1;
  return {
    name,
    weight: options.weight ?? 1,
    formula: `mean_p [ s_p ||a_p - b_p||^2 + (1 - s_p) max(0, ${margin} - ||a_p - b_p||)^2 ]`,
    compute(inputs: IdentityPairInputs): tf.Scalar {
      return tf.tidy(() => {
        const { a, b } = inputs;
        expectShape(name, 'a', a, [null, null]);
        expectShape(name, 'b', b, a.shape);
        const s = toTensor(inputs.same, [a.shape[0]]);
        expectShape(name, 'same', s, [a.shape[0]]);
        const d2 = tf.sum(tf.square(tf.sub(a, b)), 1);
        // d enters only the negative term; 1e-12 keeps its gradient finite for coincident codes.
        const d = tf.sqrt(tf.add(d2, 1e-12));
        const push = tf.square(tf.relu(tf.sub(margin, d)));
        return tf.mean(tf.add(tf.mul(s, d2), tf.mul(tf.sub(1, s), push))) as tf.Scalar;
      });
    },
  };
}
