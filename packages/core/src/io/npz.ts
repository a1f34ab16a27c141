/**
 * NumPy `.npz` reader: a zip archive of `.npy` members (`np.savez` stores them, `np.savez_compressed` deflates
 * them). Browser-safe; inflation is done by fflate.
 * @module
 */
import { unzipSync } from 'fflate';
import { FormatError } from '../util/errors.js';
import { parseNpy, type NpyArray } from './npy.js';

/** Options of {@link unzipNpz} and {@link parseNpz}. */
export interface NpzOptions {
  /**
   * Only these members (names without `.npy`) are inflated and decoded; the rest are skipped, which matters for
   * archives such as texture bases that hold hundreds of megabytes the caller does not need.
   */
  keys?: readonly string[];
}

/** Whether `bytes` starts like a zip archive (`PK\x03\x04`, or `PK\x05\x06` for an empty one). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

/**
 * The raw `.npy` bytes of each member, keyed by member name without the `.npy` suffix (the key `np.load` uses).
 * Throws {@link FormatError} naming `name` for a file that is not a zip or whose archive is damaged.
 */
export function unzipNpz(bytes: Uint8Array, name = 'arrays.npz', options: NpzOptions = {}): Record<string, Uint8Array> {
  if (!isZip(bytes)) throw new FormatError(`${name}: not a NumPy .npz file (no zip signature)`);
  const wanted = options.keys ? new Set(options.keys) : undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => !wanted || wanted.has(stripNpy(f.name)),
    });
  } catch (error) {
    throw new FormatError(`${name}: damaged .npz archive (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const out: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
  for (const [member, data] of Object.entries(files)) out[stripNpy(member)] = data;
  return out;
}

/**
 * Decodes every (or every requested) member of an `.npz` archive. Members holding pickled objects throw; read
 * those with {@link unzipNpz} and a pickle reader.
 */
export function parseNpz(bytes: Uint8Array, name = 'arrays.npz', options: NpzOptions = {}): Record<string, NpyArray> {
  const members = unzipNpz(bytes, name, options);
  const out: Record<string, NpyArray> = Object.create(null) as Record<string, NpyArray>;
  for (const [key, data] of Object.entries(members)) out[key] = parseNpy(data, `${name}/${key}.npy`);
  return out;
}

function stripNpy(member: string): string {
  return member.endsWith('.npy') ? member.slice(0, -4) : member;
}
