// Reading the golden files produced by the real transformers pipeline (see test/fixtures/README.md).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const GOLDEN_DIR = join(ROOT, "test", "fixtures", "golden");

export const MODEL_DIRS: Record<string, string> = {
  "bert-cased-conll": join(ROOT, "models", "bert-cased-conll"),
  "bert-tiny-pos": join(ROOT, "test", "fixtures", "models", "bert-tiny-pos"),
  "bert-tiny-uncased": join(ROOT, "test", "fixtures", "models", "bert-tiny-uncased"),
  "distilbert-tiny": join(ROOT, "test", "fixtures", "models", "distilbert-tiny"),
  "roberta-tiny": join(ROOT, "test", "fixtures", "models", "roberta-tiny"),
  "xlmr-tiny": join(ROOT, "test", "fixtures", "models", "xlmr-tiny"),
};

export const WORDPIECE_MODELS = ["bert-cased-conll", "bert-tiny-pos", "bert-tiny-uncased", "distilbert-tiny"];
export const ALL_MODELS = [...WORDPIECE_MODELS, "roberta-tiny", "xlmr-tiny"];

export function readGolden<T>(model: string, kind: "pipeline" | "tokenizer" | "words"): T {
  return JSON.parse(gunzipSync(readFileSync(join(GOLDEN_DIR, `${model}.${kind}.json.gz`))).toString("utf8")) as T;
}

export interface GoldenEntity {
  entity?: string;
  entity_group?: string;
  score: number;
  index?: number;
  word: string;
  start: number;
  end: number;
}

export interface PipelineCase {
  id: string;
  text: string | string[];
  parameters: { aggregation_strategy: string; ignore_labels?: string[]; stride?: number };
  model_max_length?: number;
  expected?: GoldenEntity[] | GoldenEntity[][];
  error?: string;
}

/** Field-by-field comparison with the tolerance the golden README allows for scores. */
export function entityMismatch(actual: unknown[], expected: GoldenEntity[]): string | undefined {
  if (actual.length !== expected.length) {
    return `expected ${expected.length} entities, got ${actual.length}: ${JSON.stringify(actual).slice(0, 400)}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as Record<string, unknown>;
    const e = expected[i]! as unknown as Record<string, unknown>;
    const keys = Object.keys(e);
    // In the reference's order too: the server writes these objects as the Inference API's JSON.
    if (Object.keys(a).filter((k) => k !== "text").join() !== keys.join()) {
      return `entity ${i}: keys ${Object.keys(a).join()} != ${keys.join()}`;
    }
    for (const k of keys) {
      if (k === "score") {
        if (Math.abs((a.score as number) - (e.score as number)) >= 1e-4) return `entity ${i}: score ${a.score} != ${e.score}`;
      } else if (a[k] !== e[k]) {
        return `entity ${i}: ${k} ${JSON.stringify(a[k])} != ${JSON.stringify(e[k])}`;
      }
    }
  }
  return undefined;
}

/** The library error code a golden Python exception corresponds to. */
export function errorCodeFor(pythonError: string): string {
  if (pythonError.includes("`stride` was provided")) return "ERR_STRIDE_WITH_NONE";
  if (pythonError.includes("stride") && pythonError.includes("must be")) return "ERR_STRIDE_TOO_LARGE";
  if (pythonError.includes("unexpected keyword argument")) return "ERR_INVALID_ARGUMENT";
  throw new Error(`no error code mapped for golden error: ${pythonError}`);
}
