/**
 * Albedo refinement: with geometry and lighting fixed, the per-vertex albedo that reproduces the photo is
 * `rho_f = C_I / (L^T phi(n))` (the shading divided out of the observed colour). It is trusted where the vertex
 * is visible and faces the camera (grazing views mix in background and have unreliable shading), and blended
 * with the coarse albedo elsewhere: `rho = w rho_f + (1 - w) rho_coarse`, w = clamp((n_z - 0.2) / 0.5, 0, 1).
 * @module
 */
import { shadeVertices } from '@facekit/core';
import { evaluateAlbedo } from './albedo.js';
import { cameraNormals, type FitContext, type FrameGeometry, type FrameState } from './coarse.js';
import { sampleLevel, type PyramidLevel } from './pyramid.js';

/** Result of {@link refineAlbedo}. */
export interface RefinedAlbedo {
  /** 3V blended albedo in [0, 1]. */
  albedo: Float32Array;
  /** 3V coarse (model / skin-prior) albedo. */
  coarse: Float32Array;
  /** V blend weight of the photo-derived albedo (0 where hidden). */
  confidence: Float32Array;
}

/** Options of {@link refineAlbedo}. */
export interface RefineAlbedoOptions {
  /** Shading below this is treated as this value (avoids dividing by ~0 in shadow). Default 0.08. */
  minShading?: number;
}

/** Runs the albedo refinement on the final coarse geometry. */
export function refineAlbedo(
  ctx: FitContext,
  level: PyramidLevel,
  geo: FrameGeometry,
  fs: FrameState,
  options: RefineAlbedoOptions = {},
): RefinedAlbedo {
  const V = ctx.lin.vertexCount;
  const coarse = evaluateAlbedo(ctx.albedo, fs.albedo);
  const all = Uint32Array.from({ length: V }, (_, i) => i);
  const nrm = cameraNormals(fs.R, geo.normals, all);
  const shading = shadeVertices(nrm, null, fs.light);
  const albedo = new Float32Array(3 * V);
  const confidence = new Float32Array(V);
  const minS = options.minShading ?? 0.08;
  const smp = new Float64Array(9);
  for (let i = 0; i < V; i++) {
    let w = 0;
    if (geo.visible[i] && sampleLevel(level, geo.screen[3 * i], geo.screen[3 * i + 1], smp)) {
      w = Math.min(1, Math.max(0, (nrm[3 * i + 2] - 0.2) / 0.5));
    }
    confidence[i] = w;
    for (let c = 0; c < 3; c++) {
      let a = coarse[3 * i + c];
      if (w > 0) {
        const rf = Math.min(1, Math.max(0, smp[c] / Math.max(shading[3 * i + c], minS)));
        a = w * rf + (1 - w) * a;
      }
      albedo[3 * i + c] = Math.min(1, Math.max(0, a));
    }
  }
  return { albedo, coarse, confidence };
}

/**
 * Mean absolute RGB error between the photo and `albedo * shading` at visible vertices (weighted by
 * `weights` when given): the figure the albedo and detail tests compare.
 */
export function photometricError(
  level: PyramidLevel,
  screen: Float32Array,
  visible: Uint8Array,
  cameraNormalsV: Float32Array,
  albedo: Float32Array,
  light: Float32Array,
  mask?: Uint8Array,
): number {
  const V = visible.length;
  const shading = shadeVertices(cameraNormalsV, null, light);
  const smp = new Float64Array(9);
  let sum = 0, n = 0;
  for (let i = 0; i < V; i++) {
    if (!visible[i] || (mask && !mask[i])) continue;
    if (cameraNormalsV[3 * i + 2] < 0.2) continue;
    if (!sampleLevel(level, screen[3 * i], screen[3 * i + 1], smp)) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(smp[c] - albedo[3 * i + c] * shading[3 * i + c]);
    n += 3;
  }
  return n ? sum / n : NaN;
}
