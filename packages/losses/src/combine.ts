/**
 * Weighted sum of loss terms with per-term values for logging.
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import type { TfLoss } from './types.js';

/** Result of {@link combineLosses}. */
export interface CombinedLoss {
  /** `sum_t weight_t * value_t`, a scalar to differentiate / minimise. */
  total: tf.Scalar;
  /** Weighted value of each term by loss name (`weight * value`). */
  terms: Record<string, tf.Scalar>;
  /** Unweighted value of each term by loss name. */
  values: Record<string, tf.Scalar>;
}

/** Options of {@link combineLosses}. */
export interface CombineOptions {
  /**
   * `tf.keep` the per-term tensors so they outlive an enclosing `tf.tidy` (e.g. inside `optimizer.minimize`);
   * the caller then disposes them (see {@link readLossTerms}). Default false.
   */
  keepTerms?: boolean;
}

/**
 * Evaluates several losses and sums them by weight:
 *
 * `total = sum_t w_t L_t(inputs[name_t])`
 *
 * `inputs` maps each loss's `name` to its inputs (so two instances of one loss need different names).
 * Terms with weight 0 are skipped (not evaluated); a loss without inputs throws. Returns the total for the
 * gradient and per-term tensors for logging.
 */
export function combineLosses(
  losses: ReadonlyArray<TfLoss<never>>,
  inputs: Readonly<Record<string, unknown>>,
  options: CombineOptions = {},
): CombinedLoss {
  const seen = new Set<string>();
  for (const l of losses) {
    if (seen.has(l.name)) throw new RangeError(`combineLosses: two losses are named "${l.name}"; give them distinct names`);
    seen.add(l.name);
  }
  const terms: Record<string, tf.Scalar> = {};
  const values: Record<string, tf.Scalar> = {};
  const parts: tf.Scalar[] = [];
  for (const loss of losses) {
    if (loss.weight === 0) continue;
    if (!(loss.name in inputs)) throw new RangeError(`combineLosses: no inputs for loss "${loss.name}"`);
    // Each loss is typed by its own inputs; the map cannot express that per key, hence the cast.
    const value = tf.reshape(loss.compute(inputs[loss.name] as never), []) as tf.Scalar;
    const weighted = tf.mul(value, loss.weight) as tf.Scalar;
    values[loss.name] = value;
    terms[loss.name] = weighted;
    parts.push(weighted);
  }
  const total = (parts.length === 0 ? tf.scalar(0) : parts.length === 1 ? parts[0].clone() : tf.addN(parts)) as tf.Scalar;
  if (options.keepTerms) {
    for (const k of Object.keys(terms)) {
      tf.keep(terms[k]);
      tf.keep(values[k]);
    }
  }
  return { total, terms, values };
}

/**
 * Reads per-term values as numbers (`{ total, name: weighted value, ... }`) and disposes the term tensors (not
 * the total). A synchronous read: call it once per logged iteration, not in the inner loop on GPU backends.
 */
export function readLossTerms(result: CombinedLoss): Record<string, number> {
  const out: Record<string, number> = { total: result.total.isDisposed ? Number.NaN : result.total.dataSync()[0] };
  for (const [k, v] of Object.entries(result.terms)) out[k] = v.isDisposed ? Number.NaN : v.dataSync()[0];
  for (const v of [...Object.values(result.terms), ...Object.values(result.values)]) if (!v.isDisposed) v.dispose();
  return out;
}
