/** A bounded LRU of serialized responses, keyed by a hash of (model id, normalized body). */
import { createHash } from "node:crypto";

export interface LruOptions {
  /** Most entries kept (0 disables the cache). */
  maxEntries: number;
  /** Most bytes of values kept, counted as string length × 2 (UTF-16). */
  maxBytes: number;
}

export class LruCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #map = new Map<string, string>();
  #bytes = 0;

  constructor(options: LruOptions) {
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): string | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key); // re-insert: Map order is recency order
    this.#map.set(key, value);
    return value;
  }

  set(key: string, value: string): void {
    const cost = value.length * 2;
    if (this.#maxEntries <= 0 || cost > this.#maxBytes) return;
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#map.delete(key);
      this.#bytes -= old.length * 2;
    }
    this.#map.set(key, value);
    this.#bytes += cost;
    while (this.#map.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.#bytes -= (this.#map.get(oldest.value) ?? "").length * 2;
      this.#map.delete(oldest.value);
    }
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one key. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The cache key of a request: model id plus what changes the answer (inputs, parameters). */
export function cacheKey(modelId: string, inputs: unknown, parameters: unknown): string {
  return createHash("sha256")
    .update(modelId)
    .update("\0")
    .update(canonicalJson({ inputs, parameters: parameters ?? {} }))
    .digest("base64url");
}
