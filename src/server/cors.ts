/**
 * Cross-origin requests (CORS), off unless origins are configured (`--cors ORIGIN`): a web page
 * calling this server with @huggingface/inference, as it can call the hosted API, needs the
 * browser's permission, which only the server can give. Off by default because a server on
 * localhost would otherwise answer every page the user visits.
 *
 * A request from an allowed origin gets Access-Control-Allow-Origin (and the headers a client
 * reads exposed) on every answer, errors included, so that the page can read why it failed.
 * A preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin is answered
 * 204 before authentication: browsers send no Authorization header with it. Anything else, or
 * any origin not allowed, is answered as without CORS (a preflight then gets the 405 OPTIONS
 * gets, and the browser blocks the call).
 */
import type { FastifyInstance } from "fastify";

/** Response headers a page may read: the cache outcome, the loading hint, deprecation notes. */
const EXPOSED = "x-cache, retry-after, deprecation, warning";
/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * An origin as the config takes it: "*", or scheme://host[:port] exactly as a browser sends it
 * in its Origin header (no path, no trailing slash); else undefined.
 */
export function normalizeOrigin(value: string): string | undefined {
  if (value === "*") return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return url.origin === value ? value : undefined;
}

/** Adds CORS for `origins` ("*" or exact origins) to `app`; nothing when the list is empty. */
export function addCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes("*");
  const allowed = new Set(origins);
  app.addHook("onRequest", async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin !== "string" || !(any || allowed.has(origin))) return undefined;
    reply.header("access-control-allow-origin", any ? "*" : origin);
    // A cache between server and browser must not give one origin's answer to another.
    if (!any) reply.header("vary", "origin");
    reply.header("access-control-expose-headers", EXPOSED);
    const method = req.headers["access-control-request-method"];
    if (req.method !== "OPTIONS" || typeof method !== "string") return undefined;
    const requested = req.headers["access-control-request-headers"];
    return reply
      .code(204)
      .header("access-control-allow-methods", "GET, HEAD, POST")
      // The names the browser asks for (authorization, content-type, x-use-cache, ...): a header
      // the server ignores is harmless, and a "*" would not cover Authorization.
      .header("access-control-allow-headers", typeof requested === "string" ? requested : "authorization, content-type")
      .header("access-control-max-age", String(PREFLIGHT_MAX_AGE_S))
      .send();
  });
}
