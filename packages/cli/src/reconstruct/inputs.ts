import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { glob } from 'tinyglobby';

/** File extensions taken from a folder given as input. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif']);

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands the command's inputs: a folder gives its images (sorted, not recursive), a quoted glob pattern its
 * matches, anything else is taken as a file path as given (a missing file fails later, per image, with a
 * specific message).
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(input)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith('.')).sort();
      if (names.length === 0) throw new RangeError(`folder ${input} holds no images (${[...IMAGE_EXTENSIONS].join(', ')})`);
      out.push(...names.map((n) => join(input, n)));
    } else if (!info && GLOB_CHARS.test(input)) {
      const matches = (await glob(input, { onlyFiles: true, expandDirectories: false })).sort();
      if (matches.length === 0) throw new RangeError(`pattern ${input} matches no files`);
      out.push(...matches);
    } else {
      out.push(input);
    }
  }
  return out;
}

/** One output folder name per input: the file stem, with `-2`, `-3`, ... where stems repeat. */
export function outputStems(paths: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const stem = basename(p, extname(p)) || 'image';
    const n = (seen.get(stem) ?? 0) + 1;
    seen.set(stem, n);
    return n === 1 ? stem : `${stem}-${n}`;
  });
}

