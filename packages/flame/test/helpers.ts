import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture file. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Bytes of a fixture file. */
export function fixture(name: string): Uint8Array {
  const b = readFileSync(fixturePath(name));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** One decoder case of expected.json. */
export interface ExpectedCase {
  name: string;
  shape: number[];
  expression: number[];
  pose: number[];
  translation: number[];
  vertices: number[];
  landmarks68?: number[];
  bin: number;
}

/** expected.json written by make_fixtures.py. */
export interface Expected {
  vertexCount: number;
  jointCount: number;
  shapeCount: number;
  expressionCount: number;
  triangleCount: number;
  parents: number[];
  vTemplate: number[];
  weights: number[];
  joints: number[];
  shapedirs00: number[];
  posedirs00: number[];
  posedirsLast: number[];
  faces: number[];
  static: { faces: number[]; bary: number[] };
  dynamic: { faces0: number[]; bary0: number[]; facesLast: number[] };
  full: { faces: number[]; bary: number[] };
  texture: { mean: number[]; dir0: number[] };
  cases: ExpectedCase[];
}

export const expected: Expected = JSON.parse(readFileSync(fixturePath('expected.json'), 'utf8')) as Expected;

/** Largest absolute difference of two equally long sequences. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
