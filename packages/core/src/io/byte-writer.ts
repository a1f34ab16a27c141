/**
 * A growable byte buffer with fast ASCII number formatting, shared by the text writers (OBJ, MTL, ASCII PLY).
 *
 * Why not strings: building a 27k-vertex OBJ with `toFixed` and string concatenation spends most of its time
 * allocating short strings. Formatting digits straight into a `Uint8Array` is several times faster and the result
 * is already the bytes a file wants.
 * @internal
 */
export class ByteWriter {
  /** Bytes written so far live in `buf[0 .. pos)`. */
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buf = new Uint8Array(Math.max(64, initialCapacity));
  }

  /** Makes room for `n` more bytes (amortised doubling, so appends stay O(1)). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends one byte (a character code below 128). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Appends a string; ASCII goes byte by byte, anything else through UTF-8 encoding. */
  text(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        // Rare (names, comments): fall back to the encoder for the whole string.
        this.pos = pos - i;
        const bytes = new TextEncoder().encode(s);
        this.ensure(bytes.length);
        this.buf.set(bytes, this.pos);
        this.pos += bytes.length;
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Appends a non-negative integer below 2^53 in decimal. */
  uint(n: number): void {
    this.ensure(MAX_UINT_BYTES);
    this.pos = putUint(this.buf, this.pos, n);
  }

  /** Appends a signed integer. */
  int(n: number): void {
    this.ensure(MAX_UINT_BYTES + 1);
    if (n < 0) {
      this.buf[this.pos++] = 45;
      n = -n;
    }
    this.pos = putUint(this.buf, this.pos, n);
  }

  /** Appends `x` formatted by {@link putFixed}. */
  fixed(x: number, decimals: number, scale: number): void {
    this.ensure(MAX_FIXED_BYTES);
    this.pos = putFixed(this.buf, this.pos, x, decimals, scale);
  }

  /** The written bytes: a view when the buffer is mostly full (no multi-megabyte copy), else a trimmed copy. */
  toBytes(): Uint8Array {
    return this.pos >= this.buf.length * 0.75 ? this.buf.subarray(0, this.pos) : this.buf.slice(0, this.pos);
  }

  /** The written bytes decoded as a string (ASCII/UTF-8). */
  toString(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.pos));
  }
}

/** Bytes {@link putUint} may write at most (2^53 has 16 digits). */
export const MAX_UINT_BYTES = 17;
/** Bytes {@link putFixed} may write at most: sign, 21 integer digits (`toFixed` switches to exponents above), dot, 9 decimals. */
export const MAX_FIXED_BYTES = 34;

/**
 * Writes a non-negative integer below 2^53 at `buf[p]` and returns the position after it. The caller has made room
 * for {@link MAX_UINT_BYTES}. A free function with explicit position (rather than a method) so hot loops keep
 * `buf` and `p` in registers.
 */
export function putUint(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  // Count digits first so they can be written backwards in place; mesh indices are mostly below 10^6.
  const digits =
    n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : countDigits(n);
  const end = p + digits;
  let i = end;
  let q = n;
  if (q < 2147483648) {
    // Two digits per step from a lookup table; `| 0` keeps the division in int32, which V8 turns into a multiply.
    while (q >= 100) {
      const d = (q / 100) | 0;
      const r = (q - d * 100) << 1;
      buf[--i] = DIGIT_PAIRS[r + 1];
      buf[--i] = DIGIT_PAIRS[r];
      q = d;
    }
  } else {
    while (q >= 100) {
      const d = Math.floor(q / 100);
      const r = (q - d * 100) << 1;
      buf[--i] = DIGIT_PAIRS[r + 1];
      buf[--i] = DIGIT_PAIRS[r];
      q = d;
    }
  }
  if (q >= 10) {
    buf[--i] = DIGIT_PAIRS[(q << 1) + 1];
    buf[--i] = DIGIT_PAIRS[q << 1];
  } else buf[--i] = 48 + q;
  return end;
}

/** ASCII of "00", "01", ..., "99", two bytes each. */
const DIGIT_PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[i * 2] = 48 + ((i / 10) | 0);
    t[i * 2 + 1] = 48 + (i % 10);
  }
  return t;
})();

function countDigits(n: number): number {
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  return digits;
}

/**
 * Writes `x` rounded to `decimals` (0..9) fractional digits with trailing zeros dropped (`0.5`, `-2`, `1.000001`)
 * at `buf[p]` and returns the position after it: the precision of `%.6f` at a fraction of the file size. Values too
 * large for exact integer arithmetic go through `toFixed`; non-finite values throw a RangeError, as no mesh format can
 * hold them. The caller has made room for {@link MAX_FIXED_BYTES}. `scale` must be `10 ** decimals`.
 */
export function putFixed(buf: Uint8Array, p: number, x: number, decimals: number, scale: number): number {
  const a = x < 0 ? -x : x;
  // Below 2^53 the rounding to an integer number of units is exact; NaN fails this test too.
  if (!(a * scale < 9e15)) return putAscii(buf, p, slowFixed(x, decimals));
  const r = Math.round(a * scale);
  if (r === 0) {
    // Covers -0 and tiny negatives, which would otherwise print as "-0".
    buf[p] = 48;
    return p + 1;
  }
  if (x < 0) buf[p++] = 45;
  let ip: number;
  let fp: number;
  if (r < 2147483648) {
    // Int32 arithmetic (|x| < 2147 at 6 decimals: every face-mesh coordinate) is cheaper than double floor/divide.
    ip = (r / scale) | 0;
    fp = r - ip * scale;
  } else {
    ip = Math.floor(r / scale);
    fp = r - ip * scale;
  }
  if (ip < 10) buf[p++] = 48 + ip;
  else p = putUint(buf, p, ip);
  if (fp === 0) return p;
  buf[p] = 46;
  const end = p + decimals;
  let i = end + 1;
  let q = fp;
  let left = decimals;
  while (left >= 2) {
    const d = (q / 100) | 0;
    const k = (q - d * 100) << 1;
    buf[--i] = DIGIT_PAIRS[k + 1];
    buf[--i] = DIGIT_PAIRS[k];
    q = d;
    left -= 2;
  }
  if (left === 1) buf[--i] = 48 + q;
  // Drop trailing zeros; fp > 0 guarantees a non-zero digit stops the loop before the dot.
  let e = end;
  while (buf[e] === 48) e--;
  return e + 1;
}

/**
 * An upper bound of the bytes {@link putFixed} writes for any element of `a`, from its largest magnitude. Lets a
 * writer reserve a whole block of lines at once instead of checking capacity per number.
 */
export function fixedBound(a: ArrayLike<number>, decimals: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i] < 0 ? -a[i] : a[i];
    if (v > m) m = v;
    else if (v !== v) return MAX_FIXED_BYTES;
  }
  if (!(m * 10 ** decimals < 9e15)) return MAX_FIXED_BYTES;
  return 1 + countDigits(Math.floor(m) + 1) + 1 + decimals;
}

/**
 * Appends one text line per row of `a` (`stride` numbers, optionally followed by `extraStride` numbers of the same
 * row of `extra`): `prefix n0 n1 ...\n`. The shared hot loop of OBJ `v`/`vt`/`vn` lines and ASCII PLY vertices.
 */
export function writeFloatRows(
  w: ByteWriter,
  prefix: string,
  a: ArrayLike<number>,
  stride: number,
  decimals: number,
  extra?: ArrayLike<number>,
  extraStride = 0,
): void {
  const scale = POW10[decimals];
  const rows = a.length / stride;
  const perRow = prefix.length + 1 + stride * (fixedBound(a, decimals) + 1) + (extra ? extraStride * (fixedBound(extra, decimals) + 1) : 0);
  w.ensure(rows * perRow);
  const buf = w.buf;
  let p = w.pos;
  const pre: number[] = [];
  for (let i = 0; i < prefix.length; i++) pre.push(prefix.charCodeAt(i));
  const np = pre.length;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < np; i++) buf[p++] = pre[i];
    const o = r * stride;
    for (let k = 0; k < stride; k++) {
      if (k > 0 || np > 0) buf[p++] = 32;
      p = putFixed(buf, p, a[o + k], decimals, scale);
    }
    if (extra) {
      const e = r * extraStride;
      for (let k = 0; k < extraStride; k++) {
        buf[p++] = 32;
        p = putFixed(buf, p, extra[e + k], decimals, scale);
      }
    }
    buf[p++] = 10;
  }
  w.pos = p;
}

/** Decimal digits of a non-negative integer, for reserving index text. */
export function uintDigits(n: number): number {
  return countDigits(n);
}

function putAscii(buf: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

function slowFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write the non-finite number ${x} to a mesh file`);
  return trimFixed(x.toFixed(decimals));
}

/** Powers of ten used as fixed-point scales, index = number of decimals. */
export const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** Validates a `decimals` option and returns its scale. */
export function decimalsScale(decimals: number): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 9) {
    throw new RangeError(`decimals must be an integer in 0..9, got ${decimals}`);
  }
  return POW10[decimals];
}

function trimFixed(s: string): string {
  if (s.indexOf('.') < 0 || s.indexOf('e') >= 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}
