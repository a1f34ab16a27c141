/**
 * A reader for MATLAB Level 5 MAT-files (the format of `save -v7` and scipy.io.savemat), enough for the
 * face-model files facekit loads: numeric, logical and char arrays, plain or in compressed (miCOMPRESSED,
 * zlib) elements, little- or big-endian. Cell, struct, object and sparse variables are listed but not decoded.
 * v7.3 files are HDF5 and are not read here.
 *
 * Browser-safe: works on bytes; zlib inflate is fflate.
 * @module
 */
import { FormatError } from '@facekit/core';
import { Unzlib, unzlibSync } from 'fflate';

/** MATLAB array classes. */
export type MatClass =
  | 'cell' | 'struct' | 'object' | 'char' | 'sparse'
  | 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'function' | 'opaque' | 'unknown';

const CLASS_NAMES: Record<number, MatClass> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8',
  10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64', 16: 'function', 17: 'opaque',
};

// Data element types (the `miXXX` constants of the format specification).
const MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7,
  MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15, MI_UTF8 = 16, MI_UTF16 = 17, MI_UTF32 = 18;
const MI_SIZE: Record<number, number> = {
  [MI_INT8]: 1, [MI_UINT8]: 1, [MI_INT16]: 2, [MI_UINT16]: 2, [MI_INT32]: 4, [MI_UINT32]: 4, [MI_SINGLE]: 4,
  [MI_DOUBLE]: 8, [MI_INT64]: 8, [MI_UINT64]: 8, [MI_UTF8]: 1, [MI_UTF16]: 2, [MI_UTF32]: 4,
};

/** Typed array a numeric class decodes to (int64/uint64 become doubles; logical is uint8). */
export type MatNumericData =
  | Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** One variable of a MAT-file. */
export interface MatVariable {
  name: string;
  class: MatClass;
  /** MATLAB dimensions, e.g. `[160470, 199]` (rows, columns, ...). */
  dims: number[];
  /** Whether MATLAB marked it logical (data is then a Uint8Array of 0/1). */
  logical: boolean;
  complex: boolean;
  /**
   * The real part in MATLAB's COLUMN-MAJOR order (first index fastest), in the class's own type; a string for
   * `char`; undefined for classes this reader does not decode. Column-major is kept on purpose: a 3V x K basis
   * is then already mode-major (each column contiguous). Use {@link toRowMajor} for a C-order copy.
   */
  data?: MatNumericData | string;
  /** The imaginary part of complex arrays (column-major). */
  imag?: MatNumericData;
}

/** A parsed MAT-file. */
export interface MatFile {
  /** The 116-byte descriptive text of the header (`MATLAB 5.0 MAT-file, ...`). */
  header: string;
  littleEndian: boolean;
  /** Variables by name, in file order. */
  variables: Map<string, MatVariable>;
  /** Names of every variable in the file, including the ones skipped by the `variables` option. */
  names: string[];
}

/** Whether `bytes` start like a Level 5 MAT-file (v7.3 files start the same way but are HDF5; see {@link readMat5}). */
export function isMat5(bytes: Uint8Array): boolean {
  if (bytes.length < 128) return false;
  const text = ascii(bytes, 0, 10);
  return text === 'MATLAB 5.0' || text === 'MATLAB 7.0';
}

/** Options of {@link readMat5}. */
export interface ReadMat5Options {
  /**
   * Only decode these variables (others are listed in `names` but their data is not inflated or converted):
   * saves time and memory on 200+ MB model files.
   */
  variables?: readonly string[];
}

/**
 * Parses a Level 5 MAT-file.
 * @throws FormatError when the bytes are not a MAT-file, are a v7.3 (HDF5) MAT-file, or are truncated/damaged.
 */
export function readMat5(bytes: Uint8Array, options: ReadMat5Options = {}): MatFile {
  if (bytes.length < 128) throw new FormatError(`not a MAT-file: ${bytes.length} bytes, shorter than the 128-byte header`);
  const header = ascii(bytes, 0, 116).replace(/[\0 ]+$/, '');
  if (!header.startsWith('MATLAB')) throw new FormatError('not a MAT-file: the header text does not start with "MATLAB"');
  const endian = ascii(bytes, 126, 2);
  if (endian !== 'IM' && endian !== 'MI') throw new FormatError(`not a MAT-file: bad endian indicator ${JSON.stringify(endian)}`);
  const littleEndian = endian === 'IM';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(124, littleEndian);
  if (version === 0x0200) throw new FormatError('this is a MATLAB v7.3 MAT-file (HDF5); save it with -v7 or read it as HDF5');
  if (version !== 0x0100) throw new FormatError(`unsupported MAT-file version 0x${version.toString(16)}`);

  const wanted = options.variables ? new Set(options.variables) : undefined;
  const variables = new Map<string, MatVariable>();
  const names: string[] = [];
  let pos = 128;
  while (pos + 8 <= bytes.length) {
    const type = dv.getUint32(pos, littleEndian);
    const size = dv.getUint32(pos + 4, littleEndian);
    const start = pos + 8;
    const end = start + size;
    if (end > bytes.length) throw new FormatError(`MAT-file is truncated: an element at byte ${pos} needs ${size} bytes, ${bytes.length - start} remain`);
    if (type === MI_COMPRESSED) {
      const compressed = bytes.subarray(start, end);
      const head = peekInflate(compressed, 256);
      const info = matrixHead(head, littleEndian);
      if (info) {
        names.push(info.name);
        if (!wanted || wanted.has(info.name)) {
          const inner = inflateExact(compressed, 8 + info.size, info.name);
          const v = parseMatrixElement(inner, 0, littleEndian);
          if (v) variables.set(v.name, v);
        }
      }
    } else if (type === MI_MATRIX) {
      const name = matrixName(bytes, start, end, littleEndian);
      names.push(name);
      if (!wanted || wanted.has(name)) {
        const v = parseMatrixElement(bytes, pos, littleEndian);
        if (v) variables.set(v.name, v);
      }
    }
    // Top-level elements follow each other without padding (miMATRIX sizes already include their padding).
    pos = end;
  }
  return { header, littleEndian, variables, names };
}

/**
 * The variable `name` of `file`, checked to be numeric (or logical) with `numel` elements when given.
 * @throws FormatError naming the missing or malformed variable and what the file has instead.
 */
export function requireNumeric(file: MatFile, name: string, what: string, numel?: number): MatVariable & { data: MatNumericData } {
  const v = file.variables.get(name);
  if (!v) {
    throw new FormatError(`${what}: variable "${name}" is missing (the file has: ${file.names.join(', ') || 'no variables'})`);
  }
  if (v.data === undefined || typeof v.data === 'string') throw new FormatError(`${what}: variable "${name}" is ${v.class}, expected a numeric array`);
  if (numel !== undefined && v.data.length !== numel) {
    throw new FormatError(`${what}: variable "${name}" has ${v.data.length} elements (${v.dims.join('x')}), expected ${numel}`);
  }
  return v as MatVariable & { data: MatNumericData };
}

/**
 * A row-major (C-order) copy of a 2-D variable's data: `out[r * cols + c] = data[c * rows + r]`.
 * Higher dimensions are reversed the same way (last index fastest).
 */
export function toRowMajor<T extends MatNumericData>(data: T, dims: readonly number[]): T {
  const out = new (data.constructor as { new (n: number): T })(data.length);
  if (dims.length === 2) {
    const [rows, cols] = dims;
    for (let c = 0; c < cols; c++) {
      const src = c * rows;
      for (let r = 0; r < rows; r++) out[r * cols + c] = data[src + r];
    }
    return out;
  }
  // General N-D: index arithmetic per element.
  const n = dims.length;
  const colStride = new Array<number>(n), rowStride = new Array<number>(n);
  for (let i = 0, s = 1; i < n; i++) (colStride[i] = s), (s *= dims[i]);
  for (let i = n - 1, s = 1; i >= 0; i--) (rowStride[i] = s), (s *= dims[i]);
  for (let j = 0; j < data.length; j++) {
    let rem = j, dst = 0;
    for (let i = n - 1; i >= 0; i--) {
      const idx = Math.floor(rem / colStride[i]);
      rem -= idx * colStride[i];
      dst += idx * rowStride[i];
    }
    out[dst] = data[j];
  }
  return out;
}

/** Float32 copy (or the array itself when it is already Float32) of numeric data, times `scale`. */
export function toFloat32(data: MatNumericData, scale = 1): Float32Array {
  if (data instanceof Float32Array && scale === 1) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * scale;
  return out;
}

// ---------------------------------------------------------------------------------------------------------

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < Math.min(bytes.length, start + length); i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Inflates just the first `want` bytes of a zlib stream (to read a variable's name and size cheaply). */
function peekInflate(compressed: Uint8Array, want: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let got = 0;
  const z = new Unzlib((chunk) => {
    chunks.push(chunk);
    got += chunk.length;
  });
  try {
    // Push growing prefixes until enough output appears; small headers need only a few hundred input bytes.
    for (let fed = 0, step = 512; fed < compressed.length && got < want; fed += step, step *= 2) {
      z.push(compressed.subarray(fed, Math.min(compressed.length, fed + step)), fed + step >= compressed.length);
    }
  } catch (error) {
    throw new FormatError(`MAT-file: a compressed element is damaged (${(error as Error).message})`, { cause: error });
  }
  const out = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) (out.set(c, o), (o += c.length));
  return out;
}

/** Inflates a whole zlib stream into a buffer of exactly the size the inner element tag announced. */
function inflateExact(compressed: Uint8Array, size: number, name: string): Uint8Array {
  const out = new Uint8Array(size);
  let result: Uint8Array;
  try {
    result = unzlibSync(compressed, { out });
  } catch (error) {
    throw new FormatError(`MAT-file: variable "${name}" is damaged or truncated (${(error as Error).message})`, { cause: error });
  }
  if (result.length < size) throw new FormatError(`MAT-file: variable "${name}" is truncated (${result.length} of ${size} bytes inflated)`);
  return result;
}

/** Reads a tag: returns type, size, and where the data starts and the next element begins. */
function readTag(dv: DataView, pos: number, le: boolean): { type: number; size: number; data: number; next: number } {
  const first = dv.getUint32(pos, le);
  // Small data element format: the upper 16 bits hold the byte count, data in the tag's second word.
  if (first >>> 16 !== 0) {
    return { type: first & 0xffff, size: first >>> 16, data: pos + 4, next: pos + 8 };
  }
  const size = dv.getUint32(pos + 4, le);
  return { type: first, size, data: pos + 8, next: pos + 8 + Math.ceil(size / 8) * 8 };
}

/** Name and total size of the miMATRIX element at the start of `head` (an inflated prefix), if it is one. */
function matrixHead(head: Uint8Array, le: boolean): { name: string; size: number } | undefined {
  if (head.length < 8) throw new FormatError('MAT-file: a compressed element is empty or damaged');
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (dv.getUint32(0, le) !== MI_MATRIX) return undefined;
  const size = dv.getUint32(4, le);
  return { name: matrixName(head, 8, head.length, le), size };
}

/** The array name of a miMATRIX whose sub-elements start at `start`. */
function matrixName(bytes: Uint8Array, start: number, end: number, le: boolean): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const flags = readTag(dv, start, le);
    const dims = readTag(dv, flags.next, le);
    const name = readTag(dv, dims.next, le);
    if (name.data + name.size > Math.min(end, bytes.length)) throw new RangeError('name beyond element');
    return new TextDecoder().decode(bytes.subarray(name.data, name.data + name.size));
  } catch (error) {
    throw new FormatError('MAT-file: a variable header is damaged', { cause: error });
  }
}

/** Parses the miMATRIX element whose tag is at `pos`. */
function parseMatrixElement(bytes: Uint8Array, pos: number, le: boolean): MatVariable | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bound = (p: number, what: string): void => {
    if (p > bytes.length) throw new FormatError(`MAT-file is truncated inside ${what}`);
  };
  bound(pos + 8, 'a variable tag');
  const tag = readTag(dv, pos, le);
  if (tag.type !== MI_MATRIX) return undefined;
  const end = tag.data + tag.size;
  bound(end, 'a variable');
  if (tag.size === 0) return undefined; // an empty placeholder element
  const flagsTag = readTag(dv, tag.data, le);
  const flagsWord = dv.getUint32(flagsTag.data, le);
  const cls = CLASS_NAMES[flagsWord & 0xff] ?? 'unknown';
  const complex = (flagsWord & 0x800) !== 0;
  const logical = (flagsWord & 0x200) !== 0;
  const dimsTag = readTag(dv, flagsTag.next, le);
  bound(dimsTag.data + dimsTag.size, 'dimensions');
  const dims: number[] = [];
  for (let i = 0; i < dimsTag.size / 4; i++) dims.push(dv.getInt32(dimsTag.data + i * 4, le));
  const nameTag = readTag(dv, dimsTag.next, le);
  bound(nameTag.data + nameTag.size, 'a variable name');
  const name = new TextDecoder().decode(bytes.subarray(nameTag.data, nameTag.data + nameTag.size));
  const variable: MatVariable = { name, class: cls, dims, logical, complex };
  const numel = dims.reduce((a, b) => a * b, 1);

  if (cls === 'char') {
    const t = readTag(dv, nameTag.next, le);
    bound(t.data + t.size, `variable "${name}"`);
    variable.data = decodeChars(bytes, dv, t, le);
    return variable;
  }
  if (!isNumericClass(cls)) return variable; // listed, not decoded

  const real = readTag(dv, nameTag.next, le);
  bound(real.data + real.size, `variable "${name}"`);
  variable.data = convert(bytes, dv, real.type, real.data, real.size, le, logical ? 'uint8' : cls, name, numel);
  if (complex) {
    const imag = readTag(dv, real.next, le);
    bound(imag.data + imag.size, `variable "${name}" (imaginary part)`);
    variable.imag = convert(bytes, dv, imag.type, imag.data, imag.size, le, cls, name, numel);
  }
  return variable;
}

function isNumericClass(cls: MatClass): boolean {
  return cls === 'double' || cls === 'single' || cls === 'int8' || cls === 'uint8' || cls === 'int16' || cls === 'uint16' ||
    cls === 'int32' || cls === 'uint32' || cls === 'int64' || cls === 'uint64';
}

function decodeChars(bytes: Uint8Array, dv: DataView, t: { type: number; size: number; data: number }, le: boolean): string {
  if (t.type === MI_UTF8 || t.type === MI_INT8 || t.type === MI_UINT8) return new TextDecoder().decode(bytes.subarray(t.data, t.data + t.size));
  let s = '';
  const step = t.type === MI_UTF32 || t.type === MI_INT32 || t.type === MI_UINT32 ? 4 : 2;
  for (let i = 0; i + step <= t.size; i += step) {
    s += String.fromCodePoint(step === 4 ? dv.getUint32(t.data + i, le) : dv.getUint16(t.data + i, le));
  }
  return s;
}

const ARRAY_FOR_CLASS = {
  double: Float64Array, single: Float32Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: Float64Array, uint64: Float64Array,
} as const;

/**
 * Converts stored data (type `miType`, which writers may choose narrower than the class, e.g. miUINT8 for a
 * double array of small integers) to the class's typed array. Native-endian, aligned, same-type data is copied
 * with one `slice` (the inflated buffer is freed with it); everything else goes through a DataView.
 */
function convert(
  bytes: Uint8Array,
  dv: DataView,
  miType: number,
  offset: number,
  size: number,
  le: boolean,
  cls: MatClass,
  name: string,
  numel: number,
): MatNumericData {
  const width = MI_SIZE[miType];
  if (!width) throw new FormatError(`MAT-file: variable "${name}" stores data as unsupported type ${miType}`);
  const count = size / width;
  if (count !== numel) throw new FormatError(`MAT-file: variable "${name}" holds ${count} values for dimensions of ${numel}`);
  const Ctor = ARRAY_FOR_CLASS[cls as keyof typeof ARRAY_FOR_CLASS];
  const out = new Ctor(count);
  const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const sameType =
    (miType === MI_DOUBLE && cls === 'double') || (miType === MI_SINGLE && cls === 'single') ||
    (miType === MI_INT8 && cls === 'int8') || (miType === MI_UINT8 && cls === 'uint8') ||
    (miType === MI_INT16 && cls === 'int16') || (miType === MI_UINT16 && cls === 'uint16') ||
    (miType === MI_INT32 && cls === 'int32') || (miType === MI_UINT32 && cls === 'uint32');
  if (sameType && (le === hostLE || width === 1)) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + size));
    return out;
  }
  // Fast paths for the common widening conversions of native-endian data.
  if (le === hostLE && (bytes.byteOffset + offset) % width === 0) {
    const src = viewOf(bytes, miType, offset, count);
    if (src) {
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      return out;
    }
  }
  for (let i = 0; i < count; i++) {
    const p = offset + i * width;
    let v: number;
    switch (miType) {
      case MI_INT8: v = dv.getInt8(p); break;
      case MI_UINT8: case MI_UTF8: v = dv.getUint8(p); break;
      case MI_INT16: v = dv.getInt16(p, le); break;
      case MI_UINT16: case MI_UTF16: v = dv.getUint16(p, le); break;
      case MI_INT32: v = dv.getInt32(p, le); break;
      case MI_UINT32: case MI_UTF32: v = dv.getUint32(p, le); break;
      case MI_SINGLE: v = dv.getFloat32(p, le); break;
      case MI_DOUBLE: v = dv.getFloat64(p, le); break;
      case MI_INT64: v = Number(dv.getBigInt64(p, le)); break;
      case MI_UINT64: v = Number(dv.getBigUint64(p, le)); break;
      default: throw new FormatError(`MAT-file: variable "${name}" stores data as unsupported type ${miType}`);
    }
    out[i] = v;
  }
  return out;
}

function viewOf(bytes: Uint8Array, miType: number, offset: number, count: number): ArrayLike<number> | ArrayLike<bigint> | undefined {
  const b = bytes.buffer, o = bytes.byteOffset + offset;
  switch (miType) {
    case MI_INT8: return new Int8Array(b, o, count);
    case MI_UINT8: return new Uint8Array(b, o, count);
    case MI_INT16: return new Int16Array(b, o, count);
    case MI_UINT16: return new Uint16Array(b, o, count);
    case MI_INT32: return new Int32Array(b, o, count);
    case MI_UINT32: return new Uint32Array(b, o, count);
    case MI_SINGLE: return new Float32Array(b, o, count);
    case MI_DOUBLE: return new Float64Array(b, o, count);
    default: return undefined;
  }
}
