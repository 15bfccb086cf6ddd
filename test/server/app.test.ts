// HTTP behaviour with a fake classifier: routes, headers, status codes, SSE, shutdown.
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { TokClassError } from "../../src/errors.js";
import { fakeEntities, fakeLoader } from "./fake.js";
import { STREAM_WINDOW } from "../../src/server/sse.js";
import { parseSse, post, start, type Started } from "./helpers.js";

let server: Started | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const SEED = "My name is Sarah Jessica Parker but you can call me Jessica";

describe("inference routes", () => {
  it("POST /models/default and POST / answer the query JSON", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    for (const path of ["/models/default", "/"]) {
      const res = await post(server.url + path, { inputs: SEED }, { "x-use-cache": "false" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(fakeEntities(SEED));
    }
    const list = await post(server.url + "/", { inputs: ["Ann", "x"], parameters: { aggregation_strategy: "none" } });
    expect(await list.json()).toEqual([fakeEntities("Ann", "none"), []]);
  });

  it("routes ids containing slashes to their folders", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, models: [{ id: "dslim/bert-base-NER", dir: "/models/ner", load: {} }] });
    const res = await post(`${server.url}/models/dslim/bert-base-NER`, { inputs: "Hi Bob" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fakeEntities("Hi Bob"));
    expect(fl.loaded.map((c) => c.dir)).toEqual(expect.arrayContaining([undefined, "/models/ner"]));
    const health = (await (await fetch(`${server.url}/health`)).json()) as { models: Array<{ id: string; state: string }> };
    expect(health.models.map((m) => [m.id, m.state])).toEqual([
      ["default", "ready"],
      ["dslim/bert-base-NER", "ready"],
    ]);
  });

  it("GET /health reports models, states and info()", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    await server.registry.settled();
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", defaultModel: "default", models: [{ id: "default", state: "ready", info: { labels: ["O", "B-PER", "I-PER"] } }] });
  });
});

describe("x-use-cache", () => {
  it("serves identical requests from the cache; false bypasses it", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const body = { inputs: SEED, parameters: { aggregation_strategy: "simple", ignore_labels: ["O"] } };
    const a = await post(`${server.url}/models/default`, body);
    expect(a.headers.get("x-cache")).toBe("miss");
    // Same request, keys in another order: a hit, and the classifier is not called again.
    const b = await post(`${server.url}/models/default`, { parameters: { ignore_labels: ["O"], aggregation_strategy: "simple" }, inputs: SEED });
    expect(b.headers.get("x-cache")).toBe("hit");
    expect(await b.json()).toEqual(await a.json());
    expect(fl.loaded[0]!.calls).toBe(1);
    const c = await post(`${server.url}/models/default`, body, { "x-use-cache": "false" });
    expect(c.headers.get("x-cache")).toBe("bypass");
    const d = await post(`${server.url}/models/default`, { ...body, options: { use_cache: false } });
    expect(d.headers.get("x-cache")).toBe("bypass");
    expect(fl.loaded[0]!.calls).toBe(3);
    // Different parameters: a different entry.
    const e = await post(`${server.url}/models/default`, { inputs: SEED, parameters: { aggregation_strategy: "first" } });
    expect(e.headers.get("x-cache")).toBe("miss");
  });

  it("identical cacheable requests in flight share one classification", async () => {
    const fl = fakeLoader({ delayMs: () => 100 });
    server = await start({ loader: fl.loader });
    await server.registry.settled();
    const all = await Promise.all([1, 2, 3].map(() => post(`${server!.url}/`, { inputs: "Ann" })));
    for (const res of all) expect(await res.json()).toEqual(fakeEntities("Ann"));
    expect(fl.loaded[0]!.calls).toBe(1);
    const bypass = await Promise.all([1, 2].map(() => post(`${server!.url}/`, { inputs: "Ann" }, { "x-use-cache": "false" })));
    expect(bypass.map((r) => r.status)).toEqual([200, 200]);
    expect(fl.loaded[0]!.calls).toBe(3);
  });

  it("cacheSize 0 disables caching", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, cacheSize: 0 });
    await post(`${server.url}/`, { inputs: "A" });
    const b = await post(`${server.url}/`, { inputs: "A" });
    expect(b.headers.get("x-cache")).toBe("miss");
    expect(fl.loaded[0]!.calls).toBe(2);
  });
});

describe("Authorization", () => {
  it("requires one of the configured bearer tokens on every route", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, tokens: ["s3cret", "other"] });
    const none = await post(`${server.url}/`, { inputs: "A" });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.json()).toEqual({ error: expect.any(String) });
    expect((await post(`${server.url}/`, { inputs: "A" }, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post(`${server.url}/`, { inputs: "A" }, { authorization: "s3cret" })).status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(401);
    expect((await post(`${server.url}/`, { inputs: "A" }, { authorization: "Bearer s3cret" })).status).toBe(200);
    expect((await post(`${server.url}/models/default`, { inputs: "A" }, { authorization: "Bearer other" })).status).toBe(200);
    expect((await fetch(`${server.url}/health`, { headers: { authorization: "Bearer other" } })).status).toBe(200);
    // Checked before the body is read: an unauthenticated oversized body is still 401.
    expect((await post(`${server.url}/`, "x".repeat(2 * 1024 * 1024))).status).toBe(401);
  });
});

describe("errors", () => {
  it("400 for bad JSON and bad bodies, never 500", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const cases: unknown[] = ["{", "", "null", "[1]", "true", {}, { inputs: 3 }, { inputs: ["a", null] }, { inputs: "a", parameters: "x" }, { inputs: "a", bogus: 1 }, { inputs: "a", options: { use_cache: 1 } }];
    for (const body of cases) {
      const res = await post(`${server.url}/`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof ((await res.json()) as { error: unknown }).error).toBe("string");
    }
    const proto = await post(`${server.url}/`, '{"inputs":"a","parameters":{"__proto__":{"x":1}}}');
    expect(proto.status).toBe(400);
    expect(((await proto.json()) as { error: string }).error).toMatch(/^Refused a "__proto__" key in the JSON body: .*prototype poisoning/);
    const badHeader = await post(`${server.url}/`, { inputs: "a" }, { "x-wait-for-model": "perhaps" });
    expect(badHeader.status).toBe(400);
  });

  it("a deeply nested unknown parameter is 400, on both paths (it overflowed the cache key's stack: 500)", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const deep = `{"inputs":"a","parameters":{"x":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    for (const stream of ["", ',"stream":true']) {
      const res = await post(`${server.url}/`, `${deep}${stream}}`);
      expect(res.status, stream).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^Unknown option payload\.parameters\.x/);
    }
  });

  it("refuses prototype keys, escaped or nested, saying why; other JSON errors say what is wrong", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    for (const body of ['{"inputs":"a","__proto__":{"x":1}}', '{"inputs":"a","\\u005f_proto__":{}}', '{"inputs":[[{"__proto__":1}]]}']) {
      const res = await post(`${server.url}/`, body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error, body).toMatch(/^Refused a "__proto__" key in the JSON body/);
    }
    const ctor = await post(`${server.url}/`, '{"inputs":"a","parameters":{"constructor":{"prototype":{}}}}');
    expect(((await ctor.json()) as { error: string }).error).toMatch(/^Refused a "constructor" key holding "prototype"/);
    const trailing = await post(`${server.url}/`, '{"inputs":"a"} x');
    expect(await trailing.json()).toEqual({ error: "Invalid JSON body: Unexpected non-whitespace character after JSON at position 15" });
    // The words alone are fine; a byte order mark is accepted as before.
    expect((await post(`${server.url}/`, '{"inputs":"the constructor of __proto__"}')).status).toBe(200);
    expect((await post(`${server.url}/`, '\ufeff{"inputs":"Ann"}')).status).toBe(200);
  });

  it("a body that is not valid UTF-8 is 400, not classified with U+FFFD in its place", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const invalid = Buffer.concat([Buffer.from('{"inputs":"Par'), Buffer.from([0xff]), Buffer.from('is"}')]);
    for (const type of ["application/json", "application/vnd.api+json", "text/plain"]) {
      const res = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": type }, body: invalid });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "Body is not valid UTF-8" });
    }
    expect(fl.loaded[0]?.calls ?? 0).toBe(0);
    const valid = await post(`${server.url}/`, { inputs: "Paris Ünter" });
    expect(await valid.json()).toEqual(fakeEntities("Paris Ünter"));
  });

  it("415 naming the coding for a compressed body; identity is accepted", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const body = gzipSync('{"inputs":"Ann"}');
    const res = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body });
    expect(res.status).toBe(415);
    expect(res.headers.get("accept-encoding")).toBe("identity");
    expect(await res.json()).toEqual({ error: 'Unsupported Content-Encoding "gzip"; send the body uncompressed' });
    const identity = await post(`${server.url}/`, { inputs: "Ann" }, { "content-encoding": "identity" });
    expect(identity.status).toBe(200);
    // A request without a body is not concerned.
    expect((await fetch(`${server.url}/health`, { headers: { "content-encoding": "gzip" } })).status).toBe(200);
  });

  it("a URL with a malformed percent-encoding gets the server's JSON error shape", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const res = await post(`${server.url}/models/%E0%A4%A`, { inputs: "Ann" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ error: 'Invalid URL "/models/%E0%A4%A": it has a malformed percent-encoding' });
  });

  it("repeated x-use-cache headers: agreeing values are accepted, conflicting ones are a clear 400", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const twice = (a: string, b: string): Promise<Response> =>
      fetch(`${server!.url}/`, { method: "POST", headers: new Headers([["content-type", "application/json"], ["x-use-cache", a], ["x-use-cache", b]]), body: '{"inputs":"Ann"}' });
    const agree = await twice("false", "0");
    expect(agree.status).toBe(200);
    expect(agree.headers.get("x-cache")).toBe("bypass");
    const conflict = await twice("false", "true");
    expect(conflict.status).toBe(400);
    expect(await conflict.json()).toEqual({ error: "Header x-use-cache was given conflicting values (false, true); send it once" });
  });

  it("400 for parameters the classifier rejects (TokClassError codes)", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const res = await post(`${server.url}/`, { inputs: "a", parameters: { aggregation_strategy: "median" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/parameters\.aggregation_strategy, received "median"$/) });
    const stride = await post(`${server.url}/`, { inputs: "a", parameters: { aggregation_strategy: "none", stride: 2 } });
    expect(stride.status).toBe(400);
  });

  it("404 for unknown models and paths, 405 for GET on an inference route", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const res = await post(`${server.url}/models/nope/nothing`, { inputs: "a" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Model nope/nothing does not exist" });
    // No id at all: said so, rather than "Model  does not exist".
    for (const path of ["/models/", "/models//"]) {
      const empty = await post(`${server.url}${path}`, { inputs: "a" });
      expect(empty.status, path).toBe(404);
      expect(await empty.json(), path).toEqual({ error: "No model id in the path: POST /models/<id>, or POST / for the default model" });
    }
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    const get = await fetch(`${server.url}/models/default`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("405 matches on the path, without the query string, and covers /health", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    for (const path of ["/", "/?x=1", "/models/default?wait=1"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
    const health = await post(`${server.url}/health`, {});
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");
    expect(await health.json()).toEqual({ error: "Method POST not allowed; use GET or HEAD" });
    expect((await fetch(`${server.url}/health?probe=1`)).status).toBe(200);
    const missing = await fetch(`${server.url}/elsewhere?x=1`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Not found: GET /elsewhere" });
  });

  it("a POST without a body gets 405 or 404 where no route takes it, 400 on an inference route", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const health = await fetch(`${server.url}/health`, { method: "POST" });
    expect(health.status).toBe(405);
    expect(health.headers.get("allow")).toBe("GET, HEAD");
    const elsewhere = await fetch(`${server.url}/elsewhere`, { method: "POST" });
    expect(elsewhere.status).toBe(404);
    for (const path of ["/", "/models/default"]) {
      const res = await fetch(`${server.url}${path}`, { method: "POST" });
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ error: 'Empty request body; expected a JSON object with "inputs", or the text itself' });
    }
  });

  it("413 past the body limit, 415 for content types that are neither JSON nor text", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, maxBodyBytes: 1000 });
    const big = await post(`${server.url}/`, { inputs: "a".repeat(2000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: "Request body is too large (limit 1000 bytes)" });
    expect((await post(`${server.url}/`, { inputs: "a".repeat(900) })).status).toBe(200);
    const tooBigText = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "text/plain" }, body: "a".repeat(2000) });
    expect(tooBigText.status).toBe(413);
    for (const type of ["application/xml", "multipart/form-data; boundary=x", "image/png"]) {
      const res = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": type }, body: '{"inputs":"a"}' });
      expect(res.status, type).toBe(415);
      expect(await res.json()).toEqual({ error: "Unsupported Content-Type; send JSON (application/json) or the text itself (text/plain)" });
    }
    const charset = await post(`${server.url}/`, { inputs: "Ann" }, { "content-type": "application/json; charset=utf-8" });
    expect(charset.status).toBe(200);
    expect(fl.loaded[0]!.calls).toBe(2);
  });

  it("a body not declared as JSON is read as the hosted API reads it: JSON when it parses, else the text itself", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const send = (body: string, headers: Record<string, string>): Promise<Response> =>
      fetch(`${server!.url}/`, { method: "POST", headers: { "x-use-cache": "false", ...headers }, body });
    const text = "Ann lives in Paris";
    // text/plain (any UTF-8 charset spelling), and a form, which is what curl -d sends without -H.
    for (const type of ["text/plain", "text/plain; charset=UTF-8", 'text/plain;charset="utf-8"', "application/x-www-form-urlencoded"]) {
      const res = await send(text, { "content-type": type });
      expect(res.status, type).toBe(200);
      expect(await res.json(), type).toEqual(fakeEntities(text));
      const json = await send(JSON.stringify({ inputs: text, parameters: { aggregation_strategy: "none" } }), { "content-type": type });
      expect(await json.json(), type).toEqual(fakeEntities(text, "none"));
    }
    // A form body is not URL-decoded: the hosted API classifies it as sent.
    expect(await (await send("inputs=Ann+Lee", { "content-type": "application/x-www-form-urlencoded" })).json()).toEqual(fakeEntities("inputs=Ann+Lee"));
    // No Content-Type at all: the same reading (inject sends none).
    for (const payload of [text, JSON.stringify({ inputs: text })]) {
      const bare = await server.app.inject({ method: "POST", url: "/", payload });
      expect(bare.statusCode, payload).toBe(200);
      expect(bare.json(), payload).toEqual(fakeEntities(text));
    }
    // A JSON string is the input, under any type; a number is the text it is written as.
    expect(await (await post(`${server.url}/`, JSON.stringify(text))).json()).toEqual(fakeEntities(text));
    const number = await post(`${server.url}/`, " 2024\n");
    expect(await number.json()).toEqual(fakeEntities("2024"));
    // Headers apply as to JSON: Accept asks for a stream, x-use-cache for the cache, whose
    // entry a text body shares with the same text sent as JSON.
    const streamed = await send(text, { "content-type": "text/plain", accept: "text/event-stream" });
    expect(streamed.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await streamed.text());
    expect(events.filter((e) => e.event === "entity").map((e) => (e.data as { entity: unknown }).entity)).toEqual(fakeEntities(text));
    expect((await send("Bo met Cy", { "content-type": "text/plain" })).headers.get("x-cache")).toBe("bypass");
    const cacheable = (body: string): Promise<Response> => fetch(`${server!.url}/`, { method: "POST", headers: { "content-type": "text/plain" }, body });
    expect((await cacheable("Bo met Cy")).headers.get("x-cache")).toBe("miss");
    const hit = await cacheable('{"inputs":"Bo met Cy"}');
    expect(hit.headers.get("x-cache")).toBe("hit");
    expect(await hit.json()).toEqual(fakeEntities("Bo met Cy"));
  });

  it("a text body that opens with { or [ but is not JSON, another charset, or a value that is no input is refused, not classified", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const send = (body: string, type: string): Promise<Response> => fetch(`${server!.url}/`, { method: "POST", headers: { "content-type": type }, body });
    const hint = ' (a body opening with { or [ is read as JSON; send such a text as {"inputs": ...})';
    const cut = await send('{"inputs": "Par', "text/plain");
    expect(cut.status).toBe(400);
    expect(await cut.json()).toEqual({ error: `Invalid JSON body: Unterminated string in JSON at position 15${hint}` });
    const bracket = await send(" [Reuters] Ann", "application/x-www-form-urlencoded");
    expect(bracket.status).toBe(400);
    expect(((await bracket.json()) as { error: string }).error).toMatch(/^Invalid JSON body: .*a body opening with \{ or \[ is read as JSON/);
    const latin1 = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "text/plain; charset=ISO-8859-1" }, body: Buffer.from("Ann \xfcber", "latin1") });
    expect(latin1.status).toBe(415);
    expect(await latin1.json()).toEqual({ error: 'Unsupported charset "iso-8859-1"; send the body as UTF-8' });
    for (const body of ["true", "null"]) {
      const res = await send(body, "text/plain");
      expect(res.status, body).toBe(400);
      expect(await res.json()).toEqual({ error: `Expected a JSON object with "inputs", or the text itself, for the request body; received ${body === "true" ? "boolean true" : "null"}` });
    }
    const proto = await send('{"inputs":"a","__proto__":{"x":1}}', "text/plain");
    expect(((await proto.json()) as { error: string }).error).toMatch(/^Refused a "__proto__" key/);
    expect(fl.loaded[0]?.calls ?? 0).toBe(0);
  });

  it("load failures: 404 when the model folder is missing, 500 otherwise; no server path is sent", async () => {
    const fl = fakeLoader({
      fail: (dir) =>
        dir === "/srv/models/missing"
          ? new TokClassError("ERR_MODEL_NOT_FOUND", "no model folder at /srv/models/missing, nor in /root/.cache/huggingface/hub")
          : dir === "/srv/models/broken"
            ? new TokClassError("ERR_MODEL_INVALID", "/srv/models/broken/model.onnx is corrupt")
            : undefined,
    });
    const logs: string[] = [];
    server = await start({
      loader: fl.loader,
      logger: { level: "error", stream: { write: (line: string) => void logs.push(line) } },
      models: [
        { id: "missing", dir: "/srv/models/missing", load: {} },
        { id: "broken", dir: "/srv/models/broken", load: {} },
      ],
    });
    const missing = await post(`${server.url}/models/missing`, { inputs: "a" }, { "x-wait-for-model": "true" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: "Model missing failed to load (ERR_MODEL_NOT_FOUND): the model's files were not found; the server log has the details",
    });
    const broken = await post(`${server.url}/models/broken`, { inputs: "a" }, { "x-wait-for-model": "true" });
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as { error: string }).error).toBe(
      "Model broken failed to load (ERR_MODEL_INVALID): the model's files are invalid; the server log has the details",
    );
    const res = await fetch(`${server.url}/health`);
    const text = await res.text();
    expect(text).not.toMatch(/\/srv|\/root/);
    const health = JSON.parse(text) as { status: string; models: Array<{ id: string; state: string; error?: string }> };
    expect(health.models.find((m) => m.id === "broken")).toEqual({ id: "broken", state: "error", loadSeconds: expect.any(Number), code: "ERR_MODEL_INVALID", error: "the model's files are invalid" });
    // The paths are in the server log.
    expect(logs.join("")).toContain("no model folder at /srv/models/missing, nor in /root/.cache/huggingface/hub");
  });

  it("GET /health: degraded when some models failed to load, 503 error when all did", async () => {
    const corrupt = (): TokClassError => new TokClassError("ERR_MODEL_INVALID", "corrupt");
    const some = fakeLoader({ fail: (dir) => (dir === "/a" ? corrupt() : undefined) });
    server = await start({ loader: some.loader, models: [{ id: "a", dir: "/a", load: {} }] });
    await server.registry.settled();
    const degraded = await fetch(`${server.url}/health`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: "degraded", models: [{ id: "default", state: "ready" }, { id: "a", state: "error" }] });
    await server.close();

    const all = fakeLoader({ fail: () => corrupt() });
    server = await start({ loader: all.loader, models: [{ id: "a", dir: "/a", load: {} }], preload: false });
    // Lazy models not loaded yet: nothing has failed.
    const idle = await fetch(`${server.url}/health`);
    expect(idle.status).toBe(200);
    expect(await idle.json()).toMatchObject({ status: "ok" });
    server.registry.loadAll();
    await server.registry.settled();
    const failed = await fetch(`${server.url}/health`);
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ status: "error", models: [{ state: "error" }, { state: "error" }] });
  });
});

describe("x-wait-for-model", () => {
  it("503 with estimated_time while loading; waits when asked", async () => {
    const fl = fakeLoader({ manual: true });
    server = await start({ loader: fl.loader, loadEstimateS: 20 });
    const res = await post(`${server.url}/`, { inputs: "Ann" });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; estimated_time: number };
    expect(body.error).toBe("Model default is currently loading");
    expect(body.estimated_time).toBeGreaterThan(1);
    expect(body.estimated_time).toBeLessThanOrEqual(20);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { models: Array<{ state: string }> };
    expect(health.models[0]!.state).toBe("loading");

    const waiting = post(`${server.url}/`, { inputs: "Ann" }, { "x-wait-for-model": "true" });
    const waitingBody = post(`${server.url}/`, { inputs: "Bo", options: { wait_for_model: true } });
    await new Promise((r) => setTimeout(r, 50));
    fl.release();
    expect((await waiting).status).toBe(200);
    expect(await (await waitingBody).json()).toEqual(fakeEntities("Bo"));
  });

  it("lazy models load on first use", async () => {
    const fl = fakeLoader({ manual: true });
    server = await start({ loader: fl.loader, preload: false });
    let health = (await (await fetch(`${server.url}/health`)).json()) as { models: Array<{ state: string }> };
    expect(health.models[0]!.state).toBe("idle");
    expect((await post(`${server.url}/`, { inputs: "Ann" })).status).toBe(503);
    health = (await (await fetch(`${server.url}/health`)).json()) as { models: Array<{ state: string }> };
    expect(health.models[0]!.state).toBe("loading");
    fl.release();
    expect((await post(`${server.url}/`, { inputs: "Ann" }, { "x-wait-for-model": "1" })).status).toBe(200);
  });

  it("x-load-model: 0 (options.dont_load_model) leaves a lazy model unloaded: 503, no load started", async () => {
    const fl = fakeLoader({ manual: true });
    server = await start({ loader: fl.loader, preload: false });
    const state = async (): Promise<string> => ((await (await fetch(`${server!.url}/health`)).json()) as { models: Array<{ state: string }> }).models[0]!.state;
    const message = "Model default is not loaded, and the request asked not to load it (x-load-model: 0 or options.dont_load_model)";
    for (const [body, headers] of [[{ inputs: "Ann" }, { "x-load-model": "0", "x-wait-for-model": "true" }], [{ inputs: "Ann", options: { dont_load_model: true } }, {}]] as const) {
      const res = await post(`${server.url}/`, body, headers);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: message });
    }
    expect(await state()).toBe("idle");
    expect(fl.loaded).toHaveLength(0);
    // A request that may load starts the load; one that may not then waits for it like any other.
    expect((await post(`${server.url}/`, { inputs: "Ann" })).status).toBe(503);
    expect(await state()).toBe("loading");
    const waiting = post(`${server.url}/`, { inputs: "Ann", options: { dont_load_model: true, wait_for_model: true, use_gpu: false } });
    fl.release();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fakeEntities("Ann"));
    expect((await post(`${server.url}/`, { inputs: "Bo" }, { "x-load-model": "0" })).status).toBe(200);
  });
});

describe("streaming (SSE)", () => {
  const delays: Record<string, number> = { "Alice met Bob": 120, "nothing here": 0, Carol: 40 };

  it("emits entities per input in completion order, then done", async () => {
    const fl = fakeLoader({ delayMs: (t) => delays[t] ?? 0 });
    server = await start({ loader: fl.loader });
    const inputs = ["Alice met Bob", "nothing here", "Carol"];
    const res = await post(`${server.url}/models/default`, { inputs, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.filter((e) => e.event === "input").map((e) => (e.data as { input: number }).input)).toEqual([1, 2, 0]);
    expect(events.filter((e) => e.event === "entity")).toEqual([
      ...fakeEntities("Carol").map((entity) => ({ event: "entity", data: { input: 2, entity } })),
      ...fakeEntities("Alice met Bob").map((entity) => ({ event: "entity", data: { input: 0, entity } })),
    ]);
    expect(events.at(-1)).toEqual({ event: "done", data: { inputs: 3, entities: 3, errors: 0 } });
    // Each input was its own query() call.
    expect(fl.loaded[0]!.calls).toBe(3);
  });

  it("Accept: text/event-stream streams a single string as input 0", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const res = await post(`${server.url}/`, { inputs: "Ann and Bo" }, { accept: "text/event-stream" });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(["entity", "entity", "input", "done"]);
    expect(events[0]!.data).toEqual({ input: 0, entity: fakeEntities("Ann and Bo")[0] });
    // stream: false in the body wins over Accept.
    const plain = await post(`${server.url}/`, { inputs: "Ann", stream: false }, { accept: "text/event-stream" });
    expect(plain.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("bad parameters are a JSON 400 before streaming; a bad input is an error event", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const bad = await post(`${server.url}/`, { inputs: ["a", "b"], stream: true, parameters: { aggregation_strategy: "median" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toMatch(/^application\/json/);
    const res = await post(`${server.url}/`, { inputs: ["Ann", "bad \u{FFFF}"], stream: true });
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    expect(events).toContainEqual({ event: "error", data: { input: 1, status: 400, error: "bad text" } });
    expect(events.at(-1)).toEqual({ event: "done", data: { inputs: 2, entities: 1, errors: 1 } });
    const empty = parseSse(await (await post(`${server.url}/`, { inputs: [], stream: true })).text());
    expect(empty).toEqual([{ event: "done", data: { inputs: 0, entities: 0, errors: 0 } }]);
  });
});

describe("streaming: payload validation and input errors", () => {
  /** The JSON path's answer and the stream's for one payload: both must be the same JSON error. */
  async function expectSameRefusal(url: string, payload: Record<string, unknown>): Promise<string> {
    const plain = await post(url, { ...payload, stream: false });
    const streamed = await post(url, { ...payload, stream: true });
    const label = JSON.stringify(payload);
    expect(plain.status, label).toBe(400);
    expect(streamed.status, label).toBe(400);
    expect(streamed.headers.get("content-type"), label).toMatch(/^application\/json/);
    const body = (await plain.json()) as { error: string };
    expect(await streamed.json(), label).toEqual(body);
    return body.error;
  }

  it("a payload the JSON path refuses is refused the same way before any event", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const url = `${server.url}/`;
    // Word lists without is_split_into_words; an empty list with a bad parameter.
    expect(await expectSameRefusal(url, { inputs: [["Angela", "Merkel"]] })).toMatch(/payload\.inputs\[0\]/);
    expect(await expectSameRefusal(url, { inputs: [], parameters: { aggregation_strategy: "x" } })).toMatch(/aggregation_strategy/);
    await expectSameRefusal(url, { inputs: "Ann", parameters: { is_split_into_words: true } });
    await expectSameRefusal(url, { inputs: ["Ann"], parameters: { stride: -1 } });
    // Refused before the classifier was called, on both paths.
    expect(fl.loaded[0]!.calls).toBe(0);
  });

  it("word lists with is_split_into_words stream one entity object per event", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const payload = { inputs: [["Angela", "Merkel"], ["in", "Paris"]], parameters: { is_split_into_words: true } };
    const plain = (await (await post(`${server.url}/`, payload)).json()) as unknown[][];
    const events = parseSse(await (await post(`${server.url}/`, { ...payload, stream: true })).text());
    for (const i of [0, 1]) {
      const mine = events.filter((e) => e.event === "entity" && (e.data as { input: number }).input === i).map((e) => (e.data as { entity: unknown }).entity);
      expect(mine).toEqual(plain[i]);
      for (const entity of mine) expect(Array.isArray(entity)).toBe(false);
    }
    expect(events.at(-1)).toEqual({ event: "done", data: { inputs: 2, entities: 3, errors: 0 } });
    // A single flat word list is one input.
    const single = parseSse(await (await post(`${server.url}/`, { inputs: ["Angela", "Merkel"], parameters: { is_split_into_words: true }, stream: true })).text());
    expect(single.at(-1)).toEqual({ event: "done", data: { inputs: 1, entities: 2, errors: 0 } });
  });

  it("an input's error names its index in the request, as the JSON path does", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader });
    const inputs = ["Paris", "x\ud800", "Ann", "y\udc00z"];
    const plain = await post(`${server.url}/`, { inputs: inputs.slice(0, 2) });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual({ error: "text 1 contains a lone surrogate at UTF-16 index 1" });
    const events = parseSse(await (await post(`${server.url}/`, { inputs, stream: true })).text());
    const errors = events.filter((e) => e.event === "error").map((e) => e.data);
    expect(errors).toEqual(
      expect.arrayContaining([
        { input: 1, status: 400, error: "text 1 contains a lone surrogate at UTF-16 index 1" },
        { input: 3, status: 400, error: "text 3 contains a lone surrogate at UTF-16 index 1" },
      ]),
    );
    expect(errors).toHaveLength(2);
  });

  it("classifies at most STREAM_WINDOW inputs at once, however many there are", async () => {
    const n = 1000;
    // Streamed texts take 5 ms each, so that calls overlap (the fake runs a call's texts in turn).
    const fl = fakeLoader({ delayMs: (t) => (t.startsWith("Ann") ? 5 : 0) });
    server = await start({ loader: fl.loader, maxBodyBytes: 8 * 1024 * 1024 });
    await server.registry.settled();
    const inputs = Array.from({ length: n }, (_, i) => `Ann ${i}`);
    const events = parseSse(await (await post(`${server.url}/`, { inputs, stream: true })).text());
    const clf = fl.loaded[0]!;
    expect(clf.maxInFlight).toBe(STREAM_WINDOW);
    expect(clf.calls).toBe(n);
    const seen = events.filter((e) => e.event === "input").map((e) => (e.data as { input: number }).input);
    expect(seen.sort((a, b) => a - b)).toEqual(inputs.map((_, i) => i));
    expect(events.at(-1)).toEqual({ event: "done", data: { inputs: n, entities: n, errors: 0 } });
    // The JSON path takes them all in one call, in order.
    const many = Array.from({ length: 20_000 }, (_, i) => `Bob ${i}`);
    const plain = await post(`${server.url}/`, { inputs: many }, { "x-use-cache": "false" });
    expect(await plain.json()).toEqual(many.map((t) => fakeEntities(t)));
    expect(clf.calls).toBe(n + 1);
  });
});

describe("shutdown", () => {
  it("close() finishes requests in flight, refuses new ones, disposes classifiers", async () => {
    const fl = fakeLoader({ delayMs: (t) => (t === "slow Ann" ? 300 : 0) });
    const s = await start({ loader: fl.loader });
    await s.registry.settled();
    const inflight = post(`${s.url}/`, { inputs: "slow Ann" });
    await new Promise((r) => setTimeout(r, 50));
    const closed = s.close();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fakeEntities("slow Ann"));
    await closed;
    expect(fl.loaded[0]!.disposed).toBe(true);
    await expect(post(`${s.url}/`, { inputs: "A" })).rejects.toThrow();
  });

  it("close() during a stream: the stream completes and close() does not wait for keep-alive", async () => {
    const fl = fakeLoader({ delayMs: (t) => (t === "late Bo" ? 300 : 0) });
    const s = await start({ loader: fl.loader });
    await s.registry.settled();
    const res = await post(`${s.url}/`, { inputs: ["Ann", "late Bo"], stream: true });
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    const t0 = Date.now();
    const closed = s.close();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    await closed;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(parseSse(text).at(-1)).toEqual({ event: "done", data: { inputs: 2, entities: 2, errors: 0 } });
  });

  it("close() closes an idle keep-alive connection at once, not after keepAliveTimeout", async () => {
    const fl = fakeLoader();
    const s = await start({ loader: fl.loader });
    await s.registry.settled();
    // A raw HTTP/1.1 socket: one request answered, the connection kept alive, then left idle.
    const socket = connect(Number(new URL(s.url).port), "127.0.0.1");
    socket.on("error", () => {});
    const socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    let received = "";
    const answered = new Promise<void>((resolve) => {
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString("latin1");
        const head = received.indexOf("\r\n\r\n");
        const length = /\r\ncontent-length: (\d+)/i.exec(received);
        if (head >= 0 && length && received.length >= head + 4 + Number(length[1])) resolve();
      });
    });
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await answered;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/\r\nconnection: keep-alive\r\n/i);
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.destroyed).toBe(false);
    const t0 = Date.now();
    // Fastify keeps an idle connection open for keepAliveTimeout (72 s) unless shutdown closes it.
    const outcome = await Promise.race([
      Promise.all([s.close(), socketClosed]).then(() => "closed"),
      new Promise((r) => setTimeout(() => r("still open"), 2000)),
    ]);
    expect(outcome).toBe("closed");
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fl.loaded[0]!.disposed).toBe(true);
  });
});

describe("shutdown with connections that have not sent a whole request", () => {
  /** A raw socket to `url`, connected, that has written `head` (possibly nothing). */
  async function openSocket(url: string, head: string): Promise<{ closed: Promise<void> }> {
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    if (head) socket.write(head);
    return { closed };
  }

  it("close() closes them at once, while a request in flight still finishes", async () => {
    const fl = fakeLoader({ delayMs: (t) => (t === "slow Ann" ? 300 : 0) });
    const s = await start({ loader: fl.loader });
    await s.registry.settled();
    const silent = await openSocket(s.url, "");
    const partial = await openSocket(s.url, "POST / HTTP/1.1\r\nHost: x\r\nX-Half");
    // Headers whole, body not: Node's 'request' event has fired, yet the request is not sent.
    const halfBody = await openSocket(s.url, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"inputs":');
    const inflight = post(`${s.url}/`, { inputs: "slow Ann" });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const closed = s.close();
    // Before, Node counted both sockets as active and close() waited for the 30 s request timeout.
    const outcome = await Promise.race([closed.then(() => "closed"), new Promise((r) => setTimeout(() => r("still open"), 2000))]);
    expect(outcome).toBe("closed");
    await Promise.all([silent.closed, partial.closed, halfBody.closed]);
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(fakeEntities("slow Ann"));
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe("CORS (--cors)", () => {
  const PAGE = "http://localhost:3000";
  const preflight = (url: string, origin: string): Promise<Response> =>
    fetch(url, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, x-use-cache" },
    });

  it("off by default: no CORS headers, a preflight gets the 405 OPTIONS gets", async () => {
    server = await start({ loader: fakeLoader().loader });
    const res = await post(`${server.url}/`, { inputs: "Ann" }, { origin: PAGE });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect((await preflight(`${server.url}/`, PAGE)).status).toBe(405);
  });

  it("an allowed origin: preflight 204 without a token, every answer readable (errors and streams too)", async () => {
    server = await start({ loader: fakeLoader().loader, tokens: ["t0k"], cors: [PAGE, "https://app.example"] });
    const pre = await preflight(`${server.url}/models/default`, PAGE);
    expect(pre.status).toBe(204);
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith("access-control-") || k === "vary"))).toEqual({
      "access-control-allow-origin": PAGE,
      "access-control-allow-methods": "GET, HEAD, POST",
      "access-control-allow-headers": "authorization, content-type, x-use-cache",
      "access-control-max-age": "600",
      "access-control-expose-headers": "x-cache, retry-after, deprecation, warning",
      vary: "origin",
    });
    const ok = await post(`${server.url}/`, { inputs: "Ann" }, { origin: PAGE, authorization: "Bearer t0k" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(ok.headers.get("access-control-expose-headers")).toContain("x-cache");
    const denied = await post(`${server.url}/`, { inputs: "Ann" }, { origin: PAGE });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe(PAGE);
    const bad = await post(`${server.url}/`, { inputs: 5 }, { origin: "https://app.example", authorization: "Bearer t0k" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const streamed = await post(`${server.url}/`, { inputs: ["Ann"], stream: true }, { origin: PAGE, authorization: "Bearer t0k" });
    expect(streamed.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(streamed.headers.get("access-control-allow-origin")).toBe(PAGE);
    await streamed.text();
    // Another origin: nothing allowed, its preflight refused, its token still required.
    const other = await post(`${server.url}/`, { inputs: "Ann" }, { origin: "http://evil.example", authorization: "Bearer t0k" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const otherPre = await preflight(`${server.url}/`, "http://evil.example");
    expect(otherPre.status).toBe(401);
    expect(otherPre.headers.get("access-control-allow-origin")).toBeNull();
  });

  it('"*" allows any origin, with no Vary', async () => {
    server = await start({ loader: fakeLoader().loader, cors: ["*"] });
    const pre = await preflight(`${server.url}/`, "http://anywhere.example");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("vary")).toBeNull();
    const health = await fetch(`${server.url}/health`, { headers: { origin: "http://anywhere.example" } });
    expect(health.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("@huggingface/inference client (fake model)", () => {
  it("tokenClassification with endpointUrl reaches the server and gets the entities", async () => {
    const { InferenceClient } = await import("@huggingface/inference");
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, tokens: ["hf_abc"], models: [{ id: "dslim/bert-base-NER", dir: "/x", load: {} }] });
    const got = await new InferenceClient("hf_abc").tokenClassification({
      endpointUrl: `${server.url}/models/dslim/bert-base-NER`,
      inputs: SEED,
      parameters: { aggregation_strategy: "simple" },
    });
    expect(got).toEqual(fakeEntities(SEED));
    await expect(
      new InferenceClient("hf_nope").tokenClassification({ endpointUrl: `${server.url}/models/default`, inputs: SEED }),
    ).rejects.toMatchObject({ httpResponse: { status: 401 } });
    await expect(
      new InferenceClient("hf_abc").tokenClassification({ endpointUrl: `${server.url}/models/default`, inputs: SEED, parameters: { aggregation_strategy: "median" as never } }),
    ).rejects.toMatchObject({ httpResponse: { status: 400, body: { error: expect.stringMatching(/parameters\.aggregation_strategy, received "median"$/) } } });
  });
});
