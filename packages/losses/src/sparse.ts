/**
 * Scalable sparse building blocks for tfjs: CSR matrix times dense, and row gathers, both with gradients that
 * cost O(nnz) on every backend.
 *
 * Why not plain `tf.gather` + `tf.unsortedSegmentSum`: tfjs' CPU kernel of unsortedSegmentSum (also the gradient
 * of gather) loops over the segments and scans every element each time, O(segments x elements) — about 7e8
 * operations for a 10k-vertex Laplacian. `tf.scatterND` adds duplicates in one pass, so it is used for both
 * the product and the gradients, wired up with `tf.customGrad` (scatterND has no registered gradient).
 * @module
 */
import * as tf from '@tensorflow/tfjs';
import type { SparseMatrixCSR } from '@facekit/core';

/**
 * A sparse matrix prepared for tfjs: COO row ids next to the CSR columns, and float32 values. Kept as typed arrays
 * (not tensors) so it never holds backend memory; the ops upload them per call, which costs far less than the
 * gather they feed.
 */
export interface SparseOperator {
  rows: number;
  cols: number;
  /** Row of each non-zero, `[nnz]`. */
  rowIds: Int32Array;
  /** Column of each non-zero, `[nnz]`. */
  columns: Int32Array;
  /** Value of each non-zero, `[nnz]` (core's float64 values rounded to float32). */
  values: Float32Array;
}

/** Converts core's CSR matrix (e.g. `uniformLaplacian`, `cotangentLaplacian`) into a {@link SparseOperator}. */
export function toSparseOperator(m: SparseMatrixCSR): SparseOperator {
  const nnz = m.rowOffsets[m.rows];
  const rowIds = new Int32Array(nnz);
  for (let r = 0; r < m.rows; r++) rowIds.fill(r, m.rowOffsets[r], m.rowOffsets[r + 1]);
  return {
    rows: m.rows,
    cols: m.cols,
    rowIds,
    columns: Int32Array.from(m.columns.subarray(0, nnz)),
    values: Float32Array.from(m.values.subarray(0, nnz)),
  };
}

/** `out[r] += v * x[c]` for every (r, c, v): gather the columns, scale, scatter-add into the rows. */
function spmm(to: Int32Array, from: Int32Array, values: Float32Array, outRows: number, x: tf.Tensor): tf.Tensor {
  const nnz = values.length;
  const tail = x.shape.slice(1);
  const gathered = tf.gather(x, tf.tensor1d(from, 'int32'), 0); // [nnz, ...]
  const scaled = tf.mul(gathered, tf.tensor(values, [nnz, ...tail.map(() => 1)]));
  return tf.scatterND(tf.tensor2d(to, [nnz, 1], 'int32'), scaled, [outRows, ...tail]);
}

/**
 * Sparse x dense product `M x` for `x: [cols, ...]` -> `[rows, ...]`, differentiable w.r.t. `x` (the gradient is
 * `M^T dy`, computed with the same gather/scatter in the other direction). O(nnz x trailing size).
 */
export function sparseMatMul(op: SparseOperator, x: tf.Tensor): tf.Tensor {
  if (x.shape[0] !== op.cols) throw new RangeError(`sparseMatMul: x has ${x.shape[0]} rows, the matrix ${op.cols} columns`);
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    return {
      value: spmm(op.rowIds, op.columns, op.values, op.rows, input),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => [
        spmm(op.columns, op.rowIds, op.values, op.cols, Array.isArray(dy) ? dy[0] : dy),
      ],
    };
  }) as (input: tf.Tensor) => tf.Tensor;
  return tf.tidy(() => f(x));
}

/**
 * `tf.gather(x, indices, 0)` with an O(indices) gradient (a scatter-add) instead of tfjs' O(rows x indices) one on
 * the CPU backend. Use it to pick vertices (landmarks, visible points) out of a decoded mesh `[N, ...]` inside a
 * fitting loop.
 */
export function gatherRows(x: tf.Tensor, indices: ArrayLike<number>): tf.Tensor {
  const idx = Int32Array.from(indices);
  const n = x.shape[0] as number;
  for (const i of idx) if (i < 0 || i >= n) throw new RangeError(`gatherRows: index ${i} outside 0..${n - 1}`);
  const f = tf.customGrad((...args: unknown[]) => {
    const input = args[0] as tf.Tensor;
    return {
      value: tf.gather(input, tf.tensor1d(idx, 'int32'), 0),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => [
        tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), Array.isArray(dy) ? dy[0] : dy, input.shape),
      ],
    };
  }) as (input: tf.Tensor) => tf.Tensor;
  return tf.tidy(() => f(x));
}
