import { registries, type Detector, type FaceModel, type Predictor } from '@facekit/core';
import { loadModelSpec } from '../model-spec.js';
import { loadPlugins } from '../plugins.js';
import { CliError } from '../util/cli-error.js';

/** A method ready to run: its predictor, the detector it needs, and the face model given with `--model`. */
export interface MethodSetup {
  method: string;
  predictor: Predictor;
  detector: Detector;
  detectorName: string;
  model?: FaceModel;
  /** `--preset`, passed to the predictor (methods without presets ignore it). */
  preset?: string;
}

/**
 * Resolves `--method`, `--detector` and `--model` before any work: unknown names and unavailable methods fail
 * with one line listing what is available; the detector defaults to what the method's registration requires,
 * else `auto`.
 */
export async function setUpMethod(method: string, detectorName: string | undefined, modelSpec: string | undefined): Promise<MethodSetup> {
  await loadPlugins();
  if (!registries.predictors.has(method)) {
    const names = registries.predictors.names();
    throw new CliError(`unknown method "${method}"; available: ${names.join(', ') || 'none'} (facekit methods lists them)`);
  }
  const registration = registries.predictors.registration(method)!;
  const availability = registration.check ? await registration.check() : { available: true, reasons: [] };
  if (!availability.available) throw new CliError(`method "${method}" cannot run here: ${availability.reasons.join('; ')}`, 1);
  const wanted = detectorName ?? registration.requires?.find((r) => r.kind === 'detector')?.name ?? 'auto';
  if (!registries.detectors.has(wanted)) {
    throw new CliError(`unknown detector "${wanted}"; available: ${registries.detectors.names().join(', ') || 'none'}`);
  }
  const model = modelSpec ? await loadModelSpec(modelSpec) : undefined;
  const [predictor, detector] = await Promise.all([registries.predictors.get(method), registries.detectors.get(wanted)]);
  return { method, predictor, detector, detectorName: wanted, ...(model ? { model } : {}) };
}
