import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseGlb, parseObj, shadeVertices } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { SAMPLE_IMAGE, runCli } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'facekit-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('facekit methods', () => {
  it('lists the registered models with what each needs', async () => {
    const { code, out } = await runCli(['methods', '--json']);
    assert.equal(code, 0);
    const info = JSON.parse(out.join('\n'));
    const flame = info.models.find((m: { name: string }) => m.name === 'flame');
    assert.ok(flame, 'flame is registered');
    assert.match(JSON.stringify(flame.requires), /flame\.is\.tue\.mpg\.de/);
    assert.ok(info.models.some((m: { name: string }) => m.name === 'ict-facekit'));
  });
});

describe('facekit relight (quick-start job)', () => {
  it('writes overlay, mesh files and a lighting record that reproduces the observed colours', async () => {
    const out = join(work, 'relight');
    const { code, err, out: lines } = await runCli(['relight', SAMPLE_IMAGE, '--out', out]);
    assert.equal(code, 0, err.join('\n'));
    assert.match(lines[0], /lighting from \d+ pixels/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    assert.equal(result.lighting.coefficients.length, 27);
    assert.ok(result.residualRms < 0.25, `residual ${result.residualRms}`);
    const overlay = await readImage(join(out, 'overlay.png'));
    const photo = await readImage(SAMPLE_IMAGE);
    assert.deepEqual([overlay.width, overlay.height], [photo.width, photo.height]);
    // Inside the box the overlay shows the lit sphere: its centre pixel equals the SH shading of the normal (0,0,1).
    const [x, y, w, h] = result.box;
    const cx = Math.floor(x + w / 2), cy = Math.floor(y + h / 2);
    const expected = shadeVertices(new Float32Array([0, 0, 1]), null, result.lighting.coefficients);
    for (let c = 0; c < 3; c++) {
      const v = overlay.data[(cy * overlay.width + cx) * 3 + c] / 255;
      assert.ok(Math.abs(v - Math.min(1, Math.max(0, expected[c]))) < 0.02, `channel ${c}: ${v} vs ${expected[c]}`);
    }
    const obj = parseObj(readFileSync(join(out, 'sphere.obj'), 'utf8'));
    assert.equal(obj.mesh.positions.length / 3, result.mesh.vertices);
    const glb = parseGlb(new Uint8Array(readFileSync(join(out, 'sphere.glb'))));
    assert.equal(glb.mesh.triangles.length / 3, result.mesh.triangles);
  });

  it('fails with a specific message and writes nothing for a missing image', async () => {
    const out = join(work, 'missing');
    const { code, err } = await runCli(['relight', join(work, 'nope.png'), '--out', out]);
    assert.notEqual(code, 0);
    assert.match(err[0], /not found|no such file/i);
    assert.equal(existsSync(join(out, 'result.json')), false);
  });
});
