import {
  compositeOver,
  computeVertexNormals,
  coverageMask,
  drawPoints,
  interpolateAttributes,
  project,
  rasterize,
  resizeImage,
  shadeImage,
  transformCameraPixels,
  transformPoints,
  type Camera,
  type Mesh,
  type Image,
  type ImageU8,
  type Reconstruction,
} from '@facekit/core';

/**
 * Frontal light for overlays when the method estimated none: ambient plus a light from the camera, in DECA's
 * SH convention (band 0 ambient, band 1 z-term towards the viewer).
 */
const DEFAULT_LIGHT = new Float32Array([
  0.75, 0.75, 0.75,
  0, 0, 0,
  0, 0, 0,
  0.45, 0.45, 0.45,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/**
 * The estimated lighting with its colour removed (channels averaged) and its brightness normalised so the
 * ambient term matches {@link DEFAULT_LIGHT}: the overlay shows the geometry lit from the estimated
 * directions, in grey, whatever the skin tone and white balance the method attributed to the light.
 */
function greyLighting(lighting: Float32Array): Float32Array {
  const out = new Float32Array(27);
  for (let k = 0; k < 9; k++) {
    const g = (lighting[3 * k] + lighting[3 * k + 1] + lighting[3 * k + 2]) / 3;
    out[3 * k] = out[3 * k + 1] = out[3 * k + 2] = g;
  }
  const scale = out[0] > 1e-6 ? DEFAULT_LIGHT[0] / out[0] : 1;
  for (let i = 0; i < 27; i++) out[i] *= scale;
  return out;
}

/**
 * Rasterizes a mesh through a camera and returns the coverage mask and unit per-pixel normals in the camera
 * frame (what SH shading of the image needs), culling back faces.
 */
export function renderNormals(
  mesh: Mesh,
  camera: Camera,
  width: number,
  height: number,
): { mask: Uint8Array; pixelNormals: Float32Array } {
  const raster = rasterize(project(camera, mesh.positions), mesh.triangles, width, height, {
    perspective: camera.type === 'pinhole',
    cullBackFaces: true,
  });
  const mask = coverageMask(raster);
  const normals = mesh.normals ?? computeVertexNormals(mesh.positions, mesh.triangles);
  // Shading must see the surface turned as the photo shows it: rotate normals into the camera frame.
  const camNormals = camera.rotation ? transformPoints(normals, camera.rotation) : normals;
  const pixelNormals = interpolateAttributes(raster, mesh.triangles, camNormals, 3);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const o = 3 * p;
    const n = Math.hypot(pixelNormals[o], pixelNormals[o + 1], pixelNormals[o + 2]) || 1;
    pixelNormals[o] /= n;
    pixelNormals[o + 1] /= n;
    pixelNormals[o + 2] /= n;
  }
  return { mask, pixelNormals };
}

/** Longest side of an overlay; larger photos are shown downscaled (a 60-megapixel overlay helps nobody). */
export const MAX_OVERLAY_SIDE = 2048;

/**
 * Renders the reconstruction's mesh, shaded with its lighting (or a default frontal light) and a neutral grey
 * albedo, through its camera over the photo, and draws the 68 landmarks. Photos larger than
 * {@link MAX_OVERLAY_SIDE} are downscaled first, with the camera and landmarks scaled to match.
 */
export function renderOverlay(input: ImageU8, rec: Reconstruction, options: { opacity?: number } = {}): Image<Uint8Array> {
  let photo = input;
  let camera = rec.camera;
  let landmarks = rec.landmarks2d;
  const longest = Math.max(input.width, input.height);
  if (longest > MAX_OVERLAY_SIDE) {
    const w = Math.max(1, Math.round((input.width * MAX_OVERLAY_SIDE) / longest));
    const h = Math.max(1, Math.round((input.height * MAX_OVERLAY_SIDE) / longest));
    // One scale for both axes keeps the camera a similarity; rounding the size shifts edges by < 0.5 px.
    const k = MAX_OVERLAY_SIDE / longest;
    photo = resizeImage(input, w, h) as ImageU8;
    camera = transformCameraPixels(rec.camera, [k, 0, 0, 0, k, 0]);
    if (landmarks) landmarks = landmarks.map((v) => v * k);
  }
  const { width, height } = photo;
  const { mask, pixelNormals } = renderNormals(rec.mesh, camera, width, height);
  const albedo = new Float32Array(pixelNormals.length).fill(0.72);
  const light = rec.lighting ? greyLighting(rec.lighting) : DEFAULT_LIGHT;
  const shaded = shadeImage(pixelNormals, albedo, light, { mask });
  for (let i = 0; i < shaded.length; i++) shaded[i] = Math.min(1, Math.max(0, shaded[i]));
  const out = compositeOver(photo, shaded, 3, mask, { opacity: options.opacity ?? 0.7 });
  if (landmarks) {
    const radius = Math.max(1.5, Math.min(width, height) / 250);
    drawPoints(out, landmarks, radius + 1, { color: [0, 0, 0] });
    drawPoints(out, landmarks, radius, { color: [60, 255, 90] });
  }
  return out;
}
