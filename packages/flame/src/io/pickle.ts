/**
 * A minimal, safe reader for Python pickles: enough of the pickle virtual machine (protocols 0 to 5) to read the
 * files face models ship (NumPy arrays, chumpy arrays, SciPy sparse matrices, dicts and lists), and nothing that
 * runs code.
 *
 * A pickle names Python callables (`GLOBAL` / `STACK_GLOBAL`) and asks the loader to call them (`REDUCE`,
 * `NEWOBJ`, `BUILD`). Python's own unpickler imports and calls whatever is named, which is why loading an untrusted
 * pickle is arbitrary code execution. Here every name is looked up in a fixed whitelist of reconstructors written
 * in TypeScript; any other name is a {@link FormatError} that names the class, so a file can at worst produce
 * wrong data, never run anything.
 *
 * Python values map to JS as follows:
 * - `None` -> `null`, `bool` -> `boolean`, `int` -> `number` (or `bigint` beyond 2^53), `float` -> `number`;
 * - `str` (Python 3) -> `string`; Python 2 `str` -> `string` of latin1 code units, as Python 3 reads such a pickle
 *   with `encoding='latin1'` (NumPy turns them back into bytes by code unit, and so does this reader);
 * - `bytes` / `bytearray` -> `Uint8Array`;
 * - `list` and `tuple` -> arrays; `dict` (and `OrderedDict`) -> a null-prototype object (non-string keys are
 *   stringified: `1` -> `"1"`); `set` / `frozenset` -> `Set`;
 * - `numpy.ndarray` -> {@link NdArray} (C order; Fortran-ordered data is transposed); NumPy scalars -> `number`;
 * - `scipy.sparse.csc_matrix` -> {@link CscMatrix};
 * - `chumpy.ch.Ch` and other whitelisted instances -> {@link PyObject} (the array of a `Ch` is `state.x`);
 * - `torch.Tensor` (as pickled inside DECA's `landmark_embedding.npy`) -> {@link NdArray}.
 * @module
 */
import { FormatError, decodeNumpyData, parseNumpyDescr, shapeSize, type NumpyData } from '@facekit/core';

/** A NumPy array read from a pickle, in C (row-major) order. */
export interface NdArray {
  readonly kind: 'ndarray';
  /** NumPy dtype name (`float64`, `int64`, `uint32`, ...), or `object` / `str` for arrays of Python values. */
  dtype: string;
  /** Dimensions, outermost first; `[]` for a 0-d array. */
  shape: number[];
  /** `shape` product values: a typed array for numeric dtypes (64-bit ints as `Float64Array`), else JS values. */
  data: NumpyData | unknown[];
}

/** A `scipy.sparse.csc_matrix`: column `j` holds rows `indices[indptr[j]..indptr[j+1])` with values `data[...]`. */
export interface CscMatrix {
  readonly kind: 'csc';
  /** `[rows, columns]`. */
  shape: [number, number];
  /** nnz values. */
  data: NumpyData;
  /** nnz row indices. */
  indices: NumpyData;
  /** columns + 1 offsets into `data` / `indices`. */
  indptr: NumpyData;
}

/** An instance of a whitelisted Python class (e.g. `chumpy.ch.Ch`): its class path and its pickled state. */
export interface PyObject {
  readonly kind: 'object';
  /** Dotted class path, e.g. `chumpy.ch.Ch`. */
  className: string;
  /** The `__dict__` restored by `BUILD`. */
  state: Record<string, unknown>;
}

/** Options of {@link readPickle}. */
export interface ReadPickleOptions {
  /** File name used in error messages. */
  name?: string;
}

/** Whether `bytes` looks like a pickle: protocol 2+ header, or a protocol 0/1 opening opcode. */
export function looksLikePickle(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  if (bytes[0] === 0x80) return bytes[1] <= 5;
  // Protocol 0/1 pickles of a dict or list start with MARK/EMPTY_DICT/EMPTY_LIST/GLOBAL.
  return bytes[0] === 0x28 || bytes[0] === 0x7d || bytes[0] === 0x5d || bytes[0] === 0x63;
}

/**
 * Reads one pickled value from `bytes` (e.g. a whole `.pkl` file, or the payload of an object `.npy`). Never
 * executes code: see the module notes for what is accepted. Throws {@link FormatError} for truncated or damaged
 * data, unsupported opcodes and classes outside the whitelist.
 */
export function readPickle(bytes: Uint8Array, options: ReadPickleOptions = {}): unknown {
  return new Unpickler(bytes, options.name ?? 'pickle', 0).load();
}

/** Whether a value is an {@link NdArray}. */
export function isNdArray(value: unknown): value is NdArray {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ndarray';
}

/** Whether a value is a {@link CscMatrix}. */
export function isCscMatrix(value: unknown): value is CscMatrix {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'csc';
}

/** Whether a value is a {@link PyObject}. */
export function isPyObject(value: unknown): value is PyObject {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'object';
}

// ---------------------------------------------------------------------------------------------------------------
// Internals

/** A whitelisted Python global, as pushed by GLOBAL / STACK_GLOBAL. */
interface PyGlobal {
  readonly kind: 'global';
  /** Which reconstructor handles it. */
  readonly role: Role;
  readonly path: string;
}

/** `numpy.dtype` under construction (REDUCE gives the code, BUILD the byte order). */
interface DTypeValue {
  readonly kind: 'dtype';
  code: string;
  byteorder: string;
}

/** A torch storage read from its legacy serialisation. */
interface TorchStorage {
  readonly kind: 'torch-storage';
  descr: string;
  numel: number;
  data: NumpyData | null;
}

type Role =
  | 'reconstruct'
  | 'ndarray'
  | 'dtype'
  | 'scalar'
  | 'frombuffer'
  | 'Ch'
  | 'csc'
  | 'reconstructor'
  | 'object'
  | 'set'
  | 'frozenset'
  | 'bytearray'
  | 'bytes'
  | 'encode'
  | 'OrderedDict'
  | 'rebuild_tensor'
  | 'load_from_bytes'
  | 'storage';

const GLOBALS: Record<string, Role> = {
  'numpy.core.multiarray._reconstruct': 'reconstruct',
  'numpy._core.multiarray._reconstruct': 'reconstruct',
  'numpy.ndarray': 'ndarray',
  'numpy.dtype': 'dtype',
  'numpy.core.multiarray.scalar': 'scalar',
  'numpy._core.multiarray.scalar': 'scalar',
  'numpy.core.numeric._frombuffer': 'frombuffer',
  'numpy._core.numeric._frombuffer': 'frombuffer',
  'chumpy.ch.Ch': 'Ch',
  'scipy.sparse.csc.csc_matrix': 'csc',
  'scipy.sparse._csc.csc_matrix': 'csc',
  'copy_reg._reconstructor': 'reconstructor',
  'copyreg._reconstructor': 'reconstructor',
  '__builtin__.object': 'object',
  'builtins.object': 'object',
  '__builtin__.set': 'set',
  'builtins.set': 'set',
  '__builtin__.frozenset': 'frozenset',
  'builtins.frozenset': 'frozenset',
  '__builtin__.bytearray': 'bytearray',
  'builtins.bytearray': 'bytearray',
  'builtins.bytes': 'bytes',
  '_codecs.encode': 'encode',
  'collections.OrderedDict': 'OrderedDict',
  'torch._utils._rebuild_tensor_v2': 'rebuild_tensor',
  'torch._utils._rebuild_tensor': 'rebuild_tensor',
  'torch.storage._load_from_bytes': 'load_from_bytes',
};

/** Legacy torch storage classes and the NumPy type of their elements. */
const TORCH_STORAGES: Record<string, string> = {
  'torch.FloatStorage': '<f4',
  'torch.DoubleStorage': '<f8',
  'torch.HalfStorage': '<f2',
  'torch.LongStorage': '<i8',
  'torch.IntStorage': '<i4',
  'torch.ShortStorage': '<i2',
  'torch.CharStorage': '|i1',
  'torch.ByteStorage': '|u1',
  'torch.BoolStorage': '|b1',
};

const MARK: unique symbol = Symbol('mark');
type StackItem = unknown;

/** Python 2 module names Python 3 writes under `fix_imports`, and back. */
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const MAX_NESTED_PICKLES = 4;

class Unpickler {
  private pos = 0;
  private readonly view: DataView;
  private stack: StackItem[] = [];
  private readonly metastack: StackItem[][] = [];
  private readonly memo = new Map<number, unknown>();
  /** Persistent-id resolver, only set while reading a torch legacy storage stream. */
  persistentLoad: ((pid: unknown) => unknown) | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly name: string,
    private readonly depth: number,
    start = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** Byte offset after the last STOP. */
  get offset(): number {
    return this.pos;
  }

  private fail(message: string): never {
    throw new FormatError(`${this.name}: ${message}`);
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.bytes.length) {
      this.fail(`truncated pickle (${what} at byte ${this.pos} needs ${n} bytes, ${this.bytes.length - this.pos} left)`);
    }
  }

  private u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  private u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  private i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private u64(what: string): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) this.fail(`length ${v} in ${what} is out of range`);
    return v;
  }

  private take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail(`truncated pickle (${what} at byte ${this.pos} has no end of line)`);
    const s = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private pop(): StackItem {
    if (this.stack.length === 0) this.fail(`damaged pickle (stack underflow at byte ${this.pos})`);
    return this.stack.pop();
  }

  private top(): StackItem {
    if (this.stack.length === 0) this.fail(`damaged pickle (stack underflow at byte ${this.pos})`);
    return this.stack[this.stack.length - 1];
  }

  private popMark(): StackItem[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) this.fail(`damaged pickle (no MARK before byte ${this.pos})`);
    this.stack = previous;
    return items;
  }

  private memoGet(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`damaged pickle (memo entry ${index} read before it was written)`);
    return this.memo.get(index);
  }

  /** Runs the pickle machine from the current offset to the next STOP and returns the value. */
  load(): unknown {
    this.stack = [];
    this.metastack.length = 0;
    for (;;) {
      const at = this.pos;
      if (at >= this.bytes.length) this.fail(`truncated pickle (no STOP opcode; data ends at byte ${at})`);
      const op = this.bytes[this.pos++];
      switch (op) {
        case 0x80: { // PROTO
          const proto = this.u8('PROTO');
          if (proto > 5) this.fail(`pickle protocol ${proto} is not supported (0-5 are)`);
          break;
        }
        case 0x95: // FRAME: framing only groups opcodes; the length is advisory.
          this.u64('FRAME');
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x28: // MARK
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          if (this.stack.length) this.stack.pop();
          else this.popMark();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.stack.push(this.top());
          break;

        // --- numbers
        case 0x4e: this.stack.push(null); break; // NONE
        case 0x88: this.stack.push(true); break; // NEWTRUE
        case 0x89: this.stack.push(false); break; // NEWFALSE
        case 0x4b: this.stack.push(this.u8('BININT1')); break;
        case 0x4d: this.stack.push(this.u16('BININT2')); break;
        case 0x4a: this.stack.push(this.i32('BININT')); break;
        case 0x47: { // BINFLOAT: big-endian double
          this.need(8, 'BINFLOAT');
          this.stack.push(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        }
        case 0x49: { // INT (text); protocol 0 writes bools as I00/I01
          const s = this.line('INT').trim();
          if (s === '00') this.stack.push(false);
          else if (s === '01') this.stack.push(true);
          else this.stack.push(parseIntText(s, () => this.fail(`damaged pickle (bad INT ${JSON.stringify(s)})`)));
          break;
        }
        case 0x4c: { // LONG (text, trailing L)
          const s = this.line('LONG').trim().replace(/L$/, '');
          this.stack.push(parseIntText(s, () => this.fail(`damaged pickle (bad LONG ${JSON.stringify(s)})`)));
          break;
        }
        case 0x46: { // FLOAT (text)
          const s = this.line('FLOAT').trim();
          const v = Number(s === 'nan' ? 'NaN' : s === 'inf' ? 'Infinity' : s === '-inf' ? '-Infinity' : s);
          if (Number.isNaN(v) && s !== 'nan') this.fail(`damaged pickle (bad FLOAT ${JSON.stringify(s)})`);
          this.stack.push(v);
          break;
        }
        case 0x8a: this.stack.push(decodeLong(this.take(this.u8('LONG1'), 'LONG1'))); break;
        case 0x8b: {
          const n = this.i32('LONG4');
          if (n < 0) this.fail('damaged pickle (negative LONG4 length)');
          this.stack.push(decodeLong(this.take(n, 'LONG4')));
          break;
        }

        // --- strings and bytes
        case 0x53: this.stack.push(decodeStringLiteral(this.line('STRING'), (m) => this.fail(m))); break; // STRING
        case 0x54: { // BINSTRING (Python 2 str)
          const n = this.i32('BINSTRING');
          if (n < 0) this.fail('damaged pickle (negative BINSTRING length)');
          this.stack.push(latin1(this.take(n, 'BINSTRING')));
          break;
        }
        case 0x55: this.stack.push(latin1(this.take(this.u8('SHORT_BINSTRING'), 'SHORT_BINSTRING'))); break;
        case 0x56: this.stack.push(decodeRawUnicodeEscape(this.line('UNICODE'))); break; // UNICODE
        case 0x58: this.stack.push(utf8(this.take(this.u32('BINUNICODE'), 'BINUNICODE'))); break;
        case 0x8c: this.stack.push(utf8(this.take(this.u8('SHORT_BINUNICODE'), 'SHORT_BINUNICODE'))); break;
        case 0x8d: this.stack.push(utf8(this.take(this.u64('BINUNICODE8'), 'BINUNICODE8'))); break;
        case 0x42: this.stack.push(this.take(this.u32('BINBYTES'), 'BINBYTES').slice()); break;
        case 0x43: this.stack.push(this.take(this.u8('SHORT_BINBYTES'), 'SHORT_BINBYTES').slice()); break;
        case 0x8e: this.stack.push(this.take(this.u64('BINBYTES8'), 'BINBYTES8').slice()); break;
        case 0x96: this.stack.push(this.take(this.u64('BYTEARRAY8'), 'BYTEARRAY8').slice()); break;
        case 0x97: this.fail('pickle uses out-of-band buffers (NEXT_BUFFER), which a file cannot carry');
        // falls through (fail never returns)
        case 0x98: break; // READONLY_BUFFER: a no-op for in-band data

        // --- containers
        case 0x29: this.stack.push([]); break; // EMPTY_TUPLE
        case 0x5d: this.stack.push([]); break; // EMPTY_LIST
        case 0x7d: this.stack.push(newDict()); break; // EMPTY_DICT
        case 0x8f: this.stack.push(new Set<unknown>()); break; // EMPTY_SET
        case 0x85: this.stack.push([this.pop()]); break; // TUPLE1
        case 0x86: { // TUPLE2
          const b = this.pop(), a = this.pop();
          this.stack.push([a, b]);
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop(), b = this.pop(), a = this.pop();
          this.stack.push([a, b, c]);
          break;
        }
        case 0x74: // TUPLE
        case 0x6c: { // LIST
          // popMark swaps this.stack, so take the items before touching the stack.
          const items = this.popMark();
          this.stack.push(items);
          break;
        }
        case 0x64: { // DICT
          const items = this.popMark();
          const d = newDict();
          for (let i = 0; i + 1 < items.length; i += 2) d[this.dictKey(items[i])] = items[i + 1];
          this.stack.push(d);
          break;
        }
        case 0x61: { // APPEND
          const v = this.pop();
          this.listOf(this.top(), 'APPEND').push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.listOf(this.top(), 'APPENDS');
          for (const v of items) list.push(v);
          break;
        }
        case 0x73: { // SETITEM
          const v = this.pop(), k = this.pop();
          this.dictOf(this.top(), 'SETITEM')[this.dictKey(k)] = v;
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          const d = this.dictOf(this.top(), 'SETITEMS');
          for (let i = 0; i + 1 < items.length; i += 2) d[this.dictKey(items[i])] = items[i + 1];
          break;
        }
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (!(s instanceof Set)) this.fail('damaged pickle (ADDITEMS on a non-set)');
          for (const v of items) (s as Set<unknown>).add(v);
          break;
        }
        case 0x91: { // FROZENSET
          const items = this.popMark();
          this.stack.push(new Set(items));
          break;
        }

        // --- memo
        case 0x70: this.memo.set(parseIntStrict(this.line('PUT'), (m) => this.fail(m)), this.top()); break; // PUT
        case 0x71: this.memo.set(this.u8('BINPUT'), this.top()); break;
        case 0x72: this.memo.set(this.u32('LONG_BINPUT'), this.top()); break;
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x67: this.stack.push(this.memoGet(parseIntStrict(this.line('GET'), (m) => this.fail(m)))); break;
        case 0x68: this.stack.push(this.memoGet(this.u8('BINGET'))); break;
        case 0x6a: this.stack.push(this.memoGet(this.u32('LONG_BINGET'))); break;

        // --- objects (whitelisted reconstructors only)
        case 0x63: { // GLOBAL
          const module = this.line('GLOBAL module');
          const qual = this.line('GLOBAL name');
          this.stack.push(this.resolveGlobal(module, qual));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const qual = this.pop(), module = this.pop();
          if (typeof module !== 'string' || typeof qual !== 'string') this.fail('damaged pickle (STACK_GLOBAL needs two strings)');
          this.stack.push(this.resolveGlobal(module as string, qual as string));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop(), fn = this.pop();
          this.stack.push(this.call(fn, this.tuple(args, 'REDUCE')));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop(), cls = this.pop();
          this.stack.push(this.construct(cls, this.tuple(args, 'NEWOBJ')));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          this.pop(); // kwargs: no whitelisted class takes keyword arguments that matter here
          const args = this.pop(), cls = this.pop();
          this.stack.push(this.construct(cls, this.tuple(args, 'NEWOBJ_EX')));
          break;
        }
        case 0x69: { // INST (protocol 0)
          const module = this.line('INST module');
          const qual = this.line('INST name');
          const args = this.popMark();
          this.stack.push(this.construct(this.resolveGlobal(module, qual), args));
          break;
        }
        case 0x6f: { // OBJ (protocol 1)
          const items = this.popMark();
          if (items.length === 0) this.fail('damaged pickle (OBJ without a class)');
          this.stack.push(this.construct(items[0], items.slice(1)));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x50: { // PERSID
          const pid = this.line('PERSID');
          this.stack.push(this.persistent(pid));
          break;
        }
        case 0x51: this.stack.push(this.persistent(this.pop())); break; // BINPERSID
        case 0x82:
        case 0x83:
        case 0x84:
          this.fail('pickle uses the copyreg extension registry (EXT opcodes), which facekit does not support');
        // falls through (fail never returns)
        default:
          this.fail(`damaged pickle (unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at})`);
      }
    }
  }

  private tuple(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`damaged pickle (${what} arguments are not a tuple)`);
    return value as unknown[];
  }

  private listOf(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`damaged pickle (${what} on a non-list)`);
    return value as unknown[];
  }

  private dictOf(value: unknown, what: string): Record<string, unknown> {
    if (isPyObject(value)) return value.state; // dict subclasses keep items with their state
    if (!isPlainDict(value)) this.fail(`damaged pickle (${what} on a non-dict)`);
    return value as Record<string, unknown>;
  }

  private dictKey(key: unknown): string {
    if (typeof key === 'string') return key;
    if (typeof key === 'number' || typeof key === 'bigint') return String(key);
    if (typeof key === 'boolean') return key ? 'True' : 'False';
    if (key === null) return 'None';
    if (key instanceof Uint8Array) return latin1(key);
    return this.fail('dict key of an unsupported type (only str, bytes, int and bool keys are read)');
  }

  private persistent(pid: unknown): unknown {
    if (!this.persistentLoad) this.fail('pickle uses persistent ids, which only torch storages may use here');
    return this.persistentLoad(pid);
  }

  private resolveGlobal(module: string, qual: string): PyGlobal {
    const mod = MODULE_ALIASES[module] ?? module;
    const path = `${mod}.${qual}`;
    const role = GLOBALS[`${module}.${qual}`] ?? GLOBALS[path] ?? (TORCH_STORAGES[path] ? 'storage' : undefined);
    if (!role) {
      this.fail(
        `pickle refers to ${module}.${qual}, which facekit does not load ` +
          '(only NumPy arrays, chumpy arrays, SciPy CSC matrices, torch tensors and plain containers are read)',
      );
    }
    return { kind: 'global', role, path };
  }

  /** REDUCE: `fn(*args)` for a whitelisted callable. */
  private call(fn: unknown, args: unknown[]): unknown {
    if (!isGlobal(fn)) this.fail('damaged pickle (REDUCE on something that is not a whitelisted callable)');
    const g = fn as PyGlobal;
    switch (g.role) {
      case 'reconstruct': {
        // numpy.core.multiarray._reconstruct(ndarray, (0,), b'b'): an empty array that BUILD then fills.
        const cls = args[0];
        if (!isGlobal(cls) || cls.role !== 'ndarray') this.fail(`${g.path} called for a class other than numpy.ndarray`);
        return { kind: 'ndarray', dtype: 'float64', shape: [0], data: new Float64Array(0) } satisfies NdArray;
      }
      case 'dtype': {
        const code = args[0];
        if (typeof code !== 'string') this.fail('numpy.dtype called without a type code');
        const m = /^([<>|=]?)(.*)$/.exec(code as string)!;
        return { kind: 'dtype', code: m[2], byteorder: m[1] || '=' } satisfies DTypeValue;
      }
      case 'scalar': {
        // numpy.core.multiarray.scalar(dtype, raw bytes) -> one value.
        const [dt, raw] = args;
        if (!isDType(dt)) this.fail('numpy scalar without a dtype');
        const d = dt as DTypeValue;
        if (d.code.startsWith('O')) return raw;
        const arr = this.makeArray(d, [], raw, false);
        return arr.data[0];
      }
      case 'frombuffer': {
        // numpy.core.numeric._frombuffer(buffer, dtype, shape, order): protocol-5 arrays.
        const [buf, dt, shape, order] = args;
        if (!isDType(dt)) this.fail('numpy _frombuffer without a dtype');
        return this.makeArray(dt as DTypeValue, this.shapeOf(shape), buf, order === 'F');
      }
      case 'encode': {
        // _codecs.encode(str, 'latin1'): how Python 3 writes bytes at protocol 2.
        const [s, encoding] = args;
        if (typeof s !== 'string') this.fail('_codecs.encode called without a string');
        const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace(/[-_]/g, '') : 'utf8';
        if (enc === 'latin1' || enc === 'iso88591') return latin1Bytes(s as string);
        if (enc === 'utf8') return new TextEncoder().encode(s as string);
        return this.fail(`_codecs.encode with unsupported encoding ${String(encoding)}`);
      }
      case 'bytearray':
      case 'bytes': {
        const [src, encoding] = args;
        if (src === undefined) return new Uint8Array(0);
        if (src instanceof Uint8Array) return src.slice();
        if (typeof src === 'string') return encoding === undefined || /latin/i.test(String(encoding)) ? latin1Bytes(src) : new TextEncoder().encode(src);
        if (Array.isArray(src)) return Uint8Array.from(src as number[]);
        return this.fail(`${g.path} called with an unsupported argument`);
      }
      case 'set':
      case 'frozenset':
        return new Set(args.length ? this.iterable(args[0]) : []);
      case 'OrderedDict': {
        const d = newDict();
        if (args.length && Array.isArray(args[0])) {
          for (const pair of args[0] as unknown[]) {
            if (Array.isArray(pair) && pair.length === 2) d[this.dictKey(pair[0])] = pair[1];
          }
        }
        return d;
      }
      case 'reconstructor': {
        // copy_reg._reconstructor(cls, object, None): object.__new__(cls), filled by BUILD.
        const [cls, base] = args;
        if (!isGlobal(base) || base.role !== 'object') this.fail(`${g.path} with a base other than object`);
        return this.construct(cls, []);
      }
      case 'rebuild_tensor':
        return this.rebuildTensor(args);
      case 'load_from_bytes': {
        const [raw] = args;
        if (!(raw instanceof Uint8Array)) this.fail('torch.storage._load_from_bytes called without bytes');
        return this.loadTorchLegacy(raw as Uint8Array);
      }
      case 'Ch':
      case 'csc':
      case 'object':
      case 'ndarray':
      case 'storage':
        return this.construct(g, args);
    }
  }

  /** NEWOBJ / class call: a fresh instance that BUILD will fill. */
  private construct(cls: unknown, args: unknown[]): unknown {
    if (!isGlobal(cls)) this.fail('damaged pickle (NEWOBJ on something that is not a whitelisted class)');
    const g = cls as PyGlobal;
    switch (g.role) {
      case 'Ch':
      case 'object':
        return { kind: 'object', className: g.path, state: newDict() } satisfies PyObject;
      case 'csc':
        return {
          kind: 'csc',
          shape: [0, 0],
          data: new Float64Array(0),
          indices: new Int32Array(0),
          indptr: new Int32Array(1),
        } satisfies CscMatrix;
      case 'OrderedDict':
        return newDict();
      case 'set':
      case 'frozenset':
        return new Set(args.length ? this.iterable(args[0]) : []);
      default:
        return this.fail(`${g.path} cannot be instantiated from a pickle here`);
    }
  }

  /** BUILD: `obj.__setstate__(state)` for the whitelisted types. */
  private build(obj: unknown, state: unknown): void {
    if (isNdArray(obj)) {
      this.ndarraySetState(obj, state);
    } else if (isDType(obj)) {
      // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
      const s = this.tuple(state, 'numpy.dtype state');
      if (typeof s[1] === 'string') obj.byteorder = s[1];
      if ((s[3] !== null && s[3] !== undefined) || (s[2] !== null && s[2] !== undefined)) {
        this.fail('structured or sub-array NumPy dtypes are not supported');
      }
    } else if (isCscMatrix(obj)) {
      const d = isPlainDict(state) ? state : Array.isArray(state) && isPlainDict(state[0]) ? state[0] : undefined;
      if (!d) this.fail('damaged scipy.sparse.csc_matrix state (not a dict)');
      const rec = d as Record<string, unknown>;
      const shape = rec._shape ?? rec.shape;
      const { data, indices, indptr } = rec;
      if (!isNdArray(data) || !isNdArray(indices) || !isNdArray(indptr) || !Array.isArray(shape) || shape.length !== 2) {
        this.fail('damaged scipy.sparse.csc_matrix state (needs data, indices, indptr and _shape)');
      }
      obj.shape = [Number(shape[0]), Number(shape[1])];
      obj.data = numeric(data as NdArray, 'csc data', (m) => this.fail(m));
      obj.indices = numeric(indices as NdArray, 'csc indices', (m) => this.fail(m));
      obj.indptr = numeric(indptr as NdArray, 'csc indptr', (m) => this.fail(m));
      if (obj.indptr.length !== obj.shape[1] + 1 || obj.indices.length !== obj.data.length) {
        this.fail(`damaged scipy.sparse.csc_matrix (indptr ${obj.indptr.length} for ${obj.shape[1]} columns, ${obj.indices.length} indices for ${obj.data.length} values)`);
      }
    } else if (isPyObject(obj) || isPlainDict(obj)) {
      const target = isPyObject(obj) ? obj.state : (obj as Record<string, unknown>);
      // state may be a dict, or (dict, slotstate) for classes with __slots__.
      const parts = Array.isArray(state) ? state : [state];
      for (const part of parts) {
        if (part === null || part === undefined) continue;
        if (!isPlainDict(part)) this.fail('damaged pickle (object state is not a dict)');
        Object.assign(target, part);
      }
    } else {
      this.fail('damaged pickle (BUILD on a value that takes no state)');
    }
  }

  private ndarraySetState(arr: NdArray, state: unknown): void {
    // (version, shape, dtype, is_fortran, data); version is absent in the oldest pickles.
    let s = this.tuple(state, 'numpy.ndarray state');
    if (s.length === 5) s = s.slice(1);
    if (s.length !== 4) this.fail(`damaged numpy.ndarray state (${s.length} fields)`);
    const [shape, dt, fortran, raw] = s;
    if (!isDType(dt)) this.fail('damaged numpy.ndarray state (no dtype)');
    const made = this.makeArray(dt as DTypeValue, this.shapeOf(shape), raw, fortran === true || fortran === 1);
    arr.dtype = made.dtype;
    arr.shape = made.shape;
    arr.data = made.data;
  }

  private shapeOf(shape: unknown): number[] {
    const dims = Array.isArray(shape) ? shape : typeof shape === 'number' ? [shape] : undefined;
    if (!dims || !dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
      this.fail('damaged numpy array shape');
    }
    return dims as number[];
  }

  /** An {@link NdArray} from a dtype, a shape and raw data (bytes, a latin1 string, or a list for object arrays). */
  private makeArray(dt: DTypeValue, shape: number[], raw: unknown, fortran: boolean): NdArray {
    const count = shapeSize(shape);
    const code = dt.code;
    if (code.startsWith('O')) {
      if (!Array.isArray(raw) || raw.length !== count) this.fail('damaged object array (item list does not match its shape)');
      return { kind: 'ndarray', dtype: 'object', shape, data: fortran && shape.length > 1 ? fortranList(raw as unknown[], shape) : (raw as unknown[]) };
    }
    const bytes = raw instanceof Uint8Array ? raw : typeof raw === 'string' ? latin1Bytes(raw) : undefined;
    if (!bytes) this.fail('damaged numpy array state (data is neither bytes nor str)');
    const b = bytes as Uint8Array;
    const sm = /^([SU])(\d+)$/.exec(code);
    if (sm) {
      // Fixed-width byte (S) or UTF-32 (U) strings: rare in model files, read as JS strings.
      const width = Number(sm[2]) * (sm[1] === 'U' ? 4 : 1);
      if (b.length < width * count) this.fail('numpy string array data truncated');
      const out: string[] = [];
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < count; i++) {
        let str = '';
        if (sm[1] === 'S') {
          for (let j = 0; j < width; j++) {
            const c = b[i * width + j];
            if (c === 0) break;
            str += String.fromCharCode(c);
          }
        } else {
          for (let j = 0; j < width; j += 4) {
            const c = dv.getUint32(i * width + j, dt.byteorder !== '>');
            if (c === 0) break;
            str += String.fromCodePoint(c);
          }
        }
        out.push(str);
      }
      return { kind: 'ndarray', dtype: 'str', shape, data: fortran && shape.length > 1 ? fortranList(out, shape) : out };
    }
    const order = dt.byteorder === '|' || dt.byteorder === '=' ? '' : dt.byteorder;
    const descr = parseNumpyDescr(`${order}${code}`, this.name);
    const data = decodeNumpyData(b, descr, shape, fortran, this.name);
    return { kind: 'ndarray', dtype: descr.dtype, shape, data };
  }

  private iterable(value: unknown): unknown[] {
    if (Array.isArray(value)) return value;
    if (value instanceof Set) return [...(value as Set<unknown>)];
    return this.fail('damaged pickle (set built from a non-sequence)');
  }

  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, ...) -> C-ordered array. */
  private rebuildTensor(args: unknown[]): NdArray {
    const [storage, offset, size, stride] = args;
    if (!isTorchStorage(storage) || !storage.data) this.fail('torch tensor without a readable storage');
    const st = storage as TorchStorage;
    const src = st.data!;
    const shape = this.shapeOf(size);
    const strides = this.shapeOf(stride);
    const off = typeof offset === 'number' ? offset : 0;
    if (strides.length !== shape.length) this.fail('damaged torch tensor (size and stride differ in length)');
    const count = shapeSize(shape);
    const out = new (src.constructor as new (n: number) => NumpyData)(count);
    const idx = new Array<number>(shape.length).fill(0);
    let p = off;
    for (let c = 0; c < count; c++) {
      if (p < 0 || p >= src.length) this.fail('damaged torch tensor (view reaches outside its storage)');
      out[c] = src[p];
      for (let ax = shape.length - 1; ax >= 0; ax--) {
        idx[ax]++;
        p += strides[ax];
        if (idx[ax] < shape[ax]) break;
        p -= strides[ax] * shape[ax];
        idx[ax] = 0;
      }
    }
    return { kind: 'ndarray', dtype: parseNumpyDescr(st.descr).dtype, shape, data: out };
  }

  /**
   * `torch.storage._load_from_bytes`: a storage serialised by `torch.save(..., _use_new_zipfile_serialization=
   * False)` (what pickling a tensor embeds). Layout: pickles of the magic number, protocol version and system
   * info, the object pickle (storages as persistent ids), the sorted list of storage keys, then per key an
   * int64 little-endian element count and the raw little-endian elements.
   */
  private loadTorchLegacy(raw: Uint8Array): unknown {
    const name = `${this.name} (torch storage)`;
    if (this.depth >= MAX_NESTED_PICKLES) this.fail('torch storages nested too deeply');
    if (raw.length >= 2 && raw[0] === 0x50 && raw[1] === 0x4b) {
      this.fail('torch storage in the zip serialisation format is not supported (expected the legacy format)');
    }
    const u = new Unpickler(raw, name, this.depth + 1);
    const magic = u.load();
    if (BigInt(typeof magic === 'number' || typeof magic === 'bigint' ? magic : -1) !== 0x1950a86a20f9469cfc6cn) {
      this.fail('torch storage with a wrong magic number');
    }
    const protocol = u.load();
    if (protocol !== 1001) this.fail(`torch storage protocol ${String(protocol)} is not supported (1001 is)`);
    const sysInfo = u.load();
    if (isPlainDict(sysInfo) && sysInfo.little_endian === false) this.fail('big-endian torch storages are not supported');
    const storages = new Map<string, TorchStorage>();
    u.persistentLoad = (pid) => {
      // ('storage', storage_type, key, location, numel[, view_metadata])
      if (!Array.isArray(pid) || pid[0] !== 'storage') this.fail('torch storage with an unknown persistent id');
      const [, type, key, , numel, view] = pid as unknown[];
      if (!isGlobal(type) || type.role !== 'storage') this.fail('torch storage of an unknown type');
      if (view !== null && view !== undefined) this.fail('torch storage views are not supported');
      const k = String(key);
      let st = storages.get(k);
      if (!st) {
        st = { kind: 'torch-storage', descr: TORCH_STORAGES[(type as PyGlobal).path], numel: Number(numel), data: null };
        storages.set(k, st);
      }
      return st;
    };
    const result = u.load();
    const keys = u.load();
    if (!Array.isArray(keys)) this.fail('damaged torch storage (no key list)');
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    let pos = u.offset;
    for (const key of keys as unknown[]) {
      const st = storages.get(String(key));
      if (!st) this.fail(`damaged torch storage (unknown key ${String(key)})`);
      if (pos + 8 > raw.length) this.fail('truncated torch storage data');
      const numel = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 4294967296;
      pos += 8;
      const descr = parseNumpyDescr(st!.descr);
      const nbytes = numel * descr.itemSize;
      if (pos + nbytes > raw.length) this.fail('truncated torch storage data');
      st!.data = decodeNumpyData(raw.subarray(pos, pos + nbytes), descr, [numel], false, name);
      st!.numel = numel;
      pos += nbytes;
    }
    return result;
  }
}

function isGlobal(v: unknown): v is PyGlobal {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'global';
}

function isDType(v: unknown): v is DTypeValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'dtype';
}

function isTorchStorage(v: unknown): v is TorchStorage {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'torch-storage';
}

/** A Python dict as read here: a null-prototype object (so a `__proto__` key is just a key). */
function newDict(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/**
 * Whether a value is a Python dict as this reader produces it: a null-prototype object (so class-like values such
 * as {@link NdArray}, which have `Object.prototype`, never count as dicts).
 */
export function isPlainDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null;
}

function numeric(arr: NdArray, what: string, fail: (m: string) => never): NumpyData {
  if (Array.isArray(arr.data)) return fail(`${what} is not numeric`);
  return arr.data;
}

function fortranList<T>(items: T[], shape: number[]): T[] {
  const n = shape.length;
  const f: number[] = [];
  let s = 1;
  for (let i = 0; i < n; i++) {
    f.push(s);
    s *= shape[i];
  }
  const out: T[] = [];
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < items.length; c++) {
    let off = 0;
    for (let ax = 0; ax < n; ax++) off += idx[ax] * f[ax];
    out.push(items[off]);
    for (let ax = n - 1; ax >= 0; ax--) {
      if (++idx[ax] < shape[ax]) break;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Bytes to a string of the same code units (Python's latin1). Not TextDecoder: it maps latin1 to cp1252. */
function latin1(bytes: Uint8Array): string {
  if (bytes.length <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 32768) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 32768) as unknown as number[]));
  }
  return parts.join('');
}

/** A string of code units <= 255 back to bytes (Python's `s.encode('latin1')`). */
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new FormatError(`string holds a character beyond latin1 (U+${c.toString(16)}) where bytes were expected`);
    out[i] = c;
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8');
function utf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

/** Little-endian two's-complement integer (LONG1/LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseIntText(s: string, fail: () => never): number | bigint {
  if (!/^[-+]?\d+$/.test(s)) return fail();
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

function parseIntStrict(s: string, fail: (m: string) => never): number {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 0) return fail(`damaged pickle (bad memo index ${JSON.stringify(s)})`);
  return n;
}

/** Protocol 0 STRING: a Python `repr` of a str, quoted, with backslash escapes. */
function decodeStringLiteral(line: string, fail: (m: string) => never): string {
  const q = line[0];
  if ((q !== "'" && q !== '"') || line[line.length - 1] !== q || line.length < 2) return fail('damaged pickle (STRING not quoted)');
  const body = line.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        out += String.fromCharCode(Number.parseInt(m, 8));
        i += m.length - 1;
        break;
      }
      case 'x':
        out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
        break;
      default:
        out += e ?? '';
    }
  }
  return out;
}

/** Protocol 0 UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes). */
function decodeRawUnicodeEscape(line: string): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string | undefined, b: string | undefined) =>
    String.fromCodePoint(Number.parseInt(a ?? b ?? '0', 16)),
  );
}
