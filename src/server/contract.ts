/**
 * What the server and the CLI need from a loaded model. `TokenClassifier` satisfies it; tests
 * pass fakes so routing can be checked without the native addon.
 */
import type { ResolvedClassifyOptions, ResolvedQuery } from "../options.js";
import type { queryResolved } from "../query-resolved.js";
import type { ClassifierInfo, ClassifyOptions, Entity, LoadOptions } from "../types.js";

export interface ServedClassifier {
  /**
   * query() for an Inference API payload the server has resolved (resolvePayload with
   * `defaults`), so that a request is validated once: its exact JSON out; rejects with
   * TokClassError for bad input, and with `signal.reason` once the signal aborts (the server's,
   * when the client goes away).
   */
  [queryResolved](query: ResolvedQuery, signal?: AbortSignal): Promise<Entity[] | Entity[][]>;
  info(): ClassifierInfo;
  dispose(): Promise<void>;
  /**
   * The defaults query() resolves a payload with (the model card's parameters), which the
   * server resolves its payloads with.
   */
  readonly defaults?: Readonly<Partial<ResolvedClassifyOptions>>;
}

export interface CliClassifier extends ServedClassifier {
  classify(text: string, options?: ClassifyOptions): Promise<Entity[]>;
  classify(texts: string[], options?: ClassifyOptions): Promise<Entity[][]>;
}

/** Loads a model folder (undefined: the embedded default model). */
export type ClassifierLoader = (modelDir: string | undefined, options: LoadOptions) => Promise<ServedClassifier>;
