// The server resolves (validates) each inference request's payload once, with the real
// classifier: routes.ts needs the resolved texts before the cache key and the stream, and hands
// them on, rather than calling query(), which would resolve the payload again (and, in a stream,
// once more per input).
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resolvePayload } from "../../src/options.js";
import type { TokenClassifier } from "../../src/index.js";
import type { InferencePayload } from "../../src/types.js";
import { parseSse, post, start, type Started } from "./helpers.js";

vi.mock("../../src/options.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/options.js")>();
  return { ...original, resolvePayload: vi.fn(original.resolvePayload) };
});

const built = existsSync(new URL("../../build/Release/tokclass.node", import.meta.url));
if (!built) console.warn("test/server/resolve-once: native addon not built (npm run build); skipping");

const TEXTS = ["Angela Merkel met Emmanuel Macron in Paris.", "nothing to see here", "Sarah lives in London"];

describe.skipIf(!built)("one resolvePayload per request", () => {
  let clf: TokenClassifier;
  let server: Started;
  const resolved = vi.mocked(resolvePayload);

  beforeAll(async () => {
    const { TokenClassifier } = await import("../../src/index.js");
    clf = await TokenClassifier.load();
    server = await start({});
    await server.registry.settled();
  });
  afterAll(async () => {
    await server?.close();
    await clf?.dispose();
  });
  beforeEach(() => {
    resolved.mockClear();
  });

  it("a JSON request: resolved once, and answered as query() answers it", async () => {
    const payload: InferencePayload = { inputs: TEXTS, parameters: { aggregation_strategy: "first" } };
    const res = await post(`${server.url}/`, payload, { "x-use-cache": "false" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(resolved).toHaveBeenCalledTimes(1);
    // The public query() still resolves its payload itself.
    expect(await clf.query(payload)).toEqual(body);
    expect(resolved).toHaveBeenCalledTimes(2);
  });

  it("a stream of three inputs: resolved once, not once more per input", async () => {
    const res = await post(`${server.url}/`, { inputs: TEXTS, stream: true });
    const events = parseSse(await res.text());
    expect(resolved).toHaveBeenCalledTimes(1);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { inputs: 3, errors: 0 } });
    for (const [i, text] of TEXTS.entries()) {
      const mine = events.filter((e) => e.event === "entity" && (e.data as { input: number }).input === i).map((e) => (e.data as { entity: unknown }).entity);
      expect(mine).toEqual(await clf.query({ inputs: text }));
    }
  });

  it("a stream of word lists: each input's entities, as query() gives them for that list", async () => {
    const lists = [["Angela", "Merkel"], ["in", "Paris"]];
    const res = await post(`${server.url}/`, { inputs: lists, parameters: { is_split_into_words: true }, stream: true });
    const events = parseSse(await res.text());
    expect(resolved).toHaveBeenCalledTimes(1);
    for (const [i, words] of lists.entries()) {
      const mine = events.filter((e) => e.event === "entity" && (e.data as { input: number }).input === i).map((e) => (e.data as { entity: unknown }).entity);
      expect([mine]).toEqual(await clf.query({ inputs: [words], parameters: { is_split_into_words: true } }));
    }
  });
});
