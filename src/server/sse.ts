/**
 * Server-Sent Events for `"stream": true` (or `Accept: text/event-stream`).
 *
 * Each input (a string counts as one input, index 0) is classified by its own clf.query() call,
 * all concurrently. As each input finishes, its entities are sent, then an `input` event; inputs
 * come in completion order, so every event names its input index:
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
 * Entities are exactly what clf.query() returns for that input alone. Errors that concern the
 * whole request (bad parameters, unknown model, loading) are sent before the stream starts, as a
 * plain JSON error with its status. Streamed responses are never cached.
 *
 * Backpressure: events are written only as fast as the client reads them (after a write the
 * socket cannot take, the next waits for 'drain'), so a client that stops reading holds at
 * most about one input's events in the server's memory, not the whole response. If the client
 * goes away, writing stops; inputs still being classified finish in the background and their
 * results are dropped.
 */
import type { ServerResponse } from "node:http";
import type { Entity, InferencePayload } from "../types.js";
import type { ServedClassifier } from "./contract.js";
import { isParameterError, tokClassCode, toErrorReply } from "./http-errors.js";

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
 * Classifies each input separately, concurrently. `ready()` waits for the first input and throws
 * if it failed on the parameters (shared by all inputs), so the caller can still answer with a
 * JSON error; `writeTo()` then sends the events as inputs finish.
 */
export class InferenceStream {
  readonly #count: number;
  readonly #queue: Settled[] = [];
  #wake: (() => void) | undefined;
  #first: Settled | undefined;
  #abandoned = false;
  /** Aborts the inputs still running once the client has gone. */
  readonly #controller = new AbortController();

  constructor(clf: ServedClassifier, inputs: string | string[] | string[][], parameters: InferencePayload["parameters"]) {
    // With is_split_into_words an input is a word list: a flat list of words is one input,
    // and query() answers each with a list holding one list.
    const split = parameters?.is_split_into_words === true;
    const texts: (string | string[])[] =
      typeof inputs === "string" ? [inputs] : split && inputs.every((w) => typeof w === "string") ? [inputs as string[]] : inputs;
    this.#count = texts.length;
    texts.forEach((text, index) => {
      const payload: InferencePayload = parameters ? { inputs: text, parameters } : { inputs: text };
      clf
        .query(payload, { signal: this.#controller.signal })
        .then(
          (result) => this.#push({ index, ok: true, entities: (split ? (result as Entity[][])[0] ?? [] : result) as Entity[] }),
          (error: unknown) => this.#push({ index, ok: false, error }),
        )
        .finally(() => this.#wake?.());
    });
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
    return this.#queue.shift() as Settled;
  }

  async ready(): Promise<void> {
    if (this.#count === 0) return;
    const first = (await this.#next()) as Settled;
    this.#first = first;
    if (!first.ok && isParameterError(tokClassCode(first.error))) throw first.error;
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
      for (let done = 0; done < this.#count; done++) {
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
          chunk = sseEvent("error", { input: item.index, status: reply.statusCode, ...reply.body });
        }
        if (!raw.write(chunk) && !(await drained(raw))) return;
      }
      raw.end(sseEvent("done", { inputs: this.#count, entities, errors }));
    } finally {
      raw.off("close", onClose);
      if (gone || raw.destroyed) {
        this.#abandoned = true;
        this.#queue.length = 0;
        this.#controller.abort();  // the inputs not yet run are dropped
      }
    }
  }
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
