/**
 * Format detection and one entry point for reading any mesh file facekit supports, on bytes.
 * @module
 */
import type { Mesh } from '../mesh/mesh.js';
import { FormatError } from '../util/errors.js';
import { parseGlb, type GlbImage, type MorphTarget } from './glb.js';
import { parseObj } from './obj.js';
import { parsePly } from './ply.js';

/** Mesh file formats facekit reads and writes. */
export type MeshFormat = 'obj' | 'ply' | 'glb';

/**
 * Tells the format of a mesh file from its first bytes (GLB and PLY have magic numbers), falling back to the
 * file name's extension and then to OBJ-looking text. Content wins over the extension, so a PLY saved as `.obj`
 * is still read correctly. Returns undefined when nothing matches.
 */
export function detectMeshFormat(bytes: Uint8Array, fileName?: string): MeshFormat | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46) return 'glb';
  if (bytes.length >= 4 && bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 10 || bytes[3] === 13)) return 'ply';
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'obj') return 'obj';
  if (ext === 'ply' || ext === 'glb') return undefined; // the extension promises a magic number that is absent
  // OBJ has no magic number: accept text whose first statements are OBJ keywords.
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  if (/[\0]/.test(head)) return undefined;
  for (const raw of head.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    return /^(v|vt|vn|f|g|o|s|mtllib|usemtl)\s/.test(line) ? 'obj' : undefined;
  }
  return undefined;
}

/** What {@link parseMesh} returns: the mesh plus what the format carried beside it. */
export interface ParsedMesh {
  format: MeshFormat;
  mesh: Mesh;
  /** OBJ: the `mtllib` file name. */
  mtllib?: string;
  /** GLB: morph targets. */
  morphTargets?: MorphTarget[];
  /** GLB: the embedded base colour texture. */
  texture?: GlbImage;
  /** Non-fatal notes from the reader (e.g. OBJ attributes dropped). */
  warnings: string[];
}

/** Options of {@link parseMesh}. */
export interface ParseMeshOptions {
  /** Skip detection and read as this format. */
  format?: MeshFormat;
  /** Name of the file, used as a hint (extension) and in error messages. */
  fileName?: string;
}

/**
 * Reads an OBJ, PLY or GLB file from bytes, detecting the format with {@link detectMeshFormat} unless given.
 * Throws {@link FormatError} when the format cannot be told or the content is malformed.
 */
export function parseMesh(input: Uint8Array | ArrayBuffer, options: ParseMeshOptions = {}): ParsedMesh {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const format = options.format ?? detectMeshFormat(bytes, options.fileName);
  const where = options.fileName ? `${options.fileName}: ` : '';
  if (!format) {
    const ext = options.fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
    const hint = ext === 'gltf' ? ' (JSON .gltf is not supported; export as binary .glb)' : ' (expected OBJ, PLY or GLB content)';
    throw new FormatError(`${where}cannot tell the mesh format${hint}`);
  }
  try {
    switch (format) {
      case 'obj': {
        const d = parseObj(bytes);
        const out: ParsedMesh = { format, mesh: d.mesh, warnings: d.warnings };
        if (d.mtllib !== undefined) out.mtllib = d.mtllib;
        return out;
      }
      case 'ply':
        return { format, mesh: parsePly(bytes).mesh, warnings: [] };
      case 'glb': {
        const d = parseGlb(bytes);
        const out: ParsedMesh = { format, mesh: d.mesh, warnings: [] };
        if (d.morphTargets.length > 0) out.morphTargets = d.morphTargets;
        if (d.texture) out.texture = d.texture;
        return out;
      }
    }
  } catch (error) {
    // Prefix the file name so a message deep in a batch job still says which file was bad.
    if (error instanceof FormatError && where) throw new FormatError(`${where}${error.message}`, { cause: error });
    throw error;
  }
}
