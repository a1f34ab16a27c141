/**
 * Small 2D point queries used to build masks and albedo maps from landmark contours (points in any 2D frame,
 * e.g. a model's x/y or image pixels).
 */

/** Distance from `(x, y)` to the segment `(ax, ay)`-`(bx, by)`. */
export function pointSegmentDistance2D(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** Whether `(x, y)` lies inside the closed polygon `[[x, y], ...]` (even-odd rule). */
export function pointInPolygon2D(x: number, y: number, polygon: ReadonlyArray<readonly [number, number] | readonly number[]>): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const xi = polygon[i][0], yi = polygon[i][1], xj = polygon[j][0], yj = polygon[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
