/**
 * Runs async jobs one at a time. The detector libraries keep per-instance state between stages (Human caches
 * boxes, face-api nets share scratch tensors) and tfjs runs on one thread anyway, so overlapping calls gain
 * nothing and could interleave that state; callers may still fire `detect()` concurrently.
 * @module
 */

/** A FIFO lock: `run(job)` starts `job` after every previously queued job settled. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // The chain must not reject, or one failed job would fail every later one.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
