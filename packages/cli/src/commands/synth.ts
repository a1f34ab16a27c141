import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registries, type FaceModel } from '@facekit/core';
import { writeSyntheticDataset } from '@facekit/synth/node';
import { loadModelSpec } from '../model-spec.js';
import { loadPlugins } from '../plugins.js';
import { CliError } from '../util/cli-error.js';
import { ProgressBar } from '../util/progress.js';
import type { Output } from '../util/output.js';
import type { Command } from '../main.js';

const DEFAULT_MODEL = 'ict-facekit';

const USAGE = `usage: facekit synth [--model <id|path>] --count N --seed S --out <dir> [options]

Renders synthetic faces with known ground truth (random identity, sparse expression, pose within
yaw ±30° / pitch ±15° / roll ±10°, SH lighting, synthetic skin albedo, random background).

options:
  --model <id|path>     face model with 68 landmarks (default: ${DEFAULT_MODEL}, from FACEKIT_ICT_DIR or
                        ~/.facekit/models/ict-facekit)
  --count N             number of samples (default 10)
  --seed S              base seed (default 1); the same seed writes the same dataset
  --out <dir>           output folder (required)
  --size N              image width and height in pixels (default 256)
  --supersample N       render at N x the size and box-filter down (default 2)
  --mesh-region <name>  model region written to mesh.obj (default face_head when the model has it, else all)
  --camera <type>       orthographic (default) or weak-perspective

Writes <out>/<id>/ image.png, mesh.obj (ground truth), mean-face.obj (baseline), params.json, truth.json,
and <out>/manifest.json. Score a method on it with: facekit eval --method <name> --data <out>`;

function positiveInt(value: string | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name} must be an integer in 1..${max}, got "${value}"`);
  return n;
}

async function defaultModel(): Promise<FaceModel> {
  await loadPlugins();
  const registration = registries.models.registration(DEFAULT_MODEL);
  if (!registration) throw new CliError(`no --model given and the default model ${DEFAULT_MODEL} is not registered; pass --model <id|path>`);
  const availability = registration.check ? await registration.check() : { available: true, reasons: [] };
  if (!availability.available) throw new CliError(`no --model given and the default ${DEFAULT_MODEL} is unavailable: ${availability.reasons.join('; ')}`, 1);
  return registries.models.get(DEFAULT_MODEL);
}

/** `facekit synth`: a synthetic dataset with ground truth, for `facekit eval`. */
export const synthCommand: Command = {
  name: 'synth',
  summary: 'render synthetic faces with ground-truth meshes, landmarks, pose and lighting',
  usage: USAGE,
  async run(args, io: Output) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string' },
        count: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        size: { type: 'string' },
        supersample: { type: 'string' },
        'mesh-region': { type: 'string' },
        camera: { type: 'string' },
      },
    });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
    if (!values.out) throw new CliError(`--out <dir> is required\n${USAGE}`);
    const count = positiveInt(values.count, 'count', 10, 1_000_000);
    const size = positiveInt(values.size, 'size', 256, 4096);
    if (size < 16) throw new CliError(`--size must be at least 16, got ${size}`);
    const supersample = positiveInt(values.supersample, 'supersample', 2, 4);
    let seed = 1;
    if (values.seed !== undefined) {
      seed = Number(values.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new CliError(`--seed must be an integer in 0..4294967295, got "${values.seed}"`);
    }
    const camera = values.camera ?? 'orthographic';
    if (camera !== 'orthographic' && camera !== 'weak-perspective') throw new CliError(`--camera must be orthographic or weak-perspective, got "${camera}"`);
    const model = values.model ? await loadModelSpec(values.model) : await defaultModel();
    if (!model.landmarks68) throw new CliError(`model ${model.id} has no 68-point landmark embedding, which synthetic ground truth needs`);
    const out = resolve(values.out);
    const progress = new ProgressBar(count);
    const started = performance.now();
    const manifest = await writeSyntheticDataset(model, {
      count,
      seed,
      out,
      size,
      supersample,
      camera,
      modelSpec: values.model ?? DEFAULT_MODEL,
      ...(values['mesh-region'] ? { meshRegion: values['mesh-region'] } : {}),
      onSample: (i, id, face) => {
        progress.clear();
        const { yaw, pitch, roll } = face.pose;
        io.out(`ok   ${id}  yaw ${yaw.toFixed(1).padStart(6)}  pitch ${pitch.toFixed(1).padStart(6)}  roll ${roll.toFixed(1).padStart(6)}`);
        progress.update(i + 1, id);
      },
    });
    progress.clear();
    const seconds = (performance.now() - started) / 1000;
    io.out(
      `${manifest.count} sample(s) of ${model.id} (${manifest.units}, mesh region ${manifest.meshRegion}) in ${out} ` +
        `(${seconds.toFixed(1)} s); score a method with: facekit eval --method <name> --data ${values.out}`,
    );
    return 0;
  },
};
