/**
 * The native tokenizer on its own: tokenizer.json in, ids/tokens/offsets out, exactly as a
 * Hugging Face fast tokenizer. Offsets are code points (Python str indices), as Hugging Face
 * reports them.
 */
import { native, toTokClassError, type NativeEncoding, type NativeTokenizer } from "./binding.js";
import { checkTextLengths, DEFAULT_MAX_TEXT_LENGTH, resolveEncodeOptions, textsOf } from "./options.js";
import type { EncodeOptions } from "./types.js";

export type { EncodeOptions };

export type Encoding = NativeEncoding;

export class Tokenizer {
  readonly #handle: NativeTokenizer;
  private constructor(handle: NativeTokenizer) {
    this.#handle = handle;
  }

  static async fromFile(path: string): Promise<Tokenizer> {
    try {
      return new Tokenizer(await native().TokenizerHandle.load(path));
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  encode(text: string, options?: EncodeOptions): Promise<Encoding>;
  encode(texts: string[], options?: EncodeOptions): Promise<Encoding[]>;
  async encode(input: string | string[], options?: EncodeOptions): Promise<Encoding | Encoding[]> {
    const { texts, single } = textsOf(input, "text");
    const resolved = resolveEncodeOptions(options);
    checkTextLengths(texts, DEFAULT_MAX_TEXT_LENGTH, "", "the tokenizer's limit, the classifier's default maxTextLength");
    try {
      const out = await this.#handle.encode(texts, resolved);
      return single ? out[0]! : out;
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  /** convert_tokens_to_string: the tokenizer.json decoder applied to token strings. */
  decode(tokens: string[]): string {
    try {
      return this.#handle.decode(tokens);
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  tokenToId(token: string): number | undefined {
    return this.#handle.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.#handle.idToToken(id);
  }
}
