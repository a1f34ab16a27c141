/**
 * Loaders for the MAT-file face models: the Basel Face Model 2009 (`01_MorphableModel.mat`) and the
 * Deep3DFaceRecon / CoarseNet-style BFM with expressions (`BFM_model_front.mat`). Browser-safe: bytes in,
 * {@link LinearFaceModel} out.
 * @module
 */
import { FormatError } from '@facekit/core';
import type { MeshRegion } from '@facekit/core';
import { indexRegion, LinearFaceModel, MULTIPIE_68_LABELS, vertexLandmarkEmbedding } from '../linear-model.js';
import type { LinearAlbedoData } from '../linear-model.js';
import { readMat5, requireNumeric, toFloat32, toRowMajor } from '../io/mat5.js';
import type { MatFile, MatNumericData } from '../io/mat5.js';

/** Options shared by the linear-model loaders. */
export interface LinearModelLoadOptions {
  /**
   * `true` (default): bases are multiplied by their standard deviations, so every coefficient has prior
   * N(0, 1) (the convention of Deep3DFaceRecon and most fitters). `false`: the file's (orthonormal) bases
   * are kept and the standard deviations go into the parameter blocks' priors.
   */
  standardized?: boolean;
  /** Load the albedo (colour) space when the file has one (default true; false saves ~half the memory). */
  albedo?: boolean;
}

/** Where users get the BFM files (all need a licence agreement, so facekit cannot ship them). */
export const BFM2009_SOURCE = 'https://faces.dmi.unibas.ch/bfm/ (Basel Face Model 2009, registration required; file 01_MorphableModel.mat)';
export const DEEP3D_SOURCE =
  'https://github.com/sicxu/Deep3DFaceRecon_pytorch (BFM_model_front.mat is generated from 01_MorphableModel.mat and Exp_Pca.bin by its util/load_mats.py)';

export const BFM2009_ATTRIBUTION =
  'Basel Face Model 2009, University of Basel: P. Paysan, R. Knothe, B. Amberg, S. Romdhani, T. Vetter, "A 3D Face Model for Pose ' +
  'and Illumination Invariant Face Recognition", AVSS 2009. Use is subject to the BFM licence agreement (non-commercial research).';
export const DEEP3D_ATTRIBUTION =
  `${BFM2009_ATTRIBUTION} Expression basis from FaceWarehouse (Cao et al. 2014) as prepared by Guo et al. (CNN-based real-time ` +
  'dense face reconstruction) and packaged by Deng et al., "Accurate 3D Face Reconstruction with Weakly-Supervised Learning" (Deep3DFaceRecon).';

const MICROMETRE_TO_MM = 1e-3;
const DECIMETRE_TO_MM = 100;

/** Variables of a BFM 2009 file that the loader reads. */
const BFM2009_VARS = ['shapeMU', 'shapePC', 'shapeEV', 'texMU', 'texPC', 'texEV', 'tl'] as const;

/**
 * Parses the Basel Face Model 2009 `01_MorphableModel.mat` (MATLAB v5, compressed): V = 53490 vertices,
 * `identity[199]`, `albedo[199]`. The file stores coordinates in micrometres; the model is returned in
 * millimetres. Colours (0..255 in the file) are returned in [0, 1].
 * @throws FormatError naming the missing or malformed variable.
 */
export function parseBfm2009(bytes: Uint8Array, options: LinearModelLoadOptions = {}): LinearFaceModel {
  const wantAlbedo = options.albedo !== false;
  const mat = readMat5(bytes, { variables: wantAlbedo ? BFM2009_VARS : BFM2009_VARS.filter((v) => !v.startsWith('tex')) });
  return bfm2009FromMat(mat, options);
}

/** {@link parseBfm2009} on an already parsed MAT-file. */
export function bfm2009FromMat(mat: MatFile, options: LinearModelLoadOptions = {}): LinearFaceModel {
  const what = 'BFM 2009 file (01_MorphableModel.mat)';
  const standardized = options.standardized !== false;
  const mu = requireNumeric(mat, 'shapeMU', what);
  const n = mu.data.length;
  if (n === 0 || n % 3 !== 0) throw new FormatError(`${what}: shapeMU has ${n} values, not V x 3`);
  const ev = requireNumeric(mat, 'shapeEV', what);
  const K = ev.data.length;
  const pc = requireNumeric(mat, 'shapePC', what, n * K);
  const tl = requireNumeric(mat, 'tl', what);
  const triangles = trianglesFromMat(tl.data, tl.dims, n / 3, what, 'tl');

  // shapePC is 3V x K column-major: each column (mode) is contiguous, i.e. already mode-major.
  // Standardised: basis = PC * EV (mm per unit coefficient). Raw: the orthonormal PC as is, and the prior std
  // EV converted to mm (the coefficient is then a length along the unit-norm mode).
  const basis = scaleColumns(pc.data, n, K, standardized ? ev.data : undefined, standardized ? MICROMETRE_TO_MM : 1);
  let albedo: LinearAlbedoData | undefined;
  if (options.albedo !== false && mat.variables.has('texMU')) {
    const tmu = requireNumeric(mat, 'texMU', what, n);
    const tev = requireNumeric(mat, 'texEV', what);
    const tpc = requireNumeric(mat, 'texPC', what, n * tev.data.length);
    albedo = {
      block: 'albedo',
      mean: toFloat32(tmu.data, 1 / 255),
      basis: scaleColumns(tpc.data, n, tev.data.length, standardized ? tev.data : undefined, standardized ? 1 / 255 : 1),
      size: tev.data.length,
      std: standardized ? 1 : toFloat32(tev.data, 1 / 255),
      description: 'BFM 2009 texture coefficients (per-vertex RGB albedo in [0, 1])',
    };
  }
  return new LinearFaceModel({
    id: 'bfm2009',
    name: 'Basel Face Model 2009',
    units: 'mm',
    mean: toFloat32(mu.data, MICROMETRE_TO_MM),
    basis,
    blocks: [
      {
        name: 'identity',
        size: K,
        std: standardized ? 1 : toFloat32(ev.data, MICROMETRE_TO_MM),
        description: standardized ? 'BFM 2009 shape coefficients, ~N(0, 1)' : 'BFM 2009 shape coefficients (orthonormal basis; std in the prior)',
      },
    ],
    triangles,
    ...(albedo ? { albedo } : {}),
    attribution: BFM2009_ATTRIBUTION,
  });
}

/** Options of {@link parseDeep3dBfm}. */
export interface Deep3dLoadOptions extends LinearModelLoadOptions {
  /**
   * Keep the file's own scale (decimetres, the scale Deep3DFaceRecon's camera expects) instead of converting to
   * millimetres; the model's units are then `arbitrary`.
   */
  nativeScale?: boolean;
}

const DEEP3D_VARS = ['meanshape', 'idBase', 'exBase', 'meantex', 'texBase', 'tri', 'keypoints', 'skinmask', 'frontmask2_idx'] as const;

/**
 * Parses Deep3DFaceRecon's `BFM_model_front.mat`: V = 35709 vertices (BFM 2009 cropped to the front face),
 * `identity[80]`, `expression[64]`, `albedo[80]`, 68 landmarks (`keypoints`), regions `skin` and `front` when
 * the file has `skinmask`/`frontmask2_idx`. Its bases are already multiplied by their standard deviations
 * (coefficients ~N(0, 1)); coordinates are decimetres in the file and millimetres in the model unless
 * `nativeScale`. `standardized: false` has no effect (the file has no separate standard deviations).
 * @throws FormatError naming the missing or malformed variable.
 */
export function parseDeep3dBfm(bytes: Uint8Array, options: Deep3dLoadOptions = {}): LinearFaceModel {
  const vars = options.albedo === false ? DEEP3D_VARS.filter((v) => !v.includes('tex')) : DEEP3D_VARS;
  return deep3dFromMat(readMat5(bytes, { variables: vars }), options);
}

/** {@link parseDeep3dBfm} on an already parsed MAT-file. */
export function deep3dFromMat(mat: MatFile, options: Deep3dLoadOptions = {}): LinearFaceModel {
  const what = 'Deep3DFaceRecon BFM file (BFM_model_front.mat)';
  const scale = options.nativeScale ? 1 : DECIMETRE_TO_MM;
  const mean = requireNumeric(mat, 'meanshape', what);
  const n = mean.data.length;
  if (n === 0 || n % 3 !== 0) throw new FormatError(`${what}: meanshape has ${n} values, not V x 3`);
  const V = n / 3;
  const id = requireNumeric(mat, 'idBase', what);
  const ex = requireNumeric(mat, 'exBase', what);
  const Kid = modesOf(id.data.length, n, what, 'idBase');
  const Kex = modesOf(ex.data.length, n, what, 'exBase');
  const tri = requireNumeric(mat, 'tri', what);
  const triangles = trianglesFromMat(tri.data, tri.dims, V, what, 'tri');

  // Both bases are 3V x K column-major = mode-major; identity then expression modes in one array.
  const basis = new Float32Array((Kid + Kex) * n);
  for (let i = 0; i < id.data.length; i++) basis[i] = id.data[i] * scale;
  const off = Kid * n;
  for (let i = 0; i < ex.data.length; i++) basis[off + i] = ex.data[i] * scale;

  let albedo: LinearAlbedoData | undefined;
  if (options.albedo !== false && mat.variables.has('meantex')) {
    const mt = requireNumeric(mat, 'meantex', what, n);
    const tb = requireNumeric(mat, 'texBase', what);
    const Ktex = modesOf(tb.data.length, n, what, 'texBase');
    albedo = {
      block: 'albedo',
      mean: toFloat32(mt.data, 1 / 255),
      basis: toFloat32(tb.data, 1 / 255),
      size: Ktex,
      std: 1,
      description: 'albedo coefficients (per-vertex RGB in [0, 1]), ~N(0, 1)',
    };
  }

  let landmarks68;
  if (mat.variables.has('keypoints')) {
    const kp = requireNumeric(mat, 'keypoints', what);
    const idx = oneBased(kp.data, V, what, 'keypoints');
    landmarks68 = vertexLandmarkEmbedding(idx, triangles, idx.length === 68 ? MULTIPIE_68_LABELS : undefined);
  }
  const regions: Record<string, MeshRegion> = {};
  if (mat.variables.has('skinmask')) {
    const sm = requireNumeric(mat, 'skinmask', what).data;
    // Either a 0/1 flag per vertex or a list of 1-based vertex indices.
    const idx: number[] = [];
    if (sm.length === V) for (let v = 0; v < V; v++) (sm[v] ? idx.push(v) : 0);
    else idx.push(...oneBased(sm, V, what, 'skinmask'));
    regions.skin = indexRegion(idx, V, triangles, 'skin (the photometric loss area of Deep3DFaceRecon)');
  }
  if (mat.variables.has('frontmask2_idx')) {
    const fm = requireNumeric(mat, 'frontmask2_idx', what).data;
    let ok = fm.length > 0;
    for (let i = 0; i < fm.length && ok; i++) ok = fm[i] >= 1 && fm[i] <= V;
    if (ok) regions.front = indexRegion(oneBased(fm, V, what, 'frontmask2_idx'), V, triangles, 'front face mask (frontmask2_idx)');
  }
  const all = new Uint32Array(V);
  for (let v = 0; v < V; v++) all[v] = v;
  regions.face = { vertices: all, triangles: Uint32Array.from({ length: triangles.length / 3 }, (_, i) => i), description: 'the whole (front-face) mesh' };

  return new LinearFaceModel({
    id: 'bfm-deep3d',
    name: 'BFM 2009 front face + expressions (Deep3DFaceRecon)',
    units: options.nativeScale ? 'arbitrary' : 'mm',
    mean: toFloat32(mean.data, scale),
    basis,
    blocks: [
      { name: 'identity', size: Kid, std: 1, description: 'BFM 2009 identity coefficients, ~N(0, 1)' },
      { name: 'expression', size: Kex, std: 1, description: 'FaceWarehouse-derived expression coefficients, ~N(0, 1)' },
    ],
    triangles,
    ...(albedo ? { albedo } : {}),
    ...(landmarks68 ? { landmarks68 } : {}),
    regions,
    attribution: DEEP3D_ATTRIBUTION,
  });
}

function modesOf(length: number, n: number, what: string, name: string): number {
  if (length % n !== 0) throw new FormatError(`${what}: ${name} has ${length} values, not a multiple of 3V = ${n}`);
  return length / n;
}

/**
 * Columns of a 3V x K column-major matrix, column k times `std[k]` (when given) and `unit`, as a mode-major
 * Float32Array. The source is scaled in place when it already is a Float32Array (the reader's own copy).
 */
function scaleColumns(data: MatNumericData, n: number, K: number, std: MatNumericData | undefined, unit: number): Float32Array {
  const out = data instanceof Float32Array ? data : new Float32Array(n * K);
  for (let k = 0; k < K; k++) {
    const s = (std ? std[k] : 1) * unit;
    if (s === 1 && out === data) continue;
    const off = k * n;
    for (let i = 0; i < n; i++) out[off + i] = data[off + i] * s;
  }
  return out;
}

/** F x 3 triangles from a MATLAB F x 3 (or 3 x F) 1-based index matrix, validated against V. */
function trianglesFromMat(data: MatNumericData, dims: readonly number[], V: number, what: string, name: string): Uint32Array {
  let rowMajor: MatNumericData;
  if (dims.length === 2 && dims[1] === 3) rowMajor = toRowMajor(data, dims);
  else if (dims.length === 2 && dims[0] === 3) rowMajor = data; // 3 x F column-major is already F x 3 row-major
  else throw new FormatError(`${what}: ${name} has dimensions ${dims.join('x')}, expected F x 3`);
  return oneBased(rowMajor, V, what, name);
}

/** 1-based MATLAB indices -> 0-based Uint32Array, each checked to be in [1, V]. */
function oneBased(data: ArrayLike<number>, V: number, what: string, name: string): Uint32Array {
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(x >= 1 && x <= V) || !Number.isInteger(x)) throw new FormatError(`${what}: ${name}[${i}] = ${x} is not a 1-based index in [1, ${V}]`);
    out[i] = x - 1;
  }
  return out;
}
