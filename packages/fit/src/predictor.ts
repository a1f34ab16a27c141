/**
 * The `fit` {@link Predictor}: analysis-by-synthesis fitting of any face model to a photo, and
 * {@link fitSamePerson} for several photos of one person.
 * @module
 */
import {
  FacekitError,
  type DetectedFace,
  type Detector,
  type FaceModel,
  type Image,
  type PredictOptions,
  type Predictor,
  type Reconstruction,
} from '@facekit/core';
import type { DenseCorrespondence } from './dense.js';
import { fitFace, fitFaces, type FitOptions } from './fit.js';

/** Options of one `fit` prediction: the core predict options plus every {@link FitOptions} field. */
export interface FitPredictOptions extends PredictOptions, FitOptions {}

/** Something given directly or produced on first use (models and detectors load lazily). */
export type Lazy<T> = T | (() => T | Promise<T>);

/** Configuration of a {@link FitPredictor}. */
export interface FitPredictorConfig {
  /** Default face model (used when a prediction names none). */
  model?: Lazy<FaceModel>;
  /** Default detector (used when a prediction gives no `face`). */
  detector?: Lazy<Detector>;
  /** Dense correspondence for a model (e.g. the cached one of `@facekit/fit/node`). */
  denseCorrespondence?: (model: FaceModel) => Promise<DenseCorrespondence | undefined>;
  /** Defaults merged under each prediction's options. */
  defaults?: FitOptions;
}

async function resolveLazy<T>(v: Lazy<T> | undefined): Promise<T | undefined> {
  if (v === undefined) return undefined;
  return typeof v === 'function' ? await (v as () => T | Promise<T>)() : v;
}

function largest(faces: DetectedFace[]): DetectedFace | undefined {
  let best: DetectedFace | undefined;
  for (const f of faces) if (!best || f.box[2] * f.box[3] > best.box[2] * best.box[3]) best = f;
  return best;
}

/** The `fit` predictor (see the package README for the method). */
export class FitPredictor implements Predictor<FitPredictOptions> {
  readonly name = 'fit';
  private readonly config: FitPredictorConfig;
  private model?: Promise<FaceModel | undefined>;
  private detector?: Promise<Detector | undefined>;

  constructor(config: FitPredictorConfig = {}) {
    this.config = config;
  }

  /** The model a prediction uses: `options.model`, else the configured default. */
  async resolveModel(options: PredictOptions = {}): Promise<FaceModel> {
    if (options.model) return options.model;
    this.model ??= resolveLazy(this.config.model);
    const m = await this.model;
    if (!m) throw new FacekitError('ERR_FIT_MODEL', 'the fit predictor needs a face model: pass options.model or configure one (the node entry defaults to ICT-FaceKit)');
    return m;
  }

  /** The face a prediction fits: `options.face`, else the largest face of the detector. */
  async resolveFace(image: Image, options: PredictOptions = {}): Promise<DetectedFace> {
    if (options.face) return options.face;
    let detector = options.detector;
    if (!detector) {
      this.detector ??= resolveLazy(this.config.detector);
      detector = await this.detector;
    }
    if (!detector) throw new FacekitError('ERR_FIT_DETECTOR', 'the fit predictor needs a face: pass options.face or options.detector');
    const t = performance.now();
    const face = largest(await detector.detect(image));
    if (!face) throw new FacekitError('ERR_NO_FACE', 'no face found in the image');
    this.lastDetectMs = performance.now() - t;
    return face;
  }

  private lastDetectMs = 0;

  async predict(image: Image, options: FitPredictOptions = {}): Promise<Reconstruction> {
    const t0 = performance.now();
    this.lastDetectMs = 0;
    const model = await this.resolveModel(options);
    const face = await this.resolveFace(image, options);
    const merged: FitOptions = { ...this.config.defaults, ...options };
    if (!merged.denseCorrespondence && face.dense && this.config.denseCorrespondence) {
      merged.denseCorrespondence = await this.config.denseCorrespondence(model);
    }
    const { reconstruction } = fitFace(image, face, model, merged);
    if (this.lastDetectMs) reconstruction.timings.detect = this.lastDetectMs;
    reconstruction.timings.predict = performance.now() - t0;
    return reconstruction;
  }

  /**
   * Fits several photos of one person with one shared identity (see {@link fitSamePerson}); `options.faces[i]`
   * is the face in `images[i]`. The model is `options.model` or the configured default.
   */
  async predictSamePerson(images: readonly Image[], options: FitPredictOptions & { faces: readonly DetectedFace[] }): Promise<Reconstruction[]> {
    const t0 = performance.now();
    const model = await this.resolveModel(options);
    const { faces, ...rest } = options;
    const merged: FitOptions = { ...this.config.defaults, ...rest };
    if (!merged.denseCorrespondence && faces.every((f) => f.dense) && this.config.denseCorrespondence) {
      merged.denseCorrespondence = await this.config.denseCorrespondence(model);
    }
    const recs = fitFaces(images, faces, model, merged).map((r) => r.reconstruction);
    const each = (performance.now() - t0) / Math.max(1, images.length);
    for (const r of recs) r.timings.predict = each;
    return recs;
  }
}

/** Creates a {@link FitPredictor}. */
export function createFitPredictor(config: FitPredictorConfig = {}): FitPredictor {
  return new FitPredictor(config);
}

/** Options of {@link fitSamePerson}: the fit options plus the (required) face model. */
export interface FitSamePersonOptions extends FitOptions {
  /** The face model all photos are fitted with. */
  model: FaceModel;
}

/**
 * Fits several photos of the same person jointly: ONE identity shared by all photos, and per photo its own
 * expression, pose, lighting, albedo and detail. Returns one {@link Reconstruction} per photo, in order; each
 * one's `model.params` holds the same identity block values.
 *
 * @param images the photos (any sizes).
 * @param faces one detection per photo, with `box` and `landmarks68` (`dense` is used when a correspondence
 *   is given in the options).
 * @param options fit options and the face model.
 * @throws RangeError when the counts differ; FacekitError when a face has no 68 landmarks.
 */
export function fitSamePerson(images: readonly Image[], faces: readonly DetectedFace[], options: FitSamePersonOptions): Reconstruction[] {
  return fitFaces(images, faces, options.model, options).map((r) => r.reconstruction);
}
