// Bad input through the public API (and straight into the raw addon): every row must reject
// with a TokClassError carrying a stable code — never throw synchronously, never crash — and
// the process must stay healthy afterwards (a normal classify still gives the same result).
// Valid-but-odd input (empty, whitespace, control characters, 10 MB) must resolve.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokClassError, TokenClassifier, Tokenizer } from "../../src/index.js";
import type { TokClassErrorCode } from "../../src/index.js";
import { STRATEGIES, usesLegacyParameters } from "../../src/options.js";
import { rawClassifierConfig } from "../helpers/native-config.js";
import { timeBound } from "../helpers/time-bounds.js";
import { defaultRuntimeLibrary, native, type NativeClassifier, type NativeClassifierConfig, type NativeClassifyParams } from "../../src/binding.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "models");
// The smallest fixture (a 2 KB graph, WordPiece tokenizer, 9 labels): fast enough for 10 MB.
const MODEL = join(FIXTURES, "bert-tiny-bioes");
const SAMPLE = "Sarah Parker visited New York City and Paris";

let clf: TokenClassifier;
let baseline: unknown;
let tmp: string;

/** Calls fn, which must return a promise (not throw), and expects it to reject with `code`. */
async function rejectsWith(fn: () => unknown, code: TokClassErrorCode, message?: RegExp): Promise<TokClassError> {
  let promise: unknown;
  expect(() => {
    promise = fn();
  }, "must reject, not throw synchronously").not.toThrow();
  expect(promise).toBeInstanceOf(Promise);
  const error = await (promise as Promise<unknown>).then(
    () => {
      throw new Error(`expected a rejection with ${code}, but it resolved`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokClassError);
  expect((error as TokClassError).code).toBe(code);
  if (message) expect((error as TokClassError).message).toMatch(message);
  return error as TokClassError;
}

/** An array of the largest length, all holes. */
function holes(): unknown[] {
  const a: unknown[] = [];
  a.length = 2 ** 32 - 1;
  return a;
}

/** The process and the shared classifier still work, with unchanged results. */
async function healthy(): Promise<void> {
  expect(await clf.classify(SAMPLE)).toEqual(baseline);
}

/** A copy of a fixture model in a temp folder, edited by `edit`. */
function brokenCopy(name: string, edit: (dir: string) => void, from = MODEL): string {
  const dir = join(tmp, name);
  cpSync(from, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(path: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  edit(value);
  writeFileSync(path, JSON.stringify(value));
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "tokclass-bad-input-"));
  clf = await TokenClassifier.load(MODEL);
  baseline = await clf.classify(SAMPLE);
  expect(Array.isArray(baseline)).toBe(true);
});

afterAll(async () => {
  await clf?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe("classify: rejected input", () => {
  const any = (v: unknown) => v as never;
  const rows: [string, TokClassErrorCode, () => unknown][] = [
    ["a number", "ERR_INVALID_ARGUMENT", () => clf.classify(any(42))],
    ["null", "ERR_INVALID_ARGUMENT", () => clf.classify(any(null))],
    ["undefined", "ERR_INVALID_ARGUMENT", () => clf.classify(any(undefined))],
    ["an object", "ERR_INVALID_ARGUMENT", () => clf.classify(any({ text: "x" }))],
    ["nested arrays", "ERR_INVALID_ARGUMENT", () => clf.classify(any([["Sarah"]]))],
    ["an array with a number", "ERR_INVALID_ARGUMENT", () => clf.classify(any(["ok", 1]))],
    ["a Buffer", "ERR_INVALID_ARGUMENT", () => clf.classify(any(Buffer.from("Sarah")))],
    ["a lone high surrogate", "ERR_INVALID_TEXT", () => clf.classify("Sarah \uD800 Parker")],
    ["a lone low surrogate", "ERR_INVALID_TEXT", () => clf.classify("\uDC00")],
    ["a high surrogate at the end", "ERR_INVALID_TEXT", () => clf.classify(["fine", "Paris\uD83D"])],
    ["an unknown strategy", "ERR_UNKNOWN_STRATEGY", () => clf.classify(SAMPLE, { aggregationStrategy: any("bogus") })],
    ["an upper-case strategy", "ERR_UNKNOWN_STRATEGY", () => clf.classify(SAMPLE, { aggregationStrategy: any("SIMPLE") })],
    ["a numeric strategy", "ERR_UNKNOWN_STRATEGY", () => clf.classify(SAMPLE, { aggregationStrategy: any(1) })],
    ["a negative stride", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { stride: -1 })],
    ["a fractional stride", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { stride: 1.5 })],
    ["a NaN stride", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { stride: Number.NaN })],
    ["a string stride", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { stride: any("16") })],
    ["an infinite stride", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { stride: Number.POSITIVE_INFINITY })],
    ["a stride of the window", "ERR_STRIDE_TOO_LARGE", () => clf.classify(SAMPLE, { stride: 512 })],
    ["a stride past the room for text", "ERR_STRIDE_TOO_LARGE", () => clf.classify(SAMPLE, { stride: 510 })],
    ["a huge stride", "ERR_STRIDE_TOO_LARGE", () => clf.classify(SAMPLE, { stride: 2 ** 40 })],
    ["a stride with none", "ERR_STRIDE_WITH_NONE", () => clf.classify(SAMPLE, { stride: 16, aggregationStrategy: "none" })],
    ["ignoreLabels as a string", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any("O") })],
    ["ignoreLabels with a number", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any(["O", 1]) })],
    ["ignoreLabels with null", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any([null]) })],
    ["ignoreLabels as an object", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any({ O: true }) })],
    // Sparse arrays: some/every/forEach skip a hole, which then reached the code behind the check.
    ["ignoreLabels with a hole", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any([, "O"]) })],
    ["texts with a hole", "ERR_INVALID_ARGUMENT", () => clf.classify(any(["Sarah", , "Paris"]))],
    ["words with a hole", "ERR_INVALID_ARGUMENT", () => clf.classify(any([["Sarah", , "Parker"]]), { isSplitIntoWords: true })],
    ["a word list with a hole", "ERR_INVALID_ARGUMENT", () => clf.classify(any([["Sarah"], , ["Paris"]]), { isSplitIntoWords: true })],
    ["a payload's ignore_labels with a hole", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: "x", parameters: { ignore_labels: [, "O"] } }))],
    ["a payload's inputs with a hole", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: ["x", , "y"] }))],
    // Holes up to the largest array length: the copy before the check ran out of heap (abort).
    ["texts that are 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", () => clf.classify(any(holes()))],
    ["ignoreLabels that are 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { ignoreLabels: any(holes()) })],
    ["word lists that are 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", () => clf.classify(any(holes()), { isSplitIntoWords: true })],
    ["a word list of 2^32 - 1 holes after a word", "ERR_INVALID_ARGUMENT", () => clf.classify(any(Object.assign(holes(), { 0: "Sarah" })), { isSplitIntoWords: true })],
    ["a payload's inputs that are 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: holes() }))],
    ["a Tokenizer.encode of 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", async () => (await Tokenizer.fromFile(join(MODEL, "tokenizer.json"))).encode(any(holes()))],
    ["a Tokenizer.decode of 2^32 - 1 holes", "ERR_INVALID_ARGUMENT", async () => (await Tokenizer.fromFile(join(MODEL, "tokenizer.json"))).decode(any(holes()))],
    ["a Tokenizer.decode of an id then 2^32 - 2 holes", "ERR_INVALID_ARGUMENT", async () => (await Tokenizer.fromFile(join(MODEL, "tokenizer.json"))).decode(any(Object.assign(holes(), { 0: 5 })))],
    ["an unknown option key", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, any({ aggregation: "simple" }))],
    ["a misspelt option key", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, any({ aggregationStrategy: "simple", strides: 4 }))],
    ["options as a string", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, any("simple"))],
    ["options as an array", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, any([]))],
    ["unknown offsets", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { offsets: any("bytes") })],
    ["includeText not a boolean", "ERR_INVALID_ARGUMENT", () => clf.classify(SAMPLE, { includeText: any(1) })],
    ["a payload that is a string", "ERR_INVALID_ARGUMENT", () => clf.query(any("Sarah"))],
    ["a payload without inputs", "ERR_INVALID_ARGUMENT", () => clf.query(any({}))],
    ["a payload with numeric inputs", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: 5 }))],
    ["a payload with an unknown key", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: "x", param: {} }))],
    ["a payload with an unknown parameter", "ERR_INVALID_ARGUMENT", () => clf.query(any({ inputs: "x", parameters: { top_k: 3 } }))],
    ["a payload with an unknown strategy", "ERR_UNKNOWN_STRATEGY", () => clf.query(any({ inputs: "x", parameters: { aggregation_strategy: "bogus" } }))],
    ["a payload with a lone surrogate", "ERR_INVALID_TEXT", () => clf.query({ inputs: "\uD800" })],
    ["a delimiter with a lone surrogate", "ERR_INVALID_TEXT", () => clf.classify([["Angela", "Merkel"]], { isSplitIntoWords: true, delimiter: "\uDC00" })],
  ];
  it.each(rows)("%s rejects with %s", async (_name, code, fn) => {
    await rejectsWith(fn, code);
    await healthy();
  });

  it("a lone surrogate in the delimiter is named as the delimiter's, not as text 0's", async () => {
    const error = await clf.classify([["Paris"], ["Angela", "Merkel"]], { isSplitIntoWords: true, delimiter: "-\uD800" }).then(() => undefined, (e: unknown) => e);
    expect((error as TokClassError).code).toBe("ERR_INVALID_TEXT");
    expect((error as TokClassError).message).toContain("options.delimiter contains a lone surrogate at UTF-16 index 1");
    // A pair is fine.
    expect(await clf.classify([["Angela", "Merkel"]], { isSplitIntoWords: true, delimiter: " \u{1F600} " })).toHaveLength(1);
  });

  it("lone surrogates in a large call (decoded on worker threads) name the first bad text", async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => `Text ${i} about Angela Merkel in Paris.`);
    texts[2500] = "late \uDC00 surrogate";
    texts[1700] = "early \uD800 surrogate";
    for (let attempt = 0; attempt < 5; attempt++) {
      const error = await clf.classify(texts).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TokClassError);
      expect((error as TokClassError).code).toBe("ERR_INVALID_TEXT");
      expect((error as TokClassError).message).toContain("text 1700 ");
      expect((error as TokClassError).message).toContain("UTF-16 index 6");
    }
    await healthy();
  });
});

describe("classify: valid odd input", () => {
  it("empty and whitespace-only texts give no entities", async () => {
    expect(await clf.classify("")).toEqual([]);
    expect(await clf.classify("   \t\n\r  ")).toEqual([]);
    expect(await clf.classify(["", " ", "\u3000\u00a0"])).toEqual([[], [], []]);
    expect(await clf.classify([])).toEqual([]);
    expect(await clf.classify("", { aggregationStrategy: "none" })).toEqual([]);
    expect(await clf.classify("  ", { stride: 4 })).toEqual([]);
    await healthy();
  });

  it("NUL and control characters are text like any other", async () => {
    const text = `Sarah\u0000Parker\u0001\u0007\u001b visited \u007f\u0085Paris\u200b\ufeff \uffff`;
    for (const aggregationStrategy of ["none", "simple", "first", "average", "max"] as const) {
      const entities = await clf.classify(text, { aggregationStrategy, includeText: true });
      for (const e of entities) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeLessThanOrEqual(text.length);
        expect(e.start).toBeLessThanOrEqual(e.end);
        expect(e.text).toBe(text.slice(e.start, e.end));
      }
    }
    await healthy();
  });

  it("astral characters keep UTF-16 offsets sliceable", async () => {
    const text = "😀 Sarah 𝔘 Parker visited 🇫🇷 Paris";
    const entities = await clf.classify(text, { includeText: true, aggregationStrategy: "none" });
    expect(entities.length).toBeGreaterThan(0);
    for (const e of entities) expect(e.text).toBe(text.slice(e.start, e.end));
  });

  it("a 10 MB text finishes in reasonable time, with and without a stride", async () => {
    const unit = "Sarah Parker visited New York City and Paris. ";
    const text = unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
    expect(text.length).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    let t0 = performance.now();
    const plain = await clf.classify(text);
    const plainMs = performance.now() - t0;
    expect(Array.isArray(plain)).toBe(true);
    for (const e of plain) expect(e.end).toBeLessThanOrEqual(text.length);
    t0 = performance.now();
    const strided = await clf.classify(text, { stride: 64 });
    const stridedMs = performance.now() - t0;
    expect(strided.length).toBeGreaterThanOrEqual(plain.length);
    for (const e of strided) expect(e.end).toBeLessThanOrEqual(text.length);
    // Generous bounds for a busy 2-core CI machine (about 5 s each there; 30 s under
    // the sanitizer stage, test/helpers/time-bounds.ts): the point is "finishes".
    const bound = timeBound(60_000, 240_000);
    expect(plainMs).toBeLessThan(bound);
    expect(stridedMs).toBeLessThan(bound);
    await healthy();
  }, 600_000);

  it("a 2 MB text through every tokenizer family (WordPiece, byte-level BPE, Unigram) takes time linear in its length", async () => {
    // Metaspace replaced spaces one match at a time, each replacement moving the rest of the
    // string: 0.7 s at 190 KB, 6 s at 570 KB, ~90 s for this text with the Unigram fixture.
    // Now ~0.4 s for tokenizing, whatever the family.
    const unit = "Sarah Parker visited New York City and Paris.  ";
    const text = unit.repeat(Math.ceil((2 * 1024 * 1024) / unit.length));
    const bound = timeBound(30_000, 120_000);
    for (const name of ["bert-tiny-pos", "roberta-tiny", "xlmr-tiny"]) {
      const c = await TokenClassifier.load(join(FIXTURES, name));
      try {
        const t0 = performance.now();
        const entities = await c.classify(text, { aggregationStrategy: "none", ignoreLabels: [] });
        const ms = performance.now() - t0;
        expect(entities.length, name).toBeGreaterThan(0); // the first window's tokens
        expect(ms, name).toBeLessThan(bound);
      } finally {
        await c.dispose();
      }
    }
  }, 600_000);

  it("one 200,000-character word, astral runs and combining marks", async () => {
    for (const text of ["x".repeat(200_000), "😀".repeat(50_000), "e\u0301".repeat(50_000), "\u0301".repeat(10_000), "[CLS] [SEP] [PAD] [UNK] ##"]) {
      for (const aggregationStrategy of ["none", "first"] as const) {
        const entities = await clf.classify(text, { aggregationStrategy, stride: aggregationStrategy === "none" ? undefined : 32 });
        for (const e of entities) expect(e.end).toBeLessThanOrEqual(text.length);
      }
    }
    await healthy();
  }, 300_000);

  it("many texts in one call", async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? "" : `${SAMPLE} ${i}`));
    const results = await clf.classify(texts);
    expect(results).toHaveLength(texts.length);
    expect(results[1]).toEqual(await clf.classify(texts[1]!));
  });
});

describe("load: broken models", () => {
  const load = (dir: unknown, options?: unknown) => TokenClassifier.load(dir as never, options as never);
  const cases: [string, TokClassErrorCode, () => string, RegExp?][] = [
    ["a missing folder", "ERR_MODEL_NOT_FOUND", () => join(tmp, "does-not-exist")],
    ["a file instead of a folder", "ERR_MODEL_NOT_FOUND", () => join(MODEL, "config.json")],
    ["no model.onnx", "ERR_MODEL_NOT_FOUND", () => brokenCopy("no-onnx", (d) => unlinkSync(join(d, "model.onnx")))],
    ["an empty model.onnx", "ERR_MODEL_INVALID", () => brokenCopy("empty-onnx", (d) => writeFileSync(join(d, "model.onnx"), ""))],
    ["a garbage model.onnx", "ERR_MODEL_INVALID", () => brokenCopy("garbage-onnx", (d) => writeFileSync(join(d, "model.onnx"), Buffer.alloc(4096, 0xa7)))],
    ["a truncated model.onnx", "ERR_MODEL_INVALID", () =>
        brokenCopy("truncated-onnx", (d) => {
          const bytes = readFileSync(join(FIXTURES, "bert-tiny-uncased", "model.onnx"));
          writeFileSync(join(d, "model.onnx"), bytes.subarray(0, bytes.length >> 1));
        })],
    ["a text file as model.onnx", "ERR_MODEL_INVALID", () => brokenCopy("text-onnx", (d) => writeFileSync(join(d, "model.onnx"), '{"not": "onnx"}'))],
    ["no tokenizer.json", "ERR_MODEL_NOT_FOUND", () => brokenCopy("no-tok", (d) => unlinkSync(join(d, "tokenizer.json")))],
    // Named with its path, as config.json's errors are (a model folder has several JSON files).
    ["a tokenizer.json that is not JSON", "ERR_TOKENIZER_INVALID", () => brokenCopy("bad-tok", (d) => writeFileSync(join(d, "tokenizer.json"), '{"model": {"type": "WordPiece", ')),
      /^tokenizer file '.*bad-tok\/tokenizer\.json': invalid JSON/],
    // A folder read as an empty stream: "invalid JSON at byte 0" before.
    ["a tokenizer.json that is a folder", "ERR_MODEL_NOT_FOUND", () => brokenCopy("dir-tok", (d) => {
        unlinkSync(join(d, "tokenizer.json"));
        mkdirSync(join(d, "tokenizer.json"));
      }),
      /^the tokenizer file '.*dir-tok\/tokenizer\.json' is a directory$/],
    ["an empty tokenizer.json object", "ERR_TOKENIZER_INVALID", () => brokenCopy("empty-tok", (d) => writeFileSync(join(d, "tokenizer.json"), "{}"))],
    ["a tokenizer.json that is an array", "ERR_TOKENIZER_INVALID", () => brokenCopy("array-tok", (d) => writeFileSync(join(d, "tokenizer.json"), "[1, 2]"))],
    ["a tokenizer.json with invalid UTF-8", "ERR_TOKENIZER_INVALID", () =>
        brokenCopy("utf8-tok", (d) => {
          const bytes = readFileSync(join(d, "tokenizer.json"));
          const at = bytes.indexOf(Buffer.from('"[UNK]"'));
          bytes[at + 2] = 0xff;
          writeFileSync(join(d, "tokenizer.json"), bytes);
        })],
    ["a tokenizer.json with an unknown normalizer", "ERR_TOKENIZER_UNSUPPORTED", () => brokenCopy("unknown-normalizer", (d) => editJson(join(d, "tokenizer.json"), (t) => (t.normalizer = { type: "FancyNormalizer" }))),
      /FancyNormalizer/],
    ["a tokenizer.json with an unknown model", "ERR_TOKENIZER_UNSUPPORTED", () =>
        brokenCopy("unknown-model", (d) =>
          editJson(join(d, "tokenizer.json"), (t) => ((t.model as Record<string, unknown>).type = "SentencePieceDeluxe")),
        ),
      /SentencePieceDeluxe/],
    // Found by fuzz_tokenizer_json: one id of 2e9 made the id -> token table a 16 GB allocation.
    ["a tokenizer.json whose vocabulary has one huge id", "ERR_TOKENIZER_INVALID", () =>
      brokenCopy("sparse-vocab", (d) =>
        editJson(join(d, "tokenizer.json"), (t) => (((t.model as Record<string, unknown>).vocab as Record<string, number>)["##zz"] = 2_000_000_000)),
      )],
    ["a tokenizer.json with an unknown pre-tokenizer", "ERR_TOKENIZER_UNSUPPORTED", () => brokenCopy("unknown-pre", (d) => editJson(join(d, "tokenizer.json"), (t) => (t.pre_tokenizer = { type: "Sentencizer" }))),
      /Sentencizer/],
    ["no config.json", "ERR_MODEL_NOT_FOUND", () => brokenCopy("no-config", (d) => unlinkSync(join(d, "config.json")))],
    ["a config.json that is not JSON", "ERR_MODEL_INVALID", () => brokenCopy("bad-config", (d) => writeFileSync(join(d, "config.json"), "id2label: nope"))],
    ["a config.json without id2label", "ERR_MODEL_INVALID", () => brokenCopy("no-id2label", (d) => editJson(join(d, "config.json"), (c) => delete c.id2label))],
    ["an id2label with a gap", "ERR_MODEL_INVALID", () => brokenCopy("gap-id2label", (d) => editJson(join(d, "config.json"), (c) => (c.id2label = { "0": "O", "2": "B-PER" })))],
    ["an id2label with a non-string label", "ERR_MODEL_INVALID", () => brokenCopy("num-id2label", (d) => editJson(join(d, "config.json"), (c) => (c.id2label = { "0": "O", "1": 7 })))],
    ["an empty id2label", "ERR_MODEL_INVALID", () => brokenCopy("empty-id2label", (d) => editJson(join(d, "config.json"), (c) => (c.id2label = {})))],
    // These used to reject as ERR_INVALID_ARGUMENT about a maxLength the caller never set.
    ["a negative max_position_embeddings", "ERR_MODEL_INVALID", () => brokenCopy("neg-positions", (d) => editJson(join(d, "config.json"), (c) => (c.max_position_embeddings = -5)))],
    ["a fractional max_position_embeddings", "ERR_MODEL_INVALID", () => brokenCopy("frac-positions", (d) => editJson(join(d, "config.json"), (c) => (c.max_position_embeddings = 100.5)))],
    ["a fractional model_max_length", "ERR_MODEL_INVALID", () => brokenCopy("frac-mml", (d) => editJson(join(d, "tokenizer_config.json"), (c) => (c.model_max_length = 10.5)))],
    // Whole numbers too small for the special tokens (or, for RoBERTa, for the 2 positions it
    // reserves): the model's error, naming its file and value, not the caller's "maxLength 0".
    ["a roberta max_position_embeddings of 2", "ERR_MODEL_INVALID", () =>
        brokenCopy("roberta-2-positions", (d) => editJson(join(d, "config.json"), (c) => Object.assign(c, { model_type: "roberta", max_position_embeddings: 2 }))),
      /max_position_embeddings 2 in .*roberta-2-positions\/config\.json/],
    ["a max_position_embeddings of 1", "ERR_MODEL_INVALID", () => brokenCopy("1-position", (d) => editJson(join(d, "config.json"), (c) => (c.max_position_embeddings = 1))),
      /max_position_embeddings 1 in .*1-position\/config\.json/],
    ["a model_max_length of 2", "ERR_MODEL_INVALID", () => brokenCopy("mml-2", (d) => editJson(join(d, "tokenizer_config.json"), (c) => (c.model_max_length = 2))),
      /model_max_length 2 in .*mml-2\/tokenizer_config\.json/],
    // The model card's defaults are the model's: a bad one is not the caller's ERR_UNKNOWN_STRATEGY.
    ["a model card with an unknown aggregation_strategy", "ERR_MODEL_INVALID", () =>
        brokenCopy("card-bogus", (d) => writeFileSync(join(d, "README.md"), "---\ninference:\n  parameters:\n    aggregation_strategy: bogus\n---\n")),
      /card-bogus\/README\.md .*"bogus"/],
    // It was a bare EISDIR Error.
    ["a README.md that cannot be read (a folder)", "ERR_MODEL_INVALID", () => brokenCopy("card-folder", (d) => mkdirSync(join(d, "README.md"))), /card-folder\/README\.md/],
  ];
  it.each(cases)("%s rejects with %s", async (_name, code, make, message) => {
    const dir = make();
    await rejectsWith(() => load(dir), code, message);
    await healthy();
  });

  it("labels missing from id2label (fewer labels than the model's classes) reject with ERR_MODEL_INVALID", async () => {
    const dir = brokenCopy("short-id2label", (d) =>
      editJson(join(d, "config.json"), (c) => (c.id2label = { "0": "O", "1": "B-PER", "2": "I-PER" })),
    );
    // The class count is known at load for a static graph; a dynamic one is caught at the
    // first classify. Either way: ERR_MODEL_INVALID, never a crash or an out-of-range label.
    let loaded: TokenClassifier | undefined;
    try {
      loaded = await TokenClassifier.load(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(TokClassError);
      expect((error as TokClassError).code).toBe("ERR_MODEL_INVALID");
    }
    if (loaded) {
      await rejectsWith(() => loaded!.classify(SAMPLE), "ERR_MODEL_INVALID");
      await loaded.dispose();
    }
    await healthy();
  });

  it.each([
    ["a non-string folder", () => load(42)],
    ["an empty folder name", () => load("")],
    ["an unknown load option", () => load(MODEL, { devise: "cpu" })],
    ["an unknown device", () => load(MODEL, { device: "tpu" })],
    ["a negative deviceId", () => load(MODEL, { deviceId: -1 })],
    ["a tiny maxLength", () => load(MODEL, { maxLength: 1 })],
    // 512 positions: it loaded, then the first text past 512 tokens failed inside the model.
    ["a maxLength past the model's positions", () => load(MODEL, { maxLength: 513 })],
    ["a fractional tokenBudget", () => load(MODEL, { tokenBudget: 1.5 })],
    ["a zero maxBatchSize", () => load(MODEL, { maxBatchSize: 0 })],
    ["a zero runCostTokens", () => load(MODEL, { runCostTokens: 0 })],
    ["a fractional runCostTokens", () => load(MODEL, { runCostTokens: 2.5 })],
    ["a zero hostThreads", () => load(MODEL, { hostThreads: 0 })],
    ["an unknown graph level", () => load(MODEL, { graphOptimizationLevel: "max" })],
    ["a negative batchWaitMs", () => load(MODEL, { batchWaitMs: -1 })],
    ["a zero maxTextLength", () => load(MODEL, { maxTextLength: 0 })],
    ["a maxTextLength past V8's longest string", () => load(MODEL, { maxTextLength: 2 ** 30 })],
    ["options as a string", () => load(MODEL, "cpu")],
  ] as const)("%s rejects with ERR_INVALID_ARGUMENT", async (_name, fn) => {
    await rejectsWith(fn, "ERR_INVALID_ARGUMENT");
    await healthy();
  });

  it.each(["toString", "__proto__", "hasOwnProperty", "constructor"])(
    "graphOptimizationLevel %j (a key every object inherits) rejects naming the levels",
    async (level) => {
      // `level in GRAPH_LEVELS` let these through, and the addon then said "must be a number".
      const error = await rejectsWith(() => load(MODEL, { graphOptimizationLevel: level }), "ERR_INVALID_ARGUMENT");
      expect(error.message).toContain('options.graphOptimizationLevel');
      expect(error.message).toContain('"disable", "basic", "extended" or "all"');
    },
  );

  it("the caller's maxLength wins over a model_max_length too small; too small itself, it is the caller's ERR_INVALID_ARGUMENT", async () => {
    const dir = brokenCopy("mml-2-overridden", (d) => editJson(join(d, "tokenizer_config.json"), (c) => (c.model_max_length = 2)));
    const overridden = await TokenClassifier.load(dir, { maxLength: 4 });
    try {
      expect(overridden.info().maxLength).toBe(4);
    } finally {
      await overridden.dispose();
    }
    // Natively: a window with no room for text is the caller's error unless it came from a model file.
    const config = rawClassifierConfig(MODEL, defaultRuntimeLibrary());
    const codeOf = (c: NativeClassifierConfig) => native().ClassifierHandle.load(c).then(() => undefined, (e: { code?: string }) => e.code);
    expect(await codeOf({ ...config, maxLength: 2 })).toBe("ERR_INVALID_ARGUMENT");
    expect(await codeOf({ ...config, maxLength: 2, maxLengthOrigin: "model_max_length 2 in tokenizer_config.json" })).toBe("ERR_MODEL_INVALID");
  });

  it("a maxLength that leaves no room for text rejects", async () => {
    // 4 is the smallest accepted by the options; BERT adds 2 special tokens, so this loads, and
    // a stride of 2 no longer fits.
    const small = await TokenClassifier.load(MODEL, { maxLength: 4 });
    await rejectsWith(() => small.classify(SAMPLE, { stride: 2 }), "ERR_STRIDE_TOO_LARGE");
    expect(Array.isArray(await small.classify(SAMPLE, { stride: 1 }))).toBe(true);
    await small.dispose();
  });

  it('device "cuda" without CUDA rejects with ERR_DEVICE_UNAVAILABLE and says what is missing', async () => {
    // On a machine where CUDA does work (a CUDA build of ONNX Runtime via TOKCLASS_ORT_LIBRARY
    // and a GPU), the load succeeds and there is nothing to check here.
    const attempt = await load(MODEL, { device: "cuda" }).then(
      (c) => c,
      () => undefined,
    );
    if (attempt) {
      await attempt.dispose();
      return;
    }
    const error = await rejectsWith(() => load(MODEL, { device: "cuda" }), "ERR_DEVICE_UNAVAILABLE");
    expect(error.message).toMatch(/cuda/i);
    // Names what to install or where: a provider library, the CUDA runtime, or a GPU.
    expect(error.message).toMatch(/libonnxruntime_providers_cuda|libcudart|libcublas|libcudnn|GPU|driver/i);
    await healthy();
  });
});

describe("texts longer than maxTextLength", () => {
  // Tokenizing one text peaks at ~80 bytes per character: without a limit a string of a few
  // hundred million characters exhausted memory instead of failing.
  it("reject with ERR_INVALID_TEXT naming the text, before any tokenizing", async () => {
    const small = await TokenClassifier.load(MODEL, { maxTextLength: 12 });
    try {
      expect(await small.classify("Angela Paris")).toEqual(await clf.classify("Angela Paris"));  // exactly 12
      await rejectsWith(() => small.classify("Angela Merkel"), "ERR_INVALID_TEXT");
      // A call without options uses options resolved once per classifier: the same error.
      const bare = await small.classify("Angela Merkel").then(() => undefined, (e: unknown) => e);
      const withOptions = await small.classify("Angela Merkel", {}).then(() => undefined, (e: unknown) => e);
      expect(bare).toBeInstanceOf(TokClassError);
      expect((bare as TokClassError).message).toBe((withOptions as TokClassError).message);
      const error = await small.classify(["Paris", "Angela Merkel"]).then(() => undefined, (e: unknown) => e);
      expect((error as TokClassError).message).toContain("text 1 is 13 UTF-16 code units long");
      // A word list counts its words and the delimiters that join them: 6 + 1 + 6 = 13.
      await rejectsWith(() => small.classify([["Angela", "Merkel"]], { isSplitIntoWords: true }), "ERR_INVALID_TEXT");
      expect(await small.classify([["Angela", "Paris"]], { isSplitIntoWords: true })).toHaveLength(1);
      await rejectsWith(() => small.query({ inputs: "Angela Merkel" }), "ERR_INVALID_TEXT");
    } finally {
      await small.dispose();
    }
  });

  it("the default limit, 2^24, holds for classify and for the tokenizer alone", async () => {
    const huge = "x".repeat(2 ** 24 + 1);  // one word: without the limit it classifies to []
    await rejectsWith(() => clf.classify(huge), "ERR_INVALID_TEXT");
    const tok = await Tokenizer.fromFile(join(MODEL, "tokenizer.json"));
    await rejectsWith(() => tok.encode(huge), "ERR_INVALID_TEXT");
    await healthy();
  });
});

describe("stride windows over maxWindowTokens", () => {
  // Each window repeats `stride` tokens of the one before, so a stride close to the window
  // multiplies a text's tokens up to maxLength times, at ~140 bytes per window token: unchecked,
  // a text of maxTextLength at stride 500 of 512 would ask for ~20 GB, where running out kills
  // the process rather than failing the call.
  const LONG = "Sarah Parker visited New York City and Paris. ".repeat(300);
  const WINDOWED = { stride: 100, fullText: true } as const;

  it("a text whose windows would hold more tokens rejects with ERR_INVALID_TEXT naming it, before any window is built; one at the limit runs", async () => {
    const before = clf.stats();
    const expected = await clf.classify(LONG, WINDOWED);
    // What the windows hold, as the engine counted it while running them (special tokens in).
    const windowTokens = clf.stats().tokens - before.tokens;
    const windows = clf.stats().windows - before.windows;
    expect(windows).toBeGreaterThan(3);
    const atLimit = await TokenClassifier.load(MODEL, { maxWindowTokens: windowTokens });
    const below = await TokenClassifier.load(MODEL, { maxWindowTokens: windowTokens - 1 });
    const off = await TokenClassifier.load(MODEL, { maxWindowTokens: 0 });
    try {
      expect(await atLimit.classify(LONG, WINDOWED)).toEqual(expected);
      const error = await rejectsWith(() => below.classify([SAMPLE, LONG], WINDOWED), "ERR_INVALID_TEXT", /maxWindowTokens/);
      expect(error.textIndex).toBe(1);
      expect(error.message).toContain(`text 1 needs ${windows} windows of up to 512 tokens at stride 100, ${windowTokens} tokens in all`);
      expect(below.stats().windows).toBe(0);  // refused before its windows were made
      // Texts within the limit, and the pipeline's default windowing (it stops at the first
      // window's length), are untouched.
      expect(await below.classify(SAMPLE, WINDOWED)).toEqual(await clf.classify(SAMPLE, WINDOWED));
      expect(await below.classify(LONG, { stride: 100 })).toEqual(await clf.classify(LONG, { stride: 100 }));
      expect(await off.classify(LONG, WINDOWED)).toEqual(expected);  // 0: no limit
    } finally {
      await Promise.all([atLimit.dispose(), below.dispose(), off.dispose()]);
    }
    await healthy();
  });

  it("the default, 2^23 tokens, refuses a long text at a stride close to the window at once", async () => {
    // ~300,000 tokens at stride 500 of 510: 15.3M window tokens, ~2 GB of windows.
    const text = "Sarah Parker visited Paris. ".repeat(60_000);
    const t0 = performance.now();
    await rejectsWith(() => clf.classify(text, { stride: 500, fullText: true }), "ERR_INVALID_TEXT", /maxWindowTokens \(8388608\)/);
    expect(performance.now() - t0).toBeLessThan(timeBound(20_000, 60_000));
    await healthy();
  });

  it("a limit that is not a whole number >= 0 is refused at load", async () => {
    for (const bad of [-1, 1.5, "100", Number.NaN]) {
      await rejectsWith(() => TokenClassifier.load(MODEL, { maxWindowTokens: bad as number }), "ERR_INVALID_ARGUMENT", /options\.maxWindowTokens/);
    }
  });
});

describe("arrays are read once, into arrays of tokclass's own", () => {
  /** An array whose element 0 is a getter: `first` on the first read, `later` after it. */
  function fickle(first: unknown, later: unknown): { array: unknown[]; reads: () => number } {
    let reads = 0;
    const array: unknown[] = [];
    Object.defineProperty(array, 0, { enumerable: true, get: () => (reads++ === 0 ? first : later) });
    return { array, reads: () => reads };
  }

  it("a Proxy of an array (Array.isArray is true for it) is taken as the array: texts, words, labels, payloads, the tokenizer", async () => {
    const texts = [SAMPLE, "Paris"];
    const words = SAMPLE.split(" ");
    const proxy = <T extends object>(target: T): T => new Proxy(target, {});
    expect(await clf.classify(proxy(texts))).toEqual(await clf.classify(texts));
    expect(await clf.classify(proxy(words), { isSplitIntoWords: true })).toEqual(await clf.classify(words, { isSplitIntoWords: true }));
    expect(await clf.classify(proxy([proxy(words)]), { isSplitIntoWords: true })).toEqual(await clf.classify([words], { isSplitIntoWords: true }));
    expect(await clf.classify(SAMPLE, { ignoreLabels: proxy(["O"]) })).toEqual(baseline);
    expect(await clf.query({ inputs: proxy(texts) })).toEqual(await clf.query({ inputs: texts }));
    const tok = await Tokenizer.fromFile(join(MODEL, "tokenizer.json"));
    expect(await tok.encode(proxy(texts))).toEqual(await tok.encode(texts));
    const tokens = (await tok.encode(SAMPLE)).tokens;
    expect(await tok.decode(proxy(tokens))).toBe(await tok.decode(tokens));
    // Its length is whatever its trap says: read as the loop reads it, never as an array size
    // (new Array(-1) throws a RangeError, new Array("2") is ["2"]).
    const lying = (length: unknown): string[] => new Proxy(texts, { get: (t, k) => (k === "length" ? length : Reflect.get(t, k)) });
    expect(await clf.classify(lying(-1))).toEqual([]);
    expect(await clf.classify(lying("2"))).toEqual(await clf.classify(texts));
    expect(await clf.classify(lying(1.5))).toEqual(await clf.classify(texts));
  });

  it("each element is read exactly once: a getter that answers a string, then a number, classifies the string", async () => {
    // It used to pass the check on its first read and reach the length check as the number
    // ("TypeError: t is not iterable").
    const text = fickle(SAMPLE, 42);
    expect(await clf.classify(text.array as string[])).toEqual([baseline]);
    expect(text.reads()).toBe(1);
    const word = fickle("Sarah", 42);
    const words = [word.array as string[]];
    expect(await clf.classify(words, { isSplitIntoWords: true })).toEqual(await clf.classify([["Sarah"]], { isSplitIntoWords: true }));
    expect(word.reads()).toBe(1);
    const encoded = fickle(SAMPLE, 42);
    const tok = await Tokenizer.fromFile(join(MODEL, "tokenizer.json"));
    expect(await tok.encode(encoded.array as string[])).toEqual(await tok.encode([SAMPLE]));
    expect(encoded.reads()).toBe(1);
    // The other way round, a number first: refused, whatever a later read would say.
    await rejectsWith(() => clf.classify(fickle(42, SAMPLE).array as string[]), "ERR_INVALID_ARGUMENT");
    await healthy();
  });
});

describe("query: parameters as the hosted API (Python) reads them", () => {
  it("a parameter sent as null is not set, as None is to the pipeline", async () => {
    const plain = await clf.query({ inputs: SAMPLE });
    for (const key of ["aggregation_strategy", "ignore_labels", "stride", "grouped_entities", "ignore_subwords", "is_split_into_words", "delimiter"]) {
      expect(await clf.query({ inputs: SAMPLE, parameters: { [key]: null } } as never), key).toEqual(plain);
    }
    // A null legacy parameter is no legacy parameter: no clash with aggregation_strategy.
    const first = await clf.query({ inputs: SAMPLE, parameters: { aggregation_strategy: "first" } });
    expect(await clf.query({ inputs: SAMPLE, parameters: { aggregation_strategy: "first", grouped_entities: null } } as never)).toEqual(first);
    expect(usesLegacyParameters({ grouped_entities: null, ignore_subwords: null })).toBe(false);
    expect(usesLegacyParameters({ grouped_entities: false })).toBe(true);
  });

  it("aggregation_strategy in any case, as transformers' AggregationStrategy[name.upper()]", async () => {
    for (const name of STRATEGIES) {
      const exact = await clf.query({ inputs: SAMPLE, parameters: { aggregation_strategy: name } });
      for (const spelt of [name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1)]) {
        expect(await clf.query({ inputs: SAMPLE, parameters: { aggregation_strategy: spelt } } as never), spelt).toEqual(exact);
      }
    }
    await rejectsWith(() => clf.query({ inputs: SAMPLE, parameters: { aggregation_strategy: "SIMPLER" } } as never), "ERR_UNKNOWN_STRATEGY");
    // classify()'s own option is exact, as its type says ("an upper-case strategy" above).
  });

  it("the hosted API's four request options are accepted (booleans or null) and change nothing", async () => {
    const plain = await clf.query({ inputs: SAMPLE });
    // dont_load_model and use_gpu were refused as unknown, though the server takes them.
    const options = { use_cache: false, wait_for_model: true, dont_load_model: true, use_gpu: false };
    expect(await clf.query({ inputs: SAMPLE, options })).toEqual(plain);
    expect(await clf.query({ inputs: SAMPLE, options: { use_cache: null, dont_load_model: null } })).toEqual(plain);
    for (const key of Object.keys(options)) {
      await expect(clf.query({ inputs: SAMPLE, options: { [key]: "no" } } as never), key).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        message: `Expected a boolean for payload.options.${key}, received the string "no"`,
      });
    }
    await rejectsWith(() => clf.query({ inputs: SAMPLE, options: { use_gpus: true } } as never), "ERR_INVALID_ARGUMENT");
  });
});

describe("Tokenizer: bad input", () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await Tokenizer.fromFile(join(MODEL, "tokenizer.json"));
  });
  it.each([
    ["a missing file", "ERR_MODEL_NOT_FOUND", () => Tokenizer.fromFile(join(tmp, "nope.json"))],
    ["a lone surrogate", "ERR_INVALID_TEXT", () => tok.encode("a\uD800")],
    ["a number", "ERR_INVALID_ARGUMENT", () => tok.encode(7 as never)],
    ["a stride past maxLength", "ERR_STRIDE_TOO_LARGE", () => tok.encode(SAMPLE, { maxLength: 6, stride: 10, returnOverflowing: true })],
    // Each of these used to pass: read as "no limit", cut to an integer, or the flag taken as false.
    ["maxLength 0", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { maxLength: 0 })],
    ["a fractional maxLength", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { maxLength: 8.5 })],
    ["a NaN maxLength", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { maxLength: Number.NaN })],
    ["an infinite maxLength", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { maxLength: Number.POSITIVE_INFINITY })],
    ["a negative stride", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { maxLength: 8, stride: -1 })],
    ["returnOverflowing not a boolean", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { returnOverflowing: 1 as never })],
    ["addSpecialTokens not a boolean", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { addSpecialTokens: "no" as never })],
    ["an unknown option", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, { max_length: 8 } as never)],
    ["options as a string", "ERR_INVALID_ARGUMENT", () => tok.encode(SAMPLE, "x" as never)],
  ] as const)("%s rejects with %s", async (_name, code, fn) => {
    await rejectsWith(fn, code);
    await healthy();
  });
  it("lone surrogates (decoded on the worker) name the first bad text", async () => {
    const error = await tok.encode(["fine", "early \uD800", "late \uDC00"]).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TokClassError);
    expect((error as TokClassError).code).toBe("ERR_INVALID_TEXT");
    expect((error as TokClassError).message).toContain("text 1 ");
    expect((error as TokClassError).message).toContain("UTF-16 index 6");
  });
  it("lone surrogates in a call spread over the cores name the first bad text, not the first found", async () => {
    // Text 300's surrogate ends 4M characters of text, so another thread meets text 1,500's
    // (at its start) long before: the error must still be text 300's.
    const texts = Array.from({ length: 2000 }, (_, i) => `sentence ${i} of the call`);
    texts[300] = "word ".repeat(800_000) + "\uD800";
    texts[1500] = "\uDC00 late";
    const error = await tok.encode(texts).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TokClassError);
    expect((error as TokClassError).code).toBe("ERR_INVALID_TEXT");
    expect((error as TokClassError).message).toContain("text 300 ");
  });
  it("idToToken: a whole number >= 0 it does not have is undefined; anything else is ERR_INVALID_ARGUMENT", () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(TokClassError);
        return (e as TokClassError).code;
      }
      return undefined;
    };
    // These used to name a token: 1.5 -> "[UNK]" (cut to 1), NaN and Infinity -> "[PAD]" (read as 0).
    for (const id of [1.5, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "1", null, undefined, 1n]) {
      expect(codeOf(() => tok.idToToken(id as never)), String(id)).toBe("ERR_INVALID_ARGUMENT");
    }
    const json = JSON.parse(readFileSync(join(MODEL, "tokenizer.json"), "utf8")) as { model: { vocab: Record<string, number> }; added_tokens: { id: number }[] };
    const size = Math.max(...Object.values(json.model.vocab), ...json.added_tokens.map((t) => t.id)) + 1;
    // 2^32 + 5 wrapped to 5 natively.
    for (const id of [size, 2 ** 32, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) expect(tok.idToToken(id), String(id)).toBeUndefined();
    for (const id of [0, 5, size - 1]) expect(tok.tokenToId(tok.idToToken(id)!)).toBe(id);
  });

  it("unknown ids and tokens are undefined, empty input is fine", async () => {
    expect(tok.idToToken(1e9)).toBeUndefined();
    expect(tok.tokenToId("definitely-not-a-token-\u{1F600}")).toBeUndefined();
    expect(await tok.decode([])).toBe("");
    const e = await tok.encode("");
    expect(e.ids.length).toBe(2); // [CLS] [SEP]
  });

  it("decode runs off the JS thread, refuses a lone surrogate; tokenToId takes strings only", async () => {
    // A promise (a million tokens held the JS thread for over 200 ms when decode was synchronous).
    const decoding = tok.decode(["Sa", "##rah"]);
    expect(decoding).toBeInstanceOf(Promise);
    expect(await decoding).toBe("Sarah");
    // It was decoded as U+FFFD, silently.
    await rejectsWith(() => tok.decode(["ok", "a\uD800"]), "ERR_INVALID_TEXT", /^tokens\[1\] contains a lone surrogate at UTF-16 index 1$/);
    // Token strings and ids do not mix; ids are whole numbers that fit 32 bits.
    await rejectsWith(() => tok.decode(["ok", 5 as never]), "ERR_INVALID_ARGUMENT");
    await rejectsWith(() => tok.decode([5, "ok" as never]), "ERR_INVALID_ARGUMENT", /ids\[1\]/);
    for (const id of [-1, 1.5, 2 ** 32, NaN]) await rejectsWith(() => tok.decode([id]), "ERR_INVALID_ARGUMENT");
    await rejectsWith(() => tok.decode([5], { skipSpecialTokens: "yes" } as never), "ERR_INVALID_ARGUMENT");
    await rejectsWith(() => tok.decode([5], { skip: true } as never), "ERR_INVALID_ARGUMENT");
    await rejectsWith(() => tok.decode(["ok"] as never, { skipSpecialTokens: true }), "ERR_INVALID_ARGUMENT");
    // An array of 2^32 - 1 holes is refused at once: telling ids from token strings by scanning
    // past holes took 80 s, and copying before checking would ask for 16 GB.
    const started = performance.now();
    await rejectsWith(() => tok.decode(holes() as never), "ERR_INVALID_ARGUMENT", /ids\[0\]/);
    expect(performance.now() - started).toBeLessThan(timeBound(1000, 3000));
    // Ids are told by their first element (a string is a token, anything else an id), or by
    // options (for ids only).
    await rejectsWith(() => tok.decode([, 5, 6] as never), "ERR_INVALID_ARGUMENT", /ids\[0\]/);
    expect(await tok.decode([], { skipSpecialTokens: true })).toBe("");
    const ids = Array.from((await tok.encode("Sarah Parker")).ids);
    expect(await tok.decode(new Uint16Array(ids))).toBe(await tok.decode(ids));
    // 5, nothing, or an object whose toString names a token gave undefined, as if looked up.
    for (const token of [5, undefined, { toString: () => "Paris" }]) {
      expect(() => tok.tokenToId(token as never), String(token)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARGUMENT" }));
    }
  });
});

describe("raw addon: unvalidated calls get errors, not crashes", () => {
  let handle: NativeClassifier;
  const config = (): NativeClassifierConfig => rawClassifierConfig(MODEL, defaultRuntimeLibrary());
  beforeAll(async () => {
    handle = await native().ClassifierHandle.load(config());
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  /** Raw calls may throw synchronously or reject; either way an Error with a code, no crash. */
  async function errs(fn: () => unknown): Promise<void> {
    let error: unknown;
    try {
      await fn();
    } catch (e) {
      error = e;
    }
    expect(error, "expected an error").toBeInstanceOf(Error);
    expect(typeof (error as { code?: unknown }).code).toBe("string");
  }

  const raw = (): Record<string, (...args: unknown[]) => unknown> => handle as never;
  it.each([
    ["classify()", () => raw().classify!()],
    ["classify(42, {}, true)", () => raw().classify!(42, {}, true)],
    ["classify([1], {}, true)", () => raw().classify!([1], { aggregationStrategy: "simple", ignoreLabels: [] }, true)],
    ["classify(texts, null)", () => raw().classify!(["x"], null, true)],
    ["classify with strategy 5", () => raw().classify!(["x"], { aggregationStrategy: 5, ignoreLabels: [] }, true)],
    ["classify with strategy bogus", () => raw().classify!(["x"], { aggregationStrategy: "bogus", ignoreLabels: [] }, true)],
    ["classify with ignoreLabels 'O'", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: "O" }, true)],
    ["classify with stride -1", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [], stride: -1 }, true)],
    ["classify with stride NaN", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [], stride: NaN }, true)],
    ["classify with stride 1e20", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [], stride: 1e20 }, true)],
    ["classify with stride 2^32+1", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [], stride: 2 ** 32 + 1 }, true)],
    ["classify with a lone surrogate", () => raw().classify!(["\uD800"], { aggregationStrategy: "simple", ignoreLabels: [] }, true)],
    ["classify with cancel id 0", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [] }, true, 0)],
    ["classify with cancel id 1.5", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [] }, true, 1.5)],
    ["classify with cancel id 2^32", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [] }, true, 2 ** 32)],
    ["classify with cancel id 'a'", () => raw().classify!(["x"], { aggregationStrategy: "simple", ignoreLabels: [] }, true, "a")],
    ["classify with a cancel id in use", async () => {
      const params = { aggregationStrategy: "simple", ignoreLabels: [] };
      const first = raw().classify!(["x"], params, true, 7) as Promise<unknown>;
      try {
        await raw().classify!(["y"], params, true, 7);
      } finally {
        await first;
      }
    }],
    ["cancel(NaN)", () => raw().cancel!(NaN)],
    ["cancel()", () => raw().cancel!()],
    ["ClassifierHandle.load()", () => (native().ClassifierHandle.load as (...a: unknown[]) => unknown)()],
    ["ClassifierHandle.load(null)", () => native().ClassifierHandle.load(null as never)],
    ["ClassifierHandle.load({})", () => native().ClassifierHandle.load({} as never)],
    ["ClassifierHandle.load(modelPath: 5)", () => native().ClassifierHandle.load({ ...config(), modelPath: 5 as never })],
    ["ClassifierHandle.load(labels: [])", () => native().ClassifierHandle.load({ ...config(), labels: [] })],
    ["ClassifierHandle.load(labels: [1])", () => native().ClassifierHandle.load({ ...config(), labels: [1 as never] })],
    ["ClassifierHandle.load(maxLength: -1)", () => native().ClassifierHandle.load({ ...config(), maxLength: -1 })],
    ["ClassifierHandle.load(maxLength: 2)", () => native().ClassifierHandle.load({ ...config(), maxLength: 2 })],
    ["ClassifierHandle.load(device: 'tpu')", () => native().ClassifierHandle.load({ ...config(), device: "tpu" as never })],
    ["ClassifierHandle.load(runtimeLibrary: missing)", () => native().ClassifierHandle.load({ ...config(), runtimeLibrary: "/nonexistent/libonnxruntime.so.1" })],
    ["TokenizerHandle.load(5)", () => native().TokenizerHandle.load(5 as never)],
    ["TokenizerHandle.load(missing)", () => native().TokenizerHandle.load("/nonexistent/tokenizer.json")],
  ] as const)("%s", async (_name, fn) => {
    await errs(fn);
    await healthy();
  });

  it.each([
    ["tokenBudget: 0", { tokenBudget: 0 }],
    ["maxBatchSize: 0", { maxBatchSize: 0 }],
    ["tokenBudget: 1", { tokenBudget: 1 }],
    ["runCostTokens: 2^53", { runCostTokens: Number.MAX_SAFE_INTEGER }],
  ] as const)("a raw handle loaded with %s classifies or errors, never hangs or crashes", async (_name, extra) => {
    let h: NativeClassifier | undefined;
    try {
      h = await native().ClassifierHandle.load({ ...config(), ...extra });
    } catch (e) {
      expect(typeof (e as { code?: unknown }).code).toBe("string");
    }
    if (h) {
      try {
        const r = await h.classify([SAMPLE, "", SAMPLE.repeat(20)], { aggregationStrategy: "simple", ignoreLabels: ["O"] } as unknown as NativeClassifyParams, true);
        expect(r).toHaveLength(3);
      } catch (e) {
        expect(typeof (e as { code?: unknown }).code).toBe("string");
      }
      await h.dispose();
    }
    await healthy();
  }, 30_000);

  it("raw tokenizer handle calls with wrong types", async () => {
    const tok = (await native().TokenizerHandle.load(join(MODEL, "tokenizer.json"))) as unknown as Record<string, (...a: unknown[]) => unknown>;
    await errs(() => tok.encode!(5));
    await errs(() => tok.encode!([5]));
    await errs(() => tok.encode!(["x"], { maxLength: -1 }));
    // Past the TypeScript checks: casting these to size_t would be undefined behaviour (UBSan
    // reports it in the sanitizer stage), and a flag that is not a boolean must not read as false.
    for (const maxLength of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 64, 7.5]) await errs(() => tok.encode!(["x"], { maxLength }));
    await errs(() => tok.encode!(["x"], { stride: Number.NaN }));
    await errs(() => tok.encode!(["x"], { returnOverflowing: 1 }));
    await errs(() => tok.encode!(["x"], { addSpecialTokens: "no" }));
    await errs(() => tok.encode!(["x"], { maxLength: 4, stride: 100, returnOverflowing: true }));
    await errs(() => tok.decode!(5));
    await errs(() => tok.decode!([5]));
    // Whole numbers past 2^32 are no ids (they wrapped: 2^32 + 5 named token 5), nor are fractions.
    for (const v of [2 ** 32, 2 ** 32 + 5, 2 ** 53, 5.5]) expect(tok.idToToken!(v), String(v)).toBeUndefined();
    expect(tok.idToToken!(5)).toEqual(expect.any(String));
    // Lookups of odd values: an error or undefined, never a crash.
    for (const v of [-1, 1e20, NaN, "x", null]) {
      try {
        expect(tok.idToToken!(v)).toBeUndefined();
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
      try {
        tok.tokenToId!(v);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
    await healthy();
  });

  it("a disposed raw handle rejects with ERR_DISPOSED, twice disposed is fine", async () => {
    const h = await native().ClassifierHandle.load(config());
    await h.dispose();
    await h.dispose();
    const error = await h.classify(["x"], { aggregationStrategy: "simple", ignoreLabels: [] } as unknown as NativeClassifyParams, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe("ERR_DISPOSED");
    expect(() => h.info()).toThrow();
    await healthy();
  });
});

describe("dispose during classify", () => {
  it("in-flight calls settle cleanly, later calls reject with ERR_DISPOSED", async () => {
    const c = await TokenClassifier.load(MODEL);
    const texts = Array.from({ length: 200 }, (_, i) => `${SAMPLE} number ${i}`);
    const inflight = Array.from({ length: 20 }, () =>
      c.classify(texts).then(
        (r) => ({ ok: true as const, n: r.length }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
    );
    const disposing = c.dispose();
    expect(c.dispose()).toBe(disposing); // idempotent: the same promise
    await rejectsWith(() => c.classify(SAMPLE), "ERR_DISPOSED");
    await rejectsWith(() => c.query({ inputs: SAMPLE }), "ERR_DISPOSED");
    expect(() => c.info()).toThrow(TokClassError);
    const settled = await Promise.all(inflight);
    await disposing;
    for (const s of settled) {
      if (s.ok) expect(s.n).toBe(texts.length);
      else {
        expect(s.e).toBeInstanceOf(TokClassError);
        expect((s.e as TokClassError).code).toBe("ERR_DISPOSED");
      }
    }
    await rejectsWith(() => c.classify(SAMPLE), "ERR_DISPOSED");
    await healthy();
  });

  it("dispose right after load, and many load/dispose races", async () => {
    for (let i = 0; i < 5; i++) {
      const c = await TokenClassifier.load(MODEL);
      const p = c.classify(SAMPLE).catch((e: unknown) => e);
      await c.dispose();
      const r = await p;
      if (r instanceof Error) expect((r as TokClassError).code).toBe("ERR_DISPOSED");
      else expect(r).toEqual(baseline);
    }
    await healthy();
  });
});
