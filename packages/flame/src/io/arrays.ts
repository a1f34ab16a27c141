/**
 * Turning what a pickle or an npz holds into dense numeric arrays with checked shapes: the glue between the
 * generic readers and the FLAME loaders. Internal to the package.
 * @module
 */
import { FormatError, isNpy, parseNpy, readNpyHeader, shapeSize, type NumpyData } from '@facekit/core';
import { isCscMatrix, isNdArray, isPyObject, looksLikePickle, readPickle } from './pickle.js';

/** A dense numeric array in C order. */
export interface DenseArray {
  shape: number[];
  data: NumpyData;
}

/**
 * A dense array from a pickled/npz value: a NumPy array, a chumpy `Ch` (its `x`), a core `NpyArray`, a number,
 * or (nested) lists of those with equal shapes (some embedding files store a list of per-bin arrays).
 * Throws {@link FormatError} naming `file` and `key` otherwise.
 */
export function toDense(value: unknown, key: string, file: string): DenseArray {
  const fail = (why: string): never => {
    throw new FormatError(`${file}: '${key}' ${why}`);
  };
  if (typeof value === 'number') return { shape: [], data: Float64Array.of(value) };
  if (typeof value === 'boolean') return { shape: [], data: Float64Array.of(value ? 1 : 0) };
  if (isNdArray(value)) {
    if (Array.isArray(value.data)) {
      if (value.dtype === 'object') return stack(value.data, value.shape, key, file);
      return fail(`is an array of ${value.dtype}, not numbers`);
    }
    return { shape: value.shape, data: value.data };
  }
  if (isPyObject(value)) {
    if ('x' in value.state) return toDense(value.state.x, key, file);
    return fail(`is a ${value.className} object without an array`);
  }
  if (isCscMatrix(value)) return fail('is a sparse matrix where a dense array was expected');
  if (Array.isArray(value)) return stack(value, [value.length], key, file);
  if (typeof value === 'object' && value !== null) {
    const v = value as { shape?: unknown; data?: unknown };
    if (Array.isArray(v.shape) && ArrayBuffer.isView(v.data) && !(v.data instanceof DataView)) {
      return { shape: v.shape as number[], data: v.data as NumpyData };
    }
  }
  return fail(`has an unexpected type (${describe(value)})`);
}

/** Stacks equal-shaped items (arrays of numbers or of arrays) along new leading axes of shape `outer`. */
function stack(items: readonly unknown[], outer: number[], key: string, file: string): DenseArray {
  if (items.length === 0) return { shape: [...outer], data: new Float64Array(0) };
  const parts = items.map((item, i) => toDense(item, `${key}[${i}]`, file));
  const inner = parts[0].shape;
  const innerSize = shapeSize(inner);
  const out = new Float64Array(items.length * innerSize);
  parts.forEach((p, i) => {
    if (p.shape.length !== inner.length || p.shape.some((d, j) => d !== inner[j])) {
      throw new FormatError(`${file}: '${key}' mixes items of shapes [${inner.join(', ')}] and [${p.shape.join(', ')}]`);
    }
    out.set(p.data, i * innerSize);
  });
  return { shape: [...outer, ...inner], data: out };
}

/** Checks a shape; `-1` in `expected` matches any size. Returns the shape. */
export function expectShape(arr: DenseArray, expected: readonly number[], key: string, file: string): number[] {
  const ok = arr.shape.length === expected.length && expected.every((d, i) => d < 0 || d === arr.shape[i]);
  if (!ok) {
    const want = expected.map((d) => (d < 0 ? '*' : String(d))).join(' x ');
    throw new FormatError(`${file}: '${key}' has shape [${arr.shape.join(', ')}], expected ${want}`);
  }
  return arr.shape;
}

/** Copies into a Float32Array (always a fresh copy, so callers own it). */
export function toFloat32(data: NumpyData): Float32Array {
  return Float32Array.from(data as ArrayLike<number>);
}

/** Copies integer indices into a Uint32Array, checking each is an integer in [0, limit). */
export function toIndices(data: NumpyData, limit: number, key: string, file: string): Uint32Array {
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new FormatError(`${file}: '${key}' holds index ${v} at position ${i}, outside [0, ${limit})`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Reads a file that holds one pickled value: a `.pkl`, or a `.npy` saved with `allow_pickle` (an object array;
 * a 0-d one is unwrapped, as `np.load(...)[()]` does). A numeric `.npy` comes back as a core `NpyArray`.
 */
export function readPickledFile(bytes: Uint8Array, file: string): unknown {
  if (isNpy(bytes)) {
    const header = readNpyHeader(bytes, file);
    if (/^[|<>=]?O\d*$/.test(header.descr)) {
      const value = readPickle(bytes.subarray(header.dataOffset), { name: file });
      if (isNdArray(value) && value.shape.length === 0 && Array.isArray(value.data)) return value.data[0];
      return value;
    }
    return parseNpy(bytes, file);
  }
  if (looksLikePickle(bytes)) return readPickle(bytes, { name: file });
  throw new FormatError(`${file}: neither a Python pickle nor a NumPy .npy file`);
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return `list of ${value.length}`;
  if (isNdArray(value)) return `${value.dtype} array [${value.shape.join(', ')}]`;
  if (isPyObject(value)) return value.className;
  if (isCscMatrix(value)) return 'sparse matrix';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}
