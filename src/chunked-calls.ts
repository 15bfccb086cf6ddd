import { watchAbort } from "./abort-watch.js";
import { chunkIsFull, CHUNKS_IN_FLIGHT, type Chunk } from "./call-chunks.js";
import { inWholeCall } from "./errors.js";
import type { Entity } from "./types.js";

/**
 * Running the chunks call-chunks.ts cuts, CHUNKS_IN_FLIGHT native calls at a time: for a
 * classify() call too large for one native call (runInChunks) and for classifyStream
 * (streamInChunks). The two differ in what they owe their caller: a call answers once, so its
 * first failing chunk rejects it at once; a stream hands over each chunk's entities in order,
 * so a chunk's failure reaches the loop after the texts before it.
 *
 * Both send a chunk through `SendChunk` with a signal of their own, which they abort to cancel
 * the chunks in flight (their texts not yet run are dropped natively) when the call fails or is
 * aborted, or the stream's loop is left early.
 */

/** Most milliseconds a stream hands over entities without giving the event loop a turn. */
const TURN_MS = 4;
/**
 * How often a stream looks whether its source has paused: a read waiting at least half of this
 * with texts read but not sent (or sent and not handed over) sends them and hands over what is
 * done, so that a source giving a text now and then (a socket's lines, a user typing) gets its
 * results without waiting for three full chunks or its end.
 */
const QUIET_MS = 50;

/**
 * Classifies one chunk's texts (strings or word lists) in one native call, cancelled when
 * `signal` aborts. Errors about a text number it within the chunk; the caller renumbers them.
 */
export type SendChunk<T> = (texts: T[], signal: AbortSignal) => Promise<Entity[][]>;

/**
 * The entities of every text of a call cut into `chunks`, in input order. The next chunk is sent
 * as each one settles. The first failure rejects the call, its text numbered as in the whole
 * call, and cancels the chunks in flight; so does an abort of `signal`, rejecting with its
 * reason. Chunks not yet sent are never sent. Plain indexing throughout, no Array.prototype
 * method: user code may patch them after load (call-chunks.test.ts).
 */
export function runInChunks<T>(
  texts: readonly T[],
  chunks: readonly Chunk[],
  send: SendChunk<T>,
  signal: AbortSignal | undefined,
): Promise<Entity[][]> {
  const results = new Array<Entity[]>(texts.length);
  return new Promise<Entity[][]>((resolve, reject) => {
    const stop = new AbortController();
    let sending = 0;
    let next = 0;
    let settled = false;
    let unwatch = (): void => {};
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      unwatch();
      stop.abort(error);
      reject(error);
    };
    const sendNext = (): void => {
      if (settled || next >= chunks.length) return;
      const { start, end } = chunks[next++]!;
      const part = new Array<T>(end - start);
      for (let i = start; i < end; i++) part[i - start] = texts[i]!;
      let call: Promise<Entity[][]>;
      try {
        call = send(part, stop.signal);
      } catch (error) {
        fail(inWholeCall(error, start));
        return;
      }
      sending++;
      call.then(
        (entities) => {
          sending--;
          if (settled) return;
          for (let i = 0; i < entities.length; i++) results[start + i] = entities[i]!;
          if (next < chunks.length) {
            sendNext();
          } else if (sending === 0) {
            settled = true;
            unwatch();
            resolve(results);
          }
        },
        (error: unknown) => {
          sending--;
          fail(inWholeCall(error, start));
        },
      );
    };
    if (signal !== undefined) unwatch = watchAbort(signal, () => fail(signal.reason));
    for (let k = 0; k < CHUNKS_IN_FLIGHT; k++) sendNext();
  });
}

/**
 * How a stream reads its source: `check` returns the item as a text to classify (a copy where
 * the item is an array) or throws an error naming `index`; `units` is its length in UTF-16 code
 * units, as the chunk limits count it.
 */
export interface StreamItems<T> {
  check(item: unknown, index: number): T;
  units(text: T): number;
}

/**
 * The entities of each item of `source`, yielded in input order, reading and sending chunks (cut
 * by chunkIsFull) as the loop takes entities: never more than CHUNKS_IN_FLIGHT chunks ahead of
 * it, so only those chunks' texts and entities are held. An error about a text names its index
 * in the whole stream. Leaving the loop early (break, return, a throw) stops reading and cancels
 * the chunks in flight; an abort of `signal` makes the stream's next step reject with its reason,
 * also between texts of a chunk already classified and while the source has nothing to give.
 */
export async function* streamInChunks<T>(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  items: StreamItems<T>,
  send: SendChunk<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Entity[], void, undefined> {
  if (signal?.aborted) throw signal.reason;
  const reader = readerOf(source, signal);
  // Cancels the chunks in flight when the stream ends early, and passes on the caller's abort.
  const stop = new AbortController();
  const unwatch = signal === undefined ? undefined : watchAbort(signal, () => stop.abort(signal.reason));
  // Chunks sent and not yet yielded, oldest first; `done` once the call has settled.
  const sent: Array<{ start: number; call: Promise<Entity[][]>; done: boolean } | undefined> = [];
  let oldest = 0;
  let chunk: T[] = [];
  let units = 0;
  let index = 0;
  const sendChunk = (): void => {
    const start = index - chunk.length;
    let call: Promise<Entity[][]>;
    try {
      call = send(chunk, stop.signal);
    } catch (error) {
      call = Promise.reject(error);
    }
    const entry = { start, call, done: false };
    // Also: a chunk cancelled by stop, never awaited, is not an unhandled rejection.
    call.then(() => (entry.done = true), () => (entry.done = true));
    sent[sent.length] = entry;
    chunk = [];
    units = 0;
  };
  // Texts read from an array and entities already classified pass through promise jobs alone,
  // which never give the event loop a turn: the chunks in flight tend to finish together (the
  // scheduler plans their texts as one pool), and handing over their 12,288 texts' entities
  // blocked it for 25-42 ms (100,000 CoNLL sentences). So a turn every TURN_MS.
  let turnStart = performance.now();
  const turnIfDue = async (): Promise<void> => {
    if (performance.now() - turnStart < TURN_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    turnStart = performance.now();
  };
  // Yields the entities of the oldest chunks while `pending` or more are unyielded, and (with
  // `whileDone`) while the oldest has already been classified.
  async function* yieldWhileAtLeast(pending: number, whileDone = false): AsyncGenerator<Entity[], void, undefined> {
    while (sent.length - oldest >= pending || (whileDone && sent.length > oldest && sent[oldest]!.done)) {
      const { start, call } = sent[oldest]!;
      sent[oldest++] = undefined; // its entities are not held once yielded
      let entities: Entity[][];
      try {
        entities = await call;
      } catch (error) {
        throw inWholeCall(error, start);
      }
      for (let i = 0; i < entities.length; i++) {
        if (signal?.aborted) throw signal.reason; // also between texts of a chunk already done
        yield entities[i]!;
        await turnIfDue();
      }
    }
  }
  // A read that spans a beat of this timer (one per stream, not per text) has waited on the
  // source itself, not on promise jobs: see QUIET_MS. The timer stops itself after a beat no
  // read was waiting for (the loop is paused at a yield, or was abandoned without return()), so
  // that it neither fires for nothing nor keeps a forgotten stream alive; a read restarts it.
  // It holds the process open while it runs (≤ 2 beats past the last read), so that texts given
  // before a source that waits on nothing Node knows of still get their results.
  let beat!: Promise<typeof QUIET>;
  let beatNow = (): void => {};
  const nextBeat = (): void => {
    beat = new Promise((resolve) => (beatNow = () => resolve(QUIET)));
  };
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let awaited = false;
  const onBeat = (): void => {
    if (!awaited) {
      clearInterval(heartbeat);
      heartbeat = undefined;
      return;
    }
    awaited = false;
    const now = beatNow;
    nextBeat();
    now();
  };
  const beatFor = (): Promise<typeof QUIET> => {
    awaited = true;
    if (heartbeat === undefined) {
      nextBeat();
      heartbeat = setInterval(onBeat, QUIET_MS);
    }
    return beat;
  };
  // Sends the texts read and not yet sent, and yields every text's entities still unyielded.
  async function* sendAndYieldAll(): AsyncGenerator<Entity[], void, undefined> {
    if (chunk.length > 0) sendChunk();
    yield* yieldWhileAtLeast(1);
  }
  let pendingRead: Promise<IteratorResult<unknown>> | undefined;
  let readSince = 0;
  try {
    for (;;) {
      let step: IteratorResult<unknown> | typeof QUIET;
      let text!: T;
      let length = 0;
      try {
        if (pendingRead === undefined) {
          pendingRead = reader.read();
          readSince = performance.now();
        }
        step = chunk.length > 0 || sent.length > oldest ? await Promise.race([pendingRead, beatFor()]) : await pendingRead;
        if (step !== QUIET) {
          pendingRead = undefined;
          if (step.done !== true) {
            text = items.check(step.value, index);
            length = items.units(text);
          }
        }
      } catch (error) {
        if (signal?.aborted) throw error;
        // The source failed, or gave an item that is not a text: the texts before it are
        // classified and handed over first (an earlier text's own error, thrown by the yields,
        // wins), as a for-await loop over the source would have seen them.
        pendingRead = undefined;
        yield* sendAndYieldAll();
        throw error;
      }
      if (step === QUIET) {
        if (performance.now() - readSince < QUIET_MS / 2) continue;
        // The source has paused: classify what it gave, hand over what is done.
        yield* sendAndYieldAll();
        continue;
      }
      if (step.done === true) break;
      if (chunkIsFull(chunk.length, units, length)) {
        sendChunk();
        yield* yieldWhileAtLeast(CHUNKS_IN_FLIGHT, true);
      } else if (sent.length > oldest && sent[oldest]!.done) {
        yield* yieldWhileAtLeast(CHUNKS_IN_FLIGHT, true); // what is done goes out now
      }
      chunk[chunk.length] = text;
      units += length;
      index++;
      await turnIfDue();
    }
    yield* sendAndYieldAll();
  } finally {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    pendingRead?.catch(() => {}); // left unread when the loop ended early
    unwatch?.();
    reader.close();
    stop.abort(); // nothing is in flight after a full run; after an early end, drops the rest
  }
}

/** What a beat of a stream's timer resolves to (see QUIET_MS). */
const QUIET = Symbol("quiet");

/**
 * Reads a stream's source as `for await` does (a sync iterable's values awaited; the source
 * closed by close() unless it ended), except that a read still waiting when `signal` aborts
 * rejects at once with its reason: a source with nothing to give (the lines of a socket that
 * stays silent) would otherwise hold the stream past its abort. close() does not wait for the
 * source to close: it may be waiting on that read itself.
 */
function readerOf(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  signal: AbortSignal | undefined,
): { read(): Promise<IteratorResult<unknown>>; close(): void } {
  const isAsync = typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
  const iterator = isAsync
    ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    : (source as Iterable<unknown>)[Symbol.iterator]();
  // Set once the source has ended or thrown: it is not closed then (as for await).
  let ended = false;
  const settle = (step: IteratorResult<unknown>): IteratorResult<unknown> => {
    if (step.done === true) ended = true;
    return step;
  };
  const failed = (error: unknown): never => {
    ended = true;
    throw error;
  };
  return {
    async read() {
      if (!isAsync) {
        let step: IteratorResult<unknown>;
        try {
          step = settle((iterator as Iterator<unknown>).next());
        } catch (error) {
          return failed(error);
        }
        return step.done === true ? step : { done: false, value: await step.value };
      }
      if (signal?.aborted) throw signal.reason;
      let next: Promise<IteratorResult<unknown>>;
      try {
        next = Promise.resolve((iterator as AsyncIterator<unknown>).next()).then(settle, failed);
      } catch (error) {
        return failed(error);
      }
      if (signal === undefined) return next;
      next.catch(() => {}); // its late failure, once the abort has ended the read, is no one's
      let unwatch = (): void => {};
      const aborted = new Promise<never>((_, reject) => {
        unwatch = watchAbort(signal, () => reject(signal.reason));
      });
      try {
        return await Promise.race([next, aborted]);
      } finally {
        unwatch();
      }
    },
    close() {
      if (ended) return;
      ended = true;
      try {
        const closing = iterator.return?.();
        if (closing instanceof Promise) closing.catch(() => {});
      } catch {
        // as for await would report it only in place of no error; the stream ends either way
      }
    },
  };
}
