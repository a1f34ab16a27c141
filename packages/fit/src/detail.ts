/**
 * The detail stage: a per-vertex displacement d along the coarse normals over the face region, minimising
 *   E(d) = 1/N sum_i sum_c (I_c(pi(x_i + d_i n_i)) - rho_ic L_c^T phi(n_i(d)))^2 + mu1/V sum d^2 + mu2/V sum |(L d)_i|
 * with L the row-normalised uniform Laplacian of core (`L d` = neighbour mean minus the vertex).
 *
 * The photo constrains d mostly through shading (shape from shading): a displacement tilts the normals of the
 * surrounding vertices, so the residual of vertex i depends on d over its one-ring. Each Gauss-Newton step
 * linearises that exactly (derivative of the area-weighted vertex normal with respect to the corners'
 * displacements, and of the image sample with respect to the projected shift), and solves the sparse normal
 * equations with Jacobi-preconditioned conjugate gradients; the L1 smoothness is handled by iteratively
 * reweighted least squares (weights 1 / max(|L d|, eps)), which keeps creases sharp where an L2 term would blur.
 * @module
 */
import {
  computeVertexNormals,
  computeVertexTriangles,
  SH_DECA_FACTORS,
  uniformLaplacian,
  type SparseMatrixCSR,
} from '@facekit/core';
import type { FitContext, FrameGeometry, FrameState } from './coarse.js';
import { sampleLevel, type PyramidLevel } from './pyramid.js';

/** Options of {@link fitDetail}. */
export interface DetailOptions {
  /** mu1, magnitude prior (per unit^2, averaged over unknowns). Default 0.02. */
  mu1: number;
  /** mu2, L1 Laplacian smoothness (per unit, averaged over unknowns). Default 0.002. */
  mu2: number;
  /** Gauss-Newton re-linearisations. Default 2. */
  gnSteps: number;
  /** IRLS rounds per Gauss-Newton step (the L1 weights are refreshed each round and each step). Default 1. */
  irls: number;
  /** Conjugate-gradient iterations per solve. Default 20. */
  cgIterations: number;
  /** Displacements are clamped to +- this (model units). Default 2% of the region's size. */
  maxDisplacement?: number;
}

/** Default {@link DetailOptions}. */
export const DEFAULT_DETAIL_OPTIONS: Readonly<DetailOptions> = Object.freeze({
  mu1: 0.02,
  mu2: 0.002,
  gnSteps: 2,
  irls: 1,
  cgIterations: 20,
});

/** Result of {@link fitDetail}. */
export interface DetailResult {
  /** V displacement along the coarse normals (model units; 0 outside the face region). */
  displacement: Float32Array;
  /** 3V detailed positions (model frame). */
  positions: Float32Array;
  /** 3V normals of the detailed mesh (model frame). */
  normals: Float32Array;
  /** Photometric data energy before and after. */
  energyBefore: number;
  energyAfter: number;
}

interface Topology {
  vt: ReturnType<typeof computeVertexTriangles>;
  lap: SparseMatrixCSR;
  lapT: SparseMatrixCSR;
}

const topoCache = new WeakMap<FitContext, Topology>();

function topology(ctx: FitContext): Topology {
  let t = topoCache.get(ctx);
  if (!t) {
    const V = ctx.lin.vertexCount;
    const lap = uniformLaplacian(ctx.lin.triangles, V, { normalize: true });
    t = { vt: computeVertexTriangles(ctx.lin.triangles, V), lap, lapT: transposeCsr(lap) };
    topoCache.set(ctx, t);
  }
  return t;
}

function transposeCsr(m: SparseMatrixCSR): SparseMatrixCSR {
  const counts = new Uint32Array(m.cols + 1);
  for (let p = 0; p < m.columns.length; p++) counts[m.columns[p] + 1]++;
  for (let i = 0; i < m.cols; i++) counts[i + 1] += counts[i];
  const rowOffsets = counts.slice();
  const cursor = counts.slice(0, m.cols);
  const columns = new Uint32Array(m.columns.length);
  const values = new Float64Array(m.columns.length);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.rowOffsets[r]; p < m.rowOffsets[r + 1]; p++) {
      const q = cursor[m.columns[p]]++;
      columns[q] = r;
      values[q] = m.values[p];
    }
  }
  return { rows: m.cols, cols: m.rows, rowOffsets, columns, values };
}

function spmv(m: SparseMatrixCSR, x: Float64Array, out: Float64Array): void {
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.rowOffsets[r]; p < m.rowOffsets[r + 1]; p++) s += m.values[p] * x[m.columns[p]];
    out[r] = s;
  }
}

/**
 * Gradient of the DECA-convention SH shading of channel c with respect to the (camera-frame) normal, written
 * to `out`; returns the shading value. Written out without helpers: it runs once per vertex and channel.
 */
function shadingGradient(L: Float32Array, c: number, x: number, y: number, z: number, out: Float64Array): number {
  const f = SH_DECA_FACTORS;
  const l0 = L[c] * f[0], l1 = L[3 + c] * f[1], l2 = L[6 + c] * f[2], l3 = L[9 + c] * f[3], l4 = L[12 + c] * f[4];
  const l5 = L[15 + c] * f[5], l6 = L[18 + c] * f[6], l7 = L[21 + c] * f[7], l8 = L[24 + c] * f[8];
  out[0] = l1 + l4 * y + l5 * z + 2 * l7 * x;
  out[1] = l2 + l4 * x + l6 * z - 2 * l7 * y;
  out[2] = l3 + l5 * x + l6 * y + 6 * l8 * z;
  return l0 + l1 * x + l2 * y + l3 * z + l4 * x * y + l5 * x * z + l6 * y * z + l7 * (x * x - y * y) + l8 * (3 * z * z - 1);
}

/**
 * Runs the detail stage on a photo's final coarse geometry.
 *
 * @param albedo 3V albedo (usually the refined one).
 */
export function fitDetail(
  ctx: FitContext,
  level: PyramidLevel,
  geo: FrameGeometry,
  fs: FrameState,
  albedo: Float32Array,
  options: Partial<DetailOptions> = {},
): DetailResult {
  const opt: DetailOptions = { ...DEFAULT_DETAIL_OPTIONS, ...options };
  const lin = ctx.lin;
  const V = lin.vertexCount;
  const tris = lin.triangles;
  const { vt, lap, lapT } = topology(ctx);
  const R = fs.R, s = fs.s;
  const x0 = geo.positions;
  const n0 = geo.normals;

  // Unknowns: face-region vertices; data: those also visible and facing the camera.
  const unknown = lin.detailMask;
  let nu = 0;
  for (let i = 0; i < V; i++) nu += unknown[i];
  let extent = 0;
  for (let i = 0; i < 3 * V; i += 3) extent = Math.max(extent, Math.abs(x0[i]), Math.abs(x0[i + 1]));
  const maxD = opt.maxDisplacement ?? 0.02 * extent;

  const d = new Float64Array(V);
  const pos = new Float32Array(3 * V);
  const smp = new Float64Array(9);
  const grad = new Float64Array(3);

  // Sparse Jacobian rows, rebuilt per GN step: for data vertex i, entries (j, dr_c/dd_j for c = 0..2).
  const rowStart: number[] = [];
  let cols: Int32Array = new Int32Array(0);
  let vals: Float64Array = new Float64Array(0);
  let res: Float64Array = new Float64Array(0);
  let dataVerts: Int32Array = new Int32Array(0);

  const energyAt = (dv: Float64Array): number => {
    for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) pos[3 * i + c] = x0[3 * i + c] + dv[i] * n0[3 * i + c];
    const nn = computeVertexNormals(pos, tris);
    let e = 0, n = 0;
    for (let i = 0; i < V; i++) {
      if (!unknown[i] || !geo.visible[i]) continue;
      const cx = R[0] * nn[3 * i] + R[1] * nn[3 * i + 1] + R[2] * nn[3 * i + 2];
      const cy = R[3] * nn[3 * i] + R[4] * nn[3 * i + 1] + R[5] * nn[3 * i + 2];
      const cz = R[6] * nn[3 * i] + R[7] * nn[3 * i + 1] + R[8] * nn[3 * i + 2];
      const cz0 = R[6] * n0[3 * i] + R[7] * n0[3 * i + 1] + R[8] * n0[3 * i + 2];
      if (cz0 < 0.2) continue;
      const [u, v] = screenOf(i, pos);
      if (!sampleLevel(level, u, v, smp)) continue;
      for (let c = 0; c < 3; c++) {
        const S = shadingGradient(fs.light, c, cx, cy, cz, grad);
        const r = smp[c] - albedo[3 * i + c] * S;
        e += r * r;
      }
      n++;
    }
    return n ? e / n : 0;
  };
  const screenOf = (i: number, p: Float32Array): [number, number] => {
    const x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
    return [s * (R[0] * x + R[1] * y + R[2] * z) + fs.tx, fs.ty - s * (R[3] * x + R[4] * y + R[5] * z)];
  };

  const energyBefore = energyAt(d);
  let energy = energyBefore;
  for (let step = 0; step < opt.gnSteps; step++) {
    // Linearise at the current d.
    for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) pos[3 * i + c] = x0[3 * i + c] + d[i] * n0[3 * i + c];
    const accN = new Float64Array(3 * V);
    for (let f = 0; f < tris.length / 3; f++) {
      const a = 3 * tris[3 * f], b = 3 * tris[3 * f + 1], c = 3 * tris[3 * f + 2];
      const e1x = pos[b] - pos[a], e1y = pos[b + 1] - pos[a + 1], e1z = pos[b + 2] - pos[a + 2];
      const e2x = pos[c] - pos[a], e2y = pos[c + 1] - pos[a + 1], e2z = pos[c + 2] - pos[a + 2];
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      for (const v of [a, b, c]) {
        accN[v] += nx;
        accN[v + 1] += ny;
        accN[v + 2] += nz;
      }
    }
    rowStart.length = 0;
    const colList: number[] = [];
    const valList: number[] = [];
    const resList: number[] = [];
    const dv: number[] = [];
    const gm = new Float64Array(9);
    const rr = new Float64Array(3);
    for (let i = 0; i < V; i++) {
      if (!unknown[i] || !geo.visible[i]) continue;
      const cz0 = R[6] * n0[3 * i] + R[7] * n0[3 * i + 1] + R[8] * n0[3 * i + 2];
      if (cz0 < 0.2) continue;
      const [u, v] = screenOf(i, pos);
      if (!sampleLevel(level, u, v, smp)) continue;
      const Nx = accN[3 * i], Ny = accN[3 * i + 1], Nz = accN[3 * i + 2];
      const len = Math.hypot(Nx, Ny, Nz);
      if (!(len > 0)) continue;
      const mx = Nx / len, my = Ny / len, mz = Nz / len;
      // Camera-frame normal and shading gradients, pulled back to the model frame: gm_c = R^T grad S_c.
      const cx = R[0] * mx + R[1] * my + R[2] * mz;
      const cy = R[3] * mx + R[4] * my + R[5] * mz;
      const cz = R[6] * mx + R[7] * my + R[8] * mz;
      for (let c = 0; c < 3; c++) {
        const S = shadingGradient(fs.light, c, cx, cy, cz, grad);
        rr[c] = smp[c] - albedo[3 * i + c] * S;
        // Model-frame gradient, projected onto the tangent plane and divided by |N| (normalisation).
        let gx = R[0] * grad[0] + R[3] * grad[1] + R[6] * grad[2];
        let gy = R[1] * grad[0] + R[4] * grad[1] + R[7] * grad[2];
        let gz = R[2] * grad[0] + R[5] * grad[1] + R[8] * grad[2];
        const dot = gx * mx + gy * my + gz * mz;
        gx = (gx - dot * mx) / len;
        gy = (gy - dot * my) / len;
        gz = (gz - dot * mz) / len;
        const rho = albedo[3 * i + c];
        gm[3 * c] = -rho * gx;
        gm[3 * c + 1] = -rho * gy;
        gm[3 * c + 2] = -rho * gz;
      }
      // Columns of this row: vertex i and its one-ring (found by a short linear search; rows are small).
      const start = colList.length;
      rowStart.push(start);
      for (let q = vt.offsets[i]; q < vt.offsets[i + 1]; q++) {
        const f = vt.triangles[q];
        for (let m = 0; m < 3; m++) {
          const j = tris[3 * f + m];
          if (!unknown[j]) continue;
          // dC/dd_j = n0_j x (x_next - x_prev) for the cyclic corner order of the face.
          const nxt = tris[3 * f + ((m + 1) % 3)], prv = tris[3 * f + ((m + 2) % 3)];
          const ex = pos[3 * nxt] - pos[3 * prv], ey = pos[3 * nxt + 1] - pos[3 * prv + 1], ez = pos[3 * nxt + 2] - pos[3 * prv + 2];
          const ax = n0[3 * j], ay = n0[3 * j + 1], az = n0[3 * j + 2];
          const vx = ay * ez - az * ey, vy = az * ex - ax * ez, vz = ax * ey - ay * ex;
          let k = start;
          while (k < colList.length && colList[k] !== j) k++;
          if (k === colList.length) {
            colList.push(j);
            valList.push(0, 0, 0);
          }
          for (let c = 0; c < 3; c++) valList[3 * k + c] += gm[3 * c] * vx + gm[3 * c + 1] * vy + gm[3 * c + 2] * vz;
        }
      }
      // Image shift of vertex i's own displacement: grad I . (s R n0)_xy (v axis flipped).
      const au = s * (R[0] * n0[3 * i] + R[1] * n0[3 * i + 1] + R[2] * n0[3 * i + 2]);
      const av = -s * (R[3] * n0[3 * i] + R[4] * n0[3 * i + 1] + R[5] * n0[3 * i + 2]);
      let k = start;
      while (k < colList.length && colList[k] !== i) k++;
      if (k === colList.length) {
        colList.push(i);
        valList.push(0, 0, 0);
      }
      for (let c = 0; c < 3; c++) valList[3 * k + c] += smp[3 + c] * au + smp[6 + c] * av;
      resList.push(rr[0], rr[1], rr[2]);
      dv.push(i);
    }
    rowStart.push(colList.length);
    cols = Int32Array.from(colList);
    vals = Float64Array.from(valList);
    res = Float64Array.from(resList);
    dataVerts = Int32Array.from(dv);
    const nd = dataVerts.length;
    if (nd === 0) break;
    const wData = 1 / nd;
    const m1 = opt.mu1 / Math.max(1, nu);
    const m2 = opt.mu2 / Math.max(1, nu);

    // J x and J^T y over the sparse rows (3 channels per row).
    const jx = new Float64Array(3 * nd);
    const applyJ = (x: Float64Array): void => {
      for (let r = 0; r < nd; r++) {
        let a = 0, b = 0, c = 0;
        for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
          const xv = x[cols[k]];
          a += vals[3 * k] * xv;
          b += vals[3 * k + 1] * xv;
          c += vals[3 * k + 2] * xv;
        }
        jx[3 * r] = a;
        jx[3 * r + 1] = b;
        jx[3 * r + 2] = c;
      }
    };
    const applyJt = (y: Float64Array, out: Float64Array): void => {
      for (let r = 0; r < nd; r++) {
        for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
          out[cols[k]] += vals[3 * k] * y[3 * r] + vals[3 * k + 1] * y[3 * r + 1] + vals[3 * k + 2] * y[3 * r + 2];
        }
      }
    };
    // Jacobi preconditioner: diagonal of J^T W J + mu1 + mu2 L^T Omega L (computed per IRLS round).
    const diagJ = new Float64Array(V);
    for (let r = 0; r < nd; r++) {
      for (let k = rowStart[r]; k < rowStart[r + 1]; k++) {
        diagJ[cols[k]] += wData * (vals[3 * k] ** 2 + vals[3 * k + 1] ** 2 + vals[3 * k + 2] ** 2);
      }
    }

    const omega = new Float64Array(V);
    const ld = new Float64Array(V);
    const tmpV = new Float64Array(V);
    const tmpV2 = new Float64Array(V);
    for (let round = 0; round < opt.irls; round++) {
      spmv(lap, d, ld);
      for (let i = 0; i < V; i++) omega[i] = 1 / Math.max(Math.abs(ld[i]), 1e-3 * maxD);
      // A x = J^T W J x + m1 x + m2 L^T Omega L x (masked to unknowns).
      const applyA = (x: Float64Array, out: Float64Array): void => {
        out.fill(0);
        applyJ(x);
        for (let q = 0; q < jx.length; q++) jx[q] *= wData;
        applyJt(jx, out);
        spmv(lap, x, tmpV);
        for (let i = 0; i < V; i++) tmpV[i] *= omega[i];
        spmv(lapT, tmpV, tmpV2);
        for (let i = 0; i < V; i++) out[i] = unknown[i] ? out[i] + m1 * x[i] + m2 * tmpV2[i] : 0;
      };
      // Right-hand side: -(J^T W r + m1 d + m2 L^T Omega L d).
      const b = new Float64Array(V);
      const wr = new Float64Array(res.length);
      for (let q = 0; q < res.length; q++) wr[q] = wData * res[q];
      applyJt(wr, b);
      spmv(lapT, Float64Array.from(ld, (v, i) => v * omega[i]), tmpV2);
      for (let i = 0; i < V; i++) b[i] = unknown[i] ? -(b[i] + m1 * d[i] + m2 * tmpV2[i]) : 0;
      // Diagonal of L^T Omega L: sum over rows r of omega_r L_ri^2.
      const diag = new Float64Array(V);
      for (let r = 0; r < V; r++) {
        for (let p = lap.rowOffsets[r]; p < lap.rowOffsets[r + 1]; p++) diag[lap.columns[p]] += omega[r] * lap.values[p] ** 2;
      }
      for (let i = 0; i < V; i++) diag[i] = unknown[i] ? diagJ[i] + m1 + m2 * diag[i] : 1;
      const delta = conjugateGradient(applyA, b, diag, opt.cgIterations);
      // Backtracking on the true (nonlinear) data term plus the priors.
      let t = 1;
      const total = (dd: Float64Array): number => {
        spmv(lap, dd, tmpV);
        let reg = 0;
        for (let i = 0; i < V; i++) if (unknown[i]) reg += m1 * dd[i] * dd[i] + m2 * Math.abs(tmpV[i]);
        return energyAt(dd) + reg;
      };
      const current = total(d);
      let accepted = false;
      for (let tries = 0; tries < 3 && !accepted; tries++, t *= 0.5) {
        const trial = new Float64Array(V);
        for (let i = 0; i < V; i++) trial[i] = Math.max(-maxD, Math.min(maxD, d[i] + t * delta[i]));
        const e = total(trial);
        if (e < current) {
          d.set(trial);
          accepted = true;
        }
      }
      if (!accepted) break;
    }
    energy = energyAt(d);
  }

  const displacement = Float32Array.from(d);
  const positions = new Float32Array(3 * V);
  for (let i = 0; i < V; i++) for (let c = 0; c < 3; c++) positions[3 * i + c] = x0[3 * i + c] + d[i] * n0[3 * i + c];
  const normals = computeVertexNormals(positions, tris);
  return { displacement, positions, normals, energyBefore, energyAfter: energy };
}

/** Preconditioned conjugate gradients for a symmetric positive (semi)definite operator. */
function conjugateGradient(
  applyA: (x: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  diag: Float64Array,
  iterations: number,
): Float64Array {
  const n = b.length;
  const x = new Float64Array(n);
  const r = b.slice();
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = r[i] / diag[i];
  const p = z.slice();
  const ap = new Float64Array(n);
  let rz = 0;
  for (let i = 0; i < n; i++) rz += r[i] * z[i];
  const rz0 = rz;
  for (let it = 0; it < iterations && rz > 1e-20 * rz0; it++) {
    applyA(p, ap);
    let pap = 0;
    for (let i = 0; i < n; i++) pap += p[i] * ap[i];
    if (!(pap > 0)) break;
    const alpha = rz / pap;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      z[i] = r[i] / diag[i];
    }
    let rzNew = 0;
    for (let i = 0; i < n; i++) rzNew += r[i] * z[i];
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return x;
}
