/**
 * The files of a synthetic dataset, as JSON types (browser-safe): `manifest.json` at the top, and per sample
 * `truth.json` (everything needed to score a reconstruction) and `params.json` (named parameter blocks, readable
 * by `facekit model decode`).
 * @module
 */
import type { Box, Camera, EulerAngles, LengthUnit } from '@facekit/core';
import type { Appearance } from './albedo.js';
import type { ScanRegionSpec } from './evaluate.js';
import type { LightDescription } from './lighting.js';

/** `<out>/manifest.json`. */
export interface DatasetManifest {
  version: 1;
  generator: '@facekit/synth';
  model: { id: string; name: string; units: LengthUnit; vertices: number; spec?: string };
  seed: number;
  count: number;
  size: number;
  units: LengthUnit;
  /** Millimetres per unit of every 3D quantity in the dataset. */
  unitToMm: number;
  /** Region of the model written to `mesh.obj` (`all` for the whole mesh). */
  meshRegion: string;
  samples: Array<{ id: string; seed: number; pose: EulerAngles }>;
  /** Licence text of the face model, which data derived from it must keep. */
  attribution?: string;
}

/** `<out>/<id>/truth.json`. 3D values are in the frame and units of `mesh.obj`; 2D values are image pixels. */
export interface TruthJson {
  version: 1;
  id: string;
  seed: number;
  model: { id: string; units: LengthUnit };
  units: LengthUnit;
  unitToMm: number;
  image: { file: string; width: number; height: number };
  mesh: {
    file: string;
    /** Model region written (`face_head` = ICT-FaceKit skin: face, head and neck, vertices 0..11247), or `all`. */
    region: string;
    /** Model vertex indices of the mesh's vertices, as inclusive ranges (vertex i of mesh.obj = i-th listed). */
    modelVertexRanges: Array<[number, number]>;
    vertices: number;
    triangles: number;
  };
  /** 68 x [x, y] pixels: `landmarks3d` projected with `camera`. */
  landmarks2d: Array<[number, number]>;
  /** 68 x [x, y, z] on the mesh. */
  landmarks3d: Array<[number, number, number]>;
  /** Head pose, degrees (`camera.rotation = eulerToMatrix(pose)`). */
  pose: EulerAngles;
  camera: Camera;
  /** SH lighting, 27 = 9 x 3 (`L[k * 3 + c]`), DECA convention, applied to camera-frame normals. */
  lighting: number[];
  light: LightDescription;
  box: Box;
  /** Scan regions for scoring, in mesh.obj vertex indices. */
  regions: Record<string, ScanRegionSpec>;
  renderedRegions: string[];
  /** Non-zero blendshape weights by name. */
  expression: Record<string, number>;
  appearance: Appearance;
  /** The mean-face baseline (identity zeroed, same expression, pose, camera): its mesh file and landmarks. */
  baseline: { file: string; landmarks3d: Array<[number, number, number]>; landmarks2d: Array<[number, number]> };
}

const r = (v: number, d = 5): number => {
  const f = 10 ** d;
  return Math.round(v * f) / f;
};

/** N x k rows of rounded numbers. */
export function toRows<T extends number[]>(data: ArrayLike<number>, k: number, digits = 5): T[] {
  const out: number[][] = [];
  for (let i = 0; i + k <= data.length; i += k) out.push(Array.from({ length: k }, (_, c) => r(data[i + c], digits)));
  return out as T[];
}

/** Flattens rows back to a Float32Array. */
export function fromRows(rows: ReadonlyArray<ReadonlyArray<number>>): Float32Array {
  const k = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * k);
  rows.forEach((row, i) => row.forEach((v, c) => (out[i * k + c] = v)));
  return out;
}
