/** Where a command writes: injectable so tests capture output without spawning a process. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Writes to the process's stdout and stderr. */
export const consoleOutput: Output = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
