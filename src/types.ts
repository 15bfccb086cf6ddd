/** Public types of tokclass. Field names follow the Hugging Face pipeline's output exactly. */

export type AggregationStrategy = "none" | "simple" | "first" | "average" | "max";
export type Device = "cpu" | "cuda";
export type OffsetUnit = "utf16" | "codepoint";

/** aggregation "none": one per token, with its vocabulary string and position. */
export interface TokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
  text?: string;
}

/** Any other aggregation: one per group of tokens/words. */
export interface GroupedEntity {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
  text?: string;
}

export type Entity = TokenEntity | GroupedEntity;

/** Tokenizer.encode's options. */
export interface EncodeOptions {
  addSpecialTokens?: boolean;
  /** Truncate to this many tokens (special tokens included). */
  maxLength?: number;
  /** With maxLength: return the rest as overlapping windows sharing `stride` tokens. */
  stride?: number;
  returnOverflowing?: boolean;
  /**
   * The input is words (Hugging Face's is_split_into_words): one word list, or an array of word
   * lists. Each word is encoded on its own, as Hugging Face does: word ids are word indices and
   * offsets are within each word.
   */
  isSplitIntoWords?: boolean;
  /**
   * Most tokens one input's overflowing windows may hold in all (special tokens included); more
   * is ERR_INVALID_TEXT before any window is made. Default 8,388,608 (2^23, as the classifier's
   * maxWindowTokens); 0 turns it off. A text's windows stop where its first window's worth of
   * tokens ends (tokenizers 0.23), but a word list's words are each tokenized in full, so a
   * stride close to maxLength multiplies them.
   */
  maxWindowTokens?: number;
}

export interface LoadOptions {
  /** "cpu" (default) or "cuda". */
  device?: Device;
  /** CUDA device ordinal (default 0). */
  deviceId?: number;
  /** Window size in tokens, overriding tokenizer_config.json's model_max_length. */
  maxLength?: number;
  /**
   * Longest text accepted, in UTF-16 code units (a JS string's length; a word list counts its
   * words and delimiters). Longer texts reject with ERR_INVALID_TEXT. Default 16,777,216 (2^24):
   * tokenizing one text takes ~80 bytes of memory per character at its peak, so the limit
   * keeps one call from exhausting memory; at most 2^29 (V8's longest string).
   */
  maxTextLength?: number;
  /**
   * Most tokens the stride windows of one text may hold, special tokens included. Each window
   * repeats `stride` tokens of the one before, so a stride close to the window multiplies a
   * text's tokens (up to maxLength times), and each window token holds ~140 bytes until its text
   * is finished. A text over the limit rejects with ERR_INVALID_TEXT before its windows are
   * built. Default 8,388,608 (2^23; ~1.2 GB at most for one text); 0 turns the limit off. Only
   * `stride` with `fullText: true` windows a whole long text: the pipeline's default stops at
   * the first window's length.
   */
  maxWindowTokens?: number;
  /** ONNX file inside the model folder, e.g. "model_quantized.onnx" (default "model.onnx" or "onnx/model.onnx"). */
  modelFile?: string;
  /**
   * For a model id read from a local cache (huggingface_hub's or transformers.js's): the
   * branch, tag or commit hash to read (default "main"). Refused with a folder path or the
   * embedded model.
   */
  revision?: string;
  /**
   * Threads ONNX Runtime uses inside one run. Default by model size: 1 for a small model
   * (ONNX file <= 64 MiB, run one batch per core), all cores for a larger one (README, "Threading
   * defaults"). Setting it or parallelRuns turns the size-based choice off.
   */
  intraOpThreads?: number;
  /** Threads ONNX Runtime uses across independent graph nodes (default 1). */
  interOpThreads?: number;
  /**
   * Model runs executed side by side, each on its own thread. Default by model size: one per
   * core for a small model, 1 for a larger one (see intraOpThreads). With small models a
   * single run cannot keep every core busy: `parallelRuns: cores` with `intraOpThreads: 1`
   * gives more throughput for large inputs.
   */
  parallelRuns?: number;
  /**
   * Threads that tokenize and post-process with one run at a time (default: all cores); they
   * take turns with the model runs of a round, never run beside them. With parallel runs, each
   * runner tokenizes and post-processes between its own runs.
   */
  hostThreads?: number;
  /** Let ONNX Runtime's idle threads spin (lower latency, but they burn CPU). Default true. */
  spinning?: boolean;
  /** ONNX Runtime graph optimization: "disable" | "basic" | "extended" | "all" (default "all"). */
  graphOptimizationLevel?: "disable" | "basic" | "extended" | "all";
  /** ONNX Runtime CPU memory arena (default true). */
  memoryArena?: boolean;
  /** Max tokens (rows × padded length) in one model run (default 8,192 on CPU, 65,536 on CUDA). */
  tokenBudget?: number;
  /** Max rows in one model run (default 16 on CPU, 256 on CUDA). */
  maxBatchSize?: number;
  /**
   * Default true: a model whose logits depend on their batch mates (`info().batchInvariant`
   * false: dynamically quantized int8 graphs) runs one text per model run, so a text's entities
   * never depend on what else is classified with it, as in the Python pipeline. false batches it
   * anyway: faster (the embedded model's int8 graph: ~1.3× on 2 cores), but a text's scores
   * then move with its batch mates (10 of 1,000 CoNLL sentences got different entities).
   */
  requireBatchInvariance?: boolean;
  /**
   * The fixed cost of one model run, in tokens: batches are cut from length-sorted texts to
   * minimise runs × runCostTokens + padded tokens. Default: measured at load on CPU from a few
   * tiny runs (~6 for a 4-layer BERT on one thread, 10–15 for BERT-base; see `info().runCostTokens`);
   * 48 on CUDA. A higher value makes fewer, more padded batches.
   */
  runCostTokens?: number;
  /**
   * Concurrent classify() calls always share batches. With parallel runs, a free runner takes
   * every queued call into a pool of waiting texts and runs the pool's cheapest batch (a call
   * passed over by 16 batches goes next); with one run at a time, calls that arrive while a round
   * runs form the next round together. A wait > 0 (ms, at most 1,000) also holds queued calls
   * up to this long for more to arrive, ending early once about `tokenBudget` tokens of text
   * are queued (default 0: never delay a lone call).
   */
  batchWaitMs?: number;
  /** Path to another libonnxruntime.so.1 (default: onnxruntime-node's, or $TOKCLASS_ORT_LIBRARY). */
  runtimeLibrary?: string;
  /** Use TF32 on CUDA (default false, so results match the CPU). */
  cudaTf32?: boolean;
  /** CUDA memory limit in bytes. */
  cudaMemLimit?: number;
}

export interface ClassifyOptions {
  /** Default "simple", as the hosted Inference API. */
  aggregationStrategy?: AggregationStrategy;
  /** Labels (entity or entity_group) to drop; default ["O"]. */
  ignoreLabels?: string[];
  /** Process texts longer than the window in overlapping windows sharing `stride` tokens. */
  stride?: number;
  /** Offsets as UTF-16 indices (default; `text.slice(start, end)` works) or code points (Python). */
  offsets?: OffsetUnit;
  /** Add `text: input.slice(start, end)` to each entity. */
  includeText?: boolean;
  /**
   * Input is pre-split into words (`string[]` = one text, `string[][]` = several), as
   * transformers' `is_split_into_words`: offsets index the words joined by `delimiter`, and
   * the result is always one array per word list (a single list gives a list holding one list).
   */
  isSplitIntoWords?: boolean;
  /** Joins pre-split words for offsets (default " "). */
  delimiter?: string;
  /**
   * "bio" (default) groups exactly as the Hugging Face pipeline. "bioes" / "bilou" also end a
   * group at E-/L- and make S-/U- a group of its own.
   */
  labelScheme?: LabelScheme;
  /**
   * With a stride, the Hugging Face pipeline (tokenizers 0.23) only windows the first
   * max-length tokens of a long text and silently drops the rest. Default false reproduces
   * that exactly; true windows the whole text (it needs a stride: ERR_INVALID_ARGUMENT without).
   */
  fullText?: boolean;
  /**
   * Aborts the call: the promise rejects at once with `signal.reason` (an `AbortError` unless
   * the signal was given another reason), and the call's texts that have not started are not
   * run (a model run already under way finishes, and so does a batch shared with a call that
   * was not aborted). An already aborted signal rejects before any work.
   */
  signal?: AbortSignal;
}

export type LabelScheme = "bio" | "bioes" | "bilou";

/** The hosted Inference API's request body for token classification. */
export interface InferencePayload {
  /** A text, a list of texts, or with is_split_into_words a word list or a list of word lists. */
  inputs: string | string[] | string[][];
  /** As the hosted API (Python) reads them, a parameter sent as null counts as unset. */
  parameters?: {
    /** Read in any case, as transformers reads it ("SIMPLE" is "simple"). */
    aggregation_strategy?: AggregationStrategy | Uppercase<AggregationStrategy> | null;
    ignore_labels?: string[] | null;
    stride?: number | null;
    is_split_into_words?: boolean | null;
    delimiter?: string | null;
    /** Legacy (transformers 4.x) parameters, mapped to aggregation_strategy. */
    grouped_entities?: boolean | null;
    ignore_subwords?: boolean | null;
  } | null;
  /** The hosted API's request options: checked (booleans) and otherwise ignored by query(). */
  options?: { use_cache?: boolean | null; wait_for_model?: boolean | null; dont_load_model?: boolean | null; use_gpu?: boolean | null } | null;
}

export interface ClassifierInfo {
  modelDir: string;
  /** The Hugging Face model id, when the model was loaded by id from a local cache. */
  modelId?: string;
  modelFile: string;
  labels: string[];
  maxLength: number;
  tokenizer: string;
  device: Device;
  executionProvider: string;
  onnxRuntimeVersion: string;
  /**
   * false when a probe at load found that the model's logits depend on their batch mates
   * (dynamically quantized int8 graphs pick one scale over the whole batch, padding included).
   */
  batchInvariant: boolean;
  /**
   * false when tokclass runs one text per model run, as the Python pipeline does: a model that
   * is not batch-invariant, loaded with `requireBatchInvariance` left true.
   */
  batched: boolean;
  /**
   * The price of one model run in tokens that the batch planner weighs against padding:
   * `options.runCostTokens`, or measured at load on CPU (a few tiny runs), or 48 on CUDA.
   */
  runCostTokens: number;
}
