/** Shared test fixtures: the ICT-FaceKit folder, and synthetic renders with known parameters. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  applySimilarity,
  computeVertexNormals,
  eulerToMatrix,
  interpolateAttributes,
  pointToSurface,
  procrustes,
  rasterize,
  shadeVertices,
  type DetectedFace,
  type FaceModel,
  type ImageF32,
} from '@facekit/core';
import { solveCholesky } from '@facekit/core';
import {
  linearizeModel,
  decodeLinear,
  frameNormalEquations,
  frameParamCount,
  MEAN_SKIN_ALBEDO,
  type AlbedoBasis,
  type CoarseWeights,
  type FitContext,
  type FrameState,
  type FrameSystem,
  type LinearizedModel,
} from '../src/index.js';

export const ICT_DIR = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
export const HAVE_ICT = existsSync(ICT_DIR + 'generic_neutral_mesh.obj');
export const SKIP_ICT = HAVE_ICT ? false : `ICT-FaceKit data not found at ${ICT_DIR}`;
export const ASTRONAUT = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));

/** Ground truth of a synthetic render. */
export interface SyntheticFace {
  image: ImageF32;
  face: DetectedFace;
  /** Standardised coefficients [identity Ki | expression Ke] of the linearised model. */
  z: Float64Array;
  /** Region positions (model frame). */
  positions: Float32Array;
  pose: { yaw: number; pitch: number; roll: number };
  R: Float64Array;
  s: number;
  tx: number;
  ty: number;
  light: Float32Array;
  albedo: Float32Array;
  lin: LinearizedModel;
}

/** Deterministic normal samples (Box-Muller on an LCG). */
export function gaussians(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/**
 * Renders the model's face+head region with known identity, expression, pose, SH lighting and a per-vertex
 * albedo (skin with darker brows/lips-like blotches) over a textured background, 256 x 256, orthographic.
 */
export function renderSynthetic(
  model: FaceModel,
  options: {
    seed?: number;
    identity?: Float64Array;
    expression?: Record<string, number>;
    pose?: { yaw: number; pitch: number; roll: number };
    size?: number;
    /** Multiplies the lighting (default 1); above ~1.3 the brightest skin clips at 1 like an overexposed photo. */
    exposure?: number;
  } = {},
): SyntheticFace {
  const lin = linearizeModel(model);
  const size = options.size ?? 256;
  const Ki = lin.identityCount, Ke = lin.expressionCount;
  const z = new Float64Array(Ki + Ke);
  const id = options.identity ?? gaussians(Ki, options.seed ?? 7).map((v, k) => (k < 20 ? 1.2 * v : 0.3 * v));
  z.set(id.subarray(0, Ki));
  const expBlock = lin.blocks.find((b) => b.role === 'expression');
  const labels = model.parameters.find((p) => p.name === expBlock?.name)?.labels ?? [];
  for (const [name, w] of Object.entries(options.expression ?? {})) {
    const k = labels.indexOf(name);
    if (k >= 0 && k < Ke) z[Ki + k] = w / (expBlock?.std[k] ?? 1);
  }
  const positions = decodeLinear(lin, z);
  const pose = options.pose ?? { yaw: 18, pitch: -6, roll: 4 };
  const R = eulerToMatrix(pose);
  // Scale: the face (about 16 cm of landmarks) spans ~55% of the image.
  const s = (0.55 * size) / 16;
  const tx = size / 2 + 3, ty = size / 2 + 6;
  const V = lin.vertexCount;
  const screen = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], zz = positions[3 * i + 2];
    screen[3 * i] = s * (R[0] * x + R[1] * y + R[2] * zz) + tx;
    screen[3 * i + 1] = ty - s * (R[3] * x + R[4] * y + R[5] * zz);
    screen[3 * i + 2] = -s * (R[6] * x + R[7] * y + R[8] * zz);
  }
  const normals = computeVertexNormals(positions, lin.triangles);
  const ncam = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) {
    for (let a = 0; a < 3; a++) ncam[3 * i + a] = R[3 * a] * normals[3 * i] + R[3 * a + 1] * normals[3 * i + 1] + R[3 * a + 2] * normals[3 * i + 2];
  }
  const albedo = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) {
    const x = lin.mean[3 * i], y = lin.mean[3 * i + 1];
    // Smooth skin-tone variation (redder cheeks, darker jaw) of the kind a skin prior represents.
    const blotch = 0.06 * Math.exp(-((Math.abs(x) - 4) ** 2 + (y + 1) ** 2) / 30) - 0.04 * Math.exp(-((y + 8) ** 2) / 30);
    for (let c = 0; c < 3; c++) albedo[3 * i + c] = MEAN_SKIN_ALBEDO[c] * (0.95 + 0.05 * Math.sin(0.4 * y)) - blotch;
  }
  const light = new Float32Array(27);
  const Lrgb = [
    [1.7, 1.65, 1.6],
    [0.25, 0.2, 0.2],
    [0.18, 0.18, 0.15],
    [0.55, 0.5, 0.5],
  ];
  for (let k = 0; k < 4; k++) for (let c = 0; c < 3; c++) light[3 * k + c] = Lrgb[k][c];
  // Kept below 1 everywhere at exposure 1 (no clipping), so the render is exactly C = rho * L^T phi(n).
  light[24] = light[25] = light[26] = -0.1;
  for (let j = 0; j < 27; j++) light[j] *= options.exposure ?? 1;
  const colors = shadeVertices(ncam, albedo, light);
  const raster = rasterize(screen, lin.triangles, size, size);
  const data = interpolateAttributes(raster, lin.triangles, colors, 3, { background: null, out: background(size) });
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]));
  const image: ImageF32 = { width: size, height: size, channels: 3, data };
  // Ground-truth 68 landmarks, projected.
  const lv = lin.landmarkVertices!, lw = lin.landmarkWeights!;
  const lm = new Float32Array(136);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k < 68; k++) {
    let u = 0, v = 0;
    for (let j = 0; j < 3; j++) {
      u += lw[3 * k + j] * screen[3 * lv[3 * k + j]];
      v += lw[3 * k + j] * screen[3 * lv[3 * k + j] + 1];
    }
    lm[2 * k] = u;
    lm[2 * k + 1] = v;
    x0 = Math.min(x0, u); x1 = Math.max(x1, u); y0 = Math.min(y0, v); y1 = Math.max(y1, v);
  }
  const face: DetectedFace = { box: [x0, y0, x1 - x0, y1 - y0], confidence: 1, landmarks68: lm, detector: 'synthetic' };
  return { image, face, z, positions, pose, R, s, tx, ty, light, albedo, lin };
}

function background(size: number): Float32Array {
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = 0.35 + 0.1 * Math.sin(x * 0.11) * Math.cos(y * 0.07);
      out[3 * (y * size + x)] = v;
      out[3 * (y * size + x) + 1] = v + 0.05;
      out[3 * (y * size + x) + 2] = v + 0.1;
    }
  }
  return out;
}

/** An exact per-vertex albedo as a 3-mode (per-channel gain) albedo space, so the albedo is not in question. */
export function exactAlbedo(albedo: Float32Array): AlbedoBasis {
  const n = albedo.length;
  const basis = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) for (let i = c; i < n; i += 3) basis[c * n + i] = albedo[i];
  return { kind: 'model', size: 3, mean: albedo, basis, prior: new Float64Array([1e-3, 1e-3, 1e-3]), channel: new Int8Array([0, 1, 2]) };
}

/** The 68 landmarks (68 x 3) of region positions `pos`. */
function landmarks3(lin: LinearizedModel, pos: Float32Array): Float32Array {
  const out = new Float32Array(204);
  const lv = lin.landmarkVertices!, lw = lin.landmarkWeights!;
  for (let k = 0; k < 68; k++) for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) out[3 * k + c] += lw[3 * k + j] * pos[3 * lv[3 * k + j] + c];
  return out;
}

/** Mean distance (mm) from the ground-truth fitting-region vertices to `pos`'s surface after landmark similarity alignment. */
export function shapeErrorMm(s: SyntheticFace, pos: Float32Array): number {
  const lin = s.lin;
  const T = procrustes(landmarks3(lin, pos), landmarks3(lin, s.positions));
  const aligned = Float32Array.from(applySimilarity(pos, T));
  const q: number[] = [];
  for (let i = 0; i < lin.vertexCount; i++) if (lin.fitMask[i]) q.push(s.positions[3 * i], s.positions[3 * i + 1], s.positions[3 * i + 2]);
  const r = pointToSurface(Float32Array.from(q), { positions: aligned, triangles: lin.triangles });
  let sum = 0;
  for (const d of r.distances) sum += d;
  return (10 * sum) / r.distances.length; // cm -> mm
}

/**
 * One undamped (1e-3 Marquardt) Gauss-Newton step of a frame system from the state `id`, `fs` with the identity and
 * expression priors of `weights`; returns the identity part of the step as the RMS vertex displacement over the
 * fit region, in mm (ICT's cm x 10).
 */
export function identityStepMm(ctx: FitContext, sys: FrameSystem, id: Float64Array, fs: FrameState, weights: CoarseWeights): number {
  const { H, g } = frameNormalEquations(ctx, sys, id, fs);
  const P = frameParamCount(ctx);
  for (let k = 0; k < ctx.Ki; k++) {
    H[k * P + k] += weights.identityPrior;
    g[k] += weights.identityPrior * id[k];
  }
  for (let k = 0; k < ctx.Ke; k++) {
    const q = ctx.Ki + 6 + k;
    H[q * P + q] += weights.expressionPrior;
    g[q] += weights.expressionPrior * fs.exp[k];
  }
  for (let j = 0; j < P; j++) H[j * P + j] *= 1 + 1e-3;
  const step = solveCholesky(H, g.map((v) => -v), P)!;
  const dz = new Float64Array(ctx.K);
  for (let k = 0; k < ctx.Ki; k++) dz[k] = step[k];
  const p0 = decodeLinear(ctx.lin, new Float64Array(ctx.K)), p1 = decodeLinear(ctx.lin, dz);
  let s2 = 0, n = 0;
  for (let v = 0; v < ctx.lin.vertexCount; v++) {
    if (!ctx.lin.fitMask[v]) continue;
    n++;
    for (let c = 0; c < 3; c++) s2 += (p1[3 * v + c] - p0[3 * v + c]) ** 2;
  }
  return 10 * Math.sqrt(s2 / n);
}
