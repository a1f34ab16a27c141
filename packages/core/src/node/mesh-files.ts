/**
 * Mesh files on disk (Node only): read OBJ/PLY/GLB with format detection, write OBJ+MTL+PNG, PLY and GLB
 * atomically (a crash or a full disk never leaves a half-written mesh behind).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Mesh } from '../mesh/mesh.js';
import { encodeGlb, type GlbWriteOptions } from '../io/glb.js';
import { parseMesh, type MeshFormat, type ParsedMesh } from '../io/mesh-format.js';
import { parseMtl, writeMtl, type MtlMaterial } from '../io/mtl.js';
import { encodeObj } from '../io/obj.js';
import { encodePly, type PlyWriteOptions } from '../io/ply.js';
import { FacekitError } from '../util/errors.js';
import { writeFileAtomic } from './atomic-write.js';

/** Error codes of {@link MeshFileError}. */
export type MeshFileErrorCode = 'ERR_FILE_NOT_FOUND' | 'ERR_NOT_A_FILE' | 'ERR_READ_FAILED' | 'ERR_WRITE_FAILED';

/** A mesh file could not be read or written (file-system level; malformed content throws FormatError). */
export class MeshFileError extends FacekitError {
  declare readonly code: MeshFileErrorCode;
  /** The file concerned. */
  readonly path: string;
  constructor(code: MeshFileErrorCode, message: string, path: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MeshFileError';
    this.path = path;
  }
}

/** What {@link readMeshFile} returns. */
export interface MeshFile extends ParsedMesh {
  /** Absolute path of the file read. */
  path: string;
  /** OBJ: materials of the `mtllib` file, when it exists beside the OBJ. */
  materials?: MtlMaterial[];
  /** OBJ: absolute path of the first material's `map_Kd` texture, when there is one. */
  texturePath?: string;
}

/** Options of {@link readMeshFile}. */
export interface ReadMeshFileOptions {
  /** Skip detection and read as this format. */
  format?: MeshFormat;
}

/**
 * Reads an OBJ, PLY or GLB file; the format comes from the content (magic bytes) and then the extension. For an OBJ
 * with an `mtllib`, the MTL beside it is read too (a missing MTL is a warning, not an error: the mesh is fine).
 */
export async function readMeshFile(path: string, options: ReadMeshFileOptions = {}): Promise<MeshFile> {
  const abs = resolve(path);
  const bytes = await readBytes(abs);
  const parsed = parseMesh(bytes, { fileName: abs, ...(options.format ? { format: options.format } : {}) });
  const out: MeshFile = { ...parsed, path: abs };
  if (parsed.format === 'obj' && parsed.mtllib) {
    const mtlPath = resolve(dirname(abs), parsed.mtllib);
    try {
      const materials = parseMtl(await readFile(mtlPath, 'utf8'));
      out.materials = materials;
      const map = materials.find((m) => m.diffuseTexture)?.diffuseTexture;
      if (map) out.texturePath = resolve(dirname(mtlPath), map);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      out.warnings = [...out.warnings, `material library ${parsed.mtllib} not found beside the OBJ`];
    }
  }
  return out;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MeshFileError('ERR_FILE_NOT_FOUND', `mesh file not found: ${path}`, path, { cause: error });
    if (code === 'EISDIR') throw new MeshFileError('ERR_NOT_A_FILE', `${path} is a directory, not a mesh file`, path, { cause: error });
    throw new MeshFileError('ERR_READ_FAILED', `could not read ${path}: ${(error as Error).message}`, path, { cause: error });
  }
}

/** Writes atomically and turns file-system failures into a {@link MeshFileError} that names the file. */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'a directory of that name exists'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'a parent of the path is not a directory'
            : code === 'ENOSPC'
              ? 'no space left on the device'
              : (error as Error).message;
    throw new MeshFileError('ERR_WRITE_FAILED', `could not write ${path}: ${why}`, path, { cause: error });
  }
}

/** Options of {@link writeObjFiles}. */
export interface WriteObjFilesOptions {
  /** Encoded PNG bytes of the texture (e.g. from `encodePng`); written as `<name>.png` and referenced by `map_Kd`. */
  texture?: Uint8Array;
  /** Material name in the MTL and the OBJ's `usemtl`. Default "material". */
  materialName?: string;
  /** File stem when `path` is a directory. Default "mesh". */
  baseName?: string;
  /** Fractional digits of coordinates. Default 6. */
  decimals?: number;
  /** Comment written at the top of the OBJ. */
  comment?: string;
}

/** Paths written by {@link writeObjFiles}. */
export interface ObjFilePaths {
  obj: string;
  mtl: string;
  /** Set when a texture was written. */
  texture?: string;
}

/**
 * Writes a mesh as `<name>.obj` + `<name>.mtl` (+ `<name>.png` with a texture) so 3D tools open it textured.
 * `path` is either the `.obj` path or a directory (then `baseName`, default "mesh", names the files). Each file is
 * written atomically; the OBJ goes last so anything that sees it also finds its material and texture.
 */
export async function writeObjFiles(path: string, mesh: Mesh, options: WriteObjFilesOptions = {}): Promise<ObjFilePaths> {
  const isObj = extname(path).toLowerCase() === '.obj';
  const dir = isObj ? dirname(path) : path;
  const stem = isObj ? basename(path, extname(path)) : (options.baseName ?? 'mesh');
  const materialName = options.materialName ?? 'material';
  const out: ObjFilePaths = { obj: join(dir, `${stem}.obj`), mtl: join(dir, `${stem}.mtl`) };
  if (options.texture) {
    if (!mesh.uvs) throw new RangeError('writeObjFiles: a texture needs texture coordinates, but the mesh has no uvs');
    out.texture = join(dir, `${stem}.png`);
    await writeAtomic(out.texture, options.texture);
  }
  const material: MtlMaterial = { name: materialName };
  if (out.texture) material.diffuseTexture = basename(out.texture);
  else material.diffuse = [0.8, 0.8, 0.8];
  await writeAtomic(out.mtl, writeMtl(material, 'written by facekit'));
  const obj = encodeObj(mesh, {
    mtllib: basename(out.mtl),
    materialName,
    ...(options.decimals !== undefined ? { decimals: options.decimals } : {}),
    comment: options.comment ?? 'written by facekit',
  });
  await writeAtomic(out.obj, obj);
  return out;
}

/** Writes a mesh as a PLY file atomically (binary little endian unless `options.format` says otherwise). */
export async function writePlyFile(path: string, mesh: Mesh, options: PlyWriteOptions = {}): Promise<void> {
  await writeAtomic(path, encodePly(mesh, options));
}

/** Writes a mesh as a GLB file atomically; see {@link encodeGlb} for textures and morph targets. */
export async function writeGlbFile(path: string, mesh: Mesh, options: GlbWriteOptions = {}): Promise<void> {
  await writeAtomic(path, encodeGlb(mesh, options));
}

/**
 * Writes a mesh in the format its extension names: `.obj` (with MTL, see {@link writeObjFiles}), `.ply` or `.glb`.
 * Throws a RangeError for other extensions.
 */
export async function writeMeshFile(path: string, mesh: Mesh): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext === '.obj') await writeObjFiles(path, mesh);
  else if (ext === '.ply') await writePlyFile(path, mesh);
  else if (ext === '.glb') await writeGlbFile(path, mesh);
  else throw new RangeError(`cannot tell the mesh format of "${path}": use a .obj, .ply or .glb extension`);
}
