/**
 * Loaders for the two UV texture spaces used with FLAME:
 * - `FLAME_texture.npz` (the official texture space): `mean` (H x W x 3, values 0..255) and `tex_dir`
 *   (H x W x 3 x 200), 512 x 512;
 * - `FLAME_albedo_from_BFM.npz` (BFM albedo mapped to FLAME's UV layout): `MU` / `PC` diffuse albedo
 *   (values 0..1) and optional `specMU` / `specPC` specular albedo, plus, when present, the UV layout arrays
 *   (`vt` texture coordinates, `ft` UV triangles).
 *
 * DECA reads both as BGR images (it flips channels `[2, 1, 0]` after decoding): {@link TextureSpace.channelOrder}
 * says so. The basis is reordered mode-major (component-contiguous) so a decode is one streaming pass per
 * component (see `addWeightedBasis` in core).
 * @module
 */
import { FormatError, parseNpz, shapeSize, unzipNpz, type NpyArray } from '@facekit/core';

/** A linear UV texture space: texel = scale * (mean + sum_k c_k basis_k). */
export interface TextureSpace {
  width: number;
  height: number;
  /** Number of components kept. */
  components: number;
  /** H x W x 3 mean texture (raw file values). */
  mean: Float32Array;
  /** components x (H x W x 3), mode-major. */
  basis: Float32Array;
  /** Multiply raw values by this to reach [0, 1] (1/255 for FLAME_texture, 1 for the BFM albedo). */
  scale: number;
  /** Channel order of the stored texels. */
  channelOrder: 'BGR' | 'RGB';
  /** Specular albedo space of the BFM-derived file, when present (same layout). */
  specular?: { mean: Float32Array; basis: Float32Array; components: number };
  /** UV coordinates (N x 2) and UV triangles (F x 3) stored with the texture, when present. */
  uvs?: Float32Array;
  uvTriangles?: Uint32Array;
}

/** Options of the texture loaders. */
export interface TextureOptions {
  /** File name for error messages. */
  name?: string;
  /** Keep only the first N components (DECA uses 50); saves memory on the 200-component official basis. */
  components?: number;
}

/** Parses `FLAME_texture.npz` (`mean`, `tex_dir`). */
export function parseFlameTexture(bytes: Uint8Array, options: TextureOptions = {}): TextureSpace {
  const name = options.name ?? 'FLAME_texture.npz';
  const arrays = parseNpz(bytes, name, { keys: ['mean', 'tex_dir'] });
  const { mean, basis, components, width, height } = linearSpace(arrays, 'mean', 'tex_dir', name, options.components);
  return { width, height, components, mean, basis, scale: 1 / 255, channelOrder: 'BGR' };
}

/** Parses `FLAME_albedo_from_BFM.npz` (`MU`, `PC`, optional `specMU`, `specPC`, `vt`, `ft`). */
export function parseBfmAlbedo(bytes: Uint8Array, options: TextureOptions = {}): TextureSpace {
  const name = options.name ?? 'FLAME_albedo_from_BFM.npz';
  const members = unzipNpz(bytes, name);
  const arrays = parseNpz(bytes, name, { keys: ['MU', 'PC', 'specMU', 'specPC', 'vt', 'ft'].filter((k) => k in members) });
  const diffuse = linearSpace(arrays, 'MU', 'PC', name, options.components);
  const out: TextureSpace = {
    width: diffuse.width,
    height: diffuse.height,
    components: diffuse.components,
    mean: diffuse.mean,
    basis: diffuse.basis,
    scale: 1,
    channelOrder: 'BGR',
  };
  if (arrays.specMU && arrays.specPC) {
    const spec = linearSpace(arrays, 'specMU', 'specPC', name, options.components);
    out.specular = { mean: spec.mean, basis: spec.basis, components: spec.components };
  }
  if (arrays.vt) out.uvs = Float32Array.from(arrays.vt.data as ArrayLike<number>);
  if (arrays.ft) out.uvTriangles = Uint32Array.from(arrays.ft.data as ArrayLike<number>);
  return out;
}

/** Texels of a texture space for coefficients `c` (raw values; multiply by `scale`), H x W x 3. */
export function decodeTexture(space: TextureSpace, coefficients: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = space.mean.length;
  const dst = out ?? new Float32Array(n);
  dst.set(space.mean);
  const k = Math.min(coefficients.length, space.components);
  for (let m = 0; m < k; m++) {
    const w = coefficients[m];
    if (w === 0) continue;
    const off = m * n;
    for (let i = 0; i < n; i++) dst[i] += w * space.basis[off + i];
  }
  return dst;
}

function linearSpace(arrays: Record<string, NpyArray>, meanKey: string, basisKey: string, name: string, keep?: number) {
  const mean = arrays[meanKey];
  const basis = arrays[basisKey];
  if (!mean) throw new FormatError(`${name}: key '${meanKey}' missing — is this a FLAME texture space?`);
  if (!basis) throw new FormatError(`${name}: key '${basisKey}' missing — is this a FLAME texture space?`);
  const n = shapeSize(mean.shape);
  if (n % 3 !== 0) throw new FormatError(`${name}: '${meanKey}' holds ${n} values, not RGB texels`);
  const K = basis.shape[basis.shape.length - 1];
  if (shapeSize(basis.shape) !== n * K) {
    throw new FormatError(`${name}: '${basisKey}' has shape [${basis.shape.join(', ')}], expected ${n} values x components`);
  }
  // Image size: from an (H, W, 3) layout when stored so, else the square the texel count makes.
  let height: number, width: number;
  if (mean.shape.length >= 3 && mean.shape[mean.shape.length - 1] === 3) {
    height = mean.shape[mean.shape.length - 3];
    width = mean.shape[mean.shape.length - 2];
  } else {
    width = height = Math.round(Math.sqrt(n / 3));
    if (width * height * 3 !== n) throw new FormatError(`${name}: '${meanKey}' (${n} values) is not a square RGB texture`);
  }
  const components = Math.max(0, Math.min(keep ?? K, K));
  // Stored texel-major (..., K): transpose the kept components to mode-major.
  const out = new Float32Array(components * n);
  const src = basis.data;
  for (let i = 0; i < n; i++) {
    const row = i * K;
    for (let m = 0; m < components; m++) out[m * n + i] = src[row + m];
  }
  return { mean: Float32Array.from(mean.data as ArrayLike<number>), basis: out, components, width, height };
}
