/**
 * The FaceWarehouse bilinear face model (Cao et al. 2014): `V = C ×2 w_id ×3 w_exp`.
 * @module
 */
import {
  FacekitError,
  addWeightedBasis,
  type FaceModel,
  type FaceTopology,
  type LandmarkEmbedding,
  type LengthUnit,
  type MeshRegion,
  type ParameterBlock,
  type ParameterValues,
} from '@facekit/core';

/**
 * The numbers that define a bilinear model. The core tensor C has the logical shape (3V, I, E) of FaceWarehouse
 * (mode 1 = vertex coordinates, mode 2 = identity, mode 3 = expression), but is stored as I x E contiguous blocks
 * of 3V floats: entry C[n, i, e] lives at `core[(i * E + e) * 3V + n]`. That layout makes the identity
 * contraction a sequence of contiguous axpys and leaves the contracted expression basis mode-major, the layout
 * {@link addWeightedBasis} and every linear face model in facekit use.
 */
export interface BilinearCore {
  /** V, the number of vertices. */
  vertexCount: number;
  /** I, the number of identity weights. */
  identitySize: number;
  /** E, the number of expression weights. */
  expressionSize: number;
  /** I x E x 3V floats (see above for the layout). */
  core: Float32Array;
  /**
   * 3V floats added to every decode, when the tensor was built from centred data (`centre: 'mean'`):
   * `V = mean + C ×2 w_id ×3 w_exp`. Absent for an uncentred (FaceWarehouse-style) model, where the leading
   * identity and expression modes carry the mean face and the plain product is the mesh.
   */
  mean?: Float32Array;
}

/** A per-coefficient Gaussian prior (mean and standard deviation of the training subjects' weights). */
export interface WeightPrior {
  /** Per-coefficient mean. */
  mean: Float32Array;
  /** Per-coefficient standard deviation (> 0). */
  std: Float32Array;
}

/**
 * The expression weights of the training expressions: row x of `weights` (X x E) is the `w_exp` that reproduces
 * training expression x (a row of the HOSVD expression factor U_exp). FaceWarehouse fitters use them to turn
 * blendshape weights `d` (one per training expression, neutral first) into `w_exp = U_exp^T d`.
 */
export interface TrainingExpressions {
  /** X, the number of training expressions. */
  count: number;
  /** X x E, row-major. */
  weights: Float32Array;
  /** Names of the training expressions (e.g. `neutral`, `jawOpen`), when known. */
  labels?: readonly string[];
}

/** Everything except the numbers: naming, units, topology and priors. All optional. */
export interface BilinearModelOptions {
  /** Registry id; default `facewarehouse`. */
  id?: string;
  /** Human-readable name; default `FaceWarehouse bilinear model`. */
  name?: string;
  /** Unit of the decoded coordinates; default `arbitrary` (FaceWarehouse meshes have no stated unit). */
  units?: LengthUnit;
  /** Triangles (F x 3) and optional UVs; default: no triangles. */
  topology?: Partial<FaceTopology>;
  /** Prior of `identity[I]`. Default N(0, 1). */
  identityPrior?: WeightPrior;
  /** Prior of `expression[E]`. Default N(0, 1). */
  expressionPrior?: WeightPrior;
  /** Weights of the training expressions (see {@link TrainingExpressions}). */
  trainingExpressions?: TrainingExpressions;
  landmarks68?: LandmarkEmbedding;
  regions?: Readonly<Record<string, MeshRegion>>;
  /** Licence text to keep with derived data (FaceWarehouse data needs a licence from its authors). */
  attribution?: string;
}

const BLOCKS = new Set(['identity', 'expression']);

/**
 * FaceWarehouse-style bilinear face model: `V = [mean +] C ×2 w_id ×3 w_exp` with parameter blocks
 * `identity[I]` and `expression[E]`.
 *
 * Decoding first contracts the core with `w_id` into an expression basis (E x 3V, cost I·E·3V) and then blends
 * that basis with `w_exp` (cost E·3V). The expression basis is cached: as long as `w_id` is unchanged between
 * decodes (fitters update expression far more often than identity, and trackers fix identity after the first
 * frames) a decode costs only the E·3V blend.
 *
 * Missing blocks are zero, as for every facekit model. Note that an uncentred model decodes all-zero weights to
 * the origin; {@link meanParameters} gives the training mean instead.
 */
export class BilinearFaceModel implements FaceModel {
  readonly id: string;
  readonly name: string;
  readonly units: LengthUnit;
  readonly topology: FaceTopology;
  readonly parameters: readonly ParameterBlock[];
  readonly landmarks68?: LandmarkEmbedding;
  readonly regions?: Readonly<Record<string, MeshRegion>>;
  readonly attribution?: string;
  /** V. */
  readonly vertexCount: number;
  /** I. */
  readonly identitySize: number;
  /** E. */
  readonly expressionSize: number;
  /** I x E x 3V core (layout in {@link BilinearCore}). Treat as read-only: the decode cache depends on it. */
  readonly core: Float32Array;
  /** 3V mean added to every decode (centred models only). */
  readonly mean?: Float32Array;
  readonly identityPrior?: WeightPrior;
  readonly expressionPrior?: WeightPrior;
  readonly trainingExpressions?: TrainingExpressions;

  /** The `w_id` the cached basis was contracted with (zero-padded to I), or null before the first contraction. */
  private cachedIdentity: Float64Array | null = null;
  /** E x 3V expression basis for {@link cachedIdentity}. */
  private readonly basis: Float32Array;
  private contractions = 0;

  /**
   * @param data core tensor and optional mean; the arrays are kept, not copied.
   * @param options naming, units, topology and priors.
   */
  constructor(data: BilinearCore, options: BilinearModelOptions = {}) {
    const { vertexCount: v, identitySize: ni, expressionSize: ne } = data;
    for (const [k, x] of [['vertexCount', v], ['identitySize', ni], ['expressionSize', ne]] as const) {
      if (!Number.isInteger(x) || x <= 0) throw new RangeError(`${k} must be a positive integer, got ${x}`);
    }
    const n = 3 * v;
    if (data.core.length !== ni * ne * n) {
      throw new RangeError(`core holds ${data.core.length} floats, expected I*E*3V = ${ni}*${ne}*${n} = ${ni * ne * n}`);
    }
    if (data.mean && data.mean.length !== n) throw new RangeError(`mean holds ${data.mean.length} floats, expected 3V = ${n}`);
    checkPrior('identityPrior', options.identityPrior, ni);
    checkPrior('expressionPrior', options.expressionPrior, ne);
    const tx = options.trainingExpressions;
    if (tx && tx.weights.length !== tx.count * ne) {
      throw new RangeError(`trainingExpressions.weights holds ${tx.weights.length} floats, expected ${tx.count} x ${ne}`);
    }
    this.vertexCount = v;
    this.identitySize = ni;
    this.expressionSize = ne;
    this.core = data.core;
    this.mean = data.mean;
    this.id = options.id ?? 'facewarehouse';
    this.name = options.name ?? 'FaceWarehouse bilinear model';
    this.units = options.units ?? 'arbitrary';
    this.topology = {
      vertexCount: v,
      triangles: options.topology?.triangles ?? new Uint32Array(0),
      ...(options.topology?.uvs ? { uvs: options.topology.uvs } : {}),
      ...(options.topology?.uvTriangles ? { uvTriangles: options.topology.uvTriangles } : {}),
    };
    this.identityPrior = options.identityPrior;
    this.expressionPrior = options.expressionPrior;
    this.trainingExpressions = tx;
    this.landmarks68 = options.landmarks68;
    this.regions = options.regions;
    this.attribution = options.attribution;
    this.parameters = [
      {
        name: 'identity',
        size: ni,
        prior: options.identityPrior ? { mean: options.identityPrior.mean, std: options.identityPrior.std } : { mean: 0, std: 1 },
        description: 'identity weights w_id (mode 2 of the core tensor)',
      },
      {
        name: 'expression',
        size: ne,
        prior: options.expressionPrior ? { mean: options.expressionPrior.mean, std: options.expressionPrior.std } : { mean: 0, std: 1 },
        description: 'expression weights w_exp (mode 3 of the core tensor)',
      },
    ];
    this.basis = new Float32Array(ne * n);
  }

  /** How many times the core has been contracted with a new `w_id` (the cache's misses); for tests and profiling. */
  get identityContractions(): number {
    return this.contractions;
  }

  /**
   * Decodes `{ identity, expression }` to V x 3 positions. Unknown block names and over-long blocks throw.
   *
   * @param params `identity` (<= I values) and `expression` (<= E values); missing or short blocks are zero-padded.
   * @param out optional V x 3 output (3V floats), written in place.
   * @returns the 3V positions.
   */
  decode(params: ParameterValues, out?: Float32Array): Float32Array {
    for (const key of Object.keys(params)) {
      if (!BLOCKS.has(key)) {
        throw new FacekitError('ERR_PARAMETER_BLOCK', `${this.id}: unknown parameter block "${key}"; this model has identity[${this.identitySize}] and expression[${this.expressionSize}]`);
      }
    }
    return this.decodeWeights(params.identity ?? [], params.expression ?? [], out);
  }

  /**
   * Decodes explicit weight vectors (the same as {@link decode} without the block lookup).
   *
   * @param identity w_id, <= I values.
   * @param expression w_exp, <= E values.
   * @param out optional 3V output.
   */
  decodeWeights(identity: ArrayLike<number>, expression: ArrayLike<number>, out?: Float32Array): Float32Array {
    const n = 3 * this.vertexCount;
    checkLength('expression', expression, this.expressionSize);
    const result = out ?? new Float32Array(n);
    if (result.length !== n) throw new RangeError(`out holds ${result.length} floats, expected 3V = ${n}`);
    const basis = this.expressionBasis(identity);
    if (this.mean) result.set(this.mean);
    else result.fill(0);
    addWeightedBasis(result, basis, expression, n);
    return result;
  }

  /**
   * The expression basis `C ×2 w_id` (E x 3V, mode-major: expression e is `basis[e*3V .. (e+1)*3V)`), from the
   * cache when `identity` equals the previous call's. The returned array is the cache itself: read it, do not
   * keep it across calls with another identity, and do not modify it.
   *
   * @param identity w_id, <= I values (zero-padded).
   */
  expressionBasis(identity: ArrayLike<number>): Float32Array {
    checkLength('identity', identity, this.identitySize);
    const ni = this.identitySize;
    const cached = this.cachedIdentity;
    let same = cached !== null;
    for (let i = 0; same && i < ni; i++) if (cached![i] !== (i < identity.length ? +identity[i] : 0)) same = false;
    if (same) return this.basis;
    const w = new Float64Array(ni);
    for (let i = 0; i < identity.length; i++) w[i] = identity[i];
    contractIdentity(this.core, ni, this.expressionSize, 3 * this.vertexCount, w, this.basis);
    this.cachedIdentity = w;
    this.contractions++;
    return this.basis;
  }

  /**
   * The identity basis `C ×3 w_exp` (I x 3V, mode-major): with expression fixed the model is linear in w_id.
   * Not cached (fitters call it with a new expression each time).
   *
   * @param expression w_exp, <= E values.
   * @param out optional I x 3V output.
   */
  identityBasis(expression: ArrayLike<number>, out?: Float32Array): Float32Array {
    checkLength('expression', expression, this.expressionSize);
    const ni = this.identitySize;
    const ne = this.expressionSize;
    const n = 3 * this.vertexCount;
    const result = out ?? new Float32Array(ni * n);
    if (result.length !== ni * n) throw new RangeError(`out holds ${result.length} floats, expected I x 3V = ${ni * n}`);
    result.fill(0);
    for (let i = 0; i < ni; i++) {
      const dst = result.subarray(i * n, (i + 1) * n);
      addWeightedBasis(dst, this.core.subarray(i * ne * n, (i + 1) * ne * n), expression, n);
    }
    return result;
  }

  /** The prior means of both blocks (zeros where no prior was given): the "average training face". */
  meanParameters(): { identity: Float32Array; expression: Float32Array } {
    return {
      identity: this.identityPrior ? Float32Array.from(this.identityPrior.mean) : new Float32Array(this.identitySize),
      expression: this.expressionPrior ? Float32Array.from(this.expressionPrior.mean) : new Float32Array(this.expressionSize),
    };
  }

  /**
   * Turns per-training-expression weights `d` (X values, e.g. one-hot for training expression x, or FaceWarehouse
   * blendshape weights with the neutral first) into `w_exp = sum_x d[x] * U_exp[x, :]`.
   *
   * @param d X weights, one per training expression.
   * @returns E expression weights.
   */
  expressionWeightsFromTraining(d: ArrayLike<number>): Float32Array {
    const tx = this.trainingExpressions;
    if (!tx) throw new FacekitError('ERR_NO_TRAINING_EXPRESSIONS', `${this.id}: the model carries no training-expression weights (build it with buildBilinearModel or load a file that has them)`);
    checkLength('d', d, tx.count);
    const ne = this.expressionSize;
    const w = new Float64Array(ne);
    for (let x = 0; x < d.length; x++) {
      const dx = d[x];
      if (dx === 0) continue;
      for (let e = 0; e < ne; e++) w[e] += dx * tx.weights[x * ne + e];
    }
    return Float32Array.from(w);
  }

  /**
   * The model with only the leading `identitySize` x `expressionSize` block of the core (and of the priors and
   * training weights). For a core built by HOSVD this is exactly the lower-rank truncation, because the modes are
   * ordered by decreasing singular value and the factor matrices are orthonormal.
   *
   * @param identitySize I' <= I.
   * @param expressionSize E' <= E.
   */
  truncated(identitySize: number, expressionSize: number): BilinearFaceModel {
    const ni = this.identitySize;
    const ne = this.expressionSize;
    if (!Number.isInteger(identitySize) || identitySize < 1 || identitySize > ni) throw new RangeError(`identitySize must be in 1..${ni}, got ${identitySize}`);
    if (!Number.isInteger(expressionSize) || expressionSize < 1 || expressionSize > ne) throw new RangeError(`expressionSize must be in 1..${ne}, got ${expressionSize}`);
    const n = 3 * this.vertexCount;
    const core = new Float32Array(identitySize * expressionSize * n);
    for (let i = 0; i < identitySize; i++) {
      core.set(this.core.subarray(i * ne * n, (i * ne + expressionSize) * n), i * expressionSize * n);
    }
    const slicePrior = (p: WeightPrior | undefined, k: number): WeightPrior | undefined =>
      p && { mean: p.mean.slice(0, k), std: p.std.slice(0, k) };
    let trainingExpressions: TrainingExpressions | undefined;
    const tx = this.trainingExpressions;
    if (tx) {
      const weights = new Float32Array(tx.count * expressionSize);
      for (let x = 0; x < tx.count; x++) weights.set(tx.weights.subarray(x * ne, x * ne + expressionSize), x * expressionSize);
      trainingExpressions = { count: tx.count, weights, ...(tx.labels ? { labels: tx.labels } : {}) };
    }
    return new BilinearFaceModel(
      { vertexCount: this.vertexCount, identitySize, expressionSize, core, ...(this.mean ? { mean: this.mean } : {}) },
      {
        id: this.id,
        name: this.name,
        units: this.units,
        topology: this.topology,
        identityPrior: slicePrior(this.identityPrior, identitySize),
        expressionPrior: slicePrior(this.expressionPrior, expressionSize),
        trainingExpressions,
        landmarks68: this.landmarks68,
        regions: this.regions,
        attribution: this.attribution,
      },
    );
  }
}

/**
 * `basis[e, :] = sum_i w[i] * core[i, e, :]` for the identity-major layout. For each expression the identities
 * are taken eight (then four, then one) at a time, so each basis value is loaded and stored once per eight
 * multiply-adds: the loop is bound by memory traffic, and this cut the 11510-vertex 50 x 25 contraction from
 * ~110 ms (one identity per pass) to ~37 ms. Zero weights are dropped first, so a sparse or one-hot w_id costs
 * proportionally less.
 */
function contractIdentity(core: Float32Array, ni: number, ne: number, n: number, w: Float64Array, basis: Float32Array): void {
  basis.fill(0);
  const active: number[] = [];
  for (let i = 0; i < ni; i++) if (w[i] !== 0) active.push(i);
  const na = active.length;
  for (let e = 0; e < ne; e++) {
    const dst = e * n;
    let a = 0;
    for (; a + 7 < na; a += 8) {
      const w0 = w[active[a]], w1 = w[active[a + 1]], w2 = w[active[a + 2]], w3 = w[active[a + 3]];
      const w4 = w[active[a + 4]], w5 = w[active[a + 5]], w6 = w[active[a + 6]], w7 = w[active[a + 7]];
      const s0 = (active[a] * ne + e) * n, s1 = (active[a + 1] * ne + e) * n, s2 = (active[a + 2] * ne + e) * n, s3 = (active[a + 3] * ne + e) * n;
      const s4 = (active[a + 4] * ne + e) * n, s5 = (active[a + 5] * ne + e) * n, s6 = (active[a + 6] * ne + e) * n, s7 = (active[a + 7] * ne + e) * n;
      for (let k = 0; k < n; k++) {
        basis[dst + k] += w0 * core[s0 + k] + w1 * core[s1 + k] + w2 * core[s2 + k] + w3 * core[s3 + k] + w4 * core[s4 + k] + w5 * core[s5 + k] + w6 * core[s6 + k] + w7 * core[s7 + k];
      }
    }
    for (; a + 3 < na; a += 4) {
      const i0 = active[a];
      const i1 = active[a + 1];
      const i2 = active[a + 2];
      const i3 = active[a + 3];
      const w0 = w[i0];
      const w1 = w[i1];
      const w2 = w[i2];
      const w3 = w[i3];
      const s0 = (i0 * ne + e) * n;
      const s1 = (i1 * ne + e) * n;
      const s2 = (i2 * ne + e) * n;
      const s3 = (i3 * ne + e) * n;
      for (let k = 0; k < n; k++) basis[dst + k] += w0 * core[s0 + k] + w1 * core[s1 + k] + w2 * core[s2 + k] + w3 * core[s3 + k];
    }
    for (; a < na; a++) {
      const i = active[a];
      const wi = w[i];
      const src = (i * ne + e) * n;
      for (let k = 0; k < n; k++) basis[dst + k] += wi * core[src + k];
    }
  }
}

function checkLength(name: string, values: ArrayLike<number>, size: number): void {
  if (values.length > size) {
    throw new FacekitError('ERR_PARAMETER_SIZE', `parameter block "${name}" has ${values.length} values, the model takes at most ${size}`);
  }
}

function checkPrior(name: string, prior: WeightPrior | undefined, size: number): void {
  if (!prior) return;
  if (prior.mean.length !== size || prior.std.length !== size) {
    throw new RangeError(`${name} has ${prior.mean.length} means and ${prior.std.length} stds, expected ${size} of each`);
  }
}
