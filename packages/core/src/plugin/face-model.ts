import type { Image } from '../image/image.js';

/** Length unit of model coordinates; reports convert to millimetres with {@link unitToMillimetres}. */
export type LengthUnit = 'mm' | 'cm' | 'm' | 'arbitrary';

/** Millimetres per unit (NaN for `arbitrary`). */
export function unitToMillimetres(unit: LengthUnit): number {
  return unit === 'mm' ? 1 : unit === 'cm' ? 10 : unit === 'm' ? 1000 : Number.NaN;
}

/**
 * A named block of model parameters, such as `shape[100]` or `pose[15]`: the layout as data, read alike by
 * predictors, the CLI, the fitter and the viewer (the DECA `param_list` idea).
 */
export interface ParameterBlock {
  /** Block name: `shape`, `expression`, `pose`, `translation`, `albedo`, ... */
  name: string;
  /** Number of coefficients. */
  size: number;
  /** Gaussian prior of each coefficient: scalars apply to all, arrays give one value per coefficient. */
  prior?: { mean?: number | Float32Array; std: number | Float32Array };
  /** Admissible range (e.g. [0, 1] for blendshape weights). */
  range?: [number, number];
  /** Names of the coefficients (e.g. ARKit blendshape names), when they have any. */
  labels?: readonly string[];
  /** One line saying what the block means. */
  description?: string;
}

/** Parameter values by block name. Missing blocks are zero; shorter blocks are zero-padded. */
export type ParameterValues = Record<string, ArrayLike<number>>;

/**
 * A landmark embedding: each landmark is a point on a triangle, given by the triangle index and
 * barycentric weights of its three corners (a vertex-exact landmark has weights 1, 0, 0).
 */
export interface LandmarkEmbedding {
  /** L triangle indices. */
  faces: Uint32Array;
  /** L x 3 barycentric weights. */
  barycentrics: Float32Array;
  /** Optional names (e.g. `jaw_0`..., or the 68-point scheme). */
  labels?: readonly string[];
}

/** A named part of the mesh (face, scalp, eyes, ...): a vertex range or an explicit list. */
export interface MeshRegion {
  /** Sorted vertex indices of the region. */
  vertices: Uint32Array;
  /** Triangle indices whose three corners all belong to the region, when known. */
  triangles?: Uint32Array;
  description?: string;
}

/** Topology shared by every instance of a face model. */
export interface FaceTopology {
  vertexCount: number;
  /** F x 3 triangle indices (quads are triangulated). */
  triangles: Uint32Array;
  /** Texture coordinates and their per-corner index buffer (OBJ-style seams), when the model has UVs. */
  uvs?: Float32Array;
  uvTriangles?: Uint32Array;
}

/** Optional colour space of a face model: per-vertex albedo or a UV texture from coefficients. */
export interface AlbedoSpace {
  /** Parameter block that drives it (e.g. `albedo` or `texture`). */
  block: string;
  /** Either per-vertex RGB in [0, 1] (V x 3) or a UV texture. */
  kind: 'vertex' | 'uv';
  /** Evaluates albedo for the given coefficients. */
  decode(coefficients: ArrayLike<number>): Float32Array | Image<Float32Array>;
}

/**
 * A parametric face model: FLAME, a BFM-style linear 3DMM, a FaceWarehouse bilinear model, ICT-FaceKit, or a
 * user's own. Implementations are registered with {@link registerFaceModel}.
 */
export interface FaceModel {
  /** Registry id, e.g. `flame`, `bfm2017`, `ict-facekit`. */
  readonly id: string;
  /** Human-readable name. */
  readonly name: string;
  /** Unit of decoded coordinates. */
  readonly units: LengthUnit;
  readonly topology: FaceTopology;
  /** Parameter layout, in the order of a flat parameter vector. */
  readonly parameters: readonly ParameterBlock[];
  /** The 68 Multi-PIE landmarks, when the model defines them. */
  readonly landmarks68?: LandmarkEmbedding;
  /** Named regions; `face` is expected by metrics and the fitter when present. */
  readonly regions?: Readonly<Record<string, MeshRegion>>;
  readonly albedo?: AlbedoSpace;
  /** Licence/attribution text users must keep with data derived from the model. */
  readonly attribution?: string;
  /**
   * Decodes parameters to vertex positions (V x 3, in {@link units}). Unknown block names throw; missing blocks
   * are zero. Writes into `out` when given (no allocation on the hot path).
   */
  decode(params: ParameterValues, out?: Float32Array): Float32Array;
}
