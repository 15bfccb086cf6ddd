/**
 * Errors Node's HTTP server raises on a connection before a request exists or while one is being
 * received ('clientError'): a request it cannot parse, a request line and headers over the size
 * limit, a request not received in time. Fastify's default handler answers them with its own body
 * ({"error", "message", "statusCode"}) and without "Connection: close"; here they get the
 * server's shape, written on the raw socket, which is then closed (the parser cannot go on).
 */
import { maxHeaderSize, STATUS_CODES, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger } from "fastify";

/** What Node passes to 'clientError': an Error with llhttp's code ("HPE_...") and reason. */
interface ClientError extends Error {
  code?: string;
  reason?: string;
}

export interface ClientErrorReply {
  statusCode: number;
  message: string;
}

/** The status and message for a client error, from the limits `server` enforces. */
export function clientErrorReply(error: ClientError, server: Pick<Server, "requestTimeout" | "headersTimeout">): ClientErrorReply {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { statusCode: 408, message: timeoutMessage(server.requestTimeout, server.headersTimeout) };
    case "HPE_HEADER_OVERFLOW":
      // The server sets no maxHeaderSize of its own: Node's (16 KiB, or --max-http-header-size).
      return { statusCode: 431, message: `Request line and headers are too large (limit ${maxHeaderSize} bytes)` };
    case "HPE_PAUSED_H2_UPGRADE": // llhttp's reason, "Pause on PRI/Upgrade", would say nothing
      return { statusCode: 400, message: "Malformed HTTP request: HTTP/2 is not supported; use HTTP/1.1" };
    default: {
      // llhttp's reasons are fixed phrases ("Invalid method encountered"), never request bytes.
      const reason = error.code?.startsWith("HPE_") && typeof error.reason === "string" ? `: ${error.reason}` : "";
      return { statusCode: 400, message: `Malformed HTTP request${reason}` };
    }
  }
}

/** Node applies headersTimeout to the headers and requestTimeout to the whole request; 0: none. */
function timeoutMessage(requestMs: number, headersMs: number): string {
  if (requestMs > 0 && (headersMs === 0 || headersMs >= requestMs)) {
    return `Request timeout: the whole request, headers and body, must arrive within ${requestMs} ms`;
  }
  if (requestMs > 0) return `Request timeout: the headers must arrive within ${headersMs} ms, the whole request within ${requestMs} ms`;
  return `Request timeout: the headers must arrive within ${headersMs} ms`;
}

/** A complete HTTP/1.1 response carrying `{"error": message}`, then the connection closes. */
export function rawErrorResponse(statusCode: number, message: string): string {
  const body = JSON.stringify({ error: message });
  return (
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? "Error"}\r\n` +
    "Content-Type: application/json; charset=utf-8\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    "Connection: close\r\n\r\n" +
    body
  );
}

/**
 * Fastify's clientErrorHandler. Answers unless the socket is already gone or a response on it
 * has started (a malformed request pipelined behind a stream): writing then would land in the
 * middle of that response, so the socket is only closed, as Node itself does.
 */
export function answerClientError(error: ClientError, socket: Socket, server: Server, log: FastifyBaseLogger): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const reply = clientErrorReply(error, server);
  log.trace({ err: error }, `client error ${reply.statusCode}`);
  // The response this socket is writing, if any: Node keeps it there, and checks it the same way.
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && current?.headersSent !== true) socket.write(rawErrorResponse(reply.statusCode, reply.message));
  socket.destroy();
}
