/**
 * Format detection from content, and one entry that parses any supported single-file model from bytes.
 * (ICT-FaceKit is a folder; see `loadLinearModel` in `@facekit/bfm/node`.)
 * @module
 */
import { FormatError } from '@facekit/core';
import type { LinearFaceModel } from '../linear-model.js';
import { isMat5, readMat5 } from '../io/mat5.js';
import { isHdf5, parseBfm2017 } from './bfm2017.js';
import { bfm2009FromMat, deep3dFromMat } from './mat-models.js';
import type { Deep3dLoadOptions } from './mat-models.js';

/** Container formats recognised from the first bytes. */
export type ModelContainer = 'mat5' | 'hdf5' | 'unknown';
/** Model layouts this package reads. */
export type LinearModelFormat = 'bfm2009' | 'bfm-deep3d' | 'bfm2017' | 'ict-facekit';

/**
 * The container of a file from its first bytes: the MAT header text `MATLAB 5.0 MAT-file` (v7.3 MAT-files,
 * which are HDF5 behind a MATLAB header, report `hdf5`), or the HDF5 signature `\x89HDF\r\n\x1a\n`.
 */
export function detectContainer(head: Uint8Array): ModelContainer {
  if (isMat5(head)) {
    const le = head[126] === 0x49; // 'I' of 'IM'
    const version = le ? head[124] | (head[125] << 8) : (head[124] << 8) | head[125];
    return version === 0x0200 ? 'hdf5' : 'mat5';
  }
  return isHdf5(head) ? 'hdf5' : 'unknown';
}

/**
 * Parses a BFM 2009 `01_MorphableModel.mat`, a Deep3DFaceRecon `BFM_model_front.mat` or a BFM 2017 `.h5`
 * from bytes, telling them apart by content (container, then variable names).
 * @throws FormatError for other files, naming what was expected.
 */
export async function parseLinearModel(bytes: Uint8Array, options: Deep3dLoadOptions = {}): Promise<LinearFaceModel> {
  const container = detectContainer(bytes);
  if (container === 'hdf5') return parseBfm2017(bytes, options);
  if (container !== 'mat5') {
    throw new FormatError(
      'not a face model file facekit recognises: expected a MATLAB 5 MAT-file (BFM 2009 01_MorphableModel.mat, Deep3DFaceRecon BFM_model_front.mat) ' +
        'or an HDF5 file (BFM 2017 .h5)',
    );
  }
  // List the variables cheaply (only the first bytes of each compressed element are inflated), then decode
  // just the ones the detected layout needs.
  const names = new Set(readMat5(bytes, { variables: [] }).names);
  const format = matLayout(names);
  if (format === 'bfm2009') {
    const vars = ['shapeMU', 'shapePC', 'shapeEV', 'tl', ...(options.albedo === false ? [] : ['texMU', 'texPC', 'texEV'])];
    return bfm2009FromMat(readMat5(bytes, { variables: vars }), options);
  }
  if (format === 'bfm-deep3d') {
    const vars = ['meanshape', 'idBase', 'exBase', 'tri', 'keypoints', 'skinmask', 'frontmask2_idx', ...(options.albedo === false ? [] : ['meantex', 'texBase'])];
    return deep3dFromMat(readMat5(bytes, { variables: vars }), options);
  }
  throw new FormatError(
    `MAT-file with variables ${[...names].join(', ') || '(none)'} is neither a BFM 2009 model (needs shapeMU, shapePC, shapeEV, tl) ` +
      'nor a Deep3DFaceRecon BFM_model_front.mat (needs meanshape, idBase, exBase, tri)',
  );
}

/** Which MAT layout a set of variable names is, if any. */
export function matLayout(names: ReadonlySet<string>): 'bfm2009' | 'bfm-deep3d' | undefined {
  if (names.has('shapeMU') || names.has('shapePC')) return 'bfm2009';
  if (names.has('meanshape') || names.has('idBase')) return 'bfm-deep3d';
  return undefined;
}
