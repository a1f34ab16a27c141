import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { parseGlb, parseObj, parsePly } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { MAX_OVERLAY_SIDE } from '../src/reconstruct/overlay.js';
import type { ResultJson } from '../src/reconstruct/result-json.js';
import { ICT_DIR, IMAGES_DIR, SAMPLE_IMAGE, runCli, skipWithoutIct, skipWithoutImages } from './helpers.js';

const validator = createRequire(import.meta.url)('gltf-validator') as {
  validateBytes(data: Uint8Array, options?: { maxIssues?: number }): Promise<{ issues: { numErrors: number } }>;
};

const work = mkdtempSync(join(tmpdir(), 'facekit-reconstruct-'));
after(() => rmSync(work, { recursive: true, force: true }));

function readResult(dir: string): ResultJson {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultJson;
}

/** Checks one output folder against the public contract and the anatomy of a frontal face. */
async function checkOutputs(dir: string, formats: string[] = ['obj', 'glb'], method = 'facemesh'): Promise<ResultJson> {
  const result = readResult(dir);
  assert.equal(result.version, 1);
  assert.equal(result.method, method);
  const [bx, by, bw, bh] = result.box!;
  assert.ok(bw > 20 && bh > 20, 'a face-sized box');
  assert.ok(result.confidence! > 0.5 && result.confidence! <= 1);
  assert.equal(result.landmarks2d!.length, 68);
  assert.equal(result.landmarks3d!.length, 68);
  const margin = 0.15 * Math.max(bw, bh);
  for (const [x, y] of result.landmarks2d!) {
    assert.ok(x > bx - margin && x < bx + bw + margin && y > by - margin && y < by + bh + margin, `landmark ${x},${y} outside box`);
  }
  const lm = result.landmarks2d!;
  const meanY = (a: number, b: number): number => lm.slice(a, b + 1).reduce((s, p) => s + p[1], 0) / (b - a + 1);
  assert.ok(meanY(36, 47) < meanY(27, 35), 'eyes above the nose');
  assert.ok(meanY(27, 35) < meanY(48, 67), 'nose above the mouth');
  assert.ok(meanY(48, 67) < lm[8][1], 'mouth above the chin');
  // Image left/right: landmark 36 (subject's right eye outer corner) lies left of 45 in a photo.
  assert.ok(lm[36][0] < lm[45][0]);
  // The jaw contour runs left to right.
  assert.ok(lm[0][0] < lm[8][0] && lm[8][0] < lm[16][0]);
  // Yaw sign: a face turned to its left (positive yaw) shows the nose tip right of the eye midpoint.
  const eyeMid = (lm[36][0] + lm[45][0]) / 2;
  const noseOffset = (lm[30][0] - eyeMid) / (lm[45][0] - lm[36][0]);
  if (Math.abs(result.pose.yaw) > 12) assert.equal(Math.sign(noseOffset), Math.sign(result.pose.yaw), `nose offset ${noseOffset} vs yaw ${result.pose.yaw}`);

  const expectedFiles = ['overlay.png', 'result.json', ...(formats.includes('obj') ? ['mesh.obj', 'mesh.mtl'] : []), ...(formats.includes('glb') ? ['mesh.glb'] : []), ...(formats.includes('ply') ? ['mesh.ply'] : [])];
  for (const f of expectedFiles) assert.ok(existsSync(join(dir, f)), `${f} written`);
  for (const f of result.mesh.files) assert.ok(existsSync(join(dir, f)), `listed file ${f} exists`);
  if (formats.includes('obj')) {
    const obj = parseObj(readFileSync(join(dir, 'mesh.obj'), 'utf8'));
    assert.equal(obj.mesh.positions.length / 3, result.mesh.vertices);
    assert.equal(obj.mesh.triangles.length / 3, result.mesh.triangles);
    assert.ok(obj.mesh.uvs && existsSync(join(dir, 'texture.png')), 'textured OBJ');
    assert.match(readFileSync(join(dir, 'mesh.mtl'), 'utf8'), /map_Kd texture\.png/);
  }
  if (formats.includes('glb')) {
    const bytes = new Uint8Array(readFileSync(join(dir, 'mesh.glb')));
    const report = await validator.validateBytes(bytes);
    assert.equal(report.issues.numErrors, 0);
    assert.equal(parseGlb(bytes).texture !== undefined, true, 'GLB embeds the texture');
  }
  if (formats.includes('ply')) {
    const ply = parsePly(new Uint8Array(readFileSync(join(dir, 'mesh.ply'))));
    assert.equal(ply.mesh.positions.length / 3, result.mesh.vertices);
  }
  const overlay = await readImage(join(dir, 'overlay.png'));
  const longest = Math.max(result.image.width, result.image.height);
  const k = longest > MAX_OVERLAY_SIDE ? MAX_OVERLAY_SIDE / longest : 1;
  assert.deepEqual([overlay.width, overlay.height], [Math.round(result.image.width * k), Math.round(result.image.height * k)]);
  for (const key of ['decode', 'detect', 'predict', 'write', 'total'] as const) assert.ok(result.timings[key] >= 0, `timing ${key}`);
  assert.ok(['mm', 'cm', 'm', 'arbitrary'].includes(result.mesh.units));
  assert.equal(readdirSync(join(dir, '..')).filter((n) => n.endsWith('.tmp')).length, 0, 'no temporary folders left');
  return result;
}

describe('facekit reconstruct on the bundled sample', () => {
  it('writes every output, and the 68 landmarks are consistent with landmarks3d through the mesh', async () => {
    const out = join(work, 'sample');
    const { code, err, out: lines } = await runCli(['reconstruct', SAMPLE_IMAGE, '--out', out, '--format', 'obj,glb,ply']);
    assert.equal(code, 0, err.join('\n'));
    assert.match(lines.at(-1)!, /^1 succeeded, 0 failed/);
    const result = await checkOutputs(join(out, 'astronaut'), ['obj', 'glb', 'ply']);
    assert.equal(result.image.width, 512);
    assert.ok(Math.abs(result.pose.yaw) < 25, `astronaut faces the camera, yaw ${result.pose.yaw}`);
  });
});

describe('facekit reconstruct: inputs that must work', () => {
  const variants: Record<string, (s: Sharp) => Sharp> = {
    'grey.png': (s) => s.grayscale().png(),
    'cmyk.jpg': (s) => s.toColourspace('cmyk').jpeg(),
    'deep.png': (s) => s.toColourspace('rgb16').png(),
    'alpha.png': (s) => s.ensureAlpha(0.8).png(),
  };
  before(async () => {
    for (const [name, make] of Object.entries(variants)) await make(sharp(SAMPLE_IMAGE)).toFile(join(work, name));
    // Wider than 8000 px: the sample upscaled to 8100 px and cut to its top 4000 rows (the face is there).
    await sharp(await sharp(SAMPLE_IMAGE).resize(8100, 8100).png({ compressionLevel: 1 }).toBuffer())
      .extract({ left: 0, top: 0, width: 8100, height: 4000 })
      .png({ compressionLevel: 1 })
      .toFile(join(work, 'huge.png'));
  });

  it('grayscale, CMYK, 16-bit, alpha and an 8100 px wide image all reconstruct', async () => {
    const out = join(work, 'variants');
    const names = [...Object.keys(variants), 'huge.png'];
    const { code, err } = await runCli(['reconstruct', ...names.map((n) => join(work, n)), '--out', out, '--format', 'glb']);
    assert.equal(code, 0, err.join('\n'));
    const reference = readResult(join(out, 'grey'));
    for (const n of names) {
      const scale = n === 'huge.png' ? 8100 / 512 : 1;
      const result = await checkOutputs(join(out, n.replace(/\.\w+$/, '')), ['glb']);
      // The face is the same pixels in every variant, so the landmarks agree to a few pixels.
      let worst = 0;
      for (let i = 0; i < 68; i++) {
        const dx = result.landmarks2d![i][0] / scale - reference.landmarks2d![i][0];
        const dy = result.landmarks2d![i][1] / scale - reference.landmarks2d![i][1];
        worst = Math.max(worst, Math.hypot(dx, dy));
      }
      assert.ok(worst < 12, `${n}: landmarks moved ${worst.toFixed(1)} px (in 512 px units)`);
    }
    const huge = readResult(join(out, 'huge'));
    assert.deepEqual([huge.image.width, huge.image.height], [8100, 4000]);
  });
});

describe('facekit reconstruct: bad inputs', () => {
  before(async () => {
    writeFileSync(join(work, 'empty.jpg'), '');
    writeFileSync(join(work, 'notes.jpg'), 'this is a text file, not a photo\n');
    const jpeg = await sharp(SAMPLE_IMAGE).jpeg().toBuffer();
    writeFileSync(join(work, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } }).png().toFile(join(work, 'sky.png'));
  });

  const cases: Array<[string, RegExp]> = [
    ['missing.jpg', /not found|does not exist/i],
    ['empty.jpg', /empty|0 bytes/i],
    ['notes.jpg', /not an image|unsupported|not a (?:supported )?image/i],
    ['truncated.jpg', /truncated|damaged/i],
    ['sky.png', /no face found/],
  ];
  for (const [name, message] of cases) {
    it(`${name}: one specific line, exit 1, no output folder`, async () => {
      const out = join(work, `bad-${name}`);
      const { code, err, out: lines } = await runCli(['reconstruct', join(work, name), '--out', out]);
      assert.equal(code, 1);
      assert.equal(err.length, 1, err.join('\n'));
      assert.match(err[0], new RegExp(`^FAIL .*${name.replace('.', '\\.')}: `));
      assert.match(err[0], message);
      assert.match(lines.at(-1)!, /^0 succeeded, 1 failed/);
      assert.deepEqual(readdirSync(out), []);
    });
  }

  it('a batch goes on past a failure and reports it in the summary', async () => {
    const out = join(work, 'batch-mixed');
    const { code, err, out: lines } = await runCli(['reconstruct', join(work, 'notes.jpg'), SAMPLE_IMAGE, '--out', out, '--format', 'glb']);
    assert.equal(code, 1);
    assert.equal(err.length, 1);
    assert.match(lines.at(-1)!, /^1 succeeded, 1 failed/);
    assert.ok(existsSync(join(out, 'astronaut', 'result.json')));
  });

  it('an unknown method, a bad --format and an unwritable --out fail before any work', async () => {
    let r = await runCli(['reconstruct', SAMPLE_IMAGE, '--method', 'nope', '--out', join(work, 'x')]);
    assert.equal(r.code, 2);
    assert.match(r.err[0], /unknown method "nope"; available: .*facemesh/);
    r = await runCli(['reconstruct', SAMPLE_IMAGE, '--format', 'fbx']);
    assert.equal(r.code, 2);
    assert.match(r.err[0], /--format takes a list of obj, glb, ply/);
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    r = await runCli(['reconstruct', SAMPLE_IMAGE, '--out', join(file, 'sub')]);
    assert.equal(r.code, 2);
    assert.match(r.err[0], /cannot write to output folder .*sub \(ENOTDIR\); choose another --out/);
  });
});

describe('facekit reconstruct on the development photos', { skip: skipWithoutImages }, () => {
  it('reconstructs every photo of the folder (folder input) with consistent landmarks', async () => {
    const out = join(work, 'photos');
    const { code, err, out: lines } = await runCli(['reconstruct', IMAGES_DIR, '--out', out, '--format', 'glb']);
    assert.equal(code, 0, err.join('\n'));
    const n = readdirSync(IMAGES_DIR).filter((f) => /\.(png|jpe?g)$/i.test(f)).length;
    assert.match(lines.at(-1)!, new RegExp(`^${n} succeeded, 0 failed`));
    for (const dir of readdirSync(out)) {
      const result = await checkOutputs(join(out, dir), ['glb']);
      // Metric scale: the outer eye corners of an adult are 80-115 mm apart.
      const [a, b] = [result.landmarks3d![36], result.landmarks3d![45]];
      const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      if (result.mesh.units === 'mm') assert.ok(d > 70 && d < 120, `${dir}: eye corners ${d.toFixed(1)} mm apart`);
    }
  });
});

describe('facekit reconstruct --method fit (ICT-FaceKit)', { skip: skipWithoutIct }, () => {
  before(() => {
    process.env.FACEKIT_ICT_DIR = ICT_DIR;
  });

  it('fits the sample and writes the model parameters; the 68 landmarks agree with the facemesh ones', async () => {
    const out = join(work, 'fit');
    const { code, err } = await runCli(['reconstruct', SAMPLE_IMAGE, '--method', 'fit', '--model', ICT_DIR, '--out', out]);
    assert.equal(code, 0, err.join('\n'));
    const result = await checkOutputs(join(out, 'astronaut'), ['obj', 'glb'], 'fit');
    assert.equal(result.model, 'ict-facekit');
    assert.equal(result.mesh.units, 'cm');
    assert.ok(result.params && result.params.identity.length > 0 && result.params.expression.length === 53);
    assert.equal(result.lighting?.length, 27);
    const reference = readResult(join(work, 'sample', 'astronaut'));
    const size = Math.sqrt(reference.box![2] * reference.box![3]);
    let sum = 0;
    for (let i = 0; i < 68; i++) sum += Math.hypot(result.landmarks2d![i][0] - reference.landmarks2d![i][0], result.landmarks2d![i][1] - reference.landmarks2d![i][1]);
    assert.ok(sum / 68 / size < 0.05, `fit vs facemesh landmark NME ${(sum / 68 / size).toFixed(4)}`);
  });

  it('--same-person fits one identity to several photos', async () => {
    const mirrored = join(work, 'mirrored.png');
    await sharp(SAMPLE_IMAGE).flop().png().toFile(mirrored);
    const out = join(work, 'same');
    const { code, err } = await runCli(['reconstruct', SAMPLE_IMAGE, mirrored, '--method', 'fit', '--model', ICT_DIR, '--same-person', '--out', out, '--format', 'glb']);
    assert.equal(code, 0, err.join('\n'));
    const a = readResult(join(out, 'astronaut'));
    const b = readResult(join(out, 'mirrored'));
    assert.deepEqual(a.params!.identity, b.params!.identity);
    // Mirrored photo: the head turns the other way.
    assert.ok(Math.abs(a.pose.yaw + b.pose.yaw) < 6, `yaw ${a.pose.yaw} vs ${b.pose.yaw}`);
  });

  it('--preset accurate runs the accurate preset of fit; an unknown preset fails with the names to use', async () => {
    const out = join(work, 'fit-accurate');
    const { code, err } = await runCli(['reconstruct', SAMPLE_IMAGE, '--method', 'fit', '--model', ICT_DIR, '--preset', 'accurate', '--out', out, '--format', 'glb']);
    assert.equal(code, 0, err.join('\n'));
    const result = await checkOutputs(join(out, 'astronaut'), ['glb'], 'fit');
    const fast = readResult(join(work, 'fit', 'astronaut'));
    // A different fit (100 identity modes instead of 60; params are zero-padded to the model's 100), still on the face.
    assert.ok(fast.params!.identity.slice(60).every((v) => v === 0));
    assert.ok(result.params!.identity.slice(60).some((v) => v !== 0), 'the accurate preset estimates identity modes 60..99');
    const size = Math.sqrt(fast.box![2] * fast.box![3]);
    let sum = 0;
    for (let i = 0; i < 68; i++) sum += Math.hypot(result.landmarks2d![i][0] - fast.landmarks2d![i][0], result.landmarks2d![i][1] - fast.landmarks2d![i][1]);
    assert.ok(sum / 68 / size < 0.05, `accurate vs fast landmark NME ${(sum / 68 / size).toFixed(4)}`);
    const bad = await runCli(['reconstruct', SAMPLE_IMAGE, '--method', 'fit', '--model', ICT_DIR, '--preset', 'best', '--out', join(work, 'fit-bad')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err.join('\n'), /unknown fit preset 'best'; use 'fast' or 'accurate'/);
  });

  it('--same-person with a method that cannot share an identity says which can', async () => {
    const { code, err } = await runCli(['reconstruct', SAMPLE_IMAGE, SAMPLE_IMAGE, '--same-person', '--out', join(work, 'same-fm')]);
    assert.equal(code, 2);
    assert.match(err[0], /method "facemesh" cannot fit several photos of one person; methods that can: fit/);
  });
});
