/**
 * Model registry: ids -> folders, each loaded asynchronously once (at start-up, or on first use
 * with `lazy`). While a model loads, requests either get 503 with an estimated time or wait.
 */
import type { ClassifierInfo, LoadOptions } from "../types.js";
import type { ClassifierLoader, ServedClassifier } from "./contract.js";
import { HttpError, tokClassCode } from "./http-errors.js";
import { describeLoadFailure } from "./load-failure.js";

export interface ModelSpec {
  /** Id used in `POST /models/<id>`; may contain "/". */
  id: string;
  /** Model folder; undefined for the embedded default model. */
  dir?: string;
  load: LoadOptions;
}

export type ModelState = "idle" | "loading" | "ready" | "error";

/**
 * A model's entry in GET /health. It names no server path (no model folder, no info().modelDir):
 * clients learn the model id, its state and, on failure, the error code and a short reason;
 * the paths are in the server log.
 */
export interface ModelHealth {
  id: string;
  state: ModelState;
  loadSeconds?: number;
  /** With state "error": the TokClassError code and a short reason (load-failure.ts). */
  code?: string;
  error?: string;
  info?: Omit<ClassifierInfo, "modelDir">;
}

interface Entry {
  spec: ModelSpec;
  state: ModelState;
  promise?: Promise<ServedClassifier>;
  classifier?: ServedClassifier;
  error?: unknown;
  startedAt: number;
  loadMs?: number;
}

export interface RegistryOptions {
  /** Seconds announced in `estimated_time` before any model has finished loading. */
  defaultLoadEstimateS?: number;
  now?: () => number;
  /** Called once per model when its load settles (for logging). */
  onLoad?: (id: string, seconds: number, error?: unknown) => void;
}

export class ModelRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #loader: ClassifierLoader;
  readonly #defaultEstimateS: number;
  readonly #now: () => number;
  readonly #onLoad: RegistryOptions["onLoad"];
  #disposed = false;

  constructor(specs: readonly ModelSpec[], loader: ClassifierLoader, options: RegistryOptions = {}) {
    for (const spec of specs) this.#entries.set(spec.id, { spec, state: "idle", startedAt: 0 });
    this.#loader = loader;
    this.#defaultEstimateS = options.defaultLoadEstimateS ?? 10;
    this.#now = options.now ?? Date.now;
    this.#onLoad = options.onLoad;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  /** Starts loading every model in the background. */
  loadAll(): void {
    for (const entry of this.#entries.values()) this.#start(entry);
  }

  /** Resolves once every model has loaded or failed. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#entries.values()].map((e) => e.promise));
  }

  /**
   * The classifier for `id`. Unknown id: 404. Still loading: 503 with `estimated_time`
   * unless `wait` is true, in which case it resolves once loaded. Failed to load: 404 when the
   * folder or a file is missing, else 500. Not loaded yet (lazy) and `load` false: 503, and no
   * load is started.
   */
  async acquire(id: string, wait: boolean, load = true): Promise<ServedClassifier> {
    const entry = this.#entries.get(id);
    if (!entry) throw new HttpError(404, `Model ${id} does not exist`);
    if (this.#disposed) throw new HttpError(503, "Server is shutting down");
    if (entry.state === "ready" && entry.classifier) return entry.classifier;
    // The hosted API's dont_load_model: a model not yet loaded (a lazy one) is left so. One
    // already loading is waited for, or reported as loading, as without it.
    if (!load && entry.state === "idle") {
      throw new HttpError(503, `Model ${id} is not loaded, and the request asked not to load it (x-load-model: 0 or options.dont_load_model)`);
    }
    const promise = this.#start(entry);
    if (entry.state === "loading" && !wait) {
      throw new HttpError(503, `Model ${id} is currently loading`, { estimated_time: this.#estimate(entry) }, { "retry-after": String(Math.ceil(this.#estimate(entry))) });
    }
    try {
      return await promise;
    } catch (err) {
      throw this.#loadFailure(entry, err);
    }
  }

  health(): ModelHealth[] {
    return [...this.#entries.values()].map((e) => {
      const h: ModelHealth = { id: e.spec.id, state: e.state };
      if (e.loadMs !== undefined) h.loadSeconds = e.loadMs / 1000;
      if (e.state === "error") Object.assign(h, publicFailure(e.error));
      if (e.classifier) {
        try {
          const { modelDir: _path, ...info } = e.classifier.info();
          h.info = info;
        } catch (err) {
          Object.assign(h, publicFailure(err));
        }
      }
      return h;
    });
  }

  /** Waits for loads in progress, then disposes every loaded classifier. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.settled();
    await Promise.allSettled([...this.#entries.values()].map((e) => e.classifier?.dispose()));
  }

  #start(entry: Entry): Promise<ServedClassifier> {
    if (entry.promise) return entry.promise;
    entry.state = "loading";
    entry.startedAt = this.#now();
    entry.promise = Promise.resolve()
      .then(() => this.#loader(entry.spec.dir, entry.spec.load))
      .then(
      (clf) => {
        entry.loadMs = this.#now() - entry.startedAt;
        entry.classifier = clf;
        entry.state = "ready";
        this.#onLoad?.(entry.spec.id, entry.loadMs / 1000);
        return clf;
      },
      (err: unknown) => {
        entry.loadMs = this.#now() - entry.startedAt;
        entry.error = err;
        entry.state = "error";
        this.#onLoad?.(entry.spec.id, entry.loadMs / 1000, err);
        throw err;
      },
    );
    entry.promise.catch(() => {}); // failures are reported per request and in /health
    return entry.promise;
  }

  /** The reply to a request for a model that failed to load: no server path in it. */
  #loadFailure(entry: Entry, err: unknown): HttpError {
    const status = tokClassCode(err) === "ERR_MODEL_NOT_FOUND" ? 404 : 500;
    const { code, reason } = describeLoadFailure(err);
    return new HttpError(status, `Model ${entry.spec.id} failed to load (${code}): ${reason}; the server log has the details`);
  }

  /** Seconds left: the mean load time of models loaded so far (or the default), less time spent. */
  #estimate(entry: Entry): number {
    const done = [...this.#entries.values()].filter((e) => e.state === "ready" && e.loadMs !== undefined);
    const mean = done.length > 0 ? done.reduce((s, e) => s + (e.loadMs ?? 0), 0) / done.length / 1000 : this.#defaultEstimateS;
    const left = mean - (this.#now() - entry.startedAt) / 1000;
    return Math.max(1, Math.round(left * 10) / 10);
  }
}

function publicFailure(err: unknown): { code: string; error: string } {
  const { code, reason } = describeLoadFailure(err);
  return { code, error: reason };
}
