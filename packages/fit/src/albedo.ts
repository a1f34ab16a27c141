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
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { landmarkPositions, type LinearizedModel } from './linearize.js';
import { addBatchGram, symmetrizeUpper } from './linalg.js';
import { skinOrder } from './skin-mask.js';
import { PhotometricBatch } from './photometric-batch.js';

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
  /** Mode-major basis, 3V values per mode: all K modes, or only the first `shared.start` when `shared` is set. */
  basis: Float32Array;
  /** K prior precisions (the energy adds `sum_k prior_k c_k^2`). */
  prior: Float64Array;
  /** For each mode, the only channel it touches (skin prior) or -1 (model modes touch all channels). */
  channel: Int8Array;
  /**
   * Modes `start .. start + size - 1` (the last ones) when they are one scalar field each times a fixed colour:
   * mode k at vertex i, channel c is `colour[c] * values[i * size + (k - start)]` (vertex-major). The solvers
   * treat a sample's three channels as one row for these modes, and `basis` leaves them out (a copy would cost
   * 3x the memory of `values`); {@link expandSharedField} writes them out.
   */
  shared?: AlbedoSharedField;
}

/** See {@link AlbedoBasis.shared}. */
export interface AlbedoSharedField {
  start: number;
  size: number;
  colour: Float32Array;
  /** V x size, vertex-major. */
  values: Float32Array;
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
   * 1.5e-3). The residual the fit leaves is not white pixel noise (~0.005 on `@facekit/synth` renders) but
   * model error that is correlated over the face, and a prior set for the pixel noise (1.5e-4, the earlier
   * default) let the field explain shading the shape should: on synth seed 71 the `accurate` preset's NoW-crop /
   * face medians went 0.50 / 0.79 -> 0.45 / 0.67 mm (README of `@facekit/fit`).
   */
  fieldPrior?: number;
  /**
   * `field`: how many modes the fit estimates (default 100, at most 2 x fieldWaves sines and cosines). Fewer
   * than all keeps the field's leading principal components on the photometric sample vertices
   * (Karhunen-Loeve): a smaller and faster appearance block (see `fieldAlbedo`).
   */
  fieldModes?: number;
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
  const R = Math.min(options.fieldModes ?? 100, 2 * M);
  if (!(M >= 1) || !(l0 > 0) || !(l1 >= l0) || !(R >= 1)) {
    throw new RangeError(`field skin prior needs fieldWaves >= 1, fieldModes >= 1 and 0 < wavelengths[0] <= wavelengths[1], got ${M}, ${R}, [${l0}, ${l1}]`);
  }
  // Unit: the eye distance; models without landmarks fall back to a fifth of the region's extent.
  let unit = meanEyeDistance(lin);
  if (unit === null) {
    let r = 0;
    for (let i = 0; i < 3 * V; i++) r = Math.max(r, Math.abs(lin.mean[i]));
    unit = r > 0 ? (2 * r) / 5 : 1;
  }
  const waves = waveVectors(M, l0, l1, unit);
  const wavePrior = options.fieldPrior ?? 1.5e-3;
  const M2 = 2 * M;
  const K = 3 + R;
  const mean = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) mean[3 * i + c] = MEAN_SKIN_ALBEDO[c];
  const prior = new Float64Array(K);
  const channel = new Int8Array(K).fill(-1);
  for (let c = 0; c < 3; c++) {
    channel[c] = c;
    prior[c] = options.fieldConstantPrior ?? 1e-4;
  }
  const values = new Float32Array(V * R);
  const phi = new Float64Array(M2);
  if (R === M2) {
    // All sine/cosine modes, each with the wave prior.
    for (let i = 0; i < V; i++) {
      waveValues(waves, lin.mean, i, phi, 0);
      for (let j = 0; j < M2; j++) values[i * R + j] = phi[j];
    }
    prior.fill(wavePrior, 3);
    return sharedFieldBasis(mean, prior, channel, values, R);
  }
  // The 2M sine/cosine modes are strongly correlated over a face-sized patch: on ICT-FaceKit's skin samples the
  // field's covariance has 99.5 % of its trace in 50 principal components and 99.9 % in 60. The trace is not
  // the whole story: where the prior is weak next to the photometric term, components far down the spectrum are
  // still set by the data. At the default prior 100 components fit as all 200 do (NoW-crop / face medians on
  // synth seeds 37 and 71 within 0.01 / 0.02 mm) in ~20 % less time; 60 were worse on both seeds.
  const skin = skinOrder(lin);
  const S = skin.length;
  const rows = (S + 7) & ~7;
  const phiSkin = new Float64Array(rows * M2);
  for (let s = 0; s < S; s++) waveValues(waves, lin.mean, skin[s], phiSkin, s * M2);
  // Gram of the whitened modes (each mode has variance 1 / wavePrior), averaged over the samples.
  const weight = new Float64Array(rows).fill(1 / (S * wavePrior), 0, S);
  const gram = new Float64Array(M2 * M2);
  addBatchGram(gram, 0, M2, weight, phiSkin, M2, rows);
  symmetrizeUpper(gram, M2);
  const eig = new EigenvalueDecomposition(Matrix.from1DArray(M2, M2, gram), { assumeSymmetric: true });
  const eigenvalues = eig.realEigenvalues;
  const vectors = eig.eigenvectorMatrix;
  const order = Array.from(eigenvalues.keys()).sort((a, b) => eigenvalues[b] - eigenvalues[a]).slice(0, R);
  // Component r: field psi_r = sum_j phi_j u_jr / sqrt(prior), amplitude ~ N(0, 1) under the prior; rescaled to
  // unit RMS over the samples (divided by sqrt(eigenvalue)), its prior precision becomes 1 / eigenvalue.
  const mix = new Float64Array(M2 * R);
  for (let r = 0; r < R; r++) {
    const e = Math.max(eigenvalues[order[r]], 1e-12);
    prior[3 + r] = 1 / e;
    const norm = 1 / Math.sqrt(wavePrior * e);
    for (let j = 0; j < M2; j++) mix[j * R + r] = vectors.get(j, order[r]) * norm;
  }
  for (let i = 0; i < V; i++) {
    waveValues(waves, lin.mean, i, phi, 0);
    for (let r = 0; r < R; r++) {
      let f = 0;
      for (let j = 0; j < M2; j++) f += phi[j] * mix[j * R + r];
      values[i * R + r] = f;
    }
  }
  return sharedFieldBasis(mean, prior, channel, values, R);
}

/** The field skin prior's albedo space: 3 per-channel constants, then R shared-field modes (`values`, V x R). */
function sharedFieldBasis(mean: Float32Array, prior: Float64Array, channel: Int8Array, values: Float32Array, R: number): AlbedoBasis {
  const V = mean.length / 3;
  const basis = new Float32Array(3 * 3 * V);
  for (let c = 0; c < 3; c++) for (let i = 0; i < V; i++) basis[c * 3 * V + 3 * i + c] = 1;
  return { kind: 'skin', size: 3 + R, mean, basis, prior, channel, shared: { start: 3, size: R, colour: Float32Array.from(MEAN_SKIN_ALBEDO), values } };
}

/**
 * The same albedo space with its shared-field modes written into `basis` (all K modes, `shared` unset): for
 * tools that want a plain mode-major basis, and as the per-channel reference the fast paths are tested against.
 */
export function expandSharedField(a: AlbedoBasis): AlbedoBasis {
  const f = a.shared;
  if (!f) return a;
  const V = a.mean.length / 3;
  const basis = new Float32Array(a.size * 3 * V);
  basis.set(a.basis.subarray(0, f.start * 3 * V));
  for (let m = 0; m < f.size; m++) {
    const o = (f.start + m) * 3 * V;
    for (let i = 0; i < V; i++) {
      const v = f.values[i * f.size + m];
      for (let c = 0; c < 3; c++) basis[o + 3 * i + c] = f.colour[c] * v;
    }
  }
  return { kind: a.kind, ...(a.block ? { block: a.block } : {}), size: a.size, mean: a.mean, basis, prior: a.prior, channel: a.channel };
}

/** Wave vectors (M x 3): directions on a Fibonacci sphere, wavelengths on a golden-ratio sequence in [l0, l1] x unit. */
function waveVectors(M: number, l0: number, l1: number, unit: number): Float64Array {
  const golden = (Math.sqrt(5) - 1) / 2;
  const k = new Float64Array(3 * M);
  for (let m = 0; m < M; m++) {
    const dz = 1 - (2 * (m + 0.5)) / M;
    const rho = Math.sqrt(Math.max(0, 1 - dz * dz));
    const phi = Math.PI * (3 - Math.sqrt(5)) * m;
    const lambda = l0 + (l1 - l0) * ((m * golden) % 1);
    const w = (2 * Math.PI) / (lambda * unit);
    k[3 * m] = w * rho * Math.cos(phi);
    k[3 * m + 1] = w * rho * Math.sin(phi);
    k[3 * m + 2] = w * dz;
  }
  return k;
}

/** Sine and cosine of each wave at local vertex `i` of `positions`, written as 2M values from `out[o]`. */
function waveValues(k: Float64Array, positions: Float32Array, i: number, out: Float64Array, o: number): void {
  const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
  for (let m = 0; m < k.length / 3; m++) {
    const t = k[3 * m] * x + k[3 * m + 1] * y + k[3 * m + 2] * z;
    out[o + 2 * m] = Math.sin(t);
    out[o + 2 * m + 1] = Math.cos(t);
  }
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
  const shared = a.shared;
  const own = shared ? shared.start : a.size;
  for (let k = 0; k < own; k++) {
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
  if (shared) {
    const F = shared.size, s0 = shared.start;
    const cf = new Float64Array(F);
    for (let m = 0; m < F; m++) cf[m] = c[s0 + m];
    const vals = shared.values, F4 = F & ~3;
    for (let j = 0; j < n; j++) {
      const o = (idx ? idx[j] : j) * F;
      // Four partial sums: one running sum would wait on each add (this runs over every vertex per render).
      let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
      let m = 0;
      for (; m < F4; m += 4) {
        f0 += cf[m] * vals[o + m];
        f1 += cf[m + 1] * vals[o + m + 1];
        f2 += cf[m + 2] * vals[o + m + 2];
        f3 += cf[m + 3] * vals[o + m + 3];
      }
      for (; m < F; m++) f0 += cf[m] * vals[o + m];
      const f = f0 + f1 + f2 + f3;
      for (let ch = 0; ch < 3; ch++) out[3 * j + ch] += shared.colour[ch] * f;
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
  const shared = a.shared;
  const F = shared ? shared.size : 0;
  const own = K - F;
  // A photometric batch without geometry columns: per sample three rows over the own modes and, for a shared
  // field, one combined row (the same slots `accumulateAppearance` fills for the joint steps).
  const batch = new PhotometricBatch(0, { W: own, F });
  const { x, ga: g, Wp } = batch;
  for (let j = 0; j < vertices.length; j++) {
    const i = vertices[j];
    const w = weights[j];
    if (w === 0) continue;
    const sw = Math.sqrt(w);
    let dShared = 0, gShared = 0;
    if (shared) x.fill(0, batch.xOff, batch.xOff + own);
    for (let c = 0; c < 3; c++) {
      const s = shading[3 * j + c];
      const r = colors[3 * j + c] - s * a.mean[3 * i + c];
      // Shared field: d albedo_c / d f_m = colour_c psi_m.
      const t = shared ? s * shared.colour[c] : 0;
      const ov = batch.vOff + c * Wp;
      x.fill(0, ov, ov + own);
      for (let k = 0; k < own; k++) {
        if (a.channel[k] >= 0 && a.channel[k] !== c) continue;
        const b = a.basis[k * 3 * V + 3 * i + c];
        if (b === 0) continue;
        const v = s * b;
        x[ov + k] = sw * v;
        g[k] += w * v * r;
        if (shared) x[batch.xOff + k] += w * v * t;
      }
      dShared += w * t * t;
      gShared += w * t * r;
    }
    if (shared) {
      const o = i * F;
      for (let q = 0; q < F; q++) {
        const v = shared.values[o + q];
        x[batch.psiOff + q] = v;
        x[batch.dpsiOff + q] = dShared * v;
        g[own + q] += gShared * v;
      }
    }
    batch.commit();
  }
  const h = batch.finish().Haa!;
  symmetrizeUpper(h, K);
  for (let k = 0; k < K; k++) h[k * K + k] += a.prior[k] + 1e-12;
  return solveCholesky(h, g, K) ?? new Float64Array(K);
}
