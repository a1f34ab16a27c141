import { addWeightedBasis, BlendBasis, FacekitError } from '@facekit/core';
import type {
  AlbedoSpace,
  FaceModel,
  FaceTopology,
  LandmarkEmbedding,
  LengthUnit,
  MeshRegion,
  ParameterBlock,
  ParameterValues,
} from '@facekit/core';

/**
 * One block of linear modes of a {@link LinearFaceModel} (identity, expression, ...), as given to the
 * constructor. The modes live in the model's shared mode-major geometry basis; see {@link LinearFaceModelData}.
 */
export interface LinearBlockSpec {
  /** Block name as used in {@link ParameterValues} (`identity`, `expression`, ...). */
  name: string;
  /** Number of modes K of the block. */
  size: number;
  /**
   * Prior standard deviation of each coefficient: a scalar for all modes or K values. Loaders scale their
   * bases so that coefficients are standardised (std 1) unless asked for the raw basis.
   */
  std?: number | Float32Array;
  /** Admissible range of each coefficient, e.g. `[0, 1]` for blendshape weights. */
  range?: [number, number];
  /** Names of the modes (ARKit blendshape names for ICT-FaceKit). */
  labels?: readonly string[];
  /** One line saying what the block means. */
  description?: string;
}

/** The per-vertex colour space of a linear model: `albedo = mean + basis^T c`, RGB in [0, 1]. */
export interface LinearAlbedoData {
  /** Parameter block name driving the albedo (usually `albedo`). */
  block: string;
  /** V x 3 mean RGB in [0, 1], interleaved. */
  mean: Float32Array;
  /** K x 3V mode-major basis (one contiguous block of 3V values per mode), RGB in [0, 1] per unit coefficient. */
  basis: Float32Array;
  /** K, the number of albedo modes. */
  size: number;
  /** Prior std of the coefficients (scalar or K values); 1 for standardised bases. */
  std?: number | Float32Array;
  description?: string;
}

/** Everything a {@link LinearFaceModel} is made of. All arrays are kept by reference (not copied). */
export interface LinearFaceModelData {
  /** Registry id, e.g. `ict-facekit`, `bfm2009`. */
  id: string;
  /** Human-readable name. */
  name: string;
  /** Unit of mean and basis coordinates. */
  units: LengthUnit;
  /** V x 3 mean (neutral) vertex positions, interleaved xyz, in {@link units}. */
  mean: Float32Array;
  /**
   * All geometry modes of all {@link blocks}, in block order, MODE-MAJOR: mode k of the concatenation occupies
   * `basis[k * 3V .. (k + 1) * 3V)`, xyz interleaved per vertex, in {@link units} per unit coefficient.
   * Mode-major keeps each mode contiguous, so decoding is a sum of contiguous scaled vectors
   * (`addWeightedBasis`), and a vertex range of every mode is contiguous too (fast sub-models).
   */
  basis: Float32Array;
  /** The geometry parameter blocks, in the order their modes appear in {@link basis}. */
  blocks: readonly LinearBlockSpec[];
  /** F x 3 triangle indices (polygons already triangulated). */
  triangles: Uint32Array;
  /** T x 2 texture coordinates, when the model has UVs. */
  uvs?: Float32Array;
  /** F x 3 indices into {@link uvs}, one per triangle corner (OBJ-style seams). */
  uvTriangles?: Uint32Array;
  albedo?: LinearAlbedoData;
  /** The 68 Multi-PIE landmarks on the mesh. */
  landmarks68?: LandmarkEmbedding;
  /** Named regions; `face` is the one metrics and the fitter look for. */
  regions?: Record<string, MeshRegion>;
  /** Licence/attribution text to keep with derived data. */
  attribution?: string;
}

/** Thrown by {@link LinearFaceModel.decode} for parameters that do not fit the layout. */
export class ParameterError extends FacekitError {
  constructor(message: string) {
    super('ERR_PARAMETERS', message);
    this.name = 'ParameterError';
  }
}

/** A vertex subset for {@link LinearFaceModel.subset}: the first `vertexCount` vertices, a range, or a list. */
export type VertexSelection =
  | { vertexCount: number }
  | { start: number; count: number }
  | { vertices: ArrayLike<number> }
  | { region: string };

/**
 * A linear 3D morphable model: `vertices = mean + sum_b B_b^T w_b` over its parameter blocks (identity,
 * expression, ...), with an optional linear per-vertex albedo. BFM 2009/2017, the Deep3DFaceRecon BFM and the
 * ICT-FaceKit blendshape model all have this form; the loaders of this package build it.
 *
 * Every basis is stored mode-major (K x 3V, one contiguous 3V-vector per mode) so `decode` is one pass of the
 * core blend kernel (`BlendBasis`, WebAssembly SIMD) over the concatenated weights, with no allocation when
 * `out` is given.
 */
export class LinearFaceModel implements FaceModel {
  readonly id: string;
  readonly name: string;
  readonly units: LengthUnit;
  readonly topology: FaceTopology;
  readonly parameters: readonly ParameterBlock[];
  readonly landmarks68?: LandmarkEmbedding;
  readonly regions?: Readonly<Record<string, MeshRegion>>;
  readonly albedo?: AlbedoSpace;
  readonly attribution?: string;

  /** V, the number of vertices. */
  readonly vertexCount: number;
  /** V x 3 mean positions (shared, do not modify). */
  readonly mean: Float32Array;
  /** (sum of block sizes) x 3V mode-major geometry basis (shared, do not modify). */
  readonly basis: Float32Array;
  /** The geometry blocks, with the offset (in modes) of each block's first mode in {@link basis}. */
  readonly geometryBlocks: ReadonlyArray<Readonly<LinearBlockSpec> & { offset: number }>;
  /** Total number of geometry modes (sum of block sizes). */
  readonly modeCount: number;
  /** The albedo data, when the model has an albedo space. */
  readonly albedoData?: LinearAlbedoData;

  // Concatenated geometry weights, reused by decode so the hot path does not allocate.
  private readonly weights: Float32Array;
  /** SIMD copy of {@link basis}, built on the first decode so loading stays cheap. */
  private blend: BlendBasis | undefined;
  private readonly blockIndex: Map<string, number>;

  constructor(data: LinearFaceModelData) {
    const n = data.mean.length;
    if (n % 3 !== 0) throw new RangeError(`mean holds ${n} values, not a multiple of 3 (V x 3)`);
    let modes = 0;
    const geometryBlocks: Array<LinearBlockSpec & { offset: number }> = [];
    for (const b of data.blocks) {
      checkPrior(b.name, b.size, b.std);
      if (b.labels && b.labels.length !== b.size) throw new RangeError(`block ${b.name}: ${b.labels.length} labels for ${b.size} modes`);
      geometryBlocks.push({ ...b, offset: modes });
      modes += b.size;
    }
    if (data.basis.length !== modes * n) {
      throw new RangeError(`basis holds ${data.basis.length} values, expected ${modes} modes x ${n}`);
    }
    if (data.triangles.length % 3 !== 0) throw new RangeError('triangles length is not a multiple of 3');
    if (data.albedo) {
      const a = data.albedo;
      if (a.mean.length !== n) throw new RangeError(`albedo mean holds ${a.mean.length} values, expected ${n}`);
      if (a.basis.length !== a.size * n) throw new RangeError(`albedo basis holds ${a.basis.length} values, expected ${a.size} x ${n}`);
      checkPrior(a.block, a.size, a.std);
    }

    this.id = data.id;
    this.name = data.name;
    this.units = data.units;
    this.vertexCount = n / 3;
    this.mean = data.mean;
    this.basis = data.basis;
    this.modeCount = modes;
    this.geometryBlocks = geometryBlocks;
    this.topology = {
      vertexCount: n / 3,
      triangles: data.triangles,
      ...(data.uvs && data.uvTriangles ? { uvs: data.uvs, uvTriangles: data.uvTriangles } : {}),
    };
    const parameters: ParameterBlock[] = geometryBlocks.map((b) => toParameterBlock(b.name, b.size, b.std, b.range, b.labels, b.description));
    if (data.albedo) {
      const a = data.albedo;
      parameters.push(toParameterBlock(a.block, a.size, a.std, undefined, undefined, a.description ?? 'per-vertex albedo coefficients'));
      this.albedoData = a;
      this.albedo = {
        block: a.block,
        kind: 'vertex',
        decode: (coefficients: ArrayLike<number>) => this.decodeAlbedo(coefficients),
      };
    }
    this.parameters = parameters;
    this.blockIndex = new Map(parameters.map((p, i) => [p.name, i]));
    if (this.blockIndex.size !== parameters.length) throw new RangeError('parameter block names must be unique');
    if (data.landmarks68) this.landmarks68 = data.landmarks68;
    if (data.regions) this.regions = data.regions;
    if (data.attribution) this.attribution = data.attribution;
    this.weights = new Float32Array(modes);
  }

  /** The geometry block named `name`, or undefined. */
  block(name: string): (Readonly<LinearBlockSpec> & { offset: number }) | undefined {
    return this.geometryBlocks.find((b) => b.name === name);
  }

  /**
   * The V x 3 vertex positions for `params` (in {@link units}). Block names are validated (an unknown name
   * throws, listing the valid ones); missing blocks are zero, short blocks zero-padded, too-long blocks throw.
   * The albedo block is accepted and ignored here (see {@link decodeAlbedo}). Writes into `out` when given
   * (length >= 3V) and allocates nothing then.
   */
  decode(params: ParameterValues, out?: Float32Array): Float32Array {
    const n = this.mean.length;
    if (out && out.length < n) throw new ParameterError(`output holds ${out.length} values, need ${n} (V x 3)`);
    const target = out ?? new Float32Array(n);
    const w = this.weights;
    w.fill(0);
    let used = 0;
    for (const name in params) {
      const idx = this.blockIndex.get(name);
      if (idx === undefined) throw this.unknownBlock(name);
      const values = params[name];
      const size = this.parameters[idx].size;
      if (values.length > size) throw new ParameterError(`block "${name}" has ${values.length} values, the model has ${size}`);
      if (idx >= this.geometryBlocks.length) continue; // albedo: not geometry
      const off = this.geometryBlocks[idx].offset;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isFinite(v)) throw new ParameterError(`block "${name}"[${i}] is ${v}, not a finite number`);
        w[off + i] = v;
      }
      used = Math.max(used, off + values.length);
    }
    target.set(this.mean);
    // Only pass the modes up to the last given one: trailing blocks that were left out cost nothing.
    if (used > 0) {
      this.blend ??= BlendBasis.create(this.basis, w.length, n);
      this.blend.accumulate(target, used === w.length ? w : w.subarray(0, used));
    }
    return target;
  }

  /**
   * Per-vertex albedo (V x 3 RGB, nominally in [0, 1], not clamped) for albedo coefficients; throws when the
   * model has no albedo space or the coefficients are too many.
   */
  decodeAlbedo(coefficients: ArrayLike<number>, out?: Float32Array): Float32Array {
    const a = this.albedoData;
    if (!a) throw new ParameterError(`model ${this.id} has no albedo space`);
    if (coefficients.length > a.size) throw new ParameterError(`block "${a.block}" has ${coefficients.length} values, the model has ${a.size}`);
    const n = a.mean.length;
    const target = out ?? new Float32Array(n);
    target.set(a.mean);
    addWeightedBasis(target, a.basis, coefficients, n);
    return target;
  }

  /**
   * A smaller model over a subset of the vertices (e.g. ICT-FaceKit's face + head, the first 11248 of 26719
   * vertices): every basis is sliced into a new, contiguous mode-major array, so decoding costs in proportion to
   * the subset. Triangles (and UV triangles) with all three corners inside are kept and renumbered; regions are
   * intersected; the landmark embedding is kept when all its triangles survive.
   */
  subset(selection: VertexSelection, options: { id?: string; name?: string } = {}): LinearFaceModel {
    return createRegionModel(this, selection, options);
  }

  private unknownBlock(name: string): ParameterError {
    return new ParameterError(
      `unknown parameter block "${name}" for model ${this.id}; valid blocks: ${this.parameters.map((p) => `${p.name}[${p.size}]`).join(', ')}`,
    );
  }
}

function checkPrior(name: string, size: number, std: number | Float32Array | undefined): void {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`block ${name}: size ${size} is not a non-negative integer`);
  if (std instanceof Float32Array && std.length !== size) throw new RangeError(`block ${name}: ${std.length} std values for ${size} modes`);
}

function toParameterBlock(
  name: string,
  size: number,
  std: number | Float32Array | undefined,
  range: [number, number] | undefined,
  labels: readonly string[] | undefined,
  description: string | undefined,
): ParameterBlock {
  const block: ParameterBlock = { name, size };
  if (std !== undefined) block.prior = { mean: 0, std };
  if (range) block.range = range;
  if (labels) block.labels = labels;
  if (description) block.description = description;
  return block;
}

/** Resolves a {@link VertexSelection} to sorted, unique vertex indices (and whether they form a range). */
function resolveSelection(model: LinearFaceModel, selection: VertexSelection): { vertices: Uint32Array; start: number; contiguous: boolean } {
  const V = model.vertexCount;
  let vertices: Uint32Array;
  if ('vertexCount' in selection) {
    vertices = rangeIndices(0, selection.vertexCount, V);
  } else if ('start' in selection) {
    vertices = rangeIndices(selection.start, selection.count, V);
  } else if ('region' in selection) {
    const region = model.regions?.[selection.region];
    if (!region) {
      throw new ParameterError(`model ${model.id} has no region "${selection.region}"; regions: ${Object.keys(model.regions ?? {}).join(', ') || 'none'}`);
    }
    vertices = region.vertices;
  } else {
    vertices = Uint32Array.from(selection.vertices);
    vertices.sort();
  }
  for (let i = 0; i < vertices.length; i++) {
    if (vertices[i] >= V) throw new RangeError(`vertex ${vertices[i]} is out of range (V = ${V})`);
    if (i > 0 && vertices[i] === vertices[i - 1]) throw new RangeError(`vertex ${vertices[i]} is listed twice`);
  }
  const start = vertices.length ? vertices[0] : 0;
  const contiguous = vertices.length === 0 || vertices[vertices.length - 1] - start === vertices.length - 1;
  return { vertices, start, contiguous };
}

function rangeIndices(start: number, count: number, V: number): Uint32Array {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > V) {
    throw new RangeError(`vertex range [${start}, ${start + count}) is outside [0, ${V})`);
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = start + i;
  return out;
}

/** Gathers the selected vertices' 3 values from each of `modes` mode-major blocks of 3V values. */
function sliceModes(basis: Float32Array, modes: number, V: number, sel: { vertices: Uint32Array; start: number; contiguous: boolean }): Float32Array {
  const m = sel.vertices.length * 3;
  const out = new Float32Array(modes * m);
  for (let k = 0; k < modes; k++) {
    const src = k * V * 3;
    if (sel.contiguous) {
      // A vertex range is one contiguous run in every mode: a straight copy.
      out.set(basis.subarray(src + sel.start * 3, src + sel.start * 3 + m), k * m);
    } else {
      const dst = k * m;
      const vs = sel.vertices;
      for (let i = 0; i < vs.length; i++) {
        const s = src + vs[i] * 3;
        out[dst + i * 3] = basis[s];
        out[dst + i * 3 + 1] = basis[s + 1];
        out[dst + i * 3 + 2] = basis[s + 2];
      }
    }
  }
  return out;
}

/**
 * Builds a sub-model of `model` over selected vertices (see {@link LinearFaceModel.subset}). The new model's
 * id defaults to `<id>:<count>`.
 */
export function createRegionModel(
  model: LinearFaceModel,
  selection: VertexSelection,
  options: { id?: string; name?: string } = {},
): LinearFaceModel {
  const V = model.vertexCount;
  const sel = resolveSelection(model, selection);
  const remap = new Int32Array(V).fill(-1);
  sel.vertices.forEach((v, i) => (remap[v] = i));

  // Triangles fully inside the subset, renumbered; keep the old->new triangle map for landmarks and regions.
  const tris = model.topology.triangles;
  const F = tris.length / 3;
  const triMap = new Int32Array(F).fill(-1);
  const keptTris: number[] = [];
  for (let f = 0; f < F; f++) {
    const a = remap[tris[f * 3]], b = remap[tris[f * 3 + 1]], c = remap[tris[f * 3 + 2]];
    if (a >= 0 && b >= 0 && c >= 0) {
      triMap[f] = keptTris.length / 3;
      keptTris.push(a, b, c);
    }
  }
  const triangles = Uint32Array.from(keptTris);
  let uvTriangles: Uint32Array | undefined;
  const { uvs } = model.topology;
  if (uvs && model.topology.uvTriangles) {
    const src = model.topology.uvTriangles;
    uvTriangles = new Uint32Array(triangles.length);
    for (let f = 0; f < F; f++) {
      const g = triMap[f];
      if (g >= 0) uvTriangles.set(src.subarray(f * 3, f * 3 + 3), g * 3);
    }
  }

  const mean = sliceModes(model.mean, 1, V, sel);
  const basis = sliceModes(model.basis, model.modeCount, V, sel);
  let albedo: LinearAlbedoData | undefined;
  if (model.albedoData) {
    const a = model.albedoData;
    albedo = { ...a, mean: sliceModes(a.mean, 1, V, sel), basis: sliceModes(a.basis, a.size, V, sel) };
  }

  let landmarks68: LandmarkEmbedding | undefined;
  if (model.landmarks68) {
    const lm = model.landmarks68;
    const faces = new Uint32Array(lm.faces.length);
    let ok = true;
    for (let i = 0; i < faces.length && ok; i++) {
      const g = triMap[lm.faces[i]];
      if (g < 0) ok = false;
      else faces[i] = g;
    }
    if (ok) landmarks68 = { faces, barycentrics: lm.barycentrics, ...(lm.labels ? { labels: lm.labels } : {}) };
  }

  let regions: Record<string, MeshRegion> | undefined;
  if (model.regions) {
    regions = {};
    for (const [name, r] of Object.entries(model.regions)) {
      const vs: number[] = [];
      for (const v of r.vertices) if (remap[v] >= 0) vs.push(remap[v]);
      if (vs.length === 0) continue;
      const region: MeshRegion = { vertices: Uint32Array.from(vs) };
      if (r.triangles) {
        const ts: number[] = [];
        for (const t of r.triangles) if (triMap[t] >= 0) ts.push(triMap[t]);
        region.triangles = Uint32Array.from(ts);
      }
      if (r.description) region.description = r.description;
      regions[name] = region;
    }
  }

  return new LinearFaceModel({
    id: options.id ?? `${model.id}:${sel.vertices.length}`,
    name: options.name ?? `${model.name} (${sel.vertices.length} of ${V} vertices)`,
    units: model.units,
    mean,
    basis,
    blocks: model.geometryBlocks.map(({ offset: _offset, ...b }) => b),
    triangles,
    ...(uvs && uvTriangles ? { uvs, uvTriangles } : {}),
    ...(albedo ? { albedo } : {}),
    ...(landmarks68 ? { landmarks68 } : {}),
    ...(regions ? { regions } : {}),
    ...(model.attribution ? { attribution: model.attribution } : {}),
  });
}

/**
 * Region from a vertex range `[first, last]` (inclusive, as the ICT-FaceKit README writes them), with the
 * triangles whose three corners lie inside it.
 */
export function rangeRegion(first: number, last: number, triangles: Uint32Array, description?: string): MeshRegion {
  const vertices = new Uint32Array(last - first + 1);
  for (let i = 0; i < vertices.length; i++) vertices[i] = first + i;
  const tris: number[] = [];
  for (let f = 0, F = triangles.length / 3; f < F; f++) {
    const a = triangles[f * 3], b = triangles[f * 3 + 1], c = triangles[f * 3 + 2];
    if (a >= first && a <= last && b >= first && b <= last && c >= first && c <= last) tris.push(f);
  }
  return { vertices, triangles: Uint32Array.from(tris), ...(description ? { description } : {}) };
}

/**
 * Region from explicit vertex indices (any order, duplicates removed), with the triangles whose three corners
 * are all in it.
 */
export function indexRegion(indices: ArrayLike<number>, vertexCount: number, triangles: Uint32Array, description?: string): MeshRegion {
  const inside = new Uint8Array(vertexCount);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!(v >= 0 && v < vertexCount)) throw new RangeError(`region vertex ${v} is outside [0, ${vertexCount})`);
    inside[v] = 1;
  }
  const vs: number[] = [];
  for (let v = 0; v < vertexCount; v++) if (inside[v]) vs.push(v);
  const tris: number[] = [];
  for (let f = 0, F = triangles.length / 3; f < F; f++) {
    if (inside[triangles[f * 3]] && inside[triangles[f * 3 + 1]] && inside[triangles[f * 3 + 2]]) tris.push(f);
  }
  return { vertices: Uint32Array.from(vs), triangles: Uint32Array.from(tris), ...(description ? { description } : {}) };
}

/**
 * Landmark embedding for vertex-exact landmarks: each vertex is placed on the first triangle that uses it,
 * with barycentric weight 1 on that corner (so `sum w_i * v[tri_i]` is exactly the vertex).
 * Throws when a vertex is on no triangle.
 */
export function vertexLandmarkEmbedding(vertexIndices: ArrayLike<number>, triangles: Uint32Array, labels?: readonly string[]): LandmarkEmbedding {
  const L = vertexIndices.length;
  const wanted = new Map<number, number[]>();
  for (let i = 0; i < L; i++) {
    const list = wanted.get(vertexIndices[i]);
    if (list) list.push(i);
    else wanted.set(vertexIndices[i], [i]);
  }
  const faces = new Uint32Array(L);
  const barycentrics = new Float32Array(L * 3);
  for (let f = 0, F = triangles.length / 3; f < F && wanted.size > 0; f++) {
    for (let c = 0; c < 3; c++) {
      const list = wanted.get(triangles[f * 3 + c]);
      if (!list) continue;
      for (const i of list) {
        faces[i] = f;
        barycentrics[i * 3 + c] = 1;
      }
      wanted.delete(triangles[f * 3 + c]);
    }
  }
  if (wanted.size > 0) throw new RangeError(`landmark vertices ${[...wanted.keys()].join(', ')} are on no triangle`);
  return { faces, barycentrics, ...(labels ? { labels } : {}) };
}

/** Names of the 68 Multi-PIE (iBUG 300-W) landmarks, in order: `jaw_0..16`, brows, nose, eyes, lips. */
export const MULTIPIE_68_LABELS: readonly string[] = Object.freeze([
  ...Array.from({ length: 17 }, (_, i) => `jaw_${i}`),
  ...Array.from({ length: 5 }, (_, i) => `right_brow_${i}`),
  ...Array.from({ length: 5 }, (_, i) => `left_brow_${i}`),
  ...Array.from({ length: 4 }, (_, i) => `nose_bridge_${i}`),
  ...Array.from({ length: 5 }, (_, i) => `nose_lower_${i}`),
  ...Array.from({ length: 6 }, (_, i) => `right_eye_${i}`),
  ...Array.from({ length: 6 }, (_, i) => `left_eye_${i}`),
  ...Array.from({ length: 12 }, (_, i) => `outer_lip_${i}`),
  ...Array.from({ length: 8 }, (_, i) => `inner_lip_${i}`),
]);
