/**
 * Imports the packages whose plugins the CLI offers; each registers itself in the core registries on import.
 * A package that fails to load (not installed) is skipped: `facekit methods` then simply does not list it.
 */
export async function loadPlugins(): Promise<string[]> {
  const failed: string[] = [];
  for (const load of [
    () => import('@facekit/flame'),
    () => import('@facekit/bfm/node'),
    () => import('@facekit/facewarehouse'),
    () => import('@facekit/detect/node'),
    () => import('@facekit/facemesh/node'),
    () => import('@facekit/fit/node'),
  ]) {
    try {
      await load();
    } catch (error) {
      failed.push(error instanceof Error ? error.message : String(error));
    }
  }
  return failed;
}
