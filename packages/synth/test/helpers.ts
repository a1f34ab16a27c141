import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LinearFaceModel } from '@facekit/bfm';

/** ../shared/data/ict-facekit beside the repository. */
export const ICT_DIR = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
/** A skip reason when the ICT-FaceKit folder is absent, else false. */
export const skipWithoutIct: string | false = existsSync(ICT_DIR) ? false : 'needs ../shared/data/ict-facekit (absent in this checkout)';

let model: Promise<LinearFaceModel> | undefined;
/** ICT-FaceKit, loaded once per test file. */
export function ict(): Promise<LinearFaceModel> {
  return (model ??= import('@facekit/bfm/node').then((m) => m.loadIctFaceKit(ICT_DIR)));
}
