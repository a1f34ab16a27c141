/**
 * Registers the `flame` face model in facekit's default registries. Imported for its side effect by the package
 * entry, so `import '@facekit/flame'` is enough for `registries.models.get('flame')` and `facekit methods`.
 *
 * The model path is `$FACEKIT_FLAME` (a file or a folder) or `~/.facekit/models/flame/generic_model.pkl`.
 * Loading from a path needs Node; in a browser, build a {@link FlameModel} from fetched bytes with
 * `parseFlameModel` instead (check() says so).
 * @module
 */
import { registerFaceModel, registries, type Availability, type FaceModel } from '@facekit/core';

const SOURCE = 'https://flame.is.tue.mpg.de';

/** Whether this runtime can read files (Node, Deno, Bun). */
function canReadFiles(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The configured path, as shown in `facekit methods` (home folder spelled `~` when unknown). */
function configuredPath(): string {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const env = p?.env ?? {};
  if (env.FACEKIT_FLAME) return env.FACEKIT_FLAME;
  const home = env.HOME ?? env.USERPROFILE;
  return `${home ?? '~'}/.facekit/models/flame/generic_model.pkl`;
}

async function check(): Promise<Availability> {
  if (!canReadFiles()) {
    return { available: false, reasons: ['FLAME is loaded from a file here only in Node; in a browser, fetch the file and use parseFlameModel + new FlameModel'] };
  }
  const node = await import('./node/index.js');
  try {
    await node.resolveFlameModelPath(node.defaultFlamePath());
    return { available: true, reasons: [] };
  } catch (error) {
    return { available: false, reasons: [error instanceof Error ? error.message : String(error)] };
  }
}

/** Registers `flame` unless something already did (a second copy of the package, or a user override). */
export function registerFlame(options: { replace?: boolean } = {}): void {
  if (registries.models.has('flame') && !options.replace) return;
  registerFaceModel(
    {
      name: 'flame',
      description: 'FLAME head model (5023 vertices, 300 shape + 100 expression components, 5 joints), linear blend skinning',
      requires: [{ kind: 'file', name: configuredPath(), description: 'FLAME model (generic_model.pkl, flame2023.pkl or .npz)', source: SOURCE }],
      check,
      async create(): Promise<FaceModel> {
        if (!canReadFiles()) throw new Error('loading FLAME from a path needs Node; in a browser use parseFlameModel on fetched bytes');
        const node = await import('./node/index.js');
        return node.loadFlame();
      },
    },
    options,
  );
}

registerFlame();
