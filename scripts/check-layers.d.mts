/** Package name to layer; a package imports only strictly lower layers. */
export declare const LAYERS: Record<string, number>;
/** Returns one line per layering problem under `root` (default: this repository). */
export declare function checkLayers(root?: string): string[];
