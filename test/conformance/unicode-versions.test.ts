// The Unicode data behind each tokenizer component, against Hugging Face's own `tokenizers`
// (0.23.2, the Rust library the goldens were made with) code point by code point. Its pieces
// come from crates of different ages: BERT's punctuation, control and accent predicates from
// `unicode_categories` (Unicode 8.0), NFD/NFKD/NFC/NFKC and StripAccents' marks from
// `unicode-normalization-alignments` (Unicode 9.0); tokenizer.json's numbers through serde_json,
// which does not round every Unigram score correctly. A character assigned since (U+061D, Po
// since Unicode 14) or one Viterbi tie decided by a score's last bit gave other tokens than the
// reference before native/unicode and native/common/serde_float followed them; the golden texts
// hold no such case, so these sweeps are what checks it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "../../src/index.js";
import { MODEL_DIRS } from "../helpers/golden.js";
import { hf } from "../helpers/hf-tokenizers.js";

const json = (model: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(MODEL_DIRS[model]!, "tokenizer.json"), "utf8")) as Record<string, unknown>;

// The fixtures' tokenizers, plus variants that put the other normalizers and pre-tokenizers in
// front of the same vocabularies, and the regex-based ones, whose classes (\w, \p{L}) are
// Unicode 16.0's in tokenizers' Oniguruma (U+0897, a 15.0 mark, is \w there).
const TOKENIZERS: Record<string, Record<string, unknown>> = {
  "bert-cased-conll (BertNormalizer, BertPreTokenizer)": json("bert-cased-conll"),
  "bert-tiny-uncased (lowercase, strip_accents)": json("bert-tiny-uncased"),
  "xlmr-tiny (NFKC, Metaspace, Unigram)": json("xlmr-tiny"),
  "NFD + StripAccents + Lowercase, Punctuation + WhitespaceSplit": {
    ...json("bert-tiny-uncased"),
    normalizer: { type: "Sequence", normalizers: [{ type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Punctuation", behavior: "Isolated" }, { type: "WhitespaceSplit" }] },
  },
  NFC: { ...json("xlmr-tiny"), normalizer: { type: "NFC" } },
  NFD: { ...json("xlmr-tiny"), normalizer: { type: "NFD" } },
  NFKD: { ...json("xlmr-tiny"), normalizer: { type: "NFKD" } },
  "Whitespace (\\w+|[^\\w\\s]+)": { ...json("xlmr-tiny"), normalizer: null, pre_tokenizer: { type: "Whitespace" } },
  "roberta-tiny (ByteLevel: GPT-2 regex, byte-level BPE)": json("roberta-tiny"),
  "Digits + WhitespaceSplit": {
    ...json("xlmr-tiny"),
    normalizer: null,
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, { type: "WhitespaceSplit" }] },
  },
};

// Every code point but the bulk of uniform ones: of the large letter blocks (CJK, Hangul,
// Tangut...), private use and unassigned code points, a sample (by V8's own Unicode data).
function codePoints(): number[] {
  const out: number[] = [];
  const bulk = /[\p{Lo}\p{Co}\p{Cn}]/u;
  for (let c = 0; c < 0x110000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (bulk.test(String.fromCodePoint(c)) && c % 29 !== 0) continue;
    out.push(c);
  }
  return out;
}

// Marks before and after marks of other classes (canonical reordering), and every character
// with a decomposition, decomposed (composition).
function markSequences(): string[] {
  const texts: string[] = [];
  for (let c = 0; c < 0x110000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    if (/\p{M}/u.test(s)) texts.push(`x\u0301${s}`, `x${s}\u0323`, `e${s}\u0301`);
    const d = s.normalize("NFD");
    if (d !== s) texts.push(d, `${d}\u0301`);
  }
  return texts;
}

async function mismatches(config: Record<string, unknown>, texts: string[]): Promise<string[]> {
  const text = JSON.stringify(config);
  const ref = await hf.Tokenizer.fromString(text).encodeBatch(texts);
  const file = join(mkdtempSync(join(tmpdir(), "tokclass-unicode-")), "tokenizer.json");
  writeFileSync(file, text);
  const ours = await (await Tokenizer.fromFile(file)).encode(texts);
  rmSync(dirname(file), { recursive: true, force: true });
  const out: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (JSON.stringify(ours[i]!.tokens) !== JSON.stringify(ref[i]!.getTokens()) || JSON.stringify(Array.from(ours[i]!.ids)) !== JSON.stringify(ref[i]!.getIds())) {
      out.push(`${JSON.stringify([...texts[i]!].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`))}: ${JSON.stringify(ours[i]!.tokens)} vs ${JSON.stringify(ref[i]!.getTokens())}`);
    }
  }
  return out;
}

describe("Unicode versions of each component = HF tokenizers 0.23.2", () => {
  const points = codePoints();
  const single = points.map((c) => `a${String.fromCodePoint(c)}b ${String.fromCodePoint(c)}`);
  const sequences = markSequences();
  for (const [name, config] of Object.entries(TOKENIZERS)) {
    it(`${name}: ${points.length} code points alone and inside a word, ${sequences.length} mark sequences`, async () => {
      expect((await mismatches(config, single)).slice(0, 5)).toEqual([]);
      expect((await mismatches(config, sequences)).slice(0, 5)).toEqual([]);
    });
  }

  it("Unigram: ties between paths of the same pieces fall as the reference's scores decide", async () => {
    const texts = ["112".repeat(15), `x${"-".repeat(28)}`, `Ꙕ${"112".repeat(15)}`, `臇percent〒 38 ${"112".repeat(15)} `, "----".repeat(9)];
    expect(await mismatches(json("xlmr-tiny"), texts)).toEqual([]);
  });
});
