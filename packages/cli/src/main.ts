import { CliError, errorMessage } from './util/cli-error.js';
import { consoleOutput, type Output } from './util/output.js';

/** One `facekit` sub-command. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: Output): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  reconstruct: async () => (await import('./commands/reconstruct.js')).reconstructCommand,
  model: async () => (await import('./commands/model.js')).modelCommand,
  synth: async () => (await import('./commands/synth.js')).synthCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  methods: async () => (await import('./commands/methods.js')).methodsCommand,
  relight: async () => (await import('./commands/relight.js')).relightCommand,
};

async function usage(io: Output): Promise<void> {
  io.out('usage: facekit <command> [options]\n\ncommands:');
  for (const load of Object.values(commands)) {
    const c = await load();
    io.out(`  ${c.name.padEnd(10)} ${c.summary}`);
  }
  io.out('\nfacekit <command> --help shows the options of a command.');
}

/**
 * Runs the CLI with the given arguments (without `node` and the script path) and resolves to the exit code.
 * Errors are printed as one line; nothing is thrown for user mistakes.
 */
export async function main(argv: string[], io: Output = consoleOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await usage(io);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    io.out(pkg.version);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.err(`facekit: unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(`facekit ${name}: ${errorMessage(error)}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}
