/** The classify command: texts from arguments, or lines batched into classify() calls. */
import { createReadStream, fstatSync, statSync, type Stats } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { WriteStream } from "node:tty";
import type { CliClassifier } from "../server/contract.js";
import { TokClassError, textName } from "../errors.js";
import type { Entity } from "../types.js";
import type { ClassifyCommand } from "./args.js";
import { DEFAULT_MAX_TEXT_LENGTH } from "../options.js";
import { checkArgumentText, InputError, type Line, maxLineBytesFor, Output, readLines, recordText } from "./io.js";
import { formatTable } from "./pretty.js";
import { Progress } from "./progress.js";

export interface CliStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Batches of classify() calls kept in flight while reading ahead. */
const MAX_IN_FLIGHT = 2;

export async function runClassify(cmd: ClassifyCommand, clf: CliClassifier, io: CliStreams): Promise<void> {
  const out = new Output(io.stdout);
  const render = (title: string, entities: Entity[]): string => (cmd.pretty ? formatTable(title, entities) : `${JSON.stringify(entities)}\n`);

  const maxTextLength = cmd.load.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  if (cmd.input === undefined) {
    // As with lines, the arguments before a refused one are classified and written first.
    let texts = cmd.texts;
    let refusal: InputError | undefined;
    for (let i = 0; i < texts.length && refusal === undefined; i++) {
      try {
        checkArgumentText(texts[i]!, i + 1, maxTextLength);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        refusal = err;
        texts = texts.slice(0, i);
      }
    }
    const done = await classifyInOrder(clf, cmd, texts, (i) => `argument ${i + 1}`);
    for (let i = 0; i < done.results.length; i++) await out.write(render(texts[i]!, done.results[i]!));
    if (done.error) throw done.error;
    if (refusal) throw refusal;
    await out.finish();
    return;
  }

  let source: Readable;
  let totalBytes: number | undefined;
  if (cmd.input === "-") {
    // Node reads a folder given as standard input (`tokclass - < dir`) as an empty stream: say so,
    // as --input DIR does, rather than classify nothing and exit 0.
    const fd = (io.stdin as { fd?: unknown }).fd;
    if (typeof fd === "number" && isDirectory(fd)) throw new InputError("cannot read standard input: it is a directory");
    source = io.stdin;
  } else {
    // Anything readable but a folder: a file, and also a FIFO, `<(command)` (a /dev/fd path) or
    // /dev/stdin, which have no size to show progress against.
    let st: Stats;
    try {
      st = statSync(cmd.input);
    } catch (err) {
      throw new InputError(`cannot read ${cmd.input}: ${(err as Error).message}`);
    }
    if (st.isDirectory()) throw new InputError(`cannot read ${cmd.input}: it is a directory`);
    if (st.isFile()) totalBytes = st.size;
    source = createReadStream(cmd.input);
  }
  const progress = new Progress(cmd.progress ? (io.stderr as WriteStream) : undefined, totalBytes);

  // Each batch's output, then the error of a text it refused (the lines before it written).
  const queue: Array<Promise<{ output: string; error?: InputError }>> = [];
  let batch: Array<{ line: number; text: string }> = [];
  let lines = 0;
  // Set when a batch refused a text: the batches queued after it must not be written.
  let refused = false;
  const writeNext = async (): Promise<void> => {
    const { output, error } = await queue.shift()!;
    await out.write(output);
    if (error) {
      refused = true;
      throw error;
    }
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const texts = items.map((it) => it.text);
    const job = classifyInOrder(clf, cmd, texts, (i) => `line ${items[i]!.line}`).then((done) => ({
      output: done.results.map((r, i) => render(`line ${items[i]!.line}: ${texts[i]}`, r)).join(""),
      ...(done.error ? { error: done.error } : {}),
    }));
    job.catch(() => {}); // awaited in order below
    queue.push(job);
    while (queue.length > MAX_IN_FLIGHT) await writeNext();
  };
  const drain = async (): Promise<void> => {
    while (queue.length > 0) await writeNext();
  };

  const input = readLines(readable(source, cmd.input), maxLineBytesFor(maxTextLength))[Symbol.asyncIterator]();
  // The next line, asked for and not yet taken (it may come while a quiet input is flushed).
  let nextLine: Promise<IteratorResult<Line>> | undefined;
  let batchStarted = 0;
  try {
    try {
      for (;;) {
        nextLine ??= input.next();
        // Input that pauses (typed, `tail -f`, a slow producer) still gets its results: a partial
        // batch is classified once its first line has waited QUIET_FLUSH_MS, and what is queued
        // written, instead of waiting for a full batch or the end of the input.
        const waiting = batch.length > 0 ? batchStarted + QUIET_FLUSH_MS - Date.now() : queue.length > 0 ? QUIET_FLUSH_MS : undefined;
        const next = waiting === undefined ? await nextLine : await within(nextLine, waiting);
        if (next === undefined) {
          await flush();
          await drain();
          continue;
        }
        nextLine = undefined;
        if (next.done) break;
        const { line, text, bytes } = next.value;
        if (batch.length === 0) batchStarted = Date.now();
        batch.push({ line, text: recordText(text, line, maxTextLength) });
        lines = line;
        progress.update(lines, bytes);
        if (batch.length >= cmd.batchSize) await flush();
        if (out.closed) break;
      }
      await flush();
    } catch (err) {
      // Write what was classified before the bad line, then report it (a line refused by the
      // classifier was already reported that way, with batches after it queued: not written).
      if (err instanceof InputError && !refused) {
        await flush().catch(() => {});
        await drain();
      }
      throw err;
    } finally {
      nextLine?.catch(() => {}); // left unread when output closed or a batch failed
      // Closes the line reader (and with it the input stream) as leaving a for-await loop did;
      // not awaited: with a read still pending it completes only once that read does.
      input.return(undefined).catch(() => {});
      if (source !== io.stdin) source.destroy();
    }
    await drain();
    await out.finish();
  } finally {
    // Ends the bar's line, also before an error message, which would otherwise follow it.
    progress.done();
  }
}

/** How long the first line of a partial batch waits for more before the batch is classified. */
const QUIET_FLUSH_MS = 200;

/** `promise`'s value, or undefined if it has not settled within `ms` (it is left running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return Promise.race([promise, Promise.resolve(undefined)]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false; // closed or not a file descriptor fstat knows: read it and see
  }
}

/**
 * The chunks of the input, a failure to open or read it (no permission, an I/O error) turned
 * into an InputError: exit code 3, after the lines before it have been written.
 */
async function* readable(source: Readable, name: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) yield chunk as Buffer;
  } catch (err) {
    throw new InputError(`cannot read ${name === "-" ? "standard input" : name}: ${(err as Error).message}`);
  }
}

/**
 * The entities of `texts` in order, or of those before the first one the classifier refuses
 * (a text whose windows exceed --max-window-tokens: the CLI cannot check that before
 * tokenizing) with an InputError naming that text by `where` (its line or argument), as a bad
 * line is reported after the lines before it. Its message is the classifier's, less the
 * "text <index>" it begins with, an index into a batch that would mean nothing here.
 */
async function classifyInOrder(
  clf: CliClassifier,
  cmd: ClassifyCommand,
  texts: string[],
  where: (index: number) => string,
): Promise<{ results: Entity[][]; error?: InputError }> {
  try {
    return { results: await classifyTexts(clf, cmd, texts) };
  } catch (err) {
    if (!(err instanceof TokClassError) || err.textIndex === undefined || err.code !== "ERR_INVALID_TEXT") throw err;
    const bad = nonEmptyIndices(texts)[err.textIndex];
    if (bad === undefined) throw err;
    const named = err.message.startsWith(`${textName(err.textIndex)} `) ? err.message.slice(textName(err.textIndex).length + 1) : err.message;
    // The library names its load options; here they were set with flags.
    const detail = named.replaceAll("the load option maxWindowTokens", "--max-window-tokens").replaceAll("the load option maxTextLength", "--max-text-length");
    const before = await classifyTexts(clf, cmd, texts.slice(0, bad));
    return { results: before, error: new InputError(`${where(bad)}: text ${detail}`) };
  }
}

function nonEmptyIndices(texts: string[]): number[] {
  return texts.map((t, i) => (t.trim().length > 0 ? i : -1)).filter((i) => i >= 0);
}

/** One classify() call for the non-empty texts; blank texts give []. */
async function classifyTexts(clf: CliClassifier, cmd: ClassifyCommand, texts: string[]): Promise<Entity[][]> {
  const nonEmpty = nonEmptyIndices(texts);
  const results: Entity[][] = texts.map(() => []);
  if (nonEmpty.length === 0) return results;
  const got = await clf.classify(
    nonEmpty.map((i) => texts[i]!),
    cmd.classify,
  );
  nonEmpty.forEach((i, k) => (results[i] = got[k]!));
  return results;
}
