/**
 * The only file that loads the native addon. It types the raw addon and turns native errors
 * (plain Errors carrying a `code`) into TokClassError.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TokClassError, type TokClassErrorCode } from "./errors.js";
import type { EncodeOptions } from "./types.js";

/** What ClassifierHandle.load() takes (see native/binding/convert.cc). */
export interface NativeClassifierConfig {
  runtimeLibrary: string;
  modelPath: string;
  tokenizerPath: string;
  labels: string[];
  maxLength: number;
  /** Where maxLength came from when the caller did not set it (a model file), for the error when it is too small. */
  maxLengthOrigin?: string;
  unkToken: string;
  padToken: string;
  tokenBudget: number;
  maxBatchSize: number;
  requireBatchInvariance: boolean;
  /** 0: measured at load (CPU) or the CUDA default. */
  runCostTokens: number;
  batchWaitUs: number;
  maxWindowTokens: number;
  device: "cpu" | "cuda";
  deviceId: number;
  intraOpThreads: number;
  interOpThreads: number;
  parallelRuns: number;
  hostThreads: number;
  soloIntraOpThreads: number;
  spinning: boolean;
  graphOptimizationLevel: number;
  memoryArena: boolean;
  cudaTf32: boolean;
  cudaMemLimit: number;
}

export interface NativeClassifyParams {
  readonly aggregationStrategy: string;
  readonly ignoreLabels: readonly string[];
  readonly stride?: number;
  readonly labelScheme: string;
  readonly fullText: boolean;
  readonly isSplitIntoWords: boolean;
  readonly delimiter: string;
}

export interface NativeEntity {
  entity?: string;
  entity_group?: string;
  score: number;
  index?: number;
  word: string;
  start: number;
  end: number;
}

export interface NativeClassifier {
  /**
   * texts: string[], or word lists (string[][]) when params.isSplitIntoWords. `params` must
   * not change once passed (pass a frozen object): the handle keeps the conversions of the last
   * few params objects it was given and reuses one when given the same object again.
   */
  /** `cancelId` (a whole number from 1, unique among calls in flight) makes the call cancellable. */
  classify(texts: string[] | string[][], params: NativeClassifyParams, utf16: boolean, cancelId?: number): Promise<NativeEntity[][]>;
  /** The call given `cancelId` drops its texts not yet run and rejects with ERR_ABORTED; a settled call: nothing. */
  cancel(cancelId: number): void;
  info(): { tokenizer: string; executionProvider: string; onnxRuntimeVersion: string; numLabels: number; batchInvariant: boolean; batched: boolean; runCostTokens: number };
  stats(): ClassifierStats;
  dispose(): Promise<void>;
}

/**
 * Scheduler counters since load: how calls were grouped, what ran, time per stage. With
 * parallel runs (streaming) a "round" is one intake of queued calls and the times are thread
 * time summed over the runners; with one run at a time they are wall time of the rounds.
 */
export interface ClassifierStats {
  rounds: number;
  /** Native calls: one per classify()/query() call, one per chunk of a call sent in chunks (call-chunks.ts). */
  requests: number;
  texts: number;
  windows: number;
  /** Model runs (batches). */
  runs: number;
  /** Tokens of the windows run, and rows × padded length over all runs (the rest is padding). */
  tokens: number;
  paddedTokens: number;
  /** Tokenizing (taking calls in). */
  tokenizeMs: number;
  /** Model runs, which include post-processing and delivery. */
  inferMs: number;
  /** Thread time post-processing texts (within inferMs). */
  postprocessMs: number;
  /** Thread time handing results to the JS thread (within inferMs). */
  deliverMs: number;
}

export interface NativeEncoding {
  ids: Uint32Array;
  typeIds: Uint32Array;
  tokens: string[];
  /** Flat [start0, end0, start1, end1, ...] in code points. */
  offsets: Uint32Array;
  specialTokensMask: Uint8Array;
  wordIds: Int32Array;
  overflowing: NativeEncoding[];
}

export interface NativeTokenizer {
  /** Word lists (string[][]) when options.isSplitIntoWords. */
  encode(
    texts: string[] | string[][],
    options?: EncodeOptions,
  ): Promise<NativeEncoding[]>;
  decode(tokens: string[]): Promise<string>;
  decodeIds(ids: Uint32Array, skipSpecialTokens: boolean): Promise<string>;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

interface Addon {
  ClassifierHandle: { load(config: NativeClassifierConfig): Promise<NativeClassifier> };
  TokenizerHandle: { load(path: string): Promise<NativeTokenizer> };
}

const here = dirname(fileURLToPath(import.meta.url));
/** Repository / package root: dist/ and src/ both sit one level below it. */
export const packageRoot = join(here, "..");

function loadAddon(): Addon {
  const require = createRequire(import.meta.url);
  // $TOKCLASS_ADDON names the one to load (a sanitized or cmake-js build): never another in its
  // place when it is missing. Otherwise node-gyp's build (npm install), then cmake-js's.
  const explicit = process.env.TOKCLASS_ADDON;
  const candidates = explicit
    ? [explicit]
    : [
        join(packageRoot, "build", "Release", "tokclass.node"),
        join(packageRoot, "build", "Debug", "tokclass.node"),
        join(packageRoot, "build-cmake", "Release", "tokclass.node"),
      ];
  for (const path of candidates) {
    if (existsSync(path)) return require(path) as Addon;
  }
  throw new TokClassError(
    "ERR_RUNTIME_LOAD",
    explicit
      ? `TOKCLASS_ADDON names ${explicit}, which does not exist`
      : `The tokclass native addon is not built (looked in ${candidates.join(", ")}). Run \`npm install\` or \`npm run build\`.`,
  );
}

let addon: Addon | undefined;
export function native(): Addon {
  addon ??= loadAddon();
  return addon;
}

/** Re-throws a native error as TokClassError, keeping its code. */
export function toTokClassError(error: unknown): unknown {
  if (error instanceof TokClassError) return error;
  if (error instanceof Error && typeof (error as { code?: unknown }).code === "string") {
    const code = (error as unknown as { code: string }).code as TokClassErrorCode;
    // Set natively on an error about one text (js_error.cc).
    const textIndex = (error as { textIndex?: unknown }).textIndex;
    return new TokClassError(code, error.message, typeof textIndex === "number" ? { cause: error, textIndex } : { cause: error });
  }
  return error;
}

/** Path of onnxruntime-node's core library, unless overridden. */
export function defaultRuntimeLibrary(): string {
  if (process.env.TOKCLASS_ORT_LIBRARY) return process.env.TOKCLASS_ORT_LIBRARY;
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve("onnxruntime-node/package.json"));
  const file = process.platform === "darwin" ? "libonnxruntime.1.dylib" : "libonnxruntime.so.1";
  return join(pkg, "bin", "napi-v6", process.platform, process.arch, file);
}
