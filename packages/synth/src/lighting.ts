/**
 * Plausible random spherical-harmonics lighting in facekit's (DECA) convention: an ambient term plus one soft
 * directional light, both tinted, projected exactly onto SH bands 0..2.
 * @module
 */
import { SH_ORTHONORMAL_CONSTANTS, SH_DECA_FACTORS } from '@facekit/core';
import type { Sampler } from './random.js';

/** A light as sampled, before projection to SH (kept in truth records so humans can read it). */
export interface LightDescription {
  /** Constant (ambient) irradiance per channel. */
  ambient: [number, number, number];
  /** Unit direction the light comes from, in the camera frame (y up, z towards the viewer). */
  direction: [number, number, number];
  /** Strength of the directional light per channel (shading of a normal facing it, minus the ambient). */
  intensity: [number, number, number];
}

/** Options of {@link sampleLighting}. */
export interface LightingOptions {
  /** Ambient range (default [0.55, 0.8]). */
  ambient?: [number, number];
  /** Directional strength range (default [0.25, 0.55]). */
  directional?: [number, number];
  /** Minimum z of the light direction, so the face is mostly lit from the front half (default 0.25). */
  minFrontness?: number;
}

/** Polynomials P_k(n) of facekit's SH order (see core `sh-basis`). */
function shPolynomials(x: number, y: number, z: number): number[] {
  return [1, x, y, z, x * y, x * z, y * z, x * x - y * y, 3 * z * z - 1];
}

/**
 * SH coefficients (27, `L[k * 3 + c]`, DECA convention) of `ambient + intensity * max(0, n · d)`, the clamped
 * cosine replaced by its exact projection onto bands 0..2 (Ramamoorthi & Hanrahan): band 0 gets 1/4, bands 1 and
 * 2 get `A_l Y_lm(d) Y_lm(n)` with A_1 = 2π/3, A_2 = π/4 (which DECA's factors already hold).
 */
export function lightToSH(light: LightDescription): Float32Array {
  const L = new Float32Array(27);
  const a = SH_ORTHONORMAL_CONSTANTS;
  const f = SH_DECA_FACTORS;
  const [dx, dy, dz] = light.direction;
  const p = shPolynomials(dx, dy, dz);
  for (let c = 0; c < 3; c++) {
    // Band 0: shading = L0 * f0, and the clamped cosine's band-0 part is 1/4.
    L[c] = (light.ambient[c] + light.intensity[c] / 4) / f[0];
    // Bands 1, 2: shading term L_k f_k P_k(n) must equal I A_l a_k^2 P_k(d) P_k(n); f_k = A_l a_k.
    for (let k = 1; k < 9; k++) L[k * 3 + c] = light.intensity[c] * a[k] * p[k];
  }
  return L;
}

/** Draws an ambient + directional light with a mild colour tint; returns it with its SH coefficients. */
export function sampleLighting(s: Sampler, options: LightingOptions = {}): { light: LightDescription; sh: Float32Array } {
  const [a0, a1] = options.ambient ?? [0.55, 0.8];
  const [d0, d1] = options.directional ?? [0.25, 0.55];
  const minZ = options.minFrontness ?? 0.25;
  let dir = s.direction();
  for (let i = 0; i < 64 && dir[2] < minZ; i++) dir = s.direction();
  if (dir[2] < minZ) dir = [0, 0, 1];
  const ambient = s.range(a0, a1);
  const strength = s.range(d0, d1);
  // Tints: warm/cool shifts of a few percent, different for the ambient and the key light.
  const tint = (): [number, number, number] => {
    const t = s.range(-0.06, 0.06);
    const g = s.range(-0.02, 0.02);
    return [1 + t, 1 + g, 1 - t];
  };
  const ta = tint(), td = tint();
  const light: LightDescription = {
    ambient: [ambient * ta[0], ambient * ta[1], ambient * ta[2]],
    direction: dir,
    intensity: [strength * td[0], strength * td[1], strength * td[2]],
  };
  return { light, sh: lightToSH(light) };
}
