/**
 * The `fit` method end to end: crop the face, coarse fit, albedo refinement, detail, and a
 * {@link Reconstruction} in the photo's pixels.
 * @module
 */
import {
  bakeVertexAttributesToUV,
  cropCameraToImage,
  FacekitError,
  matrixToEuler,
  project,
  rasterizeUV,
  warpAffine,
  type Box,
  type DetectedFace,
  type FaceModel,
  type Image,
  type ImageF32,
  type OrthographicCamera,
  type Reconstruction,
} from '@facekit/core';
import { evaluateAlbedo } from './albedo.js';
import {
  cameraNormals,
  fitContext,
  fitCoarse,
  type CoarseOptions,
  type CoarseSchedule,
  type CoarseState,
  type CoarseWeights,
  type ContourMode,
  type FitContext,
  type FrameInput,
} from './coarse.js';
import { fitDetail, type DetailOptions } from './detail.js';
import { landmarkPositions, linearizeModel, toModelParams, type LinearizedModel } from './linearize.js';
import { buildPyramid } from './pyramid.js';
import { photometricError, refineAlbedo } from './refine-albedo.js';
import { landmarkCalibration } from './calibration.js';
import { denseToLocal, type DenseCorrespondence } from './dense.js';

/** Options of {@link fitFace} and {@link fitSamePerson}. */
export interface FitOptions {
  /**
   * A set of defaults for the options below (default `fast`). `accurate` is {@link ACCURATE_PRESET}: an energy
   * that is consistent at the true face, about 2-3x slower than `fast`. Options given explicitly override the
   * preset's (weights, schedule, detail and skin-mask margins field by field).
   */
  preset?: 'fast' | 'accurate';
  /** Side of the square face crop the fit runs on, px (default 256). */
  cropSize?: number;
  /** Crop side as a multiple of the detection box's larger side (default 1.7). */
  cropScale?: number;
  /** Pyramid levels (default 3: 64, 128, 256 px). */
  levels?: number;
  /** Coarse energy weights. */
  weights?: Partial<CoarseWeights>;
  /** Coarse iteration schedule. */
  schedule?: Partial<CoarseSchedule>;
  /** Identity modes estimated (the model's first ones; default 60). */
  identityModes?: number;
  /** Run the albedo refinement (default true). */
  albedo?: boolean;
  /** Run the detail stage (default true), or its options. */
  detail?: boolean | Partial<DetailOptions>;
  /** Side of the UV maps (texture, displacement, normal map), px (default 256). */
  uvSize?: number;
  /**
   * Dense-landmark correspondence (478 face-mesh points on the model, see `@facekit/fit/node`'s
   * `denseCorrespondence`), used as extra landmark terms when the detection has `dense`.
   */
  denseCorrespondence?: DenseCorrespondence;
  /** Jaw-contour landmark handling (default `marching`; `static` for landmarks that are fixed surface points). */
  contour?: ContourMode;
  /**
   * Match the detector's landmarks to learned surface points when a calibration of the face's detector on the
   * model exists (see `calibration.ts`; default true).
   */
  landmarkCalibration?: boolean;
  /** Shape from shading in the coarse stage: differentiate the shading through the normals (default true). */
  shading?: boolean;
  /** Let photometric samples slide over the image in the coarse stage (default false). */
  imageShift?: boolean;
  /**
   * Photometric samples of the coarse stage on smooth skin only (no lips, brows, eyes, nostrils, hairline;
   * default true; `false` samples the whole narrow face), or the mask's margins (`skin-mask.ts`; the `accurate`
   * preset sets tighter ones, see {@link ACCURATE_PRESET}).
   */
  skinMask?: CoarseOptions['skinMask'];
  /** Remove the vertex-vs-pixel sampling bias from the photometric term (default false; see `coarse.ts`). */
  renderCorrection?: boolean;
  /**
   * Solve SH lighting and albedo jointly with the shape in every coarse step instead of between steps
   * (default false; see `joint-appearance.ts`).
   */
  jointAppearance?: boolean;
  /** Skin prior of the coarse albedo for models without an albedo space (default `bumps`; see `albedo.ts`). */
  skinPrior?: 'bumps' | 'field';
  /** Cancels the fit between iterations. */
  signal?: AbortSignal;
}

/**
 * The `accurate` preset: photometric samples compared like with like (`renderCorrection`), sliding over the image
 * (`imageShift`), lighting and albedo solved jointly with the shape (`jointAppearance`, not re-solved between
 * steps) under the smooth skin field prior (`skinPrior: 'field'`), 100 identity modes, 12 photometric iterations
 * on the finest level with 1500 samples from a skin mask with tighter margins, a photometric term that dominates
 * the landmarks, priors weak enough not to pull the true face to the mean, and a detail stage with a stronger
 * magnitude prior. About 2-3x the time of `fast` (README of `@facekit/fit`).
 */
export const ACCURATE_PRESET: Readonly<FitOptions> = Object.freeze({
  identityModes: 100,
  renderCorrection: true,
  imageShift: true,
  jointAppearance: true,
  skinPrior: 'field',
  // Huber threshold 0.03 instead of 0.1: with the photometric term 300x the landmarks, occluders (hands, glasses,
  // hair) must stop counting early; synthetic residuals at the truth are ~0.005.
  weights: Object.freeze({ photometric: 30, landmark: 0.1, identityPrior: 1e-6, expressionPrior: 1e-4, lightingRidge: 1e-5, huber: 0.03 }),
  // Samples up to 0.08 / 0.10 / 0.12 / 0.04 eye distances from the lips, brows, eyes and lower nose instead of the
  // default 0.12 / 0.14 / 0.16 / 0.08: the default margins, sized for real photos under the `bumps` prior, also
  // dropped the skin around the eyes, the nose and the mouth, where identities differ most in shape. Tighter
  // margins (0.05 / 0.07 / 0.09 / 0) reach the lip and brow colours and were worse. NoW crop / face median as a
  // fraction of the mean face's (`fitFace` on `facekit synth` seeds, 10 faces, 30 for 97 and 101), before -> after
  // (2000 samples both): seed 89 0.54 / 0.52 -> 0.37 / 0.43, 71 0.50 / 0.41 -> 0.38 / 0.46, 97 0.50 / 0.50 ->
  // 0.43 / 0.45, 101 0.50 / 0.49 -> 0.40 / 0.44. `facekit eval` of the whole preset: the README's table (0.30-0.47x;
  // held-out seed 131, 30 faces, 0.39x / 0.41x).
  skinMask: Object.freeze({ lips: 0.08, brows: 0.1, eyes: 0.12, nostrils: 0.04 }),
  // All photometric iterations on the finest level. With the tighter mask 1500 samples do about as well as 2000
  // (ratios as above, 1500 -> 2000: 89 0.33 / 0.42 -> 0.37 / 0.43, 71 0.46 / 0.46 -> 0.38 / 0.46, 97 0.46 / 0.45
  // -> 0.43 / 0.45, 101 0.38 / 0.42 -> 0.40 / 0.44) in a quarter less time; 1000 were worse (101: 0.42 / 0.48).
  // 12 iterations did as well as 18 within the spread between equivalent runs (README).
  schedule: Object.freeze({ iterations: [0, 0, 12], samples: [400, 700, 1500] }),
  // The coarse fit already explains the photo closely; the detail stage keeps only displacements the photo
  // insists on (a 25x stronger magnitude prior than the default).
  detail: Object.freeze({ mu1: 0.5 }),
} satisfies FitOptions);

/**
 * Options with the preset's defaults filled in (explicit options win; weights, schedule, detail and skin-mask margins
 * merge field by field).
 */
export function resolveFitOptions(options: FitOptions): FitOptions {
  if ((options.preset ?? 'fast') === 'fast') return options;
  if (options.preset !== 'accurate') throw new RangeError(`unknown fit preset '${String(options.preset)}'; use 'fast' or 'accurate'`);
  const p = ACCURATE_PRESET;
  // `detail: true` runs the preset's detail stage; an options object merges into it; false turns it off.
  const detail = options.detail === false ? false : { ...(p.detail as Partial<DetailOptions>), ...(typeof options.detail === 'object' ? options.detail : {}) };
  // Margins merge into the preset's; `true` asks for the default mask and `false` for none.
  const skinMask = typeof options.skinMask === 'object' ? { ...(p.skinMask as object), ...options.skinMask } : options.skinMask ?? p.skinMask;
  return { ...p, ...options, weights: { ...p.weights, ...options.weights }, schedule: { ...p.schedule, ...options.schedule }, detail, skinMask };
}

/** Diagnostics of a fit, beyond the {@link Reconstruction}. */
export interface FitDiagnostics {
  /** Energy after each coarse LM iteration. */
  history: number[];
  /** Mean absolute RGB error at visible face vertices: coarse albedo, refined albedo, after detail. */
  photometric: { coarse: number; refined: number; detail: number };
  /** Detail-stage data energies before and after. */
  detailEnergy?: { before: number; after: number };
}

/** A reconstruction of the fit method with its diagnostics. */
export interface FitResult {
  reconstruction: Reconstruction;
  diagnostics: FitDiagnostics;
}

interface PreparedFrame {
  input: FrameInput;
  /** Crop transform (original px -> crop px). */
  crop: Float64Array;
  face: DetectedFace;
}

function prepareFrame(lin: LinearizedModel, image: Image, face: DetectedFace, options: FitOptions): PreparedFrame {
  if (!face.landmarks68 || face.landmarks68.length < 136) {
    throw new FacekitError('ERR_FIT_LANDMARKS', 'the fit method needs 68 landmarks for its rigid start; use a detector that gives landmarks68 (human, face-api)');
  }
  const size = options.cropSize ?? 256;
  const [bx, by, bw, bh] = face.box;
  // Centre the crop on the landmarks (boxes of different detectors differ in where they put the forehead).
  let mx = 0, my = 0;
  for (let k = 0; k < 68; k++) {
    mx += face.landmarks68[2 * k];
    my += face.landmarks68[2 * k + 1];
  }
  mx /= 68;
  my /= 68;
  const side = Math.max(bw, bh) * (options.cropScale ?? 1.7);
  const k = size / side;
  const crop = Float64Array.of(k, 0, size / 2 - k * mx, 0, k, size / 2 - k * my);
  const cropped = warpAffine(image, crop, size, size, { border: 'replicate' });
  const pyramid = buildPyramid(cropped, options.levels ?? 3);
  const landmarks = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    landmarks[2 * i] = crop[0] * face.landmarks68[2 * i] + crop[2];
    landmarks[2 * i + 1] = crop[4] * face.landmarks68[2 * i + 1] + crop[5];
  }
  const input: FrameInput = { pyramid, landmarks, faceSize: Math.sqrt(Math.max(1, bw * bh)) * k };
  const cal = (options.landmarkCalibration ?? true) ? landmarkCalibration(face.detector, lin.id, lin.model.topology.vertexCount) : undefined;
  if (cal && lin.landmarkVertices && lin.landmarkWeights) {
    const local = new Map<number, number>();
    lin.regionVertices.forEach((v, i) => local.set(v, i));
    const vertices = lin.landmarkVertices.slice();
    const weights = lin.landmarkWeights.slice();
    let ok = true;
    cal.points.forEach((row, q) => {
      const k = cal.first + q;
      for (let j = 0; j < 3; j++) {
        const i = local.get(row[2 * j]);
        if (i === undefined) ok = false;
        else {
          vertices[3 * k + j] = i;
          weights[3 * k + j] = row[2 * j + 1];
        }
      }
    });
    if (ok) input.landmarkEmbedding = { vertices, weights };
  }
  const dc = options.denseCorrespondence;
  if (dc && face.dense && dc.modelId === lin.id) {
    const map = denseToLocal(lin, dc);
    const n = face.dense.length / 3;
    const pts: number[] = [];
    const vs: number[] = [];
    const ws: number[] = [];
    for (let q = 0; q < map.index.length; q++) {
      const m = map.index[q];
      if (m >= n) continue;
      pts.push(crop[0] * face.dense[3 * m] + crop[2], crop[4] * face.dense[3 * m + 1] + crop[5]);
      for (let j = 0; j < 3; j++) {
        vs.push(map.vertices[3 * q + j]);
        ws.push(map.weights[3 * q + j]);
      }
    }
    if (pts.length) input.dense = { points: Float64Array.from(pts), vertices: Uint32Array.from(vs), weights: Float32Array.from(ws) };
  }
  return { input, crop, face };
}

/** Resolves the model's linearisation and fit context for the options. */
export function prepareModel(model: FaceModel, options: Pick<FitOptions, 'identityModes' | 'skinPrior'> = {}): FitContext {
  return fitContext(linearizeModel(model, { maxIdentity: options.identityModes ?? 60 }), options.skinPrior ?? 'bumps');
}

/**
 * Fits one face of a photo: the core of the `fit` predictor.
 *
 * @param image the photo (any size; the fit runs on a crop around `face` and maps results back).
 * @param face a detection with `box` and `landmarks68` (and optionally `dense`).
 * @param model the face model (any {@link FaceModel}; ICT-FaceKit is the default of the registered predictor).
 */
export function fitFace(image: Image, face: DetectedFace, model: FaceModel, options: FitOptions = {}): FitResult {
  return fitFaces([image], [face], model, options)[0];
}

/**
 * Fits several photos of one person: one identity shared by all, expression, pose, lighting and albedo per
 * photo. Returns one reconstruction per photo (in the same order); `model.params.identity` (or the model's
 * identity block) is the same array content in all of them.
 *
 * @param images the photos.
 * @param faces one detection per photo (box + 68 landmarks).
 * @param model the face model.
 */
export function fitFaces(images: readonly Image[], faces: readonly DetectedFace[], model: FaceModel, fitOptions: FitOptions = {}): FitResult[] {
  if (images.length === 0 || images.length !== faces.length) {
    throw new RangeError(`need one face per image, got ${images.length} images and ${faces.length} faces`);
  }
  const options = resolveFitOptions(fitOptions);
  const ctx = prepareModel(model, options);
  const lin = ctx.lin;
  if (!lin.landmarkVertices) {
    throw new FacekitError('ERR_FIT_MODEL', `model ${model.id} defines no 68-point landmarks on its fitting region; the fit needs them`);
  }
  const t0 = performance.now();
  const frames = images.map((img, i) => prepareFrame(lin, img, faces[i], options));
  const tPrep = performance.now() - t0;
  const coarse = fitCoarse(ctx, frames.map((f) => f.input), {
    weights: options.weights,
    schedule: options.schedule,
    contour: options.contour,
    shading: options.shading,
    imageShift: options.imageShift,
    skinMask: options.skinMask,
    renderCorrection: options.renderCorrection,
    jointAppearance: options.jointAppearance,
    signal: options.signal,
  });
  const share = 1 / frames.length;
  return frames.map((frame, f) => {
    const fs = coarse.state.frames[f];
    const geo = coarse.geometry[f];
    const level0 = frame.input.pyramid[0];
    const V = lin.vertexCount;
    const all = Uint32Array.from({ length: V }, (_, i) => i);

    let t = performance.now();
    const coarseAlbedo = evaluateAlbedo(ctx.albedo, fs.albedo);
    let albedo = coarseAlbedo;
    const nrmCam = cameraNormals(fs.R, geo.normals, all);
    const errCoarse = photometricError(level0, geo.screen, geo.visible, nrmCam, coarseAlbedo, fs.light, lin.fitMask);
    let errRefined = errCoarse;
    if (options.albedo ?? true) {
      albedo = refineAlbedo(ctx, level0, geo, fs).albedo;
      errRefined = photometricError(level0, geo.screen, geo.visible, nrmCam, albedo, fs.light, lin.fitMask);
    }
    const tAlbedo = performance.now() - t;

    t = performance.now();
    let positions = geo.positions;
    let normals = geo.normals;
    let displacementV: Float32Array | undefined;
    let errDetail = errRefined;
    let detailEnergy: FitDiagnostics['detailEnergy'];
    if (options.detail ?? true) {
      const detailOpts = typeof options.detail === 'object' ? options.detail : {};
      const det = fitDetail(ctx, level0, geo, fs, albedo, detailOpts);
      positions = det.positions;
      normals = det.normals;
      displacementV = det.displacement;
      detailEnergy = { before: det.energyBefore, after: det.energyAfter };
      errDetail = photometricError(level0, geo.screen, geo.visible, cameraNormals(fs.R, normals, all), albedo, fs.light, lin.fitMask);
    }
    const tDetail = performance.now() - t;

    const rec = assemble(ctx, frame, coarse.state, f, positions, normals, albedo, displacementV, options);
    if (displacementV) rec.coarseMesh = { ...rec.mesh, positions: geo.positions, normals: geo.normals };
    rec.timings = {
      prepare: tPrep * share,
      rigid: coarse.timings.rigid * share,
      coarse: coarse.timings.coarse * share,
      albedo: tAlbedo,
      detail: tDetail,
    };
    return {
      reconstruction: rec,
      diagnostics: {
        history: coarse.history,
        photometric: { coarse: errCoarse, refined: errRefined, detail: errDetail },
        detailEnergy,
      },
    };
  });
}

function assemble(
  ctx: FitContext,
  frame: PreparedFrame,
  state: CoarseState,
  f: number,
  positions: Float32Array,
  normals: Float32Array,
  albedo: Float32Array,
  displacement: Float32Array | undefined,
  options: FitOptions,
): Reconstruction {
  const lin = ctx.lin;
  const fs = state.frames[f];
  const cropCamera: OrthographicCamera = { type: 'orthographic', scale: fs.s, cx: fs.tx, cy: fs.ty, rotation: Array.from(fs.R) };
  const camera = cropCameraToImage(cropCamera, frame.crop);
  const landmarks3d = Float32Array.from(landmarkPositions(lin, positions));
  const lm2 = project(camera, landmarks3d);
  const landmarks2d = new Float32Array(136);
  for (let k = 0; k < 68; k++) {
    landmarks2d[2 * k] = lm2[3 * k];
    landmarks2d[2 * k + 1] = lm2[3 * k + 1];
  }
  const z = new Float64Array(ctx.K);
  z.set(state.id.subarray(0, ctx.Ki));
  z.set(fs.exp, ctx.Ki);
  const params = toModelParams(lin, z);
  if (ctx.albedo.kind === 'model' && ctx.albedo.block) params[ctx.albedo.block] = Float32Array.from(fs.albedo);

  const mesh: Reconstruction['mesh'] = { positions, triangles: lin.triangles, normals, colors: albedo };
  const rec: Reconstruction = {
    method: 'fit',
    model: { id: lin.id, params },
    mesh,
    units: lin.units,
    camera,
    pose: matrixToEuler(fs.R),
    box: frame.face.box as Box,
    confidence: frame.face.confidence,
    landmarks2d,
    landmarks3d,
    lighting: Float32Array.from(fs.light),
    albedo,
    timings: {},
  };
  if (lin.uvs && lin.uvTriangles) {
    mesh.uvs = lin.uvs;
    mesh.uvTriangles = lin.uvTriangles;
    const size = options.uvSize ?? 256;
    const uvMesh = { triangles: lin.triangles, uvs: lin.uvs, uvTriangles: lin.uvTriangles };
    const raster = rasterizeUV(uvMesh, size);
    const tex = bakeVertexAttributesToUV(uvMesh, albedo, 3, size, { raster });
    rec.texture = { width: size, height: size, channels: 3, data: tex.data } satisfies ImageF32;
    if (displacement) {
      const disp = bakeVertexAttributesToUV(uvMesh, displacement, 1, size, { raster });
      rec.displacement = { width: size, height: size, channels: 1, data: disp.data };
    }
    const nm = bakeVertexAttributesToUV(uvMesh, normals, 3, size, { raster });
    // Interpolated normals are renormalised so the map holds unit vectors.
    for (let p = 0; p < size * size; p++) {
      const x = nm.data[3 * p], y = nm.data[3 * p + 1], zz = nm.data[3 * p + 2];
      const l = Math.hypot(x, y, zz);
      if (l > 0) {
        nm.data[3 * p] = x / l;
        nm.data[3 * p + 1] = y / l;
        nm.data[3 * p + 2] = zz / l;
      }
    }
    rec.normalMap = { width: size, height: size, channels: 3, data: nm.data };
  }
  return rec;
}
