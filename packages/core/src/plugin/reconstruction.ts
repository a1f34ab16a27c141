import type { Camera } from '../camera/camera.js';
import type { EulerAngles } from '../math/rotations.js';
import type { Image } from '../image/image.js';
import type { Mesh } from '../mesh/mesh.js';
import type { LengthUnit } from './face-model.js';

/** Axis-aligned box in image pixels: `[x, y, width, height]`, x/y of the top-left corner. */
export type Box = [number, number, number, number];

/**
 * The one record every predictor returns. Coordinates come in two frames: 2D fields are in **pixels of the
 * original input image** (before any crop), 3D fields in the frame and units of {@link mesh}.
 */
export interface Reconstruction {
  /** Predictor name (`facemesh`, `fit`, `deca`, ...). */
  method: string;
  /** Face model used, with the decoded parameters by block name; absent for model-free methods (PRNet). */
  model?: { id: string; params: Record<string, Float32Array> };
  /** The reconstructed mesh (coarse, or detailed when the method refines it). */
  mesh: Mesh;
  /**
   * The mesh before detail refinement (same topology, frame and units as {@link mesh}), when the method has a
   * separate detail stage; lets evaluations score coarse and detailed results side by side.
   */
  coarseMesh?: Mesh;
  /** Unit of {@link mesh} coordinates. */
  units: LengthUnit;
  /** Maps mesh coordinates to pixels of the original image. */
  camera: Camera;
  /** Head pose in degrees (see `eulerToMatrix` for the convention). */
  pose: EulerAngles;
  /** Face box in original image pixels. */
  box?: Box;
  /** Detection confidence in [0, 1]. */
  confidence?: number;
  /** 68 landmarks (Multi-PIE order), 68 x 2 pixels of the original image. */
  landmarks2d?: Float32Array;
  /** The same 68 landmarks, 68 x 3 in the mesh frame and units. */
  landmarks3d?: Float32Array;
  /** Spherical-harmonics lighting, 9 x 3 (band-major, RGB interleaved: `L[k * 3 + c]`). */
  lighting?: Float32Array;
  /** Per-vertex albedo V x 3 in [0, 1]. */
  albedo?: Float32Array;
  /** UV texture (albedo or photo sampled into UV space). */
  texture?: Image;
  /** UV displacement map along normals, one channel, in mesh units. */
  displacement?: Image<Float32Array>;
  /** UV normal map, three channels in [-1, 1]. */
  normalMap?: Image<Float32Array>;
  /** Milliseconds per stage (`decode`, `detect`, `predict`, ...). */
  timings: Record<string, number>;
  /** Set when the method produced a partial result; a message saying what went wrong. */
  error?: string;
}
