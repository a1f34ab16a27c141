/**
 * Wavefront OBJ reading and writing on strings and bytes (browser-safe; file helpers are in `@facekit/core/node`).
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { ByteWriter, decimalsScale, putUint, uintDigits, writeFloatRows } from './byte-writer.js';
import { GrowableF32, GrowableI32, GrowableU32 } from './growable.js';
import { Scanner, toBytes } from './scanner.js';

/** Options of {@link parseObj}. */
export interface ObjReadOptions {
  /**
   * Read only the `v` lines (skipping texture coordinates, normals and faces). For loading many blend-shape OBJs
   * that share one topology, where only the positions differ; the returned mesh has no triangles.
   */
  positionsOnly?: boolean;
}

/** What {@link parseObj} returns: the mesh plus the bits of OBJ metadata facekit keeps. */
export interface ObjData {
  /**
   * The mesh: polygons are fan-triangulated (`a b c d` -> `a b c`, `a c d`); texture coordinates are kept
   * OBJ-style in `uvs` + `uvTriangles`; `vn` normals referenced by faces become per-vertex `normals`; `v x y z r g b`
   * lines give per-vertex `colors`.
   */
  mesh: Mesh;
  /** The first `mtllib` file name, as written in the file. */
  mtllib?: string;
  /** Material names from `usemtl`, in order of first use. Face-to-material assignment is not kept. */
  materials: string[];
  /** Number of polygons (`f` lines) before triangulation. */
  faceCount: number;
  /** Things that were dropped or ignored, e.g. texture coordinates used by only some faces. */
  warnings: string[];
}

/**
 * Parses an OBJ file. Accepts `v`, `vt`, `vn` and `f` with every index form (`v`, `v/vt`, `v//vn`, `v/vt/vn`,
 * negative = relative), LF or CRLF line ends; ignores comments, groups, smoothing groups, lines and points.
 * Throws {@link FormatError} naming the line for malformed statements or out-of-range indices.
 */
export function parseObj(input: string | Uint8Array | ArrayBuffer, options: ObjReadOptions = {}): ObjData {
  const bytes = toBytes(input);
  if (options.positionsOnly) {
    return { mesh: { positions: parsePositions(bytes), triangles: new Uint32Array(0) }, materials: [], faceCount: 0, warnings: [] };
  }
  const s = new Scanner(bytes, 'OBJ');
  s.skipBom();
  const b = bytes;
  const n = bytes.length;
  // A 27k-vertex face mesh is ~2.5 MB; rough per-line byte sizes give capacities that rarely need to grow.
  const guess = Math.max(64, (n / 40) | 0);
  const pos = new GrowableF32(guess * 3);
  const col = new GrowableF32(16);
  const vt = new GrowableF32(guess * 2);
  const vn = new GrowableF32(16);
  const tris = new GrowableU32(guess * 3);
  const uvTris = new GrowableI32(guess * 3);
  const nTris = new GrowableI32(guess * 3);
  // Corners of the polygon being read (OBJ polygons are small, but nothing limits them).
  let cv: Int32Array = new Int32Array(16);
  let ct: Int32Array = new Int32Array(16);
  let cn: Int32Array = new Int32Array(16);
  let vCount = 0;
  let colorCount = 0;
  let vtCount = 0;
  let vnCount = 0;
  let facesWithUv = 0;
  let facesWithNormal = 0;
  let faceCount = 0;
  let mtllib: string | undefined;
  const materials: string[] = [];
  const warnings: string[] = [];

  while (s.p < n) {
    let p = s.p;
    while (p < n && (b[p] === 32 || b[p] === 9)) p++;
    const c0 = b[p];
    const c1 = b[p + 1];
    if (c0 === 118 /* v */) {
      if (c1 === 32 || c1 === 9) {
        s.p = p + 2;
        pos.reserve(3);
        pos.data[pos.length++] = s.float();
        pos.data[pos.length++] = s.float();
        pos.data[pos.length++] = s.float();
        // Extras: `w` (ignored), `r g b` (vertex colours, a common extension) or `r g b a`.
        if (!s.atLineEnd()) {
          const e0 = s.float();
          if (s.atLineEnd()) {
            // x y z w: the rational weight, meaningless for meshes.
          } else {
            const e1 = s.float();
            const e2 = s.float();
            if (!s.atLineEnd()) s.float();
            if (!s.atLineEnd()) s.fail(s.p, 'at most 7 numbers on a "v" line');
            // Vertices before the first coloured one get black, so colours stay aligned with vertex indices.
            while (col.length < vCount * 3) col.push(0);
            col.push(e0);
            col.push(e1);
            col.push(e2);
            colorCount++;
          }
        }
        vCount++;
      } else if (c1 === 116 /* t */ && (b[p + 2] === 32 || b[p + 2] === 9)) {
        s.p = p + 3;
        vt.reserve(2);
        vt.data[vt.length++] = s.float();
        // `vt u` alone is legal (v defaults to 0); a third coordinate w is ignored.
        vt.data[vt.length++] = s.atLineEnd() ? 0 : s.float();
        if (!s.atLineEnd()) s.float();
        vtCount++;
      } else if (c1 === 110 /* n */ && (b[p + 2] === 32 || b[p + 2] === 9)) {
        s.p = p + 3;
        vn.push(s.float());
        vn.push(s.float());
        vn.push(s.float());
        vnCount++;
      } else {
        // vp (parameter-space vertices) and unknown v-statements: not part of a polygon mesh.
        s.p = p;
        s.nextLine();
        continue;
      }
      if (!s.atLineEnd()) s.fail(s.p, 'the end of the line');
      s.nextLine();
    } else if (c0 === 102 /* f */ && (c1 === 32 || c1 === 9)) {
      s.p = p + 2;
      let k = 0;
      while (!s.atLineEnd()) {
        if (k === cv.length) {
          cv = grow(cv);
          ct = grow(ct);
          cn = grow(cn);
        }
        const at = s.p;
        const v = s.int();
        let vi = 0;
        if (v > 0) {
          if (v > vCount) s.failWith(at, `vertex index ${v} is out of range: ${vCount} vertices are defined before this line`);
          vi = v - 1;
        } else if (v < 0) {
          vi = vCount + v;
          if (vi < 0) s.failWith(at, `relative vertex index ${v} points before the first vertex (${vCount} defined)`);
        } else s.failWith(at, 'vertex index 0 is invalid (OBJ indices start at 1)');
        let ti = -1;
        let ni = -1;
        if (b[s.p] === 47 /* / */) {
          s.p++;
          if (b[s.p] !== 47) {
            const tat = s.p;
            const t = s.int();
            ti = t > 0 ? t - 1 : vtCount + t;
            if (t === 0 || ti < 0 || ti >= vtCount) {
              s.failWith(tat, `texture coordinate index ${t} is out of range: ${vtCount} are defined before this line`);
            }
          }
          if (b[s.p] === 47) {
            s.p++;
            const nat = s.p;
            const m = s.int();
            ni = m > 0 ? m - 1 : vnCount + m;
            if (m === 0 || ni < 0 || ni >= vnCount) {
              s.failWith(nat, `normal index ${m} is out of range: ${vnCount} are defined before this line`);
            }
          }
        }
        const nb = b[s.p];
        if (s.p < n && nb !== 32 && nb !== 9 && nb !== 13 && nb !== 10) s.fail(s.p, 'a face corner "v", "v/vt", "v//vn" or "v/vt/vn"');
        cv[k] = vi;
        ct[k] = ti;
        cn[k] = ni;
        k++;
      }
      if (k < 3) s.failWith(p, `a face needs at least 3 corners, this one has ${k}`);
      const hasUv = ct[0] >= 0;
      const hasN = cn[0] >= 0;
      for (let i = 1; i < k; i++) {
        if (ct[i] >= 0 !== hasUv) s.failWith(p, 'the face mixes corners with and without texture coordinates');
        if (cn[i] >= 0 !== hasN) s.failWith(p, 'the face mixes corners with and without normals');
      }
      if (hasUv) facesWithUv++;
      if (hasN) facesWithNormal++;
      faceCount++;
      // Fan triangulation keeps the winding of convex (and star-shaped from corner 0) polygons, which is what
      // modelling tools export; quads of face meshes are all of this kind.
      const nt = (k - 2) * 3;
      tris.reserve(nt);
      uvTris.reserve(nt);
      nTris.reserve(nt);
      const td = tris.data;
      const ud = uvTris.data;
      const nd = nTris.data;
      let o = tris.length;
      for (let i = 1; i < k - 1; i++) {
        td[o] = cv[0];
        td[o + 1] = cv[i];
        td[o + 2] = cv[i + 1];
        ud[o] = ct[0];
        ud[o + 1] = ct[i];
        ud[o + 2] = ct[i + 1];
        nd[o] = cn[0];
        nd[o + 1] = cn[i];
        nd[o + 2] = cn[i + 1];
        o += 3;
      }
      tris.length = o;
      uvTris.length = o;
      nTris.length = o;
      s.nextLine();
    } else if (c0 === 109 /* m */ && startsWithWord(b, p, MTLLIB)) {
      s.p = p + MTLLIB.length;
      const name = s.restOfLine();
      if (name.length === 0) s.fail(p, 'a file name after "mtllib"');
      mtllib ??= name;
      s.nextLine();
    } else if (c0 === 117 /* u */ && startsWithWord(b, p, USEMTL)) {
      s.p = p + USEMTL.length;
      const name = s.restOfLine();
      if (name.length > 0 && !materials.includes(name)) materials.push(name);
      s.nextLine();
    } else {
      // Comments, g, o, s, l, p, blank lines and statements facekit has no use for.
      s.p = p;
      s.nextLine();
    }
  }

  const positions = pos.toArray();
  const triangles = tris.toArray();
  const mesh: Mesh = { positions, triangles };

  if (vtCount > 0) {
    if (faceCount > 0 && facesWithUv === faceCount) {
      mesh.uvs = vt.toArray();
      mesh.uvTriangles = new Uint32Array(uvTris.data.subarray(0, uvTris.length));
    } else if (facesWithUv > 0) {
      warnings.push(`texture coordinates dropped: only ${facesWithUv} of ${faceCount} faces have them`);
    } else warnings.push(`texture coordinates dropped: ${vtCount} "vt" lines but no face refers to them`);
  }

  if (vnCount > 0) {
    if (faceCount > 0 && facesWithNormal === faceCount) {
      // OBJ normals are per corner; facekit meshes hold one per vertex, so the last corner referring to a vertex
      // wins. For smooth meshes (one normal per vertex, the usual export) this loses nothing.
      const normals = new Float32Array(positions.length);
      const nd = nTris.data;
      const vd = vn.data;
      for (let i = 0; i < triangles.length; i++) {
        const v = triangles[i] * 3;
        const m = nd[i] * 3;
        normals[v] = vd[m];
        normals[v + 1] = vd[m + 1];
        normals[v + 2] = vd[m + 2];
      }
      mesh.normals = normals;
    } else if (facesWithNormal === 0 && vnCount === vCount) {
      mesh.normals = vn.toArray();
    } else warnings.push(`normals dropped: ${facesWithNormal} of ${faceCount} faces refer to them`);
  }

  if (colorCount > 0) {
    if (colorCount === vCount) mesh.colors = col.toArray();
    else warnings.push(`vertex colours dropped: only ${colorCount} of ${vCount} vertices have them`);
  }
  const out: ObjData = { mesh, materials, faceCount, warnings };
  if (mtllib !== undefined) out.mtllib = mtllib;
  return out;
}

/**
 * Reads only the vertex positions of an OBJ file (V x 3), the fast path for blend-shape sets that share a
 * topology. Same number syntax and error reporting as {@link parseObj}.
 */
export function parseObjPositions(input: string | Uint8Array | ArrayBuffer): Float32Array {
  return parsePositions(toBytes(input));
}

function parsePositions(bytes: Uint8Array): Float32Array {
  const s = new Scanner(bytes, 'OBJ');
  s.skipBom();
  const b = bytes;
  const n = bytes.length;
  const pos = new GrowableF32(Math.max(64, (n / 30) | 0));
  while (s.p < n) {
    let p = s.p;
    while (p < n && (b[p] === 32 || b[p] === 9)) p++;
    if (b[p] === 118 && (b[p + 1] === 32 || b[p + 1] === 9)) {
      s.p = p + 2;
      pos.reserve(3);
      pos.data[pos.length++] = s.float();
      pos.data[pos.length++] = s.float();
      pos.data[pos.length++] = s.float();
    }
    s.nextLine();
  }
  return pos.toArray();
}

const MTLLIB = [109, 116, 108, 108, 105, 98];
const USEMTL = [117, 115, 101, 109, 116, 108];

function startsWithWord(b: Uint8Array, p: number, word: number[]): boolean {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  const c = b[p + word.length];
  return c === 32 || c === 9;
}

function grow(a: Int32Array): Int32Array {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

/** Options of {@link writeObj} / {@link encodeObj}. */
export interface ObjWriteOptions {
  /** Writes `mtllib <name>` (the MTL file, relative to the OBJ). */
  mtllib?: string;
  /** Writes `usemtl <name>` before the faces. */
  materialName?: string;
  /** Fractional digits of coordinates (0..9), trailing zeros dropped. Default 6 (micrometres for metres). */
  decimals?: number;
  /** Comment lines written at the top (without the leading `#`). */
  comment?: string;
  /** Write `vn` normals when the mesh has them. Default true. */
  normals?: boolean;
  /** Write per-vertex colours as `v x y z r g b` when the mesh has them. Default true. */
  colors?: boolean;
  /** Write texture coordinates when the mesh has them. Default true. */
  uvs?: boolean;
}

/**
 * Encodes a mesh as OBJ bytes (ASCII): `v` (with `r g b` when coloured), `vt` (OBJ-style through `uvTriangles`, or
 * per vertex), `vn`, optional `mtllib`/`usemtl`, and 1-based triangle faces. Numbers are formatted straight into a
 * byte buffer, which is what makes a 27k-vertex mesh take milliseconds rather than tens of them.
 */
export function encodeObj(mesh: Mesh, options: ObjWriteOptions = {}): Uint8Array {
  return writeObjBytes(mesh, options).toBytes();
}

/** {@link encodeObj} as a string. */
export function writeObj(mesh: Mesh, options: ObjWriteOptions = {}): string {
  return writeObjBytes(mesh, options).toString();
}

function badIndex(j: number, v: number, nv: number, t: number, nt: number): RangeError {
  return v >= nv
    ? new RangeError(`mesh.triangles[${j}] = ${v} but the mesh has only ${nv} vertices`)
    : new RangeError(`mesh.uvTriangles[${j}] = ${t} but there are only ${nt} uvs`);
}

function writeObjBytes(mesh: Mesh, options: ObjWriteOptions): ByteWriter {
  const decimals = options.decimals ?? 6;
  decimalsScale(decimals);
  const { positions, triangles } = mesh;
  if (positions.length % 3 !== 0) throw new RangeError(`mesh.positions has length ${positions.length}, not a multiple of 3`);
  if (triangles.length % 3 !== 0) throw new RangeError(`mesh.triangles has length ${triangles.length}, not a multiple of 3`);
  const nv = positions.length / 3;
  const uvs = options.uvs === false ? undefined : mesh.uvs;
  const uvTris = uvs ? mesh.uvTriangles : undefined;
  const normals = options.normals === false ? undefined : mesh.normals;
  const colors = options.colors === false ? undefined : mesh.colors;
  if (uvs) {
    if (uvTris && uvTris.length !== triangles.length) {
      throw new RangeError(`mesh.uvTriangles has length ${uvTris.length} but mesh.triangles has ${triangles.length}`);
    }
    if (!uvTris && uvs.length !== nv * 2) throw new RangeError(`mesh.uvs holds ${uvs.length / 2} uvs for ${nv} vertices and no uvTriangles`);
  }
  if (normals && normals.length !== positions.length) throw new RangeError('mesh.normals must have the length of mesh.positions');
  if (colors && colors.length !== positions.length) throw new RangeError('mesh.colors must have the length of mesh.positions');
  const nt = uvs ? uvs.length / 2 : 0;

  // A close estimate of the size (11 bytes per number, 7 per index) avoids regrowing a multi-megabyte buffer.
  const w = new ByteWriter(nv * (colors ? 70 : 36) + nt * 24 + (normals ? nv * 36 : 0) + triangles.length * (normals ? 16 : 12) + 1024);
  if (options.comment) {
    for (const line of options.comment.split(/\r?\n/)) w.text(`# ${line}\n`);
  }
  if (options.mtllib) w.text(`mtllib ${options.mtllib}\n`);
  // The hot loops reserve room for a whole block at once (bounded from the largest magnitude / index) and keep the
  // buffer and position in locals: no per-number capacity checks or method calls, which is what makes this fast.
  writeFloatRows(w, 'v', positions, 3, decimals, colors, colors ? 3 : 0);
  if (uvs) writeFloatRows(w, 'vt', uvs, 2, decimals);
  if (normals) writeFloatRows(w, 'vn', normals, 3, decimals);
  if (options.materialName) w.text(`usemtl ${options.materialName}\n`);
  const dv = uintDigits(nv);
  const dt = uintDigits(Math.max(nt, 1));
  // Per triangle: "f" + 3 x (" " + v + "/" + vt + "/" + vn) + "\n".
  w.ensure((triangles.length / 3) * (2 + 3 * (3 + 2 * dv + dt)));
  const buf = w.buf;
  let p = w.pos;
  const nf = triangles.length;
  // Separate loops per corner form keep the inner loops branch-free; indices are range-checked as they are
  // written because a bad index would silently produce a file other tools reject.
  if (uvs && uvTris) {
    const sep = normals ? 1 : 0;
    for (let j = 0; j < nf; j += 3) {
      buf[p++] = 102;
      for (let k = j; k < j + 3; k++) {
        const v = triangles[k];
        const t = uvTris[k];
        if (v >= nv || t >= nt) throw badIndex(k, v, nv, t, nt);
        buf[p++] = 32;
        p = putUint(buf, p, v + 1);
        buf[p++] = 47;
        p = putUint(buf, p, t + 1);
        if (sep) {
          buf[p++] = 47;
          p = putUint(buf, p, v + 1);
        }
      }
      buf[p++] = 10;
    }
  } else {
    // "v", "v/v" (per-vertex uvs), "v//v" (normals) or "v/v/v".
    const copies = (uvs ? 1 : 0) + (normals ? 1 : 0);
    const gap = uvs ? 0 : 1;
    for (let j = 0; j < nf; j += 3) {
      buf[p++] = 102;
      for (let k = j; k < j + 3; k++) {
        const v = triangles[k];
        if (v >= nv) throw badIndex(k, v, nv, 0, 1);
        buf[p++] = 32;
        p = putUint(buf, p, v + 1);
        for (let c = 0; c < copies; c++) {
          buf[p++] = 47;
          if (gap && c === 0) buf[p++] = 47;
          p = putUint(buf, p, v + 1);
        }
      }
      buf[p++] = 10;
    }
  }
  w.pos = p;
  return w;
}
