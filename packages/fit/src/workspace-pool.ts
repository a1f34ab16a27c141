/**
 * One pooled {@link DenseWorkspace} for the fitter's dense products. Every use is synchronous (acquire, compute,
 * release), so one workspace serves them all; a nested use gets a fresh one.
 * @module
 */
import { DenseWorkspace } from '@facekit/core';

let idle: DenseWorkspace | null = null;

/**
 * A workspace for one synchronous computation: the pooled one when it is free (creating a wasm instance and
 * growing its memory per call would cost more than small products), else a new one. Give it back with
 * {@link releaseWorkspace}; a workspace that is never given back is simply collected.
 */
export function acquireWorkspace(): DenseWorkspace {
  const ws = idle ?? DenseWorkspace.create();
  idle = null;
  ws.reset();
  return ws;
}

/** Returns a workspace from {@link acquireWorkspace} to the pool. */
export function releaseWorkspace(ws: DenseWorkspace): void {
  idle = ws;
}
