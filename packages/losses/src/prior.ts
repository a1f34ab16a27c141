/**
 * Gaussian parameter priors (the `E_reg` term): Mahalanobis distance under per-coefficient std.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import type { ParameterBlock } from '@facekit/core';
import type { BaseLossOptions, Reduction, TfLoss } from './types.js';

/** Inputs of {@link parameterPriorLoss}: coefficient tensors by block name, each `[B, K]` or `[K]`. */
export interface ParameterPriorInputs {
  /**
   * Coefficients per block, e.g. `{ shape: [B, 100], expression: [B, 50], albedo: [B, 50] }`. K may be smaller
   * than the block size (the leading coefficients of a truncated fit). Blocks of the prior that are absent
   * here are skipped (frozen blocks cost nothing); a name the prior does not know throws.
   */
  params: Readonly<Record<string, tf.Tensor>>;
}

/** A prior of one block: mean and std, scalar or one per coefficient. */
export interface BlockPrior {
  mean?: number | ArrayLike<number>;
  std: number | ArrayLike<number>;
  /** Multiplies this block's term (e.g. w_id, w_exp, w_alb of the inverse-rendering energy). Default 1. */
  weight?: number;
}

/** Options of {@link parameterPriorLoss}. */
export interface ParameterPriorLossOptions extends BaseLossOptions {
  /**
   * The priors, either as a face model's parameter blocks (`model.parameters`; a block without `prior` gets
   * mean 0, std 1, i.e. plain L2) or as explicit priors by block name. Default: every input block gets
   * mean 0, std 1.
   */
  blocks?: readonly ParameterBlock[] | Readonly<Record<string, BlockPrior>>;
  /** Per-block weights by name, multiplied into the block priors' weights. */
  blockWeights?: Readonly<Record<string, number>>;
  /** Only these blocks (e.g. `['shape', 'expression', 'albedo']`; pose and camera usually have no prior). */
  include?: readonly string[];
  /** Over the batch: `mean` (default) or `sum`. Coefficients are always summed (the Mahalanobis distance). */
  reduction?: Reduction;
}

function toFloats(v: number | ArrayLike<number> | undefined, k: number, fill: number, what: string): Float32Array {
  const out = new Float32Array(k);
  if (v === undefined || typeof v === 'number') return out.fill(v ?? fill);
  if (v.length < k) throw new RangeError(`${what} has ${v.length} values, the input has ${k} coefficients`);
  for (let i = 0; i < k; i++) out[i] = v[i];
  return out;
}

/** Normalises the `blocks` option to a name -> prior map. */
export function priorsFromBlocks(blocks: readonly ParameterBlock[]): Record<string, BlockPrior> {
  const out: Record<string, BlockPrior> = {};
  for (const b of blocks) out[b.name] = { mean: b.prior?.mean, std: b.prior?.std ?? 1 };
  return out;
}

/**
 * Parameter prior (regulariser):
 *
 * `E = mean_b sum_blocks w_block sum_k (x_{b,k} - mu_k)^2 / sigma_k^2`
 *
 * over `params[block]: [B, K]` (or `[K]`, a batch of one), with `mu`, `sigma` from the block's prior
 * (a {@link ParameterBlock}'s `prior`, e.g. FLAME/BFM shape std = sqrt of the PCA eigenvalues, or N(0, 1) for
 * whitened bases). This is the negative log-likelihood of the Gaussian prior up to a constant and factor 2.
 */
export function parameterPriorLoss(options: ParameterPriorLossOptions = {}): TfLoss<ParameterPriorInputs> {
  const name = options.name ?? 'parameter-prior';
  const reduction = options.reduction ?? 'mean';
  const priors: Readonly<Record<string, BlockPrior>> | undefined = Array.isArray(options.blocks)
    ? priorsFromBlocks(options.blocks as readonly ParameterBlock[])
    : (options.blocks as Readonly<Record<string, BlockPrior>> | undefined);
  // Constants per (block, K) are cached as typed arrays, not tensors: a kept tensor would outlive the loss (tfjs
  // has no garbage collection), while uploading 2 x K floats per call costs nothing next to the decode.
  const cache = new Map<string, { mu: Float32Array; invVar: Float32Array }>();
  const constants = (block: string, prior: BlockPrior, k: number): { mu: tf.Tensor; invVar: tf.Tensor } => {
    const key = `${block}:${k}`;
    let c = cache.get(key);
    if (!c) {
      const std = toFloats(prior.std, k, 1, `${name}: std of ${block}`);
      const invVar = std.map((s) => {
        if (!(s > 0)) throw new RangeError(`${name}: std of ${block} must be positive, got ${s}`);
        return 1 / (s * s);
      });
      c = { mu: toFloats(prior.mean, k, 0, `${name}: mean of ${block}`), invVar };
      cache.set(key, c);
    }
    return { mu: tf.tensor1d(c.mu), invVar: tf.tensor1d(c.invVar) };
  };
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${reduction}_b sum_blocks w_block sum_k (x_bk - mu_k)^2 / sigma_k^2`,
    compute(inputs: ParameterPriorInputs): tf.Scalar {
      return tf.tidy(() => {
        let total: tf.Tensor = tf.scalar(0);
        for (const [block, x] of Object.entries(inputs.params)) {
          if (options.include && !options.include.includes(block)) continue;
          const prior = priors ? priors[block] : { std: 1 };
          if (!prior) {
            throw new RangeError(`${name}: no prior for block "${block}"; known: ${Object.keys(priors ?? {}).join(', ')}`);
          }
          if (x.rank !== 1 && x.rank !== 2) throw new RangeError(`${name}: ${block} must be [B, K] or [K], got [${x.shape.join(', ')}]`);
          const x2 = x.rank === 1 ? tf.expandDims(x, 0) : x;
          const { mu, invVar } = constants(block, prior, x2.shape[1] as number);
          const perSample = tf.sum(tf.mul(tf.square(tf.sub(x2, mu)), invVar), 1); // [B]
          const reduced = reduction === 'sum' ? tf.sum(perSample) : tf.mean(perSample);
          const w = (prior.weight ?? 1) * (options.blockWeights?.[block] ?? 1);
          total = tf.add(total, w === 1 ? reduced : tf.mul(reduced, w));
        }
        return total as tf.Scalar;
      });
    },
  };
}
