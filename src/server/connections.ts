/**
 * The HTTP server's connections and how many requests each has in flight, so that shutdown can
 * close every connection that is not serving a request.
 *
 * Node's closeIdleConnections() is not enough: it counts a socket as active from the moment it
 * connects until its first request has been answered, so a client that connects and sends
 * nothing, or only part of its headers, would hold server.close() open until the request
 * timeout (30 s by default; never with 0). Here a request is in flight from Node's 'request'
 * event (its headers complete) until its response closes, streams included.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export class ConnectionTracker {
  /** Requests in flight on each open socket. */
  readonly #inFlight = new Map<Socket, number>();
  #closing = false;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      if (this.#closing) {
        socket.destroy(); // accepted just before the server stopped listening
        return;
      }
      this.#inFlight.set(socket, 0);
      socket.once("close", () => this.#inFlight.delete(socket));
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      const count = this.#inFlight.get(socket);
      if (count === undefined) return; // already closed
      this.#inFlight.set(socket, count + 1);
      res.once("close", () => {
        const left = (this.#inFlight.get(socket) ?? 1) - 1;
        if (!this.#inFlight.has(socket)) return;
        this.#inFlight.set(socket, left);
        if (left === 0 && this.#closing) socket.destroy();
      });
    });
  }

  /** Open connections (for tests and diagnostics). */
  get size(): number {
    return this.#inFlight.size;
  }

  /**
   * Closes every connection with no request in flight now, and from then on each connection as
   * soon as its last request's response has closed. Requests in flight finish first.
   */
  closeIdle(): void {
    this.#closing = true;
    for (const [socket, count] of this.#inFlight) if (count === 0) socket.destroy();
  }
}
