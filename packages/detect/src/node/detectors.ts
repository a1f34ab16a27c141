/**
 * Factories of the three detectors for Node, with the models loaded from the installed packages, and the
 * availability checks the registry uses.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { sep } from 'node:path';
import type { Availability } from '@facekit/core';
import { FacekitError } from '@facekit/core';
import { CombinedDetector, type CombinedDetectorOptions } from '../combined-detector.js';
import { FaceApiDetector, type FaceApiDetectorOptions } from '../faceapi-detector.js';
import { HumanDetector, type HumanDetectorOptions } from '../human-detector.js';
import type { FaceApiLike, HumanLike } from '../types.js';
import { initTfjs, missingFiles, modelFolders, REQUIRED_MODEL_FILES, requirePackageFile, wasmFolder } from './runtime.js';

/** The parts of Human's node-wasm module used here. */
interface HumanModule {
  Human: new (config: object) => HumanLike & {
    load(): Promise<void>;
    models: { loaded(): string[] };
  };
}

/** The parts of face-api's node-wasm module used to load nets. */
interface FaceApiModule {
  nets: Record<'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet', { isLoaded: boolean; loadFromDisk(path: string): Promise<void> }>;
}

/** Whether the Human detector's models are installed; reasons name the missing package or files. */
export function checkHuman(): Availability {
  const { human } = modelFolders();
  if (!human) return { available: false, reasons: ['npm package @vladmandic/human is not installed (npm install @vladmandic/human)'] };
  const missing = missingFiles(human, REQUIRED_MODEL_FILES.human);
  return missing.length
    ? { available: false, reasons: [`Human model files missing: ${missing.join(', ')} (reinstall @vladmandic/human)`] }
    : { available: true, reasons: [] };
}

/** Whether the face-api detector's models are installed for the given options. */
export function checkFaceApi(options: Pick<FaceApiDetectorOptions, 'boxDetector' | 'descriptors'> = {}): Availability {
  const { faceApi } = modelFolders();
  if (!faceApi) return { available: false, reasons: ['npm package @vladmandic/face-api is not installed (npm install @vladmandic/face-api)'] };
  const files = [
    ...(options.boxDetector === 'tiny' ? REQUIRED_MODEL_FILES.faceApiTiny : REQUIRED_MODEL_FILES.faceApiSsd),
    ...REQUIRED_MODEL_FILES.faceApiLandmarks,
    ...(options.descriptors === false ? [] : REQUIRED_MODEL_FILES.faceApiDescriptor),
  ];
  const missing = missingFiles(faceApi, files);
  return missing.length
    ? { available: false, reasons: [`face-api model files missing: ${missing.join(', ')} (reinstall @vladmandic/face-api)`] }
    : { available: true, reasons: [] };
}

function assertAvailable(what: string, a: Availability): void {
  if (!a.available) throw new FacekitError('ERR_DETECTOR_UNAVAILABLE', `${what} detector unavailable: ${a.reasons.join('; ')}`);
}

let humanInstance: Promise<HumanLike> | undefined;

/**
 * The shared Human instance: node-wasm build (its `exports` map omits it, so it is loaded by path), models
 * from the package's `models/` folder through the `file://` loader, every module but face detection, mesh and
 * iris off, and no caching between calls.
 */
export function loadHuman(): Promise<HumanLike> {
  return (humanInstance ??= (async () => {
    assertAvailable('human', checkHuman());
    await initTfjs();
    const mod = requirePackageFile<HumanModule>('@vladmandic/human', 'dist/human.node-wasm.js');
    const human = new mod.Human({
      backend: 'wasm',
      wasmPath: wasmFolder(),
      modelBasePath: pathToFileURL(modelFolders().human! + sep).href,
      debug: false,
      async: true,
      warmup: 'none',
      cacheModels: false,
      cacheSensitivity: 0,
      filter: { enabled: false },
      gesture: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      face: {
        enabled: true,
        // Rotation correction: the mesh runs on an upright crop, so tilted heads keep an accurate mesh.
        detector: { rotation: true, maxDetected: 20, minConfidence: 0.2, return: false, skipFrames: 0, skipTime: 0 },
        mesh: { enabled: true },
        iris: { enabled: true },
        attention: { enabled: false },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
    });
    await human.load();
    // Human logs a failed model load and carries on; fail loudly instead.
    const loaded = human.models.loaded();
    const missing = ['blazeface', 'facemesh', 'iris'].filter((m) => !loaded.includes(m));
    if (missing.length) throw new FacekitError('ERR_MODEL_LOAD', `Human did not load models: ${missing.join(', ')}`);
    return human;
  })().catch((error: unknown) => {
    humanInstance = undefined;
    throw error;
  }));
}

const faceApiLoads = new Map<string, Promise<void>>();

/** The face-api node-wasm module with the nets for `options` loaded from the package's `model/` folder. */
export async function loadFaceApi(options: Pick<FaceApiDetectorOptions, 'boxDetector' | 'descriptors'> = {}): Promise<FaceApiLike> {
  assertAvailable('face-api', checkFaceApi(options));
  await initTfjs();
  const mod = requirePackageFile<FaceApiModule & FaceApiLike>('@vladmandic/face-api', 'dist/face-api.node-wasm.js');
  const dir = modelFolders().faceApi!;
  const nets: Array<keyof FaceApiModule['nets']> = [
    options.boxDetector === 'tiny' ? 'tinyFaceDetector' : 'ssdMobilenetv1',
    'faceLandmark68Net',
    ...(options.descriptors === false ? [] : (['faceRecognitionNet'] as const)),
  ];
  await Promise.all(
    nets.map((n) => {
      let p = faceApiLoads.get(n);
      if (!p) {
        p = mod.nets[n].loadFromDisk(dir);
        faceApiLoads.set(n, p);
        p.catch(() => faceApiLoads.delete(n));
      }
      return p;
    }),
  );
  return mod;
}

/** Creates the `human` detector (478-point mesh + 68 landmarks), loading its models on first use. */
export async function createHumanDetector(options: HumanDetectorOptions = {}): Promise<HumanDetector> {
  return new HumanDetector(await loadHuman(), options);
}

/** Creates the `face-api` detector (boxes, 68 landmarks, 128-d descriptors), loading its nets on first use. */
export async function createFaceApiDetector(options: FaceApiDetectorOptions = {}): Promise<FaceApiDetector> {
  return new FaceApiDetector(await loadFaceApi(options), options);
}

/** Options of {@link createAutoDetector}. */
export interface AutoDetectorOptions extends CombinedDetectorOptions {
  human?: HumanDetectorOptions;
  faceApi?: FaceApiDetectorOptions;
}

/**
 * Creates the `auto` detector: Human first (dense mesh + 68 points), face-api when Human finds nothing
 * (`mode: 'merge'` runs both and adds face-api's descriptor to Human's faces).
 */
export async function createAutoDetector(options: AutoDetectorOptions = {}): Promise<CombinedDetector> {
  const [human, faceApi] = await Promise.all([createHumanDetector(options.human), createFaceApiDetector(options.faceApi)]);
  return new CombinedDetector(human, faceApi, options);
}
