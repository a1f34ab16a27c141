/**
 * Landmark embeddings (a point per landmark given as a triangle and barycentric weights): evaluation on a mesh
 * and construction from vertex indices.
 * @module
 */

import type { LandmarkEmbedding } from '../plugin/face-model.js';

/**
 * Evaluates landmark positions on a mesh: landmark `l` is
 * `w0 · p[tri[f][0]] + w1 · p[tri[f][1]] + w2 · p[tri[f][2]]` with `f = embedding.faces[l]` and
 * `(w0, w1, w2) = embedding.barycentrics[3l ..]`.
 *
 * @param positions V x 3 vertex positions.
 * @param triangles F x 3 vertex indices.
 * @param embedding L landmarks.
 * @param out optional L x 3 output.
 * @returns L x 3 landmark positions.
 */
export function evaluateEmbedding(
  positions: Float32Array,
  triangles: Uint32Array,
  embedding: LandmarkEmbedding,
  out?: Float32Array,
): Float32Array {
  const { faces, barycentrics } = embedding;
  const n = faces.length;
  if (barycentrics.length !== n * 3) {
    throw new RangeError(`embedding has ${n} faces but ${barycentrics.length} barycentric weights (need ${n * 3})`);
  }
  const res = out ?? new Float32Array(n * 3);
  if (res.length < n * 3) throw new RangeError(`out has length ${res.length}, need ${n * 3} (L x 3)`);
  const nf = triangles.length / 3;
  for (let l = 0; l < n; l++) {
    const f = faces[l];
    if (f >= nf) throw new RangeError(`embedding.faces[${l}] = ${f} but the mesh has ${nf} triangles`);
    const a = triangles[3 * f] * 3, b = triangles[3 * f + 1] * 3, c = triangles[3 * f + 2] * 3;
    const w0 = barycentrics[3 * l], w1 = barycentrics[3 * l + 1], w2 = barycentrics[3 * l + 2];
    res[3 * l] = w0 * positions[a] + w1 * positions[b] + w2 * positions[c];
    res[3 * l + 1] = w0 * positions[a + 1] + w1 * positions[b + 1] + w2 * positions[c + 1];
    res[3 * l + 2] = w0 * positions[a + 2] + w1 * positions[b + 2] + w2 * positions[c + 2];
  }
  return res;
}

/**
 * Builds a vertex-exact embedding: for each vertex, the first triangle that uses it, with weight 1 on the corner
 * holding that vertex (e.g. `[0, 1, 0]` when it is the second corner). Evaluating it returns exactly the vertex
 * positions, and it plugs into code that only understands embeddings (landmark losses, renderers).
 *
 * @param triangles F x 3 vertex indices.
 * @param vertices L vertex indices (e.g. ICT-FaceKit's 68 landmark vertices).
 * @param labels optional landmark names, copied into the result.
 * @throws RangeError when a vertex is used by no triangle.
 */
export function embeddingFromVertices(
  triangles: Uint32Array,
  vertices: ArrayLike<number>,
  labels?: readonly string[],
): LandmarkEmbedding {
  // One pass over the triangles records the first (face, corner) of each wanted vertex.
  const wanted = new Map<number, number>();
  for (let i = 0; i < vertices.length; i++) wanted.set(vertices[i], -1);
  for (let t = 0; t < triangles.length; t++) {
    const slot = wanted.get(triangles[t]);
    if (slot === -1) wanted.set(triangles[t], t);
  }
  const n = vertices.length;
  const faces = new Uint32Array(n);
  const barycentrics = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = wanted.get(vertices[i]) ?? -1;
    if (t < 0) throw new RangeError(`vertex ${vertices[i]} (landmark ${i}) belongs to no triangle`);
    faces[i] = (t / 3) | 0;
    barycentrics[3 * i + (t % 3)] = 1;
  }
  const out: LandmarkEmbedding = { faces, barycentrics };
  if (labels) {
    if (labels.length !== n) throw new RangeError(`${labels.length} labels for ${n} landmarks`);
    out.labels = labels.slice();
  }
  return out;
}

/**
 * For a vertex-exact embedding, the vertex each landmark sits on (the corner with the largest weight); for
 * general embeddings this is the nearest corner in barycentric terms. Length L.
 */
export function embeddingNearestVertices(triangles: Uint32Array, embedding: LandmarkEmbedding): Uint32Array {
  const n = embedding.faces.length;
  const out = new Uint32Array(n);
  for (let l = 0; l < n; l++) {
    const w = embedding.barycentrics;
    let k = 0;
    if (w[3 * l + 1] > w[3 * l + k]) k = 1;
    if (w[3 * l + 2] > w[3 * l + k]) k = 2;
    out[l] = triangles[3 * embedding.faces[l] + k];
  }
  return out;
}
