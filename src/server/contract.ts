/**
 * What the server and the CLI need from a loaded model. `TokenClassifier` satisfies it; tests
 * pass fakes so routing can be checked without the native addon.
 */
import type { ResolvedClassifyOptions } from "../options.js";
import type { ClassifierInfo, ClassifyOptions, Entity, InferencePayload, LoadOptions } from "../types.js";

export interface ServedClassifier {
  /**
   * The Inference API's payload in, its exact JSON out; rejects with TokClassError for bad input,
   * and with `signal.reason` once the signal aborts (the server's, when the client goes away).
   */
  query(payload: InferencePayload, options?: { signal?: AbortSignal }): Promise<Entity[] | Entity[][]>;
  info(): ClassifierInfo;
  dispose(): Promise<void>;
  /**
   * The defaults query() resolves a payload with (the model card's parameters), so that the
   * server can validate a payload by the same rules before it keys the cache or starts a stream.
   */
  readonly defaults?: Readonly<Partial<ResolvedClassifyOptions>>;
}

export interface CliClassifier extends ServedClassifier {
  classify(text: string, options?: ClassifyOptions): Promise<Entity[]>;
  classify(texts: string[], options?: ClassifyOptions): Promise<Entity[][]>;
}

/** Loads a model folder (undefined: the embedded default model). */
export type ClassifierLoader = (modelDir: string | undefined, options: LoadOptions) => Promise<ServedClassifier>;
