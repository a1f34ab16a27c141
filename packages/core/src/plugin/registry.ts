import { FacekitError } from '../util/errors.js';
import type { Detector } from './detector.js';
import type { FaceModel } from './face-model.js';
import type { Loss } from './loss.js';
import type { Predictor } from './predictor.js';

/** The four kinds of plugin. */
export type PluginKind = 'predictor' | 'model' | 'detector' | 'loss';

/** Something a plugin needs before it can run: a weights file, a face model, a detector, an npm package. */
export interface Requirement {
  kind: 'file' | 'model' | 'detector' | 'package';
  /** File path, model id, detector name or package name. */
  name: string;
  /** What it is, in a few words. */
  description?: string;
  /** Where a user gets it (URL, repository, npm package). */
  source?: string;
}

/** Whether a plugin can be created on this machine, and if not, why. */
export interface Availability {
  available: boolean;
  /** One line per missing requirement, saying what to download and where to put it. */
  reasons: string[];
}

/** How a plugin enters a registry. Only `name` and `create` are required. */
export interface PluginRegistration<T, O = unknown> {
  name: string;
  /** Higher is tried first by {@link PluginRegistry.resolve}. Default 0. */
  priority?: number;
  description?: string;
  requires?: readonly Requirement[];
  /** Checks requirements without creating the plugin. Defaults to available. */
  check?(): Availability | Promise<Availability>;
  /** Creates the plugin; called lazily, once per registry for calls without options. */
  create(options?: O): T | Promise<T>;
}

/** What `facekit methods` prints for one plugin. */
export interface PluginInfo extends Availability {
  kind: PluginKind;
  name: string;
  priority: number;
  description?: string;
  requires: readonly Requirement[];
}

/** Thrown when no candidate plugin could be created; lists every candidate's reason. */
export class NoPluginAvailableError extends FacekitError {
  readonly failures: ReadonlyArray<{ name: string; reason: string }>;
  constructor(kind: PluginKind, failures: Array<{ name: string; reason: string }>) {
    const detail = failures.length
      ? failures.map((f) => `${f.name}: ${f.reason}`).join('; ')
      : `none is registered (import a package that registers one, or call the register function)`;
    super('ERR_NO_PLUGIN', `no ${kind} available: ${detail}`);
    this.name = 'NoPluginAvailableError';
    this.failures = failures;
  }
}

/**
 * A named, prioritised registry with lazy, once-only initialisation (the onnxruntime backend registry shape):
 * a failed creation is recorded and the next candidate is tried; the final error lists every reason.
 */
export class PluginRegistry<T, O = unknown> {
  readonly kind: PluginKind;
  private readonly entries = new Map<string, PluginRegistration<T, O>>();
  private readonly instances = new Map<string, Promise<T>>();

  constructor(kind: PluginKind) {
    this.kind = kind;
  }

  /**
   * Adds a plugin. Registering a name twice throws unless `replace` is set (then the cached instance is dropped).
   */
  register(registration: PluginRegistration<T, O>, options: { replace?: boolean } = {}): void {
    const { name } = registration;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
      throw new FacekitError('ERR_PLUGIN_NAME', `${this.kind} name ${JSON.stringify(name)} is invalid: use letters, digits, '.', '_' and '-'`);
    }
    if (typeof registration.create !== 'function') {
      throw new FacekitError('ERR_PLUGIN_CREATE', `${this.kind} "${name}" has no create() function`);
    }
    if (this.entries.has(name) && !options.replace) {
      throw new FacekitError('ERR_PLUGIN_DUPLICATE', `a ${this.kind} named "${name}" is already registered; pass { replace: true } to override it`);
    }
    this.entries.set(name, registration);
    this.instances.delete(name);
  }

  /** Removes a plugin; returns whether it was there. */
  unregister(name: string): boolean {
    this.instances.delete(name);
    return this.entries.delete(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Names, highest priority first (ties keep registration order). */
  names(): string[] {
    return [...this.entries.values()]
      .map((r, i) => ({ r, i }))
      .sort((a, b) => (b.r.priority ?? 0) - (a.r.priority ?? 0) || a.i - b.i)
      .map(({ r }) => r.name);
  }

  /** The registration of a name, if any. */
  registration(name: string): PluginRegistration<T, O> | undefined {
    return this.entries.get(name);
  }

  /**
   * Creates (or returns the cached) plugin by name. Calls with `options` always create a fresh instance.
   * Unknown names throw with the list of registered ones.
   */
  async get(name: string, options?: O): Promise<T> {
    const registration = this.entries.get(name);
    if (!registration) {
      const known = this.names();
      throw new FacekitError(
        'ERR_PLUGIN_UNKNOWN',
        `unknown ${this.kind} "${name}"; registered: ${known.length ? known.join(', ') : 'none'}`,
      );
    }
    if (options !== undefined) return registration.create(options);
    let instance = this.instances.get(name);
    if (!instance) {
      instance = Promise.resolve().then(() => registration.create());
      this.instances.set(name, instance);
      // A failed creation is not cached, so a later call (after the user fixes the cause) retries.
      instance.catch(() => {
        if (this.instances.get(name) === instance) this.instances.delete(name);
      });
    }
    return instance;
  }

  /**
   * The first plugin, in priority order (or in the order of `candidates`), that is available and creates
   * without error. Throws {@link NoPluginAvailableError} with every candidate's reason otherwise.
   */
  async resolve(candidates?: readonly string[]): Promise<{ name: string; plugin: T }> {
    const failures: Array<{ name: string; reason: string }> = [];
    for (const name of candidates ?? this.names()) {
      const registration = this.entries.get(name);
      if (!registration) {
        failures.push({ name, reason: 'not registered' });
        continue;
      }
      try {
        const availability = registration.check ? await registration.check() : { available: true, reasons: [] };
        if (!availability.available) {
          failures.push({ name, reason: availability.reasons.join('; ') || 'not available' });
          continue;
        }
        return { name, plugin: await this.get(name) };
      } catch (error) {
        failures.push({ name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new NoPluginAvailableError(this.kind, failures);
  }

  /** Availability of every plugin, for `facekit methods`. Never throws: a failing check becomes a reason. */
  async describe(): Promise<PluginInfo[]> {
    const out: PluginInfo[] = [];
    for (const name of this.names()) {
      const r = this.entries.get(name)!;
      let availability: Availability;
      try {
        availability = r.check ? await r.check() : { available: true, reasons: [] };
      } catch (error) {
        availability = { available: false, reasons: [error instanceof Error ? error.message : String(error)] };
      }
      out.push({
        kind: this.kind,
        name,
        priority: r.priority ?? 0,
        description: r.description,
        requires: r.requires ?? [],
        ...availability,
      });
    }
    return out;
  }
}

/** One registry per plugin kind. Create your own to isolate plugins (tests, apps hosting several setups). */
export interface Registries {
  predictors: PluginRegistry<Predictor>;
  models: PluginRegistry<FaceModel>;
  detectors: PluginRegistry<Detector>;
  losses: PluginRegistry<Loss>;
}

/** Creates an empty set of registries. */
export function createRegistries(): Registries {
  return {
    predictors: new PluginRegistry<Predictor>('predictor'),
    models: new PluginRegistry<FaceModel>('model'),
    detectors: new PluginRegistry<Detector>('detector'),
    losses: new PluginRegistry<Loss>('loss'),
  };
}

/**
 * The registries packages register into when imported (`@facekit/flame` registers the `flame` model, and so
 * on). Kept on `globalThis` under a symbol so two copies of core in one bundle still share one set.
 */
export const registries: Registries = (() => {
  const key = Symbol.for('facekit.registries');
  const g = globalThis as unknown as Record<symbol, Registries | undefined>;
  return (g[key] ??= createRegistries());
})();

/** Registers a predictor in the default registries. */
export function registerPredictor(registration: PluginRegistration<Predictor>, options?: { replace?: boolean }): void {
  registries.predictors.register(registration, options);
}

/** Registers a face model in the default registries. */
export function registerFaceModel(registration: PluginRegistration<FaceModel>, options?: { replace?: boolean }): void {
  registries.models.register(registration, options);
}

/** Registers a detector in the default registries. */
export function registerDetector(registration: PluginRegistration<Detector>, options?: { replace?: boolean }): void {
  registries.detectors.register(registration, options);
}

/** Registers a loss in the default registries. */
export function registerLoss(registration: PluginRegistration<Loss>, options?: { replace?: boolean }): void {
  registries.losses.register(registration, options);
}
