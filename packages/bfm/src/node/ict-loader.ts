/**
 * Node loader of ICT-FaceKit: reads the upstream FaceXModel folder (full or trimmed OBJ files) once, in
 * parallel, and caches the result as one binary file so later loads take tens of milliseconds.
 * @module
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MissingFileError } from '@facekit/core';
import { writeFileAtomic } from '@facekit/core/node';
import type { LinearFaceModel } from '../linear-model.js';
import { decodeModelCache, encodeModelCache, MODEL_CACHE_VERSION } from '../io/model-cache.js';
import {
  ICT_IDENTITY_COUNT,
  ICT_NEUTRAL_FILE,
  ICT_SOURCE,
  IctModelBuilder,
  ictExpressionNames,
} from '../ict/ict-model.js';
import type { IctBuildOptions } from '../ict/ict-model.js';

/** Bump when the import itself changes (parsing, deltas, regions), so caches built by older code are rebuilt. */
const ICT_IMPORT_VERSION = 1;

/** Options of {@link loadIctFaceKit}. */
export interface IctLoadOptions {
  /** Number of identity modes (default 100). */
  identityCount?: number;
  /**
   * Folder for the binary cache. Default: env `FACEKIT_CACHE_DIR`, else `<folder>/.facekit-cache` when the
   * model folder is writable, else `~/.cache/facekit` (`$XDG_CACHE_HOME/facekit`).
   */
  cacheDir?: string;
  /** Set false to neither read nor write a cache (default true). */
  cache?: boolean;
  /** Files read at once during the first import (default 8). */
  concurrency?: number;
}

/** How a model was loaded, for logs, tests and benchmarks. */
export interface IctLoadInfo {
  model: LinearFaceModel;
  /** `cache` when the binary cache was valid, `obj` when the OBJ files were imported. */
  source: 'cache' | 'obj';
  /** The cache file read or written (undefined when caching is off). */
  cachePath?: string;
  /** Why the cache could not be written, when it could not (the model is still returned). */
  cacheWriteError?: string;
  /** Milliseconds spent in total. */
  ms: number;
}

const HOW_TO_GET =
  `ICT-FaceKit is an open (MIT) face model: download the FaceXModel folder of ${ICT_SOURCE.replace(' (folder FaceXModel)', '')} ` +
  `and point facekit at it (loadIctFaceKit(folder), env FACEKIT_ICT_DIR, or ~/.facekit/models/ict-facekit).`;

/**
 * The folder facekit uses for ICT-FaceKit when none is given: env `FACEKIT_ICT_DIR`, else
 * `~/.facekit/models/ict-facekit`.
 */
export function defaultIctFolder(): string {
  const env = process.env.FACEKIT_ICT_DIR;
  return env && env.trim() ? resolve(env) : join(homedir(), '.facekit', 'models', 'ict-facekit');
}

/**
 * Loads ICT-FaceKit from `folder` (default {@link defaultIctFolder}) as a {@link LinearFaceModel}: V = 26719
 * vertices in centimetres, blocks `identity[100]` (~N(0,1)) and `expression[53]` (ARKit weights in [0, 1]).
 * @throws MissingFileError when the folder or one of its files is missing (the message says where to get it).
 * @throws FormatError when a file is damaged.
 */
export async function loadIctFaceKit(folder?: string, options: IctLoadOptions = {}): Promise<LinearFaceModel> {
  return (await loadIctFaceKitWithInfo(folder, options)).model;
}

/** {@link loadIctFaceKit}, also saying whether the cache was used and how long it took. */
export async function loadIctFaceKitWithInfo(folder: string = defaultIctFolder(), options: IctLoadOptions = {}): Promise<IctLoadInfo> {
  const t0 = performance.now();
  const dir = resolve(folder);
  const entries = await listFolder(dir);
  if (!entries.has(ICT_NEUTRAL_FILE)) throw new MissingFileError(join(dir, ICT_NEUTRAL_FILE), 'ICT-FaceKit neutral mesh', HOW_TO_GET);
  const identityCount = options.identityCount ?? ICT_IDENTITY_COUNT;
  const fingerprint = await fingerprintFolder(dir, entries, identityCount);

  const useCache = options.cache !== false;
  const cachePath = useCache ? join(await resolveCacheDir(dir, options.cacheDir), `ict-facekit-${hash(dir).slice(0, 12)}.fkm`) : undefined;
  if (cachePath) {
    const cached = await readCache(cachePath, fingerprint);
    if (cached) return { model: cached, source: 'cache', cachePath, ms: performance.now() - t0 };
  }

  const model = await importFolder(dir, entries, { identityCount }, options.concurrency ?? 8);
  let cacheWriteError: string | undefined;
  if (cachePath) {
    try {
      await writeFileAtomic(cachePath, encodeModelCache(model, { fingerprint }));
    } catch (error) {
      // A read-only cache location must not make the model unusable: report it and go on.
      cacheWriteError = error instanceof Error ? error.message : String(error);
    }
  }
  return {
    model,
    source: 'obj',
    ...(cachePath ? { cachePath } : {}),
    ...(cacheWriteError ? { cacheWriteError } : {}),
    ms: performance.now() - t0,
  };
}

/**
 * Imports the OBJ files (no cache). Files are read `concurrency` at a time while the previous ones are parsed,
 * so disk reads overlap parsing.
 */
export async function importIctFolder(folder: string, options: IctBuildOptions & { concurrency?: number } = {}): Promise<LinearFaceModel> {
  const dir = resolve(folder);
  return importFolder(dir, await listFolder(dir), options, options.concurrency ?? 8);
}

async function importFolder(dir: string, entries: Set<string>, options: IctBuildOptions, concurrency: number): Promise<LinearFaceModel> {
  const [neutral, json] = await Promise.all([
    readFile(join(dir, ICT_NEUTRAL_FILE)),
    entries.has('vertex_indices.json') ? readFile(join(dir, 'vertex_indices.json')) : Promise.resolve(undefined),
  ]);
  const expressionNames = options.expressionNames ?? ictExpressionNames(json);
  const builder = new IctModelBuilder(neutral, { ...options, expressionNames });
  const files = builder.files();
  const missing = files.filter((f) => !entries.has(f.file));
  if (missing.length) {
    throw new MissingFileError(
      join(dir, missing[0].file),
      `ICT-FaceKit shape file${missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 4).map((f) => f.file).join(', ')}${missing.length > 4 ? ', ...' : ''})` : ''}`,
      HOW_TO_GET,
    );
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const { file, mode } = files[next++];
      const bytes = await readFile(join(dir, file));
      builder.addShape(mode, bytes, file);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, files.length)) }, worker));
  return builder.build();
}

async function listFolder(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MissingFileError(dir, 'ICT-FaceKit model folder', HOW_TO_GET);
    throw error;
  }
}

/**
 * Identifies the source: names, sizes and modification times of the folder's .obj/.json files, plus the import
 * options and versions. Any touched, added or removed file changes it, and the cache is rebuilt.
 */
async function fingerprintFolder(dir: string, entries: Set<string>, identityCount: number): Promise<string> {
  const names = [...entries].filter((n) => n.endsWith('.obj') || n.endsWith('.json')).sort();
  const stats = await Promise.all(names.map((n) => stat(join(dir, n))));
  const lines = names.map((n, i) => `${n}:${stats[i].size}:${Math.round(stats[i].mtimeMs * 1000)}`);
  lines.push(`identities:${identityCount}`, `import:${ICT_IMPORT_VERSION}`, `format:${MODEL_CACHE_VERSION}`);
  return hash(lines.join('\n'));
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function resolveCacheDir(dir: string, explicit?: string): Promise<string> {
  if (explicit) return resolve(explicit);
  const env = process.env.FACEKIT_CACHE_DIR;
  if (env && env.trim()) return resolve(env);
  if (await isWritableDir(dir)) return join(dir, '.facekit-cache');
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.trim() ? xdg : join(homedir(), '.cache'), 'facekit');
}

/**
 * Whether facekit may write into the model folder. A folder whose permission bits deny writing counts as
 * read-only even for root (for whom `access` always succeeds), so shared read-only model copies stay untouched.
 */
async function isWritableDir(dir: string): Promise<boolean> {
  try {
    const s = await stat(await realpath(dir));
    if ((s.mode & 0o222) === 0) return false;
    await access(dir, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function readCache(path: string, fingerprint: string): Promise<LinearFaceModel | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  try {
    const decoded = decodeModelCache(bytes);
    return decoded.fingerprint === fingerprint ? decoded.model : undefined;
  } catch {
    // A damaged or old-format cache is rebuilt, never an error.
    return undefined;
  }
}
