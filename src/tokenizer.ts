/**
 * The native tokenizer on its own: tokenizer.json in, ids/tokens/offsets out, exactly as a
 * Hugging Face fast tokenizer. Offsets are code points (Python str indices), as Hugging Face
 * reports them.
 */
import { native, toTokClassError, type NativeEncoding, type NativeTokenizer } from "./binding.js";
import { invalidArgument } from "./errors.js";
import { checkTextLengths, DEFAULT_MAX_TEXT_LENGTH, resolveDecodeOptions, resolveEncodeOptions, stringArray, text, textsOf, wordListsAndShape } from "./options.js";
import type { EncodeOptions } from "./types.js";

export type { EncodeOptions };

/** Tokenizer.decode's options for ids. */
export interface DecodeOptions {
  /** Leave out special added tokens ([CLS], <s>, ...), as Hugging Face's skip_special_tokens. Default false. */
  skipSpecialTokens?: boolean;
}

/** Integer typed arrays decode as ids. */
const isIntegerTypedArray = (v: unknown): v is ArrayLike<number> =>
  v instanceof Uint8Array || v instanceof Uint16Array || v instanceof Uint32Array ||
  v instanceof Int8Array || v instanceof Int16Array || v instanceof Int32Array;

/**
 * Whether decode's input is ids: an integer typed array, or an array whose first element is not
 * a string (a number, or anything else, refused then by the ids' check, which names its index);
 * with options given (they are for ids only), any array, so that an empty one decodes to "" as
 * with ids. Decided by one element: a scan past holes could run 2^32 - 1 long.
 */
function isIds(input: unknown, options: unknown): boolean {
  if (isIntegerTypedArray(input)) return true;
  if (!Array.isArray(input)) return false;
  return options !== undefined || (input.length > 0 && typeof input[0] !== "string");
}

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

  /**
   * Encodings, as a Hugging Face fast tokenizer gives them: one for a text, one per text for an
   * array. With `isSplitIntoWords`, the input is words: one word list gives one encoding, an
   * array of word lists one each. An array is encoded over every core.
   */
  encode(words: string[], options: EncodeOptions & { isSplitIntoWords: true }): Promise<Encoding>;
  encode(wordLists: string[][], options: EncodeOptions & { isSplitIntoWords: true }): Promise<Encoding[]>;
  encode(text: string, options?: EncodeOptions & { isSplitIntoWords?: false }): Promise<Encoding>;
  encode(texts: string[], options?: EncodeOptions & { isSplitIntoWords?: false }): Promise<Encoding[]>;
  /** isSplitIntoWords not known at compile time: one encoding or an array, as above. */
  encode(input: string | string[] | string[][], options?: EncodeOptions): Promise<Encoding | Encoding[]>;
  async encode(input: string | string[] | string[][], options?: EncodeOptions): Promise<Encoding | Encoding[]> {
    const resolved = resolveEncodeOptions(options);
    let texts: string[] | string[][];
    let single: boolean;
    if (resolved.isSplitIntoWords) ({ lists: texts, single } = wordListsAndShape(input, "words"));
    else ({ texts, single } = textsOf(input, "text"));
    checkTextLengths(texts, DEFAULT_MAX_TEXT_LENGTH, " ", "the tokenizer's limit, the classifier's default maxTextLength");
    try {
      const out = await this.#handle.encode(texts, resolved);
      return single ? out[0]! : out;
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  /**
   * Token strings: convert_tokens_to_string, the tokenizer.json decoder applied to them (a token
   * with a lone surrogate is ERR_INVALID_TEXT: it was decoded as U+FFFD). Token ids (an array or
   * a typed array of whole numbers): Hugging Face's decode, the ids' tokens (an id the vocabulary
   * lacks left out; special tokens too with `skipSpecialTokens`) through the decoder. Off the JS
   * thread either way.
   */
  decode(tokens: string[]): Promise<string>;
  decode(ids: readonly number[] | Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array, options?: DecodeOptions): Promise<string>;
  async decode(input: readonly (string | number)[] | ArrayLike<number>, options?: DecodeOptions): Promise<string> {
    if (isIds(input, options)) {
      const skip = resolveDecodeOptions(options);
      const source = input as ArrayLike<unknown>;
      // Checked before the copy is made: an array of holes claims a length no copy could hold.
      for (let i = 0; i < source.length; i++) {
        const id = source[i];
        if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
          throw invalidArgument(`ids[${i}]`, "a whole number from 0 to 2^32 - 1 (a token id)", id);
        }
      }
      const ids = source instanceof Uint32Array ? source : Uint32Array.from(source as ArrayLike<number>);
      try {
        return await this.#handle.decodeIds(ids, skip);
      } catch (error) {
        throw toTokClassError(error);
      }
    }
    const checked = stringArray(input, "tokens");
    for (let i = 0; i < checked.length; i++) text(checked[i], `tokens[${i}]`);
    try {
      return await this.#handle.decode(checked);
    } catch (error) {
      throw toTokClassError(error);
    }
  }

  /** The id of a token string (one table lookup, answered at once); undefined if the vocabulary lacks it. */
  tokenToId(token: string): number | undefined {
    if (typeof token !== "string") throw invalidArgument("token", "a string (a token)", token);
    return this.#handle.tokenToId(token);
  }

  /**
   * The token of a vocabulary id; undefined for a whole number the vocabulary does not have
   * (as Hugging Face's id_to_token gives None). Anything else is ERR_INVALID_ARGUMENT: 1.5,
   * -1, NaN or Infinity used to name some other token.
   */
  idToToken(id: number): string | undefined {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw invalidArgument("id", "a whole number >= 0 (a token id)", id);
    }
    return this.#handle.idToToken(id);
  }
}
