/**
 * Stanford PLY reading and writing in the three encodings (ascii, binary little and big endian), on bytes.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { FormatError } from '../util/errors.js';
import { ByteWriter, MAX_FIXED_BYTES, MAX_UINT_BYTES, decimalsScale, putFixed, putUint } from './byte-writer.js';
import { GrowableF32, GrowableU32 } from './growable.js';
import { Scanner, toBytes } from './scanner.js';

/** The encodings of a PLY body. */
export type PlyFormat = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

/** What {@link parsePly} returns. */
export interface PlyData {
  /**
   * The mesh: `x y z` positions, optional `nx ny nz` normals, `red green blue` colours scaled to [0, 1], per-vertex
   * uvs from `s t` / `u v` / `texture_u texture_v`, or per-corner uvs from a face `texcoord` list (MeshLab's
   * convention) as `uvs` + `uvTriangles`. Polygons are fan-triangulated.
   */
  mesh: Mesh;
  /** Encoding of the body. */
  format: PlyFormat;
  /** `comment` lines of the header. */
  comments: string[];
  /** Number of polygons (face element count) before triangulation. */
  faceCount: number;
}

/** PLY scalar types (both the classic and the sized spellings). */
type ScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

const TYPE_ALIASES: Record<string, ScalarType> = {
  char: 'int8',
  int8: 'int8',
  uchar: 'uint8',
  uint8: 'uint8',
  short: 'int16',
  int16: 'int16',
  ushort: 'uint16',
  uint16: 'uint16',
  int: 'int32',
  int32: 'int32',
  uint: 'uint32',
  uint32: 'uint32',
  float: 'float32',
  float32: 'float32',
  double: 'float64',
  float64: 'float64',
};

const TYPE_SIZE: Record<ScalarType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

interface PlyProperty {
  name: string;
  type: ScalarType;
  /** Type of the element count, for list properties. */
  countType?: ScalarType;
}

interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

interface PlyHeader {
  format: PlyFormat;
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the body. */
  bodyOffset: number;
}

const VERTEX_ROLES: Record<string, number> = {
  x: 0,
  y: 1,
  z: 2,
  nx: 3,
  ny: 4,
  nz: 5,
  red: 6,
  green: 7,
  blue: 8,
  diffuse_red: 6,
  diffuse_green: 7,
  diffuse_blue: 8,
  r: 6,
  g: 7,
  b: 8,
  s: 9,
  t: 10,
  u: 9,
  v: 10,
  texture_u: 9,
  texture_v: 10,
  texture_s: 9,
  texture_t: 10,
};

/**
 * Parses a PLY file in any of the three encodings. Throws {@link FormatError} for a missing or damaged header
 * (unknown format, types or statements, no `end_header`), for a vertex element without x/y/z, for out-of-range
 * face indices and for a body that ends early. Elements other than `vertex` and `face` are read and skipped.
 */
export function parsePly(input: string | Uint8Array | ArrayBuffer): PlyData {
  const bytes = toBytes(input);
  const header = parseHeader(bytes);
  const vertexEl = header.elements.find((e) => e.name === 'vertex');
  if (!vertexEl) throw new FormatError('PLY header declares no "vertex" element');
  const nv = vertexEl.count;
  const roleOf = vertexEl.properties.map((p) => (p.countType ? -1 : (VERTEX_ROLES[p.name] ?? -1)));
  for (const axis of ['x', 'y', 'z']) {
    if (!vertexEl.properties.some((p) => p.name === axis && !p.countType)) {
      throw new FormatError(`PLY vertex element has no scalar "${axis}" property`);
    }
  }
  const has = (r: number): boolean => roleOf.includes(r);
  const positions = new Float32Array(nv * 3);
  const normals = has(3) && has(4) && has(5) ? new Float32Array(nv * 3) : undefined;
  const colors = has(6) && has(7) && has(8) ? new Float32Array(nv * 3) : undefined;
  const vertexUvs = has(9) && has(10) ? new Float32Array(nv * 2) : undefined;
  // Integer colour channels are scaled to [0, 1]; float channels are taken as they are.
  const colorScale = vertexEl.properties.map((p) => (p.type === 'uint8' ? 1 / 255 : p.type === 'uint16' ? 1 / 65535 : 1));

  const tris = new GrowableU32(1024);
  const cornerUvs = new GrowableF32(16);
  const uvTris = new GrowableU32(16);
  let faceCount = 0;
  let facesWithUv = 0;
  const corners: number[] = [];
  const cornerTex: number[] = [];

  const reader = makeReader(bytes, header);
  try {
    for (const el of header.elements) {
      if (el === vertexEl) {
        const props = el.properties;
        for (let i = 0; i < el.count; i++) {
          for (let k = 0; k < props.length; k++) {
            const prop = props[k];
            if (prop.countType) {
              const m = reader.count(prop.countType);
              for (let j = 0; j < m; j++) reader.value(prop.type);
              continue;
            }
            const v = reader.value(prop.type);
            const role = roleOf[k];
            if (role < 0) continue;
            if (role < 3) positions[i * 3 + role] = v;
            else if (role < 6) {
              if (normals) normals[i * 3 + role - 3] = v;
            }
            else if (role < 9) {
              if (colors) colors[i * 3 + role - 6] = v * colorScale[k];
            } else if (vertexUvs) vertexUvs[i * 2 + role - 9] = v;
          }
        }
      } else if (el.name === 'face') {
        const props = el.properties;
        const idxProp = props.findIndex((p) => p.countType && (p.name === 'vertex_indices' || p.name === 'vertex_index'));
        if (idxProp < 0) throw new FormatError('PLY face element has no "vertex_indices" list property');
        const texProp = props.findIndex((p) => p.countType && p.name === 'texcoord');
        faceCount = el.count;
        for (let i = 0; i < el.count; i++) {
          corners.length = 0;
          cornerTex.length = 0;
          for (let k = 0; k < props.length; k++) {
            const prop = props[k];
            if (!prop.countType) {
              reader.value(prop.type);
              continue;
            }
            const m = reader.count(prop.countType);
            if (k === idxProp) {
              for (let j = 0; j < m; j++) {
                const v = reader.value(prop.type);
                if (!(v >= 0 && v < nv) || v !== Math.floor(v)) {
                  throw reader.error(`face ${i} refers to vertex ${v}, but there are ${nv} vertices`);
                }
                corners.push(v);
              }
            } else if (k === texProp) {
              for (let j = 0; j < m; j++) cornerTex.push(reader.value(prop.type));
            } else for (let j = 0; j < m; j++) reader.value(prop.type);
          }
          const k = corners.length;
          if (k < 3) throw reader.error(`face ${i} has ${k} vertices; a polygon needs at least 3`);
          const withUv = cornerTex.length === 2 * k;
          let base = 0;
          if (withUv) {
            facesWithUv++;
            base = cornerUvs.length / 2;
            for (let j = 0; j < cornerTex.length; j++) cornerUvs.push(cornerTex[j]);
          }
          // Fan triangulation, as for OBJ: exact for the convex polygons mesh tools write.
          for (let j = 1; j < k - 1; j++) {
            tris.push(corners[0]);
            tris.push(corners[j]);
            tris.push(corners[j + 1]);
            if (withUv) {
              uvTris.push(base);
              uvTris.push(base + j);
              uvTris.push(base + j + 1);
            }
          }
        }
      } else {
        for (let i = 0; i < el.count; i++) {
          for (const prop of el.properties) {
            const m = prop.countType ? reader.count(prop.countType) : 1;
            for (let j = 0; j < m; j++) reader.value(prop.type);
          }
        }
      }
    }
  } catch (error) {
    // DataView reads past the end throw RangeError: report it as the truncated file it is.
    if (error instanceof RangeError) {
      throw new FormatError('PLY body ends before all elements declared in the header were read (truncated file?)', { cause: error });
    }
    throw error;
  }

  const mesh: Mesh = { positions, triangles: tris.toArray() };
  if (normals) mesh.normals = normals;
  if (colors) mesh.colors = colors;
  if (vertexUvs) mesh.uvs = vertexUvs;
  else if (faceCount > 0 && facesWithUv === faceCount) {
    mesh.uvs = cornerUvs.toArray();
    mesh.uvTriangles = uvTris.toArray();
  }
  return { mesh, format: header.format, comments: header.comments, faceCount };
}

const END_HEADER = [101, 110, 100, 95, 104, 101, 97, 100, 101, 114]; // "end_header"

function parseHeader(bytes: Uint8Array): PlyHeader {
  if (!(bytes[0] === 112 && bytes[1] === 108 && bytes[2] === 121 && (bytes[3] === 10 || bytes[3] === 13))) {
    throw new FormatError('not a PLY file: it does not start with the line "ply"');
  }
  // Find "end_header" at a line start; the header is ASCII, the body may be binary.
  let end = -1;
  for (let i = bytes.indexOf(101, 4); i >= 0; i = bytes.indexOf(101, i + 1)) {
    if (bytes[i - 1] !== 10) continue;
    let ok = true;
    for (let k = 0; k < END_HEADER.length; k++) {
      if (bytes[i + k] !== END_HEADER[k]) {
        ok = false;
        break;
      }
    }
    if (ok) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new FormatError('PLY header has no "end_header" line (truncated or damaged file)');
  let bodyOffset = end + END_HEADER.length;
  while (bodyOffset < bytes.length && (bytes[bodyOffset] === 32 || bytes[bodyOffset] === 9 || bytes[bodyOffset] === 13)) bodyOffset++;
  if (bytes[bodyOffset] === 10) bodyOffset++;
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end));
  const lines = text.split('\n');
  let format: PlyFormat | undefined;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li].replace(/\r$/, '').trim();
    if (line.length === 0) continue;
    const where = `PLY header line ${li + 1}`;
    const parts = line.split(/\s+/);
    switch (parts[0]) {
      case 'format': {
        const f = parts[1];
        if (f !== 'ascii' && f !== 'binary_little_endian' && f !== 'binary_big_endian') {
          throw new FormatError(`${where}: unknown format "${f ?? ''}" (expected ascii, binary_little_endian or binary_big_endian)`);
        }
        if (parts[2] !== '1.0') throw new FormatError(`${where}: unsupported PLY version "${parts[2] ?? ''}" (expected 1.0)`);
        format = f;
        break;
      }
      case 'comment':
        comments.push(line.slice(7).trim());
        break;
      case 'obj_info':
        break;
      case 'element': {
        const count = Number(parts[2]);
        if (parts.length !== 3 || !Number.isInteger(count) || count < 0) {
          throw new FormatError(`${where}: expected "element <name> <count>", got "${line}"`);
        }
        elements.push({ name: parts[1], count, properties: [] });
        break;
      }
      case 'property': {
        const el = elements[elements.length - 1];
        if (!el) throw new FormatError(`${where}: "property" before any "element"`);
        if (parts[1] === 'list') {
          const countType = TYPE_ALIASES[parts[2]];
          const type = TYPE_ALIASES[parts[3]];
          if (parts.length !== 5 || !countType || !type) {
            throw new FormatError(`${where}: expected "property list <count type> <item type> <name>", got "${line}"`);
          }
          if (countType === 'float32' || countType === 'float64') throw new FormatError(`${where}: a list count cannot be a float type`);
          el.properties.push({ name: parts[4], type, countType });
        } else {
          const type = TYPE_ALIASES[parts[1]];
          if (parts.length !== 3 || !type) throw new FormatError(`${where}: expected "property <type> <name>" with a PLY type, got "${line}"`);
          el.properties.push({ name: parts[2], type });
        }
        break;
      }
      default:
        throw new FormatError(`${where}: unknown header statement "${parts[0]}"`);
    }
  }
  if (!format) throw new FormatError('PLY header has no "format" line');
  return { format, elements, comments, bodyOffset };
}

interface ValueReader {
  value(type: ScalarType): number;
  count(type: ScalarType): number;
  error(message: string): FormatError;
}

function makeReader(bytes: Uint8Array, header: PlyHeader): ValueReader {
  if (header.format === 'ascii') {
    const s = new Scanner(bytes, 'PLY');
    s.p = header.bodyOffset;
    return {
      value(): number {
        s.skipWhitespace();
        return s.float();
      },
      count(): number {
        s.skipWhitespace();
        const at = s.p;
        const v = s.float();
        if (!Number.isInteger(v) || v < 0) s.fail(at, 'a list length (non-negative integer)');
        return v;
      },
      error(message: string): FormatError {
        return new FormatError(`PLY line ${s.lineOf(s.p)}: ${message}`);
      },
    };
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = header.format === 'binary_little_endian';
  let off = header.bodyOffset;
  const value = (type: ScalarType): number => {
    let v: number;
    switch (type) {
      case 'float32':
        v = dv.getFloat32(off, le);
        break;
      case 'int32':
        v = dv.getInt32(off, le);
        break;
      case 'uint32':
        v = dv.getUint32(off, le);
        break;
      case 'uint8':
        v = dv.getUint8(off);
        break;
      case 'int8':
        v = dv.getInt8(off);
        break;
      case 'int16':
        v = dv.getInt16(off, le);
        break;
      case 'uint16':
        v = dv.getUint16(off, le);
        break;
      case 'float64':
        v = dv.getFloat64(off, le);
        break;
    }
    off += TYPE_SIZE[type];
    return v;
  };
  return {
    value,
    count(type: ScalarType): number {
      const v = value(type);
      if (v < 0) throw new FormatError(`PLY byte ${off}: negative list length ${v}`);
      return v;
    },
    error(message: string): FormatError {
      return new FormatError(`PLY byte ${off}: ${message}`);
    },
  };
}

/** Options of {@link encodePly}. */
export interface PlyWriteOptions {
  /** Encoding. Default `binary_little_endian` (compact, exact float32 round trip). */
  format?: PlyFormat;
  /** Header comment lines. */
  comments?: string[];
  /** Fractional digits of ascii floats (0..9). Default 6. */
  decimals?: number;
  /** Write normals when the mesh has them. Default true. */
  normals?: boolean;
  /** Write colours (as uchar red/green/blue) when the mesh has them. Default true. */
  colors?: boolean;
  /** Write uvs when the mesh has them: per vertex as `s t`, OBJ-style as a face `texcoord` list. Default true. */
  uvs?: boolean;
}

/**
 * Encodes a mesh as PLY: `float x y z`, optional `float nx ny nz`, `uchar red green blue`, `float s t`, and faces as
 * `list uchar int vertex_indices` (plus `list uchar float texcoord` for OBJ-style uvs, as MeshLab writes them).
 */
export function encodePly(mesh: Mesh, options: PlyWriteOptions = {}): Uint8Array {
  const format = options.format ?? 'binary_little_endian';
  const { positions, triangles } = mesh;
  if (positions.length % 3 !== 0) throw new RangeError(`mesh.positions has length ${positions.length}, not a multiple of 3`);
  if (triangles.length % 3 !== 0) throw new RangeError(`mesh.triangles has length ${triangles.length}, not a multiple of 3`);
  const nv = positions.length / 3;
  const nf = triangles.length / 3;
  const normals = options.normals === false ? undefined : mesh.normals;
  const colors = options.colors === false ? undefined : mesh.colors;
  const uvs = options.uvs === false ? undefined : mesh.uvs;
  const uvTris = uvs ? mesh.uvTriangles : undefined;
  const vertexUvs = uvs && !uvTris ? uvs : undefined;
  if (normals && normals.length !== positions.length) throw new RangeError('mesh.normals must have the length of mesh.positions');
  if (colors && colors.length !== positions.length) throw new RangeError('mesh.colors must have the length of mesh.positions');
  if (vertexUvs && vertexUvs.length !== nv * 2) throw new RangeError(`mesh.uvs holds ${vertexUvs.length / 2} uvs for ${nv} vertices and no uvTriangles`);
  if (uvTris && uvTris.length !== triangles.length) throw new RangeError('mesh.uvTriangles must have the length of mesh.triangles');
  const nt = uvs ? uvs.length / 2 : 0;
  for (let i = 0; i < triangles.length; i++) {
    if (triangles[i] >= nv) throw new RangeError(`mesh.triangles[${i}] = ${triangles[i]} but the mesh has only ${nv} vertices`);
    if (uvTris && uvTris[i] >= nt) throw new RangeError(`mesh.uvTriangles[${i}] = ${uvTris[i]} but there are only ${nt} uvs`);
  }

  const head: string[] = ['ply', `format ${format} 1.0`];
  for (const c of options.comments ?? []) for (const line of c.split(/\r?\n/)) head.push(`comment ${line}`);
  head.push(`element vertex ${nv}`, 'property float x', 'property float y', 'property float z');
  if (normals) head.push('property float nx', 'property float ny', 'property float nz');
  if (colors) head.push('property uchar red', 'property uchar green', 'property uchar blue');
  if (vertexUvs) head.push('property float s', 'property float t');
  head.push(`element face ${nf}`, 'property list uchar int vertex_indices');
  if (uvTris) head.push('property list uchar float texcoord');
  head.push('end_header', '');
  const headerBytes = new TextEncoder().encode(head.join('\n'));
  const toByte = (c: number): number => (c <= 0 ? 0 : c >= 1 ? 255 : Math.round(c * 255));

  if (format === 'ascii') {
    const decimals = options.decimals ?? 6;
    const scale = decimalsScale(decimals);
    const w = new ByteWriter(headerBytes.length + nv * 40 + nf * 24 + 64);
    w.raw(headerBytes);
    for (let i = 0; i < nv; i++) {
      w.ensure(12 * MAX_FIXED_BYTES);
      const buf = w.buf;
      let p = w.pos;
      p = putFixed(buf, p, positions[i * 3], decimals, scale);
      for (let k = 1; k < 3; k++) {
        buf[p++] = 32;
        p = putFixed(buf, p, positions[i * 3 + k], decimals, scale);
      }
      if (normals) {
        for (let k = 0; k < 3; k++) {
          buf[p++] = 32;
          p = putFixed(buf, p, normals[i * 3 + k], decimals, scale);
        }
      }
      if (colors) {
        for (let k = 0; k < 3; k++) {
          buf[p++] = 32;
          p = putUint(buf, p, toByte(colors[i * 3 + k]));
        }
      }
      if (vertexUvs) {
        for (let k = 0; k < 2; k++) {
          buf[p++] = 32;
          p = putFixed(buf, p, vertexUvs[i * 2 + k], decimals, scale);
        }
      }
      buf[p++] = 10;
      w.pos = p;
    }
    for (let f = 0; f < nf; f++) {
      w.ensure(8 + 3 * MAX_UINT_BYTES + 6 * MAX_FIXED_BYTES);
      const buf = w.buf;
      let p = w.pos;
      buf[p++] = 51; // "3"
      for (let k = 0; k < 3; k++) {
        buf[p++] = 32;
        p = putUint(buf, p, triangles[f * 3 + k]);
      }
      if (uvTris) {
        buf[p++] = 32;
        buf[p++] = 54; // "6"
        for (let k = 0; k < 3; k++) {
          const t = uvTris[f * 3 + k] * 2;
          buf[p++] = 32;
          p = putFixed(buf, p, uvs![t], decimals, scale);
          buf[p++] = 32;
          p = putFixed(buf, p, uvs![t + 1], decimals, scale);
        }
      }
      buf[p++] = 10;
      w.pos = p;
    }
    return w.toBytes();
  }

  const le = format === 'binary_little_endian';
  const vSize = 12 + (normals ? 12 : 0) + (colors ? 3 : 0) + (vertexUvs ? 8 : 0);
  const fSize = 13 + (uvTris ? 25 : 0);
  const out = new Uint8Array(headerBytes.length + nv * vSize + nf * fSize);
  out.set(headerBytes);
  const dv = new DataView(out.buffer);
  let o = headerBytes.length;
  for (let i = 0; i < nv; i++) {
    for (let k = 0; k < 3; k++, o += 4) dv.setFloat32(o, positions[i * 3 + k], le);
    if (normals) for (let k = 0; k < 3; k++, o += 4) dv.setFloat32(o, normals[i * 3 + k], le);
    if (colors) for (let k = 0; k < 3; k++) out[o++] = toByte(colors[i * 3 + k]);
    if (vertexUvs) for (let k = 0; k < 2; k++, o += 4) dv.setFloat32(o, vertexUvs[i * 2 + k], le);
  }
  for (let f = 0; f < nf; f++) {
    out[o++] = 3;
    for (let k = 0; k < 3; k++, o += 4) dv.setInt32(o, triangles[f * 3 + k], le);
    if (uvTris) {
      out[o++] = 6;
      for (let k = 0; k < 3; k++) {
        const t = uvTris[f * 3 + k] * 2;
        dv.setFloat32(o, uvs![t], le);
        dv.setFloat32(o + 4, uvs![t + 1], le);
        o += 8;
      }
    }
  }
  return out;
}
