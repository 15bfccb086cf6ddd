/**
 * Server-Sent Events for `"stream": true` (or `Accept: text/event-stream`).
 *
 * The route has resolved the payload as clf.query() does (routes.ts), so a payload the JSON path
 * refuses is refused with the same status and message, as a plain JSON error before any event.
 * Each input (a string counts as one input, index 0; with is_split_into_words, a word list) is
 * then classified by its own call, at most STREAM_WINDOW at a time. As each
 * input finishes, its entities are sent, then an `input` event; inputs come in completion order,
 * so every event names its input index:
 *
 *   event: entity
 *   data: {"input":1,"entity":{"entity_group":"PER","score":0.99,"word":"Sarah","start":11,"end":16}}
 *
 *   event: input
 *   data: {"input":1,"entities":1}
 *
 *   event: error                      (one input failed, e.g. invalid text; the others go on)
 *   data: {"input":0,"status":400,"error":"..."}
 *
 *   event: done                       (always last; then the response ends)
 *   data: {"inputs":2,"entities":1,"errors":1}
 *
 * Entities are exactly what clf.query() returns for that input alone, and an input's error
 * names the text as the JSON path would ("text 1 ..."). Errors that concern the whole request
 * (bad inputs or parameters, unknown model, loading) are sent before the stream starts, as a
 * plain JSON error with its status. Streamed responses are never cached.
 *
 * Backpressure: events are written only as fast as the client reads them (after a write the
 * socket cannot take, the next waits for 'drain'), and the next input starts only when the
 * writer takes a finished one, so a client that stops reading holds at most STREAM_WINDOW
 * inputs' results in the server's memory, not the whole response. If the client goes away,
 * writing stops, no input starts, and those still being classified are aborted.
 */
import type { ServerResponse } from "node:http";
import { setImmediate as nextTurn } from "node:timers/promises";
import { textName } from "../errors.js";
import type { ResolvedQuery } from "../options.js";
import { queryResolved } from "../query-resolved.js";
import type { Entity } from "../types.js";
import type { ServedClassifier } from "./contract.js";
import { isParameterError, tokClassCode, toErrorReply } from "./http-errors.js";

/**
 * Inputs being classified or waiting to be written, at most. Enough concurrent single-text
 * calls for several of the dynamic batcher's batches on a CPU (16 texts each by default; on a
 * GPU, 256, so one stream fills a quarter of a batch and other requests the rest), while what a
 * stream holds stays bounded by 64 inputs' results however many inputs it has and however slowly
 * its client reads. The event loop likewise never starts more than this many calls, nor writes
 * more than this many inputs, without a turn for other connections.
 */
export const STREAM_WINDOW = 64;

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

type Settled = { index: number; ok: true; entities: Entity[] } | { index: number; ok: false; error: unknown };

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * Classifies each input separately, up to STREAM_WINDOW at once: the texts (or word lists) of
 * a resolved payload, each with its options. `ready()` waits for the first input and throws
 * if it failed on the parameters (shared by all inputs; a few are only checked natively), so the
 * caller can still answer with a JSON error; `writeTo()` then sends the events as inputs finish.
 */
export class InferenceStream {
  readonly #clf: ServedClassifier;
  readonly #query: ResolvedQuery;
  readonly #texts: readonly (string | string[])[];
  readonly #queue: Settled[] = [];
  /** Inputs started so far (in order) and finished ones the writer has taken. */
  #started = 0;
  #taken = 0;
  #wake: (() => void) | undefined;
  #first: Settled | undefined;
  #abandoned = false;
  /** Aborts the inputs still running once the client has gone. */
  readonly #controller = new AbortController();

  constructor(clf: ServedClassifier, query: ResolvedQuery) {
    this.#clf = clf;
    this.#query = query;
    this.#texts = query.texts;
    this.#fill();
  }

  /** Starts inputs until STREAM_WINDOW are running or waiting to be written. */
  #fill(): void {
    while (!this.#abandoned && this.#started < this.#texts.length && this.#started - this.#taken < STREAM_WINDOW) {
      this.#startInput(this.#started++);
    }
  }

  #startInput(index: number): void {
    // The input alone, as its own query (`single`: the answer is its entities, word list or not).
    const input = { ...this.#query, texts: [this.#texts[index]!] as string[] | string[][], single: true };
    this.#clf[queryResolved](input, this.#controller.signal)
      .then(
        (result) => this.#push({ index, ok: true, entities: result as Entity[] }),
        (error: unknown) => this.#push({ index, ok: false, error }),
      )
      .finally(() => this.#wake?.());
  }

  #push(item: Settled): void {
    // Once the client has gone, results of inputs still running are not kept.
    if (!this.#abandoned) this.#queue.push(item);
  }

  /** The next finished input; undefined once `stop()` holds (woken through #wake as well). */
  async #next(stop?: () => boolean): Promise<Settled | undefined> {
    while (this.#queue.length === 0) {
      if (stop?.()) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    const item = this.#queue.shift() as Settled;
    this.#taken++;
    this.#fill();
    return item;
  }

  /** Stops starting inputs, drops finished ones and aborts those still running. */
  #abandon(): void {
    this.#abandoned = true;
    this.#queue.length = 0;
    this.#controller.abort(); // the inputs not yet run are dropped
  }

  async ready(): Promise<void> {
    if (this.#texts.length === 0) return;
    const first = (await this.#next()) as Settled;
    this.#first = first;
    if (!first.ok && isParameterError(tokClassCode(first.error))) {
      this.#abandon();
      throw first.error;
    }
  }

  async writeTo(raw: ServerResponse, headers: Record<string, string>, maxBodyBytes: number): Promise<void> {
    raw.writeHead(200, { ...headers, ...SSE_HEADERS });
    // Removed before the response ends, so 'close' here means the client went away.
    let gone = raw.destroyed;
    const onClose = (): void => {
      gone = true;
      this.#wake?.();
    };
    raw.once("close", onClose);
    try {
      let entities = 0;
      let errors = 0;
      for (let done = 0; done < this.#texts.length; done++) {
        // A classifier that answers without waiting (a fake, say) and a client that reads as
        // fast would otherwise run the whole stream in one turn of the event loop.
        if (done > 0 && done % STREAM_WINDOW === 0) await nextTurn();
        // Without the stop check, a client that left would keep this handler waiting for the
        // slowest input.
        const item = done === 0 && this.#first ? this.#first : await this.#next(() => gone);
        if (item === undefined || gone || raw.destroyed) return;
        let chunk: string;
        if (item.ok) {
          chunk = "";
          for (const entity of item.entities) chunk += sseEvent("entity", { input: item.index, entity });
          chunk += sseEvent("input", { input: item.index, entities: item.entities.length });
          entities += item.entities.length;
        } else {
          errors++;
          const reply = toErrorReply(item.error, maxBodyBytes);
          chunk = sseEvent("error", { input: item.index, status: reply.statusCode, ...reply.body, error: inputErrorMessage(item.error, reply.body.error, item.index) });
        }
        if (!raw.write(chunk) && !(await drained(raw))) return;
      }
      raw.end(sseEvent("done", { inputs: this.#texts.length, entities, errors }));
    } finally {
      raw.off("close", onClose);
      if (gone || raw.destroyed) this.#abandon();
    }
  }
}

/**
 * An input's error message as the JSON path words it. Each input is classified alone, as text 0
 * of its own call: an error about that text has textIndex 0 and a message that names it first
 * ("text 0 contains a lone surrogate at ..."), where the input's index in the request goes.
 */
function inputErrorMessage(error: unknown, message: unknown, index: number): unknown {
  const textIndex = (error as { textIndex?: unknown } | null)?.textIndex;
  if (typeof textIndex !== "number" || typeof message !== "string") return message;
  const named = textName(textIndex);
  return message.startsWith(named) ? textName(index) + message.slice(named.length) : message;
}

/**
 * Resolves true when the response can take more data, false if the connection closed first
 * (a client that disconnects while the buffer is full never drains it).
 */
function drained(raw: ServerResponse): Promise<boolean> {
  if (raw.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => (): void => {
      raw.off("drain", onDrain);
      raw.off("close", onClose);
      raw.off("error", onClose);
      resolve(ok);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    raw.on("drain", onDrain);
    raw.on("close", onClose);
    raw.on("error", onClose);
  });
}
