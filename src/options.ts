/**
 * Validation of everything a caller passes in, done once, in TypeScript, into flat objects
 * with defaults. Unknown keys are refused (a misspelt option must not be silently ignored).
 */
import { availableParallelism } from "node:os";
import { describe, invalidArgument, textError, TokClassError } from "./errors.js";
import type { AggregationStrategy, ClassifyOptions, EncodeOptions, InferencePayload, LabelScheme, LoadOptions, OffsetUnit } from "./types.js";

export const STRATEGIES: readonly AggregationStrategy[] = ["none", "simple", "first", "average", "max"];

function rejectUnknownKeys(value: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TokClassError("ERR_INVALID_ARGUMENT", `Unknown option ${what}.${key} (known: ${allowed.join(", ")})`);
    }
  }
}

function optionalObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidArgument(what, "an object", value);
  return value as Record<string, unknown>;
}

function integer(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw invalidArgument(what, range, value);
  }
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw invalidArgument(what, "a boolean", value);
  return value;
}

const isString = (value: unknown): value is string => typeof value === "string";

/** A caller's array copied by readOnce, up to and including its first element `ok` refused. */
interface Copied {
  items: unknown[];
  /** The index of the element refused (the last one copied), or -1 when every one passed. */
  bad: number;
}

/**
 * A caller's array as a plain array of its own, each element (holes included: `some`, `every`
 * and `forEach` skip a sparse array's holes, which then reach the code behind the check as
 * `undefined`) read exactly once and checked as it is read, so that what is checked is what is
 * used: a Proxy passes Array.isArray but not the addon's IsArray, and a getter may return a
 * string on one read and a number on the next. The copy stops at the first element `ok` refuses:
 * `a.length = 2 ** 32 - 1` made a copy of four billion holes before any check ran (the heap ran
 * out and the process aborted).
 */
function readOnce(values: readonly unknown[], ok: (value: unknown, index: number) => boolean): Copied {
  const length = values.length;
  // Sized up front: grown one element at a time, the copy took 25-35 ms of the ~50 ms a
  // million-text classify() held the JS thread before its first chunk went out (7-12 ms sized).
  // A Proxy's length can be anything: only a valid array length sizes it (the typeof first: a
  // BigInt length would make >>> throw, where the loop below reads it as it did).
  const items: unknown[] = typeof length === "number" && length >>> 0 === length ? new Array<unknown>(length) : [];
  // Set by index, not push(): a later patch of Array.prototype.push must not reach here.
  for (let i = 0; i < length; i++) {
    const value = values[i];
    items[i] = value;
    if (!ok(value, i)) return { items, bad: i };
  }
  return { items, bad: -1 };
}

/** An array of strings, copied (see readOnce). */
export function stringArray(value: unknown, what: string): string[] {
  const copy = Array.isArray(value) ? readOnce(value, isString) : undefined;
  if (copy === undefined || copy.bad >= 0) throw invalidArgument(what, "an array of strings", value);
  return copy.items as string[];
}

export function strategy(value: unknown, what: string): AggregationStrategy {
  if (typeof value !== "string" || !(STRATEGIES as readonly string[]).includes(value)) {
    throw new TokClassError(
      "ERR_UNKNOWN_STRATEGY",
      `Expected one of ${STRATEGIES.join(", ")} for ${what}, received ${typeof value === "string" ? JSON.stringify(value) : typeof value}`,
    );
  }
  return value as AggregationStrategy;
}

/**
 * A strategy named as transformers reads one from a payload or a model card,
 * `AggregationStrategy[name.upper()]`: in any case ("SIMPLE", "Simple"); undefined when it
 * names none. classify()'s own option stays exactly lower-case, as its type says.
 */
export function strategyInAnyCase(name: string): AggregationStrategy | undefined {
  const upper = name.toUpperCase();
  return STRATEGIES.find((s) => s.toUpperCase() === upper);
}

/** See LoadOptions.maxTextLength. */
export const DEFAULT_MAX_TEXT_LENGTH = 2 ** 24;
/**
 * See LoadOptions.maxWindowTokens: 2^23. A text of maxTextLength's default holds 3-4M tokens,
 * so it fits at strides up to about half the window (a stride of 128 in 512 makes 1.34 times
 * its tokens); at ~140 bytes per window token, one text's windows then take up to ~1.2 GB.
 */
export const DEFAULT_MAX_WINDOW_TOKENS = 2 ** 23;
/** V8's longest string, in UTF-16 code units: the most maxTextLength can be. */
export const LONGEST_JS_STRING = 2 ** 29 - 24;

export interface ResolvedLoadOptions {
  device: "cpu" | "cuda";
  deviceId: number;
  maxLength?: number;
  maxTextLength: number;
  maxWindowTokens: number;
  modelFile?: string;
  revision?: string;
  intraOpThreads?: number;
  interOpThreads: number;
  parallelRuns?: number;
  hostThreads?: number;
  spinning: boolean;
  graphOptimizationLevel: number;
  memoryArena: boolean;
  tokenBudget: number;
  maxBatchSize: number;
  requireBatchInvariance: boolean;
  runCostTokens?: number;
  batchWaitUs: number;
  runtimeLibrary?: string;
  cudaTf32: boolean;
  cudaMemLimit: number;
}

const LOAD_KEYS = [
  "device", "deviceId", "maxLength", "maxTextLength", "maxWindowTokens", "modelFile", "revision", "intraOpThreads", "interOpThreads", "parallelRuns", "hostThreads", "spinning",
  "graphOptimizationLevel",
  "memoryArena", "tokenBudget", "maxBatchSize", "requireBatchInvariance", "runCostTokens", "batchWaitMs", "runtimeLibrary", "cudaTf32", "cudaMemLimit",
] as const;

const GRAPH_LEVELS = { disable: 0, basic: 1, extended: 2, all: 99 } as const;

export function resolveLoadOptions(input: LoadOptions | undefined): ResolvedLoadOptions {
  const o = optionalObject(input, "options");
  rejectUnknownKeys(o, LOAD_KEYS, "options");
  const device = o.device ?? "cpu";
  if (device !== "cpu" && device !== "cuda") throw invalidArgument("options.device", '"cpu" or "cuda"', device);
  const onGpu = device === "cuda";
  const level = o.graphOptimizationLevel ?? "all";
  // Own keys only: `in` also finds Object.prototype's ("toString", "__proto__"), which then
  // reached the addon as a function or an object instead of a level.
  if (typeof level !== "string" || !Object.hasOwn(GRAPH_LEVELS, level)) {
    throw invalidArgument("options.graphOptimizationLevel", '"disable", "basic", "extended" or "all"', level);
  }
  if (o.modelFile !== undefined && (typeof o.modelFile !== "string" || o.modelFile.length === 0)) {
    throw invalidArgument("options.modelFile", "a file name", o.modelFile);
  }
  if (o.revision !== undefined && (typeof o.revision !== "string" || o.revision.length === 0)) {
    throw invalidArgument("options.revision", "a branch, tag or commit hash", o.revision);
  }
  if (o.runtimeLibrary !== undefined && (typeof o.runtimeLibrary !== "string" || o.runtimeLibrary.length === 0)) {
    throw invalidArgument("options.runtimeLibrary", "a path", o.runtimeLibrary);
  }
  const waitMs = o.batchWaitMs === undefined ? 0 : Number(o.batchWaitMs);
  if (typeof o.batchWaitMs !== "undefined" && (typeof o.batchWaitMs !== "number" || !(waitMs >= 0) || waitMs > 1000)) {
    throw invalidArgument("options.batchWaitMs", "a number of milliseconds from 0 to 1000", o.batchWaitMs);
  }
  return {
    device,
    deviceId: o.deviceId === undefined ? 0 : integer(o.deviceId, "options.deviceId", 0, 255),
    maxLength: o.maxLength === undefined ? undefined : integer(o.maxLength, "options.maxLength", 4, 1_000_000),
    maxTextLength:
      o.maxTextLength === undefined ? DEFAULT_MAX_TEXT_LENGTH : integer(o.maxTextLength, "options.maxTextLength", 1, LONGEST_JS_STRING),
    maxWindowTokens:
      o.maxWindowTokens === undefined ? DEFAULT_MAX_WINDOW_TOKENS : integer(o.maxWindowTokens, "options.maxWindowTokens", 0),
    modelFile: o.modelFile as string | undefined,
    revision: o.revision as string | undefined,
    // Left undefined when not given: the defaults depend on the model's size (threadingFor).
    intraOpThreads: o.intraOpThreads === undefined ? undefined : integer(o.intraOpThreads, "options.intraOpThreads", 0, 1024),
    interOpThreads: o.interOpThreads === undefined ? 1 : integer(o.interOpThreads, "options.interOpThreads", 0, 1024),
    parallelRuns: o.parallelRuns === undefined ? undefined : integer(o.parallelRuns, "options.parallelRuns", 1, 256),
    hostThreads: o.hostThreads === undefined ? undefined : integer(o.hostThreads, "options.hostThreads", 1, 256),
    spinning: o.spinning === undefined ? true : boolean(o.spinning, "options.spinning"),
    graphOptimizationLevel: GRAPH_LEVELS[level as keyof typeof GRAPH_LEVELS],
    memoryArena: o.memoryArena === undefined ? true : boolean(o.memoryArena, "options.memoryArena"),
    // GPUs want larger batches; a CPU gains nothing past a few thousand tokens per run.
    tokenBudget: o.tokenBudget === undefined ? (onGpu ? 65_536 : 8_192) : integer(o.tokenBudget, "options.tokenBudget", 1),
    // On 2 CPU cores, batches of 8-16 rows ran ~15% faster than 64 (bench/README.md): the
    // activations of a small batch stay in cache, and length-sorted rows pad less.
    maxBatchSize: o.maxBatchSize === undefined ? (onGpu ? 256 : 16) : integer(o.maxBatchSize, "options.maxBatchSize", 1, 65_536),
    requireBatchInvariance:
      o.requireBatchInvariance === undefined ? true : boolean(o.requireBatchInvariance, "options.requireBatchInvariance"),
    // Left undefined when not given: measured at load (see ClassifierInfo.runCostTokens).
    runCostTokens: o.runCostTokens === undefined ? undefined : integer(o.runCostTokens, "options.runCostTokens", 1, 1_000_000),
    batchWaitUs: Math.round(waitMs * 1000),
    runtimeLibrary: o.runtimeLibrary as string | undefined,
    cudaTf32: o.cudaTf32 === undefined ? false : boolean(o.cudaTf32, "options.cudaTf32"),
    cudaMemLimit: o.cudaMemLimit === undefined ? 0 : integer(o.cudaMemLimit, "options.cudaMemLimit", 0),
  };
}

/** Models up to this size count as small: one run cannot keep several cores busy. */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

export interface Threading {
  intraOpThreads: number;
  parallelRuns: number;
  /** Threads for tokenizing and post-processing a round (they take turns with the runs). */
  hostThreads: number;
  /** > 0: a second session with this many threads runs a batch that is all the work there is (a lone text). */
  soloIntraOpThreads: number;
}

/**
 * Threading defaults, measured on 2 cores (bench/README.md): a small model (the embedded
 * 4-layer BERT) gets the most throughput from one single-threaded run per core, and a lone
 * text the lowest latency from one run over all cores, so it gets both sessions; a BERT-base
 * sized model is best with one run over all cores. On CUDA, one run at a time.
 * Tokenizing and post-processing a round use every core in all cases: they never overlap
 * that round's model runs, and on a GPU they are most of what the CPU does (measured on an
 * H100 with 16 cores: one host thread left BERT-base fp16 at 0.37x a bare ONNX Runtime run).
 */
export function threadingFor(options: ResolvedLoadOptions, modelBytes: number): Threading {
  const cores = availableParallelism();
  const hostThreads = options.hostThreads ?? cores;
  if (options.intraOpThreads !== undefined || options.parallelRuns !== undefined || options.device === "cuda") {
    const parallelRuns = options.parallelRuns ?? 1;
    return {
      intraOpThreads: options.intraOpThreads ?? (parallelRuns > 1 ? 1 : cores),
      parallelRuns,
      hostThreads,
      soloIntraOpThreads: 0,
    };
  }
  if (modelBytes <= SMALL_MODEL_BYTES && cores > 1) {
    return { intraOpThreads: 1, parallelRuns: cores, hostThreads, soloIntraOpThreads: cores };
  }
  return { intraOpThreads: cores, parallelRuns: 1, hostThreads, soloIntraOpThreads: 0 };
}

export interface ResolvedClassifyOptions {
  aggregationStrategy: AggregationStrategy;
  ignoreLabels: string[];
  stride?: number;
  offsets: OffsetUnit;
  includeText: boolean;
  isSplitIntoWords: boolean;
  delimiter: string;
  labelScheme: LabelScheme;
  fullText: boolean;
  signal?: AbortSignal;
}

const CLASSIFY_KEYS = [
  "aggregationStrategy", "ignoreLabels", "stride", "offsets", "includeText", "isSplitIntoWords", "delimiter",
  "labelScheme", "fullText", "signal",
] as const;

/** query()'s second argument, `{ signal }`. */
export function resolveQueryOptions(options: unknown): { signal?: AbortSignal } {
  const o = optionalObject(options, "options");
  rejectUnknownKeys(o, ["signal"], "options");
  return o.signal === undefined ? {} : { signal: abortSignal(o.signal, "options.signal") };
}

/** An AbortSignal, by what the call uses of it (a signal from another realm qualifies too). */
export function abortSignal(value: unknown, what: string): AbortSignal {
  const s = value as AbortSignal | null;
  if (typeof s !== "object" || s === null || typeof s.aborted !== "boolean" || typeof s.addEventListener !== "function" || typeof s.removeEventListener !== "function") {
    throw invalidArgument(what, "an AbortSignal", value);
  }
  return s;
}

export function resolveClassifyOptions(
  input: ClassifyOptions | undefined,
  defaults: Partial<ResolvedClassifyOptions> = {},
): ResolvedClassifyOptions {
  const o = optionalObject(input, "options");
  rejectUnknownKeys(o, CLASSIFY_KEYS, "options");
  const offsets = o.offsets ?? "utf16";
  if (offsets !== "utf16" && offsets !== "codepoint") {
    throw invalidArgument("options.offsets", '"utf16" or "codepoint"', offsets);
  }
  const aggregationStrategy =
    o.aggregationStrategy === undefined ? (defaults.aggregationStrategy ?? "simple") : strategy(o.aggregationStrategy, "options.aggregationStrategy");
  // A model card's stride is a default for the strategies that take one: the pipeline refuses a
  // stride with "none", which a caller who asked for "none" and no stride could not undo.
  const stride = o.stride ?? (aggregationStrategy === "none" ? undefined : defaults.stride);
  const fullText = o.fullText === undefined ? false : boolean(o.fullText, "options.fullText");
  if (fullText && (stride === undefined || stride === null)) {
    // Without windows a long text is cut at the first window's length (as the pipeline does),
    // fullText or not: a silent no-op before.
    throw new TokClassError("ERR_INVALID_ARGUMENT", "options.fullText needs a stride (options.stride, 0 for windows that do not overlap)");
  }
  return {
    aggregationStrategy,
    ignoreLabels:
      o.ignoreLabels === undefined ? (defaults.ignoreLabels ?? ["O"]) : stringArray(o.ignoreLabels, "options.ignoreLabels"),
    stride: stride === undefined || stride === null ? undefined : integer(stride, "options.stride", 0),
    offsets,
    includeText: o.includeText === undefined ? false : boolean(o.includeText, "options.includeText"),
    isSplitIntoWords: o.isSplitIntoWords === undefined ? false : boolean(o.isSplitIntoWords, "options.isSplitIntoWords"),
    delimiter: o.delimiter === undefined ? " " : text(o.delimiter, "options.delimiter"),
    labelScheme: o.labelScheme === undefined ? "bio" : labelScheme(o.labelScheme),
    fullText,
    signal: o.signal === undefined ? undefined : abortSignal(o.signal, "options.signal"),
  };
}

/** The index of the first lone surrogate in `s`, or -1. */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return i;
    }
  }
  return -1;
}

/**
 * A string that becomes text (the word-list delimiter; a token to decode), refused as
 * ERR_INVALID_TEXT with a lone surrogate, named by `what`.
 */
export function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw invalidArgument(what, "a string", value);
  // Checked here so that the error names the option: natively a delimiter's would be reported
  // as a lone surrogate in "text 0", whichever text it was joined into, and a token's decoded
  // as U+FFFD.
  const at = loneSurrogateAt(value);
  if (at >= 0) throw new TokClassError("ERR_INVALID_TEXT", `${what} contains a lone surrogate at UTF-16 index ${at}`);
  return value;
}

function labelScheme(value: unknown): LabelScheme {
  if (value !== "bio" && value !== "bioes" && value !== "bilou") {
    throw invalidArgument("options.labelScheme", '"bio", "bioes" or "bilou"', value);
  }
  return value;
}

/** `value` as a word list (an array of strings, copied: see readOnce), or undefined if it is not one. */
export function wordListOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const words = readOnce(value, isString);
  return words.bad < 0 ? (words.items as string[]) : undefined;
}

/**
 * Pre-split input: one word list (string[]) or several (string[][]), told apart by the first
 * element (a word, or a list); always returns lists of word lists, since the pipeline answers a
 * single list with a list holding one list.
 */
export function wordListsOf(input: unknown, what: string): string[][] {
  return wordListsAndShape(input, what).lists;
}

/**
 * Word lists as wordListsOf reads them, and whether the input was one list (an array of words,
 * or an empty array) rather than an array of lists.
 */
export function wordListsAndShape(input: unknown, what: string): { lists: string[][]; single: boolean } {
  if (!Array.isArray(input)) throw invalidArgument(what, "an array of words or an array of word lists", input);
  let single = true;
  const lists: string[][] = [];
  const copied = readOnce(input, (item, i) => {
    if (i === 0) single = typeof item === "string";
    if (single) return typeof item === "string";
    const words = wordListOf(item);
    if (words !== undefined) lists[i] = words;
    return words !== undefined;
  });
  if (copied.bad >= 0) {
    // One list: its word `bad` is no string, and the list is text 0.
    throw single ? notAText(0, copied.items[copied.bad], true, what, copied.bad) : notAText(copied.bad, copied.items[copied.bad], true, what);
  }
  return single ? { lists: [copied.items as string[]], single: true } : { lists, single: false };
}

const ENCODE_KEYS = ["addSpecialTokens", "maxLength", "stride", "returnOverflowing", "isSplitIntoWords", "maxWindowTokens"] as const;

/** Tokenizer.encode's options, checked: numbers that are whole and in range, flags that are booleans. */
export function resolveEncodeOptions(options: unknown): EncodeOptions {
  const o = optionalObject(options, "options");
  rejectUnknownKeys(o, ENCODE_KEYS, "options");
  const out: EncodeOptions = {};
  // maxLength 0 or 1.5 or NaN used to reach the native side, which read them as "no limit" or
  // cut them to an integer: a silent wrong answer. A window needs at least one token.
  if (o.maxLength !== undefined) out.maxLength = integer(o.maxLength, "options.maxLength", 1);
  if (o.stride !== undefined) out.stride = integer(o.stride, "options.stride", 0);
  if (o.addSpecialTokens !== undefined) out.addSpecialTokens = boolean(o.addSpecialTokens, "options.addSpecialTokens");
  if (o.returnOverflowing !== undefined) out.returnOverflowing = boolean(o.returnOverflowing, "options.returnOverflowing");
  if (o.isSplitIntoWords !== undefined) out.isSplitIntoWords = boolean(o.isSplitIntoWords, "options.isSplitIntoWords");
  out.maxWindowTokens = o.maxWindowTokens === undefined ? DEFAULT_MAX_WINDOW_TOKENS : integer(o.maxWindowTokens, "options.maxWindowTokens", 0);
  return out;
}

/** Tokenizer.decode's options (for ids): whether to leave out special tokens. */
export function resolveDecodeOptions(options: unknown): boolean {
  const o = optionalObject(options, "options");
  rejectUnknownKeys(o, ["skipSpecialTokens"], "options");
  return o.skipSpecialTokens === undefined ? false : boolean(o.skipSpecialTokens, "options.skipSpecialTokens");
}

/**
 * The error for item `index` of a call's array that is not a text (a string, or with
 * `isSplitIntoWords` a word list): an error about one text, so it carries textIndex and its
 * message begins "text <index>", as one the addon or a stream raises does.
 */
export function notAText(index: number, received: unknown, wordList: boolean, what?: string, element = index): TokClassError {
  const expected = wordList ? "an array of strings (a word list)" : "a string";
  const got = what === undefined ? `received ${describe(received)}` : `${what}[${element}] is ${describe(received)}`;
  return textError("ERR_INVALID_ARGUMENT", index, `is not ${expected} (${got})`);
}

/** A text's length in UTF-16 code units; a word list's is its words joined by `delimiter`. */
export function textUnits(text: string | readonly string[], delimiter: string): number {
  if (typeof text === "string") return text.length;
  let length = Math.max(0, text.length - 1) * delimiter.length;
  for (let i = 0; i < text.length; i++) length += text[i]!.length;
  return length;
}

/**
 * Refuses a text longer than `limit` UTF-16 code units (a word list: its words joined by
 * `delimiter`) before it reaches the tokenizer, whose working memory for one text peaks at ~80
 * bytes per character: a 500-million-character string would exhaust the machine instead of
 * failing.
 */
export function checkTextLengths(
  texts: readonly (string | readonly string[])[],
  limit: number,
  delimiter: string,
  limitName = "the load option maxTextLength",
): void {
  for (let i = 0; i < texts.length; i++) {
    const length = textUnits(texts[i]!, delimiter);
    if (length > limit) {
      throw textError("ERR_INVALID_TEXT", i, `is ${length} UTF-16 code units long, more than the limit of ${limit} (${limitName})`);
    }
  }
}

/** Texts as the API accepts them: one string, or an array of strings (one result per string). */
export function textsOf(input: unknown, what: string): { texts: string[]; single: boolean } {
  if (typeof input === "string") return { texts: [input], single: true };
  if (Array.isArray(input)) {
    // A copy, each element read once (see readOnce); the addon and the length check get it.
    const { items, bad } = readOnce(input, isString);
    if (bad >= 0) throw notAText(bad, items[bad], false, what);
    return { texts: items as string[], single: false };
  }
  throw invalidArgument(what, "a string or an array of strings", input);
}

const PARAMETER_KEYS = [
  "aggregation_strategy", "ignore_labels", "stride", "grouped_entities", "ignore_subwords", "is_split_into_words", "delimiter",
] as const;
const PAYLOAD_KEYS = ["inputs", "parameters", "options", "stream"] as const;
/** The hosted API's request options: about its cache and model loading, so nothing to do here. */
const PAYLOAD_OPTION_KEYS = ["use_cache", "wait_for_model", "dont_load_model", "use_gpu"] as const;

/** Whether Inference API parameters carry transformers 4.x's grouped_entities / ignore_subwords. */
export function usesLegacyParameters(parameters: object | null | undefined): boolean {
  const p = (parameters ?? {}) as Record<string, unknown>;
  // null is unset, as None is to the pipeline (`grouped_entities is not None`).
  return (p.grouped_entities !== undefined && p.grouped_entities !== null) || (p.ignore_subwords !== undefined && p.ignore_subwords !== null);
}

/**
 * Payload parameters without those set to null: the hosted API (Python) reads None as not
 * given, so `"aggregation_strategy": null` means the default, as `"stride": null` already did.
 */
function withoutNulls(parameters: Record<string, unknown>): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) if (value !== null) set[key] = value;
  return set;
}

export interface ResolvedQuery {
  /** Texts, or word lists when options.isSplitIntoWords. */
  texts: string[] | string[][];
  /** The answer is the first text's entities, not a list per text (a string input; a streamed one). */
  single: boolean;
  options: ResolvedClassifyOptions;
  /** Set when legacy parameters (grouped_entities / ignore_subwords) were mapped. */
  deprecation?: string;
}

/**
 * The Inference API payload -> classify options. Legacy transformers 4.x parameters are
 * mapped as 4.x did (both -> first, grouped only -> simple, otherwise none); transformers
 * 5.x refuses them, the hosted API's older clients still send them.
 */
export function resolvePayload(payload: unknown, defaults: Partial<ResolvedClassifyOptions> = {}): ResolvedQuery {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw invalidArgument("payload", 'an object like {"inputs": "..."}', payload);
  }
  const p = payload as InferencePayload & Record<string, unknown>;
  rejectUnknownKeys(p, PAYLOAD_KEYS, "payload");
  if (!("inputs" in p)) throw new TokClassError("ERR_INVALID_ARGUMENT", "payload.inputs is required");
  const given = optionalObject(p.parameters, "payload.parameters");
  rejectUnknownKeys(given, PARAMETER_KEYS, "payload.parameters");
  const params = withoutNulls(given);
  const split = params.is_split_into_words === undefined ? false : boolean(params.is_split_into_words, "parameters.is_split_into_words");
  const { texts, single } = split ? { texts: wordListsOf(p.inputs, "payload.inputs"), single: false } : textsOf(p.inputs, "payload.inputs");
  const requestOptions = optionalObject(p.options, "payload.options");
  rejectUnknownKeys(requestOptions, PAYLOAD_OPTION_KEYS, "payload.options");
  // Checked though unused, as the server checks them: "use_cache": "no" is a mistake to report.
  for (const key of PAYLOAD_OPTION_KEYS) {
    const value = requestOptions[key];
    if (value !== undefined && value !== null) boolean(value, `payload.options.${key}`);
  }

  let aggregation: AggregationStrategy | undefined;
  let deprecation: string | undefined;
  if (usesLegacyParameters(params)) {
    const grouped = params.grouped_entities === undefined ? false : boolean(params.grouped_entities, "parameters.grouped_entities");
    const ignoreSubwords = params.ignore_subwords === undefined ? false : boolean(params.ignore_subwords, "parameters.ignore_subwords");
    if (params.aggregation_strategy !== undefined) {
      throw new TokClassError(
        "ERR_INVALID_ARGUMENT",
        "parameters.aggregation_strategy cannot be combined with the legacy grouped_entities / ignore_subwords",
      );
    }
    aggregation = grouped && ignoreSubwords ? "first" : grouped ? "simple" : "none";
    deprecation = `grouped_entities/ignore_subwords are deprecated (transformers 5 refuses them); mapped to aggregation_strategy="${aggregation}"`;
  } else if (params.aggregation_strategy !== undefined) {
    const name = params.aggregation_strategy;
    // A name that is no strategy in any case is refused as classify()'s option is.
    aggregation = (typeof name === "string" ? strategyInAnyCase(name) : undefined) ?? strategy(name, "parameters.aggregation_strategy");
  }
  const options = resolveClassifyOptions(
    {
      aggregationStrategy: aggregation,
      ignoreLabels: params.ignore_labels === undefined ? undefined : stringArray(params.ignore_labels, "parameters.ignore_labels"),
      stride: params.stride === undefined ? undefined : integer(params.stride, "parameters.stride", 0),
      offsets: "codepoint",
      isSplitIntoWords: split,
      delimiter: params.delimiter === undefined ? undefined : text(params.delimiter, "parameters.delimiter"),
    },
    defaults,
  );
  return { texts, single, options, deprecation };
}
