// The server under fault, over real sockets: slow clients, requests aborted mid-way, a client
// that stops reading a stream, oversize bodies, and 1,000 connections at once on the real model.
import type { ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/server/app.js";
import { resolveServerConfig } from "../../src/server/config.js";
import { startServer } from "../../src/server/serve.js";
import { InferenceStream, STREAM_WINDOW } from "../../src/server/sse.js";
import { fakeEntities, fakeLoader, type FakeClassifier } from "./fake.js";
import { post, start, type Started } from "./helpers.js";

let server: Started | undefined;
const sockets = new Set<Socket>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterAll(() => void process.off("unhandledRejection", onUnhandled));

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await server?.close();
  server = undefined;
  expect(unhandled).toEqual([]);
});

/** Log lines at warn level or above, as parsed pino records. */
function captureLogs(): { logger: { level: string; stream: { write(line: string): void } }; problems: Array<{ level: number; msg: string }> } {
  const problems: Array<{ level: number; msg: string }> = [];
  return {
    problems,
    logger: {
      level: "info",
      stream: {
        write(line: string) {
          const rec = JSON.parse(line) as { level: number; msg: string };
          if (rec.level >= 40) problems.push(rec);
        },
      },
    },
  };
}

function port(url: string): number {
  return Number(new URL(url).port);
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface RawResult {
  /** Everything the server sent. */
  text: string;
  /** From connect to the socket closing. */
  ms: number;
  /** Bytes of the request written before the close. */
  sent: number;
}

/**
 * Opens a socket, writes `head`, then `drip` one byte every `dripMs`; resolves when the server
 * closes the connection.
 */
function rawExchange(url: string, head: string, drip = "", dripMs = 50): Promise<RawResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(port(url), "127.0.0.1");
    sockets.add(s);
    let text = "";
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    s.setEncoding("utf8");
    s.on("connect", () => {
      s.write(head);
      sent += head.length;
      if (drip) {
        timer = setInterval(() => {
          if (sent - head.length < drip.length && s.writable) s.write(drip[sent++ - head.length]!);
        }, dripMs);
      }
    });
    s.on("data", (d: string) => (text += d));
    s.on("error", () => {}); // a reset after the response is expected here
    s.on("close", () => {
      clearInterval(timer);
      resolve({ text, ms: Date.now() - t0, sent });
    });
  });
}

function postHead(length: number | "chunked", extra = ""): string {
  const framing = length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`;
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${framing}\r\n${extra}\r\n`;
}

function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);
}

async function normalRequestWorks(url: string): Promise<void> {
  const res = await post(`${url}/`, { inputs: "Ann met Bob" }, { "x-use-cache": "false" });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(fakeEntities("Ann met Bob"));
}

describe("request timeout", () => {
  it("configures Node's checks from requestTimeoutMs (default 30 s, 0 = none)", async () => {
    const fl = fakeLoader();
    for (const [ms, request, headers] of [
      [undefined, 30_000, 30_000],
      [400, 400, 400],
      [120_000, 120_000, 60_000],
      [0, 0, 60_000],
    ] as const) {
      const { app } = buildApp({ loader: fl.loader, preload: false, ...(ms === undefined ? {} : { requestTimeoutMs: ms }) });
      expect([app.server.requestTimeout, app.server.headersTimeout], String(ms)).toEqual([request, headers]);
      await app.close();
    }
    expect(() => buildApp({ loader: fl.loader, preload: false, requestTimeoutMs: -1 })).toThrow(/requestTimeoutMs/);
    // --request-timeout reaches the server that `tokclass serve` starts.
    const running = await startServer(resolveServerConfig({ port: "0", logLevel: "silent", lazy: true, requestTimeout: "250" }, {}), fl.loader);
    try {
      expect([running.app.server.requestTimeout, running.app.server.headersTimeout]).toEqual([250, 250]);
    } finally {
      await running.close();
    }
  });

  it("a client sending its body a byte at a time gets 408 and is disconnected; others are served meanwhile", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, requestTimeoutMs: 400 });
    const body = JSON.stringify({ inputs: "a".repeat(1000) }); // at 1 byte / 50 ms: 50 s without a timeout
    const slow = rawExchange(server.url, postHead(body.length), body, 50);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await normalRequestWorks(server.url);
    const normalMs = Date.now() - t0;
    const r = await slow;
    expect(statusOf(r.text)).toBe(408);
    // The server's error shape (Fastify's own handler sent {"error","message","statusCode"}).
    expect(r.text).toMatch(/\r\nConnection: close\r\n/);
    expect(r.text).toMatch(/\r\n\r\n\{"error":"Request timeout: the whole request, headers and body, must arrive within 400 ms"\}$/);
    expect(r.sent).toBeLessThan(postHead(body.length).length + body.length);
    expect(r.ms).toBeGreaterThanOrEqual(350);
    expect(r.ms).toBeLessThan(5_000);
    expect(normalMs).toBeLessThan(5_000);
    await normalRequestWorks(server.url);
  });

  it("headers with a Content-Length but no body, or headers that never end: 408 and closed", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, requestTimeoutMs: 400 });
    const [noBody, slowHeaders] = await Promise.all([
      rawExchange(server.url, postHead(100)),
      rawExchange(server.url, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Padding: " + "p".repeat(500), 50),
    ]);
    for (const r of [noBody, slowHeaders]) {
      expect(statusOf(r.text)).toBe(408);
      expect(r.text).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n[^]*\r\n\r\n\{"error":"Request timeout: [^"]*"\}$/);
      expect(r.ms).toBeLessThan(5_000);
    }
    await normalRequestWorks(server.url);
  });
});

describe("aborted requests", () => {
  it("a client leaving an SSE stream after the first events: no crash, no error logged, no stuck work", async () => {
    const n = 40;
    // Input 0 is done at once, the others after 2 s: the client leaves while they all run.
    const fl = fakeLoader({ delayMs: (text) => (/^Ann [1-9]/.test(text) ? 2000 : 20) });
    const writeTo = vi.spyOn(InferenceStream.prototype, "writeTo");
    const logs = captureLogs();
    server = await start({ loader: fl.loader, logger: logs.logger });
    const body = JSON.stringify({ inputs: Array.from({ length: n }, (_, i) => `Ann ${i}`), stream: true });
    const firstEvents = await new Promise<string>((resolve, reject) => {
      const s = connect(port(server!.url), "127.0.0.1");
      sockets.add(s);
      let text = "";
      s.setEncoding("utf8");
      s.on("connect", () => s.write(postHead(Buffer.byteLength(body)) + body));
      s.on("data", (d: string) => {
        text += d;
        if (text.includes("event: input\n")) {
          s.destroy();
          resolve(text);
        }
      });
      s.on("error", reject);
      s.on("close", () => reject(new Error(`closed before any event: ${text}`)));
    });
    expect(statusOf(firstEvents)).toBe(200);
    expect(firstEvents).not.toContain("event: done");
    const clf = fl.loaded[0] as FakeClassifier;
    // The handler returns as soon as the client is gone, not when the next input finishes, and
    // the inputs still running are aborted rather than left to run their 2 s.
    const left = Date.now();
    await (writeTo.mock.results[0]!.value as Promise<void>);
    await waitFor("the remaining inputs", () => clf.calls === n && clf.inFlight === 0);
    expect(clf.aborted).toBe(n - 1);
    expect(Date.now() - left).toBeLessThan(1500);
    await normalRequestWorks(server.url);
    const res = await post(`${server.url}/`, { inputs: ["Ann", "Bob"], stream: true });
    expect(await res.text()).toContain('event: done\ndata: {"inputs":2,"entities":2,"errors":0}');
    expect(logs.problems).toEqual([]);
  });

  it("a client leaving during a plain (non-streaming) classification", async () => {
    const fl = fakeLoader({ delayMs: (text) => (text.startsWith("Slow") ? 500 : 0) });
    const logs = captureLogs();
    server = await start({ loader: fl.loader, logger: logs.logger });
    const body = JSON.stringify({ inputs: "Slow Ann" });
    const s = connect(port(server.url), "127.0.0.1");
    sockets.add(s);
    let received = "";
    s.on("data", (d) => (received += String(d)));
    s.write(postHead(body.length, "X-Use-Cache: false\r\n") + body);
    await waitFor("the classification to start", () => fl.loaded[0]?.inFlight === 1);
    s.destroy();
    const clf = fl.loaded[0] as FakeClassifier;
    await waitFor("the classification to end", () => clf.inFlight === 0);
    expect(received).toBe("");
    expect(clf.aborted).toBe(1); // its classification was aborted when it left
    await normalRequestWorks(server.url);
    expect(logs.problems).toEqual([]);
  });

  it("identical cacheable requests share a classification, aborted only when every client has left", async () => {
    const fl = fakeLoader({ delayMs: (text) => (text.startsWith("Slow") ? 400 : 0) });
    const logs = captureLogs();
    server = await start({ loader: fl.loader, logger: logs.logger });
    const body = JSON.stringify({ inputs: "Slow Ann" });
    const open = (): Socket => {
      const s = connect(port(server!.url), "127.0.0.1");
      sockets.add(s);
      s.write(postHead(body.length) + body);
      return s;
    };
    // Two clients wait for one classification; one leaves, the other still gets its answer.
    const leaving = open();
    await waitFor("the classification to start", () => fl.loaded[0]?.inFlight === 1);
    const staying = open();
    let answer = "";
    staying.on("data", (d) => (answer += String(d)));
    await new Promise((r) => setTimeout(r, 50));
    leaving.destroy();
    await waitFor("the answer", () => answer.includes("Ann"));
    const clf = fl.loaded[0] as FakeClassifier;
    expect(statusOf(answer)).toBe(200);
    expect(clf.calls).toBe(1);
    expect(clf.aborted).toBe(0);
    // The answer is cached: a new request hits it without another classification.
    const other = await post(`${server.url}/`, { inputs: "Slow Ann" });
    expect(other.headers.get("x-cache")).toBe("hit");
    // Every client leaving aborts it; a later identical request starts a new one.
    const body2 = JSON.stringify({ inputs: "Slow Bo" });
    const a = connect(port(server.url), "127.0.0.1");
    const b = connect(port(server.url), "127.0.0.1");
    for (const s of [a, b]) {
      sockets.add(s);
      s.write(postHead(body2.length) + body2);
    }
    await waitFor("the second classification to start", () => clf.calls === 2);
    await new Promise((r) => setTimeout(r, 50));
    a.destroy();
    b.destroy();
    await waitFor("the abort", () => clf.inFlight === 0);
    expect(clf.aborted).toBe(1);
    const again = await post(`${server.url}/`, { inputs: "Slow Bo" });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-cache")).toBe("miss");
    expect(clf.calls).toBe(3);
    expect(logs.problems).toEqual([]);
  });
});

describe("a client that does not read a stream", () => {
  it("is sent the events only as fast as it reads them (backpressure), then gets them all", async () => {
    // 64 inputs of 8,000 entities: about 0.8 MB of events each, 50 MB in all, far more than the
    // kernel's socket buffers can take, so without backpressure most of it would sit in the
    // server's memory.
    const n = 64;
    const perInput = 8000;
    const text = "Ab ".repeat(perInput);
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, maxBodyBytes: 8 * 1024 * 1024 });
    let inputsWritten = 0;
    let response: ServerResponse | undefined;
    server.app.server.on("request", (_req, res: ServerResponse) => {
      response = res;
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === "string" && chunk.includes("event: input\n")) inputsWritten++;
        return write(chunk, ...rest);
      }) as typeof res.write;
    });

    const body = JSON.stringify({ inputs: Array.from({ length: n }, () => text), stream: true });
    const s = connect(port(server.url), "127.0.0.1");
    sockets.add(s);
    s.write(postHead(Buffer.byteLength(body), "Connection: close\r\n") + body);
    // No 'data' listener: the socket reads at most its 16 KiB buffer, then stops reading.
    const clf = await (async () => {
      await waitFor("the model", () => fl.loaded.length === 1);
      return fl.loaded[0] as FakeClassifier;
    })();
    await waitFor("every input to be classified", () => clf.calls === n && clf.inFlight === 0, 30_000);
    // Without backpressure every event would be written within a few ticks of its result.
    await new Promise((r) => setTimeout(r, 300));
    const writtenWhilePaused = inputsWritten;
    const bufferedWhilePaused = response?.socket?.writableLength ?? -1;
    expect(writtenWhilePaused).toBeGreaterThan(0);
    expect(writtenWhilePaused).toBeLessThanOrEqual(n / 2);
    expect(bufferedWhilePaused).toBeGreaterThanOrEqual(0);
    expect(bufferedWhilePaused).toBeLessThan(4 * 1024 * 1024);

    const all = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      s.on("data", (d: Buffer) => chunks.push(d));
      s.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      s.on("error", reject);
    });
    expect(statusOf(all)).toBe(200);
    expect(all.split("event: input\n").length - 1).toBe(n);
    expect(all.split("event: entity\n").length - 1).toBe(n * perInput);
    // Chunked framing: the done event is the last chunk before the terminating one.
    expect(all.endsWith(`event: done\ndata: {"inputs":${n},"entities":${n * perInput},"errors":0}\n\n\r\n0\r\n\r\n`)).toBe(true);
    expect(inputsWritten).toBe(n);
  });
});

describe("a client that does not read a stream of many inputs", () => {
  it("starts no more than STREAM_WINDOW inputs beyond those written, so memory stays bounded", async () => {
    // 400 inputs of 1,000 entities: about 85 kB of events each, 34 MB in all. Before, every
    // input was classified at once and its result kept until the client read it.
    const n = 400;
    const perInput = 1000;
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, maxBodyBytes: 8 * 1024 * 1024 });
    let inputsWritten = 0;
    server.app.server.on("request", (_req, res: ServerResponse) => {
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === "string" && chunk.includes("event: input\n")) inputsWritten++;
        return write(chunk, ...rest);
      }) as typeof res.write;
    });
    const body = JSON.stringify({ inputs: Array.from({ length: n }, (_, i) => `${i} ${"Ab ".repeat(perInput)}`), stream: true });
    const s = connect(port(server.url), "127.0.0.1");
    sockets.add(s);
    s.write(postHead(Buffer.byteLength(body), "Connection: close\r\n") + body);
    await waitFor("the model", () => fl.loaded.length === 1);
    const clf = fl.loaded[0] as FakeClassifier;
    await waitFor("the first inputs to be written", () => inputsWritten > 0);
    // Until the socket's buffers fill; then the writer waits for 'drain' and no input starts.
    let last = -1;
    await waitFor("the stream to stall", async () => {
      const now = clf.calls;
      await new Promise((r) => setTimeout(r, 100));
      const stalled = now === last && clf.calls === now;
      last = now;
      return stalled;
    });
    expect(clf.calls).toBeLessThan(n);
    expect(clf.calls - inputsWritten).toBeLessThanOrEqual(STREAM_WINDOW);
    expect(clf.inFlight).toBe(0);

    const all = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      s.on("data", (d: Buffer) => chunks.push(d));
      s.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      s.on("error", reject);
    });
    expect(all.split("event: input\n").length - 1).toBe(n);
    expect(all.split("event: entity\n").length - 1).toBe(n * perInput);
    expect(clf.calls).toBe(n);
    expect(clf.maxInFlight).toBeLessThanOrEqual(STREAM_WINDOW);
  });
});

describe("oversize bodies", () => {
  it("a declared Content-Length over the limit: 413 and closed without the body being sent", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, maxBodyBytes: 1000 });
    const r = await rawExchange(server.url, postHead(5000)); // the body never comes
    expect(statusOf(r.text)).toBe(413);
    expect(r.text.toLowerCase()).toContain("\r\nconnection: close\r\n");
    expect(r.text).toContain('{"error":"Request body is too large (limit 1000 bytes)"}');
    expect(r.ms).toBeLessThan(5_000);
    await normalRequestWorks(server.url);
  });

  it("a chunked body that grows past the limit: 413 and the socket is closed", async () => {
    const fl = fakeLoader();
    server = await start({ loader: fl.loader, maxBodyBytes: 1000 });
    const chunk = "x".repeat(600);
    const frame = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    // Two frames (1,200 bytes) and no terminating chunk: the server must not wait for the end.
    const r = await rawExchange(server.url, postHead("chunked") + frame + frame);
    expect(statusOf(r.text)).toBe(413);
    expect(r.text.toLowerCase()).toContain("\r\nconnection: close\r\n");
    expect(r.ms).toBeLessThan(5_000);
    expect(fl.loaded[0]?.calls ?? 0).toBe(0);
    await normalRequestWorks(server.url);
  });
});

describe("1,000 concurrent connections", () => {
  it(
    "each classified by the embedded model: all 200, connections released, memory bounded",
    async () => {
      server = await start({});
      // Identical texts are classified separately (no cache); each answer must match the one the
      // same text gets alone.
      const sentences = [
        "My name is Sarah and I live in London",
        "Sarah flew from Berlin to Paris with Microsoft",
        "Angela Merkel met Emmanuel Macron in Brussels",
        "Google opened an office in Zurich",
      ];
      const shape = (json: string): string[] =>
        (JSON.parse(json) as Array<{ entity_group: string; word: string; start: number; end: number }>).map((e) => `${e.entity_group}:${e.word}@${e.start}-${e.end}`);
      const expected: string[][] = [];
      for (const inputs of sentences) {
        const res = await post(`${server.url}/`, { inputs }, { "x-wait-for-model": "true", "x-use-cache": "false" });
        expect(res.status).toBe(200);
        expected.push(shape(await res.text()));
      }
      expect(expected.every((e) => e.length > 0)).toBe(true);
      const count = (): Promise<number> =>
        new Promise((resolve, reject) => server!.app.server.getConnections((err, c) => (err ? reject(err) : resolve(c))));
      const connectionsBefore = await count();
      const rssBefore = process.memoryUsage().rss;

      const n = 1000;
      // All connections are opened first (a connect that finds the listen backlog full is
      // retried by the kernel), then every request is sent at once: 1,000 in flight together.
      const conns = await Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise<Socket>((resolve, reject) => {
              const s = connect(port(server!.url), "127.0.0.1");
              sockets.add(s);
              s.once("connect", () => resolve(s));
              s.once("error", reject);
            }),
        ),
      );
      await waitFor("the server to accept every connection", async () => (await count()) === connectionsBefore + n);
      const results = await Promise.all(
        conns.map(
          (s, i) =>
            new Promise<{ status: number; body: string }>((resolve, reject) => {
              const body = JSON.stringify({ inputs: sentences[i % sentences.length] });
              let text = "";
              s.setEncoding("utf8");
              s.on("data", (d: string) => (text += d));
              // Connection: close, so the server ends the socket after the response.
              s.on("end", () => resolve({ status: statusOf(text), body: text.slice(text.indexOf("\r\n\r\n") + 4) }));
              s.on("error", reject);
              s.write(postHead(Buffer.byteLength(body), "X-Use-Cache: false\r\nConnection: close\r\n") + body);
            }),
        ),
      );
      const rssAfter = process.memoryUsage().rss;

      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const mismatched = results.filter((r, i) => JSON.stringify(shape(r.body)) !== JSON.stringify(expected[i % sentences.length]));
      expect(mismatched).toEqual([]);
      for (const s of conns) s.destroy();
      await waitFor("the connections to be released", async () => (await count()) <= connectionsBefore);
      expect((rssAfter - rssBefore) / 1024 / 1024).toBeLessThan(200);
      const last = await post(`${server.url}/`, { inputs: sentences[0] }, { "x-use-cache": "false" });
      expect(last.status).toBe(200);
      expect(shape(await last.text())).toEqual(expected[0]);
    },
    60_000,
  );
});
