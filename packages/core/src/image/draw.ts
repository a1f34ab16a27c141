/**
 * Overlay drawing into images (landmarks, contours, wireframes). Positions are continuous pixel coordinates
 * (pixel centres at integer + 0.5), the output of `camera/project`, so projected landmarks draw where they
 * belong. A pixel is painted when its centre lies inside the shape. Images are modified in place.
 * @module
 */

import type { Image } from './image.js';

/** Colour and blending of a drawing call. */
export interface DrawStyle {
  /**
   * Colour, one value per image channel in the data's scale (0..255 for u8, [0, 1] for float). Missing
   * channels (e.g. alpha of an RGBA image given an RGB colour) are set to full.
   */
  color: ArrayLike<number>;
  /** Opacity in [0, 1] blended over the existing pixels (default 1: overwrite). */
  opacity?: number;
}

function paint(image: Image, x: number, y: number, style: DrawStyle): void {
  const ch = image.channels;
  const o = (y * image.width + x) * ch;
  const data = image.data;
  const isU8 = data instanceof Uint8Array;
  const full = isU8 ? 255 : 1;
  const a = style.opacity ?? 1;
  for (let c = 0; c < ch; c++) {
    const col = c < style.color.length ? style.color[c] : full;
    const v = a >= 1 ? col : data[o + c] * (1 - a) + col * a;
    data[o + c] = isU8 ? Math.max(0, Math.min(255, Math.round(v))) : v;
  }
}

/** Fills the disc of radius `radius` pixels centred on `(cx, cy)`. */
export function drawCircle(image: Image, cx: number, cy: number, radius: number, style: DrawStyle): void {
  if (!Number.isFinite(cx) || !Number.isFinite(cy)) return; // e.g. points behind a pinhole camera
  const r2 = radius * radius;
  const x0 = Math.max(0, Math.floor(cx - radius)), x1 = Math.min(image.width - 1, Math.ceil(cx + radius));
  const y0 = Math.max(0, Math.floor(cy - radius)), y1 = Math.min(image.height - 1, Math.ceil(cy + radius));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx;
      if (dx * dx + dy * dy <= r2) paint(image, x, y, style);
    }
  }
}

/**
 * Draws N points (N x `stride` array, x and y first, e.g. 2 for landmark arrays or 3 for `project()` output) as
 * filled discs. Non-finite points are skipped.
 */
export function drawPoints(image: Image, points: ArrayLike<number>, radius: number, style: DrawStyle, stride = 2): void {
  for (let i = 0; i + 1 < points.length; i += stride) drawCircle(image, points[i], points[i + 1], radius, style);
}

/**
 * Draws the segment from `(x0, y0)` to `(x1, y1)` with the given thickness (pixels, default 1) and round caps:
 * every pixel whose centre is within `thickness / 2` of the segment. A thickness of 1 gives a connected line.
 */
export function drawLine(image: Image, x0: number, y0: number, x1: number, y1: number, style: DrawStyle, thickness = 1): void {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return;
  const h = thickness / 2;
  const h2 = h * h;
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const xa = Math.max(0, Math.floor(Math.min(x0, x1) - h)), xb = Math.min(image.width - 1, Math.ceil(Math.max(x0, x1) + h));
  const ya = Math.max(0, Math.floor(Math.min(y0, y1) - h)), yb = Math.min(image.height - 1, Math.ceil(Math.max(y0, y1) + h));
  for (let y = ya; y <= yb; y++) {
    const py = y + 0.5;
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
      if (ex * ex + ey * ey <= h2) paint(image, x, y, style);
    }
  }
}

/**
 * Draws a polyline through N points (N x `stride`, x and y first); `closed` joins the last point to the first
 * (eye and lip contours of the 68-point scheme).
 */
export function drawPolyline(
  image: Image,
  points: ArrayLike<number>,
  style: DrawStyle,
  options: { thickness?: number; closed?: boolean; stride?: number } = {},
): void {
  const stride = options.stride ?? 2;
  const n = Math.floor(points.length / stride);
  const last = options.closed ? n : n - 1;
  for (let i = 0; i < last; i++) {
    const j = (i + 1) % n;
    drawLine(image, points[i * stride], points[i * stride + 1], points[j * stride], points[j * stride + 1], style, options.thickness ?? 1);
  }
}

/**
 * Draws the edges of a projected triangle mesh (wireframe overlay). `projected` is V x `stride` pixel positions
 * (x, y first; `project()` output has stride 3); every triangle edge is drawn, shared edges twice.
 */
export function drawWireframe(image: Image, projected: ArrayLike<number>, triangles: Uint32Array, style: DrawStyle, stride = 3, thickness = 1): void {
  for (let t = 0; t < triangles.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = triangles[t + k] * stride, b = triangles[t + ((k + 1) % 3)] * stride;
      drawLine(image, projected[a], projected[a + 1], projected[b], projected[b + 1], style, thickness);
    }
  }
}
