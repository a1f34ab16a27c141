/**
 * Test helpers: image decoding through sharp (the decoder @facekit/core uses in Node) and the sample folders.
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
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

/** Decodes an image file (or a sharp pipeline) to 8-bit RGB. */
export async function decodeRgb(input: string | Sharp): Promise<ImageU8> {
  const pipeline = typeof input === 'string' ? sharp(input) : input;
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A smooth colour gradient with no face in it. */
export function gradientImage(width: number, height: number): ImageU8 {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (255 * x) / (width - 1);
      data[i + 1] = (255 * y) / (height - 1);
      data[i + 2] = 128;
    }
  }
  return { width, height, channels: 3, data };
}
