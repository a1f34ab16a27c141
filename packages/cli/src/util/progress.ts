/**
 * A one-line progress bar on a terminal (redrawn in place on stderr); on a pipe or file it stays silent, since
 * the per-image lines already tell the story there.
 */
export class ProgressBar {
  private readonly total: number;
  private readonly stream: NodeJS.WriteStream;
  private readonly enabled: boolean;
  private readonly start = performance.now();

  constructor(total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.total = total;
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY) && total > 1;
  }

  /** Redraws the bar after `done` items, naming the current one. */
  update(done: number, label: string): void {
    if (!this.enabled) return;
    const width = 28;
    const filled = Math.round((done / this.total) * width);
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = done > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? Math.ceil((this.total - done) / rate) : 0;
    const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${rate.toFixed(1)}/s eta ${eta}s ${label}`;
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${text.slice(0, columns - 1).padEnd(columns - 1)}`);
  }

  /** Clears the bar line before other output. */
  clear(): void {
    if (!this.enabled) return;
    this.stream.write(`\r${' '.repeat((this.stream.columns ?? 100) - 1)}\r`);
  }
}
