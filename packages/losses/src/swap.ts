/**
 * DECA's swap consistency losses (shape swap, detail consistency), generic over a user-provided render callback.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseLossOptions, TfLoss } from './types.js';

/** Named code tensors of one image batch, e.g. `{ shape: [B, 100], expression: [B, 50], pose, cam, light, detail }`. */
export type CodeSet = Readonly<Record<string, tf.Tensor>>;

/** Decodes and renders a code set into whatever the comparison needs (landmarks `[B, 68, 2]`, an image...). */
export type RenderCallback<TRendered> = (codes: CodeSet) => TRendered;

/** Compares a rendering with the observation of the image its non-swapped codes came from; returns a scalar. */
export type CompareCallback<TRendered, TTarget> = (rendered: TRendered, target: TTarget) => tf.Tensor;

/** Inputs of {@link swapConsistencyLoss}. */
export interface SwapConsistencyInputs<TRendered = tf.Tensor, TTarget = tf.Tensor> {
  /** Codes predicted from image A. */
  codesA: CodeSet;
  /** Codes predicted from image B of the same person (same batch size as A). */
  codesB: CodeSet;
  /** Observation of image A (landmarks, photo + mask, ...), passed to `compare`. */
  targetA: TTarget;
  /** Observation of image B. */
  targetB: TTarget;
  /** Overrides the factory's `render`. */
  render?: RenderCallback<TRendered>;
  /** Overrides the factory's `compare`. */
  compare?: CompareCallback<TRendered, TTarget>;
}

/** Options of {@link swapConsistencyLoss}. */
export interface SwapConsistencyOptions<TRendered = tf.Tensor, TTarget = tf.Tensor> extends BaseLossOptions {
  /** Code name(s) exchanged between A and B (`shape` for shape swap, `detail` for detail consistency). */
  swap?: string | readonly string[];
  /** Decoder + renderer (required here or in the inputs). */
  render?: RenderCallback<TRendered>;
  /** Comparison, e.g. a landmark or photometric loss (see {@link compareWith}); required here or in inputs. */
  compare?: CompareCallback<TRendered, TTarget>;
  /** Also render B with A's swapped codes and average both directions (default true). */
  symmetric?: boolean;
}

/**
 * Swap consistency (DECA): codes that describe the person (shape, detail) must not depend on the image, so
 * rendering image A's pose/expression/lighting with image B's person codes must still explain image A:
 *
 * `E = 1/2 [ D(render(c_A with c_B[swap]), y_A) + D(render(c_B with c_A[swap]), y_B) ]`
 *
 * for code sets `c_A`, `c_B` (each `[B, K_name]` per name) of two images of one person, observations `y`, a
 * user `render` callback and a comparison `D` (e.g. landmark or photometric loss). Gradients reach both code
 * sets through `render`.
 */
export function swapConsistencyLoss<TRendered = tf.Tensor, TTarget = tf.Tensor>(
  options: SwapConsistencyOptions<TRendered, TTarget> = {},
): TfLoss<SwapConsistencyInputs<TRendered, TTarget>> {
  const name = options.name ?? 'swap-consistency';
  const keys = typeof options.swap === 'string' ? [options.swap] : [...(options.swap ?? ['shape'])];
  const symmetric = options.symmetric ?? true;
  return {
    name,
    weight: options.weight ?? 1,
    formula: `${symmetric ? '1/2 [D(render(A with B.{k}), y_A) + D(render(B with A.{k}), y_B)]' : 'D(render(A with B.{k}), y_A)'}, k = ${keys.join(', ')}`,
    compute(inputs: SwapConsistencyInputs<TRendered, TTarget>): tf.Scalar {
      const render = inputs.render ?? options.render;
      const compare = inputs.compare ?? options.compare;
      if (!render || !compare) {
        throw new TypeError(`${name}: needs a render(codes) and a compare(rendered, target) callback, in the options or the inputs`);
      }
      const swapped = (into: CodeSet, from: CodeSet): CodeSet => {
        const out: Record<string, tf.Tensor> = { ...into };
        for (const k of keys) {
          if (!(k in from) || !(k in into)) throw new RangeError(`${name}: code "${k}" missing from a code set`);
          out[k] = from[k];
        }
        return out;
      };
      return tf.tidy(() => {
        const a = compare(render(swapped(inputs.codesA, inputs.codesB)), inputs.targetA);
        if (!symmetric) return tf.reshape(a, []) as tf.Scalar;
        const b = compare(render(swapped(inputs.codesB, inputs.codesA)), inputs.targetB);
        return tf.mul(tf.add(tf.reshape(a, []), tf.reshape(b, [])), 0.5) as tf.Scalar;
      });
    },
  };
}

/** Shape-swap consistency (DECA's shape consistency): {@link swapConsistencyLoss} swapping `shape`. */
export function shapeSwapConsistencyLoss<TRendered = tf.Tensor, TTarget = tf.Tensor>(
  options: SwapConsistencyOptions<TRendered, TTarget> = {},
): TfLoss<SwapConsistencyInputs<TRendered, TTarget>> {
  return swapConsistencyLoss({ name: 'shape-swap', swap: 'shape', ...options });
}

/** Detail consistency (DECA's L_dc): {@link swapConsistencyLoss} swapping the `detail` code. */
export function detailConsistencyLoss<TRendered = tf.Tensor, TTarget = tf.Tensor>(
  options: SwapConsistencyOptions<TRendered, TTarget> = {},
): TfLoss<SwapConsistencyInputs<TRendered, TTarget>> {
  return swapConsistencyLoss({ name: 'detail-consistency', swap: 'detail', ...options });
}

/**
 * Adapts a loss into a {@link CompareCallback}: `compareWith(landmarkLoss(), (pred, target) => ({ pred, target }))`.
 */
export function compareWith<I, TRendered, TTarget>(
  loss: TfLoss<I>,
  toInputs: (rendered: TRendered, target: TTarget) => I,
): CompareCallback<TRendered, TTarget> {
  return (rendered, target) => loss.compute(toInputs(rendered, target));
}
