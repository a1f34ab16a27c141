/**
 * Image decoding and encoding in Node through `sharp` (libvips): always 8-bit sRGB out, orientation fixed, and
 * specific, actionable errors for the ways image files go wrong.
 * @module
 */

import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Image, ImageU8 } from '../image/image.js';
import { toUint8Image } from '../image/image.js';
import { toRGB } from '../image/convert.js';
import { FacekitError } from '../util/errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** Error codes of {@link ImageIOError}. */
export type ImageIOErrorCode =
  | 'ERR_FILE_NOT_FOUND'
  | 'ERR_NOT_A_FILE'
  | 'ERR_EMPTY_FILE'
  | 'ERR_NOT_AN_IMAGE'
  | 'ERR_TRUNCATED_IMAGE'
  | 'ERR_IMAGE_TOO_LARGE'
  | 'ERR_IMAGE_DECODE'
  | 'ERR_UNSUPPORTED_FORMAT';

/** An image could not be read or written; `code` says why and `path` names the file when there is one. */
export class ImageIOError extends FacekitError {
  declare readonly code: ImageIOErrorCode;
  readonly path: string | undefined;
  constructor(code: ImageIOErrorCode, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ImageIOError';
    this.path = path;
  }
}

/** Default pixel limit (width x height) of {@link readImage}: 100 megapixels, far above any camera photo. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Options of {@link readImage}. */
export interface ReadImageOptions {
  /**
   * Alpha handling: `composite` (default) flattens transparent areas over {@link background} and returns RGB,
   * as an image viewer shows it; `drop` discards alpha (returns RGB, hidden colours reappear); `keep` returns
   * RGBA (opaque images get alpha 255).
   */
  alpha?: 'composite' | 'drop' | 'keep';
  /** Background of `composite`, RGB 0..255 (default white). */
  background?: [number, number, number];
  /** Refuse images with more pixels than this (default {@link DEFAULT_MAX_PIXELS}); throws `ERR_IMAGE_TOO_LARGE`. */
  maxPixels?: number;
  /** Rotate/flip per the EXIF Orientation tag so pixels are upright as viewers show them (default true). */
  autoOrient?: boolean;
}

function describe(path: string | undefined): string {
  return path === undefined ? 'image data' : `image file ${path}`;
}

/** Maps a sharp/libvips failure to a specific {@link ImageIOError}. */
function classifySharpError(error: unknown, path: string | undefined, maxPixels: number): ImageIOError {
  const msg = error instanceof Error ? error.message : String(error);
  const what = describe(path);
  if (/pixel limit/i.test(msg)) {
    return new ImageIOError(
      'ERR_IMAGE_TOO_LARGE',
      `${what} has more than ${maxPixels} pixels; downscale it first or raise the maxPixels option`,
      path,
      { cause: error },
    );
  }
  if (/unsupported image format|not a known file format|bad seek|unknown format/i.test(msg)) {
    return new ImageIOError(
      'ERR_NOT_AN_IMAGE',
      `${what} is not an image in a format sharp can decode (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG); check the file's content, not just its extension`,
      path,
      { cause: error },
    );
  }
  if (/premature end|truncated|end of file|unexpected end|not enough data|short read|read error|incomplete/i.test(msg)) {
    return new ImageIOError('ERR_TRUNCATED_IMAGE', `${what} is truncated or damaged (${msg.split('\n')[0]}); re-download or re-export it`, path, {
      cause: error,
    });
  }
  return new ImageIOError('ERR_IMAGE_DECODE', `could not decode ${what}: ${msg}`, path, { cause: error });
}

/**
 * Decodes an image file or encoded bytes to an 8-bit image: RGB (or RGBA with `alpha: 'keep'`), sRGB,
 * row-major, top row first.
 *
 * - Grey and grey+alpha inputs are expanded to RGB; CMYK JPEGs are converted to sRGB with their ICC profile
 *   (or libvips' default CMYK profile); 16-bit PNG/TIFF are reduced to 8 bits.
 * - EXIF orientation is applied (phone photos come out upright), unless `autoOrient: false`.
 * - Alpha is composited on white by default; see {@link ReadImageOptions.alpha}.
 *
 * @throws ImageIOError with code `ERR_FILE_NOT_FOUND`, `ERR_NOT_A_FILE`, `ERR_EMPTY_FILE` (zero bytes),
 *   `ERR_NOT_AN_IMAGE` (e.g. a text file named .jpg), `ERR_TRUNCATED_IMAGE` (cut-off JPEG/PNG),
 *   `ERR_IMAGE_TOO_LARGE` (over `maxPixels`) or `ERR_IMAGE_DECODE` (anything else libvips rejects).
 */
export async function readImage(input: string | Uint8Array, options: ReadImageOptions = {}): Promise<ImageU8> {
  const path = typeof input === 'string' ? input : undefined;
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      const st = await stat(input);
      if (!st.isFile()) throw new ImageIOError('ERR_NOT_A_FILE', `image path ${input} is not a regular file`, input);
      bytes = await readFile(input);
    } catch (error) {
      if (error instanceof ImageIOError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw new ImageIOError('ERR_FILE_NOT_FOUND', `image file not found: ${input}`, input, { cause: error });
      if (code === 'EISDIR') throw new ImageIOError('ERR_NOT_A_FILE', `image path ${input} is a directory`, input, { cause: error });
      throw error;
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) {
    throw new ImageIOError('ERR_EMPTY_FILE', `${describe(path)} is empty (0 bytes); the download or copy probably failed`, path);
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const alpha = options.alpha ?? 'composite';
  try {
    let pipeline = sharp(bytes, {
      failOn: 'truncated',
      limitInputPixels: maxPixels,
      autoOrient: options.autoOrient ?? true,
    });
    if (alpha === 'composite') {
      const [r, g, b] = options.background ?? [255, 255, 255];
      pipeline = pipeline.flatten({ background: { r, g, b } });
    }
    // toColourspace('srgb') converts CMYK, grey and 16-bit spaces; raw uchar forces 8 bits per sample.
    pipeline = pipeline.toColourspace('srgb');
    pipeline = alpha === 'keep' ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = info.channels as 1 | 2 | 3 | 4;
    const image: ImageU8 = {
      width: info.width,
      height: info.height,
      channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
    if (alpha === 'keep') {
      if (channels === 4) return image;
      // Defensive: expand grey+alpha that libvips left in a grey space.
      const out: ImageU8 = { width: image.width, height: image.height, channels: 4, data: new Uint8Array(image.width * image.height * 4) };
      for (let i = 0; i < image.width * image.height; i++) {
        const s = i * channels;
        out.data[4 * i] = out.data[4 * i + 1] = out.data[4 * i + 2] = image.data[s];
        out.data[4 * i + 3] = channels === 2 ? image.data[s + 1] : 255;
      }
      return out;
    }
    return channels === 3 ? image : toRGB(image, { alpha: 'drop' });
  } catch (error) {
    throw classifySharpError(error, path, maxPixels);
  }
}

/** Options of the encoders. */
export interface EncodeOptions {
  /** JPEG/WebP quality 1..100 (default 92: visually lossless for overlays and textures). */
  quality?: number;
  /** PNG zlib level 0..9 (default 6). */
  compressionLevel?: number;
}

/** A sharp pipeline over the raw pixels of an image (float images are converted to 8 bits first). */
function fromRaw(image: Image): Sharp {
  const u8 = toUint8Image(image);
  if (u8.data.length !== u8.width * u8.height * u8.channels) {
    throw new RangeError(`image data has ${u8.data.length} values, expected ${u8.width} x ${u8.height} x ${u8.channels}`);
  }
  return sharp(u8.data, { raw: { width: u8.width, height: u8.height, channels: u8.channels } });
}

/** Encodes an image as PNG (lossless; keeps grey, alpha). Float images are clamped and rounded to 8 bits. */
export async function encodePng(image: Image, options: EncodeOptions = {}): Promise<Uint8Array> {
  const buf = await fromRaw(image).png({ compressionLevel: options.compressionLevel ?? 6 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encodes an image as baseline JPEG (4:2:0). Alpha is composited over white, since JPEG has none. */
export async function encodeJpeg(image: Image, options: EncodeOptions = {}): Promise<Uint8Array> {
  let p = fromRaw(image);
  if (image.channels === 2 || image.channels === 4) p = p.flatten({ background: { r: 255, g: 255, b: 255 } });
  const buf = await p.jpeg({ quality: options.quality ?? 92 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encodes an image as WebP (lossy at `quality`, keeps alpha). */
export async function encodeWebp(image: Image, options: EncodeOptions = {}): Promise<Uint8Array> {
  const buf = await fromRaw(image).webp({ quality: options.quality ?? 92 }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes an image file, format chosen by extension: `.png`, `.jpg` / `.jpeg`, `.webp`. The write is atomic
 * (temporary file + rename), so readers never see half a file and a failed write leaves no debris.
 *
 * @throws ImageIOError `ERR_UNSUPPORTED_FORMAT` for another extension.
 */
export async function writeImage(path: string, image: Image, options: EncodeOptions = {}): Promise<void> {
  const ext = extname(path).toLowerCase();
  let bytes: Uint8Array;
  if (ext === '.png') bytes = await encodePng(image, options);
  else if (ext === '.jpg' || ext === '.jpeg') bytes = await encodeJpeg(image, options);
  else if (ext === '.webp') bytes = await encodeWebp(image, options);
  else {
    throw new ImageIOError('ERR_UNSUPPORTED_FORMAT', `cannot write ${path}: unknown image extension "${ext}" (use .png, .jpg, .jpeg or .webp)`, path);
  }
  await writeFileAtomic(path, bytes);
}
