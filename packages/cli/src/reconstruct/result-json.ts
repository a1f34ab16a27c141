import type { Box, Reconstruction } from '@facekit/core';

/**
 * The `result.json` that `facekit reconstruct` writes next to each mesh: a public contract read by other tools
 * and the compare app. 2D coordinates are pixels of the original image; 3D coordinates are in the frame and
 * units of `mesh.obj` (named in `mesh.units`).
 */
export interface ResultJson {
  /** Format version of this record. */
  version: 1;
  /** Predictor name. */
  method: string;
  /** Face-model id, or null for model-free methods. */
  model: string | null;
  /** Input image path as given, and its size in pixels. */
  image: { path: string; width: number; height: number };
  /** Face box `[x, y, w, h]` in original image pixels. */
  box: Box | null;
  /** Detection confidence in [0, 1]. */
  confidence: number | null;
  /** 68 landmarks (Multi-PIE order), `[x, y]` original image pixels. */
  landmarks2d: Array<[number, number]> | null;
  /** The same 68 landmarks, `[x, y, z]` in the mesh frame and units. */
  landmarks3d: Array<[number, number, number]> | null;
  /** Head pose in degrees (facekit convention: R = Ry(yaw) Rx(pitch) Rz(roll)). */
  pose: { yaw: number; pitch: number; roll: number };
  /** Face-model parameters by block name, when a face model was used. */
  params: Record<string, number[]> | null;
  /** SH lighting 9 x 3 (`L[k * 3 + c]`), when the method estimates it. */
  lighting: number[] | null;
  /** The mesh files written, with vertex and triangle counts and units. */
  mesh: { vertices: number; triangles: number; units: string; files: string[] };
  /** Milliseconds per stage. */
  timings: { decode: number; detect: number; predict: number; write: number; total: number } & Record<string, number>;
  /** Set when the method reported a partial result. */
  error?: string;
}

const round = (v: number, d: number): number => {
  const f = 10 ** d;
  return Math.round(v * f) / f;
};

function rows<N extends 2 | 3>(data: Float32Array | undefined, n: N): Array<N extends 2 ? [number, number] : [number, number, number]> | null {
  if (!data) return null;
  const out: number[][] = [];
  for (let i = 0; i + n <= data.length; i += n) out.push(Array.from(data.subarray(i, i + n), (v) => round(v, 3)));
  return out as Array<N extends 2 ? [number, number] : [number, number, number]>;
}

/** Builds the result record of one reconstruction. */
export function toResultJson(
  rec: Reconstruction,
  image: { path: string; width: number; height: number },
  files: string[],
  timings: ResultJson['timings'],
): ResultJson {
  const params = rec.model
    ? Object.fromEntries(Object.entries(rec.model.params).map(([k, v]) => [k, Array.from(v, (x) => round(x, 6))]))
    : null;
  const out: ResultJson = {
    version: 1,
    method: rec.method,
    model: rec.model?.id ?? null,
    image,
    box: rec.box ? (rec.box.map((v) => round(v, 2)) as Box) : null,
    confidence: rec.confidence === undefined ? null : round(rec.confidence, 4),
    landmarks2d: rows(rec.landmarks2d, 2),
    landmarks3d: rows(rec.landmarks3d, 3),
    pose: { yaw: round(rec.pose.yaw, 3), pitch: round(rec.pose.pitch, 3), roll: round(rec.pose.roll, 3) },
    params,
    lighting: rec.lighting ? Array.from(rec.lighting, (v) => round(v, 6)) : null,
    mesh: { vertices: rec.mesh.positions.length / 3, triangles: rec.mesh.triangles.length / 3, units: rec.units, files },
    timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, round(v, 2)])) as ResultJson['timings'],
  };
  if (rec.error) out.error = rec.error;
  return out;
}
