// The addon's own classifier config for a model folder, for tests that load the addon directly
// (bypassing TokenClassifier.load and its option checks). Deliberately partial: no threading
// fields, so the addon must fill in its defaults on its own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NativeClassifierConfig } from "../../src/binding.js";

export function rawClassifierConfig(modelDir: string, runtimeLibrary: string): NativeClassifierConfig {
  const { id2label } = JSON.parse(readFileSync(join(modelDir, "config.json"), "utf8")) as { id2label: Record<string, string> };
  return {
    runtimeLibrary,
    modelPath: join(modelDir, "model.onnx"),
    tokenizerPath: join(modelDir, "tokenizer.json"),
    labels: Object.values(id2label),
    maxLength: 512,
    unkToken: "[UNK]",
    padToken: "[PAD]",
    tokenBudget: 8192,
    maxBatchSize: 64,
    batchWaitUs: 0,
    device: "cpu",
    deviceId: 0,
    intraOpThreads: 1,
    interOpThreads: 1,
    graphOptimizationLevel: 99,
    memoryArena: true,
    cudaTf32: false,
    cudaMemLimit: 0,
  } as NativeClassifierConfig;
}
