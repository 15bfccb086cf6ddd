import { textUnits } from "./options.js";

/**
 * How a large classify() call is cut into chunks that go to the addon a few at a time.
 *
 * Why: the addon tokenizes every text of a native call before its first model run and keeps
 * each text's tokens (ids, offsets, token strings, word ids: with the logits ~140 bytes per
 * token) until the text is finished, so one call of 100,000 CoNLL sentences held +325-335 MB at
 * its peak and a million would hold ~3.4 GB, for results a fraction of that size. Sent as chunks
 * of at most CHUNK_TEXTS texts or CHUNK_UNITS UTF-16 code units, CHUNKS_IN_FLIGHT at a time, the
 * same call peaks at +100-117 MB, and 300,000 texts at +209 MB instead of +943 (README, "Large
 * calls"). The scheduler plans the waiting texts of
 * every chunk in flight together, so batches stay length-sorted, and with more than one chunk
 * in flight the runners have the others' texts to run while a new chunk is tokenized.
 */

/** Most texts in one chunk (of CoNLL sentences, ~14 MB of tokens). */
export const CHUNK_TEXTS = 4096;
/**
 * Most UTF-16 code units of text in one chunk (~250,000 tokens of English), so that long
 * documents come in chunks of a similar size; a single longer text is a chunk of its own.
 */
export const CHUNK_UNITS = 1 << 20;
/** Chunks of one call sent to the addon and not yet settled. */
export const CHUNKS_IN_FLIGHT = 3;

/**
 * Whether a chunk of `texts` texts and `units` code units must close before a text of
 * `nextUnits` joins it. A chunk is never empty: a text over CHUNK_UNITS alone is one.
 */
export function chunkIsFull(texts: number, units: number, nextUnits: number): boolean {
  return texts > 0 && (texts >= CHUNK_TEXTS || units + nextUnits > CHUNK_UNITS);
}

/** One chunk: texts [start, end) of the call. */
export interface Chunk {
  start: number;
  end: number;
}

/**
 * The chunks of a call's texts (strings, or word lists joined by `delimiter`), in order; one
 * chunk when the call is within both limits. Uses no method of Array.prototype: user code may
 * patch them after load (call-chunks.test.ts checks that calls do not change when it does).
 */
export function planChunks(texts: readonly (string | readonly string[])[], delimiter: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  let units = 0;
  for (let i = 0; i < texts.length; i++) {
    const length = textUnits(texts[i]!, delimiter);
    if (chunkIsFull(i - start, units, length)) {
      chunks[chunks.length] = { start, end: i };
      start = i;
      units = 0;
    }
    units += length;
  }
  if (texts.length > start) chunks[chunks.length] = { start, end: texts.length };
  return chunks;
}
