/** Line input (JSONL or plain text, strict UTF-8) and back-pressured output for the CLI. */
import type { Readable, Writable } from "node:stream";
import { DEFAULT_MAX_TEXT_LENGTH, loneSurrogateAt } from "../options.js";

/** Bad input data: the CLI exits with code 3. `line` is 1-based. */
export class InputError extends Error {
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "InputError";
    this.line = line;
  }
}

export interface Line {
  /** 1-based line number. */
  line: number;
  text: string;
  /** Bytes consumed up to and including this line (for progress). */
  bytes: number;
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines and decodes each as strict UTF-8: invalid bytes throw an
 * InputError naming the line (earlier lines have been yielded). Strips "\r" before "\n" and a
 * UTF-8 byte order mark on line 1. A final line without "\n" counts; an empty one does not.
 * A line longer than `maxLineBytes` throws an InputError as soon as that many bytes of it have
 * arrived, instead of being buffered whole.
 */
export async function* readLines(stream: Readable | AsyncIterable<Uint8Array>, maxLineBytes = Infinity): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 0;
  let bytes = 0;
  const tooLong = (): InputError => new InputError(`longer than ${maxLineBytes} bytes, the most a line may take (see --max-text-length)`, lineNo + 1);
  const decode = (parts: Buffer[]): string => {
    lineNo++;
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    try {
      // ignoreBOM false: the decoder drops a leading BOM; only line 1 may carry one.
      const text = decoder.decode(buf);
      if (lineNo > 1 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return `\uFEFF${text}`;
      return text;
    } catch {
      throw new InputError("invalid UTF-8", lineNo);
    }
  };
  for await (const chunk of stream) {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    let start = 0;
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      if (pendingBytes + nl - start > maxLineBytes) throw tooLong();
      pending.push(data.subarray(start, nl));
      bytes += nl + 1 - start;
      const text = decode(pending);
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      yield { line: lineNo, text, bytes };
    }
    if (start < data.length) {
      pendingBytes += data.length - start;
      if (pendingBytes > maxLineBytes) throw tooLong();
      pending.push(data.subarray(start));
      bytes += data.length - start;
    }
  }
  if (pending.some((p) => p.length > 0)) yield { line: lineNo + 1, text: decode(pending), bytes };
}

/**
 * The most bytes the CLI reads into one line: room for a text of `maxTextLength` UTF-16 code
 * units written as a JSON string (at most 6 bytes per unit, "\u0001"), and never less than
 * 64 MiB, so that a JSONL record with other fields beside a short text still fits. A longer
 * line is refused as it arrives rather than buffered whole.
 */
export function maxLineBytesFor(maxTextLength: number): number {
  return Math.max(maxTextLength * 6, 64 * 1024 * 1024) + 1024;
}

/**
 * The text of one input line: a JSON string, a JSON object with a string "inputs" or "text",
 * or else the line itself. Lines that are other JSON values (numbers, arrays, ...) are plain text.
 * A text the classifier would refuse (a lone surrogate, which only a JSON "\ud800" escape can
 * make, or more than `maxTextLength` code units) is an InputError naming its line: refused
 * inside a batch, it would be named by its index in that batch.
 */
export function recordText(raw: string, line: number, maxTextLength = DEFAULT_MAX_TEXT_LENGTH): string {
  const text = parseRecord(raw, line);
  const problem = refusal(text, maxTextLength);
  if (problem !== undefined) throw new InputError(problem, line);
  return text;
}

/** The same checks for a text given as a command-line argument (1-based `position`). */
export function checkArgumentText(text: string, position: number, maxTextLength = DEFAULT_MAX_TEXT_LENGTH): void {
  const problem = refusal(text, maxTextLength);
  if (problem !== undefined) throw new InputError(`argument ${position}: ${problem}`);
}

function refusal(text: string, maxTextLength: number): string | undefined {
  if (text.length > maxTextLength) {
    return `text is ${text.length} UTF-16 code units long, more than the limit of ${maxTextLength} (--max-text-length)`;
  }
  const at = loneSurrogateAt(text);
  return at >= 0 ? `text contains a lone surrogate at UTF-16 index ${at}` : undefined;
}

function parseRecord(raw: string, line: number): string {
  const trimmed = raw.trim();
  const first = trimmed[0];
  if (first !== "{" && first !== '"') return raw;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    if (first === "{") throw new InputError("invalid JSON object", line);
    return raw; // a plain sentence that happens to start with a quote
  }
  if (typeof value === "string") return value;
  const obj = value as Record<string, unknown>;
  const text = "inputs" in obj ? obj.inputs : obj.text;
  if (typeof text !== "string") throw new InputError('expected a JSON object with a string "inputs" or "text"', line);
  return text;
}

/** The output could not be written (disk full, an I/O error): the CLI exits with code 1. */
export class OutputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OutputError";
  }
}

/**
 * Writes with back-pressure; EPIPE (reader went away, e.g. `| head`) ends output quietly. Any
 * other write error (ENOSPC on a full disk) makes the next write, or finish(), throw an
 * OutputError, which the CLI reports like its other errors. It was rethrown from the stream's
 * error listener, where nothing could catch it: an uncaught exception and a stack trace.
 */
export class Output {
  readonly #stream: Writable;
  #closed = false;
  #failure: OutputError | undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on("error", (err: NodeJS.ErrnoException) => {
      this.#closed = true;
      if (err.code !== "EPIPE") this.#failure ??= new OutputError(`cannot write the output: ${err.message}`, { cause: err });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async write(text: string): Promise<void> {
    this.#throwIfFailed();
    if (this.#closed) return;
    if (!this.#stream.write(text)) await this.#settled("drain");
    this.#throwIfFailed();
  }

  /**
   * Resolves once everything written so far has been handed on, and throws if any of it failed:
   * a write to a file fails after write() has returned, so the last one is only known here.
   */
  async finish(): Promise<void> {
    this.#throwIfFailed();
    if (this.#closed) return;
    // The callback of an empty write runs after the writes before it, with their error if any.
    await new Promise<void>((resolve) => this.#stream.write("", () => resolve()));
    // The error event itself may come a tick after that callback.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Resolves on `event`, or when the stream closes (as it does after an error). */
  #settled(event: string): Promise<void> {
    const stream = this.#stream;
    if (stream.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        stream.off(event, done);
        stream.off("close", done);
        resolve();
      };
      stream.on(event, done);
      stream.on("close", done);
    });
  }
}
