// Public exports only.
export { TokenClassifier } from "./classifier.js";
export { Tokenizer, type DecodeOptions, type Encoding } from "./tokenizer.js";
export { TokClassError, type TokClassErrorCode } from "./errors.js";
export { DEFAULT_MODEL_DIR } from "./model.js";
export { resolvePayload as validatePayload, type ResolvedQuery } from "./options.js";
export type * from "./types.js";
export type { ClassifierStats } from "./binding.js";
