import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, parseNpy, parseNpz, readNpyHeader } from '@facekit/core';
import { isCscMatrix, isNdArray, isPyObject, readPickle, readPickledFile } from '@facekit/flame';
import { fixture } from './helpers.js';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('npy: every dtype, byte order, Fortran order and header version decodes to C order', () => {
  const base = Array.from({ length: 24 }, (_, i) => i - 3);
  const cases: Array<[string, string, number[]]> = [
    ['f4_le', 'float32', base], ['f8_be', 'float64', base], ['i8_le', 'int64', base], ['i4_be', 'int32', base],
    ['u1', 'uint8', base.map((v) => v + 3)], ['u4_le', 'uint32', base.map((v) => v + 3)], ['i2_le', 'int16', base],
    ['f2_le', 'float16', base], ['b1', 'bool', base.map((_, i) => i % 2)], ['f8_fortran', 'float64', base],
    ['i8_fortran_be', 'int64', base], ['f4_v2', 'float32', base], ['f4_v3', 'float32', base],
  ];
  for (const [name, dtype, want] of cases) {
    const arr = parseNpy(fixture(`npy/${name}.npy`), name);
    assert.equal(arr.dtype, dtype, name);
    assert.deepEqual(arr.shape, [2, 3, 4], name);
    assert.deepEqual(Array.from(arr.data), want, name);
  }
  assert.equal(readNpyHeader(fixture('npy/f8_fortran.npy')).fortranOrder, true);
  assert.deepEqual(readNpyHeader(fixture('npy/f4_v2.npy')).version, [2, 0]);
  const scalar = parseNpy(fixture('npy/scalar_f8.npy'));
  assert.deepEqual(scalar.shape, []);
  assert.equal(scalar.data[0], 2.5);
});

test('npy: damaged or foreign files give FormatError', () => {
  assert.throws(() => parseNpy(enc('not numpy at all'), 'x.npy'), (e: unknown) => e instanceof FormatError && /x\.npy: not a NumPy/.test(e.message));
  const good = fixture('npy/f8_be.npy');
  assert.throws(() => parseNpy(good.subarray(0, good.length - 5), 't.npy'), /truncated/);
  assert.throws(() => parseNpy(fixture('flame_dynamic_embedding.npy')), /pickled Python objects/);
});

test('npz: deflated and stored archives, key filter, damaged archive', () => {
  const all = parseNpz(fixture('tiny_model.npz'));
  assert.deepEqual(Object.keys(all).sort(), ['J_regressor', 'f', 'kintree_table', 'posedirs', 'shapedirs', 'v_template', 'weights']);
  const some = parseNpz(fixture('FLAME_texture.npz'), 'tex', { keys: ['mean'] });
  assert.deepEqual(Object.keys(some), ['mean']);
  assert.deepEqual(some.mean.shape, [4, 4, 3]);
  const bytes = fixture('tiny_model.npz').slice();
  bytes.fill(0, 200, 400);
  assert.throws(() => parseNpz(bytes, 'bad.npz'), (e: unknown) => e instanceof FormatError && /bad\.npz/.test(e.message));
  assert.throws(() => parseNpz(enc('PKnope'), 'x.npz'), FormatError);
});

test('pickle: protocol 5 values (frombuffer, Fortran order, big ints, bytes, frozenset)', () => {
  const v = readPickle(fixture('protocol5.pkl')) as Record<string, unknown>;
  assert.ok(isNdArray(v.fortran));
  assert.deepEqual(v.fortran.shape, [4, 3, 5]);
  assert.ok(isNdArray(v.i8));
  assert.deepEqual(Array.from(v.i8.data as Float64Array), [4294967295, 0, 1, 1, 1, 0, 1, 2, 3, 4]);
  assert.deepEqual(v.tuple, [1, 2.5, null, true]);
  assert.equal(v.big, 2n ** 70n);
  assert.equal(v.neg, -5);
  assert.equal(v.text, 'h\u00e9llo');
  assert.deepEqual(Array.from(v.raw as Uint8Array), [0, 255]);
  assert.deepEqual([...(v.frozen as Set<number>)], [3]);
  // The Fortran-ordered array equals the C-ordered posedirs slice of the model.
  const model = readPickle(fixture('tiny_model_py3.pkl')) as Record<string, unknown>;
  const pd = model.posedirs;
  assert.ok(isNdArray(pd));
  const [, , P] = pd.shape;
  const data = pd.data as Float64Array;
  const f = v.fortran.data as Float64Array;
  for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 5; c++) {
    assert.equal(f[(a * 3 + b) * 5 + c], data[(a * 3 + b) * P + c]);
  }
});

test('pickle: Python 2 model pickle holds chumpy arrays, a CSC matrix and latin1 str data', () => {
  const v = readPickle(fixture('tiny_model_py2.pkl')) as Record<string, unknown>;
  assert.ok(isPyObject(v.shapedirs));
  assert.equal(v.shapedirs.className, 'chumpy.ch.Ch');
  assert.ok(isNdArray(v.shapedirs.state.x));
  assert.ok(v.shapedirs.state._dirty_vars instanceof Set);
  assert.ok(isCscMatrix(v.J_regressor));
  assert.deepEqual(v.J_regressor.shape, [5, 16]);
  assert.equal(v.bs_style, 'lbs');
});

test('pickle: protocol 0 text opcodes', () => {
  // {'a': [1, 2L, 1.5, 'x\n', True, None]} written by Python 2 pickle.dumps(obj, 0), by hand.
  const p0 = "(dp0\nS'a'\np1\n(lp2\nI1\naL2L\naF1.5\naS'x\\n'\np3\naI01\naNas.";
  assert.deepEqual({ ...(readPickle(enc(p0)) as object) }, { a: [1, 2, 1.5, 'x\n', true, null] });
});

test('pickle: never calls unknown globals, names them in the error', () => {
  // cos\nsystem\n(S'echo pwned'\ntR.  — the classic exploit.
  const evil = enc("cos\nsystem\n(S'echo pwned'\ntR.");
  assert.throws(() => readPickle(evil, { name: 'evil.pkl' }), (e: unknown) => e instanceof FormatError && /evil\.pkl: .*os\.system/.test(e.message));
  const evil2 = enc('\x80\x04\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94.');
  assert.throws(() => readPickle(evil2), /builtins\.eval/);
  const numpyLoad = enc('\x80\x02cnumpy\nload\nq\x00.');
  assert.throws(() => readPickle(numpyLoad), /numpy\.load/);
});

test('pickle: truncated and damaged data', () => {
  const good = fixture('tiny_model_py2.pkl');
  for (const cut of [1, 10, 100, good.length >> 1, good.length - 1]) {
    assert.throws(() => readPickle(good.subarray(0, cut), { name: 'cut.pkl' }), (e: unknown) => e instanceof FormatError && /cut\.pkl: (truncated|damaged)/.test(e.message), `cut at ${cut}`);
  }
  assert.throws(() => readPickle(enc('\x80\x02\xff.')), /unknown opcode 0xff/);
  assert.throws(() => readPickle(enc('\x80\x02h\x05.')), /memo entry 5/);
  assert.throws(() => readPickle(enc('\x80\x09.')), /protocol 9/);
});

test('readPickledFile: object .npy unwraps the 0-d array, numeric .npy passes through', () => {
  const dyn = readPickledFile(fixture('flame_dynamic_embedding.npy'), 'dyn') as Record<string, unknown>;
  assert.ok(isNdArray(dyn.lmk_face_idx));
  assert.deepEqual(dyn.lmk_face_idx.shape, [79, 17]);
  const num = readPickledFile(fixture('npy/f4_le.npy'), 'n') as { shape: number[] };
  assert.deepEqual(num.shape, [2, 3, 4]);
});
