/**
 * Wavefront MTL (material library) reading and writing: the subset 3D tools need to show a textured face mesh.
 * @module
 */
import { FormatError } from '../util/errors.js';

/** One material of an MTL file. Colours are RGB in [0, 1]. */
export interface MtlMaterial {
  /** `newmtl` name, referenced by `usemtl` in the OBJ. */
  name: string;
  /** `Kd`, diffuse colour. Written as 1 1 1 when a texture is set and no colour is given (texture unmodulated). */
  diffuse?: [number, number, number];
  /** `Ka`, ambient colour. */
  ambient?: [number, number, number];
  /** `Ks`, specular colour. */
  specular?: [number, number, number];
  /** `Ns`, specular exponent. */
  shininess?: number;
  /** `d`, opacity in [0, 1]. */
  opacity?: number;
  /** `illum`, illumination model. */
  illum?: number;
  /** `map_Kd`, diffuse texture path relative to the MTL file. */
  diffuseTexture?: string;
}

/**
 * Writes an MTL file. A textured material gets `Kd 1 1 1` by default because viewers multiply the texture by
 * `Kd`, and the common default of 0.8 would darken it.
 */
export function writeMtl(materials: MtlMaterial | readonly MtlMaterial[], comment?: string): string {
  const list = Array.isArray(materials) ? (materials as readonly MtlMaterial[]) : [materials as MtlMaterial];
  const lines: string[] = [];
  if (comment) for (const line of comment.split(/\r?\n/)) lines.push(`# ${line}`);
  for (const m of list) {
    if (!m.name || /\s/.test(m.name)) throw new RangeError(`MTL material names must be non-empty without spaces, got "${m.name}"`);
    if (lines.length > 0) lines.push('');
    lines.push(`newmtl ${m.name}`);
    const kd = m.diffuse ?? (m.diffuseTexture ? [1, 1, 1] : undefined);
    if (m.ambient) lines.push(`Ka ${rgb(m.ambient)}`);
    if (kd) lines.push(`Kd ${rgb(kd)}`);
    lines.push(`Ks ${rgb(m.specular ?? [0, 0, 0])}`);
    if (m.shininess !== undefined) lines.push(`Ns ${num(m.shininess)}`);
    if (m.opacity !== undefined) lines.push(`d ${num(m.opacity)}`);
    lines.push(`illum ${m.illum ?? (m.specular ? 2 : 1)}`);
    if (m.diffuseTexture) lines.push(`map_Kd ${m.diffuseTexture}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Parses an MTL file into its materials (the fields of {@link MtlMaterial}; other statements are ignored).
 * Texture statements keep only the file name, dropping options such as `-s 1 1 1`.
 */
export function parseMtl(text: string): MtlMaterial[] {
  const out: MtlMaterial[] = [];
  let cur: MtlMaterial | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const sp = line.search(/\s/);
    const key = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1).trim();
    if (key === 'newmtl') {
      if (!rest) throw new FormatError(`MTL line ${i + 1}: "newmtl" needs a material name`);
      cur = { name: rest };
      out.push(cur);
      continue;
    }
    if (!cur) {
      throw new FormatError(`MTL line ${i + 1}: "${key}" before any "newmtl"`);
    }
    const at = (): [number, number, number] => color(rest, i + 1, key);
    switch (key) {
      case 'Kd':
        cur.diffuse = at();
        break;
      case 'Ka':
        cur.ambient = at();
        break;
      case 'Ks':
        cur.specular = at();
        break;
      case 'Ns':
        cur.shininess = scalar(rest, i + 1, key);
        break;
      case 'd':
        cur.opacity = scalar(rest, i + 1, key);
        break;
      case 'Tr':
        // Tr is transparency, the complement of d.
        cur.opacity = 1 - scalar(rest, i + 1, key);
        break;
      case 'illum':
        cur.illum = scalar(rest, i + 1, key);
        break;
      case 'map_Kd': {
        // Options come before the file name; the name is the last token (names with spaces are not supported).
        const parts = rest.split(/\s+/);
        cur.diffuseTexture = parts[parts.length - 1];
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function rgb(c: readonly number[]): string {
  return `${num(c[0])} ${num(c[1])} ${num(c[2])}`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write the non-finite number ${x} to an MTL file`);
  return String(+x.toFixed(6));
}

function scalar(rest: string, line: number, key: string): number {
  const v = Number(rest.split(/\s+/)[0]);
  if (!Number.isFinite(v)) throw new FormatError(`MTL line ${line}: "${key}" needs a number, got "${rest}"`);
  return v;
}

function color(rest: string, line: number, key: string): [number, number, number] {
  const parts = rest.split(/\s+/).map(Number);
  // "Kd 0.5" is shorthand for a grey.
  if (parts.length === 1 && Number.isFinite(parts[0])) return [parts[0], parts[0], parts[0]];
  if (parts.length < 3 || !parts.slice(0, 3).every(Number.isFinite)) {
    throw new FormatError(`MTL line ${line}: "${key}" needs three numbers, got "${rest}"`);
  }
  return [parts[0], parts[1], parts[2]];
}
