/**
 * Registers the `ict-facekit` face model in facekit's default registry. Node only (it looks for the model
 * folder on disk); imported for its side effect by `@facekit/bfm/node`, so the browser entry stays free of `fs`.
 *
 * The folder is env `FACEKIT_ICT_DIR`, else `~/.facekit/models/ict-facekit`. `check()` reports a missing folder
 * with where to get the model; `create()` loads it (from the binary cache after the first time).
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerFaceModel, registries } from '@facekit/core';
import type { Availability, FaceModel } from '@facekit/core';
import { ICT_MODEL_ID, ICT_NEUTRAL_FILE, ICT_SOURCE } from '../ict/ict-model.js';
import { defaultIctFolder, loadIctFaceKit } from './ict-loader.js';
import type { IctLoadOptions } from './ict-loader.js';

/** Options accepted by the registry's `create(options)` for `ict-facekit`. */
export interface IctRegistryOptions extends IctLoadOptions {
  /** Model folder (default: env FACEKIT_ICT_DIR or ~/.facekit/models/ict-facekit). */
  folder?: string;
}

/** Whether the ICT-FaceKit folder facekit would use exists, and if not, what to do. */
export function checkIctFaceKit(folder: string = defaultIctFolder()): Availability {
  if (existsSync(join(folder, ICT_NEUTRAL_FILE))) return { available: true, reasons: [] };
  return {
    available: false,
    reasons: [
      `ICT-FaceKit model not found at ${folder}: download the FaceXModel folder of ${ICT_SOURCE.replace(' (folder FaceXModel)', '')} ` +
        'and set FACEKIT_ICT_DIR to it (or copy it to ~/.facekit/models/ict-facekit)',
    ],
  };
}

/**
 * Registers `ict-facekit` (once; later calls do nothing unless `replace`). Called on import of
 * `@facekit/bfm/node`.
 */
export function registerIctFaceKit(options: { replace?: boolean } = {}): void {
  if (registries.models.has(ICT_MODEL_ID) && !options.replace) return;
  registerFaceModel(
    {
      name: ICT_MODEL_ID,
      description: 'ICT-FaceKit: open (MIT) linear face model, 26719 vertices (cm), 100 identity modes, 53 ARKit blendshapes',
      requires: [
        {
          kind: 'file',
          name: join(defaultIctFolder(), ICT_NEUTRAL_FILE),
          description: 'ICT-FaceKit FaceXModel folder (OBJ files)',
          source: ICT_SOURCE,
        },
      ],
      check: () => checkIctFaceKit(),
      create: (opts?: unknown): Promise<FaceModel> => {
        const { folder, ...rest } = (opts ?? {}) as IctRegistryOptions;
        return loadIctFaceKit(folder ?? defaultIctFolder(), rest);
      },
    },
    { replace: true },
  );
}

registerIctFaceKit();
