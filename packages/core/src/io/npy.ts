/**
 * NumPy `.npy` reader (format versions 1.0, 2.0 and 3.0), browser-safe: bytes in, typed arrays out.
 *
 * Layout of a `.npy` file: the magic `\x93NUMPY`, a major/minor version byte pair, a little-endian header length
 * (2 bytes in v1, 4 bytes in v2/v3), a Python-literal header dict `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (3, 4), }` (latin1 in v1/v2, UTF-8 in v3), then the raw array data.
 *
 * Every array comes back in C (row-major) order: Fortran-ordered data is transposed on load, so consumers never
 * have to look at strides. Data is always copied into a fresh, aligned buffer (the source bytes may sit at any
 * offset and in either byte order).
 * @module
 */
import { FormatError } from '../util/errors.js';

/** Element types the reader understands, by NumPy name. */
export type NumpyDType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64';

/**
 * The JS storage of each dtype. 64-bit integers become `Float64Array` (exact up to 2^53, which covers every index
 * and count a face model stores); `float16` widens to `Float32Array`; `bool` is `Uint8Array` of 0/1.
 */
export type NumpyData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** A decoded array: `data` holds `shape.reduce(*)` values in C order. */
export interface NpyArray {
  dtype: NumpyDType;
  /** Dimensions, outermost first; `[]` for a 0-d array (one value). */
  shape: number[];
  data: NumpyData;
}

/** A parsed `.npy` header; `dataOffset` is where the array bytes begin. */
export interface NpyHeader {
  /** Format version `[major, minor]`. */
  version: [number, number];
  /** The NumPy type string, e.g. `<f4`, `|u1`, `|O` (pickled objects). */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** A NumPy type string broken down: `<f8` is `{ dtype: 'float64', itemSize: 8, littleEndian: true }`. */
export interface NumpyDescr {
  dtype: NumpyDType;
  itemSize: number;
  littleEndian: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Whether `bytes` starts with the `.npy` magic. */
export function isNpy(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Reads the header of a `.npy` file. Throws {@link FormatError} naming `name` when the magic, version or header
 * literal is wrong or the file is shorter than its header says.
 */
export function readNpyHeader(bytes: Uint8Array, name = 'array.npy'): NpyHeader {
  if (!isNpy(bytes)) throw new FormatError(`${name}: not a NumPy .npy file (magic \\x93NUMPY missing)`);
  if (bytes.length < 10) throw new FormatError(`${name}: truncated .npy header`);
  const major = bytes[6], minor = bytes[7];
  let headerLength: number, headerStart: number;
  if (major === 1) {
    headerLength = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError(`${name}: truncated .npy header`);
    headerLength = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
    headerStart = 12;
  } else {
    throw new FormatError(`${name}: unsupported .npy format version ${major}.${minor}`);
  }
  if (headerStart + headerLength > bytes.length) throw new FormatError(`${name}: truncated .npy header`);
  const raw = bytes.subarray(headerStart, headerStart + headerLength);
  // v1/v2 headers are latin1 (in practice ASCII); v3 allows UTF-8 field names.
  const text = major === 3 ? new TextDecoder('utf-8').decode(raw) : latin1(raw);
  const dict = parseHeaderLiteral(text, name);
  const descr = dict.descr;
  if (typeof descr !== 'string') {
    throw new FormatError(`${name}: structured dtypes are not supported (descr is ${JSON.stringify(descr)})`);
  }
  const fortranOrder = dict.fortran_order;
  if (typeof fortranOrder !== 'boolean') throw new FormatError(`${name}: header lacks a boolean 'fortran_order'`);
  const shape = dict.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new FormatError(`${name}: header lacks a valid 'shape' tuple`);
  }
  return { version: [major, minor], descr, fortranOrder, shape: shape as number[], dataOffset: headerStart + headerLength };
}

/**
 * Parses a NumPy type string (`<f4`, `>f8`, `|u1`, `|b1`, `<i8`, `=i4`, `f8`...). Object (`|O`), string, complex
 * and structured types throw {@link FormatError}.
 */
export function parseNumpyDescr(descr: string, name = 'array'): NumpyDescr {
  const m = /^([<>|=!]?)([a-zA-Z?])(\d*)$/.exec(descr);
  if (!m) throw new FormatError(`${name}: unsupported dtype ${JSON.stringify(descr)}`);
  const order = m[1];
  let kind = m[2];
  let size = m[3] ? Number(m[3]) : 0;
  // One-character codes as numpy.dtype('d') etc. would name them.
  const single: Record<string, [string, number]> = {
    '?': ['b', 1], b: ['i', 1], B: ['u', 1], h: ['i', 2], H: ['u', 2], i: ['i', 4], I: ['u', 4],
    l: ['i', 8], L: ['u', 8], q: ['i', 8], Q: ['u', 8], e: ['f', 2], f: ['f', 4], d: ['f', 8],
  };
  if (!m[3] && single[kind]) [kind, size] = single[kind];
  if (kind === 'O') {
    throw new FormatError(`${name}: dtype ${descr} holds pickled Python objects; read it with a pickle reader (e.g. @facekit/flame's readPickle)`);
  }
  const table: Record<string, NumpyDType | undefined> = {
    b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
    i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64',
  };
  const dtype = table[`${kind}${size}`];
  if (!dtype) throw new FormatError(`${name}: unsupported dtype ${JSON.stringify(descr)}`);
  // '=' and no prefix mean native order; every platform facekit runs on is little-endian.
  return { dtype, itemSize: size, littleEndian: order !== '>' && order !== '!' };
}

/** Number of elements of a shape (1 for `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Decodes raw array bytes (as a `.npy` body, a pickled ndarray state or a torch storage holds them) into a
 * C-ordered typed array. `fortranOrder` data is transposed. Throws when `raw` is shorter than the shape needs.
 */
export function decodeNumpyData(
  raw: Uint8Array,
  descr: string | NumpyDescr,
  shape: readonly number[],
  fortranOrder = false,
  name = 'array',
): NumpyData {
  const d = typeof descr === 'string' ? parseNumpyDescr(descr, name) : descr;
  const count = shapeSize(shape);
  const byteLength = count * d.itemSize;
  if (raw.length < byteLength) {
    throw new FormatError(`${name}: array data truncated (${raw.length} bytes, shape [${shape.join(', ')}] needs ${byteLength})`);
  }
  // Copy into a fresh buffer: the source may be unaligned for the element size, and we may need to swap bytes.
  const bytes = raw.slice(0, byteLength);
  if (!d.littleEndian && d.itemSize > 1) {
    const s = d.itemSize;
    for (let i = 0; i < byteLength; i += s) {
      for (let a = i, b = i + s - 1; a < b; a++, b--) {
        const t = bytes[a];
        bytes[a] = bytes[b];
        bytes[b] = t;
      }
    }
  }
  const buf = bytes.buffer;
  let data: NumpyData;
  switch (d.dtype) {
    case 'bool': {
      data = new Uint8Array(buf);
      for (let i = 0; i < count; i++) data[i] = data[i] ? 1 : 0;
      break;
    }
    case 'int8': data = new Int8Array(buf); break;
    case 'uint8': data = new Uint8Array(buf); break;
    case 'int16': data = new Int16Array(buf); break;
    case 'uint16': data = new Uint16Array(buf); break;
    case 'int32': data = new Int32Array(buf); break;
    case 'uint32': data = new Uint32Array(buf); break;
    case 'float32': data = new Float32Array(buf); break;
    case 'float64': data = new Float64Array(buf); break;
    case 'int64':
    case 'uint64': {
      const view = new DataView(buf);
      const out = new Float64Array(count);
      const signed = d.dtype === 'int64';
      for (let i = 0; i < count; i++) {
        const lo = view.getUint32(i * 8, true);
        const hi = signed ? view.getInt32(i * 8 + 4, true) : view.getUint32(i * 8 + 4, true);
        out[i] = hi * 4294967296 + lo;
      }
      data = out;
      break;
    }
    case 'float16': {
      const view = new DataView(buf);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      data = out;
      break;
    }
  }
  return fortranOrder && shape.length > 1 ? fortranToC(data, shape) : data;
}

/**
 * Parses a whole `.npy` file. `name` appears in error messages (use the file name). Object arrays (pickles) throw
 * {@link FormatError}; read their header with {@link readNpyHeader} and the payload with a pickle reader.
 */
export function parseNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  const header = readNpyHeader(bytes, name);
  const descr = parseNumpyDescr(header.descr, name);
  const data = decodeNumpyData(bytes.subarray(header.dataOffset), descr, header.shape, header.fortranOrder, name);
  return { dtype: descr.dtype, shape: header.shape, data };
}

/** Reorders column-major data of the given shape into row-major order (a general N-d transpose). */
export function fortranToC<T extends NumpyData>(data: T, shape: readonly number[]): T {
  const n = shape.length;
  const count = data.length;
  const out = new (data.constructor as new (length: number) => T)(count);
  // Fortran strides: first axis fastest. Walk C order with an index counter and a running Fortran offset.
  const fStride = new Array<number>(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    fStride[i] = s;
    s *= shape[i];
  }
  const idx = new Array<number>(n).fill(0);
  let off = 0;
  for (let c = 0; c < count; c++) {
    out[c] = data[off];
    for (let ax = n - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += fStride[ax];
      if (idx[ax] < shape[ax]) break;
      off -= fStride[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function latin1(bytes: Uint8Array): string {
  // Not TextDecoder('latin1'): the WHATWG decoder maps that label to windows-1252.
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  return s;
}

type HeaderValue = string | number | boolean | null | HeaderValue[] | { [key: string]: HeaderValue };

/** Parses the small Python literal subset NumPy writes in headers: dicts, tuples, lists, strings, ints, bools. */
function parseHeaderLiteral(text: string, name: string): Record<string, HeaderValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new FormatError(`${name}: malformed .npy header (${what} at ${i}): ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): HeaderValue => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const obj: Record<string, HeaderValue> = Object.create(null) as Record<string, HeaderValue>;
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        const key = value();
        if (typeof key !== 'string') fail('non-string key');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[key as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      i++;
      const arr: HeaderValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return arr;
        }
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number.parseInt(m[0], 10);
  };
  const root = value();
  if (root === null || typeof root !== 'object' || Array.isArray(root)) fail('header is not a dict');
  return root as Record<string, HeaderValue>;
}
