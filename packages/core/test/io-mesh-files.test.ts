import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { detectMeshFormat, parseMesh } from '../src/io/mesh-format.js';
import { encodePly } from '../src/io/ply.js';
import { encodeGlb } from '../src/io/glb.js';
import { MeshFileError, readMeshFile, writeGlbFile, writeMeshFile, writeObjFiles, writePlyFile } from '../src/node/mesh-files.js';
import { FormatError } from '../src/util/errors.js';
import { maxAbsDiff, seamTube } from './fixtures/io/meshes.js';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'facekit-io-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writeObjFiles writes OBJ + MTL + PNG that readMeshFile reads back with its material', async () => {
  await withTempDir(async (dir) => {
    const mesh = seamTube(12, 4);
    const png = new Uint8Array(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer());
    const paths = await writeObjFiles(join(dir, 'out'), mesh, { texture: png, materialName: 'skin', baseName: 'face' });
    assert.deepEqual(paths, { obj: join(dir, 'out/face.obj'), mtl: join(dir, 'out/face.mtl'), texture: join(dir, 'out/face.png') });
    assert.deepEqual(new Uint8Array(await readFile(paths.texture!)), png);
    const mtl = await readFile(paths.mtl, 'utf8');
    assert.match(mtl, /newmtl skin\n/);
    assert.match(mtl, /map_Kd face\.png\n/);
    const read = await readMeshFile(paths.obj);
    assert.equal(read.format, 'obj');
    assert.equal(read.mtllib, 'face.mtl');
    assert.equal(read.materials?.[0].name, 'skin');
    assert.equal(read.texturePath, paths.texture);
    assert.deepEqual(read.mesh.triangles, mesh.triangles);
    assert.deepEqual(read.mesh.uvTriangles, mesh.uvTriangles);
    assert.ok(maxAbsDiff(read.mesh.positions, mesh.positions) <= 5e-7);
    // An .obj path names the files directly; without a texture the MTL carries a plain colour.
    const plain = await writeObjFiles(join(dir, 'plain.obj'), mesh);
    assert.equal(plain.texture, undefined);
    assert.match(await readFile(plain.mtl, 'utf8'), /Kd 0\.8 0\.8 0\.8/);
    assert.deepEqual((await readdir(dir)).sort(), ['out', 'plain.mtl', 'plain.obj']);
  });
});

test('writePlyFile / writeGlbFile / writeMeshFile write files readMeshFile detects', async () => {
  await withTempDir(async (dir) => {
    const mesh = seamTube(8, 3, { normals: true });
    await writePlyFile(join(dir, 'a.ply'), mesh, { format: 'ascii' });
    await writeGlbFile(join(dir, 'a.glb'), mesh, { morphTargets: [{ name: 'up', positions: new Float32Array(mesh.positions.length) }] });
    await writeMeshFile(join(dir, 'b.ply'), mesh);
    const ply = await readMeshFile(join(dir, 'a.ply'));
    assert.equal(ply.format, 'ply');
    assert.deepEqual(ply.mesh.triangles, mesh.triangles);
    const glb = await readMeshFile(join(dir, 'a.glb'));
    assert.equal(glb.format, 'glb');
    assert.deepEqual(glb.morphTargets?.map((t) => t.name), ['up']);
    assert.equal((await readMeshFile(join(dir, 'b.ply'))).format, 'ply');
    // Content wins over a misleading extension.
    await writeFile(join(dir, 'really-ply.obj'), encodePly(mesh));
    assert.equal((await readMeshFile(join(dir, 'really-ply.obj'))).format, 'ply');
    await assert.rejects(writeMeshFile(join(dir, 'x.stl'), mesh), /use a \.obj, \.ply or \.glb extension/);
  });
});

test('mesh files are written atomically: a failed write throws a clear error and leaves no partial file', async () => {
  await withTempDir(async (dir) => {
    const mesh = seamTube(6, 3);
    // The target is an existing directory: the temporary file is written, the rename fails and must be cleaned up.
    await mkdir(join(dir, 'taken.glb'));
    await assert.rejects(writeGlbFile(join(dir, 'taken.glb'), mesh), (e: unknown) => {
      assert.ok(e instanceof MeshFileError);
      assert.equal(e.code, 'ERR_WRITE_FAILED');
      assert.match(e.message, /could not write .*taken\.glb: a directory of that name exists/);
      return true;
    });
    assert.deepEqual(await readdir(dir), ['taken.glb'], 'no temporary file is left behind');
    assert.deepEqual(await readdir(join(dir, 'taken.glb')), []);
    // A parent of the path is a file: nothing can be created under it.
    await writeFile(join(dir, 'file'), 'x');
    await assert.rejects(writePlyFile(join(dir, 'file', 'mesh.ply'), mesh), (e: unknown) => e instanceof MeshFileError && /parent of the path is not a directory/.test(e.message));
    // The OBJ is written last, so a failed OBJ write leaves the earlier files complete and no partial OBJ.
    await mkdir(join(dir, 'obj', 'mesh.obj'), { recursive: true });
    await assert.rejects(writeObjFiles(join(dir, 'obj'), mesh), MeshFileError);
    assert.deepEqual((await readdir(join(dir, 'obj'))).sort(), ['mesh.mtl', 'mesh.obj']);
    // An existing file is replaced whole, never truncated in place.
    await writePlyFile(join(dir, 'keep.ply'), mesh);
    const before = await readFile(join(dir, 'keep.ply'));
    await writePlyFile(join(dir, 'keep.ply'), mesh, { format: 'ascii' });
    assert.notDeepEqual(await readFile(join(dir, 'keep.ply')), before);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  });
});

test('readMeshFile reports missing files, directories and unknown content clearly', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(readMeshFile(join(dir, 'nope.obj')), (e: unknown) => e instanceof MeshFileError && e.code === 'ERR_FILE_NOT_FOUND');
    await assert.rejects(readMeshFile(dir), (e: unknown) => e instanceof MeshFileError && e.code === 'ERR_NOT_A_FILE');
    await writeFile(join(dir, 'scene.gltf'), '{"asset":{"version":"2.0"}}');
    await assert.rejects(readMeshFile(join(dir, 'scene.gltf')), (e: unknown) => e instanceof FormatError && /\.gltf is not supported/.test(e.message));
    await writeFile(join(dir, 'bad.obj'), 'v 0 0 0\nf 1 2 3\n');
    await assert.rejects(readMeshFile(join(dir, 'bad.obj')), (e: unknown) => e instanceof FormatError && /bad\.obj: OBJ line 2/.test(e.message));
    // An OBJ whose MTL is missing still reads, with a warning.
    await writeFile(join(dir, 'lonely.obj'), 'mtllib gone.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
    const lonely = await readMeshFile(join(dir, 'lonely.obj'));
    assert.match(lonely.warnings.join('\n'), /gone\.mtl not found/);
  });
});

test('detectMeshFormat: magic bytes first, then extension, then OBJ-looking text', () => {
  const mesh = seamTube(4, 3);
  assert.equal(detectMeshFormat(encodeGlb(mesh)), 'glb');
  assert.equal(detectMeshFormat(encodePly(mesh), 'x.obj'), 'ply');
  assert.equal(detectMeshFormat(new TextEncoder().encode('# comment\n\nv 0 0 0\n')), 'obj');
  assert.equal(detectMeshFormat(new TextEncoder().encode('anything'), 'mesh.OBJ'), 'obj');
  assert.equal(detectMeshFormat(new TextEncoder().encode('solid stl'), 'mesh.ply'), undefined);
  assert.equal(detectMeshFormat(new Uint8Array([0, 1, 2, 3])), undefined);
  assert.throws(() => parseMesh(new Uint8Array([0, 1, 2, 3])), FormatError);
  assert.equal(parseMesh(encodePly(mesh).buffer as ArrayBuffer).format, 'ply');
});
