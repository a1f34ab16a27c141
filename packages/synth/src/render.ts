/**
 * Synthetic face renders with known ground truth: random identity, sparse expression, head pose, SH lighting,
 * synthetic albedo and background, rendered with the core rasterizer at a higher resolution and box-filtered
 * down (antialiasing), so that off-the-shelf face detectors find the faces.
 * @module
 */
import {
  compositeOver,
  computeVertexNormals,
  coverageMask,
  eulerToMatrix,
  evaluateEmbedding,
  interpolateAttributes,
  project,
  rasterize,
  regionTriangles,
  resizeImage,
  shadeImage,
  toUint8Image,
  unitToMillimetres,
  type Box,
  type Camera,
  type EulerAngles,
  type FaceModel,
  type ImageF32,
  type ImageU8,
  type LengthUnit,
  type Mesh,
  type ParameterBlock,
  type ParameterValues,
} from '@facekit/core';
import { sampleAppearance, synthesizeAlbedo, type Appearance } from './albedo.js';
import { renderBackground, sampleBackground, type BackgroundSpec } from './background.js';
import { sampleLighting, type LightDescription, type LightingOptions } from './lighting.js';
import { createRandom, Sampler, type Random } from './random.js';

/** Options of {@link renderSyntheticFace}. Every range is sampled uniformly unless said otherwise. */
export interface SynthOptions {
  /** Output image width and height in pixels (default 256). */
  size?: number;
  /** Render at this multiple of the size and box-filter down (default 2; 1 turns antialiasing off). */
  supersample?: number;
  /** Camera model of the truth record (default `orthographic`; both are affine and render identically). */
  camera?: 'orthographic' | 'weak-perspective';
  /** Standard deviations of the identity draw, in prior units (default 1: identity ~ N(mean, std)). */
  identitySigma?: number;
  /** Number of active blendshapes (inclusive range, default [1, 3]) and their weights (default [0.2, 0.7]). */
  expressionCount?: [number, number];
  expressionWeight?: [number, number];
  /** Largest |yaw|, |pitch|, |roll| in degrees (defaults 30, 15, 10). */
  maxYaw?: number;
  maxPitch?: number;
  maxRoll?: number;
  /** Size of the 68-landmark box (its larger side) as a fraction of the image (default [0.45, 0.58]). */
  fill?: [number, number];
  /** Largest offset of the face centre from the image centre, as a fraction of the size (default 0.04). */
  maxShift?: number;
  /** Lighting ranges. */
  lighting?: LightingOptions;
  /** Probability of scalp hair colour (default 0.7). */
  hairProbability?: number;
  /**
   * Regions rendered. Default: for models with ICT-FaceKit-style regions the skin (`face_head`), eye sockets,
   * eyeballs and mouth interior (`mouth_socket`, `gums_tongue`, `teeth`), not `eye_extras`; otherwise every
   * triangle.
   */
  regions?: readonly string[];
  /** Use these parameters instead of sampling them (missing blocks are zero). */
  params?: ParameterValues;
  /** Use this head pose instead of sampling it. */
  pose?: EulerAngles;
}

/** One synthetic sample: the picture and everything needed to score a reconstruction of it. */
export interface SyntheticFace {
  /** RGB, `size x size`. */
  image: ImageU8;
  /** Ground-truth mesh of the whole model (its topology, UVs and vertex normals), in model units and frame. */
  mesh: Mesh;
  modelId: string;
  units: LengthUnit;
  /** Parameters by block name (identity, expression, ...). */
  params: Record<string, Float32Array>;
  /** Maps `mesh` coordinates to image pixels (rotation = head pose). */
  camera: Camera;
  /** 68 x 2 image pixels: `landmarks3d` projected with `camera`. */
  landmarks2d: Float32Array;
  /** 68 x 3, on `mesh` (the model's landmark embedding), model units. */
  landmarks3d: Float32Array;
  pose: EulerAngles;
  /** SH lighting (27, `L[k * 3 + c]`, DECA convention), applied to normals in the camera frame. */
  lighting: Float32Array;
  /** The light before projection to SH. */
  light: LightDescription;
  /** Box of the 68 landmarks `[x, y, w, h]` in pixels. */
  box: Box;
  /** Per-vertex albedo (V x 3) used for the render. */
  albedo: Float32Array;
  appearance: Appearance;
  background: BackgroundSpec;
  /** Regions and triangles drawn. */
  renderedRegions: string[];
  renderTriangles: Uint32Array;
  supersample: number;
  /** Fraction of the image covered by the face model. */
  coverage: number;
}

const DEFAULT_REGIONS = ['face_head', 'eye_sockets', 'eyeballs', 'mouth_socket', 'gums_tongue', 'teeth'];
const IDENTITY_BLOCKS = new Set(['identity', 'shape']);
/** Blendshapes that close or squeeze the eyes: capped so the eyes stay visible. */
const EYE_CLOSING = /blink|squint|eyesclosed/i;

const triangleCache = new WeakMap<FaceModel, Map<string, { regions: string[]; triangles: Uint32Array }>>();

/** The regions and triangles {@link renderSyntheticFace} draws for a model (cached). */
export function renderTriangles(model: FaceModel, regions?: readonly string[]): { regions: string[]; triangles: Uint32Array } {
  const key = regions ? regions.join(',') : '';
  let perModel = triangleCache.get(model);
  if (!perModel) triangleCache.set(model, (perModel = new Map()));
  const hit = perModel.get(key);
  if (hit) return hit;
  const available = model.regions ?? {};
  const wanted = regions ?? (available.face_head ? DEFAULT_REGIONS.filter((r) => available[r]) : []);
  let result: { regions: string[]; triangles: Uint32Array };
  if (wanted.length === 0) {
    result = { regions: [], triangles: model.topology.triangles };
  } else {
    const ids: number[] = [];
    for (const name of wanted) {
      const r = available[name];
      if (!r) throw new RangeError(`model ${model.id} has no region "${name}"; regions: ${Object.keys(available).join(', ') || 'none'}`);
      const tris = r.triangles ?? regionTriangles(model.topology.triangles, r.vertices, model.topology.vertexCount);
      for (const t of tris) ids.push(t);
    }
    ids.sort((a, b) => a - b);
    const src = model.topology.triangles;
    const out = new Uint32Array(ids.length * 3);
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && ids[i] === ids[i - 1]) continue;
      out[3 * n] = src[3 * ids[i]];
      out[3 * n + 1] = src[3 * ids[i] + 1];
      out[3 * n + 2] = src[3 * ids[i] + 2];
      n++;
    }
    result = { regions: [...wanted], triangles: out.slice(0, 3 * n) };
  }
  perModel.set(key, result);
  return result;
}

function priorAt(block: ParameterBlock, i: number, key: 'mean' | 'std'): number {
  const v = block.prior?.[key];
  if (v === undefined) return key === 'std' ? 1 : 0;
  return typeof v === 'number' ? v : (v[i] ?? 0);
}

/**
 * Draws model parameters: identity-like blocks (`identity`, `shape`) from their Gaussian prior (times
 * `identitySigma`), ranged blocks (blendshape weights) sparsely — a few entries at moderate weights, eye-closing
 * shapes capped at 0.35 — and every other block zero.
 */
export function sampleParameters(model: FaceModel, s: Sampler, options: SynthOptions = {}): Record<string, Float32Array> {
  const sigma = options.identitySigma ?? 1;
  const [c0, c1] = options.expressionCount ?? [1, 3];
  const [w0, w1] = options.expressionWeight ?? [0.2, 0.7];
  const params: Record<string, Float32Array> = {};
  for (const block of model.parameters) {
    const values = new Float32Array(block.size);
    if (IDENTITY_BLOCKS.has(block.name)) {
      for (let i = 0; i < block.size; i++) values[i] = priorAt(block, i, 'mean') + sigma * priorAt(block, i, 'std') * s.gauss();
    } else if (block.range && block.size > 0) {
      const count = Math.min(block.size, s.int(c0, c1));
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(s.int(0, block.size - 1));
      for (const i of [...chosen].sort((a, b) => a - b)) {
        let w = s.range(w0, w1);
        if (EYE_CLOSING.test(block.labels?.[i] ?? '')) w = Math.min(w, 0.35);
        values[i] = Math.min(block.range[1], Math.max(block.range[0], block.range[0] + w * (block.range[1] - block.range[0])));
      }
    } else {
      continue;
    }
    params[block.name] = values;
  }
  return params;
}

/** Projects N x 3 points, keeping (u, v). */
export function projectLandmarks(camera: Camera, points: Float32Array): Float32Array {
  const p = project(camera, points);
  const out = new Float32Array((p.length / 3) * 2);
  for (let i = 0; i < p.length / 3; i++) {
    out[2 * i] = p[3 * i];
    out[2 * i + 1] = p[3 * i + 1];
  }
  return out;
}

/** Box `[x, y, w, h]` of N x 2 points. */
export function pointsBox(points: ArrayLike<number>): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    x0 = Math.min(x0, points[i]);
    x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]);
    y1 = Math.max(y1, points[i + 1]);
  }
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Landmarks of a model on given positions: its 68-point embedding. Throws when the model has none. */
export function modelLandmarks(model: FaceModel, positions: Float32Array): Float32Array {
  if (!model.landmarks68) throw new RangeError(`model ${model.id} has no 68-point landmark embedding; synthetic truth needs one`);
  return evaluateEmbedding(positions, model.topology.triangles, model.landmarks68);
}

/**
 * Renders one random face of `model`. Deterministic for a seed (or for the sequence of a given random source).
 *
 * Frame conventions: `mesh`, `landmarks3d` are in the model frame; the camera's rotation is the head pose
 * (`eulerToMatrix(pose)`), so `project(camera, landmarks3d) == landmarks2d`; lighting applies to camera-frame
 * normals (`R · n`). Pixel colour = clamp(albedo · SH shading) with per-pixel normals interpolated from vertex
 * normals and renormalised, averaged over `supersample²` sub-pixels.
 */
export function renderSyntheticFace(model: FaceModel, seed: number | Random, options: SynthOptions = {}): SyntheticFace {
  const s = new Sampler(typeof seed === 'number' ? createRandom(seed) : seed);
  const size = options.size ?? 256;
  const ss = options.supersample ?? 2;
  if (!Number.isInteger(size) || size < 16) throw new RangeError(`size must be an integer >= 16, got ${size}`);
  if (!Number.isInteger(ss) || ss < 1 || ss > 4) throw new RangeError(`supersample must be 1, 2, 3 or 4, got ${ss}`);

  // 1. Parameters and geometry.
  const params: Record<string, Float32Array> = options.params
    ? Object.fromEntries(Object.entries(options.params).map(([k, v]) => [k, Float32Array.from(v)]))
    : sampleParameters(model, s, options);
  const positions = model.decode(params);
  const normals = computeVertexNormals(positions, model.topology.triangles);
  const landmarks3d = modelLandmarks(model, positions);

  // 2. Pose, light, appearance, background.
  const pose: EulerAngles = options.pose ?? {
    yaw: s.range(-1, 1) * (options.maxYaw ?? 30),
    pitch: s.range(-1, 1) * (options.maxPitch ?? 15),
    roll: s.range(-1, 1) * (options.maxRoll ?? 10),
  };
  const { light, sh } = sampleLighting(s, options.lighting);
  const appearance = sampleAppearance(s, options.hairProbability ?? 0.7);
  const albedo = synthesizeAlbedo(model, appearance, s);
  const background = sampleBackground(s);

  // 3. Framing: the rotated landmark box fills `fill` of the image, centred up to `maxShift`.
  const R = Array.from(eulerToMatrix(pose));
  const [f0, f1] = options.fill ?? [0.45, 0.58];
  const fill = s.range(f0, f1);
  const maxShift = options.maxShift ?? 0.04;
  const targetU = size * (0.5 + s.range(-maxShift, maxShift));
  const targetV = size * (0.5 + s.range(-maxShift, maxShift));
  const rotated = project({ type: 'orthographic', scale: 1, cx: 0, cy: 0, rotation: R }, landmarks3d);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, zMax = -Infinity;
  for (let i = 0; i < rotated.length; i += 3) {
    // Orthographic with scale 1: u = X, v = -Y, depth = -Z.
    x0 = Math.min(x0, rotated[i]);
    x1 = Math.max(x1, rotated[i]);
    y0 = Math.min(y0, -rotated[i + 1]);
    y1 = Math.max(y1, -rotated[i + 1]);
    zMax = Math.max(zMax, -rotated[i + 2]);
  }
  const faceSize = Math.max(x1 - x0, y1 - y0);
  const scale = (fill * size) / faceSize;
  const c = size / 2;
  const tx = (targetU - c) / scale - (x0 + x1) / 2;
  const ty = (c - targetV) / scale - (y0 + y1) / 2;
  // Depth offset so every vertex has a positive depth (the head is far less deep than 4 face sizes).
  const tz = -(Math.abs(zMax) + 4 * faceSize);
  const camera: Camera =
    (options.camera ?? 'orthographic') === 'orthographic'
      ? { type: 'orthographic', scale, cx: c, cy: c, rotation: R, translation: [tx, ty, tz] }
      : { type: 'weak-perspective', scale: (2 * scale) / size, tx, ty, width: size, height: size, rotation: R, translation: [0, 0, tz] };
  const landmarks2d = projectLandmarks(camera, landmarks3d);

  // 4. Render at ss x the size.
  const { regions: renderedRegions, triangles } = renderTriangles(model, options.regions);
  const W = size * ss;
  const screen = project(camera, positions);
  for (let i = 0; i < screen.length; i += 3) {
    screen[i] *= ss;
    screen[i + 1] *= ss;
  }
  const raster = rasterize(screen, triangles, W, W);
  const camNormals = new Float32Array(normals.length);
  for (let i = 0; i < normals.length; i += 3) {
    const x = normals[i], y = normals[i + 1], z = normals[i + 2];
    camNormals[i] = R[0] * x + R[1] * y + R[2] * z;
    camNormals[i + 1] = R[3] * x + R[4] * y + R[5] * z;
    camNormals[i + 2] = R[6] * x + R[7] * y + R[8] * z;
  }
  const mask = coverageMask(raster);
  const pixNormals = interpolateAttributes(raster, triangles, camNormals, 3);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const o = 3 * p;
    const l = Math.hypot(pixNormals[o], pixNormals[o + 1], pixNormals[o + 2]);
    if (l > 0) {
      pixNormals[o] /= l;
      pixNormals[o + 1] /= l;
      pixNormals[o + 2] /= l;
    }
  }
  const pixAlbedo = interpolateAttributes(raster, triangles, albedo, 3);
  const shaded = shadeImage(pixNormals, pixAlbedo, sh, { mask });
  const bg: ImageF32 = { width: W, height: W, channels: 3, data: renderBackground(background, W, W) };
  const composed = compositeOver(bg, shaded, 3, mask, { inPlace: true });
  const final = ss > 1 ? resizeImage(composed, size, size, { filter: 'area' }) : composed;
  let covered = 0;
  for (let p = 0; p < mask.length; p++) covered += mask[p];

  const mesh: Mesh = { positions, triangles: model.topology.triangles, normals };
  if (model.topology.uvs && model.topology.uvTriangles) {
    mesh.uvs = model.topology.uvs;
    mesh.uvTriangles = model.topology.uvTriangles;
  }
  return {
    image: toUint8Image(final),
    mesh,
    modelId: model.id,
    units: model.units,
    params,
    camera,
    landmarks2d,
    landmarks3d,
    pose,
    lighting: sh,
    light,
    box: pointsBox(landmarks2d),
    albedo,
    appearance,
    background,
    renderedRegions,
    renderTriangles: triangles,
    supersample: ss,
    coverage: covered / mask.length,
  };
}

/** Millimetres per unit of a model, with `arbitrary` read as 1. */
export function modelUnitToMm(units: LengthUnit): number {
  const f = unitToMillimetres(units);
  return Number.isFinite(f) ? f : 1;
}
