/**
 * The `.fkbl` file format of a bilinear model: bytes in, bytes out (no file system here, so it bundles for the
 * browser; Node's save/load wrappers are in `src/node/`).
 *
 * Layout (all little-endian):
 * ```
 * 0   8 bytes  magic "FKBILIN\n"
 * 8   uint32   H, byte length of the JSON header
 * 12  H bytes  UTF-8 JSON header (padded with spaces so the data starts on an 8-byte boundary)
 * ... data     sections, each at header.sections[k].offset bytes from the data start (4-byte aligned)
 * ```
 * The header (see {@link BilinearFileHeader}) gives version, shape, units, block sizes and, per section, the
 * element type, count and CRC-32 of its bytes, so a truncated or damaged file is caught on load instead of
 * decoding to a distorted face.
 * @module
 */
import { FormatError, type LengthUnit } from '@facekit/core';
import { BilinearFaceModel, type TrainingExpressions, type WeightPrior } from './bilinear-model.js';

/** File magic: 8 ASCII bytes. */
export const BILINEAR_MAGIC = 'FKBILIN\n';
/** Current format version. */
export const BILINEAR_FORMAT_VERSION = 1;

/** Names of the data sections a file may hold. */
export type BilinearSectionName =
  | 'core'
  | 'mean'
  | 'identityPriorMean'
  | 'identityPriorStd'
  | 'expressionPriorMean'
  | 'expressionPriorStd'
  | 'trainingExpressions'
  | 'triangles'
  | 'uvs'
  | 'uvTriangles';

/** One data section. */
export interface BilinearSection {
  name: BilinearSectionName;
  dtype: 'float32' | 'uint32';
  /** Number of elements. */
  count: number;
  /** Byte offset from the start of the data area. */
  offset: number;
  /** CRC-32 (IEEE) of the section's bytes. */
  crc32: number;
}

/** The JSON header of a `.fkbl` file. */
export interface BilinearFileHeader {
  format: 'facekit-bilinear';
  version: number;
  id: string;
  name: string;
  units: LengthUnit;
  /** V. */
  vertexCount: number;
  /** I. */
  identitySize: number;
  /** E. */
  expressionSize: number;
  /** Always `identity,expression,coordinate`: the core is I x E blocks of 3V floats (logical shape (3V, I, E)). */
  coreLayout: 'identity,expression,coordinate';
  /** Whether `mean` is present (decode adds it). */
  centred: boolean;
  /** X, when `trainingExpressions` is present. */
  trainingExpressionCount?: number;
  trainingExpressionLabels?: string[];
  attribution?: string;
  sections: BilinearSection[];
}

const UNITS: readonly LengthUnit[] = ['mm', 'cm', 'm', 'arbitrary'];
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Serialises a model (core, mean, priors, training-expression weights, triangles and UVs when present).
 *
 * @param model the model to write.
 * @returns the file bytes.
 */
export function encodeBilinearModel(model: BilinearFaceModel): Uint8Array {
  const arrays: Array<{ name: BilinearSectionName; data: Float32Array | Uint32Array }> = [{ name: 'core', data: model.core }];
  if (model.mean) arrays.push({ name: 'mean', data: model.mean });
  if (model.identityPrior) arrays.push({ name: 'identityPriorMean', data: model.identityPrior.mean }, { name: 'identityPriorStd', data: model.identityPrior.std });
  if (model.expressionPrior) arrays.push({ name: 'expressionPriorMean', data: model.expressionPrior.mean }, { name: 'expressionPriorStd', data: model.expressionPrior.std });
  if (model.trainingExpressions) arrays.push({ name: 'trainingExpressions', data: model.trainingExpressions.weights });
  if (model.topology.triangles.length) arrays.push({ name: 'triangles', data: model.topology.triangles });
  if (model.topology.uvs) arrays.push({ name: 'uvs', data: model.topology.uvs });
  if (model.topology.uvTriangles) arrays.push({ name: 'uvTriangles', data: model.topology.uvTriangles });

  const sections: BilinearSection[] = [];
  let offset = 0;
  for (const { name, data } of arrays) {
    sections.push({ name, dtype: data instanceof Float32Array ? 'float32' : 'uint32', count: data.length, offset, crc32: crc32(bytesOf(data)) });
    offset += data.byteLength;
  }
  const tx = model.trainingExpressions;
  const header: BilinearFileHeader = {
    format: 'facekit-bilinear',
    version: BILINEAR_FORMAT_VERSION,
    id: model.id,
    name: model.name,
    units: model.units,
    vertexCount: model.vertexCount,
    identitySize: model.identitySize,
    expressionSize: model.expressionSize,
    coreLayout: 'identity,expression,coordinate',
    centred: !!model.mean,
    ...(tx ? { trainingExpressionCount: tx.count, ...(tx.labels ? { trainingExpressionLabels: [...tx.labels] } : {}) } : {}),
    ...(model.attribution ? { attribution: model.attribution } : {}),
    sections,
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - ((12 + json.length) % 8)) % 8;
  if (pad) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const dataStart = 12 + json.length;
  const out = new Uint8Array(dataStart + offset);
  for (let i = 0; i < 8; i++) out[i] = BILINEAR_MAGIC.charCodeAt(i);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  arrays.forEach(({ data }, k) => out.set(bytesOf(data), dataStart + sections[k].offset));
  return out;
}

/** Options of {@link decodeBilinearModel}. */
export interface DecodeOptions {
  /** Check each section's CRC-32 (default true; costs ~0.5 s per 200 MB). */
  verify?: boolean;
  /** Name used in error messages (a file path). */
  source?: string;
}

/**
 * Parses `.fkbl` bytes into a model. Throws {@link FormatError} (code `ERR_FORMAT`) for a wrong magic, an
 * unsupported version, an unreadable or inconsistent header, a truncated file or a checksum mismatch.
 *
 * @param bytes file content.
 * @param options verification switch and a source name for messages.
 */
export function decodeBilinearModel(bytes: Uint8Array, options: DecodeOptions = {}): BilinearFaceModel {
  const src = options.source ?? 'bilinear model';
  const fail = (why: string): never => {
    throw new FormatError(`${src}: ${why}; expected a facekit bilinear model (.fkbl) written by saveBilinearModel/encodeBilinearModel`);
  };
  if (bytes.length < 12) fail(`file is ${bytes.length} bytes, too short for the header`);
  let magic = '';
  for (let i = 0; i < 8; i++) magic += String.fromCharCode(bytes[i]);
  if (magic !== BILINEAR_MAGIC) fail(`wrong magic ${JSON.stringify(magic)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > bytes.length) fail(`header length ${hlen} runs past the end of the ${bytes.length}-byte file`);
  let header: BilinearFileHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + hlen))) as BilinearFileHeader;
  } catch (error) {
    throw new FormatError(`${src}: the JSON header cannot be parsed (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (!header || typeof header !== 'object' || header.format !== 'facekit-bilinear') fail('header.format is not "facekit-bilinear"');
  if (header.version !== BILINEAR_FORMAT_VERSION) fail(`format version ${header.version} is not supported (this reader knows ${BILINEAR_FORMAT_VERSION})`);
  const posInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0;
  if (!posInt(header.vertexCount) || !posInt(header.identitySize) || !posInt(header.expressionSize)) fail('vertexCount, identitySize and expressionSize must be positive integers');
  if (header.coreLayout !== 'identity,expression,coordinate') fail(`unknown coreLayout ${JSON.stringify(header.coreLayout)}`);
  if (!UNITS.includes(header.units)) fail(`unknown units ${JSON.stringify(header.units)}`);
  if (!Array.isArray(header.sections)) fail('header.sections is missing');

  const dataStart = 12 + hlen;
  const dataLength = bytes.length - dataStart;
  const verify = options.verify ?? true;
  const found = new Map<BilinearSectionName, Float32Array | Uint32Array>();
  for (const s of header.sections) {
    if (!s || typeof s.name !== 'string' || (s.dtype !== 'float32' && s.dtype !== 'uint32') || !Number.isInteger(s.count) || s.count < 0 || !Number.isInteger(s.offset) || s.offset < 0) {
      fail(`malformed section entry ${JSON.stringify(s)}`);
    }
    if (s.offset + 4 * s.count > dataLength) fail(`section "${s.name}" (${s.count} x ${s.dtype} at ${s.offset}) runs past the end of the data (${dataLength} bytes): the file is truncated`);
    const raw = bytes.subarray(dataStart + s.offset, dataStart + s.offset + 4 * s.count);
    if (verify && crc32(raw) !== s.crc32) fail(`section "${s.name}" fails its CRC-32 check: the file is damaged`);
    const arr = s.dtype === 'float32' ? new Float32Array(s.count) : new Uint32Array(s.count);
    copyLittleEndian(raw, arr);
    found.set(s.name, arr);
  }
  const { vertexCount: v, identitySize: ni, expressionSize: ne } = header;
  const f32 = (name: BilinearSectionName, count: number, required: boolean): Float32Array | undefined => {
    const a = found.get(name);
    if (!a) return required ? fail(`section "${name}" is missing`) : undefined;
    if (!(a instanceof Float32Array)) return fail(`section "${name}" must be float32`);
    if (a.length !== count) return fail(`section "${name}" holds ${a.length} values, expected ${count}`);
    return a;
  };
  const u32 = (name: BilinearSectionName): Uint32Array | undefined => {
    const a = found.get(name);
    if (a && !(a instanceof Uint32Array)) return fail(`section "${name}" must be uint32`);
    return a as Uint32Array | undefined;
  };
  const core = f32('core', ni * ne * 3 * v, true)!;
  const mean = header.centred ? f32('mean', 3 * v, true) : undefined;
  const prior = (m: BilinearSectionName, s: BilinearSectionName, k: number): WeightPrior | undefined => {
    const mu = f32(m, k, false);
    const sd = f32(s, k, false);
    if (!mu !== !sd) fail(`sections "${m}" and "${s}" must come together`);
    return mu && sd ? { mean: mu, std: sd } : undefined;
  };
  let trainingExpressions: TrainingExpressions | undefined;
  if (found.has('trainingExpressions')) {
    const count = header.trainingExpressionCount;
    if (!posInt(count)) fail('trainingExpressionCount is missing');
    const labels = header.trainingExpressionLabels;
    if (labels !== undefined && (!Array.isArray(labels) || labels.length !== count)) fail('trainingExpressionLabels does not match trainingExpressionCount');
    trainingExpressions = { count: count!, weights: f32('trainingExpressions', count! * ne, true)!, ...(labels ? { labels } : {}) };
  }
  const triangles = u32('triangles');
  const uvs = f32('uvs', found.get('uvs')?.length ?? 0, false);
  const uvTriangles = u32('uvTriangles');
  if (triangles) {
    if (triangles.length % 3) fail('triangles length is not a multiple of 3');
    for (let i = 0; i < triangles.length; i++) if (triangles[i] >= v) fail(`triangle corner ${triangles[i]} is out of range (V = ${v})`);
  }
  return new BilinearFaceModel(
    { vertexCount: v, identitySize: ni, expressionSize: ne, core, ...(mean ? { mean } : {}) },
    {
      id: typeof header.id === 'string' ? header.id : undefined,
      name: typeof header.name === 'string' ? header.name : undefined,
      units: header.units,
      topology: { ...(triangles ? { triangles } : {}), ...(uvs ? { uvs } : {}), ...(uvTriangles ? { uvTriangles } : {}) },
      identityPrior: prior('identityPriorMean', 'identityPriorStd', ni),
      expressionPrior: prior('expressionPriorMean', 'expressionPriorStd', ne),
      trainingExpressions,
      ...(typeof header.attribution === 'string' ? { attribution: header.attribution } : {}),
    },
  );
}

/** Reads only the header of `.fkbl` bytes (for listing files without loading the core). */
export function readBilinearHeader(bytes: Uint8Array): BilinearFileHeader {
  let magic = '';
  for (let i = 0; i < 8 && i < bytes.length; i++) magic += String.fromCharCode(bytes[i]);
  if (bytes.length < 12 || magic !== BILINEAR_MAGIC) throw new FormatError('not a facekit bilinear model (.fkbl): wrong magic or too short');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hlen > bytes.length) throw new FormatError(`bilinear model header (${hlen} bytes) runs past the end of the data`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as BilinearFileHeader;
  } catch (error) {
    throw new FormatError('bilinear model header is not valid JSON', { cause: error });
  }
}

function bytesOf(a: Float32Array | Uint32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) dv.setFloat32(4 * i, a[i], true);
    else dv.setUint32(4 * i, a[i], true);
  }
  return out;
}

/** Copies little-endian bytes into a typed array (a memcpy on little-endian machines; no alignment needed). */
function copyLittleEndian(raw: Uint8Array, out: Float32Array | Uint32Array): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
    return;
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = out instanceof Float32Array ? dv.getFloat32(4 * i, true) : dv.getUint32(4 * i, true);
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the zlib/PNG one) of some bytes. */
export function crc32(bytes: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  const t = CRC_TABLE;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
