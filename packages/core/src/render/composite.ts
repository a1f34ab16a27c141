import type { Image } from '../image/image.js';

/** Options of {@link compositeOver}. */
export interface CompositeOptions {
  /** Opacity of the foreground in [0, 1] (default 1), e.g. 0.6 for a see-through overlay. */
  opacity?: number;
  /** Write into `background` instead of a copy. Default `false`. */
  inPlace?: boolean;
}

/**
 * Composites rendered colours over a background image, e.g. a shaded face render over the input photo.
 *
 * - `background`: any `Image`; the result has its size, channels and value type (u8 0..255 or float [0, 1]).
 * - `foreground`: `Float32Array` W*H*Cf, values in [0, 1], row-major, channel-interleaved (as returned by
 *   `interpolateAttributes` or `shadeImage`); Cf <= background channels. Channels beyond Cf (an
 *   alpha channel, say) keep the background's values.
 * - `coverage`: `Uint8Array` W*H, nonzero where the foreground is drawn (see `coverageMask`).
 */
export function compositeOver<T extends Image>(
  background: T,
  foreground: Float32Array,
  foregroundChannels: number,
  coverage: Uint8Array,
  options: CompositeOptions = {},
): T {
  const { width, height, channels } = background;
  const n = width * height;
  const Cf = foregroundChannels;
  if (!Number.isInteger(Cf) || Cf < 1 || Cf > channels) {
    throw new RangeError(`foreground has ${Cf} channels; the background has ${channels}`);
  }
  if (foreground.length !== n * Cf) throw new RangeError(`foreground has length ${foreground.length}, expected ${n * Cf}`);
  if (coverage.length !== n) throw new RangeError(`coverage has length ${coverage.length}, expected ${n}`);
  const alpha = options.opacity ?? 1;
  const out = options.inPlace ? background : ({ ...background, data: background.data.slice() } as T);
  const dst = out.data;
  const u8 = dst instanceof Uint8Array;
  const scale = u8 ? 255 : 1;
  for (let p = 0; p < n; p++) {
    if (coverage[p] === 0) continue;
    const o = p * channels;
    const f = p * Cf;
    for (let c = 0; c < Cf; c++) {
      let fg = foreground[f + c];
      fg = fg > 0 ? (fg < 1 ? fg : 1) : 0;
      const v = dst[o + c] + alpha * (fg * scale - dst[o + c]);
      // Uint8Array assignment truncates, so round explicitly.
      dst[o + c] = u8 ? v + 0.5 : v;
    }
  }
  return out;
}
