// An error about one text of a call carries that text's index as `textIndex`, whether the
// check that raised it runs in TypeScript (the length limit) or natively (a lone surrogate, a
// text that is not a string), and its message names the same text first ("text <index> ...").
// Errors about anything else carry no textIndex at all.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRuntimeLibrary, native, toTokClassError, type NativeClassifier, type NativeClassifyParams } from "../../src/binding.js";
import { TokClassError, TokenClassifier, Tokenizer } from "../../src/index.js";
import { rawClassifierConfig } from "../helpers/native-config.js";

const MODEL = join(import.meta.dirname, "..", "fixtures", "models", "bert-tiny-bioes");

/** What `promise` rejects with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<TokClassError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokClassError);
  return error as TokClassError;
}

describe("TokClassError.textIndex", () => {
  let clf: TokenClassifier;
  let short: TokenClassifier;
  beforeAll(async () => {
    clf = await TokenClassifier.load(MODEL);
    short = await TokenClassifier.load(MODEL, { maxTextLength: 12 });
  });
  afterAll(async () => {
    await clf?.dispose();
    await short?.dispose();
  });

  it("a lone surrogate in the third text (found natively): textIndex 2", async () => {
    const texts = ["Angela Merkel", "in Paris", "x \uD800 y"];
    for (const error of [await rejection(clf.classify(texts)), await rejection(clf.query({ inputs: texts }))]) {
      expect(error.code).toBe("ERR_INVALID_TEXT");
      expect(error.textIndex).toBe(2);
      expect(error.message).toBe("text 2 contains a lone surrogate at UTF-16 index 2");
    }
    // A word list's index, with isSplitIntoWords.
    const lists = [["Angela"], ["Paris"], ["x", "\uDC00"]];
    const words = await rejection(clf.classify(lists, { isSplitIntoWords: true }));
    expect(words.textIndex).toBe(2);
    // The position is in the word, so the word is named.
    expect(words.message).toBe("text 2 contains a lone surrogate at UTF-16 index 0 of word 1");
    const third = await rejection(clf.classify([["abc", "defg", "hi\uDC00"]], { isSplitIntoWords: true }));
    expect(third).toMatchObject({ textIndex: 0, message: "text 0 contains a lone surrogate at UTF-16 index 2 of word 2" });
  });

  it("the tokenizer's lone surrogate: textIndex too", async () => {
    const tok = await Tokenizer.fromFile(join(MODEL, "tokenizer.json"));
    const error = await rejection(tok.encode(["fine", "fine", "late \uDC00"]));
    expect(error.textIndex).toBe(2);
    expect(error.message).toMatch(/^text 2 /);
  });

  it("a text over maxTextLength (checked in TypeScript): textIndex of that text", async () => {
    const error = await rejection(short.classify(["Paris", "Angela", "Angela Merkel"]));
    expect(error.code).toBe("ERR_INVALID_TEXT");
    expect(error.textIndex).toBe(2);
    expect(error.message).toMatch(/^text 2 is 13 UTF-16 code units long/);
    const payload = await rejection(short.query({ inputs: ["Angela Merkel"] }));
    expect(payload.textIndex).toBe(0);
  });

  it("an item that is not a text (checked in TypeScript): textIndex, and what it was", async () => {
    const texts = ["Angela Merkel", 5] as unknown as string[];
    const plain = await rejection(clf.classify(texts));
    expect(plain).toMatchObject({ code: "ERR_INVALID_ARGUMENT", textIndex: 1, message: "text 1 is not a string (text[1] is number 5)" });
    const payload = await rejection(clf.query({ inputs: texts }));
    expect(payload).toMatchObject({ textIndex: 1, message: "text 1 is not a string (payload.inputs[1] is number 5)" });
    const lists = await rejection(clf.classify([["Angela"], "Merkel"] as unknown as string[][], { isSplitIntoWords: true }));
    expect(lists).toMatchObject({ textIndex: 1, message: 'text 1 is not an array of strings (a word list) (words[1] is the string "Merkel")' });
    // One word list with a bad word: the list is text 0, and the word is named (not the first).
    const word = await rejection(clf.classify(["Angela", "Merkel", 5] as unknown as string[], { isSplitIntoWords: true }));
    expect(word).toMatchObject({ textIndex: 0, message: "text 0 is not an array of strings (a word list) (words[2] is number 5)" });
    // Not an array at all: about no one text.
    expect("textIndex" in (await rejection(clf.classify(5 as unknown as string)))).toBe(false);
  });

  it("errors about no one text have no textIndex key", async () => {
    const strategy = await rejection(clf.classify(["x"], { aggregationStrategy: "bogus" as never }));
    const stride = await rejection(clf.classify(["x"], { aggregationStrategy: "none", stride: 2 }));
    for (const error of [strategy, stride]) expect("textIndex" in error).toBe(false);
  });
});

describe("the raw addon's errors about one text", () => {
  let handle: NativeClassifier;
  const params = { aggregationStrategy: "simple", ignoreLabels: [] } as unknown as NativeClassifyParams;
  beforeAll(async () => {
    handle = await native().ClassifierHandle.load(rawClassifierConfig(MODEL, defaultRuntimeLibrary()));
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("carry textIndex, which toTokClassError keeps", async () => {
    let raw: unknown;
    try {
      await handle.classify(["fine", 5 as never], params, true);
    } catch (e) {
      raw = e;
    }
    expect(raw).toMatchObject({ code: "ERR_INVALID_ARGUMENT", message: "text 1 is not a string", textIndex: 1 });
    const error = toTokClassError(raw) as TokClassError;
    expect(error).toBeInstanceOf(TokClassError);
    expect(error.textIndex).toBe(1);
    // A native error about no one text has none.
    let other: unknown;
    try {
      await handle.classify(["x"], { ...params, aggregationStrategy: "bogus" } as never, true);
    } catch (e) {
      other = e;
    }
    expect(typeof (other as { code?: unknown }).code).toBe("string");
    expect("textIndex" in (other as object)).toBe(false);
  });
});
