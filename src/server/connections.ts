/**
 * The HTTP server's connections and the requests each has in flight, so that shutdown can close
 * every connection that is not serving a request.
 *
 * Node's closeIdleConnections() is not enough: it counts a socket as active from the moment it
 * connects until its first request has been answered, so a client that connects and sends
 * nothing, or only part of its headers, would hold server.close() open until the request
 * timeout (30 s by default; never with 0). Here a request is in flight from Node's 'request'
 * event (its headers complete) until its response closes, streams included; at shutdown, one
 * whose body has not all arrived counts as not yet sent, as one without all its headers does
 * (server.close() also stops Node's request-timeout checks, so a client that had sent half its
 * body held shutdown for the whole shutdown timeout and got no answer).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export class ConnectionTracker {
  /** The requests in flight on each open socket. */
  readonly #inFlight = new Map<Socket, Set<IncomingMessage>>();
  #closing = false;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      if (this.#closing) {
        socket.destroy(); // accepted just before the server stopped listening
        return;
      }
      this.#inFlight.set(socket, new Set());
      socket.once("close", () => this.#inFlight.delete(socket));
    });
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      const requests = this.#inFlight.get(socket);
      if (requests === undefined) return; // already closed
      requests.add(req);
      res.once("close", () => {
        requests.delete(req);
        if (requests.size === 0 && this.#closing) socket.destroy();
      });
    });
  }

  /** Open connections (for tests and diagnostics). */
  get size(): number {
    return this.#inFlight.size;
  }

  /**
   * Closes every connection with no whole request in flight now (idle, or still sending a
   * request's headers or body), and from then on each connection as soon as its last request's
   * response has closed. Requests received whole finish first.
   */
  closeIdle(): void {
    this.#closing = true;
    for (const [socket, requests] of this.#inFlight) {
      let whole = requests.size > 0;
      for (const req of requests) whole &&= req.complete;
      if (!whole) socket.destroy();
    }
  }
}
