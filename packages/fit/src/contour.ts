/**
 * Jaw-contour handling for the 68-point landmark term. Detectors put landmarks 0..16 on the visible outline
 * of the face, which slides over the surface as the head turns, while a model's landmark 0..16 are fixed
 * vertices. Following "landmark marching" (Zhu et al. 2015), each contour landmark (except the chin, 7..9)
 * gets a horizontal strip of candidate vertices of the mean face, from inside the cheek to the jaw line on its
 * side; at each Gauss-Newton iteration the candidate that projects furthest out on that side (the silhouette
 * at the current pose) stands in for the landmark. The contour term also gets a lower weight (detectors place
 * the outline less precisely than eyes, nose and mouth).
 * @module
 */
import type { LinearizedModel } from './linearize.js';

/** Candidate vertices per landmark (empty for static landmarks). */
export interface ContourCandidates {
  /** 68 lists of local vertex ids; landmark k is dynamic when `lists[k].length > 0`. */
  lists: Uint32Array[];
  /** +1 when the landmark lies on the model's +x side (image right for a frontal face), -1 otherwise. */
  side: Int8Array;
}

const DYNAMIC = [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16];

/** Builds the candidate strips from the mean face (empty lists when the model has no 68 landmarks). */
export function contourCandidates(lin: LinearizedModel): ContourCandidates {
  const lists: Uint32Array[] = Array.from({ length: 68 }, () => new Uint32Array(0));
  const side = new Int8Array(68);
  const lv = lin.landmarkVertices, lw = lin.landmarkWeights;
  if (!lv || !lw || lv.length < 68 * 3) return { lists, side };
  const P = new Float64Array(68 * 3);
  for (let k = 0; k < 68; k++) {
    for (let j = 0; j < 3; j++) {
      const v = lv[3 * k + j], w = lw[3 * k + j];
      for (let c = 0; c < 3; c++) P[3 * k + c] += w * lin.mean[3 * v + c];
    }
  }
  const width = Math.hypot(P[0] - P[48], P[1] - P[49], P[2] - P[50]);
  const height = Math.abs(P[3 * 27 + 1] - P[3 * 8 + 1]);
  const cx = P[3 * 30];
  for (const k of DYNAMIC) {
    const x = P[3 * k] - cx, y = P[3 * k + 1], z = P[3 * k + 2];
    side[k] = x >= 0 ? 1 : -1;
    const out: number[] = [];
    for (let i = 0; i < lin.vertexCount; i++) {
      if (!lin.detailMask[i]) continue;
      const vx = lin.mean[3 * i] - cx, vy = lin.mean[3 * i + 1], vz = lin.mean[3 * i + 2];
      if (Math.abs(vy - y) > 0.035 * height) continue;
      if (vx * side[k] < 0.45 * Math.abs(x) || vx * side[k] > 1.08 * Math.abs(x)) continue;
      if (vz < z - 0.12 * width) continue;
      out.push(i);
    }
    lists[k] = Uint32Array.from(out);
  }
  return { lists, side };
}
