/**
 * Registration of the `facewarehouse` face model in facekit's default registry.
 *
 * FaceWarehouse data needs a licence from its authors and cannot ship with facekit, so importing this package
 * registers a model whose availability check says what is missing until a source is configured with
 * {@link configureFaceWarehouse} (bytes or a loader, works in the browser) or, in Node,
 * `registerFaceWarehouseFile(path)` from this package's `src/node/` entry.
 * @module
 */
import { registerFaceModel, type Availability } from '@facekit/core';
import type { BilinearFaceModel } from './bilinear-model.js';
import { decodeBilinearModel } from './format.js';

/** Where the registered model comes from. */
export type FaceWarehouseSource =
  /** `.fkbl` bytes already in memory. */
  | { bytes: Uint8Array }
  /** A function that produces the model or `.fkbl` bytes (fetch, file read, build from data...). */
  | { load: () => Promise<BilinearFaceModel | Uint8Array> | BilinearFaceModel | Uint8Array; description?: string };

/** Options the registry's `create(options)` accepts: a source for a one-off instance. */
export type FaceWarehouseCreateOptions = FaceWarehouseSource;

let configured: FaceWarehouseSource | null = null;

const MISSING =
  'no FaceWarehouse core tensor configured: FaceWarehouse needs a licence from its authors (Cao et al., Zhejiang University); ' +
  'build a .fkbl file with buildBilinearModel + saveBilinearModel from the licensed shape.bs files, then call ' +
  'registerFaceWarehouseFile(path) (Node) or configureFaceWarehouse({ bytes }) (browser)';

async function materialise(source: FaceWarehouseSource): Promise<BilinearFaceModel> {
  const value = 'bytes' in source ? source.bytes : await source.load();
  return value instanceof Uint8Array ? decodeBilinearModel(value) : value;
}

/**
 * Sets the source the registered `facewarehouse` model is created from (replacing any earlier one and dropping
 * the cached instance).
 *
 * @param source `.fkbl` bytes or a loader.
 */
export function configureFaceWarehouse(source: FaceWarehouseSource | null): void {
  configured = source;
  registerFaceWarehouseModel();
}

/** (Re-)registers `facewarehouse` in the default registries; called on import. */
export function registerFaceWarehouseModel(): void {
  registerFaceModel(
    {
      name: 'facewarehouse',
      description: 'FaceWarehouse bilinear model V = C x2 w_id x3 w_exp (licensed data, bring your own core tensor)',
      requires: [
        {
          kind: 'file',
          name: 'facewarehouse.fkbl',
          description: 'bilinear core tensor built from the FaceWarehouse shape.bs files',
          source: 'http://kunzhou.net/zjugaps/facewarehouse/ (licence required)',
        },
      ],
      check(): Availability {
        return configured ? { available: true, reasons: [] } : { available: false, reasons: [MISSING] };
      },
      async create(options?: FaceWarehouseCreateOptions): Promise<BilinearFaceModel> {
        const source = options ?? configured;
        if (!source) throw new Error(MISSING);
        return materialise(source);
      },
    },
    { replace: true },
  );
}

registerFaceWarehouseModel();
