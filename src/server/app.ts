/**
 * The HTTP app, built without listening (tests use it with a real socket on port 0 or with
 * inject()). Routes in routes.ts; this file wires auth, body parsing, errors and the registry.
 */
import { readFileSync } from "node:fs";
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import { makeTokenCheck } from "./auth.js";
import { checkContentEncoding, parseJsonBody, parseTextBody } from "./body.js";
import { LruCache } from "./cache.js";
import { answerClientError } from "./client-errors.js";
import { ConnectionTracker } from "./connections.js";
import { addCors } from "./cors.js";
import type { ClassifierLoader } from "./contract.js";
import { HttpError, toErrorReply } from "./http-errors.js";
import { loadTokenClassifier } from "./load.js";
import { addProtocolChecks, PROTOCOL_SERVER_OPTIONS } from "./protocol-checks.js";
import { ModelRegistry, type ModelSpec } from "./registry.js";
import { registerRoutes } from "./routes.js";

export const DEFAULT_MODEL_ID = "default";
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_CACHE_SIZE = 1024;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface AppOptions {
  /** Configured models. The embedded model is added as "default" unless one already has that id. */
  models?: ModelSpec[];
  /** Model served by `POST /` (default "default"). */
  defaultModel?: string;
  /** Accepted bearer tokens; empty: no authentication. */
  tokens?: string[];
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Time a client has to send its whole request, headers and body, in ms (default 30 s; 0: no
   * limit). Past it the server answers 408 and closes the connection. Responses (streams
   * included) are not limited: the clock stops once the request has been received.
   */
  requestTimeoutMs?: number;
  /** Response cache entries (default 1024; 0 disables). */
  cacheSize?: number;
  /** Response cache size in bytes (default 64 MiB). */
  cacheBytes?: number;
  /** Load every model at start-up in the background (default true); false: on first request. */
  preload?: boolean;
  /** Seconds announced in `estimated_time` before any load has finished (default 10). */
  loadEstimateS?: number;
  /** How models are loaded (default TokenClassifier.load). */
  loader?: ClassifierLoader;
  logger?: FastifyServerOptions["logger"];
  /** Log every request (default false; model loads and server errors are always logged). */
  logRequests?: boolean;
  /** Origins allowed to call from a browser ("*": any); default none (cors.ts). */
  cors?: string[];
}

export interface TokclassApp {
  app: FastifyInstance;
  registry: ModelRegistry;
  cache: LruCache;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function buildApp(options: AppOptions = {}): TokclassApp {
  const defaultModel = options.defaultModel ?? DEFAULT_MODEL_ID;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const models = [...(options.models ?? [])];
  if (!models.some((m) => m.id === DEFAULT_MODEL_ID)) models.unshift({ id: DEFAULT_MODEL_ID, load: {} });
  if (!models.some((m) => m.id === defaultModel)) throw new Error(`The default model ${defaultModel} is not configured`);

  const registry = new ModelRegistry(models, options.loader ?? loadTokenClassifier, {
    defaultLoadEstimateS: options.loadEstimateS ?? 10,
    // The model's folder and the full error are logged here only: clients (errors, /health)
    // are never shown a server path.
    onLoad: (id, seconds, error) => {
      const from = models.find((m) => m.id === id)?.dir ?? "the embedded model";
      if (error === undefined) app.log.info(`model ${id} loaded from ${from} in ${seconds.toFixed(2)} s`);
      else app.log.error(`model ${id} failed to load from ${from}: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const cache = new LruCache({
    maxEntries: options.cacheSize ?? DEFAULT_CACHE_SIZE,
    maxBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 0) {
    throw new Error(`requestTimeoutMs must be a non-negative integer, received ${String(requestTimeoutMs)}`);
  }
  const app: FastifyInstance = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    bodyLimit: maxBodyBytes,
    // Without a limit a client sending its request a byte at a time (slowloris) holds a socket
    // and a request forever. Node enforces it only every connectionsCheckingInterval (default
    // 30 s, which would let a 1 s timeout run 30 s), so the interval is scaled to the timeout;
    // Node also refuses a headersTimeout above requestTimeout.
    requestTimeout: requestTimeoutMs,
    http: {
      ...PROTOCOL_SERVER_OPTIONS,
      ...(requestTimeoutMs > 0
        ? {
            headersTimeout: Math.min(requestTimeoutMs, 60_000),
            connectionsCheckingInterval: Math.min(Math.max(Math.floor(requestTimeoutMs / 4), 50), 30_000),
          }
        : {}),
    },
    // Fastify's 503 for requests arriving while the server closes has Fastify's body shape: an
    // onRequest hook below answers them instead.
    return503OnClosing: false,
    // Requests Node cannot parse, oversized headers, request timeouts (client-errors.ts).
    clientErrorHandler: (error, socket) => answerClientError(error, socket, app.server, app.log),
    // A path Fastify cannot decode (a bad percent-encoding): answered in the server's own error
    // shape rather than Fastify's.
    frameworkErrors: (error, req, reply) => {
      const message = error.code === "FST_ERR_BAD_URL"
        ? `Invalid URL ${JSON.stringify(pathOf(req.url))}: it has a malformed percent-encoding`
        : error.message;
      // The option's type is generic over route schemas this server does not declare.
      void (reply as unknown as FastifyReply).code(400).type("application/json; charset=utf-8").send({ error: message });
    },
  });
  const connections = new ConnectionTracker(app.server);

  // Responses sent while closing carry "Connection: close", so keep-alive sockets of requests
  // that were in flight end with them instead of idling until keepAliveTimeout. Connections
  // with no request in flight (idle keep-alive, or a client that has not sent a whole request)
  // are closed at once, the others as soon as their last response ends (connections.ts), so
  // shutdown waits only for requests in flight. Fastify's forceCloseConnections is not needed
  // for this: without a serverFactory its "idle" (also its default) does nothing of its own.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
    connections.closeIdle();
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });
  // A request can still arrive while closing: pipelined behind a response (a stream) that began
  // before. Refused first, before any other check.
  app.addHook("onRequest", async () => {
    if (closing) throw new HttpError(503, "Server is shutting down", {}, { connection: "close" });
  });
  // Before authentication: a browser's preflight carries no token.
  addCors(app, options.cors ?? []);
  addProtocolChecks(app, maxBodyBytes);

  // JSON types are read as JSON. A body sent as text/plain, as a form (curl -d without -H) or
  // without a Content-Type is read as the hosted Inference API reads any body: JSON when it
  // parses, else the text itself (body.ts). Other types get 415. Fastify refuses a body without
  // a Content-Type before any parser sees it, so such a request is given text/plain's reading.
  app.addHook("onRequest", async (req) => {
    if (req.headers["content-type"] === undefined && req.method === "POST") req.headers["content-type"] = "text/plain";
  });
  app.removeContentTypeParser("text/plain");
  // Read as bytes, not as a string, so that invalid UTF-8 is refused rather than decoded with
  // U+FFFD in its place (see body.ts).
  const jsonParser = async (_req: unknown, body: string | Buffer): Promise<unknown> => parseJsonBody(body as Buffer);
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, jsonParser);
  app.addContentTypeParser(/^application\/[\w.+-]*\+json$/, { parseAs: "buffer" }, jsonParser);
  const textParser = async (req: { headers: Record<string, string | string[] | undefined> }, body: string | Buffer): Promise<unknown> =>
    parseTextBody(body as Buffer, req.headers["content-type"] as string | undefined);
  app.addContentTypeParser(["text/plain", "application/x-www-form-urlencoded"], { parseAs: "buffer" }, textParser);
  // Before the body is read: a compressed body is refused without reading it. A request
  // without a body (GET /health) is not concerned.
  app.addHook("preParsing", async (req) => {
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody) checkContentEncoding(req.headers["content-encoding"]);
  });

  const check = makeTokenCheck(options.tokens ?? []);
  if (check) {
    app.addHook("onRequest", async (req, reply) => {
      if (!check(req.headers.authorization)) {
        return reply
          .code(401)
          .header("www-authenticate", 'Bearer realm="tokclass"')
          .header("connection", "close") // the body was not read: do not reuse the socket
          .send({ error: "Invalid credentials in Authorization header" });
      }
      return undefined;
    });
  }

  app.setErrorHandler(async (err, req, reply) => {
    const r = toErrorReply(err, maxBodyBytes);
    if (r.internal) req.log.error({ err }, "request failed");
    if (r.statusCode === 413) reply.header("connection", "close"); // the rest of the body was not read
    return reply.code(r.statusCode).headers(r.headers).send(r.body);
  });
  // Routes exist for these paths, with other methods: 405 and the methods they take.
  app.setNotFoundHandler(async (req, reply) => {
    const path = pathOf(req.url);
    const allowed = path === "/" || path.startsWith("/models/") ? "POST" : path === "/health" ? "GET, HEAD" : undefined;
    if (allowed !== undefined) {
      return reply.code(405).header("allow", allowed).send({ error: `Method ${req.method} not allowed; use ${allowed.replace(", ", " or ")}` });
    }
    return reply.code(404).send({ error: `Not found: ${req.method} ${path}` });
  });

  registerRoutes(app, { registry, cache, defaultModel, maxBodyBytes, version: packageVersion(), isClosing: () => closing });
  app.addHook("onClose", async () => {
    cache.clear();
    await registry.dispose();
  });
  if (options.preload ?? true) registry.loadAll();
  return { app, registry, cache };
}

/** The path of a request URL, without its query string. */
function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}
