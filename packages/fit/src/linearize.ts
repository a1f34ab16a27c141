/**
 * Local linearisation of any {@link FaceModel} for the fitter: over a face region, vertex positions are
 * `mean + sum_k basis_k * z_k` in standardised coefficients `z` (coefficient / prior std) of the identity and
 * expression blocks. Linear models (duck-typed `LinearFaceModel`: `mean`, mode-major `basis`,
 * `geometryBlocks`, `subset`) give this exactly and cheaply; other models are linearised by finite
 * differences of `decode` around zero, once per model (cached), which is exact for blendshape and PCA models
 * and a first-order approximation for nonlinear ones (FLAME's pose correctives are left at zero pose).
 * @module
 */
import { BlendBasis, regionTriangles, type FaceModel, type LandmarkEmbedding, type LengthUnit, type ParameterBlock } from '@facekit/core';
import { shuffledIndices } from './linalg.js';

/** Role of a linearised block. */
export type BlockRole = 'identity' | 'expression';

/** One linearised parameter block. */
export interface LinearBlock {
  /** Block name in the model (`identity`, `shape`, `expression`, ...). */
  name: string;
  role: BlockRole;
  /** Number of modes used by the fitter (the first ones of the model's block). */
  size: number;
  /** Size of the model's block (parameters are zero-padded to it on output). */
  modelSize: number;
  /** Prior std per used mode: `coefficient = z * std`. */
  std: Float64Array;
  /** Admissible range of the raw coefficient, when the model declares one (ICT expressions: [0, 1]). */
  range?: [number, number];
  /** Mode index (into {@link LinearizedModel.basis}) of the block's first mode. */
  offset: number;
}

/** A face model reduced to what the fitter needs; built by {@link linearizeModel}. */
export interface LinearizedModel {
  /** The model it was made from. */
  readonly model: FaceModel;
  readonly id: string;
  readonly units: LengthUnit;
  /** Indices of the region's vertices in the full model (sorted). */
  readonly regionVertices: Uint32Array;
  /** Whether the region is the whole model. */
  readonly isWholeModel: boolean;
  /** V, region vertex count. */
  readonly vertexCount: number;
  /** Region triangles (local vertex indices). */
  readonly triangles: Uint32Array;
  readonly uvs?: Float32Array;
  readonly uvTriangles?: Uint32Array;
  /** 3V mean (neutral) positions of the region. */
  readonly mean: Float32Array;
  /**
   * K x 3V mode-major basis in standardised units (each mode already multiplied by its prior std), K = sum
   * of the block sizes. Modes of one block are contiguous, identity block(s) first.
   */
  readonly basis: Float32Array;
  readonly blocks: readonly LinearBlock[];
  /** Number of standardised identity modes (they come first in the basis). */
  readonly identityCount: number;
  /** Number of standardised expression modes (after the identity modes). */
  readonly expressionCount: number;
  /** 68 landmarks as (3 local vertex ids, 3 weights) each, or undefined when the model has none. */
  readonly landmarkVertices?: Uint32Array;
  readonly landmarkWeights?: Float32Array;
  /** Local vertices of the photometric fitting region (face without scalp/neck), in a fixed shuffled order. */
  readonly fitOrder: Uint32Array;
  /** 0/1 per local vertex: inside the photometric region. */
  readonly fitMask: Uint8Array;
  /** Local vertices of the detail region (the face). */
  readonly detailMask: Uint8Array;
}

/** Options of {@link linearizeModel}. */
export interface LinearizeOptions {
  /** Maximum identity modes kept (the first ones; default 60 — ICT's later modes move vertices < 0.2 mm). */
  maxIdentity?: number;
  /** Maximum expression modes kept (default all). */
  maxExpression?: number;
}

/** Duck type of `@facekit/bfm`'s `LinearFaceModel`, so fit does not need its class at runtime. */
interface LinearLike extends FaceModel {
  readonly mean: Float32Array;
  readonly basis: Float32Array;
  readonly vertexCount: number;
  readonly geometryBlocks: ReadonlyArray<{ name: string; size: number; offset: number; std?: number | Float32Array; range?: [number, number] }>;
}

function isLinear(model: FaceModel): model is LinearLike {
  const m = model as Partial<LinearLike>;
  return m.mean instanceof Float32Array && m.basis instanceof Float32Array && Array.isArray(m.geometryBlocks);
}

const IDENTITY_NAMES = ['identity', 'shape', 'id', 'identity_shape'];
const EXPRESSION_NAMES = ['expression', 'exp', 'expr', 'expressions', 'blendshapes'];

/** The role of a model block by its name, or undefined for blocks the fitter leaves at zero (pose, ...). */
export function blockRole(name: string): BlockRole | undefined {
  const n = name.toLowerCase();
  if (IDENTITY_NAMES.includes(n)) return 'identity';
  if (EXPRESSION_NAMES.includes(n)) return 'expression';
  return undefined;
}

function stdOf(block: Pick<ParameterBlock, 'prior'>, k: number): number {
  const std = block.prior?.std;
  if (std === undefined) return 1;
  const v = typeof std === 'number' ? std : std[k];
  return v > 0 && Number.isFinite(v) ? v : 1;
}

const cache = new WeakMap<FaceModel, Map<string, LinearizedModel>>();

/**
 * Linearises `model` over its skin region (`face_head`, else `face`, else all vertices), cached per model
 * object and options.
 */
export function linearizeModel(model: FaceModel, options: LinearizeOptions = {}): LinearizedModel {
  const key = `${options.maxIdentity ?? 60}/${options.maxExpression ?? -1}`;
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  let lin = perModel.get(key);
  if (!lin) {
    lin = build(model, options);
    perModel.set(key, lin);
  }
  return lin;
}

function pickRegion(model: FaceModel): Uint32Array | undefined {
  const r = model.regions;
  return (r?.face_head ?? r?.skin ?? r?.face)?.vertices;
}

function build(model: FaceModel, options: LinearizeOptions): LinearizedModel {
  const Vfull = model.topology.vertexCount;
  const region = pickRegion(model);
  const regionVertices = region ? Uint32Array.from(region) : Uint32Array.from({ length: Vfull }, (_, i) => i);
  const V = regionVertices.length;
  const isWholeModel = V === Vfull;
  const local = new Int32Array(Vfull).fill(-1);
  regionVertices.forEach((v, i) => (local[v] = i));

  // Blocks the fitter estimates, identity first (the joint solver keeps them in one leading group).
  const chosen: Array<{ block: ParameterBlock; role: BlockRole; size: number; modelOffset?: number }> = [];
  for (const role of ['identity', 'expression'] as const) {
    for (const b of model.parameters) {
      if (blockRole(b.name) !== role) continue;
      if (model.albedo && b.name === model.albedo.block) continue;
      const cap = role === 'identity' ? options.maxIdentity ?? 60 : options.maxExpression ?? b.size;
      chosen.push({ block: b, role, size: Math.min(b.size, cap) });
    }
  }
  const K = chosen.reduce((s, c) => s + c.size, 0);
  const n3 = V * 3;
  const mean = new Float32Array(n3);
  const basis = new Float32Array(K * n3);
  const blocks: LinearBlock[] = [];

  if (isLinear(model)) {
    // Exact: gather the region's rows of the model's own mode-major basis.
    const Vm = model.vertexCount;
    for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = model.mean[3 * regionVertices[i] + c];
    let off = 0;
    for (const c of chosen) {
      const gb = model.geometryBlocks.find((g) => g.name === c.block.name);
      if (!gb) continue;
      const std = new Float64Array(c.size);
      for (let k = 0; k < c.size; k++) {
        std[k] = stdOf(c.block, k);
        const src = (gb.offset + k) * Vm * 3;
        const dst = (off + k) * n3;
        const s = std[k];
        for (let i = 0; i < V; i++) {
          const si = src + 3 * regionVertices[i];
          basis[dst + 3 * i] = model.basis[si] * s;
          basis[dst + 3 * i + 1] = model.basis[si + 1] * s;
          basis[dst + 3 * i + 2] = model.basis[si + 2] * s;
        }
      }
      blocks.push({ name: c.block.name, role: c.role, size: c.size, modelSize: c.block.size, std, range: c.block.range, offset: off });
      off += c.size;
    }
  } else {
    // Finite differences of decode around zero: one decode per coefficient, with a step of one prior std
    // (exact for linear blocks; the secant over the prior's typical range for nonlinear ones).
    const full0 = model.decode({});
    for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = full0[3 * regionVertices[i] + c];
    const tmp = new Float32Array(full0.length);
    let off = 0;
    for (const c of chosen) {
      const std = new Float64Array(c.size);
      const values = new Float32Array(c.block.size);
      for (let k = 0; k < c.size; k++) {
        std[k] = stdOf(c.block, k);
        const range = c.block.range;
        // Blendshape weights live in [0, 1]: step inside the range.
        const step = range ? Math.min(std[k], range[1] - range[0]) : std[k];
        values.fill(0);
        values[k] = step;
        model.decode({ [c.block.name]: values }, tmp);
        const dst = (off + k) * n3;
        const scale = std[k] / step;
        for (let i = 0; i < V; i++) {
          const si = 3 * regionVertices[i];
          basis[dst + 3 * i] = (tmp[si] - full0[si]) * scale;
          basis[dst + 3 * i + 1] = (tmp[si + 1] - full0[si + 1]) * scale;
          basis[dst + 3 * i + 2] = (tmp[si + 2] - full0[si + 2]) * scale;
        }
      }
      blocks.push({ name: c.block.name, role: c.role, size: c.size, modelSize: c.block.size, std, range: c.block.range, offset: off });
      off += c.size;
    }
  }

  const triangles = region ? localTriangles(model.topology.triangles, regionVertices, local, Vfull) : model.topology.triangles;
  let uvTriangles: Uint32Array | undefined;
  if (model.topology.uvs && model.topology.uvTriangles) {
    uvTriangles = region ? keptUvTriangles(model.topology.triangles, model.topology.uvTriangles, local) : model.topology.uvTriangles;
  }

  let landmarkVertices: Uint32Array | undefined;
  let landmarkWeights: Float32Array | undefined;
  if (model.landmarks68) {
    const res = landmarksToLocal(model.landmarks68, model.topology.triangles, local);
    if (res) ({ landmarkVertices, landmarkWeights } = res);
  }

  // Photometric region: the narrow face when the model names one (cheeks to brows, no scalp, neck or ears,
  // which hair and background cover in photos), else the face.
  const fitMask = new Uint8Array(V);
  const fitRegion = model.regions?.narrow_face ?? model.regions?.face;
  if (fitRegion) for (const v of fitRegion.vertices) { if (local[v] >= 0) fitMask[local[v]] = 1; }
  else fitMask.fill(1);
  const detailMask = new Uint8Array(V);
  const detailRegion = model.regions?.face;
  if (detailRegion) for (const v of detailRegion.vertices) { if (local[v] >= 0) detailMask[local[v]] = 1; }
  else detailMask.set(fitMask);
  const order = shuffledIndices(V);
  const fitOrder = order.filter((i) => fitMask[i] === 1);

  const idCount = blocks.filter((b) => b.role === 'identity').reduce((s, b) => s + b.size, 0);
  return {
    model,
    id: model.id,
    units: model.units,
    regionVertices,
    isWholeModel,
    vertexCount: V,
    triangles,
    uvs: uvTriangles ? model.topology.uvs : undefined,
    uvTriangles,
    mean,
    basis,
    blocks,
    identityCount: idCount,
    expressionCount: K - idCount,
    landmarkVertices,
    landmarkWeights,
    fitOrder,
    fitMask,
    detailMask,
  };
}

function localTriangles(tris: Uint32Array, regionVertices: Uint32Array, local: Int32Array, Vfull: number): Uint32Array {
  const kept = regionTriangles(tris, regionVertices, Vfull);
  const out = new Uint32Array(kept.length * 3);
  for (let i = 0; i < kept.length; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = local[tris[3 * kept[i] + c]];
  return out;
}

function keptUvTriangles(tris: Uint32Array, uvTris: Uint32Array, local: Int32Array): Uint32Array {
  const out: number[] = [];
  for (let f = 0; f < tris.length / 3; f++) {
    if (local[tris[3 * f]] >= 0 && local[tris[3 * f + 1]] >= 0 && local[tris[3 * f + 2]] >= 0) {
      out.push(uvTris[3 * f], uvTris[3 * f + 1], uvTris[3 * f + 2]);
    }
  }
  return Uint32Array.from(out);
}

function landmarksToLocal(
  emb: LandmarkEmbedding,
  tris: Uint32Array,
  local: Int32Array,
): { landmarkVertices: Uint32Array; landmarkWeights: Float32Array } | undefined {
  const n = emb.faces.length;
  const lv = new Uint32Array(n * 3);
  const lw = new Float32Array(n * 3);
  for (let l = 0; l < n; l++) {
    const f = emb.faces[l];
    for (let c = 0; c < 3; c++) {
      const v = local[tris[3 * f + c]];
      const w = emb.barycentrics[3 * l + c];
      if (v < 0) {
        if (w !== 0) return undefined;
        lv[3 * l + c] = 0;
        lw[3 * l + c] = 0;
      } else {
        lv[3 * l + c] = v;
        lw[3 * l + c] = w;
      }
    }
  }
  return { landmarkVertices: lv, landmarkWeights: lw };
}

/**
 * The 68 landmark points (68 x 3) on region positions (3V; default the mean shape), each a weighted vertex
 * triplet: the model's own landmarks, or `embedding` (e.g. a detector calibration). Throws when the model
 * has no landmarks on its region and no embedding is given.
 */
export function landmarkPositions(
  lin: LinearizedModel,
  positions: ArrayLike<number> = lin.mean,
  embedding?: { vertices: Uint32Array; weights: Float32Array },
): Float64Array {
  const lv = embedding?.vertices ?? lin.landmarkVertices, lw = embedding?.weights ?? lin.landmarkWeights;
  if (!lv || !lw) throw new RangeError(`model ${lin.model.id} has no 68-point landmarks on its fitting region`);
  const out = new Float64Array(68 * 3);
  for (let k = 0; k < 68; k++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) out[3 * k + c] += lw[3 * k + j] * positions[3 * lv[3 * k + j] + c];
  return out;
}

/**
 * Decodes region positions for standardised coefficients `z` (length K): `mean + basis^T z`, into `out`.
 * Zero coefficients are skipped, so identity-only or sparse expression vectors cost what they use.
 */
export function decodeLinear(lin: LinearizedModel, z: ArrayLike<number>, out: Float32Array = new Float32Array(lin.mean.length)): Float32Array {
  out.set(lin.mean);
  const n3 = lin.mean.length;
  const K = lin.identityCount + lin.expressionCount;
  let blend = blends.get(lin);
  // The SIMD kernel (core BlendBasis) is several times faster than a scalar loop on the full region.
  if (!blend) blends.set(lin, (blend = BlendBasis.create(lin.basis, K, n3)));
  const w = new Float32Array(K);
  for (let k = 0; k < Math.min(K, z.length); k++) w[k] = z[k];
  blend.accumulate(out, w);
  return out;
}

const blends = new WeakMap<LinearizedModel, BlendBasis>();

/** Model parameters by block name from standardised coefficients (raw = z * std, zero-padded). */
export function toModelParams(lin: LinearizedModel, z: ArrayLike<number>): Record<string, Float32Array> {
  const params: Record<string, Float32Array> = {};
  for (const b of lin.blocks) {
    const v = new Float32Array(b.modelSize);
    for (let k = 0; k < b.size; k++) v[k] = z[b.offset + k] * b.std[k];
    params[b.name] = v;
  }
  return params;
}
