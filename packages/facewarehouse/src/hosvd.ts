/**
 * Building a bilinear core tensor from per-subject expression meshes by truncated higher-order SVD
 * (Tucker decomposition), as FaceWarehouse does: `C = T ×2 U_id^T ×3 U_exp^T`.
 * @module
 */
import { BilinearFaceModel, type BilinearModelOptions, type WeightPrior } from './bilinear-model.js';
import { dot32, symmetricEigen } from './linalg.js';

/**
 * The data tensor: S subjects x X expressions, each a mesh of V vertices with the same topology.
 * `positions` is subject-major: mesh (s, x) is `positions[(s * X + x) * 3V .. +3V)` (x, y, z interleaved).
 */
export interface ExpressionTensor {
  /** S. */
  subjects: number;
  /** X. */
  expressions: number;
  /** V. */
  vertexCount: number;
  /** S x X x 3V floats. */
  positions: Float32Array;
  /** X names (`neutral`, `jawOpen`, ...), carried into the model's training-expression labels. */
  expressionLabels?: readonly string[];
}

/**
 * How the data is centred before the decomposition.
 * - `none`: FaceWarehouse's choice. The raw meshes are decomposed; the leading identity and expression modes
 *   carry the mean face and the model is the pure product `V = C ×2 w_id ×3 w_exp`.
 * - `mean`: the grand mean mesh (over all S·X meshes) is subtracted and stored in the model, which then decodes
 *   `V = mean + C ×2 w_id ×3 w_exp`. The modes then describe variation only, which makes truncation errors and
 *   priors easier to read; the model is still bilinear in the weights.
 */
export type Centring = 'none' | 'mean';

/** Coordinates per pass of the Gram and core loops: small enough that a chunk of every mesh stays in cache. */
const CHUNK = 256;

/** Options of {@link tuckerDecompose}. */
export interface TuckerOptions {
  /** Identity modes to compute the core for (<= S). Default S. */
  identityRank?: number;
  /** Expression modes to compute the core for (<= X). Default X. */
  expressionRank?: number;
  /** Default `none` (FaceWarehouse). */
  centre?: Centring;
}

/** One line of a truncation report. */
export interface TruncationError {
  /** I. */
  identityRank: number;
  /** E. */
  expressionRank: number;
  /** RMS over all training vertices of the Euclidean reconstruction error, in the data's units. */
  rms: number;
}

/**
 * The result of a truncated HOSVD. Factors are complete (S x S, X x X); the core is computed for the leading
 * `identityRank` x `expressionRank` modes. Any smaller truncation is a leading sub-block of it, and its training
 * error follows exactly from the core's block norms (the factors are orthonormal, so the discarded energy is the
 * energy of the discarded core entries).
 */
export interface TuckerDecomposition {
  /** S. */
  readonly subjects: number;
  /** X. */
  readonly expressions: number;
  /** V. */
  readonly vertexCount: number;
  /** Identity modes held in {@link core}. */
  readonly identityRank: number;
  /** Expression modes held in {@link core}. */
  readonly expressionRank: number;
  readonly centre: Centring;
  /** 3V grand mean, when `centre` is `mean`. */
  readonly mean?: Float32Array;
  /** U_id, S x S row-major: row s holds subject s's identity weights. */
  readonly identityFactor: Float64Array;
  /** U_exp, X x X row-major: row x holds expression x's weights. */
  readonly expressionFactor: Float64Array;
  /** Eigenvalues of the mode-2 Gram matrix (squared singular values), descending. */
  readonly identityEigenvalues: Float64Array;
  /** Eigenvalues of the mode-3 Gram matrix, descending. */
  readonly expressionEigenvalues: Float64Array;
  /** identityRank x expressionRank x 3V core (layout of {@link BilinearFaceModel.core}). */
  readonly core: Float32Array;
  /** Squared Frobenius norm of the (centred) data tensor. */
  readonly dataSquaredNorm: number;
  /** identityRank x expressionRank squared norms of the core's 3V fibres, computed in double precision. */
  readonly blockSquaredNorms: Float64Array;
  /** Training RMS per vertex of the (I, E) truncation (I <= identityRank, E <= expressionRank). */
  trainingError(identityRank: number, expressionRank: number): number;
  /** The bilinear model of the (I, E) truncation, priors from the training subjects' and expressions' weights. */
  toModel(identityRank?: number, expressionRank?: number, options?: BilinearModelOptions): BilinearFaceModel;
}

/**
 * Truncated HOSVD of an S x X x 3V expression tensor.
 *
 * The identity and expression factors are the eigenvectors of the small Gram matrices of the mode-2 and mode-3
 * unfoldings (S x S and X x X), never an SVD of a 3V-wide matrix: for FaceWarehouse (150 x 47 x 34530) those are
 * a 150 x 150 and a 47 x 47 eigenproblem. The core is then `C = T ×2 U_id^T ×3 U_exp^T`, computed one identity
 * slice at a time (an X x 3V double buffer) so the peak memory is the input plus the core.
 *
 * Cost: S²·X·3V/2 + X²·S·3V/2 for the Grams and I·S·X·3V + I·E·X·3V for the core.
 *
 * @param data the S x X x 3V tensor (not modified).
 * @param options ranks and centring.
 */
export function tuckerDecompose(data: ExpressionTensor, options: TuckerOptions = {}): TuckerDecomposition {
  const { subjects: ns, expressions: nx, vertexCount: v } = data;
  const n = 3 * v;
  if (!Number.isInteger(ns) || ns < 1 || !Number.isInteger(nx) || nx < 1 || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`subjects, expressions and vertexCount must be positive integers, got ${ns}, ${nx}, ${v}`);
  }
  if (data.positions.length !== ns * nx * n) {
    throw new RangeError(`positions holds ${data.positions.length} floats, expected S*X*3V = ${ns}*${nx}*${n} = ${ns * nx * n}`);
  }
  if (data.expressionLabels && data.expressionLabels.length !== nx) {
    throw new RangeError(`expressionLabels has ${data.expressionLabels.length} names for ${nx} expressions`);
  }
  const ir = options.identityRank ?? ns;
  const er = options.expressionRank ?? nx;
  if (!Number.isInteger(ir) || ir < 1 || ir > ns) throw new RangeError(`identityRank must be in 1..${ns} (the number of subjects), got ${ir}`);
  if (!Number.isInteger(er) || er < 1 || er > nx) throw new RangeError(`expressionRank must be in 1..${nx} (the number of expressions), got ${er}`);
  const centre = options.centre ?? 'none';

  let t = data.positions;
  let mean: Float32Array | undefined;
  if (centre === 'mean') {
    const acc = new Float64Array(n);
    for (let m = 0; m < ns * nx; m++) for (let k = 0; k < n; k++) acc[k] += t[m * n + k];
    mean = new Float32Array(n);
    for (let k = 0; k < n; k++) mean[k] = acc[k] / (ns * nx);
    // The centred copy costs one more tensor of memory but keeps every later loop a plain streaming pass.
    const c = new Float32Array(t.length);
    for (let m = 0; m < ns * nx; m++) for (let k = 0; k < n; k++) c[m * n + k] = t[m * n + k] - mean[k];
    t = c;
  }

  // Both Gram matrices in one pass over coordinate chunks, so the S·X rows of a chunk stay in cache while every
  // pair of them is dotted: G_id[s, r] = sum_x T[s,x,:]·T[r,x,:], G_exp[x, y] = sum_s T[s,x,:]·T[s,y,:].
  const gid = new Float64Array(ns * ns);
  const gexp = new Float64Array(nx * nx);
  for (let k0 = 0; k0 < n; k0 += CHUNK) {
    const len = Math.min(CHUNK, n - k0);
    for (let s = 0; s < ns; s++) {
      for (let r = 0; r <= s; r++) {
        let acc = 0;
        for (let x = 0; x < nx; x++) acc += dot32(t, (s * nx + x) * n + k0, t, (r * nx + x) * n + k0, len);
        gid[s * ns + r] += acc;
      }
    }
    for (let x = 0; x < nx; x++) {
      for (let y = 0; y <= x; y++) {
        let acc = 0;
        for (let s = 0; s < ns; s++) acc += dot32(t, (s * nx + x) * n + k0, t, (s * nx + y) * n + k0, len);
        gexp[x * nx + y] += acc;
      }
    }
  }
  for (let s = 0; s < ns; s++) for (let r = 0; r < s; r++) gid[r * ns + s] = gid[s * ns + r];
  for (let x = 0; x < nx; x++) for (let y = 0; y < x; y++) gexp[y * nx + x] = gexp[x * nx + y];
  let dataSquaredNorm = 0;
  for (let s = 0; s < ns; s++) dataSquaredNorm += gid[s * ns + s];

  const id = symmetricEigen(gid, ns);
  const ex = symmetricEigen(gexp, nx);
  const uid = id.vectors;
  const uexp = ex.vectors;

  // Core, one coordinate chunk at a time (cache-resident temporaries):
  // A[i, x, :] = sum_s U_id[s, i] T[s, x, :], then C[i, e, :] = sum_x U_exp[x, e] A[i, x, :], in double precision.
  const core = new Float32Array(ir * er * n);
  const blockSquaredNorms = new Float64Array(ir * er);
  const a = new Float64Array(ir * nx * CHUNK);
  const block = new Float64Array(CHUNK);
  for (let k0 = 0; k0 < n; k0 += CHUNK) {
    const len = Math.min(CHUNK, n - k0);
    a.fill(0);
    // Four subjects per pass: one load/store of the accumulator per four multiply-adds.
    for (let i = 0; i < ir; i++) {
      for (let x = 0; x < nx; x++) {
        const dst = (i * nx + x) * CHUNK;
        let s = 0;
        for (; s + 3 < ns; s += 4) {
          const w0 = uid[s * ns + i];
          const w1 = uid[(s + 1) * ns + i];
          const w2 = uid[(s + 2) * ns + i];
          const w3 = uid[(s + 3) * ns + i];
          const s0 = (s * nx + x) * n + k0;
          const s1 = s0 + nx * n;
          const s2 = s1 + nx * n;
          const s3 = s2 + nx * n;
          for (let k = 0; k < len; k++) a[dst + k] += w0 * t[s0 + k] + w1 * t[s1 + k] + w2 * t[s2 + k] + w3 * t[s3 + k];
        }
        for (; s < ns; s++) {
          const w = uid[s * ns + i];
          const src = (s * nx + x) * n + k0;
          for (let k = 0; k < len; k++) a[dst + k] += w * t[src + k];
        }
      }
    }
    for (let i = 0; i < ir; i++) {
      for (let e = 0; e < er; e++) {
        block.fill(0);
        let x = 0;
        for (; x + 3 < nx; x += 4) {
          const w0 = uexp[x * nx + e];
          const w1 = uexp[(x + 1) * nx + e];
          const w2 = uexp[(x + 2) * nx + e];
          const w3 = uexp[(x + 3) * nx + e];
          const s0 = (i * nx + x) * CHUNK;
          for (let k = 0; k < len; k++) {
            block[k] += w0 * a[s0 + k] + w1 * a[s0 + CHUNK + k] + w2 * a[s0 + 2 * CHUNK + k] + w3 * a[s0 + 3 * CHUNK + k];
          }
        }
        for (; x < nx; x++) {
          const w = uexp[x * nx + e];
          const src = (i * nx + x) * CHUNK;
          for (let k = 0; k < len; k++) block[k] += w * a[src + k];
        }
        let sq = 0;
        const dst = (i * er + e) * n + k0;
        for (let k = 0; k < len; k++) {
          sq += block[k] * block[k];
          core[dst + k] = block[k];
        }
        blockSquaredNorms[i * er + e] += sq;
      }
    }
  }

  const labels = data.expressionLabels;
  const decomposition: TuckerDecomposition = {
    subjects: ns,
    expressions: nx,
    vertexCount: v,
    identityRank: ir,
    expressionRank: er,
    centre,
    ...(mean ? { mean } : {}),
    identityFactor: uid,
    expressionFactor: uexp,
    identityEigenvalues: id.values,
    expressionEigenvalues: ex.values,
    core,
    dataSquaredNorm,
    blockSquaredNorms,
    trainingError(I: number, E: number): number {
      checkRanks(I, E, ir, er);
      let kept = 0;
      for (let i = 0; i < I; i++) for (let e = 0; e < E; e++) kept += blockSquaredNorms[i * er + e];
      // Orthonormal factors: ||T - T_IE||² = ||T||² - ||C_IE||². Clamp the round-off of a full-rank truncation.
      return Math.sqrt(Math.max(0, dataSquaredNorm - kept) / (ns * nx * v));
    },
    toModel(I: number = ir, E: number = er, modelOptions: BilinearModelOptions = {}): BilinearFaceModel {
      checkRanks(I, E, ir, er);
      const sub = new Float32Array(I * E * n);
      for (let i = 0; i < I; i++) sub.set(core.subarray(i * er * n, (i * er + E) * n), i * E * n);
      const trainingWeights = new Float32Array(nx * E);
      for (let x = 0; x < nx; x++) for (let e = 0; e < E; e++) trainingWeights[x * E + e] = uexp[x * nx + e];
      return new BilinearFaceModel(
        { vertexCount: v, identitySize: I, expressionSize: E, core: sub, ...(mean ? { mean } : {}) },
        {
          identityPrior: rowStatistics(uid, ns, ns, I),
          expressionPrior: rowStatistics(uexp, nx, nx, E),
          trainingExpressions: { count: nx, weights: trainingWeights, ...(labels ? { labels: [...labels] } : {}) },
          ...modelOptions,
        },
      );
    },
  };
  return decomposition;
}

/** Options of {@link buildBilinearModel}: the decomposition's plus the model's, and the report grid. */
export interface BuildOptions extends BilinearModelOptions {
  /** I; default min(S, 50) as FaceWarehouse. */
  identityRank?: number;
  /** E; default min(X, 25) as FaceWarehouse. */
  expressionRank?: number;
  /** Default `none` (FaceWarehouse). */
  centre?: Centring;
  /** Identity ranks of the training-error report; default a few values up to I. */
  reportIdentityRanks?: readonly number[];
  /** Expression ranks of the training-error report; default a few values up to E. */
  reportExpressionRanks?: readonly number[];
}

/** Result of {@link buildBilinearModel}. */
export interface BuildResult {
  model: BilinearFaceModel;
  decomposition: TuckerDecomposition;
  /** Training RMS per vertex at each (I, E) of the report grid. */
  errors: TruncationError[];
}

/**
 * Builds a FaceWarehouse-style bilinear model from an S x X x 3V tensor: truncated HOSVD to (I, E) (default
 * min(S, 50) x min(X, 25)), priors from the mean and standard deviation (population, over the training
 * subjects/expressions) of the rows of U_id and U_exp, and a training-error report over a grid of truncations.
 *
 * @param data the expression tensor.
 * @param options ranks, centring, report grid and model options.
 */
export function buildBilinearModel(data: ExpressionTensor, options: BuildOptions = {}): BuildResult {
  const { identityRank, expressionRank, centre, reportIdentityRanks, reportExpressionRanks, ...modelOptions } = options;
  const I = identityRank ?? Math.min(data.subjects, 50);
  const E = expressionRank ?? Math.min(data.expressions, 25);
  const decomposition = tuckerDecompose(data, { identityRank: I, expressionRank: E, centre });
  const grid = (given: readonly number[] | undefined, max: number): number[] =>
    [...new Set(given ?? [1, 2, 5, 10, 25, 50, max])].filter((r) => r >= 1 && r <= max).sort((a, b) => a - b);
  const errors: TruncationError[] = [];
  for (const i of grid(reportIdentityRanks, I)) {
    for (const e of grid(reportExpressionRanks, E)) errors.push({ identityRank: i, expressionRank: e, rms: decomposition.trainingError(i, e) });
  }
  return { model: decomposition.toModel(I, E, modelOptions), decomposition, errors };
}

/**
 * Packs S x X meshes (each 3V floats) into an {@link ExpressionTensor}.
 *
 * @param meshes meshes[s][x], all of the same length 3V.
 * @param expressionLabels optional X names.
 */
export function stackExpressionMeshes(meshes: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>, expressionLabels?: readonly string[]): ExpressionTensor {
  const ns = meshes.length;
  const nx = ns ? meshes[0].length : 0;
  const n = nx ? meshes[0][0].length : 0;
  if (!ns || !nx || !n || n % 3 !== 0) throw new RangeError('meshes must be a non-empty S x X array of 3V-float meshes');
  const positions = new Float32Array(ns * nx * n);
  meshes.forEach((row, s) => {
    if (row.length !== nx) throw new RangeError(`subject ${s} has ${row.length} expressions, expected ${nx}`);
    row.forEach((mesh, x) => {
      if (mesh.length !== n) throw new RangeError(`mesh (${s}, ${x}) has ${mesh.length} floats, expected ${n}`);
      positions.set(mesh, (s * nx + x) * n);
    });
  });
  return { subjects: ns, expressions: nx, vertexCount: n / 3, positions, ...(expressionLabels ? { expressionLabels } : {}) };
}

function checkRanks(I: number, E: number, ir: number, er: number): void {
  if (!Number.isInteger(I) || I < 1 || I > ir) throw new RangeError(`identity rank must be in 1..${ir} (the decomposition's), got ${I}`);
  if (!Number.isInteger(E) || E < 1 || E > er) throw new RangeError(`expression rank must be in 1..${er} (the decomposition's), got ${E}`);
}

/** Mean and population standard deviation of the first `cols` columns over the rows of a rows x stride matrix. */
function rowStatistics(m: Float64Array, rows: number, stride: number, cols: number): WeightPrior {
  const mean = new Float32Array(cols);
  const std = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += m[r * stride + c];
    const mu = s / rows;
    let q = 0;
    for (let r = 0; r < rows; r++) q += (m[r * stride + c] - mu) ** 2;
    mean[c] = mu;
    // A single training sample (or a constant column) has no spread; keep std positive so fitters can divide.
    std[c] = Math.max(Math.sqrt(q / rows), 1e-6);
  }
  return { mean, std };
}
