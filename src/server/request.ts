/** Reads an inference request (body + headers) into one flat object, rejecting malformed ones with 400. */
import type { InferencePayload } from "../types.js";
import { describe } from "../errors.js";
import { EMPTY_BODY, HttpError } from "./http-errors.js";

export interface InferenceRequest {
  /** string[][] only with parameters.is_split_into_words (resolvePayload checks that). */
  inputs: string | string[] | string[][];
  /** Passed to resolvePayload untouched (routes.ts; it validates them, as clf.query() does). */
  parameters?: InferencePayload["parameters"];
  useCache: boolean;
  waitForModel: boolean;
  /** False (x-load-model: 0, options.dont_load_model) leaves a model that is not loaded unloaded. */
  loadModel: boolean;
  stream: boolean;
}

const BODY_KEYS = new Set(["inputs", "parameters", "options", "stream"]);
// use_gpu is the hosted API's (a paid plan's GPU); accepted and ignored here: the server's
// --device decides.
const OPTION_KEYS = new Set(["use_cache", "wait_for_model", "dont_load_model", "use_gpu"]);

type Headers = Record<string, string | string[] | undefined>;

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

function parseBoolean(value: string): boolean | undefined {
  if (value === "true" || value === "1" || value === "yes") return true;
  if (value === "false" || value === "0" || value === "no") return false;
  return undefined;
}

/**
 * "true"/"1"/"yes" or "false"/"0"/"no" (any case); undefined when absent. A header sent more than
 * once reaches us as one string joined with ", " (Node does that for repeated headers), or as
 * an array from inject(): repeated values that agree are accepted, conflicting ones refused.
 */
export function booleanHeader(headers: Headers, name: string): boolean | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(",")).map((v) => v.trim());
  let result: boolean | undefined;
  for (const value of values) {
    const parsed = parseBoolean(value.toLowerCase());
    if (parsed === undefined) throw bad(`Expected true or false for header ${name}, received ${describe(value)}`);
    if (result !== undefined && parsed !== result) {
      throw bad(`Header ${name} was given conflicting values (${values.join(", ")}); send it once`);
    }
    result = parsed;
  }
  return result;
}

/**
 * Whether an Accept header asks for server-sent events: it lists text/event-stream with a
 * quality above 0, and not below application/json's (when that is listed too). `;q=0` means
 * "not acceptable" (RFC 9110), which a substring test read as a request for a stream.
 */
export function prefersEventStream(accept: string): boolean {
  const quality = new Map<string, number>();
  for (const range of accept.split(",")) {
    const [type, ...params] = range.split(";").map((p) => p.trim().toLowerCase());
    if (!type) continue;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=(.*)$/.exec(param);
      if (m) q = Number(m[1]!.trim()); // a malformed weight (NaN) counts as 0 below
    }
    if (!(q >= 0 && q <= 1)) q = 0;
    quality.set(type, Math.max(quality.get(type) ?? 0, q));
  }
  const sse = quality.get("text/event-stream") ?? 0;
  return sse > 0 && sse >= (quality.get("application/json") ?? 0);
}

/** null is unset, as the hosted API (Python) reads None, and as query() reads these options. */
function optionalBoolean(obj: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad(`Expected a boolean for ${where}${key}, received ${describe(v)}`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The request a body and its headers make. A body that is a string (a JSON string, or a text
 * body, body.ts) is the one input with default parameters, as the hosted API reads it.
 */
export function parseInferenceRequest(body: unknown, headers: Headers): InferenceRequest {
  if (body === undefined) throw bad(EMPTY_BODY);
  if (typeof body === "string") body = { inputs: body };
  if (!isObject(body)) throw bad(`Expected a JSON object with "inputs", or the text itself, for the request body; received ${describe(body)}`);
  for (const key of Object.keys(body)) {
    if (!BODY_KEYS.has(key)) throw bad(`Unknown field ${JSON.stringify(key)} in the request body (expected inputs, parameters, options, stream)`);
  }
  const { inputs, parameters, options } = body;
  if (inputs === undefined) throw bad("Missing \"inputs\" in the request body");
  if (Array.isArray(inputs)) {
    // Word lists (is_split_into_words) nest one level; resolvePayload checks the combination.
    inputs.forEach((v, i) => {
      const ok = typeof v === "string" || (Array.isArray(v) && v.every((w) => typeof w === "string"));
      if (!ok) throw bad(`Expected a string (or a word list) for inputs[${i}], received ${describe(v)}`);
    });
  } else if (typeof inputs !== "string") {
    throw bad(`Expected a string or an array of strings for inputs, received ${describe(inputs)}`);
  }
  if (parameters !== undefined && parameters !== null && !isObject(parameters)) {
    throw bad(`Expected an object for parameters, received ${describe(parameters)}`);
  }
  let bodyCache: boolean | undefined;
  let bodyWait: boolean | undefined;
  let bodyDontLoad: boolean | undefined;
  if (options !== undefined && options !== null) {
    if (!isObject(options)) throw bad(`Expected an object for options, received ${describe(options)}`);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw bad(`Unknown field ${JSON.stringify(key)} in options (expected use_cache, wait_for_model, dont_load_model, use_gpu)`);
    }
    bodyCache = optionalBoolean(options, "use_cache", "options.");
    bodyWait = optionalBoolean(options, "wait_for_model", "options.");
    bodyDontLoad = optionalBoolean(options, "dont_load_model", "options.");
    optionalBoolean(options, "use_gpu", "options.");
  }
  const bodyStream = optionalBoolean(body, "stream", "");
  const accept = headers["accept"];
  const acceptsSse = prefersEventStream(Array.isArray(accept) ? accept.join(",") : accept ?? "");
  const req: InferenceRequest = {
    inputs: inputs as string | string[] | string[][],
    useCache: booleanHeader(headers, "x-use-cache") ?? bodyCache ?? true,
    waitForModel: booleanHeader(headers, "x-wait-for-model") ?? bodyWait ?? false,
    loadModel: booleanHeader(headers, "x-load-model") ?? !(bodyDontLoad ?? false),
    stream: bodyStream ?? acceptsSse,
  };
  if (parameters !== undefined && parameters !== null) req.parameters = parameters as InferencePayload["parameters"];
  return req;
}
