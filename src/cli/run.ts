/** The classify command: texts from arguments, or lines batched into classify() calls. */
import { createReadStream, statSync, type Stats } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { WriteStream } from "node:tty";
import type { CliClassifier } from "../server/contract.js";
import { TokClassError, textName } from "../errors.js";
import type { Entity } from "../types.js";
import type { ClassifyCommand } from "./args.js";
import { DEFAULT_MAX_TEXT_LENGTH } from "../options.js";
import { checkArgumentText, InputError, maxLineBytesFor, Output, readLines, recordText } from "./io.js";
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
    cmd.texts.forEach((text, i) => checkArgumentText(text, i + 1, maxTextLength));
    const done = await classifyInOrder(clf, cmd, cmd.texts, (i) => `argument ${i + 1}`);
    for (let i = 0; i < done.results.length; i++) await out.write(render(cmd.texts[i]!, done.results[i]!));
    if (done.error) throw done.error;
    await out.finish();
    return;
  }

  let source: Readable;
  let totalBytes: number | undefined;
  if (cmd.input === "-") {
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

  try {
    for await (const { line, text, bytes } of readLines(readable(source, cmd.input), maxLineBytesFor(maxTextLength))) {
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
    if (source !== io.stdin) source.destroy();
  }
  await drain();
  await out.finish();
  progress.done();
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
    const detail = err.message.startsWith(`${textName(err.textIndex)} `) ? err.message.slice(textName(err.textIndex).length + 1) : err.message;
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
