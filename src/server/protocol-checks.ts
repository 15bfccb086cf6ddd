/**
 * Two checks Node's HTTP server makes itself, and answers itself with an empty body: an HTTP/1.1
 * request without a Host header (400) and an Expect header other than 100-continue (417). Here
 * Node is told not to (requireHostHeader off, a 'checkExpectation' listener) and the same checks
 * run in an onRequest hook, so both answers go through the error handler like any other. And a
 * CONNECT request, which Node hands only to 'connect' listeners and otherwise answers by closing
 * the socket without a word, gets a 501 in the server's shape.
 *
 * Expect: 100-continue (curl sends it with bodies over 1 MiB) asks whether to send the body.
 * Node says "100 Continue" at once to every such request; here it is said only when the body is
 * about to be read, so a request refused before that (401, a Content-Length over the body
 * limit: 413) is refused without the client sending its body first.
 */
import type { IncomingMessage, ServerOptions } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { rawErrorResponse } from "./client-errors.js";
import { bodyTooLarge, HttpError } from "./http-errors.js";

/** Options for Node's http.createServer (Fastify's `http`): the Host check is made here instead. */
export const PROTOCOL_SERVER_OPTIONS: ServerOptions = { requireHostHeader: false };

/**
 * Adds the checks to `app`, whose server must have been created with PROTOCOL_SERVER_OPTIONS;
 * `maxBodyBytes` is its body limit (Fastify's bodyLimit).
 */
export function addProtocolChecks(app: FastifyInstance, maxBodyBytes: number): void {
  // CONNECT asks for a tunnel, which only a proxy makes: no resource of this server takes it
  // (RFC 9110 15.6.2: 501 for a method not supported for any resource). The request never
  // reaches Fastify, and the socket is Node's no longer, so the answer is written on it here.
  app.server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {}); // a client gone before the answer: nothing to tell
    if (socket.writable) socket.write(rawErrorResponse(501, `Method ${req.method} is not supported: this server is not a proxy`));
    socket.destroy();
  });
  // Requests whose Expect Node found it cannot meet; it tells only this listener which they are.
  const unmetExpectations = new WeakSet<IncomingMessage>();
  app.server.on("checkExpectation", (req, res) => {
    unmetExpectations.add(req);
    app.server.emit("request", req, res); // as Node does for a request it lets through
  });
  // Requests waiting for "100 Continue" before they send their body.
  const awaitingContinue = new WeakSet<IncomingMessage>();
  app.server.on("checkContinue", (req, res) => {
    awaitingContinue.add(req);
    app.server.emit("request", req, res); // as Node does, less its writeContinue()
  });
  app.addHook("preParsing", async (req, reply, payload) => {
    if (!awaitingContinue.has(req.raw)) return payload;
    awaitingContinue.delete(req.raw);
    // Fastify would refuse this length only once the client had been told to send the body.
    if (Number(req.headers["content-length"]) > maxBodyBytes) {
      throw new HttpError(413, bodyTooLarge(maxBodyBytes), {}, { connection: "close" });
    }
    reply.raw.writeContinue();
    return payload;
  });
  app.addHook("onRequest", async (req) => {
    // RFC 9112, 3.2: a server must answer 400 to an HTTP/1.1 request without Host.
    if (req.raw.httpVersionMajor === 1 && req.raw.httpVersionMinor === 1 && req.headers.host === undefined) {
      throw new HttpError(400, "Missing Host header: an HTTP/1.1 request must have one", {}, { connection: "close" });
    }
    // The body was not read, and a client waiting on its expectation may never send it: the
    // connection cannot be reused.
    if (unmetExpectations.has(req.raw)) {
      throw new HttpError(
        417,
        `Unsupported Expect header ${JSON.stringify(req.headers.expect)}; only "100-continue" is supported`,
        {},
        { connection: "close" },
      );
    }
  });
}
