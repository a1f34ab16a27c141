import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';

/** ../shared/data beside the repository, where CI and developers keep the large data. */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
export const ICT_DIR = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
export const IMAGES_DIR = fileURLToPath(new URL('../../../../shared/data/images/', import.meta.url));
export const SAMPLE_IMAGE = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));
export const FLAME_FIXTURES = fileURLToPath(new URL('../../flame/test/fixtures/', import.meta.url));

/** A skip reason when the ICT-FaceKit folder is absent, else false. */
export const skipWithoutIct = existsSync(ICT_DIR) ? false : 'needs ../shared/data/ict-facekit (absent in this checkout)';
/** A skip reason when the development photos are absent, else false. */
export const skipWithoutImages = existsSync(IMAGES_DIR) ? false : 'needs ../shared/data/images (absent in this checkout)';

/** Runs the CLI in-process and captures its output lines. */
export async function runCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
