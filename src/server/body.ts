/**
 * How a request body is read: uncompressed bytes (Content-Encoding identity), valid UTF-8, one
 * JSON value with no key that could alter an object's prototype, or, for a body not declared as
 * JSON, the text itself (the hosted Inference API's raw-string bodies). Anything else is refused
 * with a message saying what was refused, never repaired: invalid UTF-8 would otherwise be
 * decoded with U+FFFD in its place and classified as text the client never sent.
 */
import { isUtf8 } from "node:buffer";
import { HttpError } from "./http-errors.js";

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

/**
 * Refuses a body sent with a content coding other than identity (gzip, br, ...): the server does
 * not decompress, and the compressed bytes would otherwise be reported as invalid JSON. 415 with
 * Accept-Encoding, as RFC 9110 (15.5.16) asks. The body is not read, so the connection is not
 * reused.
 */
export function checkContentEncoding(header: string | string[] | undefined): void {
  if (header === undefined) return;
  const codings = (Array.isArray(header) ? header : [header])
    .flatMap((h) => h.split(","))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length === 0) return;
  throw new HttpError(
    415,
    `Unsupported Content-Encoding ${JSON.stringify(codings.join(", "))}; send the body uncompressed`,
    {},
    { "accept-encoding": "identity", connection: "close" },
  );
}

/**
 * A JSON request body, from its raw bytes; undefined for none. An empty body is not refused
 * here: Fastify parses a body before it knows no route takes it, and POST /health or POST to an
 * unknown path must still get 405 or 404, not 400 (the inference route refuses a missing body).
 */
export function parseJsonBody(body: Buffer): unknown {
  return parseBody(body, false);
}

/**
 * A body sent as text/plain, as a form (what `curl -d` sends without -H) or with no
 * Content-Type, read as the hosted Inference API reads every body: JSON when it parses, else the
 * text itself is the input. Unlike the hosted API, a body that opens with `{` or `[` but does not
 * parse is refused rather than classified: it was meant as JSON, and its text is not what the
 * client wanted tagged. A charset other than UTF-8 (or its subset US-ASCII) is refused with 415.
 */
export function parseTextBody(body: Buffer, contentType: string | undefined): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1]?.toLowerCase();
  if (charset !== undefined && !TEXT_CHARSETS.has(charset)) {
    throw new HttpError(415, `Unsupported charset ${JSON.stringify(charset)}; send the body as UTF-8`);
  }
  return parseBody(body, true);
}

const TEXT_CHARSETS = new Set(["utf-8", "utf8", "us-ascii"]);

/**
 * The body's value: undefined for none, the text itself where `textAllowed` and it is no JSON,
 * and a bare number as the text it is written as (the hosted API classifies str(number)).
 */
function parseBody(body: Buffer, textAllowed: boolean): unknown {
  if (body.length === 0) return undefined;
  if (!isUtf8(body)) throw bad("Body is not valid UTF-8");
  let text = body.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark, accepted as before
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (!textAllowed) throw bad(`Invalid JSON body: ${(error as Error).message}`);
    if (!/^\s*[[{]/.test(text)) return text;
    throw bad(`Invalid JSON body: ${(error as Error).message} (a body opening with { or [ is read as JSON; send such a text as {"inputs": ...})`);
  }
  if (typeof value === "number") return text.trim();
  // Only a body that spells one of the keys, or could spell it with \u escapes, is walked.
  if (text.includes("__proto__") || text.includes("constructor") || text.includes("\\u")) refusePrototypeKeys(value);
  return value;
}

/**
 * Refuses `"__proto__"` keys, and `"constructor"` keys holding a `"prototype"`, anywhere in the
 * value, as Fastify's own parser did (prototype poisoning: code that later copies the object
 * with Object.assign or a spread would set the copy's prototype). Walked with an explicit stack:
 * a body within the size limit can nest deeper than the call stack allows.
 */
function refusePrototypeKeys(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) pending.push(item);
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (key === "__proto__") {
        throw bad('Refused a "__proto__" key in the JSON body: such keys can change the prototype of objects built from it (prototype poisoning)');
      }
      if (key === "constructor" && typeof child === "object" && child !== null && Object.hasOwn(child, "prototype")) {
        throw bad('Refused a "constructor" key holding "prototype" in the JSON body: such keys can change the prototype of objects built from it (prototype poisoning)');
      }
      pending.push(child);
    }
  }
}
