import { parseArgs } from 'node:util';
import { registries, type PluginInfo } from '@facekit/core';
import { loadPlugins } from '../plugins.js';
import type { Command } from '../main.js';

function describeInfo(info: PluginInfo): string[] {
  const lines = [`  ${info.available ? '✓' : '✗'} ${info.name}${info.description ? ` — ${info.description}` : ''}`];
  for (const r of info.requires) {
    lines.push(`      needs ${r.kind} ${r.name}${r.description ? ` (${r.description})` : ''}${r.source ? `; get it from ${r.source}` : ''}`);
  }
  for (const reason of info.reasons) lines.push(`      not available: ${reason}`);
  return lines;
}

/** `facekit methods`: every registered predictor, model, detector and loss, with availability. */
export const methodsCommand: Command = {
  name: 'methods',
  summary: 'list registered methods, face models, detectors and losses, and what each needs',
  usage: 'usage: facekit methods [--json]\n\nLists every registered plugin, whether it can run here, and what is missing.',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
    await loadPlugins();
    const groups: Array<[string, string, PluginInfo[]]> = [
      ['predictors', 'methods (predictors)', await registries.predictors.describe()],
      ['models', 'face models', await registries.models.describe()],
      ['detectors', 'detectors', await registries.detectors.describe()],
      ['losses', 'losses', await registries.losses.describe()],
    ];
    if (values.json) {
      io.out(JSON.stringify(Object.fromEntries(groups.map(([key, , infos]) => [key, infos])), null, 2));
      return 0;
    }
    for (const [, title, infos] of groups) {
      io.out(`${title}:`);
      if (infos.length === 0) io.out('  (none registered yet)');
      for (const info of infos) for (const line of describeInfo(info)) io.out(line);
    }
    return 0;
  },
};
