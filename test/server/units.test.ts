import { describe, expect, it } from "vitest";
import { makeTokenCheck } from "../../src/server/auth.js";
import { cacheKey, canonicalJson, LruCache } from "../../src/server/cache.js";
import { ConfigError, parseBytes, parseMilliseconds, resolveServerConfig } from "../../src/server/config.js";
import { booleanHeader, parseInferenceRequest, prefersEventStream } from "../../src/server/request.js";
import { HttpError } from "../../src/server/http-errors.js";
import { clientErrorReply, rawErrorResponse } from "../../src/server/client-errors.js";

describe("LruCache", () => {
  it("evicts the least recently used entry past maxEntries", () => {
    const c = new LruCache({ maxEntries: 2, maxBytes: 1e6 });
    c.set("a", "1");
    c.set("b", "2");
    expect(c.get("a")).toBe("1"); // a is now the most recent
    c.set("c", "3");
    expect(c.get("b")).toBeUndefined();
    expect(c.get("a")).toBe("1");
    expect(c.get("c")).toBe("3");
    expect(c.size).toBe(2);
  });

  it("evicts by bytes and skips values larger than the limit", () => {
    const c = new LruCache({ maxEntries: 100, maxBytes: 20 }); // 10 UTF-16 units
    c.set("a", "12345");
    c.set("b", "12345");
    c.set("c", "1");
    expect(c.get("a")).toBeUndefined();
    expect(c.bytes).toBeLessThanOrEqual(20);
    c.set("big", "x".repeat(11));
    expect(c.get("big")).toBeUndefined();
  });

  it("is disabled with maxEntries 0", () => {
    const c = new LruCache({ maxEntries: 0, maxBytes: 100 });
    c.set("a", "1");
    expect(c.get("a")).toBeUndefined();
  });

  it("keys ignore object key order but not values or model", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    const k = cacheKey("m", "x", { aggregation_strategy: "simple", stride: 2 });
    expect(cacheKey("m", "x", { stride: 2, aggregation_strategy: "simple" })).toBe(k);
    expect(cacheKey("n", "x", { stride: 2, aggregation_strategy: "simple" })).not.toBe(k);
    expect(cacheKey("m", ["x"], { stride: 2, aggregation_strategy: "simple" })).not.toBe(k);
    expect(cacheKey("m", "x", undefined)).toBe(cacheKey("m", "x", {}));
  });
});

describe("makeTokenCheck", () => {
  it("is undefined without tokens", () => {
    expect(makeTokenCheck([])).toBeUndefined();
  });
  it("accepts any configured token, Bearer case-insensitive, and nothing else", () => {
    const check = makeTokenCheck(["alpha", "beta"])!;
    expect(check("Bearer alpha")).toBe(true);
    expect(check("bearer beta")).toBe(true);
    expect(check("Bearer gamma")).toBe(false);
    expect(check("Bearer alph")).toBe(false);
    expect(check("Basic alpha")).toBe(false);
    expect(check("alpha")).toBe(false);
    expect(check("Bearer ")).toBe(false);
    expect(check(undefined)).toBe(false);
  });
});

describe("parseInferenceRequest", () => {
  it("reads headers before body options, with defaults", () => {
    expect(parseInferenceRequest({ inputs: "x" }, {})).toEqual({ inputs: "x", useCache: true, waitForModel: false, loadModel: true, stream: false });
    const r = parseInferenceRequest({ inputs: ["a"], options: { use_cache: false, wait_for_model: true }, stream: true }, {});
    expect(r).toMatchObject({ useCache: false, waitForModel: true, stream: true });
    const h = parseInferenceRequest({ inputs: "a", options: { use_cache: false } }, { "x-use-cache": "true", accept: "text/event-stream" });
    expect(h).toMatchObject({ useCache: true, stream: true });
  });
  it("reads the hosted API's other options: dont_load_model (x-load-model wins), use_gpu accepted and ignored", () => {
    expect(parseInferenceRequest({ inputs: "x", options: { dont_load_model: true } }, {}).loadModel).toBe(false);
    expect(parseInferenceRequest({ inputs: "x", options: { dont_load_model: false } }, {}).loadModel).toBe(true);
    expect(parseInferenceRequest({ inputs: "x" }, { "x-load-model": "0" }).loadModel).toBe(false);
    expect(parseInferenceRequest({ inputs: "x", options: { dont_load_model: true } }, { "x-load-model": "1" }).loadModel).toBe(true);
    expect(parseInferenceRequest({ inputs: "x", options: { use_gpu: true, use_cache: false } }, {})).toEqual({ inputs: "x", useCache: false, waitForModel: false, loadModel: true, stream: false });
    expect(() => parseInferenceRequest({ inputs: "x", options: { use_gpu: "yes" } }, {})).toThrow('Expected a boolean for options.use_gpu, received the string "yes"');
    expect(() => parseInferenceRequest({ inputs: "x", options: { dont_load_model: 1 } }, {})).toThrow("options.dont_load_model");
    expect(() => parseInferenceRequest({ inputs: "x" }, { "x-load-model": "maybe" })).toThrow("x-load-model");
  });
  it("reads an option or stream sent as null as unset, as the hosted API (Python) reads None, and as query() does", () => {
    const plain = parseInferenceRequest({ inputs: "x" }, {});
    expect(parseInferenceRequest({ inputs: "x", stream: null, options: { use_cache: null, wait_for_model: null, dont_load_model: null, use_gpu: null } }, {})).toEqual(plain);
  });
  it("streams when Accept asks for text/event-stream with a quality above 0, and not below application/json's", () => {
    const streams = (accept: string): boolean => parseInferenceRequest({ inputs: "x" }, { accept }).stream;
    for (const yes of ["text/event-stream", "Text/Event-Stream; charset=utf-8", "application/json, text/event-stream", "text/event-stream;q=0.5, application/json;q=0.4", "*/*, text/event-stream"]) {
      expect(streams(yes), yes).toBe(true);
    }
    for (const no of ["", "application/json", "*/*", "application/json, text/event-stream;q=0", "text/event-stream; q=0.0", "application/json, text/event-stream;q=0.9", "text/event-stream;q=abc"]) {
      expect(streams(no), no).toBe(false);
    }
    expect(prefersEventStream("application/json;q=0.2,text/event-stream;q=0.3")).toBe(true);
  });
  it("reads a string body as the one input", () => {
    expect(parseInferenceRequest("x", { "x-use-cache": "false" })).toEqual({ inputs: "x", useCache: false, waitForModel: false, loadModel: true, stream: false });
  });
  it("rejects malformed bodies with 400", () => {
    for (const body of [null, [], 1, true, {}, { inputs: 1 }, { inputs: ["a", 2] }, { inputs: "a", extra: 1 }, { inputs: "a", parameters: [] }, { inputs: "a", options: { use_cache: "no" } }, { inputs: "a", options: { foo: true } }, { inputs: "a", stream: "yes" }]) {
      expect(() => parseInferenceRequest(body, {}), JSON.stringify(body)).toThrow(HttpError);
    }
    expect(() => booleanHeader({ "x-use-cache": "maybe" }, "x-use-cache")).toThrow(/x-use-cache/);
  });
  it("accepts a header repeated with values that agree, refuses conflicting ones", () => {
    // Node joins a repeated header's values with ", "; inject() passes an array.
    expect(booleanHeader({ "x-use-cache": "false, 0" }, "x-use-cache")).toBe(false);
    expect(booleanHeader({ "x-use-cache": ["true", "YES"] }, "x-use-cache")).toBe(true);
    expect(() => booleanHeader({ "x-use-cache": "false, true" }, "x-use-cache")).toThrow(
      new HttpError(400, "Header x-use-cache was given conflicting values (false, true); send it once"),
    );
    expect(() => booleanHeader({ "x-use-cache": "false, maybe" }, "x-use-cache")).toThrow('received the string "maybe"');
  });
});

describe("resolveServerConfig", () => {
  const file = JSON.stringify({
    port: 9000,
    host: "0.0.0.0",
    models: { "dslim/bert-base-NER": "./ner", pos: { path: "/abs/pos", modelFile: "model_quantized.onnx" } },
    tokens: ["file-token"],
    maxBodyBytes: "2mb",
    requestTimeoutMs: 5000,
  });
  const read = (p: string) => {
    if (p === "/etc/tokclass.json") return file;
    throw new Error("ENOENT");
  };

  it("has defaults", () => {
    const c = resolveServerConfig({}, {}, read);
    expect(c).toMatchObject({ host: "127.0.0.1", port: 8080, models: [], defaultModel: "default", tokens: [], maxBodyBytes: 1048576, requestTimeoutMs: 30_000, cacheSize: 1024, preload: true });
  });

  it("reads the config file, relative paths from its folder", () => {
    const c = resolveServerConfig({ config: "/etc/tokclass.json" }, {}, read);
    expect(c.port).toBe(9000);
    expect(c.maxBodyBytes).toBe(2 * 1024 * 1024);
    expect(c.requestTimeoutMs).toBe(5000);
    expect(c.models).toEqual([
      { id: "dslim/bert-base-NER", dir: "/etc/ner", load: {} },
      { id: "pos", dir: "/abs/pos", load: { modelFile: "model_quantized.onnx" } },
    ]);
    expect(c.tokens).toEqual(["file-token"]);
  });

  it("a model id without a folder is served from the local caches: the id is what load() gets", () => {
    const c = resolveServerConfig({ model: ["Xenova/bert-base-NER", "pos=/abs/pos"] }, {}, read);
    expect(c.models).toEqual([
      { id: "Xenova/bert-base-NER", dir: "Xenova/bert-base-NER", load: {} },
      { id: "pos", dir: "/abs/pos", load: {} },
    ]);
    const fromFile = JSON.stringify({ models: { "Xenova/bert-base-NER": { revision: "v2", modelFile: "model_quantized.onnx" }, ner: {} } });
    const f = resolveServerConfig({ config: "/etc/ids.json" }, {}, (p) => (p === "/etc/ids.json" ? fromFile : read(p)));
    expect(f.models).toEqual([
      { id: "Xenova/bert-base-NER", dir: "Xenova/bert-base-NER", load: { revision: "v2", modelFile: "model_quantized.onnx" } },
      { id: "ner", dir: "ner", load: {} },
    ]);
    for (const value of [{ path: 5 }, { path: null }, [], 3, ""]) {
      const bad = JSON.stringify({ models: { x: value } });
      expect(() => resolveServerConfig({ config: "/etc/bad.json" }, {}, () => bad), JSON.stringify(value)).toThrow(ConfigError);
    }
  });

  it("flags override env, env overrides the file", () => {
    const env = { TOKCLASS_TOKENS: "a, b,", TOKCLASS_PORT: "7000", TOKCLASS_CONFIG: "/etc/tokclass.json" };
    const c = resolveServerConfig({}, env, read);
    expect(c).toMatchObject({ port: 7000, tokens: ["a", "b"], host: "0.0.0.0" });
    const f = resolveServerConfig({ port: "0", token: ["t"], model: ["pos=/other"], cacheSize: "5", lazy: true, requestTimeout: "0" }, env, read);
    expect(f).toMatchObject({ port: 0, tokens: ["t"], cacheSize: 5, preload: false, requestTimeoutMs: 0 });
    expect(f.models.find((m) => m.id === "pos")?.dir).toBe("/other");
  });

  it("rejects bad values with ConfigError", () => {
    const bad: Array<Parameters<typeof resolveServerConfig>[0]> = [
      { port: "99999" },
      { port: "abc" },
      { model: ["nodir="] },
      { model: ["id with space"] },
      { model: ["=dir"] },
      { model: ["/lead=dir"] },
      { maxBody: "-1" },
      { requestTimeout: "-1" },
      { requestTimeout: "1.5" },
      { requestTimeout: "10s" },
      { requestTimeout: "" },
      { requestTimeout: String(2 ** 31) },
      { cacheSize: "x" },
      { config: "/missing.json" },
      { device: "tpu" },
      { defaultModel: "nope" },
      { logLevel: "loud" },
    ];
    for (const flags of bad) expect(() => resolveServerConfig(flags, {}, read), JSON.stringify(flags)).toThrow(ConfigError);
    expect(() => resolveServerConfig({ config: "/x.json" }, {}, () => '{"prot": 1}')).toThrow(/Unknown key "prot"/);
    expect(() => resolveServerConfig({ config: "/x.json" }, {}, () => "{")).toThrow(/not valid JSON/);
    expect(() => resolveServerConfig({ requestTimeout: "soon" }, {}, read)).toThrow('Expected a number of milliseconds from 0 (no limit) to 2147483647 for --request-timeout, received the string "soon"');
    for (const bad of [-5, 2.5, "30s", true, null]) {
      expect(() => resolveServerConfig({ config: "/x.json" }, {}, () => JSON.stringify({ requestTimeoutMs: bad })), String(bad)).toThrow(/requestTimeoutMs in the config file/);
    }
  });

  it("reads CORS origins from --cors, TOKCLASS_CORS or the file; refuses what no browser sends as an Origin", () => {
    expect(resolveServerConfig({}, {}).cors).toEqual([]);
    expect(resolveServerConfig({ cors: ["http://localhost:3000", "*"] }, {}).cors).toEqual(["http://localhost:3000", "*"]);
    expect(resolveServerConfig({}, { TOKCLASS_CORS: "https://a.example, http://b.example:8080" }).cors).toEqual(["https://a.example", "http://b.example:8080"]);
    expect(resolveServerConfig({ config: "/x.json" }, {}, () => JSON.stringify({ cors: ["https://c.example"] })).cors).toEqual(["https://c.example"]);
    for (const bad of ["http://localhost:3000/", "localhost:3000", "ftp://x.example", "http://a.example/path", "HTTP://A.example", ""]) {
      expect(() => resolveServerConfig({ cors: [bad] }, {}), bad).toThrow(ConfigError);
    }
    expect(() => resolveServerConfig({}, { TOKCLASS_CORS: "https://ok.example,http://x/" })).toThrow(/TOKCLASS_CORS/);
    expect(() => resolveServerConfig({ config: "/x.json" }, {}, () => JSON.stringify({ cors: "https://c.example" }))).toThrow(/cors in the config file/);
  });

  it("refuses tokens no client could send (a space, a character outside printable ASCII), naming where they came from", () => {
    const unsendable = "Token 2 of --token cannot be sent in an Authorization header: use printable ASCII without spaces";
    expect(() => resolveServerConfig({ token: ["ok", "my token"] }, {})).toThrow(new ConfigError(unsendable));
    expect(() => resolveServerConfig({ token: ["ok", "tök"] }, {})).toThrow(new ConfigError(unsendable));
    expect(() => resolveServerConfig({}, { TOKCLASS_TOKENS: "a,b\u0001" })).toThrow(/^Token 2 of TOKCLASS_TOKENS /);
    expect(() => resolveServerConfig({ config: "/x.json" }, {}, () => JSON.stringify({ tokens: ["tab\there"] }))).toThrow(/^Token 1 of tokens in the config file /);
    expect(resolveServerConfig({ token: ["hf_AbC-._~+/=!#$%&'*^`|"] }, {}).tokens).toEqual(["hf_AbC-._~+/=!#$%&'*^`|"]);
  });

  it("parses milliseconds", () => {
    expect(parseMilliseconds("250", "x")).toBe(250);
    expect(parseMilliseconds(" 0 ", "x")).toBe(0);
    expect(parseMilliseconds(60_000, "x")).toBe(60_000);
    expect(parseMilliseconds(2 ** 31 - 1, "x")).toBe(2 ** 31 - 1);
    expect(() => parseMilliseconds(2 ** 31, "x")).toThrow(ConfigError);
    expect(() => parseMilliseconds("1e3", "x")).toThrow(ConfigError);
  });

  it("parses byte sizes", () => {
    expect(parseBytes("512k", "x")).toBe(524288);
    expect(parseBytes("1MiB", "x")).toBe(1048576);
    expect(parseBytes(100, "x")).toBe(100);
    expect(() => parseBytes("1g", "x")).toThrow(ConfigError);
  });
});

describe("clientErrorReply", () => {
  const timeout = Object.assign(new Error("timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT" });
  it("says which limit a 408 is about: Node times headers and the whole request apart", () => {
    expect(clientErrorReply(timeout, { requestTimeout: 400, headersTimeout: 400 })).toEqual({
      statusCode: 408,
      message: "Request timeout: the whole request, headers and body, must arrive within 400 ms",
    });
    expect(clientErrorReply(timeout, { requestTimeout: 120_000, headersTimeout: 60_000 }).message).toBe(
      "Request timeout: the headers must arrive within 60000 ms, the whole request within 120000 ms",
    );
    // requestTimeoutMs 0: Node still limits the headers (60 s by default).
    expect(clientErrorReply(timeout, { requestTimeout: 0, headersTimeout: 60_000 }).message).toBe(
      "Request timeout: the headers must arrive within 60000 ms",
    );
  });

  it("400 with llhttp's reason for parse errors, without one for other errors", () => {
    const limits = { requestTimeout: 0, headersTimeout: 60_000 };
    const parse = Object.assign(new Error("Parse Error: Invalid method encountered"), { code: "HPE_INVALID_METHOD", reason: "Invalid method encountered" });
    expect(clientErrorReply(parse, limits)).toEqual({ statusCode: 400, message: "Malformed HTTP request: Invalid method encountered" });
    expect(clientErrorReply(Object.assign(new Error("x"), { code: "EPIPE" }), limits)).toEqual({ statusCode: 400, message: "Malformed HTTP request" });
  });

  it("rawErrorResponse is a whole response in the server's shape that closes the connection", () => {
    const text = rawErrorResponse(431, "Résumé too large");
    const [head, body] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toContain("\r\nContent-Type: application/json; charset=utf-8\r\n");
    expect(head).toContain("\r\nConnection: close");
    expect(JSON.parse(body!)).toEqual({ error: "Résumé too large" });
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body!)}\r\n`);
  });
});
