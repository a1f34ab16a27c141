/**
 * Linear per-vertex albedo spaces for the coarse stage: the model's own (when it has a per-vertex albedo
 * space) or, for models without one (ICT-FaceKit), a skin prior. Two skin priors exist:
 * - `bumps` (the default): a mean skin colour plus a low-frequency correction made of Gaussian bumps over the
 *   frontal mean face, one set per colour channel. Small, so the default fit stays fast.
 * - `field`: a skin colour per channel times `1 + f(x)`, with `f` a smooth random field over the mean face:
 *   sines and cosines of plane waves (random-Fourier-feature style) whose wavelengths span a band measured in eye
 *   distances, with a Gaussian prior on their amplitudes (a band-limited stationary Gaussian process). Skin
 *   varies like this (redness, tan lines, shading the SH lighting cannot explain); the Gaussian bumps either
 *   miss it (strong prior) or soak up the shading of the shape (weak prior).
 * Neither follows fine structure (brows, lips), which the albedo refinement stage recovers from the photo.
 * @module
 */
import { solveCholesky, type FaceModel } from '@facekit/core';
import { landmarkPositions, type LinearizedModel } from './linearize.js';
import { symmetrizeUpper } from './linalg.js';

/** A linear albedo space over the region's vertices: `albedo = mean + basis^T c`. */
export interface AlbedoBasis {
  /** `model`: the face model's albedo block; `skin`: the built-in skin prior. */
  kind: 'model' | 'skin';
  /** Model block name when `kind` is `model`. */
  block?: string;
  /** K coefficients. */
  size: number;
  /** 3V mean albedo (RGB in [0, 1]). */
  mean: Float32Array;
  /** K x 3V mode-major basis. */
  basis: Float32Array;
  /** K prior precisions (the energy adds `sum_k prior_k c_k^2`). */
  prior: Float64Array;
  /** For each mode, the only channel it touches (skin prior) or -1 (model modes touch all channels). */
  channel: Int8Array;
}

/** A plausible mean skin albedo (linear-free sRGB in [0, 1]); the lighting absorbs the photo's exposure. */
export const MEAN_SKIN_ALBEDO: readonly [number, number, number] = [0.72, 0.52, 0.42];

const albedoCache = new WeakMap<LinearizedModel, Map<string, AlbedoBasis>>();

/** Options of {@link albedoBasisFor}. */
export interface AlbedoBasisOptions {
  /** Skin prior for models without an albedo space (default `bumps`; see the module comment). */
  skin?: 'bumps' | 'field';
  /** Bumps per side of the skin prior's grid (default 4, i.e. 16 bumps + a constant per channel). */
  grid?: number;
  /** Prior precision of the skin prior's constant terms (default 0.005). */
  constantPrior?: number;
  /** Prior precision of the skin prior's bumps (default 0.02). */
  bumpPrior?: number;
  /** Prior precision scale of model albedo coefficients, divided by std^2 (default 0.002). */
  modelPrior?: number;
  /** `field`: number of plane waves (each gives a sine and a cosine mode; default 100). */
  fieldWaves?: number;
  /** `field`: wavelength band in eye distances (outer eye corners of the mean face; default [0.6, 1.8]). */
  fieldWavelengths?: [number, number];
  /**
   * `field`: prior precision of each wave coefficient, relative to the data term as `bumpPrior` is (default
   * 1.5e-4: with 100 waves about 4 % RMS relative variation for a photometric noise of 0.005, which is what
   * `@facekit/synth` renders; see the README of `@facekit/fit`).
   */
  fieldPrior?: number;
  /** `field`: prior precision of the per-channel skin colour (default 1e-4). */
  fieldConstantPrior?: number;
}

/**
 * The albedo space used for a linearised model. Built once per model and skin-prior kind when `options` holds
 * nothing but `skin`; built afresh when it sets any other field.
 */
export function albedoBasisFor(lin: LinearizedModel, options: AlbedoBasisOptions = {}): AlbedoBasis {
  const cacheable = Object.keys(options).every((k) => k === 'skin');
  const kind = options.skin ?? 'bumps';
  let byKind = albedoCache.get(lin);
  const hit = cacheable ? byKind?.get(kind) : undefined;
  if (hit) return hit;
  const a = modelAlbedo(lin.model, lin, options) ?? (kind === 'field' ? fieldAlbedo(lin, options) : skinAlbedo(lin, options));
  if (cacheable) {
    if (!byKind) albedoCache.set(lin, (byKind = new Map()));
    byKind.set(kind, a);
  }
  return a;
}

function modelAlbedo(model: FaceModel, lin: LinearizedModel, options: AlbedoBasisOptions): AlbedoBasis | undefined {
  const space = model.albedo;
  if (!space || space.kind !== 'vertex') return undefined;
  const block = model.parameters.find((p) => p.name === space.block);
  if (!block) return undefined;
  // Finite differences of the model's albedo decode: exact for linear albedo spaces (BFM).
  const base = space.decode(new Float32Array(block.size));
  if (!(base instanceof Float32Array)) return undefined;
  const K = block.size;
  const V = lin.vertexCount;
  const mean = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = base[3 * lin.regionVertices[i] + c];
  const basis = new Float32Array(K * 3 * V);
  const prior = new Float64Array(K);
  const coef = new Float32Array(K);
  const std = block.prior?.std ?? 1;
  for (let k = 0; k < K; k++) {
    const sk = typeof std === 'number' ? std : std[k];
    coef.fill(0);
    coef[k] = 1;
    const d = space.decode(coef) as Float32Array;
    for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) basis[k * 3 * V + 3 * i + c] = d[3 * lin.regionVertices[i] + c] - base[3 * lin.regionVertices[i] + c];
    prior[k] = (options.modelPrior ?? 0.002) / (sk * sk || 1);
  }
  return { kind: 'model', block: space.block, size: K, mean, basis, prior, channel: new Int8Array(K).fill(-1) };
}

function skinAlbedo(lin: LinearizedModel, options: AlbedoBasisOptions): AlbedoBasis {
  const V = lin.vertexCount;
  const G = options.grid ?? 4;
  // Grid over the frontal (x, y) extent of the photometric region of the mean face.
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < V; i++) {
    if (!lin.fitMask[i]) continue;
    const x = lin.mean[3 * i], y = lin.mean[3 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const perChannel = 1 + G * G;
  const K = 3 * perChannel;
  const mean = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = MEAN_SKIN_ALBEDO[c];
  const basis = new Float32Array(K * 3 * V);
  const prior = new Float64Array(K);
  const channel = new Int8Array(K);
  const sx = (x1 - x0) / Math.max(1, G - 1), sy = (y1 - y0) / Math.max(1, G - 1);
  const sigma2 = 2 * Math.max(sx, sy) ** 2;
  const phi = new Float64Array(perChannel);
  for (let i = 0; i < V; i++) {
    const x = lin.mean[3 * i], y = lin.mean[3 * i + 1];
    phi[0] = 1;
    for (let gy = 0; gy < G; gy++) {
      for (let gx = 0; gx < G; gx++) {
        const dx = x - (x0 + gx * sx), dy = y - (y0 + gy * sy);
        phi[1 + gy * G + gx] = Math.exp(-(dx * dx + dy * dy) / sigma2);
      }
    }
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < perChannel; k++) basis[(c * perChannel + k) * 3 * V + 3 * i + c] = phi[k];
    }
  }
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < perChannel; k++) {
      channel[c * perChannel + k] = c;
      prior[c * perChannel + k] = k === 0 ? options.constantPrior ?? 0.005 : options.bumpPrior ?? 0.02;
    }
  }
  return { kind: 'skin', size: K, mean, basis, prior, channel };
}

/** Eye distance (outer corners, landmarks 36 and 45) of the region's mean shape, or null without landmarks. */
function meanEyeDistance(lin: LinearizedModel): number | null {
  if (!lin.landmarkVertices || !lin.landmarkWeights) return null;
  const L = landmarkPositions(lin);
  const d = Math.hypot(L[108] - L[135], L[109] - L[136], L[110] - L[137]);
  return d > 0 ? d : null;
}

function fieldAlbedo(lin: LinearizedModel, options: AlbedoBasisOptions): AlbedoBasis {
  const V = lin.vertexCount;
  const M = options.fieldWaves ?? 100;
  const [l0, l1] = options.fieldWavelengths ?? [0.6, 1.8];
  if (!(M >= 1) || !(l0 > 0) || !(l1 >= l0)) throw new RangeError(`field skin prior needs fieldWaves >= 1 and 0 < wavelengths[0] <= wavelengths[1], got ${M}, [${l0}, ${l1}]`);
  // Unit: the eye distance; models without landmarks fall back to a fifth of the region's extent.
  let unit = meanEyeDistance(lin);
  if (unit === null) {
    let r = 0;
    for (let i = 0; i < 3 * V; i++) r = Math.max(r, Math.abs(lin.mean[i]));
    unit = r > 0 ? (2 * r) / 5 : 1;
  }
  const K = 3 + 2 * M;
  const mean = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = MEAN_SKIN_ALBEDO[c];
  const basis = new Float32Array(K * 3 * V);
  const prior = new Float64Array(K);
  const channel = new Int8Array(K).fill(-1);
  for (let c = 0; c < 3; c++) {
    channel[c] = c;
    prior[c] = options.fieldConstantPrior ?? 1e-4;
    for (let i = 0; i < V; i++) basis[c * 3 * V + 3 * i + c] = 1;
  }
  // Deterministic, evenly spread waves: directions on a Fibonacci sphere, wavelengths on a golden-ratio sequence.
  const golden = (Math.sqrt(5) - 1) / 2;
  for (let m = 0; m < M; m++) {
    const dz = 1 - (2 * (m + 0.5)) / M;
    const rho = Math.sqrt(Math.max(0, 1 - dz * dz));
    const phi = Math.PI * (3 - Math.sqrt(5)) * m;
    const lambda = l0 + (l1 - l0) * ((m * golden) % 1);
    const k = (2 * Math.PI) / (lambda * unit);
    const kx = k * rho * Math.cos(phi), ky = k * rho * Math.sin(phi), kz = k * dz;
    const os = (3 + 2 * m) * 3 * V, oc = (4 + 2 * m) * 3 * V;
    for (let i = 0; i < V; i++) {
      const t = kx * lin.mean[3 * i] + ky * lin.mean[3 * i + 1] + kz * lin.mean[3 * i + 2];
      const sn = Math.sin(t), cs = Math.cos(t);
      for (let c = 0; c < 3; c++) {
        basis[os + 3 * i + c] = MEAN_SKIN_ALBEDO[c] * sn;
        basis[oc + 3 * i + c] = MEAN_SKIN_ALBEDO[c] * cs;
      }
    }
    prior[3 + 2 * m] = prior[4 + 2 * m] = options.fieldPrior ?? 1.5e-4;
  }
  return { kind: 'skin', size: K, mean, basis, prior, channel };
}

/** Per-vertex albedo (3V, or 3 x `vertices.length` when given) for coefficients `c`. */
export function evaluateAlbedo(a: AlbedoBasis, c: ArrayLike<number>, vertices?: ArrayLike<number>): Float32Array {
  const V = a.mean.length / 3;
  const idx = vertices ?? null;
  const n = idx ? idx.length : V;
  const out = new Float32Array(3 * n);
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j] : j;
    for (let ch = 0; ch < 3; ch++) out[3 * j + ch] = a.mean[3 * i + ch];
  }
  for (let k = 0; k < a.size; k++) {
    const w = c[k];
    if (w === 0) continue;
    const o = k * 3 * V;
    const ch0 = a.channel[k];
    for (let j = 0; j < n; j++) {
      const i = idx ? idx[j] : j;
      if (ch0 >= 0) out[3 * j + ch0] += w * a.basis[o + 3 * i + ch0];
      else for (let ch = 0; ch < 3; ch++) out[3 * j + ch] += w * a.basis[o + 3 * i + ch];
    }
  }
  return out;
}

/**
 * Closed-form albedo coefficients for fixed geometry and lighting: minimises
 * `sum_i w_i sum_c (I_ic - S_ic albedo_ic)^2 + sum_k prior_k c_k^2` (a K x K ridge system).
 *
 * @param vertices sample vertices (local ids), `colors` their observed RGB, `shading` their S_ic = L_c . phi(n_i),
 *   `weights` per-sample weights (already normalised so the data term matches the fitter's energy).
 */
export function solveAlbedo(
  a: AlbedoBasis,
  vertices: ArrayLike<number>,
  colors: Float64Array,
  shading: Float64Array,
  weights: Float64Array,
): Float64Array {
  const K = a.size;
  const V = a.mean.length / 3;
  const h = new Float64Array(K * K);
  const g = new Float64Array(K);
  const row = new Float64Array(K);
  const nz = new Int32Array(K);
  for (let j = 0; j < vertices.length; j++) {
    const i = vertices[j];
    const w = weights[j];
    if (w === 0) continue;
    for (let c = 0; c < 3; c++) {
      const s = shading[3 * j + c];
      const r = colors[3 * j + c] - s * a.mean[3 * i + c];
      let m = 0;
      for (let k = 0; k < K; k++) {
        if (a.channel[k] >= 0 && a.channel[k] !== c) continue;
        const b = a.basis[k * 3 * V + 3 * i + c];
        if (b === 0) continue;
        row[k] = s * b;
        nz[m++] = k;
      }
      for (let p = 0; p < m; p++) {
        const kp = nz[p];
        const v = w * row[kp];
        g[kp] += v * r;
        for (let q = p; q < m; q++) {
          const kq = nz[q];
          if (kq >= kp) h[kp * K + kq] += v * row[kq];
          else h[kq * K + kp] += v * row[kq];
        }
      }
    }
  }
  symmetrizeUpper(h, K);
  for (let k = 0; k < K; k++) h[k * K + k] += a.prior[k] + 1e-12;
  return solveCholesky(h, g, K) ?? new Float64Array(K);
}
