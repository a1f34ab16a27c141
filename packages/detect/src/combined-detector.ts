/**
 * The `auto` detector: two detectors behind one, so a face one network misses (strong rotation, profile, odd
 * lighting) is still found by the other. Browser-safe.
 * @module
 */
import type { DetectedFace, Detector, DetectOptions, Image } from '@facekit/core';
import { boxArea, boxIou, selectFaces } from './geometry.js';

/**
 * - `fallback` (default): run the primary; only when it finds no face (after `minConfidence`) run the
 *   secondary. Costs one detector on the usual photo.
 * - `merge`: run both; a secondary face that overlaps a primary face adds its missing fields (e.g. the
 *   face-api descriptor to a Human face) and the confidence becomes the higher of the two; unmatched faces of
 *   either are kept.
 */
export type CombineMode = 'fallback' | 'merge';

/** Options of {@link CombinedDetector}. */
export interface CombinedDetectorOptions {
  /** Registry / report name. Default `auto`. */
  name?: string;
  /** Default `fallback`. */
  mode?: CombineMode;
  /**
   * Two boxes are the same face when their IoU exceeds this, or when the centre of either lies inside the
   * other (the libraries draw boxes differently: Human's covers the forehead, face-api's is tighter).
   * Default 0.3.
   */
  matchIou?: number;
}

/** Runs a primary and a secondary detector; see {@link CombineMode}. `detector` of each face names the one that found it. */
export class CombinedDetector implements Detector {
  readonly name: string;
  readonly outputs: readonly ('box' | 'landmarks68' | 'dense' | 'descriptor')[];
  private readonly primary: Detector;
  private readonly secondary: Detector;
  private readonly mode: CombineMode;
  private readonly matchIou: number;

  constructor(primary: Detector, secondary: Detector, options: CombinedDetectorOptions = {}) {
    this.primary = primary;
    this.secondary = secondary;
    this.name = options.name ?? 'auto';
    this.mode = options.mode ?? 'fallback';
    this.matchIou = options.matchIou ?? 0.3;
    this.outputs = [...new Set([...primary.outputs, ...secondary.outputs])];
  }

  async detect(image: Image, options: DetectOptions = {}): Promise<DetectedFace[]> {
    // Ask each detector for all faces, so merging sees every candidate; the final selection is done here.
    const all: DetectOptions = { ...options, allFaces: true };
    const first = await this.primary.detect(image, all);
    if (this.mode === 'fallback') {
      if (first.length > 0) return selectFaces(first, options);
      return selectFaces(await this.secondary.detect(image, all), options);
    }
    const second = await this.secondary.detect(image, all);
    const used = new Set<number>();
    const merged = first.map((p) => {
      let best = -1, bestScore = 0;
      second.forEach((s, j) => {
        if (used.has(j)) return;
        const score = this.matchScore(p, s);
        if (score > bestScore) {
          best = j;
          bestScore = score;
        }
      });
      if (best < 0) return p;
      used.add(best);
      const s = second[best];
      return {
        ...s,
        ...p,
        landmarks68: p.landmarks68 ?? s.landmarks68,
        dense: p.dense ?? s.dense,
        descriptor: p.descriptor ?? s.descriptor,
        confidence: Math.max(p.confidence, s.confidence),
        detector: `${p.detector}+${s.detector}`,
      };
    });
    second.forEach((s, j) => {
      if (!used.has(j)) merged.push(s);
    });
    return selectFaces(merged, options);
  }

  /** > 0 when the two faces are the same one; larger is a better match. */
  private matchScore(a: DetectedFace, b: DetectedFace): number {
    const iou = boxIou(a.box, b.box);
    if (iou > this.matchIou) return iou;
    const inside = (f: DetectedFace, g: DetectedFace): boolean => {
      const cx = f.box[0] + f.box[2] / 2, cy = f.box[1] + f.box[3] / 2;
      return cx >= g.box[0] && cx <= g.box[0] + g.box[2] && cy >= g.box[1] && cy <= g.box[1] + g.box[3];
    };
    // Centre containment counts only between boxes of similar size, so a small face next to a big one does not match it.
    const ratio = boxArea(a.box) / Math.max(1e-9, boxArea(b.box));
    return (inside(a, b) || inside(b, a)) && ratio > 0.25 && ratio < 4 ? Math.max(iou, 1e-3) : 0;
  }

  async dispose(): Promise<void> {
    await this.primary.dispose?.();
    await this.secondary.dispose?.();
  }
}
