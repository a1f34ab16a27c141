/**
 * Reader of FaceWarehouse's per-subject blendshape files (`Tester_<k>/Blendshape/shape.bs`), the data the
 * FaceWarehouse bilinear model is built from.
 *
 * Layout, as read by several independent public tools (little-endian):
 * ```
 * int32 nShapes   (46: expressions besides the neutral)
 * int32 nVerts    (11510)
 * int32 nFaces    (11540)
 * float32[(nShapes + 1) * nVerts * 3]   neutral first, then the 46 expressions; absolute positions, xyz per vertex
 * ```
 * Bytes after the positions (if any) are not documented by those tools and are ignored here; the triangle list
 * comes from the release's OBJ meshes. FaceWarehouse's own core tensor file is not read: no public source
 * confirms its layout (see the package README).
 * @module
 */
import { FormatError } from '@facekit/core';
import type { ExpressionTensor } from './hosvd.js';

/** One subject's FaceWarehouse blendshapes. */
export interface FaceWarehouseBlendshapes {
  /** nShapes + 1 (47 in the release): the neutral expression first. */
  shapeCount: number;
  /** V (11510 in the release). */
  vertexCount: number;
  /** The nFaces field of the header (11540 in the release). */
  faceCount: number;
  /** shapeCount x 3V floats, shape-major, absolute positions. */
  positions: Float32Array;
}

/**
 * Parses one `shape.bs` file.
 *
 * @param bytes the file content.
 * @param source name for error messages.
 * @throws FormatError when the header is implausible or the file is shorter than the header says.
 */
export function parseFaceWarehouseBlendshapes(bytes: Uint8Array, source = 'shape.bs'): FaceWarehouseBlendshapes {
  if (bytes.length < 12) throw new FormatError(`${source}: ${bytes.length} bytes, too short for the 12-byte FaceWarehouse blendshape header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nShapes = dv.getInt32(0, true);
  const nVerts = dv.getInt32(4, true);
  const nFaces = dv.getInt32(8, true);
  // Loose sanity bounds: they reject other files (random int32s) without assuming the release's exact counts.
  if (nShapes < 0 || nShapes > 10000 || nVerts <= 0 || nVerts > 10_000_000 || nFaces < 0 || nFaces > 100_000_000) {
    throw new FormatError(`${source}: header (${nShapes} shapes, ${nVerts} vertices, ${nFaces} faces) is not a FaceWarehouse blendshape file`);
  }
  const count = (nShapes + 1) * nVerts * 3;
  if (bytes.length < 12 + 4 * count) {
    throw new FormatError(`${source}: ${bytes.length} bytes, but ${nShapes + 1} shapes x ${nVerts} vertices need ${12 + 4 * count}: the file is truncated`);
  }
  const positions = new Float32Array(count);
  for (let i = 0; i < count; i++) positions[i] = dv.getFloat32(12 + 4 * i, true);
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(positions[i])) throw new FormatError(`${source}: non-finite coordinate at float ${i}: the file is damaged`);
  }
  return { shapeCount: nShapes + 1, vertexCount: nVerts, faceCount: nFaces, positions };
}

/**
 * Stacks several subjects' blendshapes into the S x X x 3V tensor {@link buildBilinearModel} takes (X = 47 in
 * the release: neutral + 46 expressions). Optionally keeps only some expressions.
 *
 * @param subjects parsed files, one per subject, all with the same shape and vertex counts.
 * @param expressions indices of the shapes to keep (default all, neutral first).
 */
export function faceWarehouseTensor(subjects: readonly FaceWarehouseBlendshapes[], expressions?: readonly number[]): ExpressionTensor {
  if (!subjects.length) throw new RangeError('faceWarehouseTensor needs at least one subject');
  const { shapeCount, vertexCount } = subjects[0];
  const keep = expressions ?? Array.from({ length: shapeCount }, (_, i) => i);
  for (const x of keep) if (!Number.isInteger(x) || x < 0 || x >= shapeCount) throw new RangeError(`expression index ${x} is out of range 0..${shapeCount - 1}`);
  const n = 3 * vertexCount;
  const positions = new Float32Array(subjects.length * keep.length * n);
  subjects.forEach((s, i) => {
    if (s.shapeCount !== shapeCount || s.vertexCount !== vertexCount) {
      throw new RangeError(`subject ${i} has ${s.shapeCount} shapes x ${s.vertexCount} vertices, subject 0 has ${shapeCount} x ${vertexCount}`);
    }
    keep.forEach((x, j) => positions.set(s.positions.subarray(x * n, (x + 1) * n), (i * keep.length + j) * n));
  });
  return {
    subjects: subjects.length,
    expressions: keep.length,
    vertexCount,
    positions,
    // The release names its meshes shape_0.obj (neutral) .. shape_46.obj.
    expressionLabels: keep.map((x) => `shape_${x}`),
  };
}
