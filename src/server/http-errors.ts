/** HTTP status for every failure, so bad input never turns into a 500. */
import type { TokClassErrorCode } from "../errors.js";

/** An error the server answers with `{"error": message, ...extra}` and `statusCode`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
    this.statusCode = statusCode;
    this.extra = extra;
    this.headers = headers;
  }
}

const STATUS_BY_CODE: Record<TokClassErrorCode, number> = {
  ERR_INVALID_ARGUMENT: 400,
  ERR_INVALID_TEXT: 400,
  ERR_UNKNOWN_STRATEGY: 400,
  ERR_STRIDE_TOO_LARGE: 400,
  ERR_STRIDE_WITH_NONE: 400,
  ERR_MODEL_NOT_FOUND: 404,
  ERR_DISPOSED: 503,
  ERR_TOKENIZER_INVALID: 500,
  ERR_TOKENIZER_UNSUPPORTED: 500,
  ERR_MODEL_INVALID: 500,
  ERR_RUNTIME_LOAD: 500,
  ERR_DEVICE_UNAVAILABLE: 500,
  ERR_INFERENCE: 500,
  ERR_INTERNAL: 500,
  ERR_ABORTED: 499, // the client went away (nginx's "client closed request"); never sent in practice
};

/** A TokClassError, recognised by shape so a second copy of the class (dist vs src) still maps. */
export function tokClassCode(err: unknown): TokClassErrorCode | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if ((err as { name?: unknown }).name !== "TokClassError" || typeof code !== "string") return undefined;
  return code in STATUS_BY_CODE ? (code as TokClassErrorCode) : "ERR_INTERNAL";
}

export function statusForTokClassCode(code: TokClassErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** Codes that depend on the request's parameters only (not on one input's text). */
export function isParameterError(code: TokClassErrorCode | undefined): boolean {
  return (
    code === "ERR_INVALID_ARGUMENT" ||
    code === "ERR_UNKNOWN_STRATEGY" ||
    code === "ERR_STRIDE_TOO_LARGE" ||
    code === "ERR_STRIDE_WITH_NONE"
  );
}

export interface ErrorReply {
  statusCode: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** Whether the error is the server's fault (worth logging with its stack). */
  internal: boolean;
}

/** The 400 for a request without a body (or an empty one). */
export const EMPTY_BODY = 'Empty request body; expected a JSON object with "inputs", or the text itself';

/** The 413's message, for a body over the limit however it was found. */
export function bodyTooLarge(maxBodyBytes: number): string {
  return `Request body is too large (limit ${maxBodyBytes} bytes)`;
}

/** Fastify's own error codes for the request body, mapped to our statuses and messages. */
function fastifyError(err: { code?: unknown; statusCode?: unknown; message: string }, maxBodyBytes: number): ErrorReply | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return reply(413, bodyTooLarge(maxBodyBytes));
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return reply(415, "Unsupported Content-Type; send JSON (application/json) or the text itself (text/plain)");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return reply(400, EMPTY_BODY);
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return reply(400, `Invalid JSON body: ${err.message}`);
    default:
      break;
  }
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    const msg = err instanceof SyntaxError ? `Invalid JSON body: ${err.message}` : err.message;
    return reply(err.statusCode, msg);
  }
  return undefined;
}

function reply(statusCode: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, internal = false): ErrorReply {
  return { statusCode, body: { error: message, ...extra }, headers, internal };
}

/** Turns anything thrown while handling a request into the reply to send. */
export function toErrorReply(err: unknown, maxBodyBytes: number): ErrorReply {
  if (err instanceof HttpError) return reply(err.statusCode, err.message, err.extra, err.headers);
  const code = tokClassCode(err);
  if (code !== undefined) {
    const status = statusForTokClassCode(code);
    return reply(status, (err as Error).message, {}, {}, status >= 500 && code !== "ERR_DISPOSED");
  }
  if (typeof err === "object" && err !== null && "message" in err) {
    const mapped = fastifyError(err as { code?: unknown; statusCode?: unknown; message: string }, maxBodyBytes);
    if (mapped) return mapped;
  }
  return reply(500, "Internal server error", {}, {}, true);
}
