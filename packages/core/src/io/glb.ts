/**
 * glTF 2.0 binary (GLB) writing, and a small reader for the files facekit writes (one mesh, one primitive).
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { FormatError } from '../util/errors.js';
import { gatherRows, splitUvSeams } from './weld.js';

/** A named morph target (blend shape): per-vertex deltas added to the base mesh, indexed like its vertices. */
export interface MorphTarget {
  /** Name, written to `mesh.extras.targetNames` (what three.js reads into `morphTargetDictionary`). */
  name: string;
  /** Position deltas, V x 3, same vertex order as the base mesh. */
  positions: Float32Array;
  /** Optional normal deltas, V x 3. */
  normals?: Float32Array;
}

/** An encoded image stored inside a GLB. */
export interface GlbImage {
  /** Encoded bytes (PNG or JPEG file content). */
  data: Uint8Array;
  mimeType: 'image/png' | 'image/jpeg';
}

/** Options of {@link encodeGlb}. */
export interface GlbWriteOptions {
  /** Base colour texture: encoded PNG bytes, or an image with its MIME type. Needs uvs on the mesh. */
  texture?: Uint8Array | GlbImage;
  /** Morph targets (blend shapes) of the mesh. */
  morphTargets?: readonly MorphTarget[];
  /** Default morph weights, one per target (default all 0). */
  weights?: readonly number[];
  /** Name of the mesh and its node. Default "face". */
  name?: string;
  /** Name of the material. Default "material". */
  materialName?: string;
  /** Base colour factor RGBA in [0, 1] (multiplies the texture and vertex colours). Default white. */
  baseColor?: readonly [number, number, number, number];
  /** Render both faces of triangles. Default false. */
  doubleSided?: boolean;
  /** Write normals when the mesh has them. Default true. */
  normals?: boolean;
  /** Write vertex colours (COLOR_0) when the mesh has them. Default true. */
  colors?: boolean;
  /** Write uvs (TEXCOORD_0) when the mesh has them. Default true. */
  uvs?: boolean;
  /** `asset.generator`. Default "facekit". */
  generator?: string;
}

/** The parts of a glTF JSON document facekit writes and reads. Unknown properties are kept by the reader. */
export interface GltfDocument {
  asset: { version: string; generator?: string };
  scene?: number;
  scenes?: { nodes?: number[]; name?: string }[];
  nodes?: { mesh?: number; name?: string; children?: number[] }[];
  meshes?: GltfMesh[];
  materials?: GltfMaterial[];
  textures?: { sampler?: number; source?: number }[];
  samplers?: { magFilter?: number; minFilter?: number; wrapS?: number; wrapT?: number }[];
  images?: { bufferView?: number; mimeType?: string; uri?: string; name?: string }[];
  accessors?: GltfAccessor[];
  bufferViews?: GltfBufferView[];
  buffers?: { byteLength: number; uri?: string }[];
  extensionsUsed?: string[];
}

/** A glTF mesh. */
export interface GltfMesh {
  name?: string;
  primitives: GltfPrimitive[];
  weights?: number[];
  extras?: { targetNames?: string[]; [key: string]: unknown };
}

/** A glTF mesh primitive. */
export interface GltfPrimitive {
  attributes: Record<string, number>;
  indices?: number;
  material?: number;
  mode?: number;
  targets?: Record<string, number>[];
}

/** A glTF material (metallic-roughness). */
export interface GltfMaterial {
  name?: string;
  pbrMetallicRoughness?: {
    baseColorFactor?: number[];
    baseColorTexture?: { index: number; texCoord?: number };
    metallicFactor?: number;
    roughnessFactor?: number;
  };
  doubleSided?: boolean;
}

/** A glTF accessor. */
export interface GltfAccessor {
  bufferView?: number;
  byteOffset?: number;
  componentType: number;
  normalized?: boolean;
  count: number;
  type: 'SCALAR' | 'VEC2' | 'VEC3' | 'VEC4' | 'MAT2' | 'MAT3' | 'MAT4';
  min?: number[];
  max?: number[];
  sparse?: unknown;
}

/** A glTF buffer view. */
export interface GltfBufferView {
  buffer: number;
  byteOffset?: number;
  byteLength: number;
  byteStride?: number;
  target?: number;
}

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
const CHUNK_BIN = 0x004e4942; // "BIN\0"
const FLOAT = 5126;
const UNSIGNED_SHORT = 5123;
const UNSIGNED_INT = 5125;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;

/** Collects binary data into 4-byte-aligned buffer views and accessors. */
class BinBuilder {
  readonly views: GltfBufferView[] = [];
  readonly accessors: GltfAccessor[] = [];
  private parts: Uint8Array[] = [];
  private length = 0;

  view(bytes: Uint8Array, target?: number): number {
    // glTF requires accessor offsets aligned to their component size; aligning every view to 4 covers all types.
    const pad = (4 - (this.length % 4)) % 4;
    if (pad) {
      this.parts.push(new Uint8Array(pad));
      this.length += pad;
    }
    const v: GltfBufferView = { buffer: 0, byteOffset: this.length, byteLength: bytes.byteLength };
    if (target !== undefined) v.target = target;
    this.views.push(v);
    this.parts.push(bytes);
    this.length += bytes.byteLength;
    return this.views.length - 1;
  }

  accessor(data: Float32Array | Uint16Array | Uint32Array, type: GltfAccessor['type'], target: number, withBounds: boolean): number {
    const size = type === 'SCALAR' ? 1 : type === 'VEC2' ? 2 : type === 'VEC3' ? 3 : 4;
    const componentType = data instanceof Float32Array ? FLOAT : data instanceof Uint16Array ? UNSIGNED_SHORT : UNSIGNED_INT;
    // The typed array's bytes go in as they are: glTF is little endian, as is every platform JS engines run on.
    const a: GltfAccessor = {
      bufferView: this.view(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), target),
      componentType,
      count: data.length / size,
      type,
    };
    if (withBounds) {
      const [min, max] = bounds(data, size);
      a.min = min;
      a.max = max;
    }
    this.accessors.push(a);
    return this.accessors.length - 1;
  }

  /** The BIN chunk content, zero-padded to 4 bytes as GLB requires. */
  bytes(): Uint8Array {
    const total = align4(this.length);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.byteLength;
    }
    return out;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function bounds(data: ArrayLike<number>, size: number): [number[], number[]] {
  const min = new Array<number>(size).fill(Infinity);
  const max = new Array<number>(size).fill(-Infinity);
  for (let i = 0; i < data.length; i += size) {
    for (let k = 0; k < size; k++) {
      const v = data[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  return [min, max];
}

/**
 * Encodes a mesh as a GLB (glTF 2.0 binary) file: one node, one mesh, one triangle primitive with POSITION
 * (with the min/max the spec requires), NORMAL (renormalised: the spec wants unit length), TEXCOORD_0 (flipped to
 * glTF's top-left origin, v' = 1 - v), COLOR_0 (clamped to [0, 1]), 16- or 32-bit indices, a metallic-roughness
 * material with an optional embedded base colour texture, and optional named morph targets.
 *
 * A mesh with OBJ-style `uvTriangles` is first split along its UV seams ({@link splitUvSeams}) because glTF
 * holds one uv per vertex; normals, colours and morph deltas follow the split.
 */
export function encodeGlb(mesh: Mesh, options: GlbWriteOptions = {}): Uint8Array {
  const nv0 = mesh.positions.length / 3;
  if (mesh.positions.length % 3 !== 0) throw new RangeError(`mesh.positions has length ${mesh.positions.length}, not a multiple of 3`);
  if (mesh.triangles.length % 3 !== 0) throw new RangeError(`mesh.triangles has length ${mesh.triangles.length}, not a multiple of 3`);
  if (nv0 === 0 || mesh.triangles.length === 0) throw new RangeError('cannot write an empty mesh to GLB: glTF accessors need at least one element');
  for (let i = 0; i < mesh.triangles.length; i++) {
    if (mesh.triangles[i] >= nv0) throw new RangeError(`mesh.triangles[${i}] = ${mesh.triangles[i]} but the mesh has only ${nv0} vertices`);
  }
  const useUvs = options.uvs !== false && mesh.uvs !== undefined;
  const base: Mesh = { positions: mesh.positions, triangles: mesh.triangles };
  if (useUvs) {
    base.uvs = mesh.uvs;
    if (mesh.uvTriangles) base.uvTriangles = mesh.uvTriangles;
    else if (mesh.uvs!.length !== nv0 * 2) throw new RangeError(`mesh.uvs holds ${mesh.uvs!.length / 2} uvs for ${nv0} vertices and no uvTriangles`);
  }
  if (options.normals !== false && mesh.normals) base.normals = mesh.normals;
  if (options.colors !== false && mesh.colors) base.colors = mesh.colors;
  if (base.normals && base.normals.length !== mesh.positions.length) throw new RangeError('mesh.normals must have the length of mesh.positions');
  if (base.colors && base.colors.length !== mesh.positions.length) throw new RangeError('mesh.colors must have the length of mesh.positions');
  const texture = options.texture instanceof Uint8Array ? { data: options.texture, mimeType: 'image/png' as const } : options.texture;
  if (texture && !useUvs) throw new RangeError('a GLB texture needs texture coordinates, but the mesh has no uvs');
  const targets = options.morphTargets ?? [];
  for (const t of targets) {
    if (t.positions.length !== mesh.positions.length) {
      throw new RangeError(`morph target "${t.name}" has ${t.positions.length / 3} position deltas for ${nv0} vertices`);
    }
    if (t.normals && t.normals.length !== mesh.positions.length) throw new RangeError(`morph target "${t.name}" normals have the wrong length`);
  }
  if (options.weights && options.weights.length !== targets.length) {
    throw new RangeError(`${options.weights.length} morph weights given for ${targets.length} targets`);
  }

  const { mesh: m, vertexSource } = splitUvSeams(base);
  const split = m !== base;
  const nv = m.positions.length / 3;
  const bin = new BinBuilder();
  const attributes: Record<string, number> = {};
  attributes.POSITION = bin.accessor(m.positions, 'VEC3', ARRAY_BUFFER, true);
  if (m.normals) attributes.NORMAL = bin.accessor(unitNormals(m.normals), 'VEC3', ARRAY_BUFFER, false);
  if (m.uvs) {
    const uv = new Float32Array(m.uvs.length);
    for (let i = 0; i < uv.length; i += 2) {
      uv[i] = m.uvs[i];
      uv[i + 1] = 1 - m.uvs[i + 1];
    }
    attributes.TEXCOORD_0 = bin.accessor(uv, 'VEC2', ARRAY_BUFFER, false);
  }
  if (m.colors) {
    const c = new Float32Array(m.colors.length);
    for (let i = 0; i < c.length; i++) {
      const v = m.colors[i];
      c[i] = v > 0 ? (v < 1 ? v : 1) : 0;
    }
    attributes.COLOR_0 = bin.accessor(c, 'VEC3', ARRAY_BUFFER, false);
  }
  const primitive: GltfPrimitive = { attributes, mode: 4, material: 0 };
  if (targets.length > 0) {
    primitive.targets = targets.map((t) => {
      const entry: Record<string, number> = {};
      const dp = split ? gatherRows(t.positions, 3, vertexSource) : t.positions;
      // The spec requires min/max on morph POSITION accessors too (they bound the morphed mesh).
      entry.POSITION = bin.accessor(dp, 'VEC3', ARRAY_BUFFER, true);
      if (t.normals && m.normals) entry.NORMAL = bin.accessor(split ? gatherRows(t.normals, 3, vertexSource) : t.normals, 'VEC3', ARRAY_BUFFER, false);
      return entry;
    });
  }
  // 16-bit indices halve the index buffer; 65535 is excluded because it is the primitive-restart value.
  const indices = nv < 65535 ? Uint16Array.from(m.triangles) : m.triangles;
  primitive.indices = bin.accessor(indices, 'SCALAR', ELEMENT_ARRAY_BUFFER, false);

  const material: GltfMaterial = {
    name: options.materialName ?? 'material',
    pbrMetallicRoughness: { metallicFactor: 0, roughnessFactor: 1 },
  };
  if (options.baseColor) material.pbrMetallicRoughness!.baseColorFactor = [...options.baseColor];
  if (options.doubleSided) material.doubleSided = true;
  const doc: GltfDocument = {
    asset: { version: '2.0', generator: options.generator ?? 'facekit' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: options.name ?? 'face' }],
    meshes: [],
    materials: [material],
  };
  if (texture) {
    const view = bin.view(texture.data);
    doc.images = [{ bufferView: view, mimeType: texture.mimeType }];
    // Linear filtering with mipmaps; clamp because face textures are UV atlases, not tiling patterns.
    doc.samplers = [{ magFilter: 9729, minFilter: 9987, wrapS: 33071, wrapT: 33071 }];
    doc.textures = [{ sampler: 0, source: 0 }];
    material.pbrMetallicRoughness!.baseColorTexture = { index: 0 };
  }
  const gmesh: GltfMesh = { name: options.name ?? 'face', primitives: [primitive] };
  if (targets.length > 0) {
    gmesh.weights = options.weights ? [...options.weights] : targets.map(() => 0);
    gmesh.extras = { targetNames: targets.map((t) => t.name) };
  }
  doc.meshes = [gmesh];
  const binBytes = bin.bytes();
  doc.accessors = bin.accessors;
  doc.bufferViews = bin.views;
  doc.buffers = [{ byteLength: binBytes.byteLength }];
  return packGlb(doc, binBytes);
}

function unitNormals(n: Float32Array): Float32Array {
  const out = new Float32Array(n.length);
  for (let i = 0; i < n.length; i += 3) {
    const x = n[i];
    const y = n[i + 1];
    const z = n[i + 2];
    const len = Math.sqrt(x * x + y * y + z * z);
    if (len > 1e-12 && Number.isFinite(len)) {
      out[i] = x / len;
      out[i + 1] = y / len;
      out[i + 2] = z / len;
    } else {
      // A degenerate normal (isolated vertex, zero-area fan) has no direction; any unit vector is valid glTF.
      out[i + 2] = 1;
    }
  }
  return out;
}

/** Assembles the GLB container: 12-byte header, JSON chunk padded with spaces, BIN chunk padded with zeros. */
function packGlb(doc: GltfDocument, bin: Uint8Array): Uint8Array {
  const jsonRaw = new TextEncoder().encode(JSON.stringify(doc));
  const jsonLen = align4(jsonRaw.length);
  const total = 12 + 8 + jsonLen + (bin.byteLength > 0 ? 8 + bin.byteLength : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, GLB_MAGIC, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonLen, true);
  dv.setUint32(16, CHUNK_JSON, true);
  out.set(jsonRaw, 20);
  out.fill(0x20, 20 + jsonRaw.length, 20 + jsonLen);
  if (bin.byteLength > 0) {
    const o = 20 + jsonLen;
    dv.setUint32(o, bin.byteLength, true);
    dv.setUint32(o + 4, CHUNK_BIN, true);
    out.set(bin, o + 8);
  }
  return out;
}

/** What {@link parseGlb} returns. */
export interface GlbData {
  /** The glTF JSON document. */
  json: GltfDocument;
  /** The BIN chunk, when present. */
  bin?: Uint8Array;
  /**
   * The first primitive of the first mesh as a facekit mesh: per-vertex uvs converted back to v-up
   * (v = 1 - v'), colours as RGB floats.
   */
  mesh: Mesh;
  /** Morph targets of that primitive, named from `mesh.extras.targetNames` (else "target0", ...). */
  morphTargets: MorphTarget[];
  /** Default morph weights of the mesh. */
  weights?: number[];
  /** The embedded base colour texture of the primitive's material, when there is one. */
  texture?: GlbImage;
}

/** Typed arrays an accessor can produce. */
export type AccessorArray = Float32Array | Uint32Array | Uint16Array | Uint8Array | Int16Array | Int8Array;

/**
 * Parses a GLB file and extracts the first mesh primitive. Enough for the files {@link encodeGlb} writes and
 * other simple single-mesh assets; scene graphs, skins and animations are not interpreted (`json` has them).
 * Throws {@link FormatError} for a bad container, external buffers, sparse accessors or non-triangle primitives.
 */
export function parseGlb(input: Uint8Array | ArrayBuffer): GlbData {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteLength < 20) throw new FormatError(`not a GLB file: ${bytes.byteLength} bytes is shorter than a GLB header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== GLB_MAGIC) throw new FormatError('not a GLB file: the magic bytes "glTF" are missing');
  const version = dv.getUint32(4, true);
  if (version !== 2) throw new FormatError(`GLB version ${version} is not supported (only glTF 2.0)`);
  const total = dv.getUint32(8, true);
  if (total > bytes.byteLength) throw new FormatError(`GLB header says ${total} bytes but the file has ${bytes.byteLength} (truncated?)`);
  let json: GltfDocument | undefined;
  let bin: Uint8Array | undefined;
  for (let o = 12; o + 8 <= total; ) {
    const len = dv.getUint32(o, true);
    const type = dv.getUint32(o + 4, true);
    if (o + 8 + len > total) throw new FormatError(`GLB chunk at byte ${o} runs past the end of the file`);
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (type === CHUNK_JSON) {
      try {
        json = JSON.parse(new TextDecoder().decode(data)) as GltfDocument;
      } catch (error) {
        throw new FormatError('GLB JSON chunk is not valid JSON', { cause: error });
      }
    } else if (type === CHUNK_BIN && bin === undefined) bin = data;
    o += 8 + align4(len);
  }
  if (!json) throw new FormatError('GLB file has no JSON chunk');
  const gmesh = json.meshes?.[0];
  const prim = gmesh?.primitives?.[0];
  if (!gmesh || !prim) throw new FormatError('GLB file has no mesh');
  if (prim.mode !== undefined && prim.mode !== 4) throw new FormatError(`GLB primitive mode ${prim.mode} is not triangles (4)`);
  const doc = json;
  const read = (i: number): AccessorArray => readGltfAccessor(doc, bin, i);
  const asF32 = (a: AccessorArray, i: number): Float32Array => {
    if (a instanceof Float32Array) return a;
    const acc = doc.accessors![i];
    // Normalized integer attributes (colours, uvs) map to [0, 1].
    const s = acc.normalized ? 1 / (a instanceof Uint8Array ? 255 : a instanceof Uint16Array ? 65535 : 1) : 1;
    return Float32Array.from(a, (v) => v * s);
  };
  if (prim.attributes.POSITION === undefined) throw new FormatError('GLB primitive has no POSITION attribute');
  const positions = asF32(read(prim.attributes.POSITION), prim.attributes.POSITION);
  const nv = positions.length / 3;
  let triangles: Uint32Array;
  if (prim.indices !== undefined) triangles = Uint32Array.from(read(prim.indices));
  else {
    triangles = new Uint32Array(nv);
    for (let i = 0; i < nv; i++) triangles[i] = i;
  }
  const mesh: Mesh = { positions, triangles };
  if (prim.attributes.NORMAL !== undefined) mesh.normals = asF32(read(prim.attributes.NORMAL), prim.attributes.NORMAL);
  if (prim.attributes.TEXCOORD_0 !== undefined) {
    const uv = Float32Array.from(asF32(read(prim.attributes.TEXCOORD_0), prim.attributes.TEXCOORD_0));
    for (let i = 1; i < uv.length; i += 2) uv[i] = 1 - uv[i];
    mesh.uvs = uv;
  }
  if (prim.attributes.COLOR_0 !== undefined) {
    const i = prim.attributes.COLOR_0;
    const c = asF32(read(i), i);
    if (doc.accessors![i].type === 'VEC4') {
      const rgb = new Float32Array(nv * 3);
      for (let v = 0; v < nv; v++) {
        rgb[v * 3] = c[v * 4];
        rgb[v * 3 + 1] = c[v * 4 + 1];
        rgb[v * 3 + 2] = c[v * 4 + 2];
      }
      mesh.colors = rgb;
    } else mesh.colors = c;
  }
  const names = gmesh.extras?.targetNames;
  const morphTargets: MorphTarget[] = (prim.targets ?? []).map((t, k) => {
    if (t.POSITION === undefined) throw new FormatError(`GLB morph target ${k} has no POSITION deltas`);
    const target: MorphTarget = { name: names?.[k] ?? `target${k}`, positions: asF32(read(t.POSITION), t.POSITION) };
    if (t.NORMAL !== undefined) target.normals = asF32(read(t.NORMAL), t.NORMAL);
    return target;
  });
  const out: GlbData = { json, mesh, morphTargets };
  if (bin) out.bin = bin;
  if (gmesh.weights) out.weights = gmesh.weights;
  const texIndex = prim.material !== undefined ? json.materials?.[prim.material]?.pbrMetallicRoughness?.baseColorTexture?.index : undefined;
  const image = texIndex !== undefined ? json.images?.[json.textures?.[texIndex]?.source ?? -1] : undefined;
  if (image?.bufferView !== undefined && bin) {
    const view = json.bufferViews?.[image.bufferView];
    if (!view) throw new FormatError(`GLB image refers to missing bufferView ${image.bufferView}`);
    const start = view.byteOffset ?? 0;
    out.texture = {
      data: bin.slice(start, start + view.byteLength),
      mimeType: image.mimeType === 'image/jpeg' ? 'image/jpeg' : 'image/png',
    };
  }
  return out;
}

const COMPONENTS: Record<GltfAccessor['type'], number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

/**
 * Reads accessor `index` of a GLB into a fresh typed array of its component type (tightly packed, so interleaved
 * views are de-interleaved). Sparse accessors and accessors without a buffer view are not supported.
 */
export function readGltfAccessor(json: GltfDocument, bin: Uint8Array | undefined, index: number): AccessorArray {
  const acc = json.accessors?.[index];
  if (!acc) throw new FormatError(`glTF accessor ${index} does not exist`);
  if (acc.sparse !== undefined) throw new FormatError(`glTF accessor ${index} is sparse, which this reader does not support`);
  if (acc.bufferView === undefined) throw new FormatError(`glTF accessor ${index} has no bufferView`);
  const view = json.bufferViews?.[acc.bufferView];
  if (!view) throw new FormatError(`glTF accessor ${index} refers to missing bufferView ${acc.bufferView}`);
  if (view.buffer !== 0 || !bin) throw new FormatError(`glTF accessor ${index} uses an external buffer; only GLB-embedded data is supported`);
  const comps = COMPONENTS[acc.type];
  const ctor = componentArray(acc.componentType, index);
  const elemSize = ctor.BYTES_PER_ELEMENT * comps;
  const stride = view.byteStride ?? elemSize;
  const start = (view.byteOffset ?? 0) + (acc.byteOffset ?? 0);
  const needed = acc.count > 0 ? stride * (acc.count - 1) + elemSize : 0;
  if (start + needed > bin.byteLength || (acc.byteOffset ?? 0) + needed > view.byteLength) {
    throw new FormatError(`glTF accessor ${index} reads past the end of its buffer view`);
  }
  const out = new ctor(acc.count * comps);
  const outBytes = new Uint8Array(out.buffer);
  // Copy element by element into aligned storage: GLB data need not be aligned for a typed-array view here.
  if (stride === elemSize) outBytes.set(bin.subarray(start, start + acc.count * elemSize));
  else for (let i = 0; i < acc.count; i++) outBytes.set(bin.subarray(start + i * stride, start + i * stride + elemSize), i * elemSize);
  return out;
}

type AccessorCtor =
  | Float32ArrayConstructor
  | Uint32ArrayConstructor
  | Uint16ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Int8ArrayConstructor;

function componentArray(componentType: number, index: number): AccessorCtor {
  switch (componentType) {
    case 5126:
      return Float32Array;
    case 5125:
      return Uint32Array;
    case 5123:
      return Uint16Array;
    case 5121:
      return Uint8Array;
    case 5122:
      return Int16Array;
    case 5120:
      return Int8Array;
    default:
      throw new FormatError(`glTF accessor ${index} has unknown componentType ${componentType}`);
  }
}
