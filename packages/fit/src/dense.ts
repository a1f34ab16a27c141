/**
 * Dense-landmark correspondence: where each of a detector's dense points (the 478-point face mesh) lies on a
 * face model's surface, as (triangle corners, barycentric weights) on the full model. Computed once per model
 * by rendering the model's mean face and detecting on the render (see `@facekit/fit/node`), then cached as
 * JSON. This module holds the browser-safe part: the type, (de)serialisation and the mapping onto the fit
 * region.
 * @module
 */
import type { LinearizedModel } from './linearize.js';

/** Correspondence of M dense detector points to a model's surface. */
export interface DenseCorrespondence {
  /** Model id it was computed for. */
  modelId: string;
  /** M, the number of dense points (478 for the face mesh). */
  count: number;
  /** M x 3 vertex ids of the full model (the corners of the triangle each point landed on). */
  vertices: Uint32Array;
  /** M x 3 barycentric weights. */
  weights: Float32Array;
  /** M flags: 0 where the point did not land on the model's fitting region (e.g. beyond the silhouette). */
  valid: Uint8Array;
}

/** JSON form of a {@link DenseCorrespondence}. */
export interface DenseCorrespondenceJson {
  version: 1;
  modelId: string;
  count: number;
  vertices: number[];
  weights: number[];
  valid: number[];
}

/** Serialises a correspondence for the cache. */
export function denseToJson(dc: DenseCorrespondence): DenseCorrespondenceJson {
  return {
    version: 1,
    modelId: dc.modelId,
    count: dc.count,
    vertices: Array.from(dc.vertices),
    weights: Array.from(dc.weights, (w) => Math.round(w * 1e5) / 1e5),
    valid: Array.from(dc.valid),
  };
}

/** Parses the cache JSON; throws on a malformed file. */
export function denseFromJson(json: DenseCorrespondenceJson): DenseCorrespondence {
  if (json.version !== 1 || json.vertices.length !== json.count * 3 || json.weights.length !== json.count * 3) {
    throw new RangeError('malformed dense correspondence JSON');
  }
  return {
    modelId: json.modelId,
    count: json.count,
    vertices: Uint32Array.from(json.vertices),
    weights: Float32Array.from(json.weights),
    valid: Uint8Array.from(json.valid),
  };
}

/**
 * The valid points of a correspondence in a linearised model's local (region) vertex ids: indices m into the
 * detector's points, and M' x 3 local vertices and weights.
 */
export function denseToLocal(lin: LinearizedModel, dc: DenseCorrespondence): { index: Uint32Array; vertices: Uint32Array; weights: Float32Array } {
  const local = new Map<number, number>();
  lin.regionVertices.forEach((v, i) => local.set(v, i));
  const index: number[] = [];
  const vs: number[] = [];
  const ws: number[] = [];
  for (let m = 0; m < dc.count; m++) {
    if (!dc.valid[m]) continue;
    const ids = [0, 1, 2].map((j) => local.get(dc.vertices[3 * m + j]));
    if (ids.some((x) => x === undefined)) continue;
    index.push(m);
    for (let j = 0; j < 3; j++) {
      vs.push(ids[j]!);
      ws.push(dc.weights[3 * m + j]);
    }
  }
  return { index: Uint32Array.from(index), vertices: Uint32Array.from(vs), weights: Float32Array.from(ws) };
}
