import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FacekitError,
  NoPluginAvailableError,
  PluginRegistry,
  createImage,
  createRegistries,
  registries,
  type Predictor,
} from '../src/index.js';

describe('PluginRegistry', () => {
  it('orders names by priority, then registration order', () => {
    const r = new PluginRegistry<string>('predictor');
    r.register({ name: 'low', priority: -1, create: () => 'low' });
    r.register({ name: 'a', create: () => 'a' });
    r.register({ name: 'high', priority: 10, create: () => 'high' });
    r.register({ name: 'b', create: () => 'b' });
    assert.deepEqual(r.names(), ['high', 'a', 'b', 'low']);
  });

  it('creates lazily, once, and retries after a failed creation', async () => {
    const r = new PluginRegistry<{ n: number }>('model');
    let calls = 0;
    let fail = true;
    r.register({
      name: 'm',
      create: () => {
        calls++;
        if (fail) throw new Error('weights missing');
        return { n: calls };
      },
    });
    assert.equal(calls, 0, 'registration must not create the plugin');
    await assert.rejects(r.get('m'), /weights missing/);
    fail = false;
    const first = await r.get('m');
    const second = await r.get('m');
    assert.equal(first, second, 'instances without options are cached');
    assert.equal(calls, 2);
    const fresh = await r.get('m', {});
    assert.notEqual(fresh, first, 'a call with options creates a new instance');
  });

  it('resolve() skips unavailable and failing candidates and collects every reason', async () => {
    const r = new PluginRegistry<string>('predictor');
    r.register({
      name: 'deca',
      priority: 3,
      check: () => ({ available: false, reasons: ['weights file not found at /m/deca_model.onnx'] }),
      create: () => 'deca',
    });
    r.register({ name: 'prnet', priority: 2, create: () => { throw new Error('onnxruntime failed'); } });
    r.register({ name: 'fit', priority: 1, create: () => 'fit' });
    assert.deepEqual(await r.resolve(), { name: 'fit', plugin: 'fit' });

    r.unregister('fit');
    const error = await r.resolve().then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof NoPluginAvailableError);
    assert.equal(error.code, 'ERR_NO_PLUGIN');
    assert.match(error.message, /^no predictor available: deca: weights file not found at \/m\/deca_model\.onnx; prnet: onnxruntime failed$/);
    assert.deepEqual(error.failures.map((f) => f.name), ['deca', 'prnet']);
  });

  it('rejects duplicates, bad names and unknown lookups with specific messages', async () => {
    const r = new PluginRegistry<string>('detector');
    r.register({ name: 'blaze', create: () => 'x' });
    assert.throws(() => r.register({ name: 'blaze', create: () => 'y' }), /already registered; pass \{ replace: true \}/);
    r.register({ name: 'blaze', create: () => 'y' }, { replace: true });
    assert.equal(await r.get('blaze'), 'y');
    assert.throws(() => r.register({ name: 'has space', create: () => 'z' }), /name "has space" is invalid/);
    await assert.rejects(r.get('nope'), (e: unknown) => e instanceof FacekitError && /unknown detector "nope"; registered: blaze/.test(e.message));
  });

  it('describe() reports availability without throwing', async () => {
    const r = new PluginRegistry<string>('model');
    r.register({
      name: 'flame',
      requires: [{ kind: 'file', name: '~/.facekit/models/flame/generic_model.pkl', source: 'https://flame.is.tue.mpg.de' }],
      check: () => { throw new Error('cannot stat'); },
      create: () => 'flame',
    });
    r.register({ name: 'ict', create: () => 'ict' });
    const info = await r.describe();
    assert.deepEqual(
      info.map((i) => [i.name, i.available, i.reasons]),
      [['flame', false, ['cannot stat']], ['ict', true, []]],
    );
    assert.equal(info[0].requires[0].source, 'https://flame.is.tue.mpg.de');
  });

  it('createRegistries() gives isolated registries', () => {
    const a = createRegistries();
    const b = createRegistries();
    a.predictors.register({ name: 'x', create: () => ({}) as Predictor });
    assert.equal(b.predictors.has('x'), false);
  });
});

describe('a plugin registered from a user file', () => {
  it('is found in the default registries and returns a valid Reconstruction', async () => {
    await import('./fixtures/user-plugin.js');
    assert.ok(registries.predictors.names().includes('mean-face'));
    const predictor = await registries.predictors.get('mean-face');
    const rec = await predictor.predict(createImage(64, 48, 3, 'u8'));
    assert.equal(rec.method, 'mean-face');
    assert.equal(rec.mesh.positions.length, 12);
    assert.equal(rec.camera.type, 'orthographic');
    registries.predictors.unregister('mean-face');
  });
});
