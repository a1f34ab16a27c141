import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeVertexNormals, type FaceModel, type Mesh, type MorphTarget, type ParameterBlock } from '@facekit/core';
import { writeGlbFile, writeMeshFile } from '@facekit/core/node';
import { loadModelSpec } from '../model-spec.js';
import { CliError } from '../util/cli-error.js';
import { createGaussian, createRandom } from '../util/random.js';
import type { Output } from '../util/output.js';
import type { Command } from '../main.js';

const MESH_EXTENSIONS = new Set(['.obj', '.glb', '.ply']);

function meshOf(model: FaceModel, positions: Float32Array): Mesh {
  const { triangles, uvs, uvTriangles } = model.topology;
  const mesh: Mesh = { positions, triangles };
  if (uvs) mesh.uvs = uvs;
  if (uvs && uvTriangles) mesh.uvTriangles = uvTriangles;
  mesh.normals = computeVertexNormals(positions, triangles);
  return mesh;
}

function checkOut(out: string | undefined, allowed = MESH_EXTENSIONS): string {
  if (!out) throw new CliError(`--out is required (a path ending in ${[...allowed].join(', ')})`);
  const ext = extname(out).toLowerCase();
  if (!allowed.has(ext)) throw new CliError(`--out ${out}: unknown mesh format "${ext}"; use ${[...allowed].join(', ')}`);
  return resolve(out);
}

function priorValue(p: ParameterBlock['prior'], i: number, key: 'mean' | 'std'): number {
  const v = p?.[key];
  if (v === undefined) return key === 'std' ? 0 : 0;
  return typeof v === 'number' ? v : (v[i] ?? 0);
}

/** Blocks sampled by default: identity and expression, the blocks whose priors describe faces. */
const DEFAULT_SAMPLE_BLOCKS = ['shape', 'identity', 'expression', 'albedo', 'texture'];

/** Draws the named blocks from their priors (Gaussian, clamped to the block's range). */
export function sampleParameters(model: FaceModel, seed: number, blocks: readonly string[], sigma = 1): Record<string, number[]> {
  const gauss = createGaussian(createRandom(seed));
  const params: Record<string, number[]> = {};
  for (const block of model.parameters) {
    if (!blocks.includes(block.name)) continue;
    const values = new Array<number>(block.size);
    for (let i = 0; i < block.size; i++) {
      let v = priorValue(block.prior, i, 'mean') + sigma * priorValue(block.prior, i, 'std') * gauss();
      if (!block.prior && block.range) {
        // A ranged block without a prior (blendshape weights): a sparse draw, as real expressions use few shapes.
        v = gauss() > 1.5 ? block.range[0] + (block.range[1] - block.range[0]) * Math.min(1, Math.abs(gauss()) / 2) : block.range[0];
      }
      if (block.range) v = Math.min(block.range[1], Math.max(block.range[0], v));
      values[i] = v;
    }
    params[block.name] = values;
  }
  return params;
}

/** Reads a params.json of named blocks; every value must be a finite number. */
export async function readParamsFile(path: string, model: FaceModel): Promise<Record<string, number[]>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`--params ${path}: file not found`);
    throw new CliError(`--params ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError(`--params ${path}: expected an object of named blocks, e.g. {"shape": [0.5, -1], "expression": []}`);
  }
  const known = new Map(model.parameters.map((b) => [b.name, b]));
  const out: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(json)) {
    const block = known.get(name);
    if (!block) throw new CliError(`--params ${path}: unknown block "${name}"; ${model.id} has ${[...known.keys()].join(', ')}`);
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new CliError(`--params ${path}: block "${name}" must be an array of finite numbers`);
    }
    if (values.length > block.size) throw new CliError(`--params ${path}: block "${name}" has ${values.length} values; ${model.id} takes at most ${block.size}`);
    out[name] = values as number[];
  }
  return out;
}

function describeModel(model: FaceModel): Record<string, unknown> {
  return {
    id: model.id,
    name: model.name,
    units: model.units,
    vertices: model.topology.vertexCount,
    triangles: model.topology.triangles.length / 3,
    uvs: model.topology.uvs ? model.topology.uvs.length / 2 : 0,
    parameters: model.parameters.map((b) => ({
      name: b.name,
      size: b.size,
      ...(b.prior ? { prior: { mean: typeof b.prior.mean === 'number' ? b.prior.mean : b.prior.mean ? 'per-coefficient' : 0, std: typeof b.prior.std === 'number' ? b.prior.std : 'per-coefficient' } } : {}),
      ...(b.range ? { range: b.range } : {}),
      ...(b.description ? { description: b.description } : {}),
    })),
    landmarks68: model.landmarks68 ? model.landmarks68.faces.length : 0,
    regions: Object.fromEntries(Object.entries(model.regions ?? {}).map(([k, r]) => [k, r.vertices.length])),
    albedo: model.albedo ? { block: model.albedo.block, kind: model.albedo.kind } : null,
    ...(model.attribution ? { attribution: model.attribution } : {}),
  };
}

function printInfo(info: Record<string, unknown>, io: Output): void {
  io.out(`${info.name} (${info.id}), units ${info.units}`);
  io.out(`  vertices ${info.vertices}, triangles ${info.triangles}, uvs ${info.uvs}`);
  io.out('  parameter blocks:');
  for (const b of info.parameters as Array<{ name: string; size: number; description?: string }>) {
    io.out(`    ${b.name}[${b.size}]${b.description ? ` — ${b.description}` : ''}`);
  }
  io.out(`  68 landmarks: ${info.landmarks68 ? 'yes' : 'no'}`);
  const regions = info.regions as Record<string, number>;
  if (Object.keys(regions).length) io.out(`  regions: ${Object.entries(regions).map(([k, n]) => `${k} (${n})`).join(', ')}`);
  if (info.albedo) io.out(`  albedo: ${JSON.stringify(info.albedo)}`);
  if (info.attribution) io.out(`  attribution: ${String(info.attribution).split('\n')[0]}`);
}

/**
 * Named morph targets of a model around the zero parameters: one per coefficient of the chosen blocks,
 * delta = decode(e_k) - decode(0). Exact for blocks the model is linear in (identity, expression).
 */
export function modelMorphTargets(model: FaceModel, blocks: Record<string, number>): MorphTarget[] {
  const base = model.decode({});
  const targets: MorphTarget[] = [];
  const scratch = new Float32Array(base.length);
  for (const [name, count] of Object.entries(blocks)) {
    const block = model.parameters.find((b) => b.name === name);
    if (!block) throw new CliError(`${model.id} has no block "${name}"; it has ${model.parameters.map((b) => b.name).join(', ')}`);
    const n = Math.min(count, block.size);
    const unit = new Float32Array(block.size);
    for (let k = 0; k < n; k++) {
      unit.fill(0);
      unit[k] = 1;
      model.decode({ [name]: unit }, scratch);
      const delta = new Float32Array(base.length);
      for (let i = 0; i < delta.length; i++) delta[i] = scratch[i] - base[i];
      targets.push({ name: block.labels?.[k] ?? `${name}${String(k).padStart(3, '0')}`, positions: delta });
    }
  }
  return targets;
}

const USAGE = `usage:
  facekit model info <spec> [--json]
  facekit model sample <spec> --out mesh.obj|mesh.glb|mesh.ply [--seed N] [--sigma S] [--blocks shape,expression]
  facekit model decode <spec> --params params.json --out mesh.obj|mesh.glb|mesh.ply
  facekit model export <spec> --out model.glb [--identity N] [--expression N]

<spec> is a model file or folder (format detected from content: FLAME .pkl/.npz, Basel .mat/.h5,
Deep3DFaceRecon BFM_model_front.mat, an ICT-FaceKit folder, a facekit .fkbl bilinear model) or a
registered model id. params.json holds named blocks, e.g. {"shape": [...], "expression": [...],
"pose": [15 values], "translation": [3]}; shorter blocks are zero-padded, unknown names are an error.
export writes a GLB whose morph targets are the first N identity and expression modes (named), which
three.js loads and animates.`;

/** `facekit model`: inspect, sample, decode and export face models. */
export const modelCommand: Command = {
  name: 'model',
  summary: 'inspect a face model, decode parameters, sample from its priors, export morph targets',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        seed: { type: 'string', default: '0' },
        sigma: { type: 'string', default: '1' },
        blocks: { type: 'string' },
        params: { type: 'string' },
        identity: { type: 'string', default: '10' },
        expression: { type: 'string', default: '53' },
      },
    });
    const [action, spec, ...extra] = positionals;
    if (!action || !['info', 'sample', 'decode', 'export'].includes(action)) {
      throw new CliError(`expected an action: info, sample, decode or export\n${USAGE}`);
    }
    if (!spec) throw new CliError(`facekit model ${action} needs a model <spec> (a path or a registered id)`);
    if (extra.length) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const int = (name: string, text: string): number => {
      const v = Number(text);
      if (!Number.isInteger(v) || v < 0) throw new CliError(`--${name} must be a non-negative integer, got "${text}"`);
      return v;
    };
    // Validate arguments before the (possibly slow) model load.
    const out = action === 'info' ? undefined : checkOut(values.out, action === 'export' ? new Set(['.glb']) : MESH_EXTENSIONS);
    if (action === 'decode' && !values.params) throw new CliError('facekit model decode needs --params params.json');

    const model = await loadModelSpec(spec);
    if (action === 'info') {
      const info = describeModel(model);
      if (values.json) io.out(JSON.stringify(info, null, 2));
      else printInfo(info, io);
      return 0;
    }
    if (action === 'export') {
      const blocks: Record<string, number> = {};
      const idBlock = model.parameters.find((b) => b.name === 'identity' || b.name === 'shape');
      const expBlock = model.parameters.find((b) => b.name === 'expression');
      if (idBlock) blocks[idBlock.name] = int('identity', values.identity);
      if (expBlock) blocks[expBlock.name] = int('expression', values.expression);
      const targets = modelMorphTargets(model, blocks);
      await writeGlbFile(out!, meshOf(model, model.decode({})), { morphTargets: targets, name: model.id });
      io.out(`wrote ${out} (${model.topology.vertexCount} vertices, ${targets.length} morph targets)`);
      return 0;
    }
    let params: Record<string, number[]>;
    if (action === 'sample') {
      const sigma = Number(values.sigma);
      if (!Number.isFinite(sigma) || sigma < 0) throw new CliError(`--sigma must be a non-negative number, got "${values.sigma}"`);
      const names = values.blocks ? values.blocks.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_SAMPLE_BLOCKS;
      for (const n of names) {
        if (!model.parameters.some((b) => b.name === n) && values.blocks) {
          throw new CliError(`--blocks: ${model.id} has no block "${n}"; it has ${model.parameters.map((b) => b.name).join(', ')}`);
        }
      }
      params = sampleParameters(model, int('seed', values.seed), names, sigma);
    } else {
      params = await readParamsFile(resolve(values.params!), model);
    }
    const positions = model.decode(params);
    await writeMeshFile(out!, meshOf(model, positions));
    io.out(`wrote ${out} (${model.topology.vertexCount} vertices, ${model.topology.triangles.length / 3} triangles, units ${model.units})`);
    if (action === 'sample') io.out(`parameters: ${JSON.stringify(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.map((x) => +x.toFixed(4))])))}`);
    return 0;
  },
};
