import { access, mkdir, rm, writeFile, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registries, type DetectedFace } from '@facekit/core';
import { readImage } from '@facekit/core/node';
import { expandInputs, outputStems } from '../reconstruct/inputs.js';
import { parseFormats, writeReconstruction, type MeshFormatName } from '../reconstruct/write-outputs.js';
import { setUpMethod, type MethodSetup } from '../reconstruct/setup.js';
import { CliError, errorMessage } from '../util/cli-error.js';
import { ProgressBar } from '../util/progress.js';
import type { Output } from '../util/output.js';
import type { Command } from '../main.js';

const USAGE = `usage: facekit reconstruct <image|folder|"glob"> ... [options]

options:
  --method <name>     predictor to run (default: facemesh; see facekit methods)
  --model <id|path>   face model for model-agnostic methods (fit)
  --detector <name>   detector (default: what the method needs, else auto)
  --out <dir>         output folder (default: out)
  --all-faces         reconstruct every face, into <out>/<stem>/face-<i>/ (default: the largest face, into <out>/<stem>/)
  --format <list>     mesh formats, comma-separated from obj,glb,ply (default: obj,glb)
  --same-person       the photos show one person: fit one shared identity (methods that support it: fit)
  --preset <name>     method preset passed to the predictor (fit: fast, the default, or accurate)

Writes per input <out>/<stem>/: mesh.obj + mesh.mtl + texture.png, mesh.glb, overlay.png, result.json.
A failing input is reported and the batch goes on; the exit code is 1 when any input failed.`;

/** Checks up front that results can be written under `dir`, so a batch does not fail on every image. */
async function checkWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.facekit-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw new CliError(`cannot write to output folder ${dir} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}); choose another --out`);
  }
}



/** Reconstructs one image into its output folder(s); returns the folders written. */
async function reconstructOne(path: string, outDir: string, setup: MethodSetup, formats: MeshFormatName[], allFaces: boolean): Promise<string[]> {
  const start = performance.now();
  const photo = await readImage(path);
  const decode = performance.now() - start;
  const t1 = performance.now();
  const faces = await setup.detector.detect(photo, { allFaces });
  const detect = performance.now() - t1;
  if (faces.length === 0) throw new CliError(`no face found in ${path}`, 1);
  const written: string[] = [];
  const chosen = allFaces ? faces : faces.slice(0, 1);
  for (let i = 0; i < chosen.length; i++) {
    const t2 = performance.now();
    const rec = await setup.predictor.predict(photo, {
      face: chosen[i],
      detector: setup.detector,
      ...(setup.model ? { model: setup.model } : {}),
      ...(setup.preset ? { preset: setup.preset } : {}),
    });
    const predict = performance.now() - t2;
    const dir = allFaces ? join(outDir, `face-${i}`) : outDir;
    await writeReconstruction(dir, rec, photo, path, formats, { start, decode, detect: i === 0 ? detect : 0, predict });
    written.push(dir);
  }
  return written;
}

/**
 * `--same-person`: decodes and detects every photo, then lets the predictor fit them together with one identity.
 * Photos that fail to decode or show no face are reported and left out; the rest are fitted together.
 */
async function reconstructSamePerson(
  inputs: string[],
  stems: string[],
  outRoot: string,
  setup: MethodSetup,
  formats: MeshFormatName[],
  io: Output,
): Promise<number> {
  const predictor = setup.predictor;
  if (!predictor.predictSamePerson) {
    const able = [];
    for (const name of registries.predictors.names()) {
      const p = await registries.predictors.get(name).catch(() => undefined);
      if (p?.predictSamePerson) able.push(name);
    }
    throw new CliError(`method "${setup.method}" cannot fit several photos of one person; methods that can: ${able.join(', ') || 'none registered'}`);
  }
  const started = performance.now();
  const ok: Array<{ index: number; photo: Awaited<ReturnType<typeof readImage>>; face: DetectedFace; decode: number; detect: number; start: number }> = [];
  let failed = 0;
  for (let i = 0; i < inputs.length; i++) {
    const start = performance.now();
    try {
      const photo = await readImage(inputs[i]);
      const decode = performance.now() - start;
      const t1 = performance.now();
      const [face] = await setup.detector.detect(photo);
      if (!face) throw new CliError(`no face found in ${inputs[i]}`, 1);
      ok.push({ index: i, photo, face, decode, detect: performance.now() - t1, start });
    } catch (error) {
      failed++;
      io.err(`FAIL ${inputs[i]}: ${errorMessage(error)}`);
    }
  }
  if (ok.length > 0) {
    const t2 = performance.now();
    const recs = await predictor.predictSamePerson(
      ok.map((o) => o.photo),
      { faces: ok.map((o) => o.face), ...(setup.model ? { model: setup.model } : {}), ...(setup.preset ? { preset: setup.preset } : {}) },
    );
    const predict = (performance.now() - t2) / ok.length;
    for (let k = 0; k < ok.length; k++) {
      const { index, photo, decode, detect, start } = ok[k];
      try {
        const dir = join(outRoot, stems[index]);
        await writeReconstruction(dir, recs[k], photo, inputs[index], formats, { start, decode, detect, predict });
        io.out(`ok   ${inputs[index]} -> ${dir}`);
      } catch (error) {
        failed++;
        io.err(`FAIL ${inputs[index]}: ${errorMessage(error)}`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  io.out(`${inputs.length - failed} succeeded, ${failed} failed, ${inputs.length} image(s) of one person in ${seconds.toFixed(1)} s`);
  return failed > 0 ? 1 : 0;
}

/** `facekit reconstruct`: photos in, 3D faces out. */
export const reconstructCommand: Command = {
  name: 'reconstruct',
  summary: 'reconstruct 3D faces from photos: mesh files, overlay and result.json per image',
  usage: USAGE,
  async run(args, io: Output) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        method: { type: 'string', default: 'facemesh' },
        model: { type: 'string' },
        detector: { type: 'string' },
        out: { type: 'string', default: 'out' },
        'all-faces': { type: 'boolean', default: false },
        format: { type: 'string', default: 'obj,glb' },
        'same-person': { type: 'boolean', default: false },
        preset: { type: 'string' },
      },
    });
    if (positionals.length === 0) throw new CliError(`no input images given\n${USAGE}`);
    let formats: MeshFormatName[];
    try {
      formats = parseFormats(values.format);
    } catch (error) {
      throw new CliError(errorMessage(error));
    }
    let inputs: string[];
    try {
      inputs = await expandInputs(positionals);
    } catch (error) {
      throw new CliError(errorMessage(error));
    }
    const outRoot = resolve(values.out);
    await checkWritable(outRoot);
    const setup = { ...(await setUpMethod(values.method, values.detector, values.model)), preset: values.preset };

    const stems = outputStems(inputs);
    if (values['same-person']) {
      if (values['all-faces']) throw new CliError('--same-person and --all-faces exclude each other: one face per photo is the same person');
      return reconstructSamePerson(inputs, stems, outRoot, setup, formats, io);
    }
    const progress = new ProgressBar(inputs.length);
    const started = performance.now();
    let failed = 0;
    let done = 0;
    let next = 0;
    // Two images in flight: the detector serialises its own calls, so while one image's PNGs are encoded on
    // libuv's threads and its files written, the next one is already being detected on the main thread.
    const worker = async (): Promise<void> => {
      while (next < inputs.length) {
        const i = next++;
        progress.update(done, inputs[i]);
        const t0 = performance.now();
        try {
          const dirs = await reconstructOne(inputs[i], join(outRoot, stems[i]), setup, formats, values['all-faces']);
          progress.clear();
          io.out(`ok   ${inputs[i]} -> ${dirs.join(', ')} (${(performance.now() - t0).toFixed(0)} ms)`);
        } catch (error) {
          failed++;
          progress.clear();
          io.err(`FAIL ${inputs[i]}: ${errorMessage(error)}`);
        }
        done++;
      }
    };
    await Promise.all([worker(), worker()]);
    progress.clear();
    const seconds = (performance.now() - started) / 1000;
    const ok = inputs.length - failed;
    io.out(`${ok} succeeded, ${failed} failed, ${inputs.length} image(s) in ${seconds.toFixed(1)} s (${(inputs.length / seconds).toFixed(2)} images/s)`);
    return failed > 0 ? 1 : 0;
  },
};
