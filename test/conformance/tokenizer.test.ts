// Tokenizer goldens (what a Hugging Face fast tokenizer returns), through the public
// Tokenizer API: ids, tokens, offsets, special tokens mask, word ids, overflowing windows.
// Token ids are cross-checked against @huggingface/tokenizers (JS) too.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { Tokenizer } from "../../src/index.js";
import type { Encoding } from "../../src/tokenizer.js";
import { ALL_MODELS, MODEL_DIRS, readGolden } from "../helpers/golden.js";

interface EncodeCase {
  text: string;
  ids: number[];
  tokens: string[];
  offsets: [number, number][];
  special_tokens_mask: number[];
  word_ids: (number | null)[];
}
interface OverflowCase {
  text: string;
  max_length: number;
  stride: number;
  chunks: { ids: number[]; offsets: [number, number][]; special_tokens_mask: number[] }[];
}

const pairs = (flat: Uint32Array): [number, number][] =>
  Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);

function windowsOf(e: Encoding): Encoding[] {
  return [e, ...e.overflowing];
}

for (const model of ALL_MODELS) {
  const golden = readGolden<{ encode: EncodeCase[]; overflow: OverflowCase[] }>(model, "tokenizer");
  const path = join(MODEL_DIRS[model]!, "tokenizer.json");

  describe(`tokenizer golden: ${model}`, () => {
    it(`encodes all ${golden.encode.length} texts exactly`, async () => {
      const tok = await Tokenizer.fromFile(path);
      const encodings = await tok.encode(golden.encode.map((c) => c.text));
      const failures: string[] = [];
      golden.encode.forEach((c, i) => {
        const e = encodings[i]!;
        const actual = {
          ids: Array.from(e.ids),
          tokens: e.tokens,
          offsets: pairs(e.offsets),
          special_tokens_mask: Array.from(e.specialTokensMask),
          word_ids: Array.from(e.wordIds, (w) => (w < 0 ? null : w)),
        };
        for (const key of ["ids", "tokens", "offsets", "special_tokens_mask", "word_ids"] as const) {
          if (JSON.stringify(actual[key]) !== JSON.stringify(c[key])) {
            failures.push(`${JSON.stringify(c.text).slice(0, 60)}: ${key} ${JSON.stringify(actual[key]).slice(0, 200)} != ${JSON.stringify(c[key]).slice(0, 200)}`);
          }
        }
      });
      expect(failures.slice(0, 10)).toEqual([]);
    });

    it(`builds all ${golden.overflow.length} overflowing windows with stride exactly`, async () => {
      const tok = await Tokenizer.fromFile(path);
      const failures: string[] = [];
      for (const c of golden.overflow) {
        const e = await tok.encode(c.text, { maxLength: c.max_length, stride: c.stride, returnOverflowing: true });
        const windows = windowsOf(e);
        const actual = windows.map((w) => ({ ids: Array.from(w.ids), offsets: pairs(w.offsets), special_tokens_mask: Array.from(w.specialTokensMask) }));
        const expected = c.chunks.map((w) => ({ ids: w.ids, offsets: w.offsets, special_tokens_mask: w.special_tokens_mask }));
        if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          failures.push(`max_length ${c.max_length} stride ${c.stride} ${JSON.stringify(c.text).slice(0, 40)}: ${actual.length} windows vs ${expected.length}`);
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
    });

    it("offsets slice the original text to each token's source (checked on the goldens)", async () => {
      const tok = await Tokenizer.fromFile(path);
      for (const c of golden.encode.slice(0, 40)) {
        const cps = Array.from(c.text);
        const e = await tok.encode(c.text);
        pairs(e.offsets).forEach(([s, t], i) => {
          expect(s).toBeLessThanOrEqual(t);
          expect(t).toBeLessThanOrEqual(cps.length);
          if (e.specialTokensMask[i]) expect([s, t]).toEqual([0, 0]);
        });
      }
    });

    it("token ids agree with @huggingface/tokenizers (JS)", async () => {
      const tok = await Tokenizer.fromFile(path);
      const dir = MODEL_DIRS[model]!;
      const hf = new HfTokenizer(
        JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")),
        JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")),
      );
      // Plain texts where both libraries implement the same rules (the JS library is a
      // cross-check, not the reference: the goldens above are).
      const texts = golden.encode.map((c) => c.text).filter((t) => /^[\x20-\x7e]*$/.test(t));
      expect(texts.length).toBeGreaterThan(20);
      const ours = await tok.encode(texts);
      let agree = 0;
      texts.forEach((t, i) => {
        if (JSON.stringify(Array.from(ours[i]!.ids)) === JSON.stringify(hf.encode(t).ids)) agree++;
      });
      expect(agree).toBe(texts.length);
    });
  });
}
