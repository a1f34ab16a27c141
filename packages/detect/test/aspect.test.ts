import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { DetectedFace, Detector } from '@facekit/core';
import { createHumanDetector } from '../src/node/index.js';
import { prepareDetectionInput, DETECTION_PAD_VALUE } from '../src/index.js';
import { ASTRONAUT, decodeRgb } from './helpers.js';

describe('prepareDetectionInput padToSquare', () => {
  it('pads right/bottom only, so coordinates map back with the plain scale', () => {
    const image = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(24).map((_, i) => i + 1) };
    const input = prepareDetectionInput(image, 2048, { padToSquare: true });
    assert.deepEqual([input.width, input.height, input.scaleX, input.scaleY], [4, 4, 1, 1]);
    assert.deepEqual(Array.from(input.rgb.subarray(0, 24)), Array.from(image.data));
    assert.ok(input.rgb.subarray(24).every((v) => v === DETECTION_PAD_VALUE));
  });
});

describe('human detector on wide and tall canvases', () => {
  let detector: Detector;
  let reference: DetectedFace;
  before(async () => {
    detector = await createHumanDetector();
    [reference] = await detector.detect(await decodeRgb(ASTRONAUT));
  });
  after(async () => {
    await detector.dispose?.();
  });

  for (const [name, extend] of [
    ['2:1 wide', { right: 512 }],
    ['1:2 tall', { bottom: 512 }],
  ] as const) {
    it(`${name}: the same face box and landmarks as the square photo`, async () => {
      const image = await decodeRgb(sharp(ASTRONAUT).extend({ ...extend, background: { r: 30, g: 60, b: 90 } }));
      const [face] = await detector.detect(image);
      const size = Math.sqrt(reference.box[2] * reference.box[3]);
      for (let i = 0; i < 4; i++) assert.ok(Math.abs(face.box[i] - reference.box[i]) < 0.06 * size, `box ${face.box} vs ${reference.box}`);
      let sum = 0;
      for (let i = 0; i < 68; i++) sum += Math.hypot(face.landmarks68![2 * i] - reference.landmarks68![2 * i], face.landmarks68![2 * i + 1] - reference.landmarks68![2 * i + 1]);
      assert.ok(sum / 68 / size < 0.03, `landmark NME ${(sum / 68 / size).toFixed(4)}`);
    });
  }
});
