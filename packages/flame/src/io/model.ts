/**
 * Loader for FLAME model files: the official `generic_model.pkl` (FLAME 2017/2020, a Python 2 pickle of chumpy
 * arrays and a SciPy sparse `J_regressor`), `flame2023.pkl`, and the `.npz` copies other tools write with the
 * same key names (`J_regressor` dense there). Browser-safe: bytes in, typed arrays out.
 * @module
 */
import { FormatError, isZip, parseNpz, type NumpyData } from '@facekit/core';
import { expectShape, readPickledFile, toDense, toFloat32, toIndices, describe, type DenseArray } from './arrays.js';
import { isCscMatrix, isPlainDict } from './pickle.js';

/**
 * The arrays of a FLAME model, in the upstream layouts (V vertices, J joints, K blendshape components,
 * P = 9 (J - 1) pose-corrective components, F triangles).
 */
export interface FlameModelData {
  vertexCount: number;
  jointCount: number;
  /** V x 3 mean head in metres. */
  vTemplate: Float32Array;
  /** V x 3 x K shape then expression blendshapes (`shapedirs`, vertex-major as stored upstream). */
  shapedirs: Float32Array;
  /** Number of leading `shapedirs` components that are identity shape (300 in FLAME). */
  shapeCount: number;
  /** Number of trailing components that are expression (100 in FLAME). */
  expressionCount: number;
  /** V x 3 x P pose correctives (`posedirs`). */
  posedirs: Float32Array;
  /** J x V joint regressor, dense, row-major (joint j = sum_v J_regressor[j, v] * vertex v). */
  jRegressor: Float64Array;
  /** V x J skinning weights. */
  weights: Float32Array;
  /** J parent indices from `kintree_table[0]`, `-1` for the root. */
  parents: Int32Array;
  /** F x 3 triangle corner indices (`f`). */
  faces: Uint32Array;
}

/** Options of {@link parseFlameModel}. */
export interface ParseFlameModelOptions {
  /** File name for error messages. */
  name?: string;
  /**
   * How many leading `shapedirs` components are identity shape; the rest are expression. Default: 300 when
   * there are at least 300 (the official files: 300 shape + 100 expression), otherwise all of them.
   */
  shapeComponents?: number;
}

const REQUIRED = ['v_template', 'shapedirs', 'posedirs', 'J_regressor', 'weights', 'kintree_table', 'f'] as const;

/** Parses a FLAME model from the bytes of a `.pkl` or `.npz` file. Throws {@link FormatError} for anything else. */
export function parseFlameModel(bytes: Uint8Array, options: ParseFlameModelOptions = {}): FlameModelData {
  const file = options.name ?? (isZip(bytes) ? 'generic_model.npz' : 'generic_model.pkl');
  let dict: Record<string, unknown>;
  if (isZip(bytes)) {
    dict = parseNpz(bytes, file, { keys: REQUIRED });
  } else {
    const value = readPickledFile(bytes, file);
    if (!isPlainDict(value)) throw new FormatError(`${file}: holds a ${describe(value)}, not a dict — is this a FLAME model file?`);
    dict = value;
  }
  for (const key of REQUIRED) {
    if (!(key in dict)) throw new FormatError(`${file}: key '${key}' missing — is this a FLAME model file?`);
  }
  const vTemplate = toDense(dict.v_template, 'v_template', file);
  const [V] = expectShape(vTemplate, [-1, 3], 'v_template', file);
  const kintree = toDense(dict.kintree_table, 'kintree_table', file);
  const [, J] = expectShape(kintree, [2, -1], 'kintree_table', file);
  const shapedirs = toDense(dict.shapedirs, 'shapedirs', file);
  const [, , K] = expectShape(shapedirs, [V, 3, -1], 'shapedirs', file);
  const posedirs = toDense(dict.posedirs, 'posedirs', file);
  expectShape(posedirs, [V, 3, 9 * (J - 1)], 'posedirs', file);
  const weights = toDense(dict.weights, 'weights', file);
  expectShape(weights, [V, J], 'weights', file);
  const f = toDense(dict.f, 'f', file);
  expectShape(f, [-1, 3], 'f', file);
  const jRegressor = regressor(dict.J_regressor, J, V, file);

  const parents = new Int32Array(J);
  parents[0] = -1; // kintree_table[0, 0] is uint32(-1) or a large sentinel upstream; FLAME.py forces -1 as well.
  for (let j = 1; j < J; j++) {
    const p = kintree.data[j];
    if (!Number.isInteger(p) || p < 0 || p >= j) {
      throw new FormatError(`${file}: 'kintree_table' gives joint ${j} the parent ${p}; parents must precede their children`);
    }
    parents[j] = p;
  }
  const shapeCount = options.shapeComponents ?? Math.min(300, K);
  if (!Number.isInteger(shapeCount) || shapeCount < 0 || shapeCount > K) {
    throw new FormatError(`${file}: shapeComponents ${shapeCount} is outside [0, ${K}]`);
  }
  return {
    vertexCount: V,
    jointCount: J,
    vTemplate: toFloat32(vTemplate.data),
    shapedirs: toFloat32(shapedirs.data),
    shapeCount,
    expressionCount: K - shapeCount,
    posedirs: toFloat32(posedirs.data),
    jRegressor,
    weights: toFloat32(weights.data),
    parents,
    faces: toIndices(f.data, V, 'f', file),
  };
}

/** `J_regressor` as a dense J x V matrix, from a CSC matrix (the .pkl) or a dense array (the .npz). */
function regressor(value: unknown, J: number, V: number, file: string): Float64Array {
  const out = new Float64Array(J * V);
  if (isCscMatrix(value)) {
    if (value.shape[0] !== J || value.shape[1] !== V) {
      throw new FormatError(`${file}: 'J_regressor' has shape [${value.shape.join(', ')}], expected ${J} x ${V}`);
    }
    const { indptr, indices, data } = value;
    for (let col = 0; col < V; col++) {
      const a = indptr[col], b = indptr[col + 1];
      if (!(a <= b && b <= data.length)) throw new FormatError(`${file}: 'J_regressor' has a damaged column pointer at column ${col}`);
      for (let k = a; k < b; k++) {
        const row = indices[k];
        if (!(row >= 0 && row < J)) throw new FormatError(`${file}: 'J_regressor' has row index ${row} outside [0, ${J})`);
        out[row * V + col] += data[k];
      }
    }
    return out;
  }
  const dense: DenseArray = toDense(value, 'J_regressor', file);
  expectShape(dense, [J, V], 'J_regressor', file);
  out.set(dense.data as NumpyData);
  return out;
}
