import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Mesh as ThreeMesh, MeshStandardMaterial, Texture } from 'three';
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { encodeGlb, parseGlb, type GltfDocument, type MorphTarget } from '../src/io/glb.js';
import { parseObj } from '../src/io/obj.js';
import { splitUvSeams, weldUvVertices } from '../src/io/weld.js';
import { FormatError } from '../src/util/errors.js';
import type { Mesh } from '../src/mesh/mesh.js';
import { flatGrid, maxAbsDiff, seamTube } from './fixtures/io/meshes.js';

/** The part of the Khronos validator's report these tests read. */
interface ValidationReport {
  issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
}
// gltf-validator ships no type declarations; createRequire keeps the untyped import in one typed place.
const validator = createRequire(import.meta.url)('gltf-validator') as {
  validateBytes(data: Uint8Array, options?: { maxIssues?: number }): Promise<ValidationReport>;
};

/** Every GLB a test writes goes through here: the Khronos validator must report no errors. */
async function assertValid(glb: Uint8Array): Promise<ValidationReport> {
  const report = await validator.validateBytes(glb, { maxIssues: 50 });
  const errors = report.issues.messages.filter((m) => m.severity === 0);
  assert.equal(report.issues.numErrors, 0, `glTF validator errors:\n${errors.map((e) => `${e.code} ${e.pointer ?? ''}: ${e.message}`).join('\n')}`);
  return report;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Loads a GLB with three.js's GLTFLoader (as a browser app would) and returns its single mesh. */
async function loadWithThree(glb: Uint8Array): Promise<ThreeMesh> {
  const gltf = await new Promise<GLTF>((resolve, reject) => new GLTFLoader().parse(toArrayBuffer(glb), '', resolve, reject));
  const meshes: ThreeMesh[] = [];
  gltf.scene.traverse((o) => {
    if ((o as ThreeMesh).isMesh) meshes.push(o as ThreeMesh);
  });
  assert.equal(meshes.length, 1);
  return meshes[0];
}

/**
 * Node has no DOM image decoding. GLTFLoader decodes embedded images with `fetch(blob URL)` + `createImageBitmap`
 * when `createImageBitmap` exists (and reads `self.URL`), so for the duration of `fn` this installs a
 * `createImageBitmap` that decodes with sharp. The texture then really is decoded from the GLB's bufferView.
 */
async function withImageBitmapShim<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { self?: unknown; createImageBitmap?: unknown };
  const saved = { self: g.self, createImageBitmap: g.createImageBitmap };
  g.self = globalThis;
  g.createImageBitmap = async (blob: Blob) => {
    const { data, info } = await sharp(Buffer.from(await blob.arrayBuffer())).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data), close() {} };
  };
  try {
    return await fn();
  } finally {
    g.self = saved.self;
    g.createImageBitmap = saved.createImageBitmap;
  }
}

/** Checks the GLB container layout: 4-byte chunks, JSON padded with spaces, BIN with zeros, aligned views. */
function checkLayout(glb: Uint8Array): GltfDocument {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  assert.equal(dv.getUint32(8, true), glb.byteLength);
  const jsonLen = dv.getUint32(12, true);
  assert.equal(jsonLen % 4, 0);
  const jsonBytes = glb.subarray(20, 20 + jsonLen);
  const text = new TextDecoder().decode(jsonBytes);
  assert.match(text, /} *$/, 'JSON chunk padding must be spaces');
  const doc = JSON.parse(text) as GltfDocument;
  const binLen = dv.getUint32(20 + jsonLen, true);
  assert.equal(binLen % 4, 0);
  assert.equal(dv.getUint32(24 + jsonLen, true), 0x004e4942);
  assert.equal(20 + jsonLen + 8 + binLen, glb.byteLength);
  for (const view of doc.bufferViews ?? []) assert.equal((view.byteOffset ?? 0) % 4, 0);
  assert.equal(doc.buffers?.[0].byteLength, binLen);
  return doc;
}

async function pngOf(width: number, height: number, rgb: [number, number, number]): Promise<Uint8Array> {
  const buf = await sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
  return new Uint8Array(buf);
}

test('weld: one vertex per distinct (vertex, uv) pair, seams split', () => {
  const mesh = seamTube(10, 4);
  const w = weldUvVertices(mesh.triangles, mesh.uvTriangles!, mesh.positions.length / 3);
  assert.equal(w.vertexSource.length, 11 * 4, 'the seam column is duplicated');
  const seen = new Set<string>();
  for (let k = 0; k < w.vertexSource.length; k++) seen.add(`${w.vertexSource[k]}/${w.uvSource[k]}`);
  assert.equal(seen.size, w.vertexSource.length);
  for (let i = 0; i < mesh.triangles.length; i++) {
    assert.equal(w.vertexSource[w.triangles[i]], mesh.triangles[i]);
    assert.equal(w.uvSource[w.triangles[i]], mesh.uvTriangles![i]);
  }
  const split = splitUvSeams(mesh);
  assert.equal(split.mesh.uvTriangles, undefined);
  assert.equal(split.mesh.uvs!.length, split.mesh.positions.length / 3 * 2);
  const plain = flatGrid(3);
  assert.equal(splitUvSeams(plain).mesh, plain);
});

test('GLB: plain mesh with normals is valid, aligned, loads in three.js and round-trips', async () => {
  const mesh = seamTube(12, 5, { normals: true });
  delete mesh.uvs;
  delete mesh.uvTriangles;
  const glb = encodeGlb(mesh, { name: 'tube' });
  const report = await assertValid(glb);
  assert.equal(report.issues.numWarnings, 0);
  const doc = checkLayout(glb);
  const pos = doc.accessors![doc.meshes![0].primitives[0].attributes.POSITION];
  assert.ok(pos.min && pos.max, 'POSITION needs min/max');
  assert.equal(pos.min.length, 3);
  const three = await loadWithThree(glb);
  assert.equal(three.geometry.getAttribute('position').count, 12 * 5);
  assert.equal(three.geometry.getIndex()!.count, mesh.triangles.length);
  assert.ok(three.geometry.getAttribute('normal'));
  const back = parseGlb(glb);
  assert.deepEqual(back.mesh.positions, mesh.positions);
  assert.deepEqual(back.mesh.triangles, mesh.triangles);
  assert.ok(maxAbsDiff(back.mesh.normals!, mesh.normals!) <= 1e-6);
});

test('GLB: OBJ-style uvs are split at seams, v is flipped, and the mesh reads back per corner', async () => {
  const mesh = seamTube(16, 6, { normals: true, colors: true });
  const glb = encodeGlb(mesh);
  await assertValid(glb);
  checkLayout(glb);
  const back = parseGlb(glb);
  const nv = back.mesh.positions.length / 3;
  assert.equal(nv, 17 * 6);
  for (let i = 0; i < mesh.triangles.length; i++) {
    const a = mesh.triangles[i];
    const t = mesh.uvTriangles![i];
    const b = back.mesh.triangles[i];
    for (let k = 0; k < 3; k++) assert.equal(back.mesh.positions[b * 3 + k], mesh.positions[a * 3 + k]);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(back.mesh.colors![b * 3 + k] - mesh.colors![a * 3 + k]) <= 1e-6);
    assert.ok(Math.abs(back.mesh.uvs![b * 2] - mesh.uvs![t * 2]) <= 1e-7);
    assert.ok(Math.abs(back.mesh.uvs![b * 2 + 1] - mesh.uvs![t * 2 + 1]) <= 1e-7);
  }
  const three = await loadWithThree(glb);
  const uv = three.geometry.getAttribute('uv');
  assert.equal(uv.count, nv);
  // three.js keeps glTF's top-left origin: its v is 1 - facekit's v.
  assert.ok(Math.abs(uv.getY(0) - (1 - back.mesh.uvs![1])) <= 1e-7);
  assert.ok(three.geometry.getAttribute('color'));
  assert.equal((three.material as MeshStandardMaterial).vertexColors, true);
});

test('GLB: embedded PNG texture is valid and three.js decodes it from the bufferView', async () => {
  const mesh = seamTube(8, 4);
  const png = await pngOf(8, 4, [200, 100, 50]);
  const glb = encodeGlb(mesh, { texture: png, materialName: 'skin', doubleSided: true });
  const report = await assertValid(glb);
  assert.equal(report.issues.numWarnings, 0);
  const doc = checkLayout(glb);
  assert.equal(doc.images![0].mimeType, 'image/png');
  assert.deepEqual(doc.materials![0].pbrMetallicRoughness!.baseColorTexture, { index: 0 });
  const back = parseGlb(glb);
  assert.deepEqual(back.texture, { data: png, mimeType: 'image/png' });
  const three = await withImageBitmapShim(() => loadWithThree(glb));
  const material = three.material as MeshStandardMaterial;
  assert.equal(material.name, 'skin');
  const map = material.map as Texture | null;
  assert.ok(map, 'the material has a base colour map');
  const image = map.image as { width: number; height: number; data: Uint8Array };
  assert.equal(image.width, 8);
  assert.equal(image.height, 4);
  assert.deepEqual(Array.from(image.data.subarray(0, 4)), [200, 100, 50, 255]);
  assert.equal(three.geometry.getAttribute('position').count, 9 * 4);
});

test('GLB: named morph targets are valid, follow the seam split and load as three.js morph targets', async () => {
  const mesh = seamTube(10, 5, { normals: true });
  const nv = mesh.positions.length / 3;
  const smile = new Float32Array(nv * 3).map((_, i) => (i % 3 === 1 ? 0.01 * Math.floor(i / 3) : 0));
  const blink = new Float32Array(nv * 3).map((_, i) => (i % 3 === 0 ? -0.02 : 0));
  const targets: MorphTarget[] = [
    { name: 'smile', positions: smile },
    { name: 'blink', positions: blink },
  ];
  const glb = encodeGlb(mesh, { morphTargets: targets, weights: [0.25, 0] });
  await assertValid(glb);
  const doc = checkLayout(glb);
  assert.deepEqual(doc.meshes![0].extras, { targetNames: ['smile', 'blink'] });
  assert.deepEqual(doc.meshes![0].weights, [0.25, 0]);
  for (const t of doc.meshes![0].primitives[0].targets!) assert.ok(doc.accessors![t.POSITION].min, 'morph POSITION needs min/max');
  const back = parseGlb(glb);
  assert.deepEqual(back.morphTargets.map((t) => t.name), ['smile', 'blink']);
  for (let i = 0; i < mesh.triangles.length; i++) {
    const a = mesh.triangles[i];
    const b = back.mesh.triangles[i];
    for (let k = 0; k < 3; k++) assert.equal(back.morphTargets[0].positions[b * 3 + k], smile[a * 3 + k]);
  }
  const three = await loadWithThree(glb);
  assert.equal(three.geometry.getAttribute('position').count, 11 * 5);
  assert.deepEqual(three.morphTargetDictionary, { smile: 0, blink: 1 });
  assert.equal(three.geometry.morphAttributes.position?.length, 2);
  assert.deepEqual(three.morphTargetInfluences, [0.25, 0]);
  assert.equal(three.geometry.morphTargetsRelative, true);
});

test('GLB: more than 65534 vertices switch to 32-bit indices', async () => {
  const mesh = flatGrid(260);
  const glb = encodeGlb(mesh, { uvs: false });
  await assertValid(glb);
  const doc = checkLayout(glb);
  assert.equal(doc.accessors![doc.meshes![0].primitives[0].indices!].componentType, 5125);
  const small = checkLayout(encodeGlb(flatGrid(10)));
  assert.equal(small.accessors![small.meshes![0].primitives[0].indices!].componentType, 5123);
  const back = parseGlb(glb);
  assert.deepEqual(back.mesh.triangles, mesh.triangles);
  const three = await loadWithThree(glb);
  assert.equal(three.geometry.getAttribute('position').count, 260 * 260);
});

test('GLB: invalid inputs are refused', () => {
  const mesh: Mesh = flatGrid(3);
  assert.throws(() => encodeGlb({ positions: new Float32Array(0), triangles: new Uint32Array(0) }), /empty mesh/);
  assert.throws(() => encodeGlb({ ...mesh, uvs: undefined }, { texture: new Uint8Array(8) }), /needs texture coordinates/);
  assert.throws(() => encodeGlb(mesh, { morphTargets: [{ name: 'x', positions: new Float32Array(3) }] }), /1 position deltas for 9 vertices/);
  assert.throws(() => encodeGlb(mesh, { morphTargets: [], weights: [1] }), /1 morph weights given for 0 targets/);
  assert.throws(() => encodeGlb({ ...mesh, triangles: new Uint32Array([0, 1, 9]) }), /only 9 vertices/);
  assert.throws(() => parseGlb(new TextEncoder().encode('{"asset":{"version":"2.0"}} padding')), (e: unknown) => e instanceof FormatError && /magic/.test(e.message));
  const glb = encodeGlb(mesh);
  assert.throws(() => parseGlb(glb.subarray(0, glb.length - 8)), (e: unknown) => e instanceof FormatError && /truncated/.test(e.message));
});

const ictMesh = fileURLToPath(new URL('../../../../shared/data/ict-facekit/generic_neutral_mesh.obj', import.meta.url));

test(
  'GLB: the ICT-FaceKit neutral mesh (quads, uv seams) converts to a valid GLB three.js loads',
  { skip: existsSync(ictMesh) ? false : 'ICT-FaceKit data not found beside the repository (shared/data/ict-facekit)' },
  async () => {
    const { mesh } = parseObj(readFileSync(ictMesh));
    const glb = encodeGlb(mesh);
    await assertValid(glb);
    checkLayout(glb);
    const back = parseGlb(glb);
    assert.equal(back.mesh.triangles.length, mesh.triangles.length);
    const three = await loadWithThree(glb);
    assert.equal(three.geometry.getAttribute('position').count, back.mesh.positions.length / 3);
    // One glTF vertex per distinct (vertex, uv) pair of the OBJ, counted independently of the welder.
    const pairs = new Set<number>();
    for (let i = 0; i < mesh.triangles.length; i++) pairs.add(mesh.triangles[i] * 1e5 + mesh.uvTriangles![i]);
    assert.equal(back.mesh.positions.length / 3, pairs.size);
  },
);
