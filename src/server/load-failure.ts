/**
 * What a client is told about a model that failed to load: the error's code and a short reason.
 * The error's own message names server paths (the model folder, the Hugging Face cache, the ONNX
 * Runtime library), so it goes to the server log only (app.ts logs it when the load fails).
 */
import { tokClassCode } from "./http-errors.js";

export interface LoadFailure {
  /** The TokClassError code; ERR_INTERNAL for anything else. */
  code: string;
  reason: string;
}

const REASONS: Record<string, string> = {
  ERR_MODEL_NOT_FOUND: "the model's files were not found",
  ERR_MODEL_INVALID: "the model's files are invalid",
  ERR_TOKENIZER_INVALID: "the tokenizer is invalid",
  ERR_TOKENIZER_UNSUPPORTED: "the tokenizer uses a component tokclass does not support",
  ERR_RUNTIME_LOAD: "ONNX Runtime could not be loaded",
  ERR_DEVICE_UNAVAILABLE: "the requested device is not available",
  ERR_INVALID_ARGUMENT: "its load options are invalid",
  ERR_DISPOSED: "the model has been disposed",
};

export function describeLoadFailure(err: unknown): LoadFailure {
  const code = tokClassCode(err) ?? "ERR_INTERNAL";
  return { code, reason: REASONS[code] ?? "an unexpected error" };
}
