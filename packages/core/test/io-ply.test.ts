import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePly, parsePly, type PlyFormat } from '../src/io/ply.js';
import { FormatError } from '../src/util/errors.js';
import type { Mesh } from '../src/mesh/mesh.js';
import { flatGrid, maxAbsDiff, seamTube } from './fixtures/io/meshes.js';

const fixture = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`./fixtures/io/${name}`, import.meta.url)));
const FORMATS: PlyFormat[] = ['ascii', 'binary_little_endian', 'binary_big_endian'];

/** Colours quantised to 8 bits, as PLY stores them. */
function quantised(c: Float32Array): Float32Array {
  return c.map((v) => Math.round(v * 255) / 255);
}

for (const format of FORMATS) {
  test(`PLY ${format}: round trip with normals, colours and per-vertex uvs`, () => {
    const grid = flatGrid(7);
    const nv = grid.positions.length / 3;
    const mesh: Mesh = {
      ...grid,
      normals: new Float32Array(nv * 3).map((_, i) => (i % 3 === 2 ? 1 : 0)),
      colors: new Float32Array(nv * 3).map((_, i) => (i % 7) / 6),
    };
    const bytes = encodePly(mesh, { format, comments: ['made by a test'] });
    const d = parsePly(bytes);
    assert.equal(d.format, format);
    assert.deepEqual(d.comments, ['made by a test']);
    assert.deepEqual(d.mesh.triangles, mesh.triangles);
    const tol = format === 'ascii' ? 5e-7 : 0;
    assert.ok(maxAbsDiff(d.mesh.positions, mesh.positions) <= tol);
    assert.ok(maxAbsDiff(d.mesh.normals!, mesh.normals!) <= tol);
    assert.ok(maxAbsDiff(d.mesh.uvs!, mesh.uvs!) <= tol);
    assert.equal(d.mesh.uvTriangles, undefined);
    assert.ok(maxAbsDiff(d.mesh.colors!, quantised(mesh.colors!)) <= 1e-6);
  });

  test(`PLY ${format}: OBJ-style uvs round trip through a face texcoord list`, () => {
    const mesh = seamTube(12, 5);
    const d = parsePly(encodePly(mesh, { format }));
    assert.deepEqual(d.mesh.triangles, mesh.triangles);
    assert.ok(d.mesh.uvTriangles);
    // Corner uvs come back per corner: compare the uv each triangle corner sees.
    const tol = format === 'ascii' ? 5e-7 : 0;
    for (let i = 0; i < mesh.triangles.length; i++) {
      const a = mesh.uvTriangles![i] * 2;
      const b = d.mesh.uvTriangles[i] * 2;
      assert.ok(Math.abs(mesh.uvs![a] - d.mesh.uvs![b]) <= tol && Math.abs(mesh.uvs![a + 1] - d.mesh.uvs![b + 1]) <= tol);
    }
  });
}

test('PLY: ascii fixture with a quad, vertex_index, uint8/uint32 lists and an extra element', () => {
  const d = parsePly(fixture('pyramid-ascii.ply'));
  assert.equal(d.format, 'ascii');
  assert.equal(d.faceCount, 5);
  assert.equal(d.comments.length, 2);
  assert.deepEqual(Array.from(d.mesh.triangles), [0, 3, 2, 0, 2, 1, 0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4]);
  assert.deepEqual(Array.from(d.mesh.colors!.subarray(0, 6)), [1, 0, 0, 0, 1, 0]);
  assert.equal(d.mesh.positions[14], 1);
});

test('PLY: big-endian binary with double positions, uint8/uint32 lists and short colours', () => {
  const header =
    'ply\nformat binary_big_endian 1.0\nelement vertex 4\nproperty double x\nproperty double y\nproperty double z\n' +
    'property ushort red\nproperty ushort green\nproperty ushort blue\nproperty float u\nproperty float v\n' +
    'element face 1\nproperty uchar flags\nproperty list uint8 uint32 vertex_indices\nend_header\r\n';
  const head = new TextEncoder().encode(header);
  const body = new DataView(new ArrayBuffer(4 * (24 + 6 + 8) + 1 + 1 + 16));
  const pts = [0, 0, 0, 2, 0, 0, 2, 3, 0, 0, 3, 0.5];
  let o = 0;
  for (let v = 0; v < 4; v++) {
    for (let k = 0; k < 3; k++, o += 8) body.setFloat64(o, pts[v * 3 + k], false);
    for (let k = 0; k < 3; k++, o += 2) body.setUint16(o, v === 0 ? 65535 : 0, false);
    body.setFloat32(o, v * 0.25, false);
    body.setFloat32(o + 4, 1 - v * 0.25, false);
    o += 8;
  }
  body.setUint8(o++, 7);
  body.setUint8(o++, 4);
  for (const i of [0, 1, 2, 3]) {
    body.setUint32(o, i, false);
    o += 4;
  }
  const bytes = new Uint8Array(head.length + body.byteLength);
  bytes.set(head);
  bytes.set(new Uint8Array(body.buffer), head.length);
  const d = parsePly(bytes.buffer);
  assert.deepEqual(Array.from(d.mesh.positions), pts.map(Math.fround));
  assert.deepEqual(Array.from(d.mesh.triangles), [0, 1, 2, 0, 2, 3]);
  assert.deepEqual(Array.from(d.mesh.colors!.subarray(0, 6)), [1, 1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(d.mesh.uvs!), [0, 1, 0.25, 0.75, 0.5, 0.5, 0.75, 0.25]);
});

test('PLY: damaged headers and bodies throw FormatError', () => {
  const good = new TextDecoder().decode(encodePly(seamTube(4, 3), { format: 'ascii' }));
  const bad: [string | Uint8Array, RegExp][] = [
    ['solid cube\n', /does not start with the line "ply"/],
    ['ply\nformat ascii 1.0\nelement vertex 0\n', /no "end_header"/],
    ['ply\nformat binary_middle_endian 1.0\nend_header\n', /unknown format "binary_middle_endian"/],
    ['ply\nformat ascii 2.0\nend_header\n', /unsupported PLY version/],
    ['ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n', /header line 4: expected "property <type> <name>"/],
    ['ply\nformat ascii 1.0\nproperty float x\nend_header\n', /header line 3: "property" before any "element"/],
    ['ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n0 0\n', /no scalar "z"/],
    ['ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nbogus\nend_header\n', /unknown header statement "bogus"/],
    ['ply\nelement vertex 0\nend_header\n', /no "format" line/],
    [good.replace(/\n3 (\d+)/, '\n3 999'), /refers to vertex 999/],
    [good.slice(0, good.length - 20), /PLY line \d+: expected a number|expected a list length/],
    [good.replace(/\n3 /, '\n2 '), /has 2 vertices; a polygon needs at least 3/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => parsePly(input), (e: unknown) => e instanceof FormatError && re.test(e.message), `${re}`);
  }
  const bin = encodePly(seamTube(4, 3), { format: 'binary_little_endian' });
  assert.throws(() => parsePly(bin.subarray(0, bin.length - 10)), (e: unknown) => e instanceof FormatError && /truncated/.test(e.message));
});
