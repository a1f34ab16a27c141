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
    this.ensure(17);
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    // Count digits first so the digits can be written backwards in place, without a scratch buffer.
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits - 1;
    let q = n;
    if (q < 2147483648) {
      // Int32 fast path: `| 0` division is much cheaper than Math.floor on doubles.
      while (q >= 10) {
        const d = (q / 10) | 0;
        buf[p--] = 48 + q - d * 10;
        q = d;
      }
    } else {
      while (q >= 10) {
        const d = Math.floor(q / 10);
        buf[p--] = 48 + q - d * 10;
        q = d;
      }
    }
    buf[p] = 48 + q;
    this.pos += digits;
  }

  /** Appends a signed integer. */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      this.uint(-n);
    } else this.uint(n);
  }

  /**
   * Appends `x` rounded to `decimals` (0..9) fractional digits with trailing zeros dropped (`0.5`, `-2`, `1.000001`),
   * the precision of `%.6f` at a fraction of the file size. Non-finite values throw, as no mesh format can hold them.
   */
  fixed(x: number, decimals: number, scale: number): void {
    const a = x < 0 ? -x : x;
    // Keeping `a * scale` below 2^53 keeps the rounding exact; bigger or non-finite values take the slow path.
    if (!(a * scale < 9e15)) {
      if (!Number.isFinite(x)) throw new RangeError(`cannot write the non-finite number ${x} to a mesh file`);
      this.text(trimFixed(x.toFixed(decimals)));
      return;
    }
    const r = Math.round(a * scale);
    this.ensure(32);
    const buf = this.buf;
    if (r === 0) {
      // Covers -0 and tiny negatives, which would otherwise print as "-0".
      buf[this.pos++] = 48;
      return;
    }
    if (x < 0) buf[this.pos++] = 45;
    const ip = Math.floor(r / scale);
    const fp = r - ip * scale;
    this.uint(ip);
    if (fp === 0 || decimals === 0) return;
    let p = this.pos;
    buf[p] = 46;
    const end = p + decimals;
    let q = fp;
    for (let i = end; i > p; i--) {
      const d = (q / 10) | 0;
      buf[i] = 48 + q - d * 10;
      q = d;
    }
    // Drop trailing zeros; fp > 0 guarantees a non-zero digit stops the loop before the dot.
    p = end;
    while (buf[p] === 48) p--;
    this.pos = p + 1;
  }

  /** A copy of the written bytes, trimmed to size. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The written bytes decoded as a string (ASCII/UTF-8). */
  toString(): string {
    return new TextDecoder().decode(this.buf.subarray(0, this.pos));
  }
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
