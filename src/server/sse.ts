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
        .query(payload)
        .then(
          (result) => this.#queue.push({ index, ok: true, entities: (split ? (result as Entity[][])[0] ?? [] : result) as Entity[] }),
          (error: unknown) => this.#queue.push({ index, ok: false, error }),
        )
        .finally(() => this.#wake?.());
    });
  }

  async #next(): Promise<Settled> {
    while (this.#queue.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#queue.shift() as Settled;
  }

  async ready(): Promise<void> {
    if (this.#count === 0) return;
    this.#first = await this.#next();
    if (!this.#first.ok && isParameterError(tokClassCode(this.#first.error))) throw this.#first.error;
  }

  async writeTo(raw: ServerResponse, headers: Record<string, string>, maxBodyBytes: number): Promise<void> {
    raw.writeHead(200, { ...headers, ...SSE_HEADERS });
    let entities = 0;
    let errors = 0;
    for (let done = 0; done < this.#count; done++) {
      const item = done === 0 && this.#first ? this.#first : await this.#next();
      if (raw.destroyed) return;
      if (item.ok) {
        let chunk = "";
        for (const entity of item.entities) chunk += sseEvent("entity", { input: item.index, entity });
        chunk += sseEvent("input", { input: item.index, entities: item.entities.length });
        entities += item.entities.length;
        raw.write(chunk);
      } else {
        errors++;
        const reply = toErrorReply(item.error, maxBodyBytes);
        raw.write(sseEvent("error", { input: item.index, status: reply.statusCode, ...reply.body }));
      }
    }
    raw.end(sseEvent("done", { inputs: this.#count, entities, errors }));
  }
}
