/**
 * Test helpers: sample images (the committed astronaut, the shared development photos when present) and small
 * image operations.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImageU8 } from '@facekit/core';

/** The committed sample portrait. */
export const ASTRONAUT = fileURLToPath(new URL('../../../examples/astronaut.png', import.meta.url));

/** Shared development photos (outside the repository; absent in CI). */
export const SHARED_IMAGES = fileURLToPath(new URL('../../../../shared/data/images/', import.meta.url));

/** Photos of {@link SHARED_IMAGES}, or an empty list when the folder is absent. */
export function sharedImages(): string[] {
  if (!existsSync(SHARED_IMAGES)) return [];
  return readdirSync(SHARED_IMAGES)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => SHARED_IMAGES + f);
}

/** The image mirrored left-right. */
export function flipHorizontal(image: ImageU8): ImageU8 {
  const { width, height, channels } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (y * width + (width - 1 - x)) * channels;
      const dst = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[dst + c] = image.data[src + c];
    }
  }
  return { width, height, channels, data };
}

/** Mean RGB of a (2r+1)^2 patch of an RGB image around pixel (x, y). */
export function patchMean(image: ImageU8, x: number, y: number, r = 3): [number, number, number] {
  const s = [0, 0, 0];
  let n = 0;
  for (let j = Math.floor(y) - r; j <= Math.floor(y) + r; j++) {
    for (let i = Math.floor(x) - r; i <= Math.floor(x) + r; i++) {
      if (i < 0 || j < 0 || i >= image.width || j >= image.height) continue;
      const p = (j * image.width + i) * image.channels;
      for (let c = 0; c < 3; c++) s[c] += image.data[p + c];
      n++;
    }
  }
  return [s[0] / n, s[1] / n, s[2] / n];
}
