import type { Image } from '../image/image.js';
import type { Box } from './reconstruction.js';

/** One detected face. All coordinates are pixels of the image given to the detector. */
export interface DetectedFace {
  box: Box;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** 68 landmarks in Multi-PIE order, 68 x 2. */
  landmarks68?: Float32Array;
  /** Dense landmarks (e.g. the 478-point face mesh), N x 3: x/y in pixels, z in the detector's own scale. */
  dense?: Float32Array;
  /** Face descriptor for identity comparison (e.g. 128-d). */
  descriptor?: Float32Array;
  /** Name of the detector that produced it. */
  detector: string;
}

/** Options every detector accepts. */
export interface DetectOptions {
  /** Return all faces instead of the largest. */
  allFaces?: boolean;
  /** Minimum confidence in [0, 1]. */
  minConfidence?: number;
}

/** Image to face boxes, sparse and/or dense landmarks. */
export interface Detector {
  readonly name: string;
  /** What the detector outputs. */
  readonly outputs: readonly ('box' | 'landmarks68' | 'dense' | 'descriptor')[];
  detect(image: Image, options?: DetectOptions): Promise<DetectedFace[]>;
  /** Releases models and memory. */
  dispose?(): Promise<void> | void;
}
