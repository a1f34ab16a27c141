/**
 * Node runtime of the detectors: tfjs on the WASM backend (tfjs-node does not install everywhere; WASM runs on
 * any Node), model files read from the installed npm packages' folders, never from the network.
 *
 * Initialisation is lazy and shared: the first detector created pays for the backend start (~0.3 s) and its
 * models; later ones reuse them.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TfModule from '@tensorflow/tfjs';
import { FacekitError, MissingFileError } from '@facekit/core';

const require = createRequire(import.meta.url);

/** The tfjs namespace as imported (one shared copy: Human's and face-api's node builds `require` the same one). */
export type Tfjs = typeof TfModule;

/**
 * Finds the root folder of an installed package. Resolves its main entry and walks up to the `package.json`
 * naming it, because `@vladmandic/human`'s `exports` map hides `./package.json` and its subpaths.
 */
export function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name) return dir;
      } catch {
        // A malformed package.json of some nested folder: keep walking up.
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new FacekitError('ERR_PACKAGE', `cannot find the package.json of ${name}`);
    dir = up;
  }
}

/** Root of an installed package, or undefined when it is not installed. */
export function tryPackageDir(name: string): string | undefined {
  try {
    return packageDir(name);
  } catch {
    return undefined;
  }
}

/** Where the model files are: `@vladmandic/human/models` and `@vladmandic/face-api/model`. */
export interface ModelFolders {
  human?: string;
  faceApi?: string;
}

/** The model folders of the installed packages (undefined for a package that is not installed). */
export function modelFolders(): ModelFolders {
  const h = tryPackageDir('@vladmandic/human');
  const f = tryPackageDir('@vladmandic/face-api');
  return { human: h && join(h, 'models'), faceApi: f && join(f, 'model') };
}

/** Files each detector needs, relative to its package's model folder. */
export const REQUIRED_MODEL_FILES = {
  human: ['blazeface.json', 'blazeface.bin', 'facemesh.json', 'facemesh.bin', 'iris.json', 'iris.bin'],
  faceApiSsd: ['ssd_mobilenetv1_model-weights_manifest.json', 'ssd_mobilenetv1_model.bin'],
  faceApiTiny: ['tiny_face_detector_model-weights_manifest.json', 'tiny_face_detector_model.bin'],
  faceApiLandmarks: ['face_landmark_68_model-weights_manifest.json', 'face_landmark_68_model.bin'],
  faceApiDescriptor: ['face_recognition_model-weights_manifest.json', 'face_recognition_model.bin'],
} as const;

/** Paths of the listed files that do not exist in `folder`. */
export function missingFiles(folder: string, files: readonly string[]): string[] {
  return files.map((f) => join(folder, f)).filter((p) => !existsSync(p) || !statSync(p).isFile());
}

let tfReady: Promise<Tfjs> | undefined;

/**
 * Imports tfjs, points the WASM backend at the `.wasm` files inside the installed
 * `@tensorflow/tfjs-backend-wasm/dist`, selects it and registers the `file://` model loader. Runs once.
 *
 * In Node the backend reads the `.wasm` with `fs.readFileSync` when given a plain folder path (Emscripten's
 * Node branch never fetches), so the prefix is a path ending in the separator, not a URL. SIMD is used when
 * the engine validates it (Node >= 16); tfjs turns WASM threads off under Node (tfjs issue #3830: its pthread
 * workers are Blob URLs, which `worker_threads` cannot start), so one core does the work.
 */
export function initTfjs(): Promise<Tfjs> {
  return (tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const wasmDir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + sep;
    wasm.setWasmPaths(wasmDir);
    if (!(await tf.setBackend('wasm'))) {
      throw new FacekitError('ERR_BACKEND', `tfjs could not start the WASM backend (wasm files in ${wasmDir})`);
    }
    await tf.ready();
    registerFileLoader(tf);
    return tf;
  })().catch((error: unknown) => {
    tfReady = undefined; // let a later call retry after the user fixes the install
    throw error;
  }));
}

/** The `.wasm` folder {@link initTfjs} uses (for Human's `wasmPath`, which it sets again on load). */
export function wasmFolder(): string {
  return join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + sep;
}

/** Whether the WASM backend runs with SIMD / threads (after {@link initTfjs}). */
export async function wasmFeatures(): Promise<{ simd: boolean; threads: boolean }> {
  const tf = await initTfjs();
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

/** The layout of a tfjs `model.json` (graph or layers model) as written by the converter. */
interface ModelJson {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: Array<{ paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }>;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
  modelInitializer?: object;
}

/**
 * A tfjs IOHandler that reads a `model.json` and its weight shards from disk (what `tf.io.fileSystem` does in
 * tfjs-node, which is not available here). Shards are concatenated in manifest order, as tfjs expects.
 */
export function fileModelHandler(tf: Tfjs, modelJsonPath: string): TfModule.io.IOHandler {
  return {
    load: async (): Promise<TfModule.io.ModelArtifacts> => {
      if (!existsSync(modelJsonPath)) {
        throw new MissingFileError(modelJsonPath, 'tfjs model file', 'Reinstall the npm package that ships it.');
      }
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
      const dir = dirname(modelJsonPath);
      const weightSpecs: TfModule.io.WeightsManifestEntry[] = [];
      const shards: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) shards.push(readFileSync(join(dir, p)));
      }
      const total = shards.reduce((n, s) => n + s.byteLength, 0);
      const weightData = new Uint8Array(total);
      let o = 0;
      for (const s of shards) {
        weightData.set(s, o);
        o += s.byteLength;
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        weightSpecs,
        weightData: weightData.buffer,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
      };
    },
  };
}

let fileLoaderRegistered = false;

/**
 * Registers a tfjs load router for `file://` URLs (Human builds model URLs from `modelBasePath`, and Node's
 * `fetch` refuses `file://`). Skipped when another router already handles `file://` (tfjs-node does).
 */
function registerFileLoader(tf: Tfjs): void {
  if (fileLoaderRegistered) return;
  fileLoaderRegistered = true;
  const probe = pathToFileURL(resolve('facekit-probe.json')).href;
  if (tf.io.getLoadHandlers(probe).length > 0) return;
  const router = (url: string | string[]): TfModule.io.IOHandler | null => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== 'string' || !u.startsWith('file://')) return null;
    return fileModelHandler(tf, fileURLToPath(u));
  };
  // tfjs' IORouter type omits the `null` ("not mine") every router returns and the registry skips.
  tf.io.registerLoadRouter(router as Parameters<Tfjs["io"]["registerLoadRouter"]>[0]);
}

/** Loads a CommonJS file of an installed package by path (for builds its `exports` map does not list). */
export function requirePackageFile<T>(pkg: string, file: string): T {
  return require(join(packageDir(pkg), file)) as T;
}
