/** Command-line parsing (node:util parseArgs) into one flat, validated command. */
import { parseArgs } from "node:util";
import type { ServeFlags } from "../server/config.js";
import { DEFAULT_MAX_TEXT_LENGTH, DEFAULT_MAX_WINDOW_TOKENS, LONGEST_JS_STRING } from "../options.js";
import type { AggregationStrategy, ClassifyOptions, Device, LoadOptions, OffsetUnit } from "../types.js";

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ClassifyCommand {
  kind: "classify";
  /** Texts given as arguments; empty when reading lines. */
  texts: string[];
  /** "-" for stdin or a file path: JSONL / plain lines. */
  input?: string;
  model?: string;
  load: LoadOptions;
  classify: ClassifyOptions;
  pretty: boolean;
  batchSize: number;
  progress: boolean;
}

export type Command = { kind: "help"; topic: "main" | "serve" } | { kind: "version" } | ClassifyCommand | { kind: "serve"; flags: ServeFlags };

const STRATEGIES: readonly AggregationStrategy[] = ["none", "simple", "first", "average", "max"];

export const HELP = `Usage: tokclass [options] "text" ...     classify texts, one JSON array of entities per line
       tokclass [options] - | --input FILE  classify lines (JSONL or plain text), one JSONL line each
       tokclass serve [serve options]       HTTP server compatible with the Inference API

Options:
  -m, --model DIR|ID       model folder, or a model id (org/name) already in the Hugging Face
                           or transformers.js cache (default: the embedded CoNLL-2003 NER model)
      --revision REV       branch, tag or commit of a cached model id (default main)
  -s, --strategy NAME      aggregation: none | simple | first | average | max (default simple)
      --ignore-labels L,L  labels to drop, comma-separated (default O; "" keeps all)
      --stride N           overlapping windows sharing N tokens; as the Hugging Face pipeline,
                           only the first window's length of a long text (see --full-text)
      --full-text          with --stride, window the whole text
      --max-window-tokens N  most tokens one text's windows may hold (default ${DEFAULT_MAX_WINDOW_TOKENS}; 0: no limit)
      --offsets UNIT       utf16 (default; JavaScript string indices) | codepoint (Python)
      --text               add each entity's text
      --device DEV         cpu (default) | cuda
      --model-file FILE    ONNX file inside the model folder (e.g. model_quantized.onnx)
      --max-text-length N  longest text, in UTF-16 code units (default ${DEFAULT_MAX_TEXT_LENGTH})
  -i, --input FILE         read inputs from FILE ("-": standard input)
      --batch-size N       lines per classify call (default 64; fewer when the input pauses)
      --pretty             aligned table for people instead of JSON
      --no-progress        no progress bar (shown on stderr only when it is a terminal)
  -h, --help               this help;  tokclass serve --help for the server
  -v, --version            print the version

Input lines: a JSON string, a JSON object with "inputs" or "text" (a string), or plain text;
a line that starts with "{" must be such an object (a broken record is an error, not text).
Blank lines give []. Output keeps the input order, one line per input line, and comes as
the input does: a line waits at most 0.2 s for the rest of its batch.

Exit codes: 0 ok, 1 runtime failure (model, inference, writing the output), 2 usage error,
            3 input error (unreadable file, invalid UTF-8: the line number is reported).
`;

export const SERVE_HELP = `Usage: tokclass serve [options]

  POST /models/<id>   {"inputs": str | [str], "parameters": {...}, "options": {...}, "stream": bool}
                      or the text itself (text/plain, or curl -d 'text' without -H)
  POST /              the default model ("default": the embedded model unless configured)
  GET  /health        models, their state and info

Options:
  -p, --port N           port (default 8080; env TOKCLASS_PORT)
      --host HOST        address to listen on (default 127.0.0.1; env TOKCLASS_HOST)
      --model ID=DIR     serve the model folder DIR as ID (repeatable; ID may contain "/")
      --model ID         serve model id ID from the Hugging Face or transformers.js cache
  -c, --config FILE      JSON config file (env TOKCLASS_CONFIG)
      --token TOKEN      require "Authorization: Bearer TOKEN" (repeatable; env TOKCLASS_TOKENS=a,b)
      --max-body BYTES   largest request body, e.g. 1048576, 512k, 4mb (default 1mb)
      --request-timeout MS
                         ms a client has to send its whole request, else 408 (default 30000; 0: none)
      --cache-size N     response cache entries (default 1024; 0 disables)
      --default-model ID model served by POST / (default "default")
      --device DEV       cpu | cuda for models that do not set it
      --lazy             load models on first request instead of at start-up
      --log-level LEVEL  fatal | error | warn | info | debug | trace | silent (default info)
      --cors ORIGIN      let web pages from ORIGIN (e.g. http://localhost:3000, or *) call the
                         server from a browser (repeatable; env TOKCLASS_CORS=a,b; default none)
  -h, --help             this help
`;

function usage(err: unknown): UsageError {
  const msg = err instanceof Error ? err.message : String(err);
  return new UsageError(msg);
}

function positiveInt(value: string, what: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`Expected an integer ${range} for ${what}, received ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`Expected one of ${allowed.join(", ")} for ${what}, received ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function parseCli(argv: string[], stdinIsTTY = true): Command {
  if (argv[0] === "serve") return parseServe(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: "string", short: "m" },
        strategy: { type: "string", short: "s" },
        "ignore-labels": { type: "string" },
        stride: { type: "string" },
        "full-text": { type: "boolean" },
        "max-window-tokens": { type: "string" },
        offsets: { type: "string" },
        text: { type: "boolean" },
        device: { type: "string" },
        "model-file": { type: "string" },
        revision: { type: "string" },
        "max-text-length": { type: "string" },
        input: { type: "string", short: "i" },
        "batch-size": { type: "string" },
        pretty: { type: "boolean" },
        "no-progress": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (err) {
    throw usage(err);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: "help", topic: "main" };
  if (v.version) return { kind: "version" };

  const classify: ClassifyOptions = {};
  if (v.strategy !== undefined) classify.aggregationStrategy = oneOf(v.strategy, STRATEGIES, "--strategy");
  if (v["ignore-labels"] !== undefined) {
    classify.ignoreLabels = v["ignore-labels"].split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  }
  if (v.stride !== undefined) classify.stride = positiveInt(v.stride, "--stride", 0);
  if (v["full-text"]) {
    if (v.stride === undefined) throw new UsageError("--full-text needs --stride: without windows only the first window's length is classified");
    classify.fullText = true;
  }
  if (v.offsets !== undefined) classify.offsets = oneOf<OffsetUnit>(v.offsets, ["utf16", "codepoint"], "--offsets");
  if (v.text) classify.includeText = true;

  const load: LoadOptions = {};
  if (v.device !== undefined) load.device = oneOf<Device>(v.device, ["cpu", "cuda"], "--device");
  if (v["model-file"] !== undefined) load.modelFile = nonEmpty(v["model-file"], "--model-file");
  if (v.revision !== undefined) load.revision = nonEmpty(v.revision, "--revision");
  if (v["max-text-length"] !== undefined) load.maxTextLength = positiveInt(v["max-text-length"], "--max-text-length", 1, LONGEST_JS_STRING);
  if (v["max-window-tokens"] !== undefined) load.maxWindowTokens = positiveInt(v["max-window-tokens"], "--max-window-tokens", 0);

  let input = v.input;
  let texts = positionals;
  if (input === undefined && texts.length === 1 && texts[0] === "-") {
    input = "-";
    texts = [];
  }
  if (input !== undefined && texts.length > 0) throw new UsageError("Give texts as arguments or --input/-, not both");
  if (input === undefined && texts.length === 0) {
    if (stdinIsTTY) throw new UsageError('No input: give a text, "-" for standard input, or --input FILE');
    input = "-";
  }
  if (texts.includes("-")) throw new UsageError('"-" (standard input) cannot be mixed with texts');

  const cmd: ClassifyCommand = {
    kind: "classify",
    texts,
    load,
    classify,
    pretty: v.pretty ?? false,
    batchSize: v["batch-size"] !== undefined ? positiveInt(v["batch-size"], "--batch-size") : 64,
    progress: !v["no-progress"],
  };
  if (input !== undefined) cmd.input = input;
  if (v.model !== undefined) cmd.model = nonEmpty(v.model, "--model");
  return cmd;
}

/** A flag's value that must not be empty (`--model ""`), refused under the flag's own name. */
function nonEmpty(value: string, flag: string): string {
  if (value.trim().length === 0) throw new UsageError(`${flag} needs a value, received an empty string`);
  return value;
}

function parseServe(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        model: { type: "string", multiple: true },
        config: { type: "string", short: "c" },
        token: { type: "string", multiple: true },
        "max-body": { type: "string" },
        "request-timeout": { type: "string" },
        "cache-size": { type: "string" },
        "default-model": { type: "string" },
        device: { type: "string" },
        lazy: { type: "boolean" },
        "log-level": { type: "string" },
        cors: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw usage(err);
  }
  const v = parsed.values;
  if (v.help) return { kind: "help", topic: "serve" };
  const flags: ServeFlags = {};
  if (v.port !== undefined) flags.port = v.port;
  if (v.host !== undefined) flags.host = v.host;
  if (v.model !== undefined) flags.model = v.model;
  if (v.config !== undefined) flags.config = v.config;
  if (v.token !== undefined) flags.token = v.token;
  if (v["max-body"] !== undefined) flags.maxBody = v["max-body"];
  if (v["request-timeout"] !== undefined) flags.requestTimeout = v["request-timeout"];
  if (v["cache-size"] !== undefined) flags.cacheSize = v["cache-size"];
  if (v["default-model"] !== undefined) flags.defaultModel = v["default-model"];
  if (v.device !== undefined) flags.device = v.device;
  if (v.lazy) flags.lazy = true;
  if (v["log-level"] !== undefined) flags.logLevel = v["log-level"];
  if (v.cors !== undefined) flags.cors = v.cors;
  return { kind: "serve", flags };
}
