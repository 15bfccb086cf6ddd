// The server with the real classifier (embedded model): what plain fetch and the official
// @huggingface/inference client get equals clf.query() for the same payload.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InferenceClient } from "@huggingface/inference";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenClassifier } from "../../src/index.js";
import type { InferencePayload } from "../../src/types.js";
import { parseSse, post, start, type Started } from "./helpers.js";

const built = existsSync(new URL("../../build/Release/tokclass.node", import.meta.url));
if (!built) console.warn("test/server/acceptance: native addon not built (npm run build); skipping");

const SEED = "My name is Sarah Jessica Parker but you can call me Jessica";
const MORE = ["Angela Merkel met Emmanuel Macron in Paris.", "nothing to see here", "Hugging Face is based in New York City 🗽 and Paris."];

describe.skipIf(!built)("server with the real classifier", () => {
  let clf: TokenClassifier;
  let server: Started;
  let secured: Started;

  beforeAll(async () => {
    const { TokenClassifier } = await import("../../src/index.js");
    clf = await TokenClassifier.load();
    server = await start({});
    secured = await start({ tokens: ["hf_test_token"] });
    await Promise.all([server.registry.settled(), secured.registry.settled()]);
  });
  afterAll(async () => {
    await server?.close();
    await secured?.close();
    await clf?.dispose();
  });

  const payloads: InferencePayload[] = [
    { inputs: SEED },
    { inputs: MORE },
    ...(["none", "simple", "first", "average", "max"] as const).map((s) => ({ inputs: MORE[2]!, parameters: { aggregation_strategy: s } })),
    { inputs: SEED, parameters: { aggregation_strategy: "simple", ignore_labels: [] } },
    { inputs: `${SEED}. `.repeat(60), parameters: { aggregation_strategy: "first", stride: 32 } },
  ];

  it("plain fetch of the documented payload equals clf.query()", async () => {
    for (const payload of payloads) {
      const expected = await clf.query(payload);
      for (const path of ["/models/default", "/"]) {
        const res = await post(server.url + path, payload, { "x-use-cache": "false" });
        expect(res.status, JSON.stringify(payload).slice(0, 80)).toBe(200);
        expect(await res.json()).toEqual(expected);
      }
    }
  });

  it("the text alone as the body (curl -d 'text', text/plain) equals clf.query() of that text", async () => {
    for (const text of [SEED, ...MORE]) {
      const expected = await clf.query({ inputs: text });
      for (const type of ["application/x-www-form-urlencoded", "text/plain; charset=utf-8"]) {
        const res = await fetch(`${server.url}/models/default`, { method: "POST", headers: { "content-type": type, "x-use-cache": "false" }, body: text });
        expect(res.status, `${type}: ${text}`).toBe(200);
        expect(await res.json(), `${type}: ${text}`).toEqual(expected);
      }
    }
  });

  it("pre-split word lists and legacy parameters (with a deprecation header) work over HTTP", async () => {
    const words = { inputs: [["Angela", "Merkel", "met", "Macron"], ["Paris"]], parameters: { is_split_into_words: true } };
    const res = await post(server.url + "/", words, { "x-use-cache": "false" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(await clf.query(words as InferencePayload));

    const legacy = { inputs: SEED, parameters: { grouped_entities: true, ignore_subwords: true } };
    const old = await post(server.url + "/", legacy, { "x-use-cache": "false" });
    expect(old.status).toBe(200);
    expect(old.headers.get("deprecation")).toBe("true");
    expect(await old.json()).toEqual(await clf.query({ inputs: SEED, parameters: { aggregation_strategy: "first" } }));
    const modern = await post(server.url + "/", { inputs: SEED }, { "x-use-cache": "false" });
    expect(modern.headers.get("deprecation")).toBeNull();
  });

  it("the official @huggingface/inference client gets the same entities", async () => {
    const client = new InferenceClient();
    const expected = await clf.query({ inputs: SEED, parameters: { aggregation_strategy: "simple" } });
    const got = await client.tokenClassification({
      endpointUrl: `${server.url}/models/default`,
      inputs: SEED,
      parameters: { aggregation_strategy: "simple" },
    });
    expect(got).toEqual(expected);
    const first = await client.tokenClassification({ endpointUrl: `${server.url}/models/default`, inputs: MORE[0]!, parameters: { aggregation_strategy: "first", ignore_labels: ["O", "LOC"] } });
    expect(first).toEqual(await clf.query({ inputs: MORE[0]!, parameters: { aggregation_strategy: "first", ignore_labels: ["O", "LOC"] } }));
  });

  it("the client's access token is checked when the server has tokens", async () => {
    const ok = await new InferenceClient("hf_test_token").tokenClassification({ endpointUrl: `${secured.url}/models/default`, inputs: SEED });
    expect(ok).toEqual(await clf.query({ inputs: SEED }));
    await expect(new InferenceClient("hf_wrong").tokenClassification({ endpointUrl: `${secured.url}/models/default`, inputs: SEED })).rejects.toMatchObject({
      httpResponse: { status: 401 },
    });
  });

  it("bad parameters and bad text are 400 with the library's message", async () => {
    const cases: Array<[InferencePayload, RegExp | string]> = [
      [{ inputs: SEED, parameters: { aggregation_strategy: "median" as never } }, /median/],
      [{ inputs: SEED, parameters: { aggregation_strategy: "none", stride: 8 } }, /stride/i],
      [{ inputs: SEED, parameters: { aggregation_strategy: "simple", stride: 100000 } }, /stride/i],
      [{ inputs: SEED, parameters: { ignore_labels: "O" as never } }, /ignore_labels/],
      [{ inputs: "lone \ud800 surrogate" }, /./],
    ];
    for (const [payload, message] of cases) {
      let expected: unknown;
      try {
        await clf.query(payload);
      } catch (err) {
        expected = err;
      }
      expect(expected, JSON.stringify(payload)).toBeDefined();
      const res = await post(`${server.url}/`, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(message);
      expect(body.error).toBe((expected as Error).message);
    }
  });

  it("odd payloads get 200 or 400 with a JSON error, never 500", async () => {
    const odd: unknown[] = [
      { inputs: "" },
      { inputs: [] },
      { inputs: [""] },
      { inputs: "   \n\t " },
      { inputs: "🗽".repeat(5000) },
      { inputs: "\u0000 control \u001f chars" },
      { inputs: "\udc00 lone low surrogate" },
      { inputs: SEED, parameters: null },
      { inputs: SEED, parameters: {} },
      { inputs: SEED, parameters: { aggregation_strategy: null } },
      { inputs: SEED, parameters: { aggregation_strategy: 3 } },
      { inputs: SEED, parameters: { aggregation_strategy: "SIMPLE" } },
      { inputs: SEED, parameters: { stride: -1 } },
      { inputs: SEED, parameters: { stride: 1.5 } },
      { inputs: SEED, parameters: { stride: "4" } },
      { inputs: SEED, parameters: { stride: 1e300 } },
      { inputs: SEED, parameters: { ignore_labels: [1] } },
      { inputs: SEED, parameters: { ignore_labels: null } },
      { inputs: SEED, parameters: { unknown_parameter: true } },
      { inputs: SEED, parameters: { grouped_entities: true } },
      { inputs: SEED, parameters: { grouped_entities: "yes" } },
      { inputs: SEED, parameters: { ignore_subwords: true, aggregation_strategy: "none" } },
      { inputs: SEED, parameters: { __proto__: { polluted: true } } },
      { inputs: { nested: [[["deep"]]] } },
    ];
    for (const body of odd) {
      for (const stream of [false, true]) {
        const payload = typeof body === "object" && body !== null ? { ...body, stream } : body;
        const res = await post(`${server.url}/`, payload, { "x-use-cache": "false" });
        const what = `${JSON.stringify(payload).slice(0, 100)} -> ${res.status}`;
        expect([200, 400], what).toContain(res.status);
        if (res.status === 400) expect(typeof ((await res.json()) as { error: unknown }).error, what).toBe("string");
        else await res.arrayBuffer();
      }
    }
    const deep = `{"inputs":"a","parameters":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect((await post(`${server.url}/`, deep)).status).toBe(400);
  });

  it("streams each input's entities, equal to clf.query() of that input", async () => {
    const res = await post(`${server.url}/models/default`, { inputs: MORE, stream: true });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    for (let i = 0; i < MORE.length; i++) {
      const mine = events.filter((e) => e.event === "entity" && (e.data as { input: number }).input === i).map((e) => (e.data as { entity: unknown }).entity);
      expect(mine).toEqual(await clf.query({ inputs: MORE[i]! }));
    }
    expect(events.at(-1)!.event).toBe("done");
  });

  it("a stream refuses what the JSON path refuses, with the same message, and numbers a bad input as it does", async () => {
    for (const payload of [{ inputs: [["Angela", "Merkel"]] }, { inputs: [], parameters: { aggregation_strategy: "x" } }]) {
      const plain = await post(`${server.url}/`, payload);
      const streamed = await post(`${server.url}/`, { ...payload, stream: true });
      expect(plain.status).toBe(400);
      expect(streamed.status).toBe(400);
      expect(await streamed.json()).toEqual(await plain.json());
    }
    const plain = await post(`${server.url}/`, { inputs: ["Paris", "x\ud800"] });
    const message = ((await plain.json()) as { error: string }).error;
    expect(message).toMatch(/^text 1 contains a lone surrogate/);
    const events = parseSse(await (await post(`${server.url}/`, { inputs: ["Paris", "x\ud800"], stream: true })).text());
    expect(events).toContainEqual({ event: "error", data: { input: 1, status: 400, error: message } });
  });

  it("a stream's error for input k names text k, for native and TypeScript checks alike (from the error's textIndex)", async () => {
    const short = await start({ models: [{ id: "short", load: { maxTextLength: 12 } }] });
    try {
      await short.registry.settled();
      const url = `${short.url}/models/short`;
      // Each classified alone, as text 0 of its own call; the JSON path numbers them in the request.
      const inputs = ["Paris", "x\ud800", "Angela", "Angela Merkel"];
      const surrogate = ((await (await post(url, { inputs: inputs.slice(0, 2) })).json()) as { error: string }).error;
      const tooLong = ((await (await post(url, { inputs: ["Paris", "x", "Angela", inputs[3]] })).json()) as { error: string }).error;
      expect(surrogate).toBe("text 1 contains a lone surrogate at UTF-16 index 1");
      expect(tooLong).toMatch(/^text 3 is 13 UTF-16 code units long/);
      const events = parseSse(await (await post(url, { inputs, stream: true })).text());
      const errors = events.filter((e) => e.event === "error").map((e) => e.data);
      expect(errors).toEqual(
        expect.arrayContaining([
          { input: 1, status: 400, error: surrogate },
          { input: 3, status: 400, error: tooLong },
        ]),
      );
      expect(errors).toHaveLength(2);
    } finally {
      await short.close();
    }
  });

  it("a model id with no folder is served from the Hugging Face cache, at /models/<id>", async () => {
    // `tokclass serve --model org/ner`: the id is both the route and what load() looks up.
    const { DEFAULT_MODEL_DIR } = await import("../../src/index.js");
    const { parseModelFlag } = await import("../../src/server/config.js");
    const hub = mkdtempSync(join(tmpdir(), "tokclass-serve-hub-"));
    const commit = "d".repeat(40);
    const snapshot = join(hub, "models--org--ner", "snapshots", commit);
    mkdirSync(join(snapshot, "onnx"), { recursive: true });
    mkdirSync(join(hub, "models--org--ner", "refs"));
    writeFileSync(join(hub, "models--org--ner", "refs", "main"), commit);
    for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) symlinkSync(join(DEFAULT_MODEL_DIR, f), join(snapshot, f));
    symlinkSync(join(DEFAULT_MODEL_DIR, "model.onnx"), join(snapshot, "onnx", "model.onnx"));
    const saved = process.env.HF_HUB_CACHE;
    process.env.HF_HUB_CACHE = hub;
    const cached = await start({ models: [{ ...parseModelFlag("org/ner"), load: {} }] });
    try {
      await cached.registry.settled();
      const res = await post(`${cached.url}/models/org/ner`, { inputs: SEED }, { "x-use-cache": "false" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(await clf.query({ inputs: SEED }));
      const health = (await (await fetch(`${cached.url}/health`)).json()) as { models: Array<{ id: string; info?: { modelId?: string; modelDir: string } }> };
      const served = health.models.find((m) => m.id === "org/ner");
      // The model id, but not the snapshot folder it was read from: /health names no server path.
      expect(served?.info).toMatchObject({ modelId: "org/ner" });
      expect(JSON.stringify(served)).not.toContain(hub);
    } finally {
      await cached.close();
      if (saved === undefined) delete process.env.HF_HUB_CACHE;
      else process.env.HF_HUB_CACHE = saved;
      rmSync(hub, { recursive: true, force: true });
    }
  });

  it("a lazily loaded model: 503 while loading, then the answer with x-wait-for-model", async () => {
    const lazy = await start({ preload: false });
    try {
      const cold = await post(`${lazy.url}/`, { inputs: SEED });
      expect(cold.status).toBe(503);
      expect(await cold.json()).toMatchObject({ error: "Model default is currently loading", estimated_time: expect.any(Number) });
      const warm = await post(`${lazy.url}/`, { inputs: SEED }, { "x-wait-for-model": "true" });
      expect(warm.status).toBe(200);
      expect(await warm.json()).toEqual(await clf.query({ inputs: SEED }));
      const health = (await (await fetch(`${lazy.url}/health`)).json()) as { models: Array<{ state: string; info: { labels: string[] } }> };
      expect(health.models[0]!.state).toBe("ready");
      expect(health.models[0]!.info.labels).toEqual(clf.info().labels);
    } finally {
      await lazy.close();
    }
  });
});
