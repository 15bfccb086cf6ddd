// Tokenizer.encode's result objects, as native/binding/encoding_builder.cc makes them: the
// numbers of many encodings cross into JS in one flat array and their tokens in one string, a
// long encoding's arrays are made natively, and a large call is built in groups. Every path
// must give what Hugging Face's Rust tokenizers give, with typed arrays that share nothing.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokClassError, Tokenizer, type Encoding, type EncodeOptions } from "../../src/index.js";
import { conllSentences } from "../helpers/conll.js";
import { MODEL_DIRS } from "../helpers/golden.js";
import { hf, type HfEncoding } from "../helpers/hf-tokenizers.js";
import { timeBound, watchEventLoop } from "../helpers/time-bounds.js";

const pairs = (flat: Uint32Array): [number, number][] =>
  Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);

/** The encoding and its windows as plain data, in the reference's terms. */
function ours(e: Encoding): unknown[] {
  return [e, ...e.overflowing].map((w) => ({
    ids: Array.from(w.ids),
    typeIds: Array.from(w.typeIds),
    tokens: w.tokens,
    offsets: pairs(w.offsets),
    specialTokensMask: Array.from(w.specialTokensMask),
    wordIds: Array.from(w.wordIds, (x) => (x < 0 ? null : x)),
  }));
}
function reference(r: HfEncoding & { getTypeIds(): number[] }): unknown[] {
  return [r, ...(r.getOverflowing() as (HfEncoding & { getTypeIds(): number[] })[])].map((w) => ({
    ids: w.getIds(),
    typeIds: w.getTypeIds(),
    tokens: w.getTokens(),
    offsets: w.getOffsets(),
    specialTokensMask: w.getSpecialTokensMask(),
    wordIds: w.getWordIds().map((x) => x ?? null),
  }));
}

// Byte-level BPE's tokens are not ASCII ("Ġ"), WordPiece's are: both ways into the token string.
for (const model of ["bert-cased-conll", "roberta-tiny"]) {
  const file = join(MODEL_DIRS[model]!, "tokenizer.json");
  const json = readFileSync(file, "utf8");

  describe(`encoding objects: ${model}`, () => {
    it("a call of many groups of 16,384 tokens equals the reference text by text", async () => {
      const texts = conllSentences("train", 5000);
      const tokenizer = await Tokenizer.fromFile(file);
      const encodings = await tokenizer.encode(texts);
      const total = encodings.reduce((n, e) => n + e.ids.length, 0);
      expect(total).toBeGreaterThan(4 * 16384); // groups laid out side by side
      const ref = await hf.Tokenizer.fromString(json).encodeBatch(texts);
      const failures: number[] = [];
      for (let i = 0; i < texts.length; i++) {
        if (JSON.stringify(ours(encodings[i]!)) !== JSON.stringify(reference(ref[i] as never))) failures.push(i);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it("long encodings (arrays made natively) and their short last windows equal the reference", async () => {
      const sentences = conllSentences("dev", 2000);
      const long = sentences.slice(0, 700).join(" "); // ~10,000 tokens
      const texts = ["Paris", long, sentences.slice(700, 1400).join(" "), "Berlin and Rome"];
      const tokenizer = await Tokenizer.fromFile(file);
      const [whole] = await tokenizer.encode([long]);
      expect(whole!.ids.length).toBeGreaterThan(8000);
      // Unwindowed: the 10,000-token encoding between short ones.
      const plain = await tokenizer.encode(texts);
      const ref = hf.Tokenizer.fromString(json);
      for (let i = 0; i < texts.length; i++) {
        expect(JSON.stringify(ours(plain[i]!))).toBe(JSON.stringify(reference((await ref.encode(texts[i]!)) as never)));
      }
      // Windows of 5,000 tokens: long ones made natively, the last of each text short.
      ref.setTruncation(5000, { stride: 100 });
      const windowed = await tokenizer.encode(texts, { maxLength: 5000, stride: 100, returnOverflowing: true });
      expect(windowed[1]!.overflowing.length).toBeGreaterThan(0);
      expect(windowed[1]!.overflowing.at(-1)!.ids.length).toBeLessThan(4096);
      for (let i = 0; i < texts.length; i++) {
        expect(JSON.stringify(ours(windowed[i]!))).toBe(JSON.stringify(reference((await ref.encode(texts[i]!)) as never)));
      }
    });

    it("every typed array has a buffer of its own", async () => {
      const tokenizer = await Tokenizer.fromFile(file);
      const sentences = conllSentences("dev", 800);
      const encodings = await tokenizer.encode([...sentences.slice(0, 50), sentences.join(" ")], {
        maxLength: 4200,
        stride: 10,
        returnOverflowing: true,
      });
      const buffers = new Set<ArrayBufferLike>();
      let arrays = 0;
      for (const e of encodings.flatMap((x) => [x, ...x.overflowing])) {
        for (const a of [e.ids, e.typeIds, e.offsets, e.specialTokensMask, e.wordIds]) {
          buffers.add(a.buffer);
          arrays++;
          expect(a.byteOffset).toBe(0);
          expect(a.buffer.byteLength).toBe(a.byteLength);
        }
      }
      expect(buffers.size).toBe(arrays);
    });
  });
}

describe("word lists (isSplitIntoWords)", () => {
  // As Hugging Face encodes pre-tokenized input: each word on its own (normalizer, pre-tokenizer,
  // model), word ids = word indices, offsets within each word, then the special tokens. The words
  // themselves are checked against the real pipeline through classify() (conformance/words).
  const awkward = [["Tōkyō", "🚀", "don't", "ＴＯＫＹＯ", "e\u0301", "[SEP]"], ["  spaced  ", "", "x"]];
  for (const model of ["bert-cased-conll", "roberta-tiny", "xlmr-tiny"]) {
    it(`${model}: a list's encoding is its words' encodings joined, with the special tokens`, async () => {
      const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS[model]!, "tokenizer.json"));
      const lists = [...conllSentences("dev", 150).map((t) => t.split(" ")), ...awkward];
      const plain = await tokenizer.encode(lists, { isSplitIntoWords: true, addSpecialTokens: false });
      const withSpecials = await tokenizer.encode(lists, { isSplitIntoWords: true });
      const bare = await tokenizer.encode("", { addSpecialTokens: true }); // just the special tokens
      const failures: string[] = [];
      for (let i = 0; i < lists.length; i++) {
        const words = await tokenizer.encode(lists[i]!, { addSpecialTokens: false });
        const expected = { ids: [] as number[], tokens: [] as string[], offsets: [] as number[], wordIds: [] as number[] };
        words.forEach((w, k) => {
          expected.ids.push(...w.ids);
          expected.tokens.push(...w.tokens);
          expected.offsets.push(...w.offsets);
          expected.wordIds.push(...Array.from(w.ids, () => k));
        });
        const got = plain[i]!;
        const actual = { ids: Array.from(got.ids), tokens: got.tokens, offsets: Array.from(got.offsets), wordIds: Array.from(got.wordIds) };
        if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`list ${i}: ${JSON.stringify(actual.tokens)}`);
        const full = withSpecials[i]!;
        const n = bare.ids.length; // e.g. [CLS] and [SEP]: the first before, the rest after
        const around = [...full.tokens.slice(0, 1), ...full.tokens.slice(full.tokens.length - (n - 1))];
        if (JSON.stringify(full.tokens.slice(1, full.tokens.length - (n - 1))) !== JSON.stringify(expected.tokens) || JSON.stringify(around) !== JSON.stringify(bare.tokens)) {
          failures.push(`list ${i} with special tokens: ${JSON.stringify(full.tokens)}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }

  it("one list gives one encoding (an empty list: the special tokens alone), an array of lists one each", async () => {
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["bert-cased-conll"]!, "tokenizer.json"));
    const one = await tokenizer.encode(["Angela", "Merkel"], { isSplitIntoWords: true });
    expect(Array.isArray(one)).toBe(false);
    const [same] = await tokenizer.encode([["Angela", "Merkel"]], { isSplitIntoWords: true });
    expect(JSON.stringify(ours(one))).toBe(JSON.stringify(ours(same!)));
    const ids = Array.from(one.wordIds);
    expect(ids.at(0)).toBe(-1);
    expect(ids.at(-1)).toBe(-1);
    expect([...new Set(ids.slice(1, -1))]).toEqual([0, 1]);
    const bare = await tokenizer.encode("");
    expect((await tokenizer.encode([], { isSplitIntoWords: true })).tokens).toEqual(bare.tokens);
    const two = await tokenizer.encode([["Paris"], ["New", "York"]], { isSplitIntoWords: true });
    expect(two.length).toBe(2);
    expect(JSON.stringify(ours(two[1]!))).toBe(JSON.stringify(ours(await tokenizer.encode(["New", "York"], { isSplitIntoWords: true }))));
  });

  it("windows of a word list are bounded by maxWindowTokens (its words are tokenized in full)", async () => {
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["bert-cased-conll"]!, "tokenizer.json"));
    const windows = { isSplitIntoWords: true, maxLength: 512, stride: 509, returnOverflowing: true } as const;
    // 20,000 one-letter words at a stride of 509: ~19,500 windows, 10M tokens, 1.4 GB before.
    const words = Array.from({ length: 20_000 }, () => "a");
    const error = await tokenizer.encode(words, windows).then(() => undefined, (e: unknown) => e as TokClassError);
    expect(error?.code).toBe("ERR_INVALID_TEXT");
    expect(error?.textIndex).toBe(0);
    expect(error?.message).toContain("options.maxWindowTokens (8388608)");
    const few = words.slice(0, 600);
    const over = await tokenizer.encode([["b"], few], { ...windows, maxWindowTokens: 10_000 }).then(() => undefined, (e: unknown) => e as TokClassError);
    expect(over?.textIndex).toBe(1);
    const [, unbounded] = await tokenizer.encode([["b"], few], { ...windows, maxWindowTokens: 0 });
    expect(unbounded!.overflowing.length).toBeGreaterThan(80);
    const bad = await tokenizer.encode(few, { ...windows, maxWindowTokens: -1 }).then(() => undefined, (e: unknown) => e as TokClassError);
    expect(bad?.code).toBe("ERR_INVALID_ARGUMENT");
  });

  it("bad word lists name their text (and word)", async () => {
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["bert-cased-conll"]!, "tokenizer.json"));
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as TokClassError);
    const lists = Array.from({ length: 100 }, () => ["fine", "words"]);
    lists[70] = ["a", "b", "lone \uD800"];
    const surrogate = await failure(tokenizer.encode(lists, { isSplitIntoWords: true }));
    expect(surrogate?.code).toBe("ERR_INVALID_TEXT");
    expect(surrogate?.message).toContain("text 70 ");
    expect(surrogate?.message).toContain("of word 2");
    const notWords = await failure(tokenizer.encode([["a"], ["b", 5]] as never, { isSplitIntoWords: true }));
    expect(notWords?.code).toBe("ERR_INVALID_ARGUMENT");
    expect(notWords?.textIndex).toBe(1);
    expect((await failure(tokenizer.encode(["a"], { isSplitIntoWords: "yes" } as never)))?.code).toBe("ERR_INVALID_ARGUMENT");
    expect((await failure(tokenizer.encode("a b" as never, { isSplitIntoWords: true })))?.code).toBe("ERR_INVALID_ARGUMENT");
  });
});

describe("no texts", () => {
  it("an empty array gives an empty array", async () => {
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["roberta-tiny"]!, "tokenizer.json"));
    expect(await tokenizer.encode([])).toEqual([]);
    expect(await tokenizer.encode([], { maxLength: 8, returnOverflowing: true })).toEqual([]);
    expect(await tokenizer.encode([] as string[][], { isSplitIntoWords: true })).not.toEqual([]); // one empty word list
  });

  it("types: isSplitIntoWords not known at compile time gives Encoding | Encoding[]", async () => {
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["roberta-tiny"]!, "tokenizer.json"));
    const options: EncodeOptions = { isSplitIntoWords: true };
    // @ts-expect-error one word list gives one Encoding: not assignable to Encoding[]
    const wrong: Encoding[] = await tokenizer.encode(["EU", "rejects"], options);
    expect(Array.isArray(wrong)).toBe(false);
  });
});

describe("a large encode() result", () => {
  it("is built over many event-loop turns, the loop never waiting long", async () => {
    const sentences = conllSentences("train", 15000);
    const texts = Array.from({ length: 40000 }, (_, i) => sentences[i % sentences.length]!);
    const tokenizer = await Tokenizer.fromFile(join(MODEL_DIRS["bert-cased-conll"]!, "tokenizer.json"));
    const loop = watchEventLoop();
    let longest: number;
    let encodings: Encoding[];
    try {
      encodings = await tokenizer.encode(texts);
    } finally {
      longest = loop.stop();
    }
    expect(encodings.length).toBe(texts.length);
    for (const i of [0, 8191, 20000, 39999]) {
      expect(JSON.stringify(ours(encodings[i]!))).toBe(JSON.stringify(ours(await tokenizer.encode(texts[i]!))));
    }
    // Built in one piece, the ~900,000 tokens' objects held the loop ~245 ms; in slices the longest
    // wait was 12-18 ms (a slice, or a scavenge of the young objects the result is made of).
    expect(longest, `the event loop waited ${longest.toFixed(1)} ms`).toBeLessThan(timeBound(80, 300));
  });
});

describe("encoding objects under patched built-ins", () => {
  // In a child process, as the entity objects' test (test/unit/api.test.ts): while the built-ins
  // are patched nothing but tokclass may run.
  it("do not change when user code patches String.prototype.slice, Array.prototype.push or typed-array species later", () => {
    const script = `
      const { Tokenizer } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      const tokenizer = await Tokenizer.fromFile(${JSON.stringify(join(MODEL_DIRS["roberta-tiny"]!, "tokenizer.json"))});
      const texts = ["Angela Merkel met Emmanuel Macron in Paris.", "🚀 Tōkyō — ünïcödé"];
      const plain = (r) => JSON.stringify(r.map((e) => [Array.from(e.ids), e.tokens, Array.from(e.offsets), Array.from(e.wordIds)]));
      const before = plain(await tokenizer.encode(texts));
      const slice = String.prototype.slice, push = Array.prototype.push;
      const species = Object.getOwnPropertyDescriptor(Uint32Array, Symbol.species);
      let after, error;
      String.prototype.slice = () => "patched";
      Array.prototype.push = () => { throw new Error("patched push"); };
      Object.defineProperty(Uint32Array, Symbol.species, { get: () => { throw new Error("patched species"); }, configurable: true });
      try { after = plain(await tokenizer.encode(texts)); } catch (e) { error = String(e); }
      String.prototype.slice = slice;
      Array.prototype.push = push;
      Object.defineProperty(Uint32Array, Symbol.species, species ?? { value: Uint32Array, configurable: true });
      console.log(JSON.stringify({ before, after, error }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const { before, after, error } = JSON.parse(child.stdout) as { before: string; after?: string; error?: string };
    expect(error).toBeUndefined();
    expect(after).toBe(before);
    expect(before).toContain("Ġ");
  });
});
