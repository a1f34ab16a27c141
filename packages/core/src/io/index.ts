/**
 * Mesh file formats on strings and bytes (browser-safe): OBJ + MTL, PLY (ascii and binary), GLB (glTF 2.0 binary),
 * format detection, and the UV-seam splitting glTF needs. File-system helpers are in `@facekit/core/node`.
 * @module
 */
export { parseObj, parseObjPositions, encodeObj, writeObj } from './obj.js';
export type { ObjData, ObjReadOptions, ObjWriteOptions } from './obj.js';
export { parseMtl, writeMtl } from './mtl.js';
export type { MtlMaterial } from './mtl.js';
export { parsePly, encodePly } from './ply.js';
export type { PlyData, PlyFormat, PlyWriteOptions } from './ply.js';
export { encodeGlb, parseGlb, readGltfAccessor } from './glb.js';
export type {
  AccessorArray,
  GlbData,
  GlbImage,
  GlbWriteOptions,
  GltfAccessor,
  GltfBufferView,
  GltfDocument,
  GltfMaterial,
  GltfMesh,
  GltfPrimitive,
  MorphTarget,
} from './glb.js';
export { splitUvSeams, weldUvVertices, gatherRows } from './weld.js';
export type { SplitMesh, WeldedVertices } from './weld.js';
export { detectMeshFormat, parseMesh } from './mesh-format.js';
export type { MeshFormat, ParsedMesh, ParseMeshOptions } from './mesh-format.js';
// npy/npz exports are added by the model loaders
export { parseNpy, readNpyHeader, parseNumpyDescr, decodeNumpyData, fortranToC, isNpy, shapeSize } from './npy.js';
export type { NpyArray, NpyHeader, NumpyDType, NumpyData, NumpyDescr } from './npy.js';
export { parseNpz, unzipNpz, isZip } from './npz.js';
export type { NpzOptions } from './npz.js';
