/**
 * The `facemesh` predictor: the 478-point MediaPipe face mesh from a detector, turned into a metric face mesh in a
 * canonical frontal frame, an orthographic camera that puts it back on the photo exactly, the head pose, 68
 * landmarks and a UV texture sampled from the photo. No network of its own: the detector's mesh is the shape.
 * @module
 */
import {
  computeVertexNormals,
  FacekitError,
  type DetectedFace,
  type Detector,
  type Image,
  type Mesh,
  type PredictOptions,
  type Predictor,
  type Reconstruction,
} from '@facekit/core';
import { MESH_TO_68, meshToLandmarks68 } from '@facekit/detect';
import { denseToFaceFrame, type FaceFrameOptions } from './geometry.js';
import { sampleFaceTexture, type FaceTextureOptions } from './texture.js';
import { MEDIAPIPE_VERTEX_COUNT, mediapipeTriangles, mediapipeUVs } from './topology/index.js';

/** Per-call options of {@link FaceMeshPredictor.predict}. */
export interface FaceMeshPredictOptions extends PredictOptions, Pick<FaceFrameOptions, 'interOcularMm' | 'zScale'> {
  /** Texture side in texels; 0 skips the texture. Default: the predictor's (512). */
  textureSize?: number;
}

/** Options of the {@link FaceMeshPredictor} constructor. */
export interface FaceMeshPredictorOptions {
  /**
   * Detector used when a call passes neither `face` nor `detector`: an instance or a factory called once, on
   * first need. It must output `dense` 478 (or 468) x 3 points in MediaPipe order (the `human` detector).
   */
  detector?: Detector | (() => Detector | Promise<Detector>);
  /** Default texture side in texels; 0 for no texture. Default 512. */
  textureSize?: number;
  /** Eye-centre distance the face is scaled to, mm. Default 63 (`DEFAULT_INTER_OCULAR_MM`). */
  interOcularMm?: number;
  /** Texture sampling options (facing threshold, visibility raster). */
  texture?: Omit<FaceTextureOptions, 'size'>;
}

/** What the facemesh method adds to the common {@link Reconstruction} fields. */
export interface FaceMeshDetails {
  /** `Float32Array` 10 x 3 iris points (Human's 468..477: right iris centre + 4, left iris centre + 4), mesh frame, mm. */
  iris?: Float32Array;
  /** Image pixels per millimetre (the camera scale). */
  pixelsPerMm: number;
  /** Image pixels per unit of the detector's z, as estimated (or given). */
  zScale: number;
  /** RMS distance (mm) between the aligned reference face and the mesh; large values flag odd detections. */
  referenceRms: number;
  /** `Uint8Array` size*size: how each texel was obtained ({@link TexelSource}); with a texture only. */
  textureSource?: Uint8Array;
  /** Median face colour in the photo, RGB 0..255; with a texture only. */
  faceColour?: [number, number, number];
}

/** A facemesh {@link Reconstruction}: `units` 'mm', orthographic camera, plus {@link FaceMeshDetails}. */
export interface FaceMeshReconstruction extends Reconstruction {
  details: FaceMeshDetails;
}

/** The 68 landmarks on a 468 x 3 mesh with the {@link MESH_TO_68} mapping (mean of one or two vertices): 68 x 3. */
export function meshLandmarks3d(positions: Float32Array): Float32Array {
  const out = new Float32Array(68 * 3);
  for (let k = 0; k < 68; k++) {
    const ix = MESH_TO_68[k];
    for (const i of ix) {
      out[3 * k] += positions[3 * i];
      out[3 * k + 1] += positions[3 * i + 1];
      out[3 * k + 2] += positions[3 * i + 2];
    }
    out[3 * k] /= ix.length; out[3 * k + 1] /= ix.length; out[3 * k + 2] /= ix.length;
  }
  return out;
}

/**
 * Predictor `facemesh`. Output frames and units (see `geometry.ts`):
 * - `mesh`: 468 vertices, MediaPipe topology (898 triangles, counter-clockwise from the front) and UVs,
 *   positions in **mm** in a canonical frontal frame: x to the subject's left, y up, z out of the face, origin
 *   at the vertex centroid, head rotation removed; scaled so the eye centres are 63 mm apart.
 * - `camera`: orthographic, `rotation` = head rotation, `scale` = pixels per mm; `project(camera, mesh)`
 *   returns the detector's pixels.
 * - `pose`: the camera rotation as yaw/pitch/roll degrees (core convention; positive yaw = nose to image right).
 * - `landmarks2d` 68 x 2 image pixels = `landmarks3d` 68 x 3 (mm, mesh frame) projected by `camera`.
 * - `texture`: 512 x 512 RGB u8 in the mesh's UV layout.
 */
export class FaceMeshPredictor implements Predictor<FaceMeshPredictOptions> {
  readonly name = 'facemesh';
  private readonly detectorSource?: Detector | (() => Detector | Promise<Detector>);
  private detectorPromise?: Promise<Detector>;
  private readonly textureSize: number;
  private readonly interOcularMm?: number;
  private readonly textureOptions: Omit<FaceTextureOptions, 'size'>;

  constructor(options: FaceMeshPredictorOptions = {}) {
    this.detectorSource = options.detector;
    this.textureSize = options.textureSize ?? 512;
    this.interOcularMm = options.interOcularMm;
    this.textureOptions = options.texture ?? {};
  }

  /** The default detector (created on first call). */
  detector(): Promise<Detector> {
    const src = this.detectorSource;
    if (!src) {
      return Promise.reject(new FacekitError(
        'ERR_NO_DETECTOR',
        'facemesh needs a face: pass options.face (a DetectedFace with dense points) or options.detector, or create the predictor with a detector (createFaceMeshPredictor() in @facekit/facemesh/node uses Human)',
      ));
    }
    if (typeof src !== 'function') return Promise.resolve(src);
    this.detectorPromise ??= Promise.resolve().then(src);
    // A failed creation is not kept, so a later call can retry after the cause is fixed.
    this.detectorPromise.catch(() => { this.detectorPromise = undefined; });
    return this.detectorPromise;
  }

  async predict(image: Image, options: FaceMeshPredictOptions = {}): Promise<FaceMeshReconstruction> {
    options.signal?.throwIfAborted();
    const timings: Record<string, number> = {};
    let face: DetectedFace | undefined = options.face;
    if (!face) {
      const t = performance.now();
      const detector = options.detector ?? (await this.detector());
      const faces = await detector.detect(image);
      timings.detect = performance.now() - t;
      face = faces[0];
      if (!face) throw new FacekitError('ERR_NO_FACE', `detector "${detector.name}" found no face in the ${image.width} x ${image.height} image`);
    }
    options.signal?.throwIfAborted();
    const dense = face.dense;
    if (!dense || dense.length < MEDIAPIPE_VERTEX_COUNT * 3) {
      throw new FacekitError(
        'ERR_NO_DENSE_LANDMARKS',
        `the face from detector "${face.detector}" has no 468-point dense mesh (got ${dense ? dense.length / 3 : 0} points); facemesh needs the human detector (or auto)`,
      );
    }

    const t0 = performance.now();
    const frame = denseToFaceFrame(dense, {
      interOcularMm: options.interOcularMm ?? this.interOcularMm,
      zScale: options.zScale,
    });
    const triangles = mediapipeTriangles();
    const mesh: Mesh = {
      positions: frame.positions,
      triangles,
      uvs: mediapipeUVs(),
      normals: computeVertexNormals(frame.positions, triangles),
    };
    const landmarks3d = meshLandmarks3d(frame.positions);
    // The same mapping on the detector's pixels: equal to projecting landmarks3d with the camera.
    const landmarks2d = meshToLandmarks68(dense, 3);
    const details: FaceMeshDetails = {
      iris: frame.iris,
      pixelsPerMm: frame.pixelsPerMm,
      zScale: frame.zScale,
      referenceRms: frame.referenceRms,
    };
    const result: FaceMeshReconstruction = {
      method: this.name,
      mesh,
      units: 'mm',
      camera: frame.camera,
      pose: frame.pose,
      box: face.box,
      confidence: face.confidence,
      landmarks2d,
      landmarks3d,
      timings,
      details,
    };
    const size = options.textureSize ?? this.textureSize;
    if (size > 0) {
      const t = performance.now();
      const tex = sampleFaceTexture(image, mesh, frame.camera, { ...this.textureOptions, size });
      result.texture = tex.texture;
      details.textureSource = tex.source;
      details.faceColour = tex.faceColour;
      timings.texture = performance.now() - t;
    }
    timings.predict = performance.now() - t0;
    return result;
  }
}
