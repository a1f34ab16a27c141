/**
 * Normal equations of the shaded photometric samples, accumulated in batches through core's
 * {@link DenseWorkspace} (WebAssembly SIMD where available): each sample writes its rows into the workspace,
 * and every {@link SAMPLE_BATCH} samples the blocks take one dense `A^T B` product each.
 *
 * Rows per sample (the unknowns: P geometry columns, W appearance columns with per-channel values, F columns of
 * an albedo's shared field, whose values are the same in the three channels up to a colour):
 * - three geometry rows (one per colour channel), scaled by `sqrt(w)`: `H += R^T R`;
 * - three appearance rows over the W columns, scaled by `sqrt(w)`: `Hpw += R^T V`, `Hww += V^T V`;
 * - for the shared field, one combined row per sample (see `accumulateAppearance`): `Hpf += U^T Psi`,
 *   `Hwf += X^T Psi`, `Hff += (d Psi)^T Psi`.
 * Gradients are summed in JS as the rows arrive. Symmetric blocks hold their upper triangle.
 * @module
 */
import { padToTile, type DenseWorkspace } from '@facekit/core';
import { acquireWorkspace, releaseWorkspace } from './workspace-pool.js';

/** Samples per batch: 192 geometry rows, a panel that stays in L2 cache while every tile of H passes over it. */
export const SAMPLE_BATCH = 64;

/** What {@link PhotometricBatch.finish} returns: the geometry blocks and, with appearance, its blocks. */
export interface PhotometricBlocks {
  /** P x P, upper triangle only. */
  H: Float64Array;
  /** P. */
  g: Float64Array;
  /** P x A (A = W + F) cross block, or null without appearance. */
  Hpa: Float64Array | null;
  /** A x A, upper triangle only, or null without appearance. */
  Haa: Float64Array | null;
  /** A, or null without appearance. */
  ga: Float64Array | null;
}

/**
 * A batch accumulator for one photo's photometric rows. Writers fill the current sample's slot through the
 * offsets below (into {@link PhotometricBatch.x}), then call {@link PhotometricBatch.commit}.
 */
export class PhotometricBatch {
  readonly P: number;
  /**
   * Appearance columns with per-channel values (27 lighting + the albedo's own modes in the joint steps, the own
   * modes alone in `solveAlbedo`), 0 without appearance.
   */
  readonly W: number;
  /** Shared-field columns, 0 without. */
  readonly F: number;
  /** Geometry gradient `J^T W r` (P), summed as rows arrive. */
  readonly g: Float64Array;
  /** Appearance gradient (W + F). */
  readonly ga: Float64Array;
  /** Padded row lengths in the workspace. */
  readonly Pp: number;
  readonly Wp: number;
  readonly Fp: number;
  /** The workspace's values; valid until {@link PhotometricBatch.finish}. */
  readonly x: Float64Array;
  /** Offsets of the current slot's rows: geometry rows (3 x Pp), appearance rows (3 x Wp), field rows. */
  rOff = 0;
  vOff = 0;
  uOff = 0;
  xOff = 0;
  psiOff = 0;
  dpsiOff = 0;
  private readonly ws: DenseWorkspace;
  /** Whether the workspace came from the pool (and goes back to it). */
  private readonly pooled: boolean;
  private readonly appearance: boolean;
  /** Geometry rows per sample: 3 (colour channels) or 2 (a landmark's u and v). */
  private readonly rowsPerSample: number;
  private count = 0;
  private readonly h: number;
  private readonly hpw: number;
  private readonly hww: number;
  private readonly hpf: number;
  private readonly hwf: number;
  private readonly hff: number;
  private readonly r: number;
  private readonly v: number;
  private readonly u: number;
  private readonly cross: number;
  private readonly psi: number;
  private readonly dpsi: number;

  /**
   * `appearance` null: geometry only; P 0: appearance only (`solveAlbedo`). A workspace may be passed (tests
   * force the JS kernel that way); by default the pooled one is used (see `workspace-pool.ts`).
   */
  constructor(P: number, appearance: { W: number; F: number } | null, workspace?: DenseWorkspace, rowsPerSample: 2 | 3 = 3) {
    if (appearance && rowsPerSample !== 3) throw new RangeError('appearance rows need three rows (colour channels) per sample');
    this.P = P;
    this.rowsPerSample = rowsPerSample;
    this.appearance = appearance !== null;
    this.W = appearance?.W ?? 0;
    this.F = appearance?.F ?? 0;
    this.Pp = padToTile(P);
    this.Wp = padToTile(this.W);
    this.Fp = padToTile(this.F);
    this.g = new Float64Array(P);
    this.ga = new Float64Array(this.W + this.F);
    this.pooled = workspace === undefined;
    const ws = workspace ?? acquireWorkspace();
    if (workspace) ws.reset();
    this.ws = ws;
    const { Pp, Wp, Fp } = this;
    const S = SAMPLE_BATCH;
    this.h = ws.alloc(Pp * Pp);
    this.r = ws.alloc(3 * S * Pp);
    this.hpw = ws.alloc(Pp * Wp);
    this.hww = ws.alloc(Wp * Wp);
    this.v = ws.alloc(3 * S * Wp);
    this.hpf = ws.alloc(Pp * Fp);
    this.hwf = ws.alloc(Wp * Fp);
    this.hff = ws.alloc(Fp * Fp);
    this.u = ws.alloc(this.F > 0 ? S * Pp : 0);
    this.cross = ws.alloc(this.F > 0 ? S * Wp : 0);
    this.psi = ws.alloc(S * Fp);
    this.dpsi = ws.alloc(S * Fp);
    this.x = ws.values;
    this.slot();
  }

  /**
   * Writes the current sample's geometry rows (`rows[c * P + j]`, three or `rowsPerSample`) with weight `w` and
   * residuals `res[c]`: the rows, scaled by `sqrt(w)`, into the batch, and `w r_c row_c` into the gradient.
   */
  addGeometry(rows: Float64Array, w: number, res: ArrayLike<number>): void {
    const { P, Pp, x, g } = this;
    const s = Math.sqrt(w);
    for (let c = 0; c < this.rowsPerSample; c++) {
      const o = this.rOff + c * Pp, oc = c * P, a = w * res[c];
      for (let j = 0; j < P; j++) {
        const v = rows[oc + j];
        x[o + j] = s * v;
        g[j] += a * v;
      }
    }
  }

  /** Ends the current sample; runs the batch's products when it is full. */
  commit(): void {
    this.count++;
    if (this.count === SAMPLE_BATCH) this.flush();
    this.slot();
  }

  /** The accumulated blocks; the batch cannot be used afterwards (its workspace goes back to the pool). */
  finish(): PhotometricBlocks {
    this.flush();
    const { P, W, F, Pp, Wp, Fp, x } = this;
    const H = new Float64Array(P * P);
    for (let i = 0; i < P; i++) for (let j = i; j < P; j++) H[i * P + j] = x[this.h + i * Pp + j];
    let Hpa: Float64Array | null = null, Haa: Float64Array | null = null;
    if (this.appearance) {
      const A = W + F;
      Hpa = new Float64Array(P * A);
      Haa = new Float64Array(A * A);
      for (let i = 0; i < P; i++) {
        for (let j = 0; j < W; j++) Hpa[i * A + j] = x[this.hpw + i * Wp + j];
        for (let q = 0; q < F; q++) Hpa[i * A + W + q] = x[this.hpf + i * Fp + q];
      }
      for (let i = 0; i < W; i++) {
        for (let j = i; j < W; j++) Haa[i * A + j] = x[this.hww + i * Wp + j];
        for (let q = 0; q < F; q++) Haa[i * A + W + q] = x[this.hwf + i * Fp + q];
      }
      for (let t = 0; t < F; t++) for (let q = t; q < F; q++) Haa[(W + t) * A + W + q] = x[this.hff + t * Fp + q];
    }
    if (this.pooled) releaseWorkspace(this.ws);
    return { H, g: this.g, Hpa, Haa, ga: this.appearance ? this.ga : null };
  }

  private slot(): void {
    const b = this.count;
    this.rOff = this.r + this.rowsPerSample * b * this.Pp;
    this.vOff = this.v + 3 * b * this.Wp;
    this.uOff = this.u + b * this.Pp;
    this.xOff = this.cross + b * this.Wp;
    this.psiOff = this.psi + b * this.Fp;
    this.dpsiOff = this.dpsi + b * this.Fp;
  }

  private flush(): void {
    const n = this.count;
    if (n === 0) return;
    const { ws, Pp, Wp, Fp } = this;
    ws.gemmTN(this.h, Pp, this.r, Pp, this.r, Pp, Pp, Pp, this.rowsPerSample * n, true);
    if (this.appearance) {
      ws.gemmTN(this.hpw, Wp, this.r, Pp, this.v, Wp, Pp, Wp, 3 * n);
      ws.gemmTN(this.hww, Wp, this.v, Wp, this.v, Wp, Wp, Wp, 3 * n, true);
      if (this.F > 0) {
        ws.gemmTN(this.hpf, Fp, this.u, Pp, this.psi, Fp, Pp, Fp, n);
        ws.gemmTN(this.hwf, Fp, this.cross, Wp, this.psi, Fp, Wp, Fp, n);
        ws.gemmTN(this.hff, Fp, this.dpsi, Fp, this.psi, Fp, Fp, Fp, n, true);
      }
    }
    this.count = 0;
  }
}
