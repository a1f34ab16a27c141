/**
 * Random backgrounds: a two-colour linear gradient, a few soft colour blobs and fine grain noise. Drawn as
 * parameters first, then evaluated at any resolution (so a 2x render sees the same picture).
 * @module
 */
import type { Sampler } from './random.js';

/** Parameters of a background. Coordinates are fractions of the image size. */
export interface BackgroundSpec {
  from: [number, number, number];
  to: [number, number, number];
  /** Gradient direction (unit vector in image fractions). */
  direction: [number, number];
  blobs: Array<{ x: number; y: number; radius: number; color: [number, number, number]; strength: number }>;
  /** Amplitude of the per-pixel grain, in [0, 1] units. */
  grain: number;
  /** Seed of the grain. */
  seed: number;
}

/** Draws background parameters. */
export function sampleBackground(s: Sampler): BackgroundSpec {
  const colour = (): [number, number, number] => {
    const base = s.range(0.1, 0.85);
    return [base + s.range(-0.15, 0.15), base + s.range(-0.15, 0.15), base + s.range(-0.15, 0.15)].map((v) => Math.min(1, Math.max(0, v))) as [
      number,
      number,
      number,
    ];
  };
  const a = s.range(0, 2 * Math.PI);
  const blobs: BackgroundSpec['blobs'] = [];
  const nb = s.int(2, 6);
  for (let i = 0; i < nb; i++) {
    blobs.push({ x: s.range(-0.1, 1.1), y: s.range(-0.1, 1.1), radius: s.range(0.1, 0.45), color: colour(), strength: s.range(0.3, 0.8) });
  }
  return { from: colour(), to: colour(), direction: [Math.cos(a), Math.sin(a)], blobs, grain: s.range(0.005, 0.02), seed: s.int(0, 0x7fffffff) };
}

function hash(i: number, seed: number): number {
  let h = Math.imul(i ^ seed, 0x27d4eb2d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** Evaluates a background as a float RGB buffer W*H*3 in [0, 1]. */
export function renderBackground(spec: BackgroundSpec, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 3);
  const [dx, dy] = spec.direction;
  for (let y = 0, p = 0; y < height; y++) {
    const fy = (y + 0.5) / height;
    for (let x = 0; x < width; x++, p++) {
      const fx = (x + 0.5) / width;
      const t = Math.min(1, Math.max(0, 0.5 + (fx - 0.5) * dx + (fy - 0.5) * dy));
      let r = spec.from[0] + t * (spec.to[0] - spec.from[0]);
      let g = spec.from[1] + t * (spec.to[1] - spec.from[1]);
      let b = spec.from[2] + t * (spec.to[2] - spec.from[2]);
      for (const blob of spec.blobs) {
        const d2 = ((fx - blob.x) ** 2 + (fy - blob.y) ** 2) / (blob.radius * blob.radius);
        const w = blob.strength * Math.exp(-d2);
        r += w * (blob.color[0] - r);
        g += w * (blob.color[1] - g);
        b += w * (blob.color[2] - b);
      }
      const n = (hash(p, spec.seed) - 0.5) * 2 * spec.grain;
      out[3 * p] = Math.min(1, Math.max(0, r + n));
      out[3 * p + 1] = Math.min(1, Math.max(0, g + n));
      out[3 * p + 2] = Math.min(1, Math.max(0, b + n));
    }
  }
  return out;
}
