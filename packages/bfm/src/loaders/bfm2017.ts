/**
 * Loader of the Basel Face Model 2017 (`model2017-1_bfm_nomouth.h5`, `model2017-1_face12_nomouth.h5`):
 * statismo-style HDF5 read through h5wasm (HDF5 compiled to WebAssembly, loaded on first use only).
 *
 * Layout read (statismo): `<part>/model/{mean [3N], pcaBasis [3N x K] (orthonormal columns), pcaVariance [K]}`
 * for part = `shape`, `expression`, `color`; `shape/representer/cells [3 x F]` (0-based). Coordinates are mm.
 * @module
 */
import { FormatError } from '@facekit/core';
import { LinearFaceModel } from '../linear-model.js';
import type { LinearAlbedoData, LinearBlockSpec } from '../linear-model.js';
import type { LinearModelLoadOptions } from './mat-models.js';

export const BFM2017_SOURCE = 'https://faces.dmi.unibas.ch/bfm/bfm2017.html (Basel Face Model 2017, registration required; e.g. model2017-1_bfm_nomouth.h5)';
export const BFM2017_ATTRIBUTION =
  'Basel Face Model 2017, University of Basel: T. Gerig, A. Morel-Forster, C. Blumer, B. Egger, M. Luthi, S. Schoenborn, T. Vetter, ' +
  '"Morphable Face Models - An Open Framework", FG 2018. Use is subject to the BFM licence agreement.';

/** The little of an h5wasm dataset the loader uses (structural, so h5wasm's types stay out of the public API). */
export interface H5DatasetLike {
  readonly shape: number[] | null;
  readonly value: unknown;
}
/** The little of an open h5wasm file the loader uses. */
export interface H5FileLike {
  get(path: string): unknown;
}

/** The 8-byte HDF5 signature (`\x89HDF\r\n\x1a\n`). */
export const HDF5_SIGNATURE: Uint8Array = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether `bytes` hold an HDF5 file (signature at offset 0, 512, 1024 or 2048, where user blocks put it). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (const off of [0, 512, 1024, 2048]) {
    if (bytes.length < off + 8) return false;
    let ok = true;
    for (let i = 0; i < 8 && ok; i++) ok = bytes[off + i] === HDF5_SIGNATURE[i];
    if (ok) return true;
  }
  return false;
}

let memfsCounter = 0;

/**
 * Parses a BFM 2017 HDF5 file from bytes (browser-safe: the bytes are placed in h5wasm's in-memory file
 * system for the duration of the call). Returns `identity[K]` (199), `expression[K]` (100, when present) and
 * `albedo[K]` (199) blocks over N = 53149 (bfm_nomouth) vertices in millimetres; colours in [0, 1].
 * @throws FormatError when the bytes are not HDF5 or a dataset is missing.
 */
export async function parseBfm2017(bytes: Uint8Array, options: LinearModelLoadOptions = {}): Promise<LinearFaceModel> {
  if (!isHdf5(bytes)) throw new FormatError('not an HDF5 file (no \\x89HDF signature); BFM 2017 models are .h5 files');
  const h5 = (await import('h5wasm')).default;
  const { FS } = await h5.ready;
  const name = `/facekit-bfm2017-${++memfsCounter}.h5`;
  FS.writeFile(name, bytes);
  let file: { close(): unknown } & H5FileLike;
  try {
    file = new h5.File(name, 'r');
  } catch (error) {
    FS.unlink(name);
    throw new FormatError(`HDF5 file could not be opened (damaged or truncated?): ${(error as Error).message}`, { cause: error });
  }
  try {
    return bfm2017FromH5(file, options);
  } finally {
    file.close();
    FS.unlink(name);
  }
}

/**
 * Builds the model from an open h5wasm file (used by {@link parseBfm2017} and by the Node loader, which opens
 * the file on disk directly).
 * @throws FormatError naming the missing dataset.
 */
export function bfm2017FromH5(file: H5FileLike, options: LinearModelLoadOptions = {}): LinearFaceModel {
  const what = 'BFM 2017 file';
  const standardized = options.standardized !== false;
  const shape = readPart(file, 'shape', what, true)!;
  const n = shape.mean.length;
  if (n === 0 || n % 3 !== 0) throw new FormatError(`${what}: shape/model/mean has ${n} values, not 3N`);
  const expression = readPart(file, 'expression', what, false);
  if (expression && expression.mean.length !== n) throw new FormatError(`${what}: expression/model/mean has ${expression.mean.length} values, shape has ${n}`);

  const cells = dataset(file, 'shape/representer/cells', what);
  const triangles = cellsToTriangles(cells, n / 3, what);

  const parts = expression ? [shape, expression] : [shape];
  const modes = parts.reduce((s, p) => s + p.K, 0);
  const basis = new Float32Array(modes * n);
  let offset = 0;
  for (const p of parts) {
    transposeInto(basis, offset * n, p.basis, n, p.K, standardized ? p.std : undefined);
    offset += p.K;
  }
  // The expression model's mean is the mean expression offset: with all coefficients zero the model shows the
  // shape mean plus that offset, as statismo/scalismo MoMo instances do.
  const mean = Float32Array.from(shape.mean);
  if (expression) for (let i = 0; i < n; i++) mean[i] += expression.mean[i];

  const blocks: LinearBlockSpec[] = [
    { name: 'identity', size: shape.K, std: standardized ? 1 : shape.std, description: 'BFM 2017 shape coefficients' + (standardized ? ', ~N(0, 1)' : '') },
  ];
  if (expression) {
    blocks.push({ name: 'expression', size: expression.K, std: standardized ? 1 : expression.std, description: 'BFM 2017 expression coefficients' + (standardized ? ', ~N(0, 1)' : '') });
  }

  let albedo: LinearAlbedoData | undefined;
  if (options.albedo !== false) {
    const color = readPart(file, 'color', what, false);
    if (color) {
      if (color.mean.length !== n) throw new FormatError(`${what}: color/model/mean has ${color.mean.length} values, shape has ${n}`);
      const cb = new Float32Array(color.K * n);
      transposeInto(cb, 0, color.basis, n, color.K, standardized ? color.std : undefined);
      albedo = {
        block: 'albedo',
        mean: Float32Array.from(color.mean),
        basis: cb,
        size: color.K,
        std: standardized ? 1 : color.std,
        description: 'BFM 2017 colour coefficients (per-vertex RGB albedo in [0, 1])',
      };
    }
  }
  return new LinearFaceModel({
    id: 'bfm2017',
    name: 'Basel Face Model 2017',
    units: 'mm',
    mean,
    basis,
    blocks,
    triangles,
    ...(albedo ? { albedo } : {}),
    attribution: BFM2017_ATTRIBUTION,
  });
}

interface Part {
  mean: ArrayLike<number>;
  /** 3N x K row-major. */
  basis: ArrayLike<number>;
  K: number;
  /** sqrt(pcaVariance), K values. */
  std: Float32Array;
}

function readPart(file: H5FileLike, part: string, what: string, required: boolean): Part | undefined {
  if (!required && !file.get(`${part}/model/mean`)) return undefined;
  const mean = numeric(dataset(file, `${part}/model/mean`, what), `${part}/model/mean`, what);
  const pcaBasis = dataset(file, `${part}/model/pcaBasis`, what);
  const variance = numeric(dataset(file, `${part}/model/pcaVariance`, what), `${part}/model/pcaVariance`, what);
  const K = variance.length;
  const basisShape = pcaBasis.shape ?? [];
  if (basisShape.length !== 2 || basisShape[0] !== mean.length || basisShape[1] !== K) {
    throw new FormatError(`${what}: ${part}/model/pcaBasis is ${basisShape.join('x')}, expected ${mean.length}x${K} (3N x K)`);
  }
  const basis = numeric(pcaBasis, `${part}/model/pcaBasis`, what);
  const std = new Float32Array(K);
  for (let k = 0; k < K; k++) std[k] = Math.sqrt(Math.max(0, variance[k]));
  return { mean, basis, K, std };
}

function dataset(file: H5FileLike, path: string, what: string): H5DatasetLike {
  let entity: unknown;
  try {
    entity = file.get(path);
  } catch {
    entity = null;
  }
  if (!entity || typeof entity !== 'object' || !('shape' in entity) || !('value' in entity)) {
    throw new FormatError(`${what}: dataset "${path}" is missing`);
  }
  return entity as H5DatasetLike;
}

function numeric(d: H5DatasetLike, path: string, what: string): ArrayLike<number> {
  const v = d.value;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
    return v as unknown as ArrayLike<number>;
  }
  if (ArrayBuffer.isView(v)) return Array.from(v as BigInt64Array, Number);
  throw new FormatError(`${what}: dataset "${path}" is not numeric`);
}

/** Writes a 3N x K row-major matrix into `out` at `offset` as K x 3N mode-major, column k times `std[k]`. */
function transposeInto(out: Float32Array, offset: number, src: ArrayLike<number>, n: number, K: number, std: Float32Array | undefined): void {
  // Blocked over rows so both the strided reads and the K output streams stay in cache.
  const B = 256;
  for (let r0 = 0; r0 < n; r0 += B) {
    const r1 = Math.min(n, r0 + B);
    for (let k = 0; k < K; k++) {
      const s = std ? std[k] : 1;
      const dst = offset + k * n;
      for (let r = r0; r < r1; r++) out[dst + r] = src[r * K + k] * s;
    }
  }
}

/** `cells` is 3 x F (statismo) or F x 3, 0-based. */
function cellsToTriangles(d: H5DatasetLike, V: number, what: string): Uint32Array {
  const data = numeric(d, 'shape/representer/cells', what);
  const shape = d.shape ?? [];
  let out: Uint32Array;
  if (shape.length === 2 && shape[0] === 3) {
    const F = shape[1];
    out = new Uint32Array(F * 3);
    for (let f = 0; f < F; f++) for (let c = 0; c < 3; c++) out[f * 3 + c] = data[c * F + f];
  } else if (shape.length === 2 && shape[1] === 3) {
    out = Uint32Array.from(data);
  } else {
    throw new FormatError(`${what}: shape/representer/cells is ${shape.join('x')}, expected 3 x F`);
  }
  for (let i = 0; i < out.length; i++) {
    if (out[i] >= V) throw new FormatError(`${what}: shape/representer/cells refers to vertex ${out[i]}, the model has ${V}`);
  }
  return out;
}
