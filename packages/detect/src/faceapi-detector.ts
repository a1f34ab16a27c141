/**
 * The `face-api` detector: SSD MobileNet v1 (or Tiny Face Detector) boxes, the 68-point landmark net (iBUG /
 * Multi-PIE order, used as is) and the 128-d face-recognition descriptor from `@vladmandic/face-api`.
 * Browser-safe: it takes the face-api module with its nets loaded; `@facekit/detect/node` loads them from disk.
 * @module
 */
import type { Box, DetectedFace, Detector, DetectOptions, Image } from '@facekit/core';
import { clampBox, DEFAULT_MAX_DETECTION_SIDE, DEFAULT_MIN_CONFIDENCE, prepareDetectionInput, selectFaces } from './geometry.js';
import { SerialQueue } from './serial.js';
import type { FaceApiLike, FaceApiResultLike } from './types.js';

/** Which face-api box detector runs. */
export type FaceApiBoxDetector = 'ssd' | 'tiny';

/** Options of {@link FaceApiDetector}. */
export interface FaceApiDetectorOptions {
  /** Registry / report name. Default `face-api`. */
  name?: string;
  /**
   * `ssd` (default): SSD MobileNet v1, the accurate one (about 5x slower); `tiny`: Tiny Face Detector, for
   * speed on small faces-in-frame video. The chosen net must be loaded.
   */
  boxDetector?: FaceApiBoxDetector;
  /** Compute the 128-d descriptor (needs the recognition net; about a quarter of the time). Default true. */
  descriptors?: boolean;
  /** Longest side the image is downscaled to before detection. Default {@link DEFAULT_MAX_DETECTION_SIDE}. */
  maxDetectionSide?: number;
  /** Most boxes SSD returns. Default 20. */
  maxFaces?: number;
}

/**
 * Face boxes, 68 landmarks and descriptors from face-api.
 *
 * Output per face: `box` `[x, y, w, h]` (the detector's box, tight around brows-to-chin, original pixels);
 * `landmarks68` 68 x 2 original pixels; `descriptor` 128 floats as face-api computes them (not normalised:
 * norms are about 1.2-1.6; face-api's "same person" threshold is a Euclidean distance of 0.6);
 * `confidence` = the box detector's score.
 */
export class FaceApiDetector implements Detector {
  readonly name: string;
  readonly outputs: readonly ('box' | 'landmarks68' | 'descriptor')[];
  private readonly faceapi: FaceApiLike;
  private readonly boxDetector: FaceApiBoxDetector;
  private readonly descriptors: boolean;
  private readonly maxSide: number;
  private readonly maxFaces: number;
  private readonly queue = new SerialQueue();

  constructor(faceapi: FaceApiLike, options: FaceApiDetectorOptions = {}) {
    this.faceapi = faceapi;
    this.name = options.name ?? 'face-api';
    this.boxDetector = options.boxDetector ?? 'ssd';
    this.descriptors = options.descriptors ?? true;
    this.maxSide = options.maxDetectionSide ?? DEFAULT_MAX_DETECTION_SIDE;
    this.maxFaces = options.maxFaces ?? 20;
    this.outputs = this.descriptors ? ['box', 'landmarks68', 'descriptor'] : ['box', 'landmarks68'];
  }

  detect(image: Image, options: DetectOptions = {}): Promise<DetectedFace[]> {
    return this.queue.run(() => this.run(image, options));
  }

  private async run(image: Image, options: DetectOptions): Promise<DetectedFace[]> {
    const input = prepareDetectionInput(image, this.maxSide);
    const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const fa = this.faceapi;
    const boxOptions =
      this.boxDetector === 'tiny'
        ? new fa.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: min })
        : new fa.SsdMobilenetv1Options({ minConfidence: min, maxResults: this.maxFaces });
    const tensor = fa.tf.tensor3d(Int32Array.from(input.rgb), [input.height, input.width, 3], 'int32');
    let results: FaceApiResultLike[];
    try {
      const task = fa.detectAllFaces(tensor, boxOptions).withFaceLandmarks();
      results = await (this.descriptors ? task.withFaceDescriptors() : task);
    } finally {
      tensor.dispose();
    }
    const faces = results.map((r) => this.toFace(r, input.scaleX, input.scaleY, image.width, image.height));
    return selectFaces(faces, options);
  }

  private toFace(r: FaceApiResultLike, sx: number, sy: number, width: number, height: number): DetectedFace {
    const b = r.detection.box;
    const pts = r.landmarks.positions;
    const landmarks68 = new Float32Array(pts.length * 2);
    for (let i = 0; i < pts.length; i++) {
      landmarks68[i * 2] = pts[i].x * sx;
      landmarks68[i * 2 + 1] = pts[i].y * sy;
    }
    return {
      box: clampBox([b.x * sx, b.y * sy, b.width * sx, b.height * sy] as Box, width, height),
      confidence: r.detection.score,
      landmarks68,
      descriptor: r.descriptor ? Float32Array.from(r.descriptor) : undefined,
      detector: this.name,
    };
  }
}
