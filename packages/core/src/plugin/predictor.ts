import type { Image } from '../image/image.js';
import type { Detector, DetectedFace } from './detector.js';
import type { FaceModel } from './face-model.js';
import type { Reconstruction } from './reconstruction.js';

/** Options of one prediction. Predictors extend it with their own fields. */
export interface PredictOptions {
  /** The face to reconstruct, when the caller already ran detection. */
  face?: DetectedFace;
  /** Detector to use when `face` is absent. */
  detector?: Detector;
  /** Face model to decode with, for model-agnostic methods (the fitter). */
  model?: FaceModel;
  /** Cancels a long prediction. */
  signal?: AbortSignal;
}

/** Image to a {@link Reconstruction}: a network, an optimiser, or a user's own method. */
export interface Predictor<O extends PredictOptions = PredictOptions> {
  readonly name: string;
  /** Id of the face model the predictor decodes with, if fixed (DECA: `flame`). */
  readonly modelId?: string;
  predict(image: Image, options?: O): Promise<Reconstruction>;
  /**
   * Reconstructs several photos of one person with one shared identity and per-photo expression, pose and
   * lighting (the shape consistency of RingNet and DECA). Optional: methods without it reconstruct each photo
   * on its own. `options.faces[i]` is the face to use in `images[i]`.
   */
  predictSamePerson?(images: readonly Image[], options: O & { faces: readonly DetectedFace[] }): Promise<Reconstruction[]>;
  dispose?(): Promise<void> | void;
}
