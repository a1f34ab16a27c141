/**
 * Fitting a bilinear model to meshes by alternating least squares: one shared identity `w_id` and one
 * expression `w_exp[k]` per target mesh.
 * @module
 */
import { choleskyFactor, choleskySubstitute } from '@facekit/core';
import type { BilinearFaceModel } from './bilinear-model.js';
import { dot32 } from './linalg.js';

/** Options of {@link fitBilinear} and {@link BilinearFitContext.fit}. */
export interface BilinearFitOptions {
  /** Maximum ALS sweeps (one expression step + one identity step each). Default 30. */
  iterations?: number;
  /** Stop when a sweep lowers the objective by less than this fraction. Default 1e-7. */
  tolerance?: number;
  /**
   * Weight of the identity prior term `sum_i ((w_i - mean_i) / std_i)²` (model's prior, else N(0, 1)).
   * Default 0: a plain least-squares projection.
   */
  identityRegularization?: number;
  /** Weight of the expression prior term, summed over targets. Default 0. */
  expressionRegularization?: number;
  /** Starting `w_id`; default the identity prior mean (or the first identity mode when that mean is ~0). */
  initialIdentity?: ArrayLike<number>;
}

/** Result of a fit. */
export interface BilinearFitResult {
  /** w_id (I). */
  identity: Float32Array;
  /** One w_exp (E) per target. */
  expressions: Float32Array[];
  /** RMS per vertex (Euclidean) over the fitted vertices and targets, in model units. */
  rms: number;
  /** ALS sweeps done. */
  iterations: number;
  /** Objective (sum of squared residuals + prior terms) after each sweep. */
  history: number[];
}

/**
 * The least-squares systems of the two ALS steps. Two implementations: `direct` streams the (restricted) core
 * per step, `gram` precomputes the core's Gram matrix once so a sweep no longer depends on the vertex count.
 */
interface AlsSystems {
  /** H = B B^T (E x E) and g_k = B r_k for B = C ×2 w_id. */
  expression(wid: Float64Array, h: Float64Array, g: Float64Array[]): void;
  /** H = sum_k A_k A_k^T (I x I) and g = sum_k A_k r_k for A_k = C ×3 w_k. */
  identity(wexp: Float64Array[], h: Float64Array, g: Float64Array): void;
  /** sum_k ||r_k - C ×2 w_id ×3 w_k||². */
  residual(wid: Float64Array, wexp: Float64Array[]): number;
}

/**
 * A model restricted to some vertices, with (optionally) its core Gram matrix precomputed, ready to fit many
 * target sets. Build one when you fit many targets or many subjects against the same model: the Gram matrix
 * costs (I·E)²·3V'/2 once, after which an ALS sweep costs O(I²E² + K·I·E) whatever the vertex count.
 */
export class BilinearFitContext {
  readonly model: BilinearFaceModel;
  /** Coordinate indices (into 3V) the fit uses: 3 per selected vertex. */
  readonly coordinates: Uint32Array;
  /** I x E x 3V' core restricted to {@link coordinates}. */
  readonly core: Float32Array;
  /** The model mean restricted to {@link coordinates}, or null. */
  readonly mean: Float32Array | null;
  /** (I·E) x (I·E) Gram matrix of the restricted core's fibres, or null until {@link withGram}. Read-only. */
  gram: Float64Array | null = null;
  /** The context this one was truncated from (projections of targets are computed there once and sliced). */
  private root: BilinearFitContext | null = null;
  /** Per target set (by array identity): residual targets, their squared norms and projections on the core. */
  private prepared = new WeakMap<readonly Float32Array[], PreparedTargets>();

  /**
   * @param model the model to fit.
   * @param vertices vertex indices to fit on (default all): a sparse subset keeps fits cheap on dense meshes.
   */
  constructor(model: BilinearFaceModel, vertices?: ArrayLike<number>) {
    this.model = model;
    const v = model.vertexCount;
    const sel = vertices ? Array.from(vertices) : null;
    if (sel) for (const i of sel) if (!Number.isInteger(i) || i < 0 || i >= v) throw new RangeError(`vertex index ${i} is out of range 0..${v - 1}`);
    const nv = sel ? sel.length : v;
    const coords = new Uint32Array(3 * nv);
    for (let j = 0; j < nv; j++) {
      const vi = sel ? sel[j] : j;
      coords[3 * j] = 3 * vi;
      coords[3 * j + 1] = 3 * vi + 1;
      coords[3 * j + 2] = 3 * vi + 2;
    }
    this.coordinates = coords;
    const n = 3 * v;
    const m = coords.length;
    const blocks = model.identitySize * model.expressionSize;
    if (sel) {
      this.core = new Float32Array(blocks * m);
      for (let b = 0; b < blocks; b++) for (let k = 0; k < m; k++) this.core[b * m + k] = model.core[b * n + coords[k]];
      this.mean = model.mean ? Float32Array.from(coords, (c) => model.mean![c]) : null;
    } else {
      this.core = model.core;
      this.mean = model.mean ?? null;
    }
  }

  /** Computes (once) the Gram matrix of the restricted core; returns this context. */
  withGram(): this {
    if (this.gram) return this;
    const b = this.model.identitySize * this.model.expressionSize;
    const m = this.coordinates.length;
    const c = this.core;
    const g = new Float64Array(b * b);
    for (let p = 0; p < b; p++) {
      const po = p * m;
      let q = 0;
      // Four fibres against one per pass: fibre p is loaded once for four dot products.
      for (; q + 3 <= p; q += 4) {
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        const q0 = q * m;
        for (let k = 0; k < m; k++) {
          const x = c[po + k];
          d0 += x * c[q0 + k];
          d1 += x * c[q0 + m + k];
          d2 += x * c[q0 + 2 * m + k];
          d3 += x * c[q0 + 3 * m + k];
        }
        g[p * b + q] = g[q * b + p] = d0;
        g[p * b + q + 1] = g[(q + 1) * b + p] = d1;
        g[p * b + q + 2] = g[(q + 2) * b + p] = d2;
        g[p * b + q + 3] = g[(q + 3) * b + p] = d3;
      }
      for (; q <= p; q++) g[p * b + q] = g[q * b + p] = dot32(c, po, c, q * m, m);
    }
    this.gram = g;
    return this;
  }

  /**
   * The context of the model truncated to its leading (I', E') block (see {@link BilinearFaceModel.truncated});
   * the Gram matrix, when present, is sliced rather than recomputed.
   */
  truncated(identitySize: number, expressionSize: number): BilinearFitContext {
    const model = this.model.truncated(identitySize, expressionSize);
    const ctx = Object.create(BilinearFitContext.prototype) as BilinearFitContext;
    const ne = this.model.expressionSize;
    const m = this.coordinates.length;
    const core = new Float32Array(identitySize * expressionSize * m);
    for (let i = 0; i < identitySize; i++) core.set(this.core.subarray(i * ne * m, (i * ne + expressionSize) * m), i * expressionSize * m);
    let gram: Float64Array | null = null;
    if (this.gram) {
      const b = this.model.identitySize * ne;
      const b2 = identitySize * expressionSize;
      gram = new Float64Array(b2 * b2);
      for (let i = 0; i < identitySize; i++)
        for (let e = 0; e < expressionSize; e++)
          for (let j = 0; j < identitySize; j++)
            for (let f = 0; f < expressionSize; f++) gram[(i * expressionSize + e) * b2 + j * expressionSize + f] = this.gram[(i * ne + e) * b + j * ne + f];
    }
    Object.assign(ctx, { model, coordinates: this.coordinates, core, mean: this.mean, gram, root: this.root ?? this, prepared: new WeakMap() });
    return ctx;
  }

  /** Restricts targets to the fitted coordinates (cached per target array, shared by truncated contexts). */
  private prepare(targets: readonly Float32Array[], withProjections: boolean): PreparedTargets {
    let prep = this.prepared.get(targets);
    if (!prep) {
      const m = this.coordinates.length;
      const r = targets.map((y) => {
        const out = new Float32Array(m);
        for (let j = 0; j < m; j++) out[j] = y[this.coordinates[j]] - (this.mean ? this.mean[j] : 0);
        return out;
      });
      prep = { r, rr: r.map((rk) => dot32(rk, 0, rk, 0, m)), proj: null };
      this.prepared.set(targets, prep);
    }
    if (withProjections && !prep.proj) {
      const m = this.coordinates.length;
      const nb = this.model.identitySize * this.model.expressionSize;
      prep.proj = prep.r.map((rk) => {
        const p = new Float64Array(nb);
        for (let q = 0; q < nb; q++) p[q] = dot32(this.core, q * m, rk, 0, m);
        return p;
      });
    }
    return prep;
  }

  /**
   * Fits one identity and one expression per target by alternating least squares. Each step solves its linear
   * least-squares problem exactly, so the objective never increases.
   *
   * Targets are restricted (and, with the Gram matrix, projected on the core) once per target array and cached
   * by array identity, shared with contexts made by {@link truncated}: pass a new array after changing a mesh.
   *
   * @param targets K meshes of 3V floats (the full model vertex count; only {@link coordinates} are used).
   * @param options iterations, tolerance, priors, start.
   */
  fit(targets: readonly Float32Array[], options: BilinearFitOptions = {}): BilinearFitResult {
    const model = this.model;
    const ni = model.identitySize;
    const ne = model.expressionSize;
    const n = 3 * model.vertexCount;
    const m = this.coordinates.length;
    const nk = targets.length;
    if (nk === 0) throw new RangeError('fit needs at least one target mesh');
    for (const [k, y] of targets.entries()) if (y.length !== n) throw new RangeError(`target ${k} has ${y.length} floats, expected 3V = ${n}`);
    const root = this.root ?? this;
    const prep = root.prepare(targets, !!this.gram);
    let systems: AlsSystems;
    if (this.gram) {
      // Slice the root's projections P[(i, e)] down to this context's (I, E) block.
      const rootNe = root.model.expressionSize;
      const proj = this.root
        ? prep.proj!.map((p) => {
            const out = new Float64Array(ni * ne);
            for (let i = 0; i < ni; i++) for (let e = 0; e < ne; e++) out[i * ne + e] = p[i * rootNe + e];
            return out;
          })
        : prep.proj!;
      systems = gramSystems(this.gram, ni, ne, proj, prep.rr);
    } else {
      systems = directSystems(this.core, ni, ne, m, prep.r);
    }

    const iterations = options.iterations ?? 30;
    const tolerance = options.tolerance ?? 1e-7;
    const lid = options.identityRegularization ?? 0;
    const lexp = options.expressionRegularization ?? 0;
    const pid = priorArrays(model.identityPrior, ni);
    const pexp = priorArrays(model.expressionPrior, ne);

    const wid = new Float64Array(ni);
    if (options.initialIdentity) {
      if (options.initialIdentity.length > ni) throw new RangeError(`initialIdentity has ${options.initialIdentity.length} values, the model takes ${ni}`);
      for (let i = 0; i < options.initialIdentity.length; i++) wid[i] = options.initialIdentity[i];
    } else {
      let norm = 0;
      for (let i = 0; i < ni; i++) norm += (wid[i] = pid.mean[i]) ** 2;
      // A centred model's prior mean can be ~0, where C ×2 w_id vanishes and ALS would stall at zero.
      if (norm < 1e-12) {
        wid.fill(0);
        wid[0] = 1;
      }
    }
    const wexp = targets.map(() => new Float64Array(ne));
    const hexp = new Float64Array(ne * ne);
    const hid = new Float64Array(ni * ni);
    const gexp = targets.map(() => new Float64Array(ne));
    const gid = new Float64Array(ni);

    const objective = (): number => {
      let f = systems.residual(wid, wexp);
      if (lid) for (let i = 0; i < ni; i++) f += lid * ((wid[i] - pid.mean[i]) / pid.std[i]) ** 2;
      if (lexp) for (const w of wexp) for (let e = 0; e < ne; e++) f += lexp * ((w[e] - pexp.mean[e]) / pexp.std[e]) ** 2;
      return f;
    };

    const history: number[] = [];
    let sweeps = 0;
    let previous = Infinity;
    for (let it = 0; it < iterations; it++) {
      // Expression step: all targets share H = B B^T, so it is factored once.
      systems.expression(wid, hexp, gexp);
      addPrior(hexp, ne, lexp, pexp);
      choleskyFactorRidged(hexp, ne);
      for (let k = 0; k < nk; k++) {
        const w = wexp[k];
        w.set(gexp[k]);
        if (lexp) for (let e = 0; e < ne; e++) w[e] += (lexp * pexp.mean[e]) / pexp.std[e] ** 2;
        choleskySubstitute(hexp, ne, w);
      }
      // Identity step.
      systems.identity(wexp, hid, gid);
      addPrior(hid, ni, lid, pid);
      if (lid) for (let i = 0; i < ni; i++) gid[i] += (lid * pid.mean[i]) / pid.std[i] ** 2;
      choleskyFactorRidged(hid, ni);
      wid.set(gid);
      choleskySubstitute(hid, ni, wid);
      sweeps++;
      const f = objective();
      history.push(f);
      if (Number.isFinite(previous) && previous - f <= tolerance * Math.max(previous, 1e-300)) break;
      previous = f;
    }
    const rss = systems.residual(wid, wexp);
    return {
      identity: Float32Array.from(wid),
      expressions: wexp.map((w) => Float32Array.from(w)),
      rms: Math.sqrt(Math.max(0, rss) / (nk * (m / 3))),
      iterations: sweeps,
      history,
    };
  }
}

/** Targets prepared for fitting: restricted, mean removed, with norms and (Gram strategy) core projections. */
interface PreparedTargets {
  /** r_k = y_k - mean on the fitted coordinates. */
  r: Float32Array[];
  /** ||r_k||². */
  rr: number[];
  /** P_k[(i, e)] = <C_ie, r_k> over the root context's core, once the Gram strategy needs them. */
  proj: Float64Array[] | null;
}

/**
 * Fits a bilinear model to K meshes of one subject (one shared `w_id`, one `w_exp` per mesh) by alternating
 * least squares. Chooses the cheaper strategy: streaming the core each sweep (few targets), or precomputing the
 * core's Gram matrix once (many targets); use a {@link BilinearFitContext} to reuse that work across calls.
 *
 * @param model the bilinear model.
 * @param targets K meshes of 3V floats.
 * @param options fit options, plus `vertices` to fit on a subset.
 */
export function fitBilinear(
  model: BilinearFaceModel,
  targets: readonly Float32Array[],
  options: BilinearFitOptions & { vertices?: ArrayLike<number> } = {},
): BilinearFitResult {
  const ctx = new BilinearFitContext(model, options.vertices);
  const ni = model.identitySize;
  const ne = model.expressionSize;
  const sweeps = options.iterations ?? 30;
  // Per coordinate: a direct sweep costs about K·(I·E + I²) + I·E + E²; the Gram matrix (I·E)²/2 once.
  const direct = sweeps * (targets.length * (ni * ne + ni * ni) + ni * ne + ne * ne);
  const gram = (ni * ne) ** 2 / 2 + targets.length * ni * ne;
  if (gram < direct) ctx.withGram();
  return ctx.fit(targets, options);
}

function directSystems(core: Float32Array, ni: number, ne: number, m: number, r: Float32Array[]): AlsSystems {
  const b = new Float32Array(ne * m);
  const a = new Float32Array(ni * m);
  const contractId = (wid: Float64Array): void => {
    b.fill(0);
    for (let i = 0; i < ni; i++) {
      const w = wid[i];
      if (w === 0) continue;
      for (let k = 0; k < ne * m; k++) b[k] += w * core[i * ne * m + k];
    }
  };
  return {
    expression(wid, h, g) {
      contractId(wid);
      for (let e = 0; e < ne; e++) for (let f = 0; f <= e; f++) h[e * ne + f] = h[f * ne + e] = dot32(b, e * m, b, f * m, m);
      r.forEach((rk, k) => {
        for (let e = 0; e < ne; e++) g[k][e] = dot32(b, e * m, rk, 0, m);
      });
    },
    identity(wexp, h, g) {
      h.fill(0);
      g.fill(0);
      r.forEach((rk, k) => {
        const w = wexp[k];
        a.fill(0);
        for (let i = 0; i < ni; i++) {
          for (let e = 0; e < ne; e++) {
            const we = w[e];
            if (we === 0) continue;
            const src = (i * ne + e) * m;
            for (let j = 0; j < m; j++) a[i * m + j] += we * core[src + j];
          }
        }
        for (let i = 0; i < ni; i++) {
          g[i] += dot32(a, i * m, rk, 0, m);
          for (let j = 0; j <= i; j++) h[i * ni + j] += dot32(a, i * m, a, j * m, m);
        }
      });
      for (let i = 0; i < ni; i++) for (let j = 0; j < i; j++) h[j * ni + i] = h[i * ni + j];
    },
    residual(wid, wexp) {
      contractId(wid);
      let s = 0;
      r.forEach((rk, k) => {
        const w = wexp[k];
        for (let j = 0; j < m; j++) {
          let y = 0;
          for (let e = 0; e < ne; e++) y += w[e] * b[e * m + j];
          s += (rk[j] - y) ** 2;
        }
      });
      return s;
    },
  };
}

/**
 * ALS systems from the core Gram matrix G[(i,e),(j,f)] = <C_ie, C_jf> and the projections P_k[(i,e)] = <C_ie, r_k>
 * (computed here once per target): every quantity of a sweep is a small contraction of G and P.
 */
function gramSystems(gram: Float64Array, ni: number, ne: number, proj: Float64Array[], rr: number[]): AlsSystems {
  const nb = ni * ne;
  const hs = new Float64Array(ne * ne);
  const gs = proj.map(() => new Float64Array(ne));
  return {
    expression(wid, h, g) {
      // H[e,f] = sum_ij w_i w_j G[ie, jf].
      h.fill(0);
      for (let i = 0; i < ni; i++) {
        const wi = wid[i];
        if (wi === 0) continue;
        for (let j = 0; j < ni; j++) {
          const wij = wi * wid[j];
          if (wij === 0) continue;
          for (let e = 0; e < ne; e++) {
            const row = (i * ne + e) * nb + j * ne;
            for (let f = 0; f < ne; f++) h[e * ne + f] += wij * gram[row + f];
          }
        }
      }
      proj.forEach((p, k) => {
        const gk = g[k];
        gk.fill(0);
        for (let i = 0; i < ni; i++) for (let e = 0; e < ne; e++) gk[e] += wid[i] * p[i * ne + e];
      });
    },
    identity(wexp, h, g) {
      // H[i,j] = sum_ef M[e,f] G[ie, jf] with M = sum_k w_k w_k^T; g[i] = sum_k sum_e w_k[e] P_k[ie].
      const mm = new Float64Array(ne * ne);
      for (const w of wexp) for (let e = 0; e < ne; e++) for (let f = 0; f < ne; f++) mm[e * ne + f] += w[e] * w[f];
      h.fill(0);
      g.fill(0);
      for (let i = 0; i < ni; i++) {
        for (let j = 0; j < ni; j++) {
          let s = 0;
          for (let e = 0; e < ne; e++) {
            const row = (i * ne + e) * nb + j * ne;
            for (let f = 0; f < ne; f++) s += mm[e * ne + f] * gram[row + f];
          }
          h[i * ni + j] = s;
        }
      }
      proj.forEach((p, k) => {
        const w = wexp[k];
        for (let i = 0; i < ni; i++) for (let e = 0; e < ne; e++) g[i] += w[e] * p[i * ne + e];
      });
    },
    residual(wid, wexp) {
      // ||r_k - B^T w_k||² = ||r_k||² - 2 w_k·(B r_k) + w_k^T (B B^T) w_k: the expression system gives B r_k and B B^T.
      this.expression(wid, hs, gs);
      let s = 0;
      wexp.forEach((w, k) => {
        let quad = 0;
        let lin = 0;
        for (let e = 0; e < ne; e++) {
          lin += w[e] * gs[k][e];
          let row = 0;
          for (let f = 0; f < ne; f++) row += hs[e * ne + f] * w[f];
          quad += w[e] * row;
        }
        s += rr[k] - 2 * lin + quad;
      });
      return s;
    },
  };
}

function priorArrays(prior: { mean: Float32Array; std: Float32Array } | undefined, size: number): { mean: Float64Array; std: Float64Array } {
  return prior
    ? { mean: Float64Array.from(prior.mean), std: Float64Array.from(prior.std) }
    : { mean: new Float64Array(size), std: new Float64Array(size).fill(1) };
}

function addPrior(h: Float64Array, size: number, lambda: number, prior: { std: Float64Array }): void {
  if (!lambda) return;
  for (let i = 0; i < size; i++) h[i * size + i] += lambda / prior.std[i] ** 2;
}

/**
 * Cholesky factorisation with a tiny relative ridge for non-positive pivots, so rank-deficient normal equations
 * (more modes than the data determines) give the minimum-change solution instead of NaNs.
 */
function choleskyFactorRidged(a: Float64Array, n: number): void {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  choleskyFactor(a, n, { minPivot: Math.max(1e-300, (1e-12 * trace) / Math.max(1, n)), clampPivot: true });
}
