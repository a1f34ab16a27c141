/**
 * Metrics: landmark NME (bounding-box and inter-ocular normalisation), exact point-to-surface distance with a
 * triangle BVH, distance summaries, and the NoW scan-to-mesh protocol.
 * @module
 */
export { closestPointOnTriangle } from './closest-point.js';
export {
  TriangleBvh,
  buildTriangleBvh,
  pointToSurface,
  type TriangleBvhOptions,
  type PointToSurfaceOptions,
  type PointToSurfaceResult,
} from './triangle-bvh.js';
export * from './nme.js';
export * from './stats.js';
export * from './now.js';
