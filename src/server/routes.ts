/** POST / and POST /models/<id> (inference), GET /health. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { cacheKey, type LruCache } from "./cache.js";
import { resolvePayload, usesLegacyParameters } from "../options.js";
import { queryResolved } from "../query-resolved.js";
import type { InferencePayload } from "../types.js";
import { healthStatus, healthStatusCode } from "./health.js";
import { HttpError } from "./http-errors.js";
import type { ModelRegistry } from "./registry.js";
import { parseInferenceRequest } from "./request.js";
import { InferenceStream } from "./sse.js";

export interface RouteContext {
  registry: ModelRegistry;
  cache: LruCache;
  defaultModel: string;
  maxBodyBytes: number;
  version: string;
  isClosing: () => boolean;
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // Cacheable requests being classified, by cache key, so identical ones share one run.
  const inFlight = new Map<string, SharedRun>();
  const infer = (modelOf: (req: FastifyRequest) => string) => async (req: FastifyRequest, reply: FastifyReply) =>
    handleInference(ctx, inFlight, modelOf(req), req, reply);

  app.post("/", infer(() => ctx.defaultModel));
  app.post(
    "/models/*",
    infer((req) => (req.params as { "*": string })["*"].replace(/\/+$/, "")),
  );

  app.get("/health", async (_req, reply) => {
    const models = ctx.registry.health();
    const status = healthStatus(models);
    return reply.code(healthStatusCode(status)).send({
      status,
      version: ctx.version,
      defaultModel: ctx.defaultModel,
      models,
      cache: { entries: ctx.cache.size, bytes: ctx.cache.bytes },
    });
  });
}

/** One classification and the requests waiting for it (see handleInference). */
interface SharedRun {
  result: Promise<string>;
  controller: AbortController;
  waiting: number;
}

async function handleInference(
  ctx: RouteContext,
  inFlight: Map<string, SharedRun>,
  modelId: string,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  if (modelId === "") throw new HttpError(404, "No model id in the path: POST /models/<id>, or POST / for the default model");
  if (!ctx.registry.has(modelId)) throw new HttpError(404, `Model ${modelId} does not exist`);
  const r = parseInferenceRequest(req.body, req.headers);
  // Older clients of the hosted API still send transformers 4.x's parameters: they are mapped
  // (see options.ts) and the response says they are deprecated (RFC 9745 header + a Warning).
  if (usesLegacyParameters(r.parameters)) {
    reply.header("deprecation", "true");
    reply.header("warning", '299 tokclass "grouped_entities/ignore_subwords are deprecated; use aggregation_strategy"');
  }
  const clf = await ctx.registry.acquire(modelId, r.waitForModel, r.loadModel);
  // Resolved here, once, as query() resolves a payload (the same function, with the
  // classifier's defaults), before anything else reads the payload: a stream refuses what the
  // JSON path refuses, with the same message and before any event, and the cache key below is
  // computed only from parameters known to be flat (a deeply nested unknown one overflowed the
  // stack). The classifier is then handed the result, not the payload to resolve again.
  const payload: InferencePayload = r.parameters ? { inputs: r.inputs, parameters: r.parameters } : { inputs: r.inputs };
  const query = resolvePayload(payload, clf.defaults);

  const key = r.useCache && !r.stream ? cacheKey(modelId, r.inputs, r.parameters) : undefined;
  if (key !== undefined) {
    const hit = ctx.cache.get(key);
    if (hit !== undefined) return reply.header("x-cache", "hit").type("application/json; charset=utf-8").send(hit);
  }

  if (r.stream) {
    const stream = new InferenceStream(clf, query);
    await stream.ready(); // parameter errors found natively throw here and get the usual JSON reply
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (typeof value === "string") headers[name] = value;
    }
    if (ctx.isClosing()) headers["connection"] = "close";
    reply.hijack();
    await stream.writeTo(reply.raw, headers, ctx.maxBodyBytes);
    return reply;
  }

  const run = async (signal: AbortSignal): Promise<string> =>
    JSON.stringify(await clf[queryResolved](query, signal));
  // Identical cacheable requests already in flight share one classification, which is aborted
  // (its texts not yet run dropped) once every client waiting for it has gone away.
  // Takes the run out of the map unless a later one already replaced it.
  const forget = (run: SharedRun): void => {
    if (key !== undefined && inFlight.get(key) === run) inFlight.delete(key);
  };
  let shared = key === undefined ? undefined : inFlight.get(key);
  if (shared === undefined) {
    const controller = new AbortController();
    const fresh: SharedRun = { result: run(controller.signal), controller, waiting: 0 };
    if (key !== undefined) {
      inFlight.set(key, fresh);
      fresh.result.then((out) => {
        ctx.cache.set(key, out);
        forget(fresh);
      }, () => forget(fresh));
    }
    shared = fresh;
  }
  const entry = shared;
  entry.waiting++;
  let gone = false;
  const onClose = (): void => {
    if (gone) return;
    gone = true;
    if (--entry.waiting > 0) return;
    forget(entry);  // no one joins an aborted run
    entry.controller.abort();
  };
  reply.raw.once("close", onClose);
  if (reply.raw.destroyed) onClose();  // gone already (while the model loaded, say)
  let json = "";
  try {
    json = await entry.result;
  } catch (error) {
    if (!gone) throw error;
  } finally {
    if (!gone) {
      reply.raw.off("close", onClose);
      entry.waiting--;
    }
  }
  if (gone) {
    reply.hijack();  // the client is gone: nothing to send, nothing to log
    return reply;
  }
  return reply
    .header("x-cache", r.useCache ? "miss" : "bypass")
    .type("application/json; charset=utf-8")
    .send(json);
}
