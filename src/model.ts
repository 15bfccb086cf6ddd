/**
 * A Hugging Face model folder: where its files are and what config.json /
 * tokenizer_config.json / special_tokens_map.json say. Read once, at load.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRoot } from "./binding.js";
import { TokClassError } from "./errors.js";
import { modelFileExists } from "./model-files.js";
import { resolveModelSource } from "./model-source.js";

/** The embedded default model (CoNLL-2003 NER, BERT 4×128, cased WordPiece). */
export const DEFAULT_MODEL_DIR = join(packageRoot, "models", "bert-cased-conll");

export interface ModelFolder {
  dir: string;
  /** The Hugging Face model id, when the folder was found in a cache by that id. */
  hubId?: string;
  modelPath: string;
  modelFile: string;
  tokenizerPath: string;
  labels: string[];
  /** Window size from the tokenizer (model_max_length), capped by the model's positions. */
  maxLength: number;
  /** The file and field maxLength comes from, for errors about it ("model_max_length 2 in …"). */
  maxLengthOrigin: string;
  /** Tokens the model's position embeddings can hold (config.json), when it says. */
  maxPositions: number | undefined;
  unkToken: string;
  padToken: string;
  modelType: string;
}

function readJson(path: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TokClassError("ERR_MODEL_NOT_FOUND", `Cannot read ${what} at ${path}`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new TokClassError("ERR_MODEL_INVALID", `${what} at ${path} is not a valid JSON object: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readOptionalJson(path: string, what: string): Record<string, unknown> {
  return modelFileExists(path) ? readJson(path, what) : {};
}

/** id2label as an array indexed by class id; every id from 0 to n-1 must be present. */
function labelsOf(config: Record<string, unknown>, path: string): string[] {
  const id2label = config.id2label;
  if (typeof id2label !== "object" || id2label === null || Array.isArray(id2label)) {
    throw new TokClassError("ERR_MODEL_INVALID", `config.json at ${path} has no id2label object`);
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const labels: string[] = new Array(entries.length);
  for (const [key, value] of entries) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof value !== "string") {
      throw new TokClassError(
        "ERR_MODEL_INVALID",
        `config.json at ${path}: id2label must map the ids 0..${entries.length - 1} to strings (bad entry ${JSON.stringify(key)})`,
      );
    }
    labels[id] = value;
  }
  if (labels.length === 0) throw new TokClassError("ERR_MODEL_INVALID", `config.json at ${path}: id2label is empty`);
  return labels;
}

/** unk_token / pad_token may be a string or an AddedToken object ({content: ...}). */
function tokenString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}

// RoBERTa-family position embeddings reserve padding_idx + 1 slots before the first token.
const POSITION_OFFSET: Record<string, number> = { roberta: 2, "xlm-roberta": 2, camembert: 2, longformer: 2 };

/**
 * A length field of a model's JSON files: absent or not a number is "not said" (undefined); a
 * number must be a whole number >= 1, or the file is corrupt (it used to surface as an error
 * about an option the caller never set).
 */
function positiveInteger(value: unknown, field: string, path: string): number | undefined {
  if (typeof value !== "number") return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new TokClassError("ERR_MODEL_INVALID", `${field} in ${path} must be a whole number >= 1, found ${value}`);
  }
  return value;
}

/**
 * `dir`: a folder, or a Hugging Face model id found in a local cache (model-source.ts), at
 * `revision` for huggingface_hub's cache; undefined: the embedded model.
 */
export function readModelFolder(dir: string | undefined, modelFile: string | undefined, revision?: string): ModelFolder {
  if (dir === undefined && revision !== undefined) {
    throw new TokClassError("ERR_INVALID_ARGUMENT", "options.revision applies to a model id looked up in the Hugging Face cache, not to the embedded model");
  }
  // resolveModelSource returns only folders it found (or throws); the embedded one is checked
  // here, for a package installed without its model.
  const source = dir === undefined ? { dir: resolve(DEFAULT_MODEL_DIR) } : resolveModelSource(dir, revision);
  const root = source.dir;
  if (dir === undefined && !statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new TokClassError("ERR_MODEL_NOT_FOUND", `Model folder not found: ${root}`);
  }
  // A cache holds only the files that were downloaded: say so, or "no model.onnx" puzzles.
  const cached = source.hubId === undefined ? "" : ` (${source.hubId} from the ${source.cache} cache, which holds only the files downloaded)`;
  const name = modelFile ?? "model.onnx";
  const modelPath = [join(root, name), join(root, "onnx", name)].find((p) => modelFileExists(p));
  if (!modelPath) {
    throw new TokClassError("ERR_MODEL_NOT_FOUND", `No ${name} in ${root} or ${join(root, "onnx")}${cached}`);
  }
  const tokenizerPath = join(root, "tokenizer.json");
  if (!modelFileExists(tokenizerPath)) {
    throw new TokClassError("ERR_MODEL_NOT_FOUND", `No tokenizer.json in ${root}${cached} (tokclass needs a fast-tokenizer file)`);
  }
  const configPath = join(root, "config.json");
  const config = readJson(configPath, "config.json");
  const tokenizerConfig = readOptionalJson(join(root, "tokenizer_config.json"), "tokenizer_config.json");
  const specialTokens = readOptionalJson(join(root, "special_tokens_map.json"), "special_tokens_map.json");

  const modelType = typeof config.model_type === "string" ? config.model_type : "";
  const positions = positiveInteger(config.max_position_embeddings, "max_position_embeddings", configPath);
  // Own keys only: a model_type of "constructor" would otherwise read Object.prototype's.
  const reserved = Object.hasOwn(POSITION_OFFSET, modelType) ? POSITION_OFFSET[modelType]! : 0;
  const usablePositions = positions === undefined ? undefined : positions - reserved;
  const positionsOrigin = `max_position_embeddings ${positions} in ${configPath}${reserved > 0 ? `, less the ${reserved} a ${modelType} model reserves` : ""}`;
  if (usablePositions !== undefined && usablePositions < 1) {
    throw new TokClassError("ERR_MODEL_INVALID", `The model has no positions for tokens: ${positionsOrigin}`);
  }
  const tokenizerConfigPath = join(root, "tokenizer_config.json");
  const declared = positiveInteger(tokenizerConfig.model_max_length, "model_max_length", tokenizerConfigPath);
  // transformers writes a huge sentinel (1e30) when the length is unknown: fall back to the
  // model's position embeddings, which is the real limit of the graph.
  let maxLength = 512;
  let maxLengthOrigin = "tokclass's default, as the model sets no length";
  if (declared !== undefined && declared <= 1_000_000) {
    maxLength = declared;
    maxLengthOrigin = `model_max_length ${declared} in ${tokenizerConfigPath}`;
  } else if (usablePositions !== undefined) {
    maxLength = usablePositions;
    maxLengthOrigin = positionsOrigin;
  }
  if (usablePositions !== undefined && usablePositions < maxLength) {
    maxLength = usablePositions;
    maxLengthOrigin = positionsOrigin;
  }

  return {
    dir: root,
    ...(source.hubId === undefined ? {} : { hubId: source.hubId }),
    modelPath,
    modelFile: name,
    tokenizerPath,
    labels: labelsOf(config, configPath),
    maxLength,
    maxLengthOrigin,
    maxPositions: usablePositions,
    unkToken: tokenString(tokenizerConfig.unk_token) ?? tokenString(specialTokens.unk_token) ?? "",
    padToken: tokenString(tokenizerConfig.pad_token) ?? tokenString(specialTokens.pad_token) ?? "",
    modelType,
  };
}
