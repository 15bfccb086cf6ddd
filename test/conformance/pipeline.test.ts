// Every dev golden case of the real transformers pipeline, through the public API:
// classify() with code-point offsets and query() with the Inference API payload.
import { afterAll, describe, expect, it } from "vitest";
import { TokenClassifier, TokClassError } from "../../src/index.js";
import type { ClassifyOptions } from "../../src/index.js";
import { ALL_MODELS, MODEL_DIRS, entityMismatch, errorCodeFor, readGolden, type GoldenEntity, type PipelineCase } from "../helpers/golden.js";

const classifiers = new Map<string, Promise<TokenClassifier>>();
function classifierFor(model: string, maxLength: number | undefined): Promise<TokenClassifier> {
  const key = `${model}:${maxLength ?? ""}`;
  let clf = classifiers.get(key);
  if (!clf) {
    clf = TokenClassifier.load(MODEL_DIRS[model], maxLength ? { maxLength } : {});
    classifiers.set(key, clf);
  }
  return clf;
}

afterAll(async () => {
  for (const clf of classifiers.values()) await (await clf).dispose();
});

function optionsOf(c: PipelineCase): ClassifyOptions {
  return {
    aggregationStrategy: c.parameters.aggregation_strategy as ClassifyOptions["aggregationStrategy"],
    ignoreLabels: c.parameters.ignore_labels,
    stride: c.parameters.stride,
    offsets: "codepoint",
  };
}

for (const model of ALL_MODELS) {
  const golden = readGolden<{ cases: PipelineCase[] }>(model, "pipeline");
  describe(`pipeline golden: ${model}`, () => {
    it(`passes all ${golden.cases.length} cases through classify()`, async () => {
      const failures: string[] = [];
      for (const c of golden.cases) {
        const clf = await classifierFor(model, c.model_max_length);
        if (c.error !== undefined) {
          const error = await clf.classify(c.text as string, optionsOf(c)).then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!(error instanceof TokClassError) || error.code !== errorCodeFor(c.error)) {
            failures.push(`${c.id}: expected ${errorCodeFor(c.error)}, got ${String(error)}`);
          }
          continue;
        }
        if (Array.isArray(c.text)) {
          const actual = await clf.classify(c.text, optionsOf(c));
          const expected = c.expected as GoldenEntity[][];
          if (actual.length !== expected.length) failures.push(`${c.id}: ${actual.length} results for ${expected.length} texts`);
          expected.forEach((exp, i) => {
            const m = entityMismatch(actual[i] ?? [], exp);
            if (m) failures.push(`${c.id}[${i}]: ${m}`);
          });
        } else {
          const m = entityMismatch(await clf.classify(c.text, optionsOf(c)), c.expected as GoldenEntity[]);
          if (m) failures.push(`${c.id}: ${m}`);
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
    });

    it("query() returns the same JSON as the pipeline for the Inference API payload", async () => {
      const failures: string[] = [];
      for (const c of golden.cases.filter((c) => c.model_max_length === undefined && c.error === undefined)) {
        const clf = await classifierFor(model, undefined);
        const actual = await clf.query({ inputs: c.text, parameters: c.parameters as never });
        const expected = c.expected!;
        if (Array.isArray(c.text)) {
          (expected as GoldenEntity[][]).forEach((exp, i) => {
            const m = entityMismatch((actual as unknown[][])[i] ?? [], exp);
            if (m) failures.push(`${c.id}[${i}]: ${m}`);
          });
        } else {
          const m = entityMismatch(actual as unknown[], expected as GoldenEntity[]);
          if (m) failures.push(`${c.id}: ${m}`);
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
    });
  });
}
