/**
 * ICT-FaceKit (USC ICT, MIT licence) as a {@link LinearFaceModel}: the facts of the upstream model
 * (file names, vertex ranges, landmark indices, licence) and a browser-safe builder fed with file bytes.
 * The Node loader with caching is in `@facekit/bfm/node` (`loadIctFaceKit`).
 * @module
 */
import { FormatError } from '@facekit/core';
import type { MeshRegion } from '@facekit/core';
import {
  LinearFaceModel,
  MULTIPIE_68_LABELS,
  rangeRegion,
  vertexLandmarkEmbedding,
} from '../linear-model.js';
import { parseObjPositions, parseObjTopology } from './obj-fast.js';
import type { ObjTopology } from './obj-fast.js';

/** Registry id of the model. */
export const ICT_MODEL_ID = 'ict-facekit';
/** Where users get the model: the public repository and the folder inside it. */
export const ICT_SOURCE = 'https://github.com/ICT-VGL/ICT-FaceKit (folder FaceXModel)';
/** The neutral mesh file name; its presence identifies an ICT-FaceKit folder. */
export const ICT_NEUTRAL_FILE = 'generic_neutral_mesh.obj';
/** Vertex count of the full upstream mesh. */
export const ICT_VERTEX_COUNT = 26719;
/** Vertices 0..11247 are the face, head and neck (the rest is mouth socket, teeth, eyes...). */
export const ICT_FACE_HEAD_VERTEX_COUNT = 11248;
/** Number of identity modes upstream ships (identity000 .. identity099). */
export const ICT_IDENTITY_COUNT = 100;

/**
 * The 53 expression blendshapes, ARKit names, in the upstream order (`expressions` of vertex_indices.json).
 * The folder's vertex_indices.json is preferred when present.
 */
export const ICT_EXPRESSION_NAMES: readonly string[] = Object.freeze([
  'browDown_L', 'browDown_R', 'browInnerUp_L', 'browInnerUp_R', 'browOuterUp_L', 'browOuterUp_R',
  'cheekPuff_L', 'cheekPuff_R', 'cheekSquint_L', 'cheekSquint_R', 'eyeBlink_L', 'eyeBlink_R',
  'eyeLookDown_L', 'eyeLookDown_R', 'eyeLookIn_L', 'eyeLookIn_R', 'eyeLookOut_L', 'eyeLookOut_R',
  'eyeLookUp_L', 'eyeLookUp_R', 'eyeSquint_L', 'eyeSquint_R', 'eyeWide_L', 'eyeWide_R',
  'jawForward', 'jawLeft', 'jawOpen', 'jawRight', 'mouthClose', 'mouthDimple_L', 'mouthDimple_R',
  'mouthFrown_L', 'mouthFrown_R', 'mouthFunnel', 'mouthLeft', 'mouthLowerDown_L', 'mouthLowerDown_R',
  'mouthPress_L', 'mouthPress_R', 'mouthPucker', 'mouthRight', 'mouthRollLower', 'mouthRollUpper',
  'mouthShrugLower', 'mouthShrugUpper', 'mouthSmile_L', 'mouthSmile_R', 'mouthStretch_L', 'mouthStretch_R',
  'mouthUpperUp_L', 'mouthUpperUp_R', 'noseSneer_L', 'noseSneer_R',
]);

/** Multi-PIE 68-point landmark vertex indices (0-based) from the upstream README, in the usual 68-point order. */
export const ICT_LANDMARK_VERTICES: Uint32Array = Uint32Array.from([
  1225, 1888, 1052, 367, 1719, 1722, 2199, 1447, 966, 3661, 4390, 3927, 3924, 2608, 3272, 4088, 3443, 268, 493, 1914,
  2044, 1401, 3615, 4240, 4114, 2734, 2509, 978, 4527, 4942, 4857, 1140, 2075, 1147, 4269, 3360, 1507, 1542, 1537,
  1528, 1518, 1511, 3742, 3751, 3756, 3721, 3725, 3732, 5708, 5695, 2081, 0, 4275, 6200, 6213, 6346, 6461, 5518,
  5957, 5841, 5702, 5711, 5533, 6216, 6207, 6470, 5517, 5966,
]);

/** Vertex ranges (0-based, inclusive) of the parts of the ICT-FaceKit mesh, from the upstream README. */
export const ICT_REGION_RANGES: Readonly<Record<string, readonly [number, number, string]>> = Object.freeze({
  face: [0, 9408, 'face'],
  narrow_face: [0, 6705, 'narrow face (the area fitting usually uses)'],
  head_neck: [9409, 11247, 'back of the head and neck'],
  face_head: [0, 11247, 'face, head and neck: the skin surface'],
  mouth_socket: [11248, 13293, 'mouth socket'],
  eye_sockets: [13294, 14061, 'eye sockets'],
  gums_tongue: [14062, 17038, 'gums and tongue'],
  teeth: [17039, 21450, 'teeth'],
  eyeballs: [21451, 24590, 'eyeballs'],
  eye_extras: [24591, 26718, 'lacrimal fluid, eye blend, eye occlusion and eyelashes'],
});

/** The copyright line of ICT-FaceKit's LICENSE. */
export const ICT_COPYRIGHT = 'Copyright (c) 2020 USC Institute for Creative Technologies';

/** Attribution that must stay with data derived from ICT-FaceKit: the MIT notice of its LICENSE. */
export const ICT_ATTRIBUTION = `ICT-FaceKit face model (${ICT_SOURCE}), MIT License.
${ICT_COPYRIGHT}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

/** File name of identity mode `i` (`identity000.obj` ...). */
export function ictIdentityFile(i: number): string {
  return `identity${String(i).padStart(3, '0')}.obj`;
}

/**
 * Expression names from the bytes of vertex_indices.json (its `expressions` list), or the built-in list when
 * `json` is undefined.
 * @throws FormatError when the JSON is malformed or has no string list `expressions`.
 */
export function ictExpressionNames(json?: Uint8Array | string): string[] {
  if (json === undefined) return [...ICT_EXPRESSION_NAMES];
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
  } catch (error) {
    throw new FormatError(`vertex_indices.json is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const list = (parsed as { expressions?: unknown } | null)?.expressions;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && /^[A-Za-z0-9_]+$/.test(x))) {
    throw new FormatError('vertex_indices.json has no "expressions" list of blendshape names');
  }
  return list as string[];
}

/** Options of {@link IctModelBuilder}. */
export interface IctBuildOptions {
  /** Number of identity modes to use (default 100, all upstream ships). */
  identityCount?: number;
  /** Expression names, in order (default: vertex_indices.json's list or {@link ICT_EXPRESSION_NAMES}). */
  expressionNames?: readonly string[];
}

/**
 * Builds the ICT-FaceKit {@link LinearFaceModel} from file bytes, one file at a time, so a loader can feed
 * files as they arrive and never hold more than one parsed shape: each shape's positions are parsed in double
 * precision and `shape - neutral` is written straight into its mode of the mode-major float32 basis.
 *
 * Works on the upstream full OBJ files and on trimmed ones holding only `v` lines.
 */
export class IctModelBuilder {
  readonly identityCount: number;
  readonly expressionNames: readonly string[];
  readonly vertexCount: number;
  private readonly topology: ObjTopology;
  private readonly basis: Float32Array;
  private readonly scratch: Float64Array;
  private readonly filled: Uint8Array;

  /** @param neutralObj - bytes of generic_neutral_mesh.obj (positions, UVs and polygons). */
  constructor(neutralObj: Uint8Array, options: IctBuildOptions = {}) {
    this.topology = parseObjTopology(neutralObj, ICT_NEUTRAL_FILE);
    this.vertexCount = this.topology.positions.length / 3;
    if (this.vertexCount === 0 || this.topology.triangles.length === 0) {
      throw new FormatError(`${ICT_NEUTRAL_FILE} has no vertices or faces; the importer needs the full upstream neutral mesh`);
    }
    this.identityCount = options.identityCount ?? ICT_IDENTITY_COUNT;
    this.expressionNames = options.expressionNames ?? ICT_EXPRESSION_NAMES;
    const modes = this.identityCount + this.expressionNames.length;
    this.basis = new Float32Array(modes * this.vertexCount * 3);
    this.scratch = new Float64Array(this.vertexCount * 3);
    this.filled = new Uint8Array(modes);
  }

  /** The files still needed, with their mode index: identities first, then expressions. */
  files(): Array<{ file: string; mode: number }> {
    const out: Array<{ file: string; mode: number }> = [];
    for (let i = 0; i < this.identityCount; i++) out.push({ file: ictIdentityFile(i), mode: i });
    this.expressionNames.forEach((name, j) => out.push({ file: `${name}.obj`, mode: this.identityCount + j }));
    return out;
  }

  /** Parses one shape file (bytes of identityNNN.obj or an expression .obj) into mode `mode`. */
  addShape(mode: number, bytes: Uint8Array, fileName = `mode ${mode}`): void {
    const V3 = this.vertexCount * 3;
    if (!(mode >= 0 && mode < this.filled.length)) throw new RangeError(`mode ${mode} is outside [0, ${this.filled.length})`);
    const shape = parseObjPositions(bytes, this.vertexCount, fileName, this.scratch);
    const neutral = this.topology.positions;
    const dst = this.basis.subarray(mode * V3, (mode + 1) * V3);
    // Difference in double precision, rounded once: decode(mode = 1) then equals the file to float32 precision.
    for (let i = 0; i < V3; i++) dst[i] = shape[i] - neutral[i];
    this.filled[mode] = 1;
  }

  /**
   * The finished model.
   * @throws FormatError when some shape was not added.
   */
  build(): LinearFaceModel {
    const missing = this.files().filter((f) => !this.filled[f.mode]).map((f) => f.file);
    if (missing.length) throw new FormatError(`ICT-FaceKit shapes not loaded: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    return assembleIctModel({
      mean: Float32Array.from(this.topology.positions),
      basis: this.basis,
      triangles: this.topology.triangles,
      uvs: this.topology.uvTriangles ? this.topology.uvs : undefined,
      uvTriangles: this.topology.uvTriangles,
      identityCount: this.identityCount,
      expressionNames: this.expressionNames,
    });
  }
}

/** The arrays an ICT-FaceKit model is made of (what the cache stores). */
export interface IctArrays {
  /** V x 3 neutral positions, cm. */
  mean: Float32Array;
  /** (identityCount + expressions) x 3V mode-major deltas, cm. */
  basis: Float32Array;
  /** F x 3 triangles. */
  triangles: Uint32Array;
  /** T x 2 UVs. */
  uvs?: Float32Array;
  /** F x 3 UV indices. */
  uvTriangles?: Uint32Array;
  identityCount: number;
  expressionNames: readonly string[];
}

/**
 * Wraps the arrays in a {@link LinearFaceModel} with ICT-FaceKit's blocks, landmarks, regions and attribution.
 * Regions and landmarks are derived from the triangles (cheap), so caches only store the arrays.
 */
export function assembleIctModel(a: IctArrays): LinearFaceModel {
  const V = a.mean.length / 3;
  const regions: Record<string, MeshRegion> = {};
  for (const [name, [first, last, description]] of Object.entries(ICT_REGION_RANGES)) {
    if (last < V) regions[name] = rangeRegion(first, last, a.triangles, description);
  }
  const landmarksOk = V > 6470; // the largest landmark index
  return new LinearFaceModel({
    id: ICT_MODEL_ID,
    name: 'ICT-FaceKit',
    units: 'cm',
    mean: a.mean,
    basis: a.basis,
    blocks: [
      {
        name: 'identity',
        size: a.identityCount,
        std: 1,
        description: 'identity coefficients, ~N(0, 1); mode i = identityNNN.obj - neutral (cm)',
      },
      {
        name: 'expression',
        size: a.expressionNames.length,
        std: 1,
        range: [0, 1],
        labels: a.expressionNames,
        description: 'ARKit blendshape weights in [0, 1]; mode = <name>.obj - neutral (cm)',
      },
    ],
    triangles: a.triangles,
    ...(a.uvs && a.uvTriangles ? { uvs: a.uvs, uvTriangles: a.uvTriangles } : {}),
    ...(landmarksOk ? { landmarks68: vertexLandmarkEmbedding(ICT_LANDMARK_VERTICES, a.triangles, MULTIPIE_68_LABELS) } : {}),
    regions,
    attribution: ICT_ATTRIBUTION,
  });
}
