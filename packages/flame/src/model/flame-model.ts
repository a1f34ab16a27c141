/**
 * The FLAME decoder: shape and expression blendshapes, pose correctives and linear blend skinning over the
 * 5-joint tree, following the semantics of FLAME's `lbs.py` (Li et al. 2017, "Learning a model of facial shape
 * and expression from 4D scans"):
 *
 * ```
 * v_shaped = v_template + shapedirs · [shape, expression]
 * J        = J_regressor · v_shaped
 * R_j      = rodrigues(pose_j)                         j = 0..4 (global, neck, jaw, left eye, right eye)
 * v_posed  = v_shaped + posedirs · vec(R_1..R_4 - I)   (36 values, row-major per joint)
 * G_j      = G_parent(j) · [R_j | J_j - J_parent(j)],  A_j = G_j · [I | -J_j]
 * v        = (sum_j w_vj A_j) · v_posed + translation
 * ```
 * @module
 */
import {
  BlendBasis,
  axisAnglesToMatrices,
  toModeMajor,
  type FaceModel,
  type FaceTopology,
  type LandmarkEmbedding,
  type LengthUnit,
  type ParameterBlock,
  type ParameterValues,
} from '@facekit/core';
import type { FlameModelData } from '../io/model.js';
import type { DynamicLandmarkEmbedding, FlameLandmarkEmbedding } from '../io/embedding.js';

/** Names of FLAME's joints, in pose order. */
export const FLAME_JOINTS = ['global', 'neck', 'jaw', 'leftEye', 'rightEye'] as const;

/**
 * Per-joint pose blocks `decode` accepts besides `pose` (3 axis-angle values each; `eyes` = left then right, 6).
 * They override the matching slice of `pose` and are not part of the flat parameter vector.
 */
export const FLAME_POSE_ALIASES: Readonly<Record<string, readonly [offset: number, size: number]>> = {
  global: [0, 3],
  neck: [3, 3],
  jaw: [6, 3],
  leftEye: [9, 3],
  rightEye: [12, 3],
  eyes: [9, 6],
};

/** Attribution users must keep with FLAME-derived data. */
export const FLAME_ATTRIBUTION =
  'FLAME (c) Max-Planck-Gesellschaft, https://flame.is.tue.mpg.de; used under the FLAME model licence (non-commercial research and education unless licensed otherwise). Li, Bolkart, Black, Li, Romero: "Learning a model of facial shape and expression from 4D scans", SIGGRAPH Asia 2017.';

/** Options of {@link FlameModel}. */
export interface FlameModelOptions {
  /** Landmark embeddings (static 51, dynamic contour, or DECA's combined file). */
  landmarks?: FlameLandmarkEmbedding;
  /** Keep only the first N shape components (default: all in the file, 300 officially). */
  shapeComponents?: number;
  /** Keep only the first N expression components (default: all, 100 officially). */
  expressionComponents?: number;
  /** Registry id (default `flame`). */
  id?: string;
  /** Use the WebAssembly SIMD blend kernel when available (default true). */
  simd?: boolean;
}

/** Joint-local scratch of the rigid chain; allocated once per model. */
interface Scratch {
  coeffs: Float64Array;
  pose: Float64Array;
  rot: Float64Array;
  feature: Float64Array;
  joints: Float64Array;
  world: Float64Array;
  skin: Float64Array;
  vertices: Float32Array;
  translation: Float64Array;
}

/**
 * FLAME as a facekit {@link FaceModel}. Parameter blocks: `shape[S]`, `expression[E]`, `pose[15]` (axis-angle:
 * global, neck, jaw, left eye, right eye), `translation[3]`; see {@link FLAME_POSE_ALIASES} for per-joint blocks.
 * Units are metres. `decode` is allocation-free (scratch buffers live on the instance, so one instance must not
 * be used from two threads at once — JS never does that anyway).
 */
export class FlameModel implements FaceModel {
  readonly id: string;
  readonly name = 'FLAME';
  readonly units: LengthUnit = 'm';
  readonly topology: FaceTopology;
  readonly parameters: readonly ParameterBlock[];
  readonly landmarks68?: LandmarkEmbedding;
  readonly attribution = FLAME_ATTRIBUTION;
  /** Landmark embeddings as loaded. */
  readonly embedding: FlameLandmarkEmbedding;
  readonly vertexCount: number;
  readonly jointCount: number;
  readonly shapeCount: number;
  readonly expressionCount: number;
  /** Parent of each joint, `-1` for the root. */
  readonly parents: Int32Array;
  /** V x 3 template (metres). */
  readonly template: Float32Array;
  /** V x J skinning weights. */
  readonly weights: Float32Array;

  /** (S + E) blendshape modes, mode-major. */
  private readonly blend: BlendBasis;
  /** 9 (J - 1) pose-corrective modes, mode-major. */
  private readonly poseBasis: BlendBasis;
  /** J x 3 joints of the template. */
  private readonly jointTemplate: Float64Array;
  /** (S + E) x J x 3: how each blendshape moves the joints (J_regressor · shapedirs, precomputed). */
  private readonly jointDirs: Float64Array;
  /** Per vertex: number of joints with non-zero weight, their ids and weights (stride J). */
  private readonly skinCount: Uint8Array;
  private readonly skinJoint: Uint8Array;
  private readonly skinWeight: Float64Array;
  /** Joints from the neck up to the root (DECA's `neck_kin_chain`). */
  private readonly neckChain: number[];
  private readonly s: Scratch;

  constructor(data: FlameModelData, options: FlameModelOptions = {}) {
    const V = data.vertexCount;
    const J = data.jointCount;
    const K = data.shapeCount + data.expressionCount;
    if (J > 255) throw new RangeError(`FLAME with ${J} joints: at most 255 are supported`);
    const S = Math.min(options.shapeComponents ?? data.shapeCount, data.shapeCount);
    const E = Math.min(options.expressionComponents ?? data.expressionCount, data.expressionCount);
    this.id = options.id ?? 'flame';
    this.vertexCount = V;
    this.jointCount = J;
    this.shapeCount = S;
    this.expressionCount = E;
    this.parents = data.parents.slice();
    this.template = data.vTemplate;
    this.weights = data.weights;
    this.topology = { vertexCount: V, triangles: data.faces };
    this.parameters = [
      { name: 'shape', size: S, prior: { mean: 0, std: 1 }, description: 'identity shape coefficients (PCA, unit variance)' },
      { name: 'expression', size: E, prior: { mean: 0, std: 1 }, description: 'expression coefficients (PCA, unit variance)' },
      {
        name: 'pose',
        size: 3 * J,
        prior: { mean: 0, std: 0.5 },
        description: 'axis-angle rotations (radians) of global, neck, jaw, left eye, right eye',
        labels: FLAME_JOINTS.slice(0, J).flatMap((j) => [`${j}.x`, `${j}.y`, `${j}.z`]),
      },
      { name: 'translation', size: 3, prior: { mean: 0, std: 1 }, description: 'translation added to every vertex (metres)' },
    ];

    // Blendshapes, mode-major: shape components [0, S), expression components [S, S + E).
    const n = V * 3;
    const modes = new Float32Array((S + E) * n);
    modes.set(toModeMajor(data.shapedirs, n, K, S, 0), 0);
    modes.set(toModeMajor(data.shapedirs, n, K, E, data.shapeCount), S * n);
    this.blend = BlendBasis.create(modes, S + E, n, { simd: options.simd });
    const P = 9 * (J - 1);
    this.poseBasis = BlendBasis.create(toModeMajor(data.posedirs, n, P), P, n, { simd: options.simd });

    // Joints are linear in the blendshape coefficients, so regress the template and every mode once here.
    this.jointTemplate = new Float64Array(J * 3);
    this.jointDirs = new Float64Array((S + E) * J * 3);
    const R = data.jRegressor;
    for (let j = 0; j < J; j++) {
      for (let v = 0; v < V; v++) {
        const r = R[j * V + v];
        if (r === 0) continue;
        for (let c = 0; c < 3; c++) this.jointTemplate[j * 3 + c] += r * data.vTemplate[v * 3 + c];
        for (let m = 0; m < S + E; m++) {
          const src = m * n + v * 3;
          const dst = m * J * 3 + j * 3;
          this.jointDirs[dst] += r * modes[src];
          this.jointDirs[dst + 1] += r * modes[src + 1];
          this.jointDirs[dst + 2] += r * modes[src + 2];
        }
      }
    }

    // Skinning weights as short per-vertex lists: most FLAME vertices follow one or two joints.
    this.skinCount = new Uint8Array(V);
    this.skinJoint = new Uint8Array(V * J);
    this.skinWeight = new Float64Array(V * J);
    for (let v = 0; v < V; v++) {
      let c = 0;
      for (let j = 0; j < J; j++) {
        const w = data.weights[v * J + j];
        if (w === 0) continue;
        this.skinJoint[v * J + c] = j;
        this.skinWeight[v * J + c] = w;
        c++;
      }
      this.skinCount[v] = c;
    }

    this.neckChain = [];
    for (let j = Math.min(1, J - 1); j !== -1; j = this.parents[j]) this.neckChain.push(j);

    this.s = {
      coeffs: new Float64Array(S + E),
      pose: new Float64Array(3 * J),
      rot: new Float64Array(9 * J),
      feature: new Float64Array(P),
      joints: new Float64Array(3 * J),
      world: new Float64Array(12 * J),
      skin: new Float64Array(12 * J),
      vertices: new Float32Array(n),
      translation: new Float64Array(3),
    };

    this.embedding = options.landmarks ?? {};
    this.checkEmbedding(data.faces.length / 3);
    this.landmarks68 = this.embedding.full ?? (this.embedding.static && this.embedding.dynamic ? this.compose68(0) : undefined);
  }

  /** Which blend kernel runs: `simd` (WebAssembly f32x4) or `js`. */
  get backend(): 'simd' | 'js' {
    return this.blend.backend;
  }

  /**
   * Decodes parameters to V x 3 vertex positions in metres. Missing blocks are zero, shorter blocks are
   * zero-padded, longer blocks and unknown names throw. Writes into `out` when given; allocation-free.
   */
  decode(params: ParameterValues, out?: Float32Array): Float32Array {
    const V = this.vertexCount;
    const dst = out ?? new Float32Array(V * 3);
    if (dst.length < V * 3) throw new RangeError(`output holds ${dst.length} values, need ${V * 3}`);
    this.readParams(params);
    this.run(dst);
    return dst;
  }

  /** Posed joint positions (J x 3, metres, translation included) for the given parameters. */
  joints(params: ParameterValues, out: Float32Array = new Float32Array(this.jointCount * 3)): Float32Array {
    this.readParams(params);
    this.shapeJoints();
    this.rigidChain();
    const w = this.s.world, t = this.s.translation;
    for (let j = 0; j < this.jointCount; j++) {
      out[j * 3] = w[j * 12 + 3] + t[0];
      out[j * 3 + 1] = w[j * 12 + 7] + t[1];
      out[j * 3 + 2] = w[j * 12 + 11] + t[2];
    }
    return out;
  }

  /**
   * The dynamic-contour bin for a pose, exactly as DECA's `_find_dynamic_lmk_idx_and_bcoords`: the head's rotation
   * is `R = R_global · R_neck`, yaw = `atan2(-R[2][0], hypot(R[0][0], R[1][0]))` in degrees, clamped above at 39 and
   * rounded half-to-even (`torch.round`); yaw >= 0 maps to bin `yaw` (0..39), yaw < 0 to bin `39 - yaw` (40..78),
   * and anything below -39 to bin 78.
   */
  contourBin(params: ParameterValues): number {
    this.readParams(params);
    return this.contourBinFromPose();
  }

  /**
   * The 68 Multi-PIE landmarks (68 x 3, metres) for the given parameters: the 17 contour points of the yaw bin
   * (see {@link contourBin}) followed by the 51 static points, as DECA and RingNet order them. Falls back to the
   * fixed 68-point embedding when no dynamic embedding is loaded. Pass `vertices` from a previous `decode` of the
   * same parameters to skip decoding again.
   */
  landmarks68For(params: ParameterValues, vertices?: Float32Array, out: Float32Array = new Float32Array(68 * 3)): Float32Array {
    const emb = this.embedding;
    if (!(emb.static && emb.dynamic) && !emb.full) {
      throw new RangeError('no 68-point landmark embedding loaded: pass landmark embeddings to FlameModel (see loadFlame in @facekit/flame/node)');
    }
    const verts = vertices ?? this.decode(params, this.s.vertices);
    if (vertices) this.readParams(params);
    const tri = this.topology.triangles;
    if (emb.static && emb.dynamic) {
      const d = emb.dynamic;
      const bin = this.contourBinFromPose();
      const base = bin * d.points;
      for (let l = 0; l < d.points; l++) interpolate(verts, tri, d.faces[base + l], d.barycentrics, (base + l) * 3, out, l * 3);
      const st = emb.static;
      for (let l = 0; l < st.faces.length; l++) interpolate(verts, tri, st.faces[l], st.barycentrics, l * 3, out, (d.points + l) * 3);
    } else {
      const f = emb.full!;
      for (let l = 0; l < f.faces.length; l++) interpolate(verts, tri, f.faces[l], f.barycentrics, l * 3, out, l * 3);
    }
    return out;
  }

  /** The 68-point embedding for one contour bin: 17 contour points then the 51 static ones. */
  compose68(bin: number): LandmarkEmbedding {
    const st = this.embedding.static, d = this.embedding.dynamic;
    if (!st || !d) throw new RangeError('static and dynamic landmark embeddings are both needed');
    if (!(bin >= 0 && bin < d.bins)) throw new RangeError(`contour bin ${bin} outside [0, ${d.bins})`);
    const L = d.points + st.faces.length;
    const faces = new Uint32Array(L);
    const bary = new Float32Array(L * 3);
    faces.set(d.faces.subarray(bin * d.points, (bin + 1) * d.points));
    bary.set(d.barycentrics.subarray(bin * d.points * 3, (bin + 1) * d.points * 3));
    faces.set(st.faces, d.points);
    bary.set(st.barycentrics, d.points * 3);
    return { faces, barycentrics: bary };
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Parses parameter blocks into the scratch coefficient, pose and translation buffers. */
  private readParams(params: ParameterValues): void {
    const s = this.s;
    s.coeffs.fill(0);
    s.pose.fill(0);
    s.translation.fill(0);
    let aliases = false;
    for (const key in params) {
      const v = params[key];
      switch (key) {
        case 'shape': copyBlock(v, s.coeffs, 0, this.shapeCount, key); break;
        case 'expression': copyBlock(v, s.coeffs, this.shapeCount, this.expressionCount, key); break;
        case 'pose': copyBlock(v, s.pose, 0, 3 * this.jointCount, key); break;
        case 'translation': copyBlock(v, s.translation, 0, 3, key); break;
        default:
          if (key in FLAME_POSE_ALIASES) aliases = true;
          else throw new RangeError(`unknown FLAME parameter block '${key}'; known: shape, expression, pose, translation, ${Object.keys(FLAME_POSE_ALIASES).join(', ')}`);
      }
    }
    if (aliases) {
      // Applied after `pose` so a per-joint block wins over the matching slice of the full vector.
      for (const key in FLAME_POSE_ALIASES) {
        const v = params[key];
        if (v === undefined) continue;
        const [offset, size] = FLAME_POSE_ALIASES[key];
        if (offset + size > 3 * this.jointCount) throw new RangeError(`pose block '${key}' needs ${offset + size} pose values, this model has ${3 * this.jointCount}`);
        if (v.length !== size) throw new RangeError(`pose block '${key}' takes ${size} values, got ${v.length}`);
        for (let i = 0; i < size; i++) s.pose[offset + i] = v[i];
      }
    }
  }

  /** The whole decode from the parsed parameters into `dst`. */
  private run(dst: Float32Array): void {
    const s = this.s;
    const V = this.vertexCount;
    const J = this.jointCount;
    dst.set(this.template);
    this.blend.accumulate(dst, s.coeffs);
    this.shapeJoints();

    // rigidChain also fills s.rot, which the pose correctives below reuse.
    this.rigidChain();
    // Pose correctives from (R_j - I), j >= 1, row-major: FLAME's pose_feature.
    const f = s.feature;
    for (let j = 1; j < J; j++) {
      for (let r = 0; r < 9; r++) f[(j - 1) * 9 + r] = s.rot[j * 9 + r] - (r === 0 || r === 4 || r === 8 ? 1 : 0);
    }
    this.poseBasis.accumulate(dst, f);

    // Skinning transforms A_j = G_j · [I | -J_j], translation folded in.
    const A = s.skin, G = s.world, Jt = s.joints, t = s.translation;
    for (let j = 0; j < J; j++) {
      const o = j * 12;
      const jx = Jt[j * 3], jy = Jt[j * 3 + 1], jz = Jt[j * 3 + 2];
      for (let r = 0; r < 3; r++) {
        const a = G[o + r * 4], b = G[o + r * 4 + 1], c = G[o + r * 4 + 2];
        A[o + r * 4] = a;
        A[o + r * 4 + 1] = b;
        A[o + r * 4 + 2] = c;
        A[o + r * 4 + 3] = G[o + r * 4 + 3] - (a * jx + b * jy + c * jz) + t[r];
      }
    }

    const cnt = this.skinCount, sj = this.skinJoint, sw = this.skinWeight;
    for (let v = 0; v < V; v++) {
      const k = cnt[v];
      const p = v * 3;
      const x = dst[p], y = dst[p + 1], z = dst[p + 2];
      const base = v * J;
      if (k === 1 && sw[base] === 1) {
        const o = sj[base] * 12;
        dst[p] = A[o] * x + A[o + 1] * y + A[o + 2] * z + A[o + 3];
        dst[p + 1] = A[o + 4] * x + A[o + 5] * y + A[o + 6] * z + A[o + 7];
        dst[p + 2] = A[o + 8] * x + A[o + 9] * y + A[o + 10] * z + A[o + 11];
        continue;
      }
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0, t8 = 0, t9 = 0, t10 = 0, t11 = 0;
      for (let i = 0; i < k; i++) {
        const w = sw[base + i];
        const o = sj[base + i] * 12;
        t0 += w * A[o]; t1 += w * A[o + 1]; t2 += w * A[o + 2]; t3 += w * A[o + 3];
        t4 += w * A[o + 4]; t5 += w * A[o + 5]; t6 += w * A[o + 6]; t7 += w * A[o + 7];
        t8 += w * A[o + 8]; t9 += w * A[o + 9]; t10 += w * A[o + 10]; t11 += w * A[o + 11];
      }
      dst[p] = t0 * x + t1 * y + t2 * z + t3;
      dst[p + 1] = t4 * x + t5 * y + t6 * z + t7;
      dst[p + 2] = t8 * x + t9 * y + t10 * z + t11;
    }
  }

  /** Rest joints of the shaped mesh: template joints plus the precomputed joint blend directions. */
  private shapeJoints(): void {
    const s = this.s;
    const J3 = this.jointCount * 3;
    const jt = s.joints;
    jt.set(this.jointTemplate);
    const c = s.coeffs, d = this.jointDirs;
    for (let m = 0; m < c.length; m++) {
      const w = c[m];
      if (w === 0) continue;
      const o = m * J3;
      for (let i = 0; i < J3; i++) jt[i] += w * d[o + i];
    }
  }

  /** World transforms G_j (3 x 4, row-major) of the kinematic chain from `s.pose` and `s.joints`. */
  private rigidChain(): void {
    const s = this.s;
    const J = this.jointCount;
    axisAnglesToMatrices(s.pose, s.rot);
    const R = s.rot, G = s.world, Jt = s.joints, par = this.parents;
    for (let j = 0; j < J; j++) {
      const p = par[j];
      const o = j * 12, r = j * 9;
      let tx = Jt[j * 3], ty = Jt[j * 3 + 1], tz = Jt[j * 3 + 2];
      if (p < 0) {
        for (let i = 0; i < 3; i++) {
          G[o + i * 4] = R[r + i * 3];
          G[o + i * 4 + 1] = R[r + i * 3 + 1];
          G[o + i * 4 + 2] = R[r + i * 3 + 2];
        }
        G[o + 3] = tx;
        G[o + 7] = ty;
        G[o + 11] = tz;
        continue;
      }
      tx -= Jt[p * 3];
      ty -= Jt[p * 3 + 1];
      tz -= Jt[p * 3 + 2];
      const q = p * 12;
      for (let i = 0; i < 3; i++) {
        const a = G[q + i * 4], b = G[q + i * 4 + 1], c = G[q + i * 4 + 2];
        G[o + i * 4] = a * R[r] + b * R[r + 3] + c * R[r + 6];
        G[o + i * 4 + 1] = a * R[r + 1] + b * R[r + 4] + c * R[r + 7];
        G[o + i * 4 + 2] = a * R[r + 2] + b * R[r + 5] + c * R[r + 8];
        G[o + i * 4 + 3] = a * tx + b * ty + c * tz + G[q + i * 4 + 3];
      }
    }
  }

  private contourBinFromPose(): number {
    const d = this.embedding.dynamic;
    const s = this.s;
    axisAnglesToMatrices(s.pose, s.rot);
    // rel = R[chain[last]] · ... · R[chain[0]] (DECA: rel = R[idx] @ rel for idx along neck -> root).
    let m00 = 1, m01 = 0, m02 = 0, m10 = 0, m11 = 1, m12 = 0, m20 = 0, m21 = 0, m22 = 1;
    for (const j of this.neckChain) {
      const R = s.rot, o = j * 9;
      const n00 = R[o] * m00 + R[o + 1] * m10 + R[o + 2] * m20;
      const n01 = R[o] * m01 + R[o + 1] * m11 + R[o + 2] * m21;
      const n02 = R[o] * m02 + R[o + 1] * m12 + R[o + 2] * m22;
      const n10 = R[o + 3] * m00 + R[o + 4] * m10 + R[o + 5] * m20;
      const n11 = R[o + 3] * m01 + R[o + 4] * m11 + R[o + 5] * m21;
      const n12 = R[o + 3] * m02 + R[o + 4] * m12 + R[o + 5] * m22;
      const n20 = R[o + 6] * m00 + R[o + 7] * m10 + R[o + 8] * m20;
      const n21 = R[o + 6] * m01 + R[o + 7] * m11 + R[o + 8] * m21;
      const n22 = R[o + 6] * m02 + R[o + 7] * m12 + R[o + 8] * m22;
      m00 = n00; m01 = n01; m02 = n02; m10 = n10; m11 = n11; m12 = n12; m20 = n20; m21 = n21; m22 = n22;
    }
    const yaw = (Math.atan2(-m20, Math.sqrt(m00 * m00 + m10 * m10)) * 180) / Math.PI;
    const y = roundHalfEven(Math.min(yaw, 39));
    const bin = y < 0 ? (y < -39 ? 78 : 39 - y) : y;
    return d ? Math.min(bin, d.bins - 1) : bin;
  }

  private checkEmbedding(triangleCount: number): void {
    const check = (faces: Uint32Array, what: string) => {
      for (let i = 0; i < faces.length; i++) {
        if (faces[i] >= triangleCount) throw new RangeError(`${what} landmark embedding uses triangle ${faces[i]}, the mesh has ${triangleCount}`);
      }
    };
    const e = this.embedding;
    if (e.static) check(e.static.faces, 'static');
    if (e.dynamic) check(e.dynamic.faces, 'dynamic');
    if (e.full) check(e.full.faces, 'full 68-point');
  }
}

function copyBlock(v: ArrayLike<number>, dst: Float64Array, offset: number, size: number, key: string): void {
  if (v.length > size) throw new RangeError(`FLAME block '${key}' takes at most ${size} values, got ${v.length}`);
  for (let i = 0; i < v.length; i++) dst[offset + i] = v[i];
}

/** Round half to even, as `torch.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // `|| 0` turns -0 (from rounding small negative yaws) into 0, a valid array index.
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) || 0;
}

/** out[o..o+3) = sum_c bary[b + c] * vertex(tri[face * 3 + c]). */
function interpolate(verts: Float32Array, tri: Uint32Array, face: number, bary: Float32Array, b: number, out: Float32Array, o: number): void {
  const i0 = tri[face * 3] * 3, i1 = tri[face * 3 + 1] * 3, i2 = tri[face * 3 + 2] * 3;
  const w0 = bary[b], w1 = bary[b + 1], w2 = bary[b + 2];
  out[o] = w0 * verts[i0] + w1 * verts[i1] + w2 * verts[i2];
  out[o + 1] = w0 * verts[i0 + 1] + w1 * verts[i1 + 1] + w2 * verts[i2 + 1];
  out[o + 2] = w0 * verts[i0 + 2] + w1 * verts[i1 + 2] + w2 * verts[i2 + 2];
}

export type { DynamicLandmarkEmbedding };
