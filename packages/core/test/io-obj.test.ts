import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeObj, parseObj, parseObjPositions, writeObj } from '../src/io/obj.js';
import { parseMtl, writeMtl } from '../src/io/mtl.js';
import { FormatError } from '../src/util/errors.js';
import type { Mesh } from '../src/mesh/mesh.js';
import { maxAbsDiff, seamTube } from './fixtures/io/meshes.js';

const fixture = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`./fixtures/io/${name}`, import.meta.url)));
const ictDir = fileURLToPath(new URL('../../../../shared/data/ict-facekit/', import.meta.url));
const ictMesh = `${ictDir}generic_neutral_mesh.obj`;

test('OBJ: quads are fan-triangulated, every index form and negative indices resolve, CRLF is fine', () => {
  const bytes = fixture('cube-quads-crlf.obj');
  assert.ok(new TextDecoder().decode(bytes).includes('\r\n'), 'fixture must keep its CRLF line ends');
  const d = parseObj(bytes);
  assert.equal(d.mesh.positions.length, 8 * 3);
  assert.equal(d.faceCount, 6);
  assert.equal(d.mesh.triangles.length, 12 * 3);
  assert.deepEqual(Array.from(d.mesh.triangles.subarray(0, 6)), [0, 3, 2, 0, 2, 1]);
  // f -5/1/4 -1/2/4 -2/3/4 -6/4/4 after 8 vertices = vertices 4 8 7 3 (1-based).
  assert.deepEqual(Array.from(d.mesh.triangles.subarray(18, 24)), [3, 7, 6, 3, 6, 2]);
  // f -8/-4/5 ... = vertices 1 5 8 4 with uvs 1 2 3 4.
  assert.deepEqual(Array.from(d.mesh.triangles.subarray(24, 30)), [0, 4, 7, 0, 7, 3]);
  assert.deepEqual(Array.from(d.mesh.uvTriangles!.subarray(24, 30)), [0, 1, 2, 0, 2, 3]);
  assert.equal(d.mesh.uvs!.length, 4 * 2);
  assert.equal(d.mtllib, 'cube.mtl');
  assert.deepEqual(d.materials, ['skin']);
  assert.ok(d.mesh.normals, 'v/vt/vn faces give per-vertex normals');
  assert.deepEqual(d.warnings, []);
  // The same text with LF ends parses identically.
  const lf = parseObj(new TextDecoder().decode(bytes).replace(/\r\n/g, '\n'));
  assert.deepEqual(lf.mesh.triangles, d.mesh.triangles);
  assert.deepEqual(lf.mesh.positions, d.mesh.positions);
});

test('OBJ: v, v/vt, v//vn forms, polygons with 5 corners, leading blanks and tabs', () => {
  const text = [
    'v 0 0 0',
    'v 1 0 0',
    'v 1 1 0',
    'v 0.5 1.5 0',
    'v 0 1 0',
    'vn 0 0 1',
    'vt 0.25 0.75',
    '  f 1 2 3 4 5',
    'f\t1//1 2//1 3//1',
    '',
  ].join('\n');
  const d = parseObj(text);
  assert.deepEqual(Array.from(d.mesh.triangles), [0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 1, 2]);
  assert.equal(d.faceCount, 2);
  // vt exists but no face uses it; normals are used by only one face: both dropped with a warning.
  assert.equal(d.mesh.uvs, undefined);
  assert.equal(d.mesh.normals, undefined);
  assert.equal(d.warnings.length, 2);
  const uv = parseObj('v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nf 1/3 2/2 3/1\n');
  assert.deepEqual(Array.from(uv.mesh.uvTriangles!), [2, 1, 0]);
  assert.deepEqual(Array.from(uv.mesh.uvs!), [0, 0, 1, 0, 0, 1]);
});

test('OBJ: a UTF-8 byte order mark is skipped', () => {
  const d = parseObj(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('v 1 2 3\nv 0 0 0\nv 0 1 0\nf 1 2 3\n')]));
  assert.deepEqual(Array.from(d.mesh.positions.subarray(0, 3)), [1, 2, 3]);
  assert.equal(parseObjPositions('\ufeffv 1 2 3\n')[0], 1);
});

test('OBJ: per-vertex colours from "v x y z r g b"', () => {
  const d = parseObj('v 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 0 1 0 0 0 1\nf 1 2 3\n');
  assert.deepEqual(Array.from(d.mesh.colors!), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const w = parseObj('v 0 0 0 1\nv 1 0 0 1\nv 0 1 0 1\nf 1 2 3\n');
  assert.equal(w.mesh.colors, undefined, 'a fourth number is the w weight, not a colour');
});

test('OBJ: numbers in every notation parse like parseFloat', () => {
  const vals = ['1', '-2.5', '+3.25', '.5', '-.5', '5.', '1e3', '1.5E-3', '-2e+2', '0.1234567890123456789', '123456789012345678', '1e-30'];
  const text = vals.map((v) => `v ${v} 0 0`).join('\n');
  const pos = parseObjPositions(text);
  vals.forEach((v, i) => assert.equal(pos[i * 3], Math.fround(Number(v)), v));
});

test('OBJ: malformed lines throw FormatError naming the line', () => {
  const cases: [string, RegExp][] = [
    ['v 0 0 0\nv 1 0\n', /line 2: expected a number/],
    ['v 0 0 0\nv 1 0 abc\n', /line 2: expected a number in "v 1 0 abc"/],
    ['v 0 0 0\n# c\nv 1 0 0\nf 1 2\n', /line 4: a face needs at least 3 corners/],
    ['v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n', /line 4: vertex index 4 is out of range/],
    ['v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 -4\n', /line 4: relative vertex index -4/],
    ['v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n', /line 4: vertex index 0 is invalid/],
    ['v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2 3\n', /line 5: the face mixes corners with and without texture/],
    ['v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/2 2/1 3/1\n', /line 4: texture coordinate index 2 is out of range/],
    ['v 0 0 0\r\nv 1 0 0\r\nv 0 1 0\r\nf 1 2 3x\r\n', /line 4: expected a face corner/],
    ['v 0 0 0 1 1 1 1 1\n', /line 1: expected at most 7 numbers/],
    ['v 1.5e 0 0\n', /line 1: expected a number/],
    ['v 0 0 0\nv nan 0 0\n', /line 2: expected a number in "v nan 0 0"/],
    ['v 0x10 0 0\n', /line 1: expected a number/],
    ['v 1e400 0 0\n', /line 1: the number 1e400 is out of range/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseObj(text), (e: unknown) => e instanceof FormatError && re.test(e.message), `${JSON.stringify(text)} should match ${re}`);
  }
});

test('OBJ: write then read gives the same mesh (uvs + uvTriangles, normals, colours)', () => {
  const mesh = seamTube(24, 9, { normals: true, colors: true });
  const text = writeObj(mesh, { mtllib: 'tube.mtl', materialName: 'skin', comment: 'tube\nsecond line' });
  assert.match(text, /^# tube\n# second line\nmtllib tube\.mtl\n/);
  assert.match(text, /\nusemtl skin\nf /);
  assert.equal(new TextDecoder().decode(encodeObj(mesh, { mtllib: 'tube.mtl', materialName: 'skin', comment: 'tube\nsecond line' })), text);
  const d = parseObj(text);
  assert.deepEqual(d.mesh.triangles, mesh.triangles);
  assert.deepEqual(d.mesh.uvTriangles, mesh.uvTriangles);
  assert.ok(maxAbsDiff(d.mesh.positions, mesh.positions) <= 5e-7);
  assert.ok(maxAbsDiff(d.mesh.uvs!, mesh.uvs!) <= 5e-7);
  assert.ok(maxAbsDiff(d.mesh.normals!, mesh.normals!) <= 5e-7);
  assert.ok(maxAbsDiff(d.mesh.colors!, mesh.colors!) <= 5e-7);
  assert.equal(d.mtllib, 'tube.mtl');
  assert.deepEqual(d.materials, ['skin']);
});

test('OBJ: per-vertex uvs are written as v/vt with the vertex index; options drop attributes', () => {
  const mesh: Mesh = {
    positions: new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]),
    triangles: new Uint32Array([0, 1, 2]),
    uvs: new Float32Array([0, 0, 1, 0, 0, 1]),
    normals: new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1]),
  };
  assert.match(writeObj(mesh), /\nf 1\/1\/1 2\/2\/2 3\/3\/3\n$/);
  assert.match(writeObj(mesh, { normals: false }), /\nf 1\/1 2\/2 3\/3\n$/);
  assert.match(writeObj(mesh, { uvs: false }), /\nf 1\/\/1 2\/\/2 3\/\/3\n$/);
  assert.equal(writeObj(mesh, { uvs: false, normals: false }), 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
  const back = parseObj(writeObj(mesh));
  assert.deepEqual(back.mesh.uvTriangles, mesh.triangles);
});

test('OBJ: number formatting is fixed-point, trimmed, and rejects non-finite values', () => {
  const mesh = (xs: number[]): Mesh => ({ positions: new Float32Array(xs), triangles: new Uint32Array(0) });
  const line = (xs: number[], decimals?: number): string => writeObj(mesh(xs), decimals === undefined ? {} : { decimals }).trim();
  assert.equal(line([0, -0, 1e-7]), 'v 0 0 0');
  assert.equal(line([-1e-7, 0.5, -2]), 'v 0 0.5 -2');
  assert.equal(line([1.0000001, 123456.7890625, -0.000001]), 'v 1 123456.789063 -0.000001');
  assert.equal(line([2 ** 40, -3.5e9, 7]), 'v 1099511627776 -3500000000 7');
  assert.equal(line([0.125, 2.5, -1.75], 1), 'v 0.1 2.5 -1.8');
  assert.throws(() => writeObj(mesh([NaN, 0, 0])), RangeError);
  assert.throws(() => writeObj({ positions: new Float32Array(3), triangles: new Uint32Array([0, 1, 2]) }), /only 1 vertices/);
  assert.throws(() => writeObj(mesh([0, 0, 0]), { decimals: 12 }), RangeError);
});

test('OBJ: positionsOnly reads just the vertices', () => {
  const mesh = seamTube(8, 4);
  const text = writeObj(mesh);
  const d = parseObj(text, { positionsOnly: true });
  assert.equal(d.mesh.triangles.length, 0);
  assert.ok(maxAbsDiff(d.mesh.positions, mesh.positions) <= 5e-7);
  assert.deepEqual(parseObjPositions(text), d.mesh.positions);
});

test('MTL: write and parse a textured material', () => {
  const text = writeMtl([{ name: 'face', diffuseTexture: 'face.png' }, { name: 'eyes', diffuse: [0.1, 0.2, 0.3], specular: [0.5, 0.5, 0.5], shininess: 20 }]);
  assert.match(text, /newmtl face\nKd 1 1 1\n/);
  assert.match(text, /map_Kd face\.png\n/);
  const mats = parseMtl(text.replace(/\n/g, '\r\n'));
  assert.equal(mats.length, 2);
  assert.equal(mats[0].diffuseTexture, 'face.png');
  assert.deepEqual(mats[1].diffuse, [0.1, 0.2, 0.3]);
  assert.equal(mats[1].shininess, 20);
  assert.equal(parseMtl('newmtl a\nmap_Kd -s 1 1 1 tex.png\n')[0].diffuseTexture, 'tex.png');
  assert.throws(() => parseMtl('Kd 1 1 1\n'), /MTL line 1/);
  assert.throws(() => writeMtl({ name: 'has space' }), RangeError);
});

test(
  'OBJ: reads the ICT-FaceKit neutral mesh (26719 vertices, quads + triangles, vt)',
  { skip: existsSync(ictMesh) ? false : `ICT-FaceKit data not found at ${ictDir}` },
  () => {
    const bytes = readFileSync(ictMesh);
    // Count polygons independently of the parser: quads give 2 triangles, triangles 1.
    let quads = 0;
    let tris = 0;
    for (const line of bytes.toString('latin1').split('\n')) {
      if (!line.startsWith('f ')) continue;
      const corners = line.trim().split(/\s+/).length - 1;
      if (corners === 4) quads++;
      else if (corners === 3) tris++;
      else assert.fail(`unexpected ${corners}-gon`);
    }
    const d = parseObj(bytes);
    assert.equal(d.mesh.positions.length / 3, 26719);
    assert.equal(d.mesh.triangles.length / 3, quads * 2 + tris);
    assert.equal(d.faceCount, quads + tris);
    assert.ok(d.mesh.uvs && d.mesh.uvTriangles);
    assert.equal(d.mesh.uvTriangles.length, d.mesh.triangles.length);
    assert.equal(d.mtllib, 'ICTFaceModelMaterial.mtl');
    assert.deepEqual(Array.from(d.mesh.positions.subarray(0, 3)), [0, Math.fround(-2.48251), Math.fround(11.8387)]);
    assert.deepEqual(parseObjPositions(bytes), d.mesh.positions);
    // And it survives a write/read cycle.
    const back = parseObj(encodeObj(d.mesh));
    assert.deepEqual(back.mesh.triangles, d.mesh.triangles);
    assert.ok(maxAbsDiff(back.mesh.positions, d.mesh.positions) <= 1e-5);
  },
);
