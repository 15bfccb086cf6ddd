// Every error response is {"error": message} as JSON, including those Node's HTTP server and
// Fastify make by themselves (unparseable requests, oversized headers, a missing Host, an
// unmet Expect, requests arriving during shutdown). Over raw sockets: fetch and inject() can
// send none of these requests.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fakeLoader } from "./fake.js";
import { start, type Started } from "./helpers.js";

let server: Started | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await server?.close();
  server = undefined;
});

interface RawResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection after the response. */
  closed: boolean;
  /** Everything received, other responses included. */
  text: string;
}

/** Parses the first final (not 1xx) response in `text`; undefined until it is complete. */
function firstResponse(text: string): Omit<RawResponse, "closed" | "text"> | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  if (status < 200) return firstResponse(text.slice(end + 4)); // 100 Continue: no body
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  if (text.length < end + 4 + length) return undefined;
  return { status, headers, body: text.slice(end + 4, end + 4 + length) };
}

/**
 * Writes `request` on a new socket and waits for the first response and, if `untilClosed`, for
 * the server to close the connection (at most 3 s each way). `afterContinue` is written once the
 * server has said "100 Continue" (a body held back, as a client sending Expect does).
 */
function exchange(url: string, request: string, untilClosed: boolean, afterContinue?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    sockets.add(socket);
    let text = "";
    let closed = false;
    const finish = (): void => {
      const response = firstResponse(text);
      if (response === undefined) {
        if (closed) reject(new Error(`Connection closed without a whole response: ${JSON.stringify(text)}`));
        return;
      }
      if (untilClosed && !closed) return;
      clearTimeout(timer);
      resolve({ ...response, closed, text });
    };
    const timer = setTimeout(() => {
      closed = closed || socket.destroyed;
      const response = firstResponse(text);
      if (response) resolve({ ...response, closed, text });
      else reject(new Error(`No whole response within 3 s: ${JSON.stringify(text)}`));
    }, 3000);
    socket.setEncoding("latin1");
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (afterContinue !== undefined && text.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) {
        socket.write(afterContinue);
        afterContinue = undefined;
      }
      finish();
    });
    socket.on("error", () => {}); // a reset after the response is not what is tested
    socket.on("close", () => {
      closed = true;
      finish();
    });
  });
}

/** Checks the server's error shape: a JSON object with one key, "error", a string. */
function expectErrorShape(res: RawResponse, status: number, message?: string | RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error).toBe("string");
  if (message !== undefined) expect(body.error).toMatch(message);
}

const HOST = "Host: 127.0.0.1\r\n";

/**
 * A raw keep-alive socket on which a stream of two inputs, the second slow ("late Bo"), has
 * begun: its headers and first input's events have arrived.
 */
async function startStream(url: string): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  const body = JSON.stringify({ inputs: ["Ann", "late Bo"], stream: true });
  const socket = connect(Number(new URL(url).port), "127.0.0.1");
  sockets.add(socket);
  socket.on("error", () => {});
  let text = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => (text += chunk));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`POST / HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const until = Date.now() + 3000;
  while (!text.includes("event: input") && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  expect(text).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: keep-alive\r\n/i);
  return { socket, text: () => text, closed };
}

describe("errors Node's HTTP parser raises (Fastify's clientErrorHandler)", () => {
  it("malformed requests: 400 with llhttp's reason, Connection: close, and the socket closed", async () => {
    server = await start({ loader: fakeLoader().loader, preload: false });
    const cases: Array<[string, string]> = [
      ["GARBAGE\r\n\r\n", "Malformed HTTP request: Invalid method encountered"],
      [`GET /health HTTP/3.0\r\n${HOST}\r\n`, "Malformed HTTP request: Invalid HTTP version"],
      [`GET /health HTTP/1.1\r\n${HOST}X-Bad: a\u0001b\r\n\r\n`, "Malformed HTTP request: Invalid header value char"],
      [`POST / HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, "Malformed HTTP request: Transfer-Encoding can't be present with Content-Length"],
      [`POST / HTTP/1.1\r\n${HOST}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, "Malformed HTTP request: Duplicate Content-Length"],
      ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Malformed HTTP request: HTTP/2 is not supported; use HTTP/1.1"],
    ];
    for (const [request, message] of cases) {
      const res = await exchange(server.url, request, true);
      expectErrorShape(res, 400, message);
      expect(res.headers.connection, request).toBe("close");
      expect(res.closed, request).toBe(true);
    }
  });

  it("a request line and headers over Node's limit: 431 naming the limit, closed", async () => {
    server = await start({ loader: fakeLoader().loader, preload: false });
    for (const request of [
      `GET /health HTTP/1.1\r\n${HOST}X-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      `GET /${"a".repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`,
    ]) {
      const res = await exchange(server.url, request, true);
      expectErrorShape(res, 431, "Request line and headers are too large (limit 16384 bytes)");
      expect(res.headers.connection).toBe("close");
      expect(res.closed).toBe(true);
    }
  });

  it("a malformed request pipelined behind a stream that has begun is not answered inside the stream", async () => {
    const fl = fakeLoader({ delayMs: (t) => (t === "late Bo" ? 300 : 0) });
    server = await start({ loader: fl.loader });
    await server.registry.settled();
    const stream = await startStream(server.url);
    stream.socket.write("GARBAGE\r\n\r\n");
    await stream.closed;
    // Node closes the connection, as its own handler does; Fastify's wrote a 400 into the stream.
    expect(stream.text().match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
  });
});

describe("checks Node's HTTP server makes itself", () => {
  it("an HTTP/1.1 request without Host: 400 in the server's shape, closed; HTTP/1.0 needs none", async () => {
    server = await start({ loader: fakeLoader().loader, preload: false });
    const res = await exchange(server.url, "GET /health HTTP/1.1\r\n\r\n", true);
    expectErrorShape(res, 400, "Missing Host header: an HTTP/1.1 request must have one");
    expect(res.headers.connection).toBe("close");
    expect(res.closed).toBe(true);
    const old = await exchange(server.url, "GET /health HTTP/1.0\r\n\r\n", false);
    expect(old.status).toBe(200);
  });

  it("an Expect other than 100-continue: 417 in the server's shape, closed; 100-continue still works", async () => {
    server = await start({ loader: fakeLoader().loader });
    const body = '{"inputs":"Ann"}';
    const head = `POST / HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`;
    const res = await exchange(server.url, `${head}Expect: something-else\r\n\r\n`, true);
    expectErrorShape(res, 417, 'Unsupported Expect header "something-else"; only "100-continue" is supported');
    expect(res.headers.connection).toBe("close");
    expect(res.closed).toBe(true);
    // An HTTP/1.0 request's Expect is ignored, as by Node.
    const old = await exchange(server.url, `${head.replace("HTTP/1.1", "HTTP/1.0")}Expect: something-else\r\n\r\n${body}`, false);
    expect(old.status).toBe(200);
    // 100-continue: "100 Continue" and the request is served as usual.
    const continued = await exchange(server.url, `${head}Expect: 100-continue\r\n\r\n${body}`, false);
    expect(continued.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    expect(continued.status).toBe(200);
  });

  it("100-continue: a request refused before its body is read gets no 100 Continue (413 over the limit, 401)", async () => {
    server = await start({ loader: fakeLoader().loader, maxBodyBytes: 64, tokens: ["t0k"] });
    const head = (length: number, auth = "Authorization: Bearer t0k\r\n"): string =>
      `POST / HTTP/1.1\r\n${HOST}${auth}Content-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`;
    // The client waits for 100 Continue before it sends a byte of its body, as curl does.
    const large = await exchange(server.url, head(1000), true);
    expect(large.text).toMatch(/^HTTP\/1\.1 413 /);
    expectErrorShape(large, 413, "Request body is too large (limit 64 bytes)");
    expect(large.closed).toBe(true);
    const unauthorized = await exchange(server.url, head(16, ""), false);
    expect(unauthorized.text).toMatch(/^HTTP\/1\.1 401 /);
    // Within the limit and authorized: 100 Continue first, then the body is read.
    const body = '{"inputs":"Ann"}';
    const ok = await exchange(server.url, head(body.length), false, body);
    expect(ok.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    expect(ok.status).toBe(200);
  });
});

describe("requests arriving while the server closes", () => {
  it("503 in the server's shape with Connection: close (a request pipelined behind a stream)", async () => {
    const fl = fakeLoader({ delayMs: (t) => (t === "late Bo" ? 300 : 0) });
    const s = await start({ loader: fl.loader });
    await s.registry.settled();
    const stream = await startStream(s.url);
    // The stream's headers went out before close(): its connection is still keep-alive, and a
    // request pipelined on it now is the only kind that still reaches the server.
    const closing = s.close();
    await new Promise((r) => setTimeout(r, 20));
    stream.socket.write(`GET /health HTTP/1.1\r\n${HOST}\r\n`);
    await Promise.all([stream.closed, closing]);
    const text = stream.text();
    const second = text.indexOf("HTTP/1.1 ", 1);
    expect(text.slice(0, second)).toContain("event: done");
    const res = firstResponse(text.slice(second));
    expect(res).toBeDefined();
    expectErrorShape({ ...res!, closed: true, text }, 503, "Server is shutting down");
    expect(res!.headers.connection).toBe("close");
  });
});

describe("errors that already went through the server's error handler", () => {
  it("keep its shape over a raw socket: 413, 415, bad JSON, bad URL, 404, 405", async () => {
    server = await start({ loader: fakeLoader().loader, maxBodyBytes: 1000 });
    const json = (body: string, type = "application/json"): string =>
      `POST / HTTP/1.1\r\n${HOST}Content-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const cases: Array<[string, number, boolean]> = [
      [`POST / HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n`, 413, true],
      [`POST / HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n${"a".repeat(2000)}\r\n`, 413, true],
      [json("{}", "application/xml"), 415, false],
      [json("{"), 400, false],
      [`GET /models/%E0%A4%A HTTP/1.1\r\n${HOST}\r\n`, 400, false],
      [`GET /nowhere HTTP/1.1\r\n${HOST}\r\n`, 404, false],
      [`PROPFIND / HTTP/1.1\r\n${HOST}\r\n`, 405, false],
      // Node hands CONNECT to 'connect' listeners only; without one it closed the socket unanswered.
      [`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`, 501, true],
    ];
    for (const [request, status, closes] of cases) {
      const res = await exchange(server.url, request, closes);
      expectErrorShape(res, status);
      if (closes) expect(res.headers.connection, request).toBe("close");
    }
  });
});
