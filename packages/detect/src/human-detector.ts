/**
 * The `human` detector: BlazeFace boxes + the 478-point MediaPipe face mesh from `@vladmandic/human`, with the
 * 68 landmarks derived from the mesh ({@link meshToLandmarks68}). Browser-safe: it takes a ready `Human`
 * instance; `@facekit/detect/node` builds one that loads the models from the installed package.
 * @module
 */
import type { Box, DetectedFace, Detector, DetectOptions, Image } from '@facekit/core';
import { FacekitError } from '@facekit/core';
import { clampBox, DEFAULT_MAX_DETECTION_SIDE, DEFAULT_MIN_CONFIDENCE, prepareDetectionInput, selectFaces } from './geometry.js';
import { meshToLandmarks68 } from './mesh68.js';
import { SerialQueue } from './serial.js';
import type { HumanFaceLike, HumanLike } from './types.js';

/** Options of {@link HumanDetector}. */
export interface HumanDetectorOptions {
  /** Registry / report name. Default `human`. */
  name?: string;
  /** Longest side the image is downscaled to before detection. Default {@link DEFAULT_MAX_DETECTION_SIDE}. */
  maxDetectionSide?: number;
  /** Most faces Human looks for (its BlazeFace keeps the best-scoring ones). Default 20. */
  maxFaces?: number;
}

/**
 * Face boxes, dense 478 x 3 mesh and 68 landmarks from Human.
 *
 * Output per face: `box` `[x, y, w, h]` (Human's box around the mesh, original pixels); `dense` 478 x 3
 * (468 face points + 10 iris points when Human's iris model is on), x/y in original pixels, z in the same pixel
 * scale relative to the face centre (Human's z is in pixels of its 192 px face crop; it is scaled by the
 * downscale factor only, so treat it as relative depth); `landmarks68` 68 x 2; `confidence` =
 * `sqrt(boxScore * faceScore)` so both the box and the mesh network must agree it is a face.
 */
export class HumanDetector implements Detector {
  readonly name: string;
  readonly outputs = ['box', 'landmarks68', 'dense'] as const;
  private readonly human: HumanLike;
  private readonly maxSide: number;
  private readonly maxFaces: number;
  private readonly queue = new SerialQueue();

  constructor(human: HumanLike, options: HumanDetectorOptions = {}) {
    this.human = human;
    this.name = options.name ?? 'human';
    this.maxSide = options.maxDetectionSide ?? DEFAULT_MAX_DETECTION_SIDE;
    this.maxFaces = options.maxFaces ?? 20;
  }

  detect(image: Image, options: DetectOptions = {}): Promise<DetectedFace[]> {
    return this.queue.run(() => this.run(image, options));
  }

  private async run(image: Image, options: DetectOptions): Promise<DetectedFace[]> {
    const input = prepareDetectionInput(image, this.maxSide, { padToSquare: true });
    const min = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
    const tensor = this.human.tf.tensor3d(Int32Array.from(input.rgb), [input.height, input.width, 3], 'int32');
    let result: Awaited<ReturnType<HumanLike['detect']>>;
    try {
      result = await this.human.detect(tensor, {
        // Still photos: no frame-to-frame box caching, which would reuse a previous image's faces.
        cacheSensitivity: 0,
        face: {
          detector: {
            // Human filters both the box and the mesh score with this; filter on our combined score below,
            // so let weaker candidates through here.
            minConfidence: Math.min(min, 0.2),
            maxDetected: this.maxFaces,
            skipFrames: 0,
            skipTime: 0,
          },
        },
      });
    } finally {
      tensor.dispose();
    }
    if (result.error) throw new FacekitError('ERR_DETECT', `human detector failed: ${result.error}`);
    const faces = result.face.map((f) => this.toFace(f, input.scaleX, input.scaleY, image.width, image.height));
    return selectFaces(faces, options);
  }

  private toFace(f: HumanFaceLike, sx: number, sy: number, width: number, height: number): DetectedFace {
    const n = f.mesh.length;
    const dense = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const p = f.mesh[i];
      // Human truncates coordinates to whole pixels (floor for positive values): +0.5 puts each point back at
      // the centre of its truncation interval, which removes a systematic half-pixel up-left shift.
      dense[i * 3] = (p[0] + 0.5) * sx;
      dense[i * 3 + 1] = (p[1] + 0.5) * sy;
      dense[i * 3 + 2] = (p[2] ?? 0) * sx;
    }
    const box = clampBox([f.box[0] * sx, f.box[1] * sy, f.box[2] * sx, f.box[3] * sy] as Box, width, height);
    return {
      box,
      confidence: Math.sqrt(Math.max(0, f.boxScore) * Math.max(0, f.faceScore)),
      landmarks68: n >= 468 ? meshToLandmarks68(dense, 3) : undefined,
      dense,
      detector: this.name,
    };
  }
}
