/**
 * A benchmark case as `npm run bench` runs it: the runner imports every `bench/*.bench.ts` of the workspace in
 * one process, calls `setup` once, `run` a few times to warm up, then times repeated runs and reports the median.
 */
export interface BenchCase {
  /** Unique name, `package/what`, e.g. `core/rasterize-20k-512`. */
  name: string;
  /** Target median in milliseconds from the issue that asked for it, when there is one. */
  targetMs?: number;
  /** Builds inputs; its time is not measured. The result is passed to `run`. */
  setup?(): unknown | Promise<unknown>;
  /** The measured work. */
  run(state: unknown): unknown | Promise<unknown>;
  /** Timed repetitions (default 30). */
  iterations?: number;
}
