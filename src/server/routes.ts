/** POST / and POST /models/<id> (inference), GET /health. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { cacheKey, type LruCache } from "./cache.js";
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
  const infer = (modelOf: (req: FastifyRequest) => string) => async (req: FastifyRequest, reply: FastifyReply) =>
    handleInference(ctx, modelOf(req), req, reply);

  app.post("/", infer(() => ctx.defaultModel));
  app.post(
    "/models/*",
    infer((req) => (req.params as { "*": string })["*"].replace(/\/+$/, "")),
  );

  app.get("/health", async () => ({
    status: "ok",
    version: ctx.version,
    defaultModel: ctx.defaultModel,
    models: ctx.registry.health(),
    cache: { entries: ctx.cache.size, bytes: ctx.cache.bytes },
  }));
}

async function handleInference(ctx: RouteContext, modelId: string, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (!ctx.registry.has(modelId)) throw new HttpError(404, `Model ${modelId} does not exist`);
  const r = parseInferenceRequest(req.body, req.headers);
  const key = r.useCache && !r.stream ? cacheKey(modelId, r.inputs, r.parameters) : undefined;
  if (key !== undefined) {
    const hit = ctx.cache.get(key);
    if (hit !== undefined) return reply.header("x-cache", "hit").type("application/json; charset=utf-8").send(hit);
  }
  const clf = await ctx.registry.acquire(modelId, r.waitForModel);

  if (r.stream) {
    const stream = new InferenceStream(clf, r.inputs, r.parameters);
    await stream.ready(); // parameter errors throw here and get the usual JSON reply
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (typeof value === "string") headers[name] = value;
    }
    if (ctx.isClosing()) headers["connection"] = "close";
    reply.hijack();
    await stream.writeTo(reply.raw, headers, ctx.maxBodyBytes);
    return reply;
  }

  const result = await clf.query(r.parameters ? { inputs: r.inputs, parameters: r.parameters } : { inputs: r.inputs });
  const json = JSON.stringify(result);
  if (key !== undefined) ctx.cache.set(key, json);
  return reply
    .header("x-cache", r.useCache ? "miss" : "bypass")
    .type("application/json; charset=utf-8")
    .send(json);
}
