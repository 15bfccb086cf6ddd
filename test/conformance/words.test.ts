// Pre-tokenized input (is_split_into_words) goldens, and the legacy grouped_entities /
// ignore_subwords parameters: transformers 5.17 refuses them (the golden's error cases), while
// query() maps them as transformers 4.x did and says so with a deprecation warning.
import { afterAll, describe, expect, it } from "vitest";
import { TokenClassifier, TokClassError } from "../../src/index.js";
import { MODEL_DIRS, entityMismatch, readGolden, type GoldenEntity } from "../helpers/golden.js";

interface WordsCase {
  id: string;
  words: string[] | string[][];
  text?: string; // legacy-parameter cases carry a plain text
  parameters: Record<string, unknown>;
  expected?: GoldenEntity[][];
  error?: string;
}

const MODELS = ["bert-cased-conll", "bert-tiny-uncased", "roberta-tiny", "xlmr-tiny"];
const loaded: TokenClassifier[] = [];
afterAll(async () => {
  for (const clf of loaded) await clf.dispose();
});

for (const model of MODELS) {
  const golden = readGolden<{ cases: WordsCase[] }>(model, "words");
  describe(`words golden: ${model}`, () => {
    it(`passes all ${golden.cases.filter((c) => !c.error).length} pre-split cases (classify and query)`, async () => {
      const clf = await TokenClassifier.load(MODEL_DIRS[model]);
      loaded.push(clf);
      const failures: string[] = [];
      for (const c of golden.cases.filter((c) => !c.error)) {
        const p = c.parameters;
        const viaClassify = await clf.classify(c.words as string[][], {
          isSplitIntoWords: true,
          aggregationStrategy: p.aggregation_strategy as never,
          delimiter: p.delimiter as string | undefined,
          offsets: "codepoint",
        });
        const viaQuery = (await clf.query({ inputs: c.words, parameters: p as never })) as unknown[][];
        for (const [name, actual] of [["classify", viaClassify], ["query", viaQuery]] as const) {
          if (actual.length !== c.expected!.length) failures.push(`${c.id} ${name}: ${actual.length} lists for ${c.expected!.length}`);
          c.expected!.forEach((exp, i) => {
            const m = entityMismatch((actual[i] ?? []) as unknown[], exp);
            if (m) failures.push(`${c.id} ${name}[${i}]: ${m}`);
          });
        }
      }
      expect(failures.slice(0, 20)).toEqual([]);
    });

    it("maps the legacy grouped_entities / ignore_subwords parameters as transformers 4.x did", async () => {
      const clf = await TokenClassifier.load(MODEL_DIRS[model]);
      loaded.push(clf);
      const legacy = golden.cases.filter((c) => c.error);
      expect(legacy.length).toBeGreaterThan(0);
      for (const c of legacy) {
        const { grouped_entities: grouped, ignore_subwords: ignore } = c.parameters as Record<string, boolean>;
        const strategy = grouped && ignore ? "first" : grouped ? "simple" : "none";
        const text = c.text!;
        const mapped = await clf.query({ inputs: text, parameters: { grouped_entities: grouped, ignore_subwords: ignore } });
        const direct = await clf.query({ inputs: text, parameters: { aggregation_strategy: strategy } });
        expect(mapped).toEqual(direct);
      }
      await expect(
        clf.query({ inputs: "x", parameters: { grouped_entities: true, aggregation_strategy: "simple" } }),
      ).rejects.toBeInstanceOf(TokClassError);
    });
  });
}
