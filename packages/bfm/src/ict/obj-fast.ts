/**
 * A small, fast OBJ reader specialised for ICT-FaceKit: 150+ files of ~27k `v` lines each (112 MB of text) are
 * read on first import, so it scans bytes directly (no string decoding, no line splitting, no per-vertex
 * objects) and stops at the expected vertex count, skipping the `vt`/`f` lines that upstream shape files repeat.
 * The general-purpose OBJ reader lives in `@facekit/core`; this one is deliberately narrower.
 * @module
 */
import { FormatError } from '@facekit/core';

const SPACE = 32, TAB = 9, CR = 13, LF = 10, HASH = 35;
const MINUS = 45, PLUS = 43, DOT = 46, SLASH = 47, E_LO = 101, E_UP = 69;
const D0 = 48, D9 = 57;

// Exact powers of ten: for up to 15 significant digits and |exponent| <= 22, `mantissa / 10^k` or
// `mantissa * 10^k` is one correctly rounded IEEE operation, i.e. the same double as parseFloat.
const POW10: Float64Array = (() => {
  const p = new Float64Array(23);
  p[0] = 1;
  for (let i = 1; i < 23; i++) p[i] = p[i - 1] * 10;
  return p;
})();

/** Cursor shared by the number scanner (a module-level slot avoids allocating a result object per number). */
let cursor = 0;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/**
 * Parses a decimal number at `bytes[pos]` (after skipping blanks) and leaves {@link cursor} after it.
 * Returns NaN when there is no number there.
 */
function scanNumber(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && isBlank(bytes[pos])) pos++;
  const start = pos;
  let negative = false;
  let c = bytes[pos];
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    c = bytes[++pos];
  }
  let mantissa = 0;
  let digits = 0; // significant digits accumulated in `mantissa`
  let scale = 0; // decimal exponent correction
  let any = false;
  while (pos < end && (c = bytes[pos]) >= D0 && c <= D9) {
    any = true;
    if (digits < 15) {
      mantissa = mantissa * 10 + (c - D0);
      if (mantissa !== 0) digits++;
    } else scale++;
    pos++;
  }
  if (pos < end && bytes[pos] === DOT) {
    pos++;
    while (pos < end && (c = bytes[pos]) >= D0 && c <= D9) {
      any = true;
      if (digits < 15) {
        mantissa = mantissa * 10 + (c - D0);
        if (mantissa !== 0) digits++;
        scale--;
      }
      pos++;
    }
  }
  if (!any) {
    cursor = start;
    return Number.NaN;
  }
  let truncated = digits >= 15;
  if (pos < end && ((c = bytes[pos]) === E_LO || c === E_UP)) {
    let p = pos + 1;
    let expNeg = false;
    if (bytes[p] === MINUS || bytes[p] === PLUS) {
      expNeg = bytes[p] === MINUS;
      p++;
    }
    let exp = 0;
    let expDigits = false;
    while (p < end && (c = bytes[p]) >= D0 && c <= D9) {
      exp = exp * 10 + (c - D0);
      expDigits = true;
      p++;
    }
    if (expDigits) {
      scale += expNeg ? -exp : exp;
      pos = p;
    }
  }
  cursor = pos;
  if (truncated || scale > 22 || scale < -22) {
    // Rare: too many digits or a huge exponent. Let the engine round it correctly.
    let s = '';
    for (let i = start; i < pos; i++) s += String.fromCharCode(bytes[i]);
    return Number.parseFloat(s);
  }
  const value = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
  return negative ? -value : value;
}

function skipLine(bytes: Uint8Array, pos: number, end: number): number {
  const i = bytes.indexOf(LF, pos);
  return i < 0 || i >= end ? end : i + 1;
}

/**
 * Reads the `v x y z` lines of an OBJ file into a V x 3 Float64Array (doubles, so deltas between files are
 * taken before rounding to float32). Other lines are skipped; parsing stops after `expectedCount` vertices
 * when given (upstream ICT shape files repeat the neutral mesh's `vt`/`f` lines after their `v` lines).
 *
 * @param bytes - the file's bytes (ASCII/UTF-8).
 * @param expectedCount - V; the file must hold at least this many `v` lines.
 * @param name - file name for error messages.
 * @throws FormatError when a `v` line has fewer than 3 numbers or the file has too few vertices.
 */
export function parseObjPositions(bytes: Uint8Array, expectedCount: number | undefined, name = 'OBJ file', out?: Float64Array): Float64Array {
  const end = bytes.length;
  const cap = expectedCount ?? countVertexLines(bytes);
  const positions = out ?? new Float64Array(cap * 3);
  if (positions.length < cap * 3) throw new RangeError(`output holds ${positions.length} values, need ${cap * 3}`);
  let count = 0;
  let pos = 0;
  while (pos < end && count < cap) {
    const c0 = bytes[pos];
    if (c0 === 118 /* v */ && pos + 1 < end && isBlank(bytes[pos + 1])) {
      const base = count * 3;
      let p = pos + 2;
      for (let k = 0; k < 3; k++) {
        const x = scanNumber(bytes, p, end);
        if (Number.isNaN(x)) throw new FormatError(`${name}: vertex ${count + 1} (a 'v' line) has fewer than 3 numbers`);
        positions[base + k] = x;
        p = cursor;
      }
      count++;
      pos = skipLine(bytes, p, end);
    } else {
      pos = skipLine(bytes, pos, end);
    }
  }
  if (expectedCount !== undefined && count < expectedCount) {
    throw new FormatError(`${name}: ${count} vertices, expected ${expectedCount} (is it an ICT-FaceKit mesh of the same topology?)`);
  }
  return positions;
}

/** Counts lines starting with `v ` (for files read without a known vertex count). */
function countVertexLines(bytes: Uint8Array): number {
  let n = 0;
  let pos = 0;
  const end = bytes.length;
  while (pos < end) {
    if (bytes[pos] === 118 && pos + 1 < end && isBlank(bytes[pos + 1])) n++;
    pos = skipLine(bytes, pos, end);
  }
  return n;
}

/** The full neutral mesh: positions, UVs and triangulated polygons. */
export interface ObjTopology {
  /** V x 3 positions (doubles). */
  positions: Float64Array;
  /** T x 2 texture coordinates (`vt`), empty when the file has none. */
  uvs: Float32Array;
  /** F x 3 vertex indices (0-based); polygons are fan-triangulated (a quad a,b,c,d -> a,b,c + a,c,d). */
  triangles: Uint32Array;
  /** F x 3 texture coordinate indices, or undefined when some polygon corner has no `vt` index. */
  uvTriangles?: Uint32Array;
  /** F: the source polygon of each triangle. */
  triangleToPolygon: Uint32Array;
  /** Number of source polygons. */
  polygonCount: number;
}

/**
 * Reads positions (`v`), texture coordinates (`vt`) and faces (`f`, any polygon size, `v`, `v/vt`, `v/vt/vn`,
 * `v//vn` and negative indices) of an OBJ file. Normals and groups/materials are ignored.
 * @throws FormatError on malformed face lines or out-of-range indices.
 */
export function parseObjTopology(bytes: Uint8Array, name = 'OBJ file'): ObjTopology {
  const end = bytes.length;
  let pos = 0;
  let vCap = 1 << 15, vtCap = 1 << 15, fCap = 1 << 16;
  let positions = new Float64Array(vCap * 3);
  let uvs = new Float32Array(vtCap * 2);
  let tri = new Uint32Array(fCap * 3);
  let triUv = new Uint32Array(fCap * 3);
  let triPoly = new Uint32Array(fCap);
  let nv = 0, nvt = 0, nf = 0, polygons = 0;
  let uvComplete = true;
  const cornerV: number[] = [];
  const cornerT: number[] = [];
  let line = 0;
  while (pos < end) {
    line++;
    const c0 = bytes[pos];
    if (c0 === 118 /* v */) {
      const c1 = bytes[pos + 1];
      if (isBlank(c1)) {
        if (nv === vCap) positions = grow(positions, (vCap *= 2) * 3);
        let p = pos + 2;
        for (let k = 0; k < 3; k++) {
          const x = scanNumber(bytes, p, end);
          if (Number.isNaN(x)) throw new FormatError(`${name}:${line}: a 'v' line needs 3 numbers`);
          positions[nv * 3 + k] = x;
          p = cursor;
        }
        nv++;
        pos = skipLine(bytes, p, end);
        continue;
      }
      if (c1 === 116 /* t */ && isBlank(bytes[pos + 2])) {
        if (nvt === vtCap) uvs = grow(uvs, (vtCap *= 2) * 2);
        let p = pos + 3;
        for (let k = 0; k < 2; k++) {
          const x = scanNumber(bytes, p, end);
          if (Number.isNaN(x)) throw new FormatError(`${name}:${line}: a 'vt' line needs 2 numbers`);
          uvs[nvt * 2 + k] = x;
          p = cursor;
        }
        nvt++;
        pos = skipLine(bytes, p, end);
        continue;
      }
    } else if (c0 === 102 /* f */ && isBlank(bytes[pos + 1])) {
      cornerV.length = 0;
      cornerT.length = 0;
      let p = pos + 2;
      for (;;) {
        while (p < end && isBlank(bytes[p])) p++;
        if (p >= end || bytes[p] === LF || bytes[p] === CR || bytes[p] === HASH) break;
        const vi = scanNumber(bytes, p, end);
        if (!Number.isInteger(vi) || vi === 0) throw new FormatError(`${name}:${line}: bad face vertex index`);
        p = cursor;
        let ti = 0;
        if (bytes[p] === SLASH) {
          p++;
          if (bytes[p] !== SLASH) {
            ti = scanNumber(bytes, p, end);
            if (!Number.isInteger(ti) || ti === 0) throw new FormatError(`${name}:${line}: bad face texture index`);
            p = cursor;
          }
          if (bytes[p] === SLASH) {
            p++;
            scanNumber(bytes, p, end); // normal index: not needed
            p = cursor;
          }
        }
        cornerV.push(vi < 0 ? nv + vi : vi - 1);
        cornerT.push(ti === 0 ? -1 : ti < 0 ? nvt + ti : ti - 1);
      }
      if (cornerV.length < 3) throw new FormatError(`${name}:${line}: a face needs at least 3 corners`);
      for (let k = 1; k + 1 < cornerV.length; k++) {
        if (nf === fCap) {
          fCap *= 2;
          tri = grow(tri, fCap * 3);
          triUv = grow(triUv, fCap * 3);
          triPoly = grow(triPoly, fCap);
        }
        const o = nf * 3;
        tri[o] = cornerV[0]; tri[o + 1] = cornerV[k]; tri[o + 2] = cornerV[k + 1];
        const t0 = cornerT[0], t1 = cornerT[k], t2 = cornerT[k + 1];
        if (t0 < 0 || t1 < 0 || t2 < 0) uvComplete = false;
        triUv[o] = t0; triUv[o + 1] = t1; triUv[o + 2] = t2;
        triPoly[nf] = polygons;
        nf++;
      }
      polygons++;
      pos = skipLine(bytes, p, end);
      continue;
    }
    pos = skipLine(bytes, pos, end);
  }
  const triangles = tri.slice(0, nf * 3);
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= nv) throw new FormatError(`${name}: face index ${triangles[i] + 1} is beyond the ${nv} vertices`);
  }
  let uvTriangles: Uint32Array | undefined;
  if (uvComplete && nvt > 0) {
    uvTriangles = triUv.slice(0, nf * 3);
    for (let i = 0; i < uvTriangles.length; i++) {
      if (uvTriangles[i] >= nvt) throw new FormatError(`${name}: texture index ${uvTriangles[i] + 1} is beyond the ${nvt} coordinates`);
    }
  }
  return {
    positions: positions.slice(0, nv * 3),
    uvs: uvs.slice(0, nvt * 2),
    triangles,
    ...(uvTriangles ? { uvTriangles } : {}),
    triangleToPolygon: triPoly.slice(0, nf),
    polygonCount: polygons,
  };
}

function grow<T extends Float64Array | Float32Array | Uint32Array>(a: T, length: number): T {
  const b = new (a.constructor as { new (n: number): T })(length);
  b.set(a);
  return b;
}
