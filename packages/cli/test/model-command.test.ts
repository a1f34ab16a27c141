import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseGlb, parseObj, parsePly } from '@facekit/core';
import { loadFlame } from '@facekit/flame/node';
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { Mesh as ThreeMesh } from 'three';
import { FLAME_FIXTURES, ICT_DIR, runCli, skipWithoutIct } from './helpers.js';

const validator = createRequire(import.meta.url)('gltf-validator') as {
  validateBytes(data: Uint8Array, options?: { maxIssues?: number }): Promise<{ issues: { numErrors: number; messages: Array<{ code: string; message: string; severity: number }> } }>;
};

const work = mkdtempSync(join(tmpdir(), 'facekit-cli-model-'));
after(() => rmSync(work, { recursive: true, force: true }));
const flameFile = join(FLAME_FIXTURES, 'tiny_model_py2.pkl');

async function loadInThree(bytes: Uint8Array): Promise<GLTF> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new Promise((resolve, reject) => new GLTFLoader().parse(buffer, '', resolve, reject));
}

describe('facekit model (FLAME pickle fixture, detected from content)', () => {
  it('info names the blocks of the file', async () => {
    const { code, out } = await runCli(['model', 'info', flameFile, '--json']);
    assert.equal(code, 0);
    const info = JSON.parse(out.join('\n'));
    assert.equal(info.id, 'flame');
    assert.deepEqual(info.parameters.map((b: { name: string }) => b.name), ['shape', 'expression', 'pose', 'translation']);
    const model = await loadFlame({ model: flameFile });
    assert.equal(info.vertices, model.topology.vertexCount);
  });

  it('decode writes exactly what the decoder gives for zero-padded blocks (OBJ and PLY)', async () => {
    const model = await loadFlame({ model: flameFile });
    const pose = new Array(15).fill(0);
    pose[6] = 0.3; // jaw
    // The tiny fixture stores 10 components, all read as shape (a real file has 300 shape + 100 expression).
    const params = { shape: [1.5, -0.5, 0.8], pose, translation: [0.01, 0, 0] };
    const paramsFile = join(work, 'flame-params.json');
    writeFileSync(paramsFile, JSON.stringify(params));
    const expected = model.decode(params);
    for (const ext of ['obj', 'ply']) {
      const out = join(work, `flame.${ext}`);
      const { code, err } = await runCli(['model', 'decode', flameFile, '--params', paramsFile, '--out', out]);
      assert.equal(code, 0, err.join('\n'));
      const mesh = ext === 'obj' ? parseObj(readFileSync(out, 'utf8')).mesh : parsePly(new Uint8Array(readFileSync(out))).mesh;
      assert.equal(mesh.positions.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(mesh.positions[i] - expected[i]) < 2e-6, `${ext} coordinate ${i}`);
      assert.deepEqual(Array.from(mesh.triangles), Array.from(model.topology.triangles));
    }
  });

  it('rejects unknown blocks, too-long blocks and bad JSON with one-line messages and no output', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"shapes": [1]}', /unknown block "shapes"; flame has shape, expression, pose, translation/],
      [JSON.stringify({ pose: new Array(16).fill(0) }), /block "pose" has 16 values; flame takes at most 15/],
      ['{"shape": [1, "a"]}', /block "shape" must be an array of finite numbers/],
      ['{not json', /not valid JSON/],
    ];
    for (const [text, message] of cases) {
      const paramsFile = join(work, 'bad.json');
      writeFileSync(paramsFile, text);
      const out = join(work, 'bad-out.obj');
      const { code, err } = await runCli(['model', 'decode', flameFile, '--params', paramsFile, '--out', out]);
      assert.equal(code, 2);
      assert.equal(err.length, 1);
      assert.match(err[0], message);
      assert.equal(existsSync(out), false);
    }
  });

  it('sample is reproducible for a seed and differs across seeds', async () => {
    const a = join(work, 'a.obj'), b = join(work, 'b.obj'), c = join(work, 'c.obj');
    assert.equal((await runCli(['model', 'sample', flameFile, '--seed', '7', '--out', a])).code, 0);
    assert.equal((await runCli(['model', 'sample', flameFile, '--seed', '7', '--out', b])).code, 0);
    assert.equal((await runCli(['model', 'sample', flameFile, '--seed', '8', '--out', c])).code, 0);
    const positions = (f: string): number[] => Array.from(parseObj(readFileSync(f, 'utf8')).mesh.positions);
    assert.deepEqual(positions(a), positions(b));
    assert.notDeepEqual(positions(a), positions(c));
  });

  it('rejects an unknown spec, an empty file and an unknown format specifically', async () => {
    let r = await runCli(['model', 'info', 'no-such-model']);
    assert.equal(r.code, 2);
    assert.match(r.err[0], /"no-such-model" is neither an existing file or folder nor a registered model id/);
    const empty = join(work, 'empty.pkl');
    writeFileSync(empty, '');
    r = await runCli(['model', 'info', empty]);
    assert.notEqual(r.code, 0);
    assert.match(r.err[0], /is empty \(0 bytes\)/);
    const text = join(work, 'notes.pkl');
    writeFileSync(text, 'hello, this is not a model');
    r = await runCli(['model', 'info', text]);
    assert.match(r.err[0], /cannot tell which face model/);
    r = await runCli(['model', 'sample', flameFile, '--out', join(work, 'x.fbx')]);
    assert.match(r.err[0], /unknown mesh format "\.fbx"/);
  });
});

describe('facekit model on ICT-FaceKit', { skip: skipWithoutIct }, () => {
  it('export writes a GLB with named morph targets that passes the validator and animates in three.js', async () => {
    const out = join(work, 'ict.glb');
    const { code, err } = await runCli(['model', 'export', ICT_DIR, '--out', out, '--identity', '3', '--expression', '53']);
    assert.equal(code, 0, err.join('\n'));
    const bytes = new Uint8Array(readFileSync(out));
    const report = await validator.validateBytes(bytes, { maxIssues: 20 });
    assert.equal(report.issues.numErrors, 0, JSON.stringify(report.issues.messages.filter((m) => m.severity === 0)));
    const glb = parseGlb(bytes);
    assert.equal(glb.morphTargets.length, 56);
    assert.equal(glb.morphTargets[3].name, 'browDown_L');
    const gltf = await loadInThree(bytes);
    let mesh: ThreeMesh | undefined;
    gltf.scene.traverse((o) => {
      if ((o as ThreeMesh).isMesh) mesh = o as ThreeMesh;
    });
    assert.ok(mesh, 'three.js found a mesh');
    assert.equal(mesh.morphTargetInfluences?.length, 56);
    assert.equal(mesh.morphTargetDictionary?.jawOpen !== undefined, true);
    // The jawOpen target moves the chin (landmark 8, vertex 966) down by a visible amount.
    const jaw = mesh.morphTargetDictionary!.jawOpen;
    const delta = mesh.geometry.morphAttributes.position![jaw];
    // The GLB splits vertices at UV seams, so find the chin by its position in the neutral geometry.
    const neutral = parseObj(readFileSync(join(ICT_DIR, 'generic_neutral_mesh.obj'), 'utf8')).mesh.positions;
    const pos = mesh.geometry.getAttribute('position');
    let chin = -1;
    for (let i = 0; i < pos.count && chin < 0; i++) {
      if (Math.hypot(pos.getX(i) - neutral[966 * 3], pos.getY(i) - neutral[966 * 3 + 1], pos.getZ(i) - neutral[966 * 3 + 2]) < 1e-4) chin = i;
    }
    assert.ok(chin >= 0, 'the chin vertex is in the GLB');
    assert.ok(delta.getY(chin) < -0.5, `jawOpen moves the chin down by ${-delta.getY(chin)} cm`);
  });

  it('decode of ICT with a params file equals neutral + the weighted upstream deltas', async () => {
    const paramsFile = join(work, 'ict-params.json');
    writeFileSync(paramsFile, JSON.stringify({ identity: [1] }));
    const out = join(work, 'ict.obj');
    const { code, err } = await runCli(['model', 'decode', ICT_DIR, '--params', paramsFile, '--out', out]);
    assert.equal(code, 0, err.join('\n'));
    const decoded = parseObj(readFileSync(out, 'utf8')).mesh.positions;
    const vLines = (file: string): number[] =>
      readFileSync(join(ICT_DIR, file), 'utf8').split('\n').filter((l) => l.startsWith('v ')).flatMap((l) => l.trim().split(/\s+/).slice(1, 4).map(Number));
    const identity0 = vLines('identity000.obj');
    assert.equal(decoded.length, identity0.length);
    let max = 0;
    for (let i = 0; i < identity0.length; i++) max = Math.max(max, Math.abs(decoded[i] - identity0[i]));
    assert.ok(max < 1e-4, `max deviation ${max} cm`);
    assert.ok(readdirSync(work).every((n) => !n.endsWith('.tmp')));
  });
});
