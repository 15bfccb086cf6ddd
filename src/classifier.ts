/**
 * TokenClassifier: load a model folder once, then classify texts. All heavy work happens in
 * the native addon off the event loop; this class validates, converts and keeps the lifecycle.
 */
import { watchAbort } from "./abort-watch.js";
import {
  defaultRuntimeLibrary,
  native,
  toTokClassError,
  type ClassifierStats,
  type NativeClassifier,
  type NativeClassifyParams,
  type NativeEntity,
} from "./binding.js";
import { planChunks, type Chunk } from "./call-chunks.js";
import { runInChunks, streamInChunks, type StreamItems } from "./chunked-calls.js";
import { invalidArgument, TokClassError } from "./errors.js";
import { statSync } from "node:fs";
import { readModelFolder, type ModelFolder } from "./model.js";
import { readCardParameters } from "./model-card.js";
import {
  checkTextLengths,
  notAText,
  resolveClassifyOptions,
  resolveLoadOptions,
  resolvePayload,
  resolveQueryOptions,
  textsOf,
  textUnits,
  threadingFor,
  wordListOf,
  wordListsOf,
  type ResolvedClassifyOptions,
  type ResolvedLoadOptions,
  type ResolvedQuery,
} from "./options.js";
import { queryResolved } from "./query-resolved.js";
import type { ClassifierInfo, ClassifyOptions, Entity, InferencePayload, LoadOptions } from "./types.js";

/** The handle keeps the conversions of its last 8 params objects (kConvertedParamsKept). */
const RECENT_PARAMS = 8;

function sameParams(p: NativeClassifyParams, o: ResolvedClassifyOptions): boolean {
  if (
    p.aggregationStrategy !== o.aggregationStrategy ||
    p.stride !== o.stride ||
    p.labelScheme !== o.labelScheme ||
    p.fullText !== o.fullText ||
    p.isSplitIntoWords !== o.isSplitIntoWords ||
    p.delimiter !== o.delimiter ||
    p.ignoreLabels.length !== o.ignoreLabels.length
  ) {
    return false;
  }
  for (let i = 0; i < p.ignoreLabels.length; i++) if (p.ignoreLabels[i] !== o.ignoreLabels[i]) return false;
  return true;
}

function firstResult(results: NativeEntity[][]): Entity[] {
  return results[0] as Entity[];
}

function allResults(results: NativeEntity[][]): Entity[][] {
  return results as Entity[][];
}

/**
 * A position in a text counted both in code points and in UTF-16 units, moved by walking the
 * code points between where it is and where it must go. A text's entities come in text order,
 * so finding all their UTF-16 offsets walks the text once up to the last entity's end (any order
 * still gives the right answer). It replaced Array.from(text), which for a 15M-unit text held
 * the event loop for half a second, however few its entities.
 */
class CodePointCursor {
  readonly #text: string;
  #codePoints = 0;
  #units = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** The UTF-16 index of code point `target` (the text's length past its end, as slice clamps). */
  unitIndexOf(target: number): number {
    const text = this.#text;
    let codePoints = this.#codePoints;
    let units = this.#units;
    // A surrogate pair is one code point; a lone surrogate counts as one, as in Array.from.
    while (codePoints < target && units < text.length) {
      const pair = isHighSurrogate(text.charCodeAt(units)) && isLowSurrogate(text.charCodeAt(units + 1));
      units += pair ? 2 : 1;
      codePoints++;
    }
    while (codePoints > target) {
      const pair = isLowSurrogate(text.charCodeAt(units - 1)) && isHighSurrogate(text.charCodeAt(units - 2));
      units -= pair ? 2 : 1;
      codePoints--;
    }
    this.#codePoints = codePoints;
    this.#units = units;
    return units;
  }
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * options.includeText: each entity's exact slice of its source text, its offsets read in the
 * options' units. Exported for tests.
 */
export function addSourceText(results: Entity[][], texts: string[] | string[][], options: ResolvedClassifyOptions): void {
  const source = (i: number): string =>
    options.isSplitIntoWords ? (texts[i] as string[]).join(options.delimiter) : (texts[i] as string);
  if (options.offsets === "utf16") {
    results.forEach((entities, i) => {
      const text = source(i);
      entities.forEach((e) => (e.text = text.slice(e.start, e.end)));
    });
  } else {
    results.forEach((entities, i) => {
      if (entities.length === 0) return;
      const text = source(i);
      const cursor = new CodePointCursor(text);
      entities.forEach((e) => {
        const start = cursor.unitIndexOf(e.start);
        e.text = text.slice(start, cursor.unitIndexOf(e.end));
      });
    });
  }
}

function throwNotAText(index: number, received: unknown, wordList: boolean): never {
  throw notAText(index, received, wordList);
}

function rethrowAsTokClassError(error: unknown): never {
  throw toTokClassError(error);
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message, { type: "DeprecationWarning", code: "TOKCLASS_LEGACY_PARAMETERS" });
}

export class TokenClassifier {
  readonly #handle: NativeClassifier;
  readonly #folder: ModelFolder;
  readonly #options: ResolvedLoadOptions;
  readonly #maxLength: number;
  /** Defaults from the model card (README.md inference.parameters); request values win. */
  readonly #defaults: Partial<ResolvedClassifyOptions>;
  #disposed: Promise<void> | undefined;
  /** Frozen native parameter objects of the last few option sets (#nativeParams). */
  readonly #recentParams: NativeClassifyParams[] = [];
  #nextReplaced = 0;
  /** The last cancel id handed to the addon (ids of calls in flight must differ). */
  #lastCancelId = 0;
  /** The options of a call without any, resolved on first use (#run never changes them). */
  #defaultOptions: ResolvedClassifyOptions | undefined;
  /** Calls sent in chunks and not yet settled: dispose() lets them finish before freeing. */
  readonly #chunkedCalls = new Set<Promise<unknown>>();

  private constructor(
    handle: NativeClassifier,
    folder: ModelFolder,
    options: ResolvedLoadOptions,
    maxLength: number,
    defaults: Partial<ResolvedClassifyOptions>,
  ) {
    this.#handle = handle;
    this.#folder = folder;
    this.#options = options;
    this.#maxLength = maxLength;
    this.#defaults = defaults;
  }

  /**
   * Loads a Hugging Face model folder (config.json, tokenizer.json, model.onnx or
   * onnx/model.onnx), or a model id ("dslim/bert-base-NER") already downloaded into
   * huggingface_hub's or transformers.js's cache (never downloads; `options.revision` picks a
   * cached revision). Without either, the embedded default model (CoNLL-2003 NER).
   */
  static async load(modelDir?: string, options?: LoadOptions): Promise<TokenClassifier> {
    if (modelDir !== undefined && (typeof modelDir !== "string" || modelDir.length === 0)) {
      throw new TokClassError("ERR_INVALID_ARGUMENT", `Expected a model folder path or model id for modelDir, received ${typeof modelDir}`);
    }
    const resolved = resolveLoadOptions(options);
    const folder = readModelFolder(modelDir, resolved.modelFile, resolved.revision);
    const maxLength = resolved.maxLength ?? folder.maxLength;
    // A longer window would load and then fail in the model on the first long text (a position
    // embedding lookup past the table), far from the option that caused it.
    if (folder.maxPositions !== undefined && maxLength > folder.maxPositions) {
      throw new TokClassError(
        "ERR_INVALID_ARGUMENT",
        `options.maxLength ${maxLength} exceeds the ${folder.maxPositions} positions of the model in ${folder.dir} (config.json max_position_embeddings)`,
      );
    }
    const card = readCardParameters(folder.dir);
    const threading = threadingFor(resolved, statSync(folder.modelPath).size);
    const defaults: Partial<ResolvedClassifyOptions> = {
      aggregationStrategy: card.aggregation_strategy,
      ignoreLabels: card.ignore_labels,
      stride: card.stride,
    };
    try {
      const handle = await native().ClassifierHandle.load({
        runtimeLibrary: resolved.runtimeLibrary ?? defaultRuntimeLibrary(),
        modelPath: folder.modelPath,
        tokenizerPath: folder.tokenizerPath,
        labels: folder.labels,
        maxLength,
        // The model's own length, when it is the one used: too small, it is the model's error.
        ...(resolved.maxLength === undefined ? { maxLengthOrigin: folder.maxLengthOrigin } : {}),
        unkToken: folder.unkToken,
        padToken: folder.padToken,
        tokenBudget: resolved.tokenBudget,
        maxBatchSize: resolved.maxBatchSize,
        requireBatchInvariance: resolved.requireBatchInvariance,
        runCostTokens: resolved.runCostTokens ?? 0,
        batchWaitUs: resolved.batchWaitUs,
        maxWindowTokens: resolved.maxWindowTokens,
        device: resolved.device,
        deviceId: resolved.deviceId,
        intraOpThreads: threading.intraOpThreads,
        interOpThreads: resolved.interOpThreads,
        parallelRuns: threading.parallelRuns,
        hostThreads: threading.hostThreads,
        soloIntraOpThreads: threading.soloIntraOpThreads,
        spinning: resolved.spinning,
        graphOptimizationLevel: resolved.graphOptimizationLevel,
        memoryArena: resolved.memoryArena,
        cudaTf32: resolved.cudaTf32,
        cudaMemLimit: resolved.cudaMemLimit,
      });
      return new TokenClassifier(handle, folder, resolved, maxLength, defaults);
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  /**
   * Entities of one text, or one array per text for an array input. Offsets are UTF-16
   * indices by default (`text.slice(start, end)` works); `offsets: "codepoint"` gives Python's.
   */
  classify(text: string, options?: ClassifyOptions): Promise<Entity[]>;
  classify(texts: string[], options?: ClassifyOptions): Promise<Entity[][]>;
  classify(words: string[][], options: ClassifyOptions & { isSplitIntoWords: true }): Promise<Entity[][]>;
  classify(input: string | string[] | string[][], options?: ClassifyOptions): Promise<Entity[] | Entity[][]> {
    // Not an async function: the promise #run returns is the call's, one promise and one
    // microtask fewer per call than awaiting it here (this is the path of every server request).
    try {
      const resolved = options === undefined
        ? (this.#defaultOptions ??= resolveClassifyOptions(undefined, this.#defaults))
        : resolveClassifyOptions(options, this.#defaults);
      if (resolved.isSplitIntoWords) return this.#run(wordListsOf(input, "words"), resolved, false, resolved.signal);
      const { texts, single } = textsOf(input, "text");
      return this.#run(texts, resolved, single, resolved.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The entities of each text `texts` gives (an array, any iterable, or an async iterable such as
   * a file's lines), yielded in input order, with memory bounded however many texts there are:
   * texts are read and classified in chunks (call-chunks.ts, chunked-calls.ts), CHUNKS_IN_FLIGHT
   * at a time, and only those chunks' texts and entities are held. An error about a text names
   * its index in the whole stream; leaving the loop early (break, or an error thrown by the
   * consumer) cancels the chunks in flight; `options.signal` aborts the stream (its next step
   * rejects, even while the source has nothing to give). A dispose() while it runs fails the
   * next chunk with ERR_DISPOSED. With `isSplitIntoWords`, each item is a word list.
   */
  classifyStream(texts: Iterable<string> | AsyncIterable<string>, options?: ClassifyOptions): AsyncGenerator<Entity[], void, undefined>;
  classifyStream(
    words: Iterable<string[]> | AsyncIterable<string[]>,
    options: ClassifyOptions & { isSplitIntoWords: true },
  ): AsyncGenerator<Entity[], void, undefined>;
  async *classifyStream(
    texts: Iterable<string | string[]> | AsyncIterable<string | string[]>,
    options?: ClassifyOptions,
  ): AsyncGenerator<Entity[], void, undefined> {
    const iterable =
      texts !== null &&
      typeof texts === "object" &&
      (typeof (texts as Iterable<unknown>)[Symbol.iterator] === "function" ||
        typeof (texts as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function");
    if (!iterable) throw invalidArgument("texts", "an iterable or async iterable of strings (or of word lists)", texts);
    const resolved = resolveClassifyOptions(options, this.#defaults);
    const { delimiter } = resolved;
    const split = resolved.isSplitIntoWords;
    const items: StreamItems<string | string[]> = {
      check: split
        ? (item, index) => wordListOf(item) ?? throwNotAText(index, item, true)
        : (item, index) => (typeof item === "string" ? item : throwNotAText(index, item, false)),
      units: (text) => textUnits(text, delimiter),
    };
    // Each chunk is a call of its own (#run checks the texts' lengths and that the classifier is
    // open), within the chunk limits, so never cut again.
    const send = (part: (string | string[])[], signal: AbortSignal): Promise<Entity[][]> =>
      this.#run(part as string[] | string[][], resolved, false, signal) as Promise<Entity[][]>;
    yield* streamInChunks(texts, items, send, resolved.signal);
  }

  /**
   * The hosted Inference API's payload in, its exact JSON out: snake_case parameters,
   * code-point offsets, a list for a string input and a list of lists for a list input.
   */
  query(payload: InferencePayload, options?: { signal?: AbortSignal }): Promise<Entity[] | Entity[][]> {
    try {
      const resolved = resolvePayload(payload, this.#defaults);
      const { signal } = resolveQueryOptions(options);
      return this[queryResolved](resolved, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * query() for a payload already resolved by resolvePayload with this classifier's `defaults`:
   * the server resolves each request once (it needs the texts before the cache and the stream)
   * and calls this rather than query(). Internal: its symbol is not exported from index.ts.
   */
  [queryResolved](query: ResolvedQuery, signal?: AbortSignal): Promise<Entity[] | Entity[][]> {
    try {
      if (query.deprecation) warnOnce(query.deprecation);
      return this.#run(query.texts, query.options, query.single, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Parameters the model card sets as this model's defaults (empty when it sets none). */
  get defaults(): Readonly<Partial<ResolvedClassifyOptions>> {
    return this.#defaults;
  }

  info(): ClassifierInfo {
    this.#checkOpen();
    const n = this.#handle.info();
    return {
      modelDir: this.#folder.dir,
      ...(this.#folder.hubId === undefined ? {} : { modelId: this.#folder.hubId }),
      modelFile: this.#folder.modelFile,
      labels: [...this.#folder.labels],
      maxLength: this.#maxLength,
      tokenizer: n.tokenizer,
      device: this.#options.device,
      executionProvider: n.executionProvider,
      onnxRuntimeVersion: n.onnxRuntimeVersion,
      batchInvariant: n.batchInvariant,
      batched: n.batched,
      runCostTokens: n.runCostTokens,
    };
  }

  /**
   * Counters since load: rounds (intakes of concurrent calls), requests (native calls: a call
   * sent in chunks counts each chunk), texts, windows, model
   * runs, tokens run and padded tokens, and milliseconds spent tokenizing, in the model,
   * post-processing and handing results back (the last two inside the model time: each text is
   * finished as soon as its windows are). For tuning batch options and for benchmarks.
   */
  stats(): ClassifierStats {
    this.#checkOpen();
    return this.#handle.stats();
  }

  /** Waits for calls in flight, then frees the model. Later calls reject with ERR_DISPOSED. */
  dispose(): Promise<void> {
    // A call sent in chunks still has chunks to send: the handle stays open until it settles.
    const chunked = this.#chunkedCalls.size === 0 ? undefined : Promise.allSettled([...this.#chunkedCalls]);
    const disposeHandle = (): Promise<void> =>
      this.#handle.dispose().catch((error: unknown) => {
        throw toTokClassError(error);
      });
    this.#disposed ??= chunked === undefined ? disposeHandle() : chunked.then(disposeHandle);
    return this.#disposed;
  }

  /**
   * The native parameters for these options: one frozen object per distinct set, so that the
   * handle, which keeps the conversions of the last few objects it was given, converts and
   * validates them once rather than on every call (with 64 single-text callers, reading the same
   * parameters again was three quarters of the native classify() call's instructions).
   */
  #nativeParams(options: ResolvedClassifyOptions): NativeClassifyParams {
    // Compared field by field: a string key built and hashed on every call was ~3% of the JS
    // thread's time with 64 single-text callers.
    for (const kept of this.#recentParams) if (sameParams(kept, options)) return kept;
    const params = Object.freeze({
      aggregationStrategy: options.aggregationStrategy,
      ignoreLabels: Object.freeze([...options.ignoreLabels]),
      stride: options.stride,
      labelScheme: options.labelScheme,
      fullText: options.fullText,
      isSplitIntoWords: options.isSplitIntoWords,
      delimiter: options.delimiter,
    });
    // As many as the handle keeps conversions of: a caller cycling through more option sets
    // gets a new object (converted again natively) for each call, as it would anyway.
    if (this.#recentParams.length < RECENT_PARAMS) {
      this.#recentParams.push(params);
    } else {
      this.#recentParams[this.#nextReplaced] = params;
      this.#nextReplaced = (this.#nextReplaced + 1) % RECENT_PARAMS;
    }
    return params;
  }

  /**
   * Starts a cancellable native call and settles with it, unless `signal` aborts first: then the
   * call is cancelled natively (its texts not yet run are dropped) and the promise rejects with
   * `signal.reason` at once, as fetch() and Node's own APIs do; the native call's late outcome is
   * ignored.
   */
  #abortable<T>(signal: AbortSignal, start: (cancelId: number) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const id = this.#nextCancelId();
    return new Promise<T>((resolve, reject) => {
      const unwatch = watchAbort(signal, () => {
        this.#handle.cancel(id);
        reject(signal.reason);
      });
      start(id).then(
        (value) => {
          unwatch();
          resolve(value);
        },
        (error: unknown) => {
          unwatch();
          reject(error);
        },
      );
    });
  }

  /** A cancel id for a native call (ids of calls in flight must differ). */
  #nextCancelId(): number {
    this.#lastCancelId = this.#lastCancelId >= 0xffff_ffff ? 1 : this.#lastCancelId + 1;
    return this.#lastCancelId;
  }

  #checkOpen(): void {
    if (this.#disposed) throw new TokClassError("ERR_DISPOSED", "the classifier has been disposed");
  }

  /**
   * The entities of each text, or of the one text when `single`. Not an async function: the
   * native call's promise is chained once, one promise and one microtask fewer per call.
   * `signal` comes apart from the options: the server's resolved options are shared by all the
   * inputs of a stream, each with the stream's signal.
   */
  #run(
    texts: string[] | string[][],
    options: ResolvedClassifyOptions,
    single: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Entity[] | Entity[][]> {
    this.#checkOpen();
    checkTextLengths(texts, this.#options.maxTextLength, options.delimiter);
    // Before the shortcut for no texts: a signal already aborted rejects whatever the input.
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (texts.length === 0) return Promise.resolve([]);
    if (texts.length > 1) {
      const chunks = planChunks(texts, options.delimiter);
      if (chunks.length > 1) return this.#runInChunks(texts, chunks, options, signal);
    }
    return this.#runNative(texts, options, single, signal);
  }

  /** One native call of `texts` (already checked), cancelled natively if `signal` aborts. */
  #runNative(
    texts: string[] | string[][],
    options: ResolvedClassifyOptions,
    single: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Entity[] | Entity[][]> {
    let call: Promise<NativeEntity[][]>;
    try {
      const params = this.#nativeParams(options);
      const utf16 = options.offsets === "utf16";
      call = signal === undefined
        ? this.#handle.classify(texts, params, utf16)
        : this.#abortable(signal, (id) => this.#handle.classify(texts, params, utf16, id));
    } catch (error) {
      return Promise.reject(toTokClassError(error));
    }
    const onError = signal === undefined
      ? rethrowAsTokClassError
      : (error: unknown): never => {
          throw signal.aborted && error === signal.reason ? error : toTokClassError(error);
        };
    if (!options.includeText) return single ? call.then(firstResult, onError) : call.then(allResults, onError);
    return call.then((results) => {
      addSourceText(results as Entity[][], texts, options);
      return single ? (results[0] as Entity[]) : (results as Entity[][]);
    }, onError);
  }

  /**
   * A call too large for one native call, sent in chunks (chunked-calls.ts). dispose() waits for
   * it: its chunks not yet sent go to the handle after dispose() was called, so they skip
   * #checkOpen, and the handle is freed only once the call has settled.
   */
  #runInChunks(
    texts: string[] | string[][],
    chunks: Chunk[],
    options: ResolvedClassifyOptions,
    signal: AbortSignal | undefined,
  ): Promise<Entity[][]> {
    const call = runInChunks<string | string[]>(
      texts,
      chunks,
      (part, stop) => this.#runNative(part as string[] | string[][], options, false, stop) as Promise<Entity[][]>,
      signal,
    );
    this.#chunkedCalls.add(call);
    const forget = (): void => {
      this.#chunkedCalls.delete(call);
    };
    call.then(forget, forget);
    return call;
  }
}
