import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readdir, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readImage, writeImage, encodePng, encodeJpeg, encodeWebp, ImageIOError, type ImageIOErrorCode } from '../src/node/image-io.js';
import { createImage, type ImageU8 } from '../src/image/image.js';
import { FacekitError } from '../src/util/errors.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facekit-image-io-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pattern(w: number, h: number, ch: 1 | 2 | 3 | 4): ImageU8 {
  const img = createImage(w, h, ch, 'u8');
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + (i >> 3)) & 255;
  return img;
}

/** A smooth image (JPEG-friendly) with a red left half and blue right half. */
function halves(w: number, h: number): ImageU8 {
  const img = createImage(w, h, 3, 'u8');
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set(x < w / 2 ? [220, 20, 20] : [20, 20, 220], (y * w + x) * 3);
  return img;
}

async function rejectsWith(p: Promise<unknown>, code: ImageIOErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ImageIOError, `expected ImageIOError, got ${String(e)}`);
    assert.ok(e instanceof FacekitError);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('PNG round trip is exact (RGB, RGBA with alpha: keep, grey expands to RGB)', async () => {
  const rgb = pattern(13, 7, 3);
  const p = join(dir, 'rgb.png');
  await writeImage(p, rgb);
  const back = await readImage(p);
  assert.deepEqual({ ...back, data: null }, { width: 13, height: 7, channels: 3, data: null });
  assert.deepEqual(back.data, rgb.data);
  const rgba = pattern(5, 4, 4);
  await writeImage(join(dir, 'rgba.png'), rgba);
  const ba = await readImage(join(dir, 'rgba.png'), { alpha: 'keep' });
  assert.equal(ba.channels, 4);
  assert.deepEqual(ba.data, rgba.data);
  const dropped = await readImage(join(dir, 'rgba.png'), { alpha: 'drop' });
  for (let i = 0; i < 20; i++) assert.deepEqual(Array.from(dropped.data.subarray(3 * i, 3 * i + 3)), Array.from(rgba.data.subarray(4 * i, 4 * i + 3)));
  const grey = pattern(6, 3, 1);
  const g = await readImage(await encodePng(grey));
  assert.equal(g.channels, 3);
  for (let i = 0; i < 18; i++) assert.deepEqual(Array.from(g.data.subarray(3 * i, 3 * i + 3)), [grey.data[i], grey.data[i], grey.data[i]]);
  // Float images are encoded as 8 bits.
  const f = createImage(2, 1, 3, 'f32');
  f.data.set([0, 0.5, 1, 1, 1, 1]);
  const fb = await readImage(await encodePng(f));
  assert.deepEqual(Array.from(fb.data), [0, 128, 255, 255, 255, 255]);
  // No temporary files are left behind by the atomic write.
  assert.ok((await readdir(dir)).every((n) => !n.endsWith('.tmp')));
});

test('JPEG and WebP round trips are within tolerance; JPEG flattens alpha on white', async () => {
  const img = halves(32, 16);
  const p = join(dir, 'photo.jpg');
  await writeImage(p, img, { quality: 95 });
  const back = await readImage(p);
  let maxErr = 0;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) {
    if (x >= 14 && x < 18) continue; // chroma edge
    for (let c = 0; c < 3; c++) maxErr = Math.max(maxErr, Math.abs(back.data[(y * 32 + x) * 3 + c] - img.data[(y * 32 + x) * 3 + c]));
  }
  assert.ok(maxErr < 12, `max error ${maxErr}`);
  const clear = createImage(8, 8, 4, 'u8'); // fully transparent black
  const j = await readImage(await encodeJpeg(clear));
  assert.ok(j.data.every((v) => v > 245));
  const w = await readImage(await encodeWebp(img, { quality: 100 }));
  assert.equal(w.width, 32);
  await writeImage(join(dir, 'x.jpeg'), img);
  await rejectsWith(writeImage(join(dir, 'x.bmp'), img), 'ERR_UNSUPPORTED_FORMAT');
});

test('grayscale, 16-bit, alpha and CMYK inputs decode to 8-bit RGB', async () => {
  const rgb = pattern(8, 6, 3);
  const raw = { raw: { width: 8, height: 6, channels: 3 as const } };
  const grey = await sharp(rgb.data, raw).toColourspace('b-w').png().toBuffer();
  const g = await readImage(grey);
  assert.equal(g.channels, 3);
  assert.equal((await sharp(grey).metadata()).channels, 1);
  for (let i = 0; i < 48; i++) assert.ok(g.data[3 * i] === g.data[3 * i + 1] && g.data[3 * i] === g.data[3 * i + 2]);

  const png16 = await sharp(rgb.data, raw).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, 'ushort');
  const d16 = await readImage(png16);
  assert.equal(d16.channels, 3);
  for (let i = 0; i < rgb.data.length; i++) assert.ok(Math.abs(d16.data[i] - rgb.data[i]) <= 1, `16-bit ${i}`);

  // Half-transparent red over white -> pink; keep returns the alpha.
  const rgba = createImage(2, 1, 4, 'u8');
  rgba.data.set([255, 0, 0, 128, 0, 0, 255, 255]);
  const png = await encodePng(rgba);
  const flat = await readImage(png);
  assert.equal(flat.channels, 3);
  assert.ok(Math.abs(flat.data[1] - 127) <= 2 && flat.data[0] === 255, `composited ${flat.data.slice(0, 3)}`);
  assert.deepEqual(Array.from(flat.data.subarray(3)), [0, 0, 255]);
  const onBlack = await readImage(png, { background: [0, 0, 0] });
  assert.ok(Math.abs(onBlack.data[0] - 128) <= 2 && onBlack.data[1] === 0);
  const greyAlpha = await sharp(Buffer.from([100, 255, 50, 0]), { raw: { width: 2, height: 1, channels: 2 } }).png().toBuffer();
  const ga = await readImage(greyAlpha, { alpha: 'keep' });
  assert.deepEqual(Array.from(ga.data), [100, 100, 100, 255, 50, 50, 50, 0]);

  const cmyk = await sharp(halves(32, 16).data, { raw: { width: 32, height: 16, channels: 3 } }).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const c = await readImage(cmyk);
  assert.equal(c.channels, 3);
  const left = Array.from(c.data.subarray((8 * 32 + 4) * 3, (8 * 32 + 4) * 3 + 3));
  const right = Array.from(c.data.subarray((8 * 32 + 28) * 3, (8 * 32 + 28) * 3 + 3));
  // CMYK's gamut is smaller than sRGB's, so saturated blue comes back duller; check hue dominance only.
  assert.ok(left[0] > 150 && left[0] > left[2] + 80, `left ${left}`);
  assert.ok(right[2] > right[0] + 80 && right[2] > right[1] + 50, `right ${right}`);
});

test('EXIF orientation is applied (or not, on request)', async () => {
  const stored = halves(32, 16); // red left, blue right
  const jpg = await sharp(stored.data, { raw: { width: 32, height: 16, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
  assert.equal((await sharp(jpg).metadata()).orientation, 6);
  const img = await readImage(jpg);
  // Orientation 6: display = stored rotated 90 degrees clockwise, so the left (red) half ends up on top.
  assert.equal(img.width, 16);
  assert.equal(img.height, 32);
  const top = img.data.subarray((4 * 16 + 8) * 3, (4 * 16 + 8) * 3 + 3);
  const bottom = img.data.subarray((28 * 16 + 8) * 3, (28 * 16 + 8) * 3 + 3);
  assert.ok(top[0] > 150 && bottom[2] > 150, `top ${top} bottom ${bottom}`);
  const rawOrient = await readImage(jpg, { autoOrient: false });
  assert.equal(rawOrient.width, 32);
});

test('error cases carry specific codes', async () => {
  await rejectsWith(readImage(join(dir, 'missing.png')), 'ERR_FILE_NOT_FOUND');
  await mkdir(join(dir, 'sub.png'));
  await rejectsWith(readImage(join(dir, 'sub.png')), 'ERR_NOT_A_FILE');
  await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
  await rejectsWith(readImage(join(dir, 'empty.jpg')), 'ERR_EMPTY_FILE');
  await rejectsWith(readImage(new Uint8Array(0)), 'ERR_EMPTY_FILE');
  await writeFile(join(dir, 'text.jpg'), 'this is not a JPEG\n');
  await rejectsWith(readImage(join(dir, 'text.jpg')), 'ERR_NOT_AN_IMAGE');
  // Truncated JPEG: a noisy image cut in the middle of its entropy-coded data.
  const noisy = pattern(256, 256, 3);
  const jpg = await encodeJpeg(noisy, { quality: 90 });
  await writeFile(join(dir, 'cut.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
  await rejectsWith(readImage(join(dir, 'cut.jpg')), 'ERR_TRUNCATED_IMAGE');
  const png = await encodePng(noisy);
  await rejectsWith(readImage(png.subarray(0, Math.floor(png.length * 0.6))), 'ERR_TRUNCATED_IMAGE');
  await rejectsWith(readImage(png, { maxPixels: 1000 }), 'ERR_IMAGE_TOO_LARGE');
  const err = await readImage(join(dir, 'text.jpg')).catch((e: unknown) => e);
  assert.ok(err instanceof ImageIOError && err.path === join(dir, 'text.jpg'));
});
