/**
 * The one error class tokclass throws or rejects with. `code` is stable and machine-readable
 * (shared with native/common/error.h); `message` is for people and may change.
 */
export type TokClassErrorCode =
  | "ERR_INVALID_ARGUMENT" // wrong type / unknown option / out-of-range value
  | "ERR_INVALID_TEXT" // lone surrogates, invalid UTF-8, text too large
  | "ERR_UNKNOWN_STRATEGY" // aggregation strategy not in none/simple/first/average/max
  | "ERR_STRIDE_TOO_LARGE" // stride does not fit the window (max length minus special tokens)
  | "ERR_STRIDE_WITH_NONE" // stride together with aggregation "none" (the pipeline refuses it)
  | "ERR_TOKENIZER_INVALID" // tokenizer.json missing fields / not JSON
  | "ERR_TOKENIZER_UNSUPPORTED" // a tokenizer.json component tokclass does not implement
  | "ERR_MODEL_NOT_FOUND" // model folder or one of its files missing
  | "ERR_MODEL_INVALID" // corrupt model.onnx / config.json, labels missing from id2label
  | "ERR_RUNTIME_LOAD" // libonnxruntime could not be loaded
  | "ERR_DEVICE_UNAVAILABLE" // CUDA requested but provider libraries / CUDA missing
  | "ERR_INFERENCE" // ONNX Runtime failed while running
  | "ERR_DISPOSED" // the classifier was disposed
  | "ERR_ABORTED" // the raw addon's cancel(); through the API an aborted call rejects with its signal's reason
  | "ERR_INTERNAL"; // out of memory while building a result; otherwise a bug: please report

export class TokClassError extends Error {
  readonly code: TokClassErrorCode;
  /**
   * Set when the error concerns one text of the call, whose message then begins "text <index>":
   * that text's index in the input array (a word list's, with isSplitIntoWords). Declared, not
   * defined, so that other errors do not carry the key at all.
   */
  declare readonly textIndex?: number;

  constructor(code: TokClassErrorCode, message: string, options?: { cause?: unknown; textIndex?: number }) {
    super(message, options);
    this.name = "TokClassError";
    this.code = code;
    if (options?.textIndex !== undefined) this.textIndex = options.textIndex;
  }
}

/** How an error about one text names it at the start of its message (as native code does). */
export function textName(index: number): string {
  return `text ${index}`;
}

/** An error about text `index` of a call: "text <index> <detail>", with textIndex set. */
export function textError(code: TokClassErrorCode, index: number, detail: string): TokClassError {
  return new TokClassError(code, `${textName(index)} ${detail}`, { textIndex: index });
}

/**
 * `error` about text `textIndex` of a part of a call that starts at text `offset` of the
 * whole, numbered as in the whole call (message and textIndex); any other error as it is.
 */
export function inWholeCall(error: unknown, offset: number): unknown {
  if (offset === 0 || !(error instanceof TokClassError) || error.textIndex === undefined) return error;
  const named = textName(error.textIndex);
  const detail = error.message.startsWith(`${named} `) ? error.message.slice(named.length + 1) : error.message;
  return new TokClassError(error.code, `${textName(error.textIndex + offset)} ${detail}`, {
    cause: error.cause ?? error,
    textIndex: error.textIndex + offset,
  });
}

/** Builds every "expected X for Y, received Z" message the same way. */
export function invalidArgument(what: string, expected: string, received: unknown): TokClassError {
  return new TokClassError("ERR_INVALID_ARGUMENT", `Expected ${expected} for ${what}, received ${describe(received)}`);
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
