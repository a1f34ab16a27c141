import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import type { Image } from './image.js';

/**
 * A zero-copy `ndarray` view of an image with shape `[height, width, channels]` and strides
 * `[width · channels, channels, 1]`: writes through the view change the image. Useful for libraries built on
 * scijs `ndarray` (e.g. `ndarray-ops`).
 */
export function toNdarray<T extends Uint8Array | Float32Array>(image: Image<T>): NdArray<T> {
  const { width, height, channels } = image;
  return ndarray(image.data, [height, width, channels], [width * channels, channels, 1], 0);
}

/**
 * An image from a `[height, width, channels]` ndarray (channels 1..4), copying the data into row-major interleaved
 * layout. Shares the buffer instead when the view is already contiguous in that layout.
 */
export function fromNdarray<T extends Uint8Array | Float32Array>(array: NdArray<T>): Image<T> {
  const [height, width, channels] = array.shape;
  if (array.shape.length !== 3 || !(channels >= 1 && channels <= 4)) {
    throw new RangeError(`expected an ndarray of shape [height, width, channels 1..4], got [${array.shape.join(', ')}]`);
  }
  const ch = channels as 1 | 2 | 3 | 4;
  const [s0, s1, s2] = array.stride;
  const n = height * width * ch;
  if (s0 === width * ch && s1 === ch && s2 === 1) {
    const data = array.data.subarray(array.offset, array.offset + n) as T;
    return { width, height, channels: ch, data };
  }
  const data = new (array.data.constructor as { new (n: number): T })(n);
  let k = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < ch; c++) data[k++] = array.data[array.offset + y * s0 + x * s1 + c * s2];
    }
  }
  return { width, height, channels: ch, data };
}
