/**
 * Server configuration from flags, environment and a JSON file, in that order of precedence,
 * over defaults. Config file (all keys optional; relative paths are relative to the file):
 *
 *   {
 *     "host": "127.0.0.1", "port": 8080,
 *     "models": {
 *       "dslim/bert-base-NER": "./models/bert-base-NER",
 *       "pos": { "path": "./models/pos", "device": "cpu", "modelFile": "model_quantized.onnx" },
 *       "Xenova/bert-base-NER": { "revision": "main" }   (no path: the id, from the local caches)
 *     },
 *     "defaultModel": "default", "tokens": ["secret"],
 *     "maxBodyBytes": 1048576, "requestTimeoutMs": 30000, "cacheSize": 1024, "preload": true,
 *     "cors": ["http://localhost:3000"]
 *   }
 *
 * Environment: TOKCLASS_TOKENS and TOKCLASS_CORS (comma-separated), TOKCLASS_HOST, TOKCLASS_PORT,
 * TOKCLASS_CONFIG.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Device, LoadOptions } from "../types.js";
import { describe } from "../errors.js";
import { DEFAULT_CACHE_SIZE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MODEL_ID, DEFAULT_REQUEST_TIMEOUT_MS } from "./app.js";
import { normalizeOrigin } from "./cors.js";
import type { ModelSpec } from "./registry.js";

export interface ServeFlags {
  port?: string;
  host?: string;
  model?: string[];
  config?: string;
  token?: string[];
  maxBody?: string;
  requestTimeout?: string;
  cacheSize?: string;
  device?: string;
  defaultModel?: string;
  lazy?: boolean;
  logLevel?: string;
  cors?: string[];
}

export interface ServerConfig {
  host: string;
  port: number;
  models: ModelSpec[];
  defaultModel: string;
  tokens: string[];
  maxBodyBytes: number;
  requestTimeoutMs: number;
  cacheSize: number;
  preload: boolean;
  logLevel: string;
  /** Origins allowed to call from a browser ("*": any); empty: no CORS. */
  cors: string[];
}

/** A configuration mistake: the CLI reports it and exits with the usage code. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const FILE_KEYS = new Set(["host", "port", "models", "defaultModel", "tokens", "maxBodyBytes", "requestTimeoutMs", "cacheSize", "preload", "logLevel", "cors"]);
const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

function expected(what: string, exp: string, received: unknown): ConfigError {
  return new ConfigError(`Expected ${exp} for ${what}, received ${describe(received)}`);
}

export function parsePort(value: unknown, what: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) throw expected(what, "a port number (0-65535)", value);
  return n;
}

/** Bytes, with an optional k/kb/m/mb suffix (powers of 1024): "1048576", "512k", "4mb". */
export function parseBytes(value: unknown, what: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  const m = typeof value === "string" ? /^\s*(\d+)\s*(k|kb|kib|m|mb|mib)?\s*$/i.exec(value) : null;
  if (!m) throw expected(what, "a positive number of bytes (e.g. 1048576, 512k, 4mb)", value);
  const unit = (m[2] ?? "").toLowerCase();
  const n = Number(m[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
  if (n <= 0) throw expected(what, "a positive number of bytes", value);
  return n;
}

/** Largest timeout accepted: Node's timers overflow past 2^31 - 1 ms (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Milliseconds as a non-negative integer (0: no limit). */
export function parseMilliseconds(value: unknown, what: string): number {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_TIMEOUT_MS) {
    throw expected(what, `a number of milliseconds from 0 (no limit) to ${MAX_TIMEOUT_MS}`, value);
  }
  return n;
}

export function parseCount(value: unknown, what: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw expected(what, "a non-negative integer", value);
  return n;
}

function parseDevice(value: unknown, what: string): Device {
  if (value !== "cpu" && value !== "cuda") throw expected(what, '"cpu" or "cuda"', value);
  return value;
}

/**
 * `--model id=dir`, or `--model id` alone: the model id, looked up by TokenClassifier.load in
 * the local Hugging Face / transformers.js caches (model-source.ts).
 */
export function parseModelFlag(value: string): { id: string; dir: string } {
  const eq = value.indexOf("=");
  const id = (eq >= 0 ? value.slice(0, eq) : value).trim();
  const dir = eq >= 0 ? value.slice(eq + 1).trim() : id;
  if (!id || !dir) throw expected("--model", "ID=FOLDER (e.g. dslim/bert-base-NER=./models/ner) or a cached model id", value);
  checkModelId(id, "--model");
  return { id, dir: eq >= 0 ? resolve(dir) : id };
}

function checkModelId(id: string, what: string): void {
  if (id.startsWith("/") || id.endsWith("/") || id.includes("//") || /[\s?#]/.test(id)) {
    throw expected(`the model id in ${what}`, "an id like org/name (no spaces, ?, # or leading/trailing /)", id);
  }
}

interface FileConfig {
  host?: string;
  port?: number;
  models: ModelSpec[];
  defaultModel?: string;
  tokens?: string[];
  maxBodyBytes?: number;
  requestTimeoutMs?: number;
  cacheSize?: number;
  preload?: boolean;
  logLevel?: string;
  cors?: string[];
}

export function parseConfigFile(text: string, path: string): FileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw expected(`config file ${path}`, "a JSON object", raw);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!FILE_KEYS.has(key)) throw new ConfigError(`Unknown key ${JSON.stringify(key)} in config file ${path} (expected ${[...FILE_KEYS].join(", ")})`);
  }
  const base = dirname(resolve(path));
  const out: FileConfig = { models: [] };
  if (obj.host !== undefined) {
    if (typeof obj.host !== "string" || !obj.host) throw expected("host in the config file", "a host name", obj.host);
    out.host = obj.host;
  }
  if (obj.port !== undefined) out.port = parsePort(obj.port, "port in the config file");
  if (obj.defaultModel !== undefined) {
    if (typeof obj.defaultModel !== "string") throw expected("defaultModel in the config file", "a model id", obj.defaultModel);
    out.defaultModel = obj.defaultModel;
  }
  if (obj.tokens !== undefined) {
    if (!Array.isArray(obj.tokens) || !obj.tokens.every((t) => typeof t === "string" && t.length > 0)) {
      throw expected("tokens in the config file", "an array of non-empty strings", obj.tokens);
    }
    out.tokens = obj.tokens as string[];
  }
  if (obj.maxBodyBytes !== undefined) out.maxBodyBytes = parseBytes(obj.maxBodyBytes, "maxBodyBytes in the config file");
  if (obj.requestTimeoutMs !== undefined) out.requestTimeoutMs = parseMilliseconds(obj.requestTimeoutMs, "requestTimeoutMs in the config file");
  if (obj.cacheSize !== undefined) out.cacheSize = parseCount(obj.cacheSize, "cacheSize in the config file");
  if (obj.cors !== undefined) {
    if (!Array.isArray(obj.cors) || !obj.cors.every((o) => typeof o === "string")) throw expected("cors in the config file", "an array of origins", obj.cors);
    out.cors = obj.cors as string[];
  }
  if (obj.preload !== undefined) {
    if (typeof obj.preload !== "boolean") throw expected("preload in the config file", "a boolean", obj.preload);
    out.preload = obj.preload;
  }
  if (obj.logLevel !== undefined) {
    if (typeof obj.logLevel !== "string" || !LOG_LEVELS.has(obj.logLevel)) throw expected("logLevel in the config file", [...LOG_LEVELS].join("|"), obj.logLevel);
    out.logLevel = obj.logLevel;
  }
  if (obj.models !== undefined) {
    if (typeof obj.models !== "object" || obj.models === null || Array.isArray(obj.models)) {
      throw expected("models in the config file", "an object mapping model ids to folders", obj.models);
    }
    for (const [id, value] of Object.entries(obj.models as Record<string, unknown>)) {
      checkModelId(id, "the config file");
      if (typeof value === "string" && value) {
        out.models.push({ id, dir: resolve(base, value), load: {} });
      } else if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { path?: unknown }).path === "string") {
        // Everything but "path" is LoadOptions; TokenClassifier.load validates it.
        const { path: dir, ...load } = value as { path: string } & LoadOptions;
        out.models.push({ id, dir: resolve(base, dir), load });
      } else if (typeof value === "object" && value !== null && !Array.isArray(value) && !("path" in value)) {
        // No folder: the id itself, found by TokenClassifier.load in the local model caches.
        out.models.push({ id, dir: id, load: value as LoadOptions });
      } else {
        throw expected(
          `models[${JSON.stringify(id)}] in the config file`,
          'a folder path, {"path": folder, ...load options}, or {...load options} for a model id in the Hugging Face cache',
          value,
        );
      }
    }
  }
  return out;
}

/**
 * A list setting from the first place that gives one: a repeatable flag, a comma-separated
 * environment variable, the config file's key; and that place's name, for its errors.
 */
function listSetting(
  flag: string[] | undefined,
  flagName: string,
  envValue: string | undefined,
  envName: string,
  fileValues: string[] | undefined,
  fileKey: string,
): { values: string[]; source: string } {
  if (flag?.length) return { values: flag, source: flagName };
  const fromEnv = envValue?.split(",").map((v) => v.trim()).filter((v) => v.length > 0);
  if (fromEnv?.length) return { values: fromEnv, source: envName };
  return { values: fileValues ?? [], source: `${fileKey} in the config file` };
}

export function resolveServerConfig(
  flags: ServeFlags,
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): ServerConfig {
  const configPath = flags.config ?? (env.TOKCLASS_CONFIG || undefined);
  let file: FileConfig = { models: [] };
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFile(configPath);
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${configPath}: ${(err as Error).message}`);
    }
    file = parseConfigFile(text, configPath);
  }

  const byId = new Map<string, ModelSpec>();
  for (const spec of file.models) byId.set(spec.id, spec);
  for (const flag of flags.model ?? []) {
    const { id, dir } = parseModelFlag(flag);
    byId.set(id, { id, dir, load: {} });
  }
  if (flags.device !== undefined) {
    const device = parseDevice(flags.device, "--device");
    for (const spec of byId.values()) spec.load = { device, ...spec.load };
    if (!byId.has(DEFAULT_MODEL_ID)) byId.set(DEFAULT_MODEL_ID, { id: DEFAULT_MODEL_ID, load: { device } });
  }

  const { values: tokens, source: tokenSource } = listSetting(flags.token, "--token", env.TOKCLASS_TOKENS, "TOKCLASS_TOKENS", file.tokens, "tokens");
  if (tokens.some((t) => t.length === 0)) throw new ConfigError("Expected a non-empty token for --token");
  // A client sends its token as "Authorization: Bearer <token>": one word, and header bytes are
  // read as Latin-1. A token with a space or a character outside printable ASCII could never
  // match, so every client would be refused by a server that started without complaint.
  const unsendable = tokens.findIndex((t) => !/^[\x21-\x7e]+$/.test(t));
  if (unsendable >= 0) {
    throw new ConfigError(
      `Token ${unsendable + 1} of ${tokenSource} cannot be sent in an Authorization header: use printable ASCII without spaces`,
    );
  }

  const { values: cors, source: corsSource } = listSetting(flags.cors, "--cors", env.TOKCLASS_CORS, "TOKCLASS_CORS", file.cors, "cors");
  for (const origin of cors) {
    if (normalizeOrigin(origin) === undefined) {
      throw expected(corsSource, 'an origin as a browser sends it ("*", or scheme://host[:port] without a path or trailing /)', origin);
    }
  }

  const logLevel = flags.logLevel ?? file.logLevel ?? "info";
  if (!LOG_LEVELS.has(logLevel)) throw expected("--log-level", [...LOG_LEVELS].join("|"), logLevel);

  const defaultModel = flags.defaultModel ?? file.defaultModel ?? DEFAULT_MODEL_ID;
  if (defaultModel !== DEFAULT_MODEL_ID && !byId.has(defaultModel)) {
    throw new ConfigError(`The default model ${JSON.stringify(defaultModel)} is not among the configured models`);
  }

  return {
    host: flags.host ?? (env.TOKCLASS_HOST || undefined) ?? file.host ?? "127.0.0.1",
    port: flags.port !== undefined ? parsePort(flags.port, "--port") : env.TOKCLASS_PORT ? parsePort(env.TOKCLASS_PORT, "TOKCLASS_PORT") : (file.port ?? 8080),
    models: [...byId.values()],
    defaultModel,
    tokens,
    maxBodyBytes: flags.maxBody !== undefined ? parseBytes(flags.maxBody, "--max-body") : (file.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    requestTimeoutMs:
      flags.requestTimeout !== undefined ? parseMilliseconds(flags.requestTimeout, "--request-timeout") : (file.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    cacheSize: flags.cacheSize !== undefined ? parseCount(flags.cacheSize, "--cache-size") : (file.cacheSize ?? DEFAULT_CACHE_SIZE),
    preload: flags.lazy ? false : (file.preload ?? true),
    logLevel,
    cors,
  };
}
