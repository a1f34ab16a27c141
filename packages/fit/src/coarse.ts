/**
 * The coarse stage: Levenberg-Marquardt over identity, expression, pose and (in closed form, between steps) SH
 * lighting and albedo, for one or several photos sharing one identity.
 *
 * Energy (per photo, identity prior counted once):
 *   E = w_con/N sum_i h_i |I(pi(v_i)) - rho_i * (L^T phi(n_i))|^2        (photometric, N visible samples)
 *     + w_lan/M sum_k c_k |pi(l_k) - d_k|^2 / D^2                       (landmarks, D = face size in px)
 *     + w_id |z_id|^2 + w_exp |z_exp|^2                                  (Mahalanobis priors, standardised)
 * with pi the orthographic projection `u = s (R v)_x + tx`, `v = ty - s (R v)_y`, h_i Huber weights.
 *
 * Why this shape: vertex positions are linear in the coefficients, so the Jacobian of a projected point is a
 * 2 x K slice of the basis rotated and scaled; the photometric Jacobian is that slice times the image gradient.
 * Shading (L^T phi(n)) and albedo are held fixed within a step ("lagged" normals) and re-solved in closed form
 * between steps (SH lighting with core `solveSHLighting`, albedo as a small ridge system), which keeps every
 * step a dense (Ki + 6 + Ke)-square solve and the whole fit well under a second in plain JS. With
 * `jointAppearance` the lighting and albedo are unknowns of the step too, eliminated per photo by a Schur
 * complement (`joint-appearance.ts`): slower, but the shape no longer explains what the albedo should.
 * @module
 */
import {
  computeVertexNormals,
  computeVertexTriangles,
  createRasterBuffers,
  interpolateAttributes,
  SH_DECA_FACTORS,
  rasterize,
  shadeVertices,
  solveCholesky,
  solveSHLighting,
  vertexVisibility,
  RingCrossBasis,
  type DenseWorkspace,
  type RasterBuffers,
} from '@facekit/core';
import { albedoBasisFor, evaluateAlbedo, solveAlbedo, type AlbedoBasis } from './albedo.js';
import { contourCandidates, type ContourCandidates } from './contour.js';
import {
  accumulateAppearance,
  appearancePriorEnergy,
  appearanceStep,
  createAppearanceAccumulator,
  eliminateAppearance,
  withAppearancePriors,
  type AppearanceElimination,
  type AppearanceSystem,
} from './joint-appearance.js';
import { accumulateRowPair, symmetrizeUpper } from './linalg.js';
import { PhotometricBatch } from './photometric-batch.js';
import { decodeLinear, landmarkPositions, type LinearizedModel } from './linearize.js';
import { clippedAt, sampleLevel, type PyramidLevel } from './pyramid.js';
import { skinOrder, type SkinMaskOptions } from './skin-mask.js';

/** Weights of the coarse energy. */
export interface CoarseWeights {
  /**
   * w_con, photometric term (default 3; was 1 before the skin mask: with samples on smooth skin only, a
   * stronger shading term improved the synthetic NoW-crop/face medians on seeds 11 and 23).
   */
  photometric: number;
  /** w_lan, 68-landmark term (default 10). */
  landmark: number;
  /** Multiplier of the jaw-contour landmarks 0..16 (default 0.5). */
  contour: number;
  /**
   * Weight of the dense (478-point) landmark term relative to w_lan (default 0: on synthetic renders with known
   * geometry the mean-face correspondence biased the identity, 1.16 -> 1.28 mm NoW-crop median).
   */
  dense: number;
  /** w_id, identity prior on standardised coefficients (default 1e-4). */
  identityPrior: number;
  /** w_exp, expression prior (default 1e-3). */
  expressionPrior: number;
  /** Huber threshold on the RGB residual norm (default 0.1). */
  huber: number;
  /**
   * Ridge of the SH lighting solve, relative to the mean diagonal of its normal equations (default 1e-3).
   * A face shows only the front half of the sphere of normals, so some SH combinations are barely observed;
   * the ridge keeps them small, but it also pulls the lighting away from the photo's. When the albedo is known,
   * use 1e-5 (as `test/render-correction.test.ts` and `test/known-albedo.test.ts` do). The default stays at 1e-3
   * because with the built-in skin prior a freer lighting explains albedo the prior cannot represent.
   */
  lightingRidge: number;
}

/** Default {@link CoarseWeights}. */
export const DEFAULT_COARSE_WEIGHTS: Readonly<CoarseWeights> = Object.freeze({
  photometric: 3,
  landmark: 10,
  contour: 0.5,
  dense: 0,
  identityPrior: 1e-4,
  expressionPrior: 1e-3,
  huber: 0.1,
  lightingRidge: 1e-3,
});

/** Iteration schedule of the coarse-to-fine pyramid (coarsest level first in the arrays). */
export interface CoarseSchedule {
  /** Landmark-only LM iterations after the rigid start (default 6). */
  landmarkIterations: number;
  /** LM iterations per pyramid level, coarsest first (default [4, 3, 2]: 64, 128, 256 px for a 256 crop). */
  iterations: number[];
  /** Photometric samples (visible face vertices) per level, coarsest first (default [400, 700, 1000]). */
  samples: number[];
}

/** Default {@link CoarseSchedule}. */
export const DEFAULT_COARSE_SCHEDULE: Readonly<CoarseSchedule> = Object.freeze({
  landmarkIterations: 6,
  iterations: [4, 3, 2],
  samples: [400, 700, 1000],
});

/** One photo as the coarse stage sees it (coordinates in level-0 pixels of its crop). */
export interface FrameInput {
  /** Pyramid, finest first. */
  pyramid: PyramidLevel[];
  /** 68 x 2 detected landmarks (px), or undefined. */
  landmarks?: Float64Array;
  /** 68 confidences in [0, 1] (default 1). */
  confidence?: Float64Array;
  /** Dense landmark targets mapped to the model: M x 2 px, with M x 3 local vertex ids and weights. */
  dense?: { points: Float64Array; vertices: Uint32Array; weights: Float32Array };
  /** Face size D in px (normalises the landmark term). */
  faceSize: number;
  /**
   * Surface points the 68 landmarks are matched to (68 x 3 local vertex ids and weights), when the detector's
   * points differ from the model's landmark definition (see `calibration.ts`); default the model's own.
   */
  landmarkEmbedding?: { vertices: Uint32Array; weights: Float32Array };
}

/** Per-photo unknowns. */
export interface FrameState {
  /** Row-major rotation, model frame to camera frame. */
  R: Float64Array;
  /** Pixels per model unit. */
  s: number;
  tx: number;
  ty: number;
  /** Standardised expression coefficients (Ke). */
  exp: Float64Array;
  /** SH lighting, 27 (DECA convention, camera frame). */
  light: Float32Array;
  /** Albedo coefficients of the {@link AlbedoBasis}. */
  albedo: Float64Array;
}

/** All unknowns: one identity, one {@link FrameState} per photo. */
export interface CoarseState {
  id: Float64Array;
  frames: FrameState[];
}

/** Everything about a model the fitter precomputes once. */
export interface FitContext {
  lin: LinearizedModel;
  albedo: AlbedoBasis;
  contour: ContourCandidates;
  /** K = Ki + Ke basis modes. */
  K: number;
  Ki: number;
  Ke: number;
  /** Bounds of standardised expression coefficients (from the block range / std; +-Infinity when none). */
  expLo: Float64Array;
  expHi: Float64Array;
}

const contexts = new WeakMap<LinearizedModel, Map<string, FitContext>>();

/**
 * The (cached) {@link FitContext} of a linearised model, with the skin prior `skin` for models without an
 * albedo space (see `albedo.ts`; default `bumps`).
 */
export function fitContext(lin: LinearizedModel, skin: 'bumps' | 'field' = 'bumps'): FitContext {
  let byKind = contexts.get(lin);
  if (!byKind) contexts.set(lin, (byKind = new Map()));
  let ctx = byKind.get(skin);
  if (ctx) return ctx;
  const Ki = lin.identityCount, Ke = lin.expressionCount;
  const expLo = new Float64Array(Ke).fill(-Infinity);
  const expHi = new Float64Array(Ke).fill(Infinity);
  for (const b of lin.blocks) {
    if (b.role !== 'expression' || !b.range) continue;
    for (let k = 0; k < b.size; k++) {
      expLo[b.offset - Ki + k] = b.range[0] / b.std[k];
      expHi[b.offset - Ki + k] = b.range[1] / b.std[k];
    }
  }
  ctx = { lin, albedo: albedoBasisFor(lin, { skin }), contour: contourCandidates(lin), K: Ki + Ke, Ki, Ke, expLo, expHi };
  byKind.set(skin, ctx);
  return ctx;
}

/** Per-photo data of one LM iteration: samples, their fixed shaded albedo, landmark targets. */
export interface FrameSystem {
  /** Pyramid level the photometric term samples (null: landmarks only). */
  level: PyramidLevel | null;
  ns: number;
  /** Local vertex ids of the photometric samples. */
  samples: Uint32Array;
  /**
   * The model's vertex-major basis (V x K x 3, shared, not copied): sample p's rows start at `samples[p] * K * 3`.
   * sMean ns x 3.
   */
  sB: Float32Array;
  sMean: Float64Array;
  /** ns x 3 fixed model colour rho * S. */
  target: Float64Array;
  /** ns weights w_con * h_i / N. */
  wPhot: Float64Array;
  nl: number;
  /** nl x K x 3 gathered landmark basis, lMean nl x 3, lTarget nl x 2, wLan nl. */
  lB: Float32Array;
  lMean: Float64Array;
  lTarget: Float64Array;
  wLan: Float64Array;
  /**
   * Shading linearisation of the photometric samples (absent: shading held fixed, `target` used): the model
   * colour is `alb * S(R n)`, with the model-frame normal `n = normalize(n0 + sum_k nb_k (z_k - z0_k))`.
   */
  shade?: ShadeSystem;
  /**
   * Set when lighting and albedo are unknowns of each step (see {@link FrameSystemOptions.jointAppearance}):
   * the weights of their priors in this system's energy. The model colour then comes from the state's
   * `light` and `albedo`, not from `shade`'s fixed copies.
   */
  joint?: { lightingRidge: number; photometric: number };
}

/** See {@link FrameSystem.shade}. */
export interface ShadeSystem {
  /** ns x 3 albedo at the samples. */
  alb: Float64Array;
  /** ns x 3 model-frame unit normals at the linearisation point. */
  n0: Float64Array;
  /** ns x K x 3 derivatives of the unit normal w.r.t. the standardised coefficients (tangent to n0). */
  nb: Float64Array;
  /** Coefficients [identity | expression] of the linearisation point. */
  z0: Float64Array;
  /** SH lighting (27, DECA). */
  light: Float32Array;
  /**
   * When set (ns x 3), the photo's colours at the linearisation point: the samples do not slide over the image
   * (no image-gradient term), so the photometric term constrains the shape through the shading only and an
   * albedo the model lacks (lips, brows, make-up) cannot drag vertices towards matching colours.
   */
  obs?: Float64Array;
  /**
   * ns x 3 sampling bias (see {@link FrameSystemOptions.renderCorrection}): the model rendered and sampled at a
   * sample minus its vertex colour, subtracted from the observed colour. Absent: zero.
   */
  bias?: Float64Array;
}

/** Per-photo geometry of the current iterate, kept for the later stages. */
export interface FrameGeometry {
  /** 3V model-frame positions of the region. */
  positions: Float32Array;
  /** 3V model-frame unit normals. */
  normals: Float32Array;
  /** 3V screen positions (u, v, depth) in level-0 px of the crop. */
  screen: Float32Array;
  /** V visibility flags (1 = visible, front-facing, inside the crop). */
  visible: Uint8Array;
  /** The id/depth raster behind `visible`, at `rasterScale` x the crop's resolution. */
  raster?: RasterBuffers;
  rasterScale?: number;
}

/** Number of columns of one photo's block: Ki + 6 pose + Ke. */
export function frameParamCount(ctx: FitContext): number {
  return ctx.Ki + 6 + ctx.Ke;
}

function zOf(ctx: FitContext, id: Float64Array, fs: FrameState): Float64Array {
  const z = new Float64Array(ctx.K);
  z.set(id.subarray(0, ctx.Ki));
  z.set(fs.exp, ctx.Ki);
  return z;
}

/**
 * Decodes, projects and rasterizes a photo's current geometry: region positions, normals, screen positions
 * and visibility (core rasterizer id/depth buffer, front-facing, inside the image).
 */
export function frameGeometry(
  ctx: FitContext,
  id: Float64Array,
  fs: FrameState,
  width: number,
  height: number,
  rasterScale: number,
  buffers?: RasterBuffers,
): FrameGeometry {
  const lin = ctx.lin;
  const positions = decodeLinear(lin, zOf(ctx, id, fs));
  const normals = computeVertexNormals(positions, lin.triangles);
  const V = lin.vertexCount;
  const screen = new Float32Array(3 * V);
  const R = fs.R;
  const s = fs.s;
  for (let i = 0; i < V; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    screen[3 * i] = s * (R[0] * x + R[1] * y + R[2] * z) + fs.tx;
    screen[3 * i + 1] = fs.ty - s * (R[3] * x + R[4] * y + R[5] * z);
    screen[3 * i + 2] = -s * (R[6] * x + R[7] * y + R[8] * z);
  }
  // Rasterize at the sampled level's resolution: coarse levels need no finer visibility, and it is cheaper.
  const rw = Math.max(8, Math.round(width * rasterScale)), rh = Math.max(8, Math.round(height * rasterScale));
  const scaled = new Float32Array(3 * V);
  for (let i = 0; i < 3 * V; i += 3) {
    scaled[i] = screen[i] * rasterScale;
    scaled[i + 1] = screen[i + 1] * rasterScale;
    scaled[i + 2] = screen[i + 2];
  }
  const raster = rasterize(scaled, lin.triangles, rw, rh, {
    buffers: buffers && buffers.width === rw && buffers.height === rh ? buffers : undefined,
  });
  const visible = vertexVisibility(scaled, lin.triangles, raster, { requireFrontFacing: true });
  return { positions, normals, screen, visible, raster, rasterScale };
}

/** Camera-frame normals (R n) of the listed vertices, N x 3. */
export function cameraNormals(R: Float64Array, normals: Float32Array, vertices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(vertices.length * 3);
  for (let j = 0; j < vertices.length; j++) {
    const i = vertices[j];
    const x = normals[3 * i], y = normals[3 * i + 1], z = normals[3 * i + 2];
    out[3 * j] = R[0] * x + R[1] * y + R[2] * z;
    out[3 * j + 1] = R[3] * x + R[4] * y + R[5] * z;
    out[3 * j + 2] = R[6] * x + R[7] * y + R[8] * z;
  }
  return out;
}

/** Options of {@link buildFrameSystem}. */
export interface FrameSystemOptions {
  weights: CoarseWeights;
  /** Level to sample, or null for the landmark-only system. */
  level: PyramidLevel | null;
  maxSamples: number;
  /** Rounds of lighting/albedo alternation (0 keeps the state's lighting and albedo). */
  lightingRounds: number;
  /** Jaw contour handling (default `marching`, see `contour.ts`; `static` uses the model's fixed vertices). */
  contour?: ContourMode;
  /**
   * Differentiate the shading through the normals (shape from shading; default true). False holds the shaded
   * albedo fixed within a step (the photometric term then only aligns image features).
   */
  shading?: boolean;
  /** With `shading`, also let samples slide over the image (image-gradient term; default false). */
  imageShift?: boolean;
  /** Photometric samples on smooth skin only (see `skin-mask.ts`); true or margins. */
  skinMask?: boolean | Partial<SkinMaskOptions>;
  /**
   * Compare like with like: the photo is sampled between pixels, which mixes neighbouring vertices' colours,
   * while the model colour is a vertex's own. When true, the model is rendered at the level's resolution with
   * the current state and sampled the same way, and the difference (fixed within the step) is removed from the
   * observation, so the true shape leaves no residual from sampling alone.
   */
  renderCorrection?: boolean;
  /**
   * With `shading`, make SH lighting and albedo unknowns of each Gauss-Newton step, eliminated by a Schur
   * complement (see `joint-appearance.ts`), instead of holding them fixed within the step: the shape then only
   * explains what the lighting and albedo priors say they should not. Default false.
   */
  jointAppearance?: boolean;
}

/**
 * How landmarks 0..16 are matched: `marching` moves them to the current silhouette (for detectors that mark the
 * visible outline: Human, face-api, most 68-point detectors); `static` keeps the model's landmark vertices (for
 * landmarks that are fixed surface points, e.g. synthetic ground truth).
 */
export type ContourMode = 'marching' | 'static';

/**
 * Builds one photo's system at the current iterate: picks visible photometric samples, solves lighting and
 * albedo for them (updating `fs.light`, `fs.albedo`), fixes the shaded albedo and Huber weights, and selects the
 * contour landmark vertices for the current pose.
 */
export function buildFrameSystem(
  ctx: FitContext,
  frame: FrameInput,
  id: Float64Array,
  fs: FrameState,
  geo: FrameGeometry,
  options: FrameSystemOptions,
): FrameSystem {
  const { lin, K } = ctx;
  const w = options.weights;
  const level = options.level;

  // Photometric samples: visible, clearly front-facing (grazing samples mix face and background), in order
  // of the model's fixed shuffle so that samples spread over the whole face.
  const picked: number[] = [];
  const colors: number[] = [];
  const clipBits: number[] = [];
  if (level) {
    const tmp = new Float64Array(9);
    const R = fs.R;
    const order = options.skinMask ? skinOrder(lin, options.skinMask === true ? {} : options.skinMask) : lin.fitOrder;
    for (let j = 0; j < order.length && picked.length < options.maxSamples; j++) {
      const i = order[j];
      if (!geo.visible[i]) continue;
      const nz = R[6] * geo.normals[3 * i] + R[7] * geo.normals[3 * i + 1] + R[8] * geo.normals[3 * i + 2];
      if (nz < 0.2) continue;
      if (!sampleLevel(level, geo.screen[3 * i], geo.screen[3 * i + 1], tmp)) continue;
      picked.push(i);
      colors.push(tmp[0], tmp[1], tmp[2]);
      clipBits.push(clippedAt(level, geo.screen[3 * i], geo.screen[3 * i + 1]));
    }
  }
  const ns = picked.length;
  const samples = Uint32Array.from(picked);
  const obs = Float64Array.from(colors);
  const clip = clipBits.some((b) => b !== 0) ? Uint8Array.from(clipBits) : undefined;
  const target = new Float64Array(ns * 3);
  const wPhot = new Float64Array(ns);
  // With the render correction, lighting and albedo are solved against the corrected observations (the photo
  // minus the sampling bias of the current model): solving them against the raw photo biases the lighting by the
  // very blur/interpolation mismatch the correction removes. The bias depends on the lighting, so it is
  // refreshed after every round.
  const correct = !!(options.renderCorrection && level && (options.shading ?? true));
  let bias: Float64Array | undefined;
  // The samples' albedo, re-evaluated only when a lighting round re-solves it (the field costs F values per sample).
  let alb = ns >= 30 ? evaluateAlbedo(ctx.albedo, fs.albedo, samples) : new Float32Array(0);
  if (ns >= 30) {
    const nrm = cameraNormals(fs.R, geo.normals, samples);
    let hub: Float32Array = new Float32Array(ns).fill(1);
    const corrected = obs.slice();
    const corrected32 = Float32Array.from(obs);
    let shading = Float64Array.from(shadeVertices(nrm, null, fs.light));
    const refreshBias = (): void => {
      for (let j = 0; j < 3 * ns; j++) target[j] = alb[j] * shading[j];
      bias = samplingBias(ctx, fs, geo, level!, samples, target);
      for (let j = 0; j < 3 * ns; j++) corrected32[j] = corrected[j] = obs[j] - bias[j];
    };
    if (correct && options.lightingRounds > 0) refreshBias();
    for (let round = 0; round < options.lightingRounds; round++) {
      try {
        fs.light = solveSHLighting(corrected32, nrm, alb, { weights: hub, regularization: w.lightingRidge });
      } catch {
        // Degenerate sample sets (tiny faces) keep the previous lighting.
      }
      shading = Float64Array.from(shadeVertices(nrm, null, fs.light));
      const aw = new Float64Array(ns);
      for (let j = 0; j < ns; j++) aw[j] = hub[j] / ns;
      fs.albedo = solveAlbedo(ctx.albedo, samples, corrected, shading, aw);
      alb = evaluateAlbedo(ctx.albedo, fs.albedo, samples);
      if (correct) refreshBias();
      hub = huberWeights(corrected, shading, alb, w.huber, clip);
    }
    if (correct && options.lightingRounds === 0) refreshBias();
    for (let j = 0; j < 3 * ns; j++) target[j] = alb[j] * shading[j];
    const h = huberWeights(corrected, shading, alb, w.huber, clip);
    for (let j = 0; j < ns; j++) wPhot[j] = (w.photometric * h[j]) / ns;
  }
  const sB = vertexMajorBasis(ctx);
  const sMean = new Float64Array(ns * 3);
  for (let p = 0; p < ns; p++) for (let c = 0; c < 3; c++) sMean[3 * p + c] = lin.mean[3 * samples[p] + c];
  let shade: ShadeSystem | undefined;
  if (ns >= 30 && (options.shading ?? true)) {
    shade = {
      alb: Float64Array.from(alb),
      n0: new Float64Array(ns * 3),
      nb: new Float64Array(ns * K * 3),
      z0: zOf(ctx, id, fs),
      light: Float32Array.from(fs.light),
    };
    if (!options.imageShift) shade.obs = obs;
    normalBasis(ctx, geo.positions, samples, shade.n0, shade.nb);
    if (bias) shade.bias = bias;
  }

  // Landmarks: 68 (contour ones moved to the current silhouette) plus the dense ones.
  const lmV: number[] = [];
  const lmW: number[] = [];
  const tgt: number[] = [];
  const wl: number[] = [];
  const D2 = frame.faceSize * frame.faceSize;
  if (frame.landmarks && lin.landmarkVertices && lin.landmarkWeights) {
    const lv = frame.landmarkEmbedding?.vertices ?? lin.landmarkVertices, lw = frame.landmarkEmbedding?.weights ?? lin.landmarkWeights;
    const R = fs.R;
    for (let k = 0; k < 68; k++) {
      const conf = frame.confidence ? frame.confidence[k] : 1;
      if (!(conf > 0)) continue;
      const cand = ctx.contour.lists[k];
      if (cand.length > 0 && options.contour !== 'static') {
        // The silhouette point of the strip: furthest out on the landmark's side at the current pose.
        let best = -1, bestU = -Infinity;
        for (let j = 0; j < cand.length; j++) {
          const i = cand[j];
          const u = ctx.contour.side[k] * (R[0] * geo.positions[3 * i] + R[1] * geo.positions[3 * i + 1] + R[2] * geo.positions[3 * i + 2]);
          if (u > bestU) {
            bestU = u;
            best = i;
          }
        }
        lmV.push(best, best, best);
        lmW.push(1, 0, 0);
      } else {
        for (let j = 0; j < 3; j++) {
          lmV.push(lv[3 * k + j]);
          lmW.push(lw[3 * k + j]);
        }
      }
      tgt.push(frame.landmarks[2 * k], frame.landmarks[2 * k + 1]);
      const wk = k <= 16 ? w.contour : 1;
      wl.push((w.landmark * conf * wk) / (68 * D2));
    }
  }
  if (frame.dense) {
    const M = frame.dense.points.length / 2;
    for (let m = 0; m < M; m++) {
      for (let j = 0; j < 3; j++) {
        lmV.push(frame.dense.vertices[3 * m + j]);
        lmW.push(frame.dense.weights[3 * m + j]);
      }
      tgt.push(frame.dense.points[2 * m], frame.dense.points[2 * m + 1]);
      wl.push((w.landmark * w.dense) / (M * D2));
    }
  }
  const nl = wl.length;
  const lB = new Float32Array(nl * K * 3);
  const lMean = new Float64Array(nl * 3);
  gatherBasis(ctx, Uint32Array.from(lmV), Float32Array.from(lmW), lB, lMean);
  const sys: FrameSystem = { level, ns, samples, sB, sMean, target, wPhot, nl, lB, lMean, lTarget: Float64Array.from(tgt), wLan: Float64Array.from(wl) };
  if (shade) {
    sys.shade = shade;
    if (options.jointAppearance) sys.joint = { lightingRidge: w.lightingRidge, photometric: w.photometric };
  }
  return sys;
}

/**
 * Per sample: the current model rendered at `level`'s resolution (core rasterizer, per-pixel interpolation of
 * the vertex colours), turned into a pyramid level the way the photo was (same smoothing) and sampled the same
 * way, minus the sample's vertex colour (`vertexColors`, ns x 3). Zero near silhouettes, where the smoothing or
 * a bilinear tap would reach pixels off the model.
 */
function samplingBias(ctx: FitContext, fs: FrameState, geo: FrameGeometry, level: PyramidLevel, samples: Uint32Array, vertexColors: Float64Array): Float64Array {
  const lin = ctx.lin;
  const V = lin.vertexCount;
  const W = level.width, H = level.height, sc = level.scale;
  // frameGeometry already rasterized at the sampled level's resolution; only other callers pay for a new raster.
  let raster = geo.raster;
  if (!raster || geo.rasterScale !== sc || raster.width !== W || raster.height !== H) {
    const scaled = new Float32Array(3 * V);
    for (let i = 0; i < 3 * V; i += 3) {
      scaled[i] = geo.screen[i] * sc;
      scaled[i + 1] = geo.screen[i + 1] * sc;
      scaled[i + 2] = geo.screen[i + 2];
    }
    raster = rasterize(scaled, lin.triangles, W, H);
  }
  // Only the vertices of triangles that cover a pixel are interpolated: shade just those (about half the mesh,
  // and the albedo field costs F values per vertex).
  const ids = raster.triangleIds;
  const tris = lin.triangles;
  const used = new Uint8Array(V);
  for (let q = 0; q < ids.length; q++) {
    const t = ids[q];
    if (t < 0) continue;
    used[tris[3 * t]] = used[tris[3 * t + 1]] = used[tris[3 * t + 2]] = 1;
  }
  let nUsed = 0;
  for (let i = 0; i < V; i++) nUsed += used[i];
  const shaded = new Uint32Array(nUsed);
  for (let i = 0, j = 0; i < V; i++) if (used[i]) shaded[j++] = i;
  const shadedColors = shadeVertices(cameraNormals(fs.R, geo.normals, shaded), evaluateAlbedo(ctx.albedo, fs.albedo, shaded), fs.light);
  const colors = new Float32Array(3 * V);
  for (let j = 0; j < nUsed; j++) {
    const i = 3 * shaded[j];
    colors[i] = shadedColors[3 * j];
    colors[i + 1] = shadedColors[3 * j + 1];
    colors[i + 2] = shadedColors[3 * j + 2];
  }
  const rendered = interpolateAttributes(raster, lin.triangles, colors, 3);
  const bias = new Float64Array(samples.length * 3);
  const wx = new Float64Array(4), wy = new Float64Array(4);
  for (let j = 0; j < samples.length; j++) {
    const i = samples[j];
    const x = geo.screen[3 * i] * sc - 0.5, y = geo.screen[3 * i + 1] * sc - 0.5;
    const x0 = Math.floor(x), y0 = Math.floor(y);
    if (x0 < 1 || y0 < 1 || x0 + 2 >= W || y0 + 2 >= H) continue;
    let covered = true;
    for (let yy = y0 - 1; yy <= y0 + 2 && covered; yy++) for (let xx = x0 - 1; xx <= x0 + 2; xx++) if (ids[yy * W + xx] < 0) covered = false;
    if (!covered) continue;
    // What sampleLevel would read from makeLevel(rendered) here, without building the level: the bilinear
    // weights convolved with the level's [1 2 1]/4 smoothing give one 4 x 4 stencil on the rendered pixels.
    stencil(x - x0, wx);
    stencil(y - y0, wy);
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let b = 0; b < 4; b++) {
        const row = ((y0 - 1 + b) * W + x0 - 1) * 3 + c;
        v += wy[b] * (wx[0] * rendered[row] + wx[1] * rendered[row + 3] + wx[2] * rendered[row + 6] + wx[3] * rendered[row + 9]);
      }
      bias[3 * j + c] = v - vertexColors[3 * j + c];
    }
  }
  return bias;
}

/** Bilinear weights at fraction `a` convolved with [1 2 1] / 4: the weights of pixels -1, 0, 1, 2. */
function stencil(a: number, out: Float64Array): void {
  out[0] = 0.25 * (1 - a);
  out[1] = 0.5 * (1 - a) + 0.25 * a;
  out[2] = 0.25 * (1 - a) + 0.5 * a;
  out[3] = 0.25 * a;
}

/**
 * Each vertex's one-ring for {@link normalBasis}: the distinct vertices of its incident triangles (`ring`, rows
 * from `ringOffsets`) and, per incident corner, its ring slot and the coordinate offsets (3 x vertex) of the
 * corner's next and previous vertices (`corners`, triples, rows from `cornerOffsets`). Built once per model.
 */
interface RingTopology {
  ringOffsets: Uint32Array;
  ring: Uint32Array;
  cornerOffsets: Uint32Array;
  corners: Uint32Array;
}

const ringTopologies = new WeakMap<FitContext, RingTopology>();

function ringTopology(ctx: FitContext): RingTopology {
  const cached = ringTopologies.get(ctx);
  if (cached) return cached;
  const lin = ctx.lin;
  const tris = lin.triangles;
  const V = lin.vertexCount;
  const vt = computeVertexTriangles(tris, V);
  const ringOffsets = new Uint32Array(V + 1);
  const cornerOffsets = new Uint32Array(V + 1);
  const ring: number[] = [];
  const corners: number[] = [];
  const slots = new Map<number, number>();
  for (let i = 0; i < V; i++) {
    slots.clear();
    for (let q = vt.offsets[i]; q < vt.offsets[i + 1]; q++) {
      const f = vt.triangles[q];
      for (let m = 0; m < 3; m++) {
        const j = tris[3 * f + m];
        let slot = slots.get(j);
        if (slot === undefined) {
          slot = slots.size;
          slots.set(j, slot);
          ring.push(j);
        }
        corners.push(slot, 3 * tris[3 * f + ((m + 1) % 3)], 3 * tris[3 * f + ((m + 2) % 3)]);
      }
    }
    ringOffsets[i + 1] = ring.length;
    cornerOffsets[i + 1] = corners.length / 3;
  }
  const topo = { ringOffsets, ring: Uint32Array.from(ring), cornerOffsets, corners: Uint32Array.from(corners) };
  ringTopologies.set(ctx, topo);
  return topo;
}

/**
 * Unit normals (model frame) of the listed vertices at `positions`, and their derivatives w.r.t. every
 * standardised coefficient. With the area-weighted normal N_i = sum over incident triangles of the cross
 * product of two edges: summing p_m x (p_next(m) - p_prev(m)) over a triangle's corners gives twice its cross
 * product, so with E_r = sum over the corners at ring vertex r of (p_next - p_prev), N_i = 1/2 sum_r p_r x E_r
 * and dN_i = sum_r dp_r x E_r (dp_r = basis column of r). The unit normal's derivative is (I - n n^T) dN / |N|.
 */
export function normalBasis(ctx: FitContext, positions: Float32Array, vertices: Uint32Array, outN: Float64Array, outNB: Float64Array): void {
  const { ringOffsets, ring, cornerOffsets, corners } = ringTopology(ctx);
  const K = ctx.K;
  const cross = ringCrossBasis(ctx);
  let E = new Float64Array(48);
  const d = new Float64Array(3 * K);
  for (let p = 0; p < vertices.length; p++) {
    const i = vertices[p];
    const r0 = ringOffsets[i], nr = ringOffsets[i + 1] - r0;
    if (E.length < 3 * nr) E = new Float64Array(3 * nr);
    E.fill(0, 0, 3 * nr);
    for (let c = cornerOffsets[i]; c < cornerOffsets[i + 1]; c++) {
      const slot = 3 * corners[3 * c], nx = corners[3 * c + 1], pv = corners[3 * c + 2];
      E[slot] += positions[nx] - positions[pv];
      E[slot + 1] += positions[nx + 1] - positions[pv + 1];
      E[slot + 2] += positions[nx + 2] - positions[pv + 2];
    }
    let Nx = 0, Ny = 0, Nz = 0;
    for (let r = 0; r < nr; r++) {
      const v = 3 * ring[r0 + r];
      const px = positions[v], py = positions[v + 1], pz = positions[v + 2];
      const ex = E[3 * r], ey = E[3 * r + 1], ez = E[3 * r + 2];
      Nx += py * ez - pz * ey;
      Ny += pz * ex - px * ez;
      Nz += px * ey - py * ex;
    }
    const len = 0.5 * Math.hypot(Nx, Ny, Nz) || 1;
    const mx = (0.5 * Nx) / len, my = (0.5 * Ny) / len, mz = (0.5 * Nz) / len;
    outN[3 * p] = mx;
    outN[3 * p + 1] = my;
    outN[3 * p + 2] = mz;
    // dN/dz_k = sum over the ring of (basis of ring vertex) x E_r (planar: x of every k, then y, then z).
    cross.ringCross(ring, r0, nr, E, d);
    const o = p * K * 3;
    const inv = 1 / len;
    for (let k = 0; k < K; k++) {
      const dx = d[k], dy = d[K + k], dz = d[2 * K + k];
      const dot = dx * mx + dy * my + dz * mz;
      outNB[o + 3 * k] = (dx - dot * mx) * inv;
      outNB[o + 3 * k + 1] = (dy - dot * my) * inv;
      outNB[o + 3 * k + 2] = (dz - dot * mz) * inv;
    }
  }
}

const ringCrossBases = new WeakMap<FitContext, RingCrossBasis>();

/** The model's first K modes in {@link RingCrossBasis} layout (SIMD where available), built once per context. */
function ringCrossBasis(ctx: FitContext): RingCrossBasis {
  let rc = ringCrossBases.get(ctx);
  if (!rc) ringCrossBases.set(ctx, (rc = RingCrossBasis.create(ctx.lin.basis, ctx.lin.vertexCount, ctx.K)));
  return rc;
}

const vertexMajor = new WeakMap<FitContext, Float32Array>();

/**
 * The first K modes of the basis vertex-major (V x K x 3), built once per context: the per-sample loops (normal
 * derivatives, gathering) then read one contiguous block per vertex instead of striding across all modes.
 */
function vertexMajorBasis(ctx: FitContext): Float32Array {
  let out = vertexMajor.get(ctx);
  if (out) return out;
  const { lin, K } = ctx;
  const V = lin.vertexCount, n3 = lin.mean.length;
  out = new Float32Array(V * K * 3);
  for (let k = 0; k < K; k++) {
    const src = k * n3;
    for (let v = 0; v < V; v++) {
      const o = (v * K + k) * 3;
      out[o] = lin.basis[src + 3 * v];
      out[o + 1] = lin.basis[src + 3 * v + 1];
      out[o + 2] = lin.basis[src + 3 * v + 2];
    }
  }
  vertexMajor.set(ctx, out);
  return out;
}

/**
 * Camera-frame unit normal of shaded sample p at coefficients z (the linearised normal, renormalised),
 * written to `out`.
 */
function shadeNormal(sh: ShadeSystem, p: number, z: Float64Array, K: number, R: Float64Array, out: Float64Array): void {
  let x = sh.n0[3 * p], y = sh.n0[3 * p + 1], w = sh.n0[3 * p + 2];
  const ob = p * K * 3;
  for (let k = 0; k < K; k++) {
    const d = z[k] - sh.z0[k];
    if (d === 0) continue;
    x += d * sh.nb[ob + 3 * k];
    y += d * sh.nb[ob + 3 * k + 1];
    w += d * sh.nb[ob + 3 * k + 2];
  }
  const l = Math.hypot(x, y, w) || 1;
  x /= l;
  y /= l;
  w /= l;
  out[0] = R[0] * x + R[1] * y + R[2] * w;
  out[1] = R[3] * x + R[4] * y + R[5] * w;
  out[2] = R[6] * x + R[7] * y + R[8] * w;
}

/** DECA SH shading of channel c at camera-frame normal (x, y, z) and its gradient (written to `grad`). */
function shadeWithGradient(L: Float32Array, c: number, x: number, y: number, z: number, grad: Float64Array): number {
  const f = SH_DECA_FACTORS;
  const l0 = L[c] * f[0], l1 = L[3 + c] * f[1], l2 = L[6 + c] * f[2], l3 = L[9 + c] * f[3], l4 = L[12 + c] * f[4];
  const l5 = L[15 + c] * f[5], l6 = L[18 + c] * f[6], l7 = L[21 + c] * f[7], l8 = L[24 + c] * f[8];
  grad[0] = l1 + l4 * y + l5 * z + 2 * l7 * x;
  grad[1] = l2 + l4 * x + l6 * z - 2 * l7 * y;
  grad[2] = l3 + l5 * x + l6 * y + 6 * l8 * z;
  return l0 + l1 * x + l2 * y + l3 * z + l4 * x * y + l5 * x * z + l6 * y * z + l7 * (x * x - y * y) + l8 * (3 * z * z - 1);
}

function huberWeights(obs: Float64Array, shading: Float64Array, alb: Float32Array, delta: number, clip?: Uint8Array): Float32Array {
  const n = obs.length / 3;
  const h = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let r2 = 0;
    let censored = false;
    for (let c = 0; c < 3; c++) {
      const r = obs[3 * j + c] - alb[3 * j + c] * shading[3 * j + c];
      // A clipped channel only bounds the colour from below: a prediction at least as bright agrees with it.
      if (clip && clip[j] & (1 << c) && r <= 0) censored = true;
      r2 += r * r;
    }
    if (censored) {
      h[j] = 0;
      continue;
    }
    const r = Math.sqrt(r2);
    h[j] = r <= delta ? 1 : delta / r;
  }
  return h;
}

/**
 * Gathers, for each point (a vertex, or a barycentric combination of 3 vertices when `weights` is given), its
 * mean position and its K x 3 basis slice into point-major arrays: the Jacobian loops then read contiguous
 * memory instead of striding through the K x 3V basis.
 */
function gatherBasis(ctx: FitContext, vertices: Uint32Array, weights: Float32Array, outB: Float32Array, outMean: Float64Array): void {
  const { lin, K } = ctx;
  const B = vertexMajorBasis(ctx);
  const n = vertices.length / 3;
  const row = new Float64Array(3 * K);
  for (let p = 0; p < n; p++) {
    row.fill(0);
    for (let j = 0; j < 3; j++) {
      const wj = weights[3 * p + j];
      if (wj === 0) continue;
      const vtx = vertices[3 * p + j];
      const v = vtx * 3;
      outMean[3 * p] += wj * lin.mean[v];
      outMean[3 * p + 1] += wj * lin.mean[v + 1];
      outMean[3 * p + 2] += wj * lin.mean[v + 2];
      const src = vtx * K * 3;
      for (let q = 0; q < 3 * K; q++) row[q] += wj * B[src + q];
    }
    outB.set(row, p * K * 3);
  }
}

/** Model-frame position of point p (basis rows from offset `ob` of `B`, mean `mean[3p..]`) for coefficients z. */
function pointPosition(B: Float32Array, ob: number, mean: Float64Array, p: number, z: Float64Array, K: number, out: Float64Array): void {
  let x = mean[3 * p], y = mean[3 * p + 1], zz = mean[3 * p + 2];
  for (let k = 0; k < K; k++) {
    const c = z[k];
    if (c === 0) continue;
    x += c * B[ob + 3 * k];
    y += c * B[ob + 3 * k + 1];
    zz += c * B[ob + 3 * k + 2];
  }
  out[0] = x;
  out[1] = y;
  out[2] = zz;
}

/**
 * Fills the two projection-Jacobian rows (d u / d theta, d v / d theta) of gathered point p, in the photo's
 * column order [identity Ki | rotation 3 | log scale | tx | ty | expression Ke]. Rotation is an incremental
 * rotation vector applied on the left (R <- exp([w]) R), so its columns are the cross products with R v.
 */
function projectionRows(ctx: FitContext, B: Float32Array, ob: number, fs: FrameState, pos: Float64Array, au: Float64Array, av: Float64Array): void {
  const { K, Ki } = ctx;
  const R = fs.R;
  const s = fs.s;
  const wx = R[0] * pos[0] + R[1] * pos[1] + R[2] * pos[2];
  const wy = R[3] * pos[0] + R[4] * pos[1] + R[5] * pos[2];
  const wz = R[6] * pos[0] + R[7] * pos[1] + R[8] * pos[2];
  au[Ki] = 0;
  au[Ki + 1] = s * wz;
  au[Ki + 2] = -s * wy;
  av[Ki] = s * wz;
  av[Ki + 1] = 0;
  av[Ki + 2] = -s * wx;
  au[Ki + 3] = s * wx;
  av[Ki + 3] = -s * wy;
  au[Ki + 4] = 1;
  av[Ki + 4] = 0;
  au[Ki + 5] = 0;
  av[Ki + 5] = 1;
  const a0 = s * R[0], a1 = s * R[1], a2 = s * R[2];
  const b0 = -s * R[3], b1 = -s * R[4], b2 = -s * R[5];
  for (let k = 0; k < K; k++) {
    const bx = B[ob + 3 * k], by = B[ob + 3 * k + 1], bz = B[ob + 3 * k + 2];
    const col = k < Ki ? k : k + 6;
    au[col] = a0 * bx + a1 * by + a2 * bz;
    av[col] = b0 * bx + b1 * by + b2 * bz;
  }
}

function projectPoint(fs: FrameState, pos: Float64Array): [number, number] {
  const R = fs.R;
  return [
    fs.s * (R[0] * pos[0] + R[1] * pos[1] + R[2] * pos[2]) + fs.tx,
    fs.ty - fs.s * (R[3] * pos[0] + R[4] * pos[1] + R[5] * pos[2]),
  ];
}

/**
 * The weighted residual vector of one photo's data terms (photometric ns x 3, then landmarks nl x 2), such
 * that their energy is its squared norm. Used for energy evaluation and by the Jacobian tests.
 */
export function frameResiduals(ctx: FitContext, sys: FrameSystem, id: Float64Array, fs: FrameState): Float64Array {
  const z = zOf(ctx, id, fs);
  const out = new Float64Array(sys.ns * 3 + sys.nl * 2);
  const pos = new Float64Array(3);
  const smp = new Float64Array(9);
  const sh = sys.shade;
  const nc = new Float64Array(3);
  const grad = new Float64Array(3);
  const jointAlb = sys.joint && sh ? evaluateAlbedo(ctx.albedo, fs.albedo, sys.samples) : null;
  for (let p = 0; p < sys.ns; p++) {
    pointPosition(sys.sB, sys.samples[p] * ctx.K * 3, sys.sMean, p, z, ctx.K, pos);
    const [u, v] = projectPoint(fs, pos);
    sampleLevel(sys.level!, u, v, smp);
    const sw = Math.sqrt(sys.wPhot[p]);
    if (sh?.obs) for (let c = 0; c < 3; c++) smp[c] = sh.obs[3 * p + c];
    if (sh?.bias) for (let c = 0; c < 3; c++) smp[c] -= sh.bias[3 * p + c];
    if (sh) {
      shadeNormal(sh, p, z, ctx.K, fs.R, nc);
      const alb = jointAlb ?? sh.alb, light = sys.joint ? fs.light : sh.light;
      for (let c = 0; c < 3; c++) out[3 * p + c] = sw * (smp[c] - alb[3 * p + c] * shadeWithGradient(light, c, nc[0], nc[1], nc[2], grad));
    } else {
      for (let c = 0; c < 3; c++) out[3 * p + c] = sw * (smp[c] - sys.target[3 * p + c]);
    }
  }
  const o = sys.ns * 3;
  for (let p = 0; p < sys.nl; p++) {
    pointPosition(sys.lB, p * ctx.K * 3, sys.lMean, p, z, ctx.K, pos);
    const [u, v] = projectPoint(fs, pos);
    const sw = Math.sqrt(sys.wLan[p]);
    out[o + 2 * p] = sw * (u - sys.lTarget[2 * p]);
    out[o + 2 * p + 1] = sw * (v - sys.lTarget[2 * p + 1]);
  }
  return out;
}

/** Prior energy (w_id |z_id|^2 + w_exp |z_exp|^2) of one photo's expression plus (when `withIdentity`) the identity. */
export function priorEnergy(ctx: FitContext, w: CoarseWeights, id: Float64Array, fs: FrameState, withIdentity: boolean): number {
  let e = 0;
  if (withIdentity) for (let k = 0; k < ctx.Ki; k++) e += w.identityPrior * id[k] * id[k];
  for (let k = 0; k < ctx.Ke; k++) e += w.expressionPrior * fs.exp[k] * fs.exp[k];
  return e;
}

/** Data energy of one photo (sum of squared weighted residuals). */
export function frameEnergy(ctx: FitContext, sys: FrameSystem, id: Float64Array, fs: FrameState): number {
  const r = frameResiduals(ctx, sys, id, fs);
  let e = 0;
  for (let i = 0; i < r.length; i++) e += r[i] * r[i];
  return e;
}

/**
 * Gauss-Newton normal equations of one photo's data terms at the current iterate: `H = J^T J` (P x P,
 * symmetric) and `g = J^T r` for the residuals of {@link frameResiduals}, P = Ki + 6 + Ke. Without shading,
 * photometric samples contribute the rank-2 form `A^T (sum_c grad I_c grad I_c^T) A` through two rows; with
 * shading each colour channel has its own row, and the rows go through a {@link PhotometricBatch} (dense
 * products in WebAssembly SIMD where available). With `sys.joint`, the appearance blocks come back too
 * (`appearance`), and `energy` is the data energy at the iterate (what {@link frameEnergy} returns, from the same
 * residuals). `workspace` chooses the batch's kernel workspace (tests use it to compare the backends).
 */
export function frameNormalEquations(
  ctx: FitContext,
  sys: FrameSystem,
  id: Float64Array,
  fs: FrameState,
  workspace?: DenseWorkspace,
): { H: Float64Array; g: Float64Array; energy: number; appearance?: AppearanceSystem } {
  const P = frameParamCount(ctx);
  const H = new Float64Array(P * P);
  const g = new Float64Array(P);
  const z = zOf(ctx, id, fs);
  const au = new Float64Array(P), av = new Float64Array(P);
  const q1 = new Float64Array(P), q2 = new Float64Array(P);
  const pos = new Float64Array(3);
  const smp = new Float64Array(9);
  const sh = sys.shade;
  const nc = new Float64Array(3);
  const grad = new Float64Array(3);
  const rows = new Float64Array(3 * P);
  const rhoS = new Float64Array(3), shadeS = new Float64Array(3), resS = new Float64Array(3);
  const { K, Ki } = ctx;
  const acc = sys.joint && sh ? createAppearanceAccumulator(P, ctx.albedo, workspace) : null;
  const batch = sh ? (acc ? acc.batch : new PhotometricBatch(P, null, workspace)) : null;
  // The data energy (as frameEnergy) from the same residuals, so a step's starting energy costs nothing extra.
  let energy = 0;
  for (let p = 0; p < sys.ns; p++) {
    const wp = sys.wPhot[p];
    if (wp === 0) continue;
    pointPosition(sys.sB, sys.samples[p] * ctx.K * 3, sys.sMean, p, z, ctx.K, pos);
    const [u, v] = projectPoint(fs, pos);
    sampleLevel(sys.level!, u, v, smp);
    projectionRows(ctx, sys.sB, sys.samples[p] * ctx.K * 3, fs, pos, au, av);
    if (sh) {
      // Full rows per channel: image shift plus the shading change through the normal (rotation and shape).
      shadeNormal(sh, p, z, K, fs.R, nc);
      const R = fs.R;
      const ob = p * K * 3;
      for (let c = 0; c < 3; c++) {
        const o = c * P;
        const rho = sh.alb[3 * p + c];
        const S = shadeWithGradient(sh.light, c, nc[0], nc[1], nc[2], grad);
        const r = (sh.obs ? sh.obs[3 * p + c] : smp[c]) - (sh.bias ? sh.bias[3 * p + c] : 0) - rho * S;
        const gx = sh.obs ? 0 : smp[3 + c], gy = sh.obs ? 0 : smp[6 + c];
        for (let j = 0; j < P; j++) rows[o + j] = gx * au[j] + gy * av[j];
        // Rotation (left increment w): d nc = w x nc, so dS/dw = nc x grad.
        rows[o + Ki] -= rho * (nc[1] * grad[2] - nc[2] * grad[1]);
        rows[o + Ki + 1] -= rho * (nc[2] * grad[0] - nc[0] * grad[2]);
        rows[o + Ki + 2] -= rho * (nc[0] * grad[1] - nc[1] * grad[0]);
        // Shape: dS/dz_k = (R^T grad) . dn_k.
        const mx = R[0] * grad[0] + R[3] * grad[1] + R[6] * grad[2];
        const my = R[1] * grad[0] + R[4] * grad[1] + R[7] * grad[2];
        const mz = R[2] * grad[0] + R[5] * grad[1] + R[8] * grad[2];
        for (let k = 0; k < K; k++) {
          const col = k < Ki ? k : k + 6;
          rows[o + col] -= rho * (mx * sh.nb[ob + 3 * k] + my * sh.nb[ob + 3 * k + 1] + mz * sh.nb[ob + 3 * k + 2]);
        }
        rhoS[c] = rho;
        shadeS[c] = S;
        resS[c] = r;
      }
      energy += wp * (resS[0] * resS[0] + resS[1] * resS[1] + resS[2] * resS[2]);
      batch!.addGeometry(rows, wp, resS);
      if (acc) accumulateAppearance(acc, ctx.albedo, sys.samples[p], nc, rhoS, shadeS, rows, resS, wp);
      batch!.commit();
      continue;
    }
    let a = 0, b = 0, d = 0, ru = 0, rv = 0;
    for (let c = 0; c < 3; c++) {
      const gx = smp[3 + c], gy = smp[6 + c];
      const r = smp[c] - sys.target[3 * p + c];
      energy += wp * r * r;
      a += gx * gx;
      b += gx * gy;
      d += gy * gy;
      ru += gx * r;
      rv += gy * r;
    }
    for (let j = 0; j < P; j++) g[j] += wp * (au[j] * ru + av[j] * rv);
    // G = L L^T (2 x 2 Cholesky); rows [A_u A_v] L.
    const sw = Math.sqrt(wp);
    if (a > 1e-20) {
      const l11 = Math.sqrt(a), l21 = b / l11, l22 = Math.sqrt(Math.max(d - l21 * l21, 0));
      for (let j = 0; j < P; j++) {
        q1[j] = sw * (l11 * au[j] + l21 * av[j]);
        q2[j] = sw * l22 * av[j];
      }
    } else {
      const l = Math.sqrt(d);
      for (let j = 0; j < P; j++) {
        q1[j] = sw * l * av[j];
        q2[j] = 0;
      }
    }
    accumulateRowPair(H, P, q1, q2);
  }
  const blocks = batch?.finish();
  if (blocks) {
    for (let i = 0; i < P; i++) {
      g[i] += blocks.g[i];
      for (let j = i; j < P; j++) H[i * P + j] += blocks.H[i * P + j];
    }
  }
  // Landmarks (68 + up to 478 dense ones): two rows each, batched like the photometric rows.
  const landmarkBatch = new PhotometricBatch(P, null, workspace, 2);
  const lRes = new Float64Array(2);
  for (let p = 0; p < sys.nl; p++) {
    pointPosition(sys.lB, p * ctx.K * 3, sys.lMean, p, z, ctx.K, pos);
    const [u, v] = projectPoint(fs, pos);
    projectionRows(ctx, sys.lB, p * ctx.K * 3, fs, pos, au, av);
    rows.set(au, 0);
    rows.set(av, P);
    lRes[0] = u - sys.lTarget[2 * p];
    lRes[1] = v - sys.lTarget[2 * p + 1];
    energy += sys.wLan[p] * (lRes[0] * lRes[0] + lRes[1] * lRes[1]);
    landmarkBatch.addGeometry(rows, sys.wLan[p], lRes);
    landmarkBatch.commit();
  }
  const lm = landmarkBatch.finish();
  for (let i = 0; i < P; i++) {
    g[i] += lm.g[i];
    for (let j = i; j < P; j++) H[i * P + j] += lm.H[i * P + j];
  }
  symmetrizeUpper(H, P);
  if (blocks && acc && sys.joint) {
    return { H, g, energy, appearance: withAppearancePriors(blocks, ctx.albedo, fs.light, fs.albedo, sys.joint.lightingRidge, sys.joint.photometric) };
  }
  return { H, g, energy };
}

/**
 * Applies a step to a photo's pose and expression (expression clamped to its range); returns a new state.
 * `step[offset + 0..5]` are the photo's pose columns, `step[offset + 6..]` its expression columns.
 */
export function applyFrameStep(ctx: FitContext, fs: FrameState, step: Float64Array, offset: number): FrameState {
  const R = rotationFromVector(step[offset], step[offset + 1], step[offset + 2]);
  const Rn = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) Rn[3 * r + c] = R[3 * r] * fs.R[c] + R[3 * r + 1] * fs.R[3 + c] + R[3 * r + 2] * fs.R[6 + c];
  const exp = new Float64Array(ctx.Ke);
  for (let k = 0; k < ctx.Ke; k++) {
    const v = fs.exp[k] + step[offset + 6 + k];
    exp[k] = Math.min(ctx.expHi[k], Math.max(ctx.expLo[k], v));
  }
  return {
    R: Rn,
    s: fs.s * Math.exp(step[offset + 3]),
    tx: fs.tx + step[offset + 4],
    ty: fs.ty + step[offset + 5],
    exp,
    light: fs.light,
    albedo: fs.albedo,
  };
}

/** Rodrigues rotation of a rotation vector, row-major. */
export function rotationFromVector(x: number, y: number, z: number): Float64Array {
  const t = Math.hypot(x, y, z);
  const R = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  if (t < 1e-12) return R;
  const kx = x / t, ky = y / t, kz = z / t;
  const c = Math.cos(t), s = Math.sin(t), v = 1 - c;
  R[0] = c + kx * kx * v;
  R[1] = kx * ky * v - kz * s;
  R[2] = kx * kz * v + ky * s;
  R[3] = ky * kx * v + kz * s;
  R[4] = c + ky * ky * v;
  R[5] = ky * kz * v - kx * s;
  R[6] = kz * kx * v - ky * s;
  R[7] = kz * ky * v + kx * s;
  R[8] = c + kz * kz * v;
  return R;
}

/** Options of one joint LM iteration. */
export interface StepOptions {
  weights: CoarseWeights;
  /** Whether the identity is estimated (false: held, e.g. during the rigid/landmark warm-up). */
  identity: boolean;
  /** Only the 6 pose parameters of each photo move (rigid refinement). */
  poseOnly: boolean;
  /**
   * Freeze expression coefficients that the gradient holds at a bound ({@link freezeActiveBounds}; default
   * true). False: every coefficient is solved for and clamped to its range afterwards.
   */
  activeBounds?: boolean;
}

/** LM damping state carried across iterations. */
export interface LmState {
  lambda: number;
}

/**
 * Active set of the expression bounds: marks in `frozen` the expression columns that sit on a bound while the
 * energy's gradient `g` (the combined system's, 1/2 dE/dtheta) points out of the range. Those coefficients
 * stay put and the step is the Gauss-Newton step of the remaining ones. Solving with them free and clamping
 * afterwards (a projection) moves the other coefficients by a step computed for a move that never happens;
 * with ICT's one-sided blendshape weights many coefficients rest at 0, and the clamped steps were rejected
 * so often that the damping grew every iteration (25 photometric iterations: lambda 1e-3 -> 1).
 */
export function freezeActiveBounds(ctx: FitContext, state: CoarseState, g: Float64Array, frozen: Uint8Array): void {
  const { Ki, Ke } = ctx;
  for (let f = 0; f < state.frames.length; f++) {
    const exp = state.frames[f].exp;
    for (let k = 0; k < Ke; k++) {
      const c = Ki + f * (6 + Ke) + 6 + k;
      // The step solves (H + damping) d = -g: a positive gradient moves the coefficient down.
      if ((exp[k] <= ctx.expLo[k] && g[c] > 0) || (exp[k] >= ctx.expHi[k] && g[c] < 0)) frozen[c] = 1;
    }
  }
}

/**
 * One Levenberg-Marquardt iteration over all photos jointly: the photos' normal equations are assembled into
 * one system [identity | photo 1 | photo 2 | ...] (the identity columns are shared), solved with Marquardt
 * damping, and the step is accepted only if the total energy decreases (otherwise damping grows and the
 * step is retried). Expression coefficients held at a bound by the gradient are frozen for the step
 * ({@link freezeActiveBounds}). Returns the new state and its energy.
 */
export function lmIteration(
  ctx: FitContext,
  systems: FrameSystem[],
  state: CoarseState,
  lm: LmState,
  options: StepOptions,
): { state: CoarseState; energy: number; accepted: boolean } {
  const { Ki, Ke } = ctx;
  const w = options.weights;
  const F = systems.length;
  const Pf = Ki + 6 + Ke;
  const N = Ki + F * (6 + Ke);
  const H = new Float64Array(N * N);
  const g = new Float64Array(N);
  const col = (f: number, j: number): number => (j < Ki ? j : Ki + f * (6 + Ke) + (j - Ki));
  let energy = 0;
  const appearance: Array<AppearanceSystem | undefined> = [];
  for (let f = 0; f < F; f++) {
    const fs = state.frames[f];
    const ne = frameNormalEquations(ctx, systems[f], state.id, fs);
    const el = ne.appearance;
    appearance.push(el);
    if (el) energy += appearancePriorEnergy(el, ctx.albedo, fs.light, fs.albedo);
    for (let a = 0; a < Pf; a++) {
      const ca = col(f, a);
      g[ca] += ne.g[a];
      for (let b = 0; b < Pf; b++) H[ca * N + col(f, b)] += ne.H[a * Pf + b];
    }
    energy += ne.energy + priorEnergy(ctx, w, state.id, fs, f === 0);
    for (let k = 0; k < Ke; k++) {
      const c = Ki + f * (6 + Ke) + 6 + k;
      H[c * N + c] += w.expressionPrior;
      g[c] += w.expressionPrior * fs.exp[k];
    }
  }
  for (let k = 0; k < Ki; k++) {
    H[k * N + k] += w.identityPrior;
    g[k] += w.identityPrior * state.id[k];
  }
  // Frozen parameters: identity rows/columns (and expression ones for pose-only steps) become identity rows
  // with zero gradient, so the solve leaves them at zero.
  const frozen = new Uint8Array(N);
  if (!options.identity) for (let k = 0; k < Ki; k++) frozen[k] = 1;
  if (options.poseOnly) for (let f = 0; f < F; f++) for (let k = 0; k < Ke; k++) frozen[Ki + f * (6 + Ke) + 6 + k] = 1;
  if (options.activeBounds ?? true) freezeActiveBounds(ctx, state, g, frozen);
  for (let i = 0; i < N; i++) {
    if (!frozen[i]) continue;
    for (let j = 0; j < N; j++) {
      H[i * N + j] = 0;
      H[j * N + i] = 0;
    }
    H[i * N + i] = 1;
    g[i] = 0;
  }
  const diag = new Float64Array(N);
  for (let i = 0; i < N; i++) diag[i] = Math.max(H[i * N + i], 1e-9);
  for (let attempt = 0; attempt < 5; attempt++) {
    const A = H.slice();
    const rhs = new Float64Array(N);
    for (let i = 0; i < N; i++) rhs[i] = -g[i];
    // Appearance unknowns are eliminated per photo at this attempt's damping.
    const eliminations = appearance.map((sys, f) => {
      if (!sys) return undefined;
      const el = eliminateAppearance(sys, lm.lambda);
      if (!el) return undefined;
      for (let a = 0; a < Pf; a++) {
        const ca = col(f, a);
        if (frozen[ca]) continue;
        rhs[ca] += el.dg[a];
        for (let b = 0; b < Pf; b++) if (!frozen[col(f, b)]) A[ca * N + col(f, b)] -= el.dH[a * Pf + b];
      }
      return el;
    });
    for (let i = 0; i < N; i++) A[i * N + i] += lm.lambda * diag[i];
    const step = solveCholesky(A, rhs, N);
    if (step) {
      const id = state.id.slice();
      for (let k = 0; k < Ki; k++) id[k] += step[k];
      const frames = state.frames.map((fs, f) => {
        const next = applyFrameStep(ctx, fs, step, Ki + f * (6 + Ke));
        const el = eliminations[f];
        if (!el) return next;
        // The photo's geometry step in its own column order [identity | pose | expression].
        const d = new Float64Array(Pf);
        for (let j = 0; j < Pf; j++) d[j] = step[col(f, j)];
        const app = appearanceStep(el, d, fs.light, fs.albedo);
        return { ...next, light: app.light, albedo: app.albedo };
      });
      let e = 0;
      for (let f = 0; f < F; f++) {
        e += frameEnergy(ctx, systems[f], id, frames[f]) + priorEnergy(ctx, w, id, frames[f], f === 0);
        // Counted whether or not the elimination succeeded (a photo whose block was singular keeps its appearance).
        const sys = appearance[f];
        if (sys) e += appearancePriorEnergy(sys, ctx.albedo, frames[f].light, frames[f].albedo);
      }
      if (e < energy) {
        lm.lambda = Math.max(lm.lambda / 3, 1e-7);
        return { state: { id, frames }, energy: e, accepted: true };
      }
    }
    lm.lambda *= 4;
  }
  return { state, energy, accepted: false };
}

/**
 * Rigid start from the 68 landmarks: the affine camera `[u, -v] = M X + t` fitted by least squares to the
 * mean face's landmarks (orthographic PnP), then projected onto a scaled rotation (Gram-Schmidt), with the
 * depth-reflection ambiguity resolved so that the face looks towards the camera.
 */
export function rigidFromLandmarks(
  ctx: FitContext,
  landmarks: Float64Array,
  confidence?: Float64Array,
  embedding?: FrameInput['landmarkEmbedding'],
): { R: Float64Array; s: number; tx: number; ty: number } {
  const X = landmarkPositions(ctx.lin, ctx.lin.mean, embedding);
  // Normal equations of the 4-parameter rows [m1 m2 m3 t].
  const A = new Float64Array(16);
  const bu = new Float64Array(4), bv = new Float64Array(4);
  for (let k = 0; k < 68; k++) {
    // Contour points slide on the surface, so they get less say in the rigid start.
    const wk = (confidence ? confidence[k] : 1) * (k <= 16 ? 0.3 : 1);
    const row = [X[3 * k], X[3 * k + 1], X[3 * k + 2], 1];
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) A[4 * a + b] += wk * row[a] * row[b];
      bu[a] += wk * row[a] * landmarks[2 * k];
      bv[a] += wk * row[a] * -landmarks[2 * k + 1];
    }
  }
  const mu = solveCholesky(A, bu, 4)!;
  const mv = solveCholesky(A, bv, 4)!;
  const n1 = Math.hypot(mu[0], mu[1], mu[2]);
  const n2 = Math.hypot(mv[0], mv[1], mv[2]);
  const s = (n1 + n2) / 2;
  const r1 = [mu[0] / n1, mu[1] / n1, mu[2] / n1];
  const d = r1[0] * mv[0] + r1[1] * mv[1] + r1[2] * mv[2];
  let r2 = [mv[0] - d * r1[0], mv[1] - d * r1[1], mv[2] - d * r1[2]];
  const n2b = Math.hypot(r2[0], r2[1], r2[2]);
  r2 = [r2[0] / n2b, r2[1] / n2b, r2[2] / n2b];
  let r3 = [r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]];
  if (r3[2] < 0) {
    // Mirror the depth (the two solutions project identically up to the affine fit's error).
    r1[2] = -r1[2];
    r2[2] = -r2[2];
    r3 = [r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]];
  }
  return { R: Float64Array.from([...r1, ...r2, ...r3]), s, tx: mu[3], ty: -mv[3] };
}

/** Options of {@link fitCoarse}. */
export interface CoarseOptions {
  weights?: Partial<CoarseWeights>;
  schedule?: Partial<CoarseSchedule>;
  /** Starting states (e.g. from an earlier fit); default: rigid start from landmarks. */
  initial?: CoarseState;
  /** Jaw contour handling (default `marching`). */
  contour?: ContourMode;
  /** Differentiate the shading through the normals (default true; see {@link FrameSystemOptions.shading}). */
  shading?: boolean;
  /** Let photometric samples slide over the image (default false; see {@link FrameSystemOptions.imageShift}). */
  imageShift?: boolean;
  /** Photometric samples on smooth skin only (default true; see {@link FrameSystemOptions.skinMask}). */
  skinMask?: boolean | Partial<SkinMaskOptions>;
  /** Remove the vertex-vs-pixel sampling bias (default false; see {@link FrameSystemOptions.renderCorrection}). */
  renderCorrection?: boolean;
  /** See {@link FrameSystemOptions.jointAppearance}. */
  jointAppearance?: boolean;
  signal?: AbortSignal;
}

/** Result of {@link fitCoarse}. */
export interface CoarseResult {
  state: CoarseState;
  /** Final geometry per photo (at level 0). */
  geometry: FrameGeometry[];
  /** Energy after each LM iteration (all photos). */
  history: number[];
  /** Milliseconds: rigid start + landmark warm-up, and the photometric pyramid. */
  timings: { rigid: number; coarse: number };
}

/**
 * Runs the coarse stage on one or several photos (one shared identity). Photos need 68 landmarks for the
 * rigid start unless `options.initial` is given.
 */
export function fitCoarse(ctx: FitContext, frames: FrameInput[], options: CoarseOptions = {}): CoarseResult {
  const weights: CoarseWeights = { ...DEFAULT_COARSE_WEIGHTS, ...options.weights };
  const schedule: CoarseSchedule = { ...DEFAULT_COARSE_SCHEDULE, ...options.schedule };
  const t0 = performance.now();
  const history: number[] = [];
  let state: CoarseState = options.initial ?? {
    id: new Float64Array(ctx.Ki),
    frames: frames.map((fr) => {
      if (!fr.landmarks) throw new RangeError('the coarse fit needs 68 landmarks per photo for its rigid start');
      const rigid = rigidFromLandmarks(ctx, fr.landmarks, fr.confidence, fr.landmarkEmbedding);
      const light = new Float32Array(27);
      light[0] = 2.8; // ambient ~0.8 in the DECA convention (factor 0.282)
      return { ...rigid, exp: new Float64Array(ctx.Ke), light, albedo: new Float64Array(ctx.albedo.size) };
    }),
  };
  const lm: LmState = { lambda: 1e-3 };

  // Landmark-only warm-up: pose first, then pose + shape + expression.
  for (let it = 0; it < schedule.landmarkIterations; it++) {
    options.signal?.throwIfAborted();
    const systems = frames.map((fr, f) => {
      const geo = frameGeometryLite(ctx, state.id, state.frames[f]);
      return buildFrameSystem(ctx, fr, state.id, state.frames[f], { ...geo, screen: new Float32Array(0), visible: new Uint8Array(0) }, {
        weights,
        level: null,
        maxSamples: 0,
        lightingRounds: 0,
        contour: options.contour,
      });
    });
    const poseOnly = it < 2;
    // Clamped steps here, not the active set: freeing the expression to fit the landmarks more closely
    // (measured: lower landmark energy) gave the photometric stage a worse start (NoW-crop median with the
    // accurate preset 0.44 / 0.38 / 0.51 mm on seeds 11 / 23 / 37 with clamping here, 0.44 / 0.41 / 0.51 without).
    const res = lmIteration(ctx, systems, state, lm, { weights, identity: !poseOnly, poseOnly, activeBounds: false });
    state = res.state;
    history.push(res.energy);
  }
  const t1 = performance.now();

  // Photometric coarse-to-fine.
  const L = Math.min(schedule.iterations.length, frames[0].pyramid.length);
  lm.lambda = 1e-3;
  let first = true;
  for (let li = 0; li < L; li++) {
    const levelIndex = L - 1 - li;
    for (let it = 0; it < schedule.iterations[li]; it++) {
      options.signal?.throwIfAborted();
      const systems = frames.map((fr, f) => {
        const level = fr.pyramid[levelIndex];
        const base = fr.pyramid[0];
        const geo = frameGeometry(ctx, state.id, state.frames[f], base.width, base.height, level.scale);
        return buildFrameSystem(ctx, fr, state.id, state.frames[f], geo, {
          weights,
          level,
          maxSamples: schedule.samples[li] ?? 1000,
          // With joint appearance the LM step moves lighting and albedo with the shape; re-solving them for the
          // current shape between steps is the alternation that lets the albedo soak up the shading before the
          // shape can respond (measured: 0.54 -> 0.48 mm NoW-crop median on seed 11 without it; README).
          lightingRounds: first ? 3 : options.jointAppearance ? 0 : 1,
          contour: options.contour,
          shading: options.shading,
          imageShift: options.imageShift,
          skinMask: options.skinMask ?? true,
          renderCorrection: options.renderCorrection,
          jointAppearance: options.jointAppearance,
        });
      });
      first = false;
      const res = lmIteration(ctx, systems, state, lm, { weights, identity: true, poseOnly: false });
      state = res.state;
      history.push(res.energy);
    }
  }
  const geometry = frames.map((fr, f) => {
    const base = fr.pyramid[0];
    const geo = frameGeometry(ctx, state.id, state.frames[f], base.width, base.height, 1);
    // Final lighting/albedo for the final geometry (solved in place; no shading rows are needed).
    buildFrameSystem(ctx, fr, state.id, state.frames[f], geo, { weights, level: base, maxSamples: 1500, lightingRounds: 2, shading: false });
    return geo;
  });
  const t2 = performance.now();
  return { state, geometry, history, timings: { rigid: t1 - t0, coarse: t2 - t1 } };
}

/** Positions and normals only (no raster): enough for the landmark-only warm-up's contour search. */
function frameGeometryLite(ctx: FitContext, id: Float64Array, fs: FrameState): { positions: Float32Array; normals: Float32Array } {
  const positions = decodeLinear(ctx.lin, zOf(ctx, id, fs));
  return { positions, normals: new Float32Array(0) };
}
