// The native tokenizer against Hugging Face's own Rust `tokenizers` 0.23.2 (the version the
// goldens were made with; its npm package is a prebuilt binding, a devDependency used only
// here) on many more texts than the goldens: CoNLL-2003 dev sentences and seeded random
// strings of awkward characters, plus truncation with stride. Everything must be identical.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "../../src/index.js";
import { ALL_MODELS, MODEL_DIRS } from "../helpers/golden.js";
import { conllSentences } from "../helpers/conll.js";
import { hf } from "../helpers/hf-tokenizers.js";

// Characters that stress normalization and offsets: accents precomposed and combining,
// ligatures, full-width forms, CJK, Hangul, Arabic, emoji with ZWJ and variation selectors,
// zero-width and control characters, repeated spaces, punctuation.
const POOL = Array.from(
  "aAzZ09 .,;'\"-()[]!?  \t\néÉüßçøÅ\u0301\u0308\u0327ﬁﬂＴｏｋｙｏ①²½東京北京한국어مرحباПриветΑθήνα🚀😀👩‍💻❤️\u200b\u200d\ufeff\u0000\u0007\u00ad\u2028Ⅻ㍿",
);
// A seeded generator of numbers in [0, 1) (a linear congruential one): the same texts every run.
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
function randomTexts(count: number, seed: number): string[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + Math.floor(next() * 30) }, () => POOL[Math.floor(next() * POOL.length)]).join(""),
  );
}

// Code points drawn from wide ranges instead of a pool: whole blocks of Latin, combining marks,
// Greek, Cyrillic, Hebrew and Arabic, Devanagari, Thai, Hangul jamo and syllables, kana, CJK,
// full-width forms, emoji, the supplementary planes (CJK Extension B, tags), specials near
// U+FFFF; a quarter spaces. Characters no vocabulary has, models' unknown and byte paths.
const WIDE_RANGES: [number, number][] = [
  [0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff],
  [0x900, 0x97f], [0xe00, 0xe7f], [0x1100, 0x11ff], [0x3040, 0x30ff], [0x4e00, 0x4fff],
  [0xac00, 0xad00], [0xff00, 0xffef], [0x1f300, 0x1f6ff], [0x10000, 0x1ffff], [0x20000, 0x2a000],
  [0xe0000, 0xe007f], [0xfff0, 0xfffd],
];
function wideRandomTexts(count: number, seed: number): string[] {
  const next = seededRandom(seed);
  const char = () => {
    if (next() < 0.25) return " ";
    const [lo, hi] = WIDE_RANGES[Math.floor(next() * WIDE_RANGES.length)]!;
    return String.fromCodePoint(lo + Math.floor(next() * (hi - lo + 1)));
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 40) }, char).join(""));
}

// Special tokens of the six tokenizers inside text, where the added-vocabulary split applies.
const WITH_ADDED_TOKENS = [
  "Paris [SEP] Berlin",
  "[CLS]Angela[MASK] Merkel [UNK]",
  "  <mask> visited <s>Paris</s>  ",
  "x<pad>y [PAD]z <unk>",
  "\t[SEP]\n<mask>\u0007 東京[MASK]",
];
const TEXTS = [...conllSentences("dev", 800), ...randomTexts(800, 7), ...wideRandomTexts(800, 12345), ...WITH_ADDED_TOKENS];
const pairs = (flat: Uint32Array): [number, number][] =>
  Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);

for (const model of ALL_MODELS) {
  describe(`native tokenizer = HF tokenizers 0.23.2: ${model}`, () => {
    const json = readFileSync(join(MODEL_DIRS[model]!, "tokenizer.json"), "utf8");

    it(`encodes ${TEXTS.length} texts identically (ids, tokens, offsets, masks, word ids)`, async () => {
      const ref = hf.Tokenizer.fromString(json);
      const ours = await (await Tokenizer.fromFile(join(MODEL_DIRS[model]!, "tokenizer.json"))).encode(TEXTS);
      const failures: string[] = [];
      for (let i = 0; i < TEXTS.length; i++) {
        const r = await ref.encode(TEXTS[i]!);
        const o = ours[i]!;
        const same =
          JSON.stringify(Array.from(o.ids)) === JSON.stringify(r.getIds()) &&
          JSON.stringify(o.tokens) === JSON.stringify(r.getTokens()) &&
          JSON.stringify(pairs(o.offsets)) === JSON.stringify(r.getOffsets()) &&
          JSON.stringify(Array.from(o.specialTokensMask)) === JSON.stringify(r.getSpecialTokensMask()) &&
          JSON.stringify(Array.from(o.wordIds, (w) => (w < 0 ? null : w))) === JSON.stringify(r.getWordIds().map((w) => w ?? null));
        if (!same) failures.push(`${JSON.stringify(TEXTS[i])}: ${JSON.stringify(o.tokens)} vs ${JSON.stringify(r.getTokens())}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it("decodes ids as HF's decode does, with and without special tokens", async () => {
      const ref = hf.Tokenizer.fromString(json);
      const ours = await Tokenizer.fromFile(join(MODEL_DIRS[model]!, "tokenizer.json"));
      const encodings = await ours.encode(TEXTS);
      const failures: string[] = [];
      for (let i = 0; i < TEXTS.length; i += 3) {
        // Their ids, plus ids the vocabulary lacks (left out by both).
        const ids = [...Array.from(encodings[i]!.ids), 4_000_000_000, 1e6];
        for (const skip of [false, true]) {
          const expected = await ref.decode(ids, skip);
          const actual = await ours.decode(i % 2 ? new Uint32Array(ids) : ids, { skipSpecialTokens: skip });
          if (actual !== expected) failures.push(`${JSON.stringify(TEXTS[i])} skip=${skip}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });

    it("an added token with normalized: true names and decodes in its normalized form, as HF's", async () => {
      const config = JSON.parse(json) as { added_tokens: { id: number }[]; model: { vocab: object | unknown[] } };
      // The next ids after the vocabulary and the added tokens (HF adds them there).
      const vocab = config.model.vocab;
      const size = Array.isArray(vocab) ? vocab.length : Math.max(...Object.values(vocab as Record<string, number>)) + 1;
      const first = Math.max(size, ...config.added_tokens.map((t) => t.id + 1));
      config.added_tokens.push(
        { id: first, content: "NewWord", single_word: false, lstrip: false, rstrip: false, normalized: true, special: false } as never,
        { id: first + 1, content: "<SPEC>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true } as never,
      );
      const text = JSON.stringify(config);
      const dir = mkdtempSync(join(tmpdir(), "tokclass-added-"));
      writeFileSync(join(dir, "tokenizer.json"), text);
      const ref = hf.Tokenizer.fromString(text);
      const ours = await Tokenizer.fromFile(join(dir, "tokenizer.json"));
      const ids = [...Array.from((await ours.encode("a NewWord <SPEC> b")).ids), first, first + 1];
      for (const id of [first, first + 1]) {
        expect(ref.idToToken(id)).toBeTruthy();
        expect(ours.idToToken(id)).toBe(ref.idToToken(id));
      }
      for (const skip of [false, true]) expect(await ours.decode(ids, { skipSpecialTokens: skip })).toBe(await ref.decode(ids, skip));
    });

    it("truncates with stride into the same windows", async () => {
      const ours = await Tokenizer.fromFile(join(MODEL_DIRS[model]!, "tokenizer.json"));
      const long = Array.from({ length: 40 }, (_, i) => TEXTS.slice(i * 12, i * 12 + 12).join(" "));
      const failures: string[] = [];
      for (const [maxLength, stride] of [[16, 0], [24, 4], [40, 10]] as const) {
        const ref = hf.Tokenizer.fromString(json);
        ref.setTruncation(maxLength, { stride });
        const mine = await ours.encode(long, { maxLength, stride, returnOverflowing: true });
        for (let i = 0; i < long.length; i++) {
          const r = await ref.encode(long[i]!);
          const expected = [r, ...r.getOverflowing()].map((w) => [w.getIds(), w.getOffsets()]);
          const actual = [mine[i]!, ...mine[i]!.overflowing].map((w) => [Array.from(w.ids), pairs(w.offsets)]);
          if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`max ${maxLength} stride ${stride} text ${i}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  });
}
