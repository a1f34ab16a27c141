/**
 * Synthetic per-vertex albedo for face models that have none (ICT-FaceKit): a skin tone from a palette with
 * low-frequency variation, darker/redder lips and darker brows placed by proximity to the 68 landmarks, an
 * optional scalp hair colour, sclera/iris/pupil on the eyeballs and fixed colours for the mouth interior.
 *
 * The masks depend only on the model (computed once on its mean shape and cached); colours are drawn per sample.
 * @module
 */
import { evaluateEmbedding, type FaceModel, pointInPolygon2D, pointSegmentDistance2D } from '@facekit/core';
import type { Sampler } from './random.js';

/** An RGB colour in [0, 1]. */
export type RGB = [number, number, number];

/** Skin tones (display values in [0, 1]) from light to dark. */
export const SKIN_PALETTE: readonly RGB[] = Object.freeze([
  [0.93, 0.76, 0.66],
  [0.88, 0.7, 0.58],
  [0.82, 0.63, 0.5],
  [0.75, 0.56, 0.43],
  [0.66, 0.47, 0.35],
  [0.55, 0.38, 0.27],
  [0.44, 0.3, 0.21],
  [0.34, 0.23, 0.16],
] as RGB[]);

/** Hair / brow colours. */
export const HAIR_PALETTE: readonly RGB[] = Object.freeze([
  [0.06, 0.05, 0.04],
  [0.14, 0.1, 0.07],
  [0.27, 0.18, 0.11],
  [0.45, 0.32, 0.18],
  [0.7, 0.56, 0.34],
  [0.55, 0.55, 0.53],
] as RGB[]);

/** Iris colours. */
export const IRIS_PALETTE: readonly RGB[] = Object.freeze([
  [0.28, 0.17, 0.09],
  [0.18, 0.11, 0.06],
  [0.42, 0.32, 0.16],
  [0.27, 0.4, 0.55],
  [0.3, 0.4, 0.28],
] as RGB[]);

/** Appearance drawn for one sample. */
export interface Appearance {
  skin: RGB;
  hair: RGB | null;
  brows: RGB;
  iris: RGB;
  lips: RGB;
}

/** Per-vertex masks of a model (values in [0, 1], length V), derived from its mean shape. */
export interface AlbedoMasks {
  /** Which part colours a vertex: 0 skin, 1 eyeball, 2 mouth socket, 3 gums/tongue, 4 teeth, 5 eye socket. */
  part: Uint8Array;
  lips: Float32Array;
  brows: Float32Array;
  hair: Float32Array;
  iris: Float32Array;
  pupil: Float32Array;
  /** Mean-shape positions normalised by the inter-ocular distance (for the low-frequency variation). */
  normalized: Float32Array;
}

const PART_REGIONS: ReadonlyArray<[string, number]> = [
  ['eyeballs', 1],
  ['mouth_socket', 2],
  ['gums_tongue', 3],
  ['teeth', 4],
  ['eye_sockets', 5],
];

const cache = new WeakMap<FaceModel, AlbedoMasks>();

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** The masks of a model (cached per model object). */
export function albedoMasks(model: FaceModel): AlbedoMasks {
  const hit = cache.get(model);
  if (hit) return hit;
  const P = model.decode({});
  const V = P.length / 3;
  const part = new Uint8Array(V);
  for (const [name, id] of PART_REGIONS) {
    const r = model.regions?.[name];
    if (r) for (const v of r.vertices) part[v] = id;
  }
  const lips = new Float32Array(V);
  const brows = new Float32Array(V);
  const hair = new Float32Array(V);
  const iris = new Float32Array(V);
  const pupil = new Float32Array(V);
  const normalized = new Float32Array(V * 3);

  let unit = 1;
  if (model.landmarks68) {
    const L = evaluateEmbedding(P, model.topology.triangles, model.landmarks68);
    const lm = (i: number): number[] => [L[3 * i], L[3 * i + 1], L[3 * i + 2]];
    const io = Math.hypot(L[3 * 36] - L[3 * 45], L[3 * 36 + 1] - L[3 * 45 + 1], L[3 * 36 + 2] - L[3 * 45 + 2]);
    unit = io > 0 ? io : 1;
    const lipPoly = Array.from({ length: 12 }, (_, k) => lm(48 + k));
    const lipZ = Math.min(...lipPoly.map((p) => p[2])) - 0.15 * unit;
    const browIdx = [[17, 18, 19, 20, 21], [22, 23, 24, 25, 26]];
    const browPts = browIdx.map((ix) => ix.map(lm));
    const browZ = Math.min(...browPts.flat().map((p) => p[2])) - 0.25 * unit;
    const browY = browPts.flat().reduce((s, p) => s + p[1], 0) / 10;
    const browFrontZ = browPts.flat().reduce((s, p) => s + p[2], 0) / 10;
    const ear = lm(0); // top of the jaw contour, beside the ear
    // Hairline height as a function of depth: high on the forehead, down to the ears at the sides, lower at the back.
    const zF = browFrontZ - 0.35 * unit, hF = browY + 0.62 * unit;
    const zE = ear[2], hE = ear[1] + 0.25 * unit;
    const zB = ear[2] - 0.7 * unit, hB = ear[1] - 0.55 * unit;
    const hairline = (z: number): number => {
      if (z >= zF) return hF;
      if (z >= zE) return hE + ((hF - hE) * (z - zE)) / (zF - zE);
      if (z >= zB) return hB + ((hE - hB) * (z - zB)) / (zE - zB);
      return hB;
    };
    const soft = 0.04 * unit;
    for (let v = 0; v < V; v++) {
      if (part[v] !== 0) continue;
      const x = P[3 * v], y = P[3 * v + 1], z = P[3 * v + 2];
      if (z > lipZ) {
        if (pointInPolygon2D(x, y, lipPoly)) lips[v] = 1;
        else {
          let d = Infinity;
          for (let k = 0; k < 12; k++) {
            const a = lipPoly[k], b = lipPoly[(k + 1) % 12];
            d = Math.min(d, pointSegmentDistance2D(x, y, a[0], a[1], b[0], b[1]));
          }
          lips[v] = 1 - smoothstep(0, soft, d);
        }
      }
      if (z > browZ) {
        let w = 0;
        for (const pts of browPts) {
          for (let k = 0; k + 1 < pts.length; k++) {
            const d = pointSegmentDistance2D(x, y - 0.02 * unit, pts[k][0], pts[k][1], pts[k + 1][0], pts[k + 1][1]);
            // Thicker towards the inner end (k = 3 on the left brow, 0 on the right one is the outer).
            const half = 0.028 * unit;
            w = Math.max(w, 1 - smoothstep(half, half + soft, d));
          }
        }
        brows[v] = w;
      }
      hair[v] = smoothstep(-0.06 * unit, 0.06 * unit, y - hairline(z));
    }
    const eyes = model.regions?.eyeballs;
    if (eyes) {
      // Each eyeball: centre = mean of its vertices; the iris is the cap around +z (the gaze of the mean shape).
      for (const side of [-1, 1]) {
        const vs = Array.from(eyes.vertices).filter((v) => Math.sign(P[3 * v]) === side);
        if (vs.length === 0) continue;
        const c = [0, 0, 0];
        for (const v of vs) for (let k = 0; k < 3; k++) c[k] += P[3 * v + k] / vs.length;
        for (const v of vs) {
          const dx = P[3 * v] - c[0], dy = P[3 * v + 1] - c[1], dz = P[3 * v + 2] - c[2];
          const cos = dz / (Math.hypot(dx, dy, dz) || 1);
          iris[v] = smoothstep(Math.cos((30 * Math.PI) / 180), Math.cos((26 * Math.PI) / 180), cos);
          pupil[v] = smoothstep(Math.cos((13 * Math.PI) / 180), Math.cos((10 * Math.PI) / 180), cos);
        }
      }
    }
  } else {
    let r = 0;
    for (let i = 0; i < P.length; i++) r = Math.max(r, Math.abs(P[i]));
    unit = r > 0 ? r / 1.5 : 1;
  }
  for (let i = 0; i < P.length; i++) normalized[i] = P[i] / unit;
  const masks: AlbedoMasks = { part, lips, brows, hair, iris, pupil, normalized };
  cache.set(model, masks);
  return masks;
}

/** Draws the colours of one sample. `hairProbability` (default 0.7) gives scalp hair; else the scalp is skin. */
export function sampleAppearance(s: Sampler, hairProbability = 0.7): Appearance {
  const i = s.range(0, SKIN_PALETTE.length - 1);
  const i0 = Math.floor(i), t = i - i0;
  const a = SKIN_PALETTE[i0], b = SKIN_PALETTE[Math.min(SKIN_PALETTE.length - 1, i0 + 1)];
  const skin = [0, 1, 2].map((c) => a[c] + t * (b[c] - a[c])) as RGB;
  const hairColour = s.pick(HAIR_PALETTE);
  const hair = s.uniform() < hairProbability ? hairColour : null;
  const browBase = s.uniform() < 0.8 ? hairColour : s.pick(HAIR_PALETTE);
  // Brows never lighter than a mid brown, or they vanish on light skin.
  const brows = browBase.map((v) => Math.min(v, 0.3)) as RGB;
  const iris = s.pick(IRIS_PALETTE);
  const r = s.range(0.72, 0.85);
  const lips = [skin[0] * r * 1.02, skin[1] * r * 0.72, skin[2] * r * 0.75] as RGB;
  return { skin, hair, brows, iris, lips };
}

/**
 * Per-vertex albedo (V x 3, in [0, 1]) of a model for an appearance; `s` draws the low-frequency skin variation.
 */
export function synthesizeAlbedo(model: FaceModel, appearance: Appearance, s: Sampler): Float32Array {
  const m = albedoMasks(model);
  const V = m.part.length;
  const out = new Float32Array(V * 3);
  // Low-frequency variation: a few plane waves over the normalised mean shape (wavelength 0.6..1.8 eye distances).
  const waves: Array<{ k: number[]; phase: number; amp: number[] }> = [];
  for (let w = 0; w < 5; w++) {
    const d = s.direction();
    const freq = (2 * Math.PI) / s.range(0.6, 1.8);
    const amp = s.range(0.015, 0.035);
    waves.push({ k: d.map((x) => x * freq), phase: s.range(0, 2 * Math.PI), amp: [amp * s.range(0.8, 1.2), amp, amp * s.range(0.8, 1.2)] });
  }
  const { skin, hair, brows, iris, lips } = appearance;
  const sclera: RGB = [0.86, 0.84, 0.8];
  const pupilC: RGB = [0.03, 0.03, 0.03];
  const parts: Record<number, RGB> = {
    2: [0.3, 0.1, 0.1],
    3: [0.62, 0.3, 0.3],
    4: [0.78, 0.76, 0.68],
    5: [skin[0] * 0.7, skin[1] * 0.55, skin[2] * 0.55],
  };
  const n = m.normalized;
  for (let v = 0; v < V; v++) {
    const p = m.part[v];
    let r: number, g: number, b: number;
    if (p === 1) {
      const ti = m.iris[v], tp = m.pupil[v];
      r = sclera[0] + ti * (iris[0] - sclera[0]);
      g = sclera[1] + ti * (iris[1] - sclera[1]);
      b = sclera[2] + ti * (iris[2] - sclera[2]);
      r += tp * (pupilC[0] - r);
      g += tp * (pupilC[1] - g);
      b += tp * (pupilC[2] - b);
    } else if (p !== 0) {
      [r, g, b] = parts[p];
    } else {
      const x = n[3 * v], y = n[3 * v + 1], z = n[3 * v + 2];
      let vr = 1, vg = 1, vb = 1;
      for (const w of waves) {
        const sv = Math.sin(w.k[0] * x + w.k[1] * y + w.k[2] * z + w.phase);
        vr += w.amp[0] * sv;
        vg += w.amp[1] * sv;
        vb += w.amp[2] * sv;
      }
      r = skin[0] * vr;
      g = skin[1] * vg;
      b = skin[2] * vb;
      const tl = m.lips[v];
      r += tl * (lips[0] - r);
      g += tl * (lips[1] - g);
      b += tl * (lips[2] - b);
      const tb = 0.75 * m.brows[v];
      r += tb * (brows[0] - r);
      g += tb * (brows[1] - g);
      b += tb * (brows[2] - b);
      if (hair) {
        const th = m.hair[v];
        r += th * (hair[0] - r);
        g += th * (hair[1] - g);
        b += th * (hair[2] - b);
      }
    }
    out[3 * v] = Math.min(1, Math.max(0, r));
    out[3 * v + 1] = Math.min(1, Math.max(0, g));
    out[3 * v + 2] = Math.min(1, Math.max(0, b));
  }
  return out;
}
