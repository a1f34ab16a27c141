/**
 * The slices of the Human and face-api APIs the detectors use, as structural types, so this package's public
 * API names no library type (their bundled tfjs typings drift between versions) and a test can pass a fake.
 * @module
 */

/** A tensor the detectors create and dispose; nothing else of it is used. */
export interface TensorLike {
  dispose(): void;
}

/** The one tfjs call the detectors need: an int32 `[height, width, 3]` tensor from RGB bytes. */
export interface TensorFactory {
  tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): TensorLike;
}

/** One face of a Human result (the fields used). Coordinates are pixels of the input tensor. */
export interface HumanFaceLike {
  /** `[x, y, w, h]`. */
  box: readonly number[];
  /** BlazeFace box confidence (rounded to 0.01 by Human). */
  boxScore: number;
  /** Face-mesh "is a face" confidence (rounded to 0.01 by Human). */
  faceScore: number;
  /** 468 or 478 points `[x, y, z]`; Human truncates them to whole pixels. */
  mesh: ReadonlyArray<readonly number[]>;
}

/**
 * What {@link HumanDetector} needs of a `Human` instance from `@vladmandic/human` (a `new Human(config)` whose
 * models are loaded). `config` is a partial Human configuration merged for one call.
 */
export interface HumanLike {
  readonly tf: TensorFactory;
  detect(input: TensorLike, config?: object): Promise<{ face: HumanFaceLike[]; error?: string | null }>;
}

/** A face-api point. */
export interface FaceApiPointLike {
  x: number;
  y: number;
}

/** One face of a face-api `detectAllFaces(...).withFaceLandmarks()[.withFaceDescriptors()]` result. */
export interface FaceApiResultLike {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  landmarks: { positions: FaceApiPointLike[] };
  descriptor?: Float32Array;
}

/** The landmark stage of a face-api task chain; awaitable, optionally followed by descriptors. */
export interface FaceApiLandmarksTaskLike extends PromiseLike<FaceApiResultLike[]> {
  withFaceDescriptors(): PromiseLike<FaceApiResultLike[]>;
}

/**
 * What {@link FaceApiDetector} needs of the `@vladmandic/face-api` module namespace (with the chosen detector,
 * the 68-point net and, for descriptors, the recognition net loaded).
 */
export interface FaceApiLike {
  readonly tf: TensorFactory;
  readonly SsdMobilenetv1Options: new (options: { minConfidence?: number; maxResults?: number }) => object;
  readonly TinyFaceDetectorOptions: new (options: { inputSize?: number; scoreThreshold?: number }) => object;
  detectAllFaces(input: TensorLike, options: object): { withFaceLandmarks(): FaceApiLandmarksTaskLike };
}
