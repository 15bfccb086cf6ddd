// Hugging Face's own Rust `tokenizers` (0.23.2, the version the goldens were made with), through
// its npm package, a prebuilt binding: a devDependency used only as the conformance tests'
// reference. Typed here for the calls they make.
import { createRequire } from "node:module";

export interface HfEncoding {
  getIds(): number[];
  getTokens(): string[];
  getOffsets(): [number, number][];
  getSpecialTokensMask(): number[];
  getWordIds(): (number | null | undefined)[];
  getOverflowing(): HfEncoding[];
}

export interface HfTokenizer {
  encode(text: string): Promise<HfEncoding>;
  encodeBatch(texts: string[]): Promise<HfEncoding[]>;
  setTruncation(maxLength: number, options?: { stride?: number }): void;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
  idToToken(id: number): string | undefined;
}

export const hf = createRequire(import.meta.url)("tokenizers") as { Tokenizer: { fromString(json: string): HfTokenizer } };
