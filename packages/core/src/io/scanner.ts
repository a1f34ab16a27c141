import { FormatError } from '../util/errors.js';

/**
 * A cursor over ASCII bytes with allocation-free number parsing, shared by the OBJ and ASCII PLY readers.
 *
 * Why bytes and hand-rolled parsing: splitting a 2.5 MB OBJ into line strings and token strings and calling
 * `parseFloat` on each allocates millions of short strings; scanning the bytes once is several times faster.
 * @internal
 */
export class Scanner {
  readonly bytes: Uint8Array;
  readonly length: number;
  /** Current read position. */
  p = 0;
  /** Format name used in error messages ("OBJ", "PLY"). */
  readonly format: string;

  constructor(bytes: Uint8Array, format: string) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.format = format;
  }

  /** Skips spaces and tabs (and a stray `\r`), staying on the current line. */
  skipInline(): void {
    const b = this.bytes;
    let p = this.p;
    const n = this.length;
    while (p < n) {
      const c = b[p];
      if (c !== 32 && c !== 9 && c !== 13) break;
      p++;
    }
    this.p = p;
  }

  /** Skips all whitespace including line breaks. */
  skipWhitespace(): void {
    const b = this.bytes;
    let p = this.p;
    const n = this.length;
    while (p < n) {
      const c = b[p];
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      p++;
    }
    this.p = p;
  }

  /** True when the cursor is at a line break or the end (after skipping inline blanks). */
  atLineEnd(): boolean {
    this.skipInline();
    return this.p >= this.length || this.bytes[this.p] === 10;
  }

  /** Moves past the next `\n` (or to the end). */
  nextLine(): void {
    const i = this.bytes.indexOf(10, this.p);
    this.p = i < 0 ? this.length : i + 1;
  }

  /**
   * Parses a decimal number at the cursor (after inline blanks). Mantissas up to 15 digits with exponents within
   * ±22 are exact (one correctly rounded multiply or divide, Clinger's fast path); longer ones go through `Number`
   * on the token. Non-numbers, `nan`/`inf` spellings and overflow are errors: no mesh attribute may be non-finite.
   */
  float(): number {
    this.skipInline();
    const b = this.bytes;
    const n = this.length;
    const start = this.p;
    let p = start;
    let neg = false;
    let c = b[p];
    if (c === 45) {
      neg = true;
      c = b[++p];
    } else if (c === 43) c = b[++p];
    let mant = 0;
    let digits = 0;
    let exp = 0;
    while (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      c = b[++p];
    }
    if (c === 46) {
      c = b[++p];
      while (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        exp--;
        c = b[++p];
      }
    }
    if (digits === 0) this.fail(start, 'a number');
    if (c === 101 || c === 69) {
      c = b[++p];
      let eneg = false;
      if (c === 45) {
        eneg = true;
        c = b[++p];
      } else if (c === 43) c = b[++p];
      let e = 0;
      let ed = 0;
      while (c >= 48 && c <= 57) {
        e = e * 10 + (c - 48);
        ed++;
        c = b[++p];
      }
      if (ed === 0) this.fail(start, 'a number');
      exp += eneg ? -e : e;
    }
    if (p < n && c !== 32 && c !== 9 && c !== 10 && c !== 13) this.fail(start, 'a number');
    let v: number;
    if (digits > 15 || exp < -22 || exp > 22) {
      v = Math.abs(Number(this.token(start, p)));
      if (!Number.isFinite(v)) this.failWith(start, `the number ${this.token(start, p)} is out of range`);
    } else if (exp === 0) v = mant;
    else if (exp < 0) v = mant / POW10_22[-exp];
    else v = mant * POW10_22[exp];
    this.p = p;
    return neg ? -v : v;
  }

  /** Parses a signed integer at the cursor; anything that is not a plain integer token is an error. */
  int(): number {
    this.skipInline();
    const b = this.bytes;
    const start = this.p;
    let p = start;
    let neg = false;
    let c = b[p];
    if (c === 45) {
      neg = true;
      c = b[++p];
    } else if (c === 43) c = b[++p];
    let v = 0;
    const d0 = p;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = b[++p];
    }
    if (p === d0) this.fail(start, 'an integer');
    this.p = p;
    return neg ? -v : v;
  }

  /** Reads a whitespace-delimited token as a string (used for keywords and names, not hot loops). */
  word(): string {
    this.skipInline();
    const b = this.bytes;
    const start = this.p;
    let p = start;
    const n = this.length;
    while (p < n) {
      const c = b[p];
      if (c === 32 || c === 9 || c === 10 || c === 13) break;
      p++;
    }
    this.p = p;
    return this.token(start, p);
  }

  /** The rest of the current line, trimmed, without moving past the line break. */
  restOfLine(): string {
    this.skipInline();
    const start = this.p;
    let end = this.bytes.indexOf(10, start);
    if (end < 0) end = this.length;
    this.p = end;
    return this.token(start, end).trim();
  }

  /** Decodes `bytes[start, end)` as text. */
  token(start: number, end: number): string {
    return DECODER.decode(this.bytes.subarray(start, end));
  }

  /** 1-based line number of byte offset `pos` (computed on demand: only error paths need it). */
  lineOf(pos: number): number {
    const b = this.bytes;
    let line = 1;
    let i = b.indexOf(10);
    while (i >= 0 && i < pos) {
      line++;
      i = b.indexOf(10, i + 1);
    }
    return line;
  }

  /** Skips a UTF-8 byte order mark at the cursor (some Windows tools write one). */
  skipBom(): void {
    const b = this.bytes;
    if (b[this.p] === 0xef && b[this.p + 1] === 0xbb && b[this.p + 2] === 0xbf) this.p += 3;
  }

  /** Text of the line holding byte offset `pos`, shortened for messages. */
  lineText(pos: number): string {
    const b = this.bytes;
    let s = pos;
    while (s > 0 && b[s - 1] !== 10) s--;
    let e = b.indexOf(10, pos);
    if (e < 0) e = this.length;
    const text = this.token(s, e).replace(/\r$/, '');
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }

  /** Throws a FormatError naming the line, what was expected and the line's text. */
  fail(pos: number, expected: string): never {
    const found = pos >= this.length ? 'the end of the file' : `"${this.lineText(pos)}"`;
    throw new FormatError(`${this.format} line ${this.lineOf(pos)}: expected ${expected} in ${found}`);
  }

  /** Throws a FormatError with a custom message prefixed by the line number of `pos`. */
  failWith(pos: number, message: string): never {
    throw new FormatError(`${this.format} line ${this.lineOf(pos)}: ${message}`);
  }
}

const DECODER = new TextDecoder();

/** Exact powers of ten 10^0 .. 10^22 (the largest that doubles hold exactly). */
const POW10_22 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Normalises parser input to bytes without copying where possible. */
export function toBytes(input: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof input === 'string') return new TextEncoder().encode(input);
  if (input instanceof Uint8Array) return input;
  return new Uint8Array(input);
}
