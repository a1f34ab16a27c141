import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FormatError, MissingFileError, registries } from '@facekit/core';
import {
  BILINEAR_MAGIC,
  buildBilinearModel,
  configureFaceWarehouse,
  decodeBilinearModel,
  encodeBilinearModel,
  faceWarehouseTensor,
  parseFaceWarehouseBlendshapes,
  readBilinearHeader,
} from '../src/index.js';
import { loadBilinearModel, readFaceWarehouseBlendshapes, registerFaceWarehouseFile, saveBilinearModel } from '../src/node/index.js';
import { lowRankTensor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'facekit-fw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sampleModel(centre: 'none' | 'mean' = 'mean') {
  const data = lowRankTensor(5, 4, 12, 3, 2, 3, 1);
  return buildBilinearModel(data, {
    identityRank: 4,
    expressionRank: 3,
    centre,
    units: 'cm',
    id: 'toy-bilinear',
    name: 'Toy',
    attribution: 'synthetic',
    topology: { triangles: Uint32Array.from([0, 1, 2, 2, 3, 4]), uvs: new Float32Array([0, 0, 1, 0, 1, 1]), uvTriangles: Uint32Array.from([0, 1, 2, 0, 1, 2]) },
  }).model;
}

/** Expects a FormatError whose message matches `re`. */
function rejects(bytes: Uint8Array, re: RegExp): void {
  assert.throws(() => decodeBilinearModel(bytes), (e: unknown) => e instanceof FormatError && e.code === 'ERR_FORMAT' && re.test(e.message));
}

describe('.fkbl format', () => {
  for (const centre of ['none', 'mean'] as const) {
    it(`round-trips every field (${centre})`, async () => {
      const model = sampleModel(centre);
      const path = join(dir, `m-${centre}.fkbl`);
      await saveBilinearModel(path, model);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind');
      const back = await loadBilinearModel(path);
      assert.equal(back.id, 'toy-bilinear');
      assert.equal(back.name, 'Toy');
      assert.equal(back.units, 'cm');
      assert.equal(back.attribution, 'synthetic');
      assert.deepEqual(back.core, model.core);
      assert.deepEqual(back.mean, model.mean);
      assert.deepEqual(back.identityPrior, model.identityPrior);
      assert.deepEqual(back.expressionPrior, model.expressionPrior);
      assert.deepEqual(back.trainingExpressions, model.trainingExpressions);
      assert.deepEqual(back.topology, model.topology);
      assert.deepEqual(back.parameters, model.parameters);
      const p = { identity: [0.3, -0.2, 0.1], expression: [1, 0.5] };
      assert.deepEqual(back.decode(p), model.decode(p));
      const header = readBilinearHeader(readFileSync(path));
      assert.equal(header.version, 1);
      assert.equal(header.coreLayout, 'identity,expression,coordinate');
      assert.deepEqual([header.vertexCount, header.identitySize, header.expressionSize], [12, 4, 3]);
    });
  }

  it('rejects damaged and foreign files with FormatError', async () => {
    const good = encodeBilinearModel(sampleModel());
    rejects(good.subarray(0, 5), /too short/);
    const wrongMagic = good.slice();
    wrongMagic[0] = 0x58;
    rejects(wrongMagic, /wrong magic/);
    rejects(good.subarray(0, good.length - 7), /truncated/);
    const flipped = good.slice();
    flipped[flipped.length - 100] ^= 0x40;
    rejects(flipped, /CRC-32/);
    // With verification off a bit flip goes unnoticed (the switch is real), but structure is still checked.
    assert.doesNotThrow(() => decodeBilinearModel(flipped, { verify: false }));
    const hlen = new DataView(good.buffer).getUint32(8, true);
    const badJson = good.slice();
    badJson[12] = 0x7b + 1;
    rejects(badJson, /JSON header/);
    const reheader = (edit: (h: Record<string, unknown>) => void): Uint8Array => {
      const h = JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + hlen))) as Record<string, unknown>;
      edit(h);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(12 + json.length + good.length - 12 - hlen);
      out.set(good.subarray(0, 8));
      new DataView(out.buffer).setUint32(8, json.length, true);
      out.set(json, 12);
      out.set(good.subarray(12 + hlen), 12 + json.length);
      return out;
    };
    rejects(reheader((h) => (h.version = 99)), /version 99/);
    rejects(reheader((h) => (h.identitySize = 5)), /holds \d+ values, expected/);
    rejects(reheader((h) => (h.units = 'furlong')), /units/);
    rejects(reheader((h) => (h.sections = (h.sections as Array<{ name: string }>).filter((s) => s.name !== 'core'))), /"core" is missing/);
    const hugeHeader = good.slice();
    new DataView(hugeHeader.buffer).setUint32(8, 1e9, true);
    rejects(hugeHeader, /runs past the end/);
    await assert.rejects(loadBilinearModel(join(dir, 'absent.fkbl')), MissingFileError);
    writeFileSync(join(dir, 'garbage.fkbl'), 'hello world, not a model');
    await assert.rejects(loadBilinearModel(join(dir, 'garbage.fkbl')), FormatError);
    assert.equal(BILINEAR_MAGIC.length, 8);
  });
});

describe('FaceWarehouse shape.bs', () => {
  /** A synthetic file in the documented layout: 3 int32 then (nShapes + 1) x nVerts x 3 float32, plus trailing bytes. */
  function shapeBs(nShapes: number, nVerts: number, seed: number): Uint8Array {
    const count = (nShapes + 1) * nVerts * 3;
    const buf = new ArrayBuffer(12 + 4 * count + 16);
    const dv = new DataView(buf);
    dv.setInt32(0, nShapes, true);
    dv.setInt32(4, nVerts, true);
    dv.setInt32(8, 7, true);
    for (let i = 0; i < count; i++) dv.setFloat32(12 + 4 * i, seed + i * 0.5, true);
    return new Uint8Array(buf);
  }

  it('parses the header and positions (neutral first) and stacks subjects', async () => {
    const a = parseFaceWarehouseBlendshapes(shapeBs(2, 4, 0));
    assert.deepEqual([a.shapeCount, a.vertexCount, a.faceCount], [3, 4, 7]);
    assert.equal(a.positions[0], 0);
    assert.equal(a.positions[12], 6);
    const b = parseFaceWarehouseBlendshapes(shapeBs(2, 4, 100));
    const t = faceWarehouseTensor([a, b], [0, 2]);
    assert.deepEqual([t.subjects, t.expressions, t.vertexCount], [2, 2, 4]);
    assert.deepEqual(t.expressionLabels, ['shape_0', 'shape_2']);
    assert.equal(t.positions[12], a.positions[24]);
    assert.equal(t.positions[24], 100);

    const root = join(dir, 'fw');
    for (const [k, seed] of [[1, 0], [2, 100]]) {
      const p = join(root, `Tester_${k}`, 'Blendshape');
      (await import('node:fs')).mkdirSync(p, { recursive: true });
      writeFileSync(join(p, 'shape.bs'), shapeBs(2, 4, seed));
    }
    const read = await readFaceWarehouseBlendshapes(root, [1, 2]);
    assert.deepEqual(read[1].positions, b.positions);
    await assert.rejects(readFaceWarehouseBlendshapes(root, [3]), MissingFileError);
  });

  it('rejects implausible headers and truncated files', () => {
    assert.throws(() => parseFaceWarehouseBlendshapes(new Uint8Array(8)), FormatError);
    const bad = shapeBs(2, 4, 0);
    new DataView(bad.buffer).setInt32(4, -3, true);
    assert.throws(() => parseFaceWarehouseBlendshapes(bad), /not a FaceWarehouse blendshape file/);
    assert.throws(() => parseFaceWarehouseBlendshapes(shapeBs(2, 4, 0).subarray(0, 40)), /truncated/);
  });
});

describe('registration', () => {
  it('registers facewarehouse, unavailable until a core is configured', async () => {
    configureFaceWarehouse(null);
    const info = (await registries.models.describe()).find((p) => p.name === 'facewarehouse');
    assert.ok(info && !info.available && /licence/.test(info.reasons.join(' ')));
    const path = join(dir, 'registered.fkbl');
    await saveBilinearModel(path, sampleModel());
    registerFaceWarehouseFile(path);
    const model = await registries.models.get('facewarehouse');
    assert.equal(model.id, 'toy-bilinear');
    const fromBytes = await registries.models.get('facewarehouse', { bytes: encodeBilinearModel(sampleModel('none')) });
    assert.equal(fromBytes.parameters[0].size, 4);
    configureFaceWarehouse(null);
  });
});
