// Large calls sent to the addon in chunks (src/call-chunks.ts): where the cuts fall, and that a
// chunked call answers, fails, aborts and disposes as one call.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokClassError, TokenClassifier, type ClassifyOptions, type Entity } from "../../src/index.js";
import { CHUNK_TEXTS, CHUNK_UNITS, CHUNKS_IN_FLIGHT, planChunks } from "../../src/call-chunks.js";
import { timeBound, watchEventLoop } from "../helpers/time-bounds.js";

const MODEL = join(import.meta.dirname, "..", "fixtures", "models", "bert-tiny-bioes");
// Every token an entity: the results say where each text's tokens went.
const EVERY_TOKEN: ClassifyOptions = { aggregationStrategy: "none", ignoreLabels: [] };

/** n short texts, each different (the index in words and digits), of varied lengths. */
function manyTexts(n: number): string[] {
  const names = ["Sarah Parker", "New York City", "Paris", "Angela Merkel met Emmanuel Macron", "the United Nations"];
  return Array.from({ length: n }, (_, i) => `${names[i % names.length]} ${"visited ".repeat(i % 4)}item ${i}`);
}

/** The same texts classified in calls of at most 1,000 texts (each one chunk). */
async function inSmallCalls(clf: TokenClassifier, texts: string[], options: ClassifyOptions): Promise<Entity[][]> {
  const out: Entity[][] = [];
  for (let s = 0; s < texts.length; s += 1000) out.push(...(await clf.classify(texts.slice(s, s + 1000), options)));
  return out;
}

// Scores move by float rounding with other batch mates; everything else must be equal.
const withoutScores = (r: Entity[][]): unknown => r.map((es) => es.map(({ score: _score, ...rest }) => rest));
const scoresOf = (r: Entity[][]): number[] => r.flatMap((es) => es.map((e) => e.score));

// One classifier for both describe blocks below (tests in a file run one after another, so the
// stats() deltas they read are their own).
let clf: TokenClassifier;
beforeAll(async () => {
  clf = await TokenClassifier.load(MODEL);
});
afterAll(async () => {
  await clf.dispose();
});

describe("planChunks", () => {
  const units = (n: number): string => "x".repeat(n);

  it("keeps a call within both limits whole", () => {
    expect(planChunks([], " ")).toEqual([]);
    expect(planChunks(manyTexts(CHUNK_TEXTS), " ")).toEqual([{ start: 0, end: CHUNK_TEXTS }]);
    expect(planChunks([units(CHUNK_UNITS)], " ")).toEqual([{ start: 0, end: 1 }]);
  });

  it("cuts at CHUNK_TEXTS texts", () => {
    const n = 2 * CHUNK_TEXTS + 5;
    expect(planChunks(manyTexts(n), " ")).toEqual([
      { start: 0, end: CHUNK_TEXTS },
      { start: CHUNK_TEXTS, end: 2 * CHUNK_TEXTS },
      { start: 2 * CHUNK_TEXTS, end: n },
    ]);
  });

  it("cuts before the text that would take a chunk past CHUNK_UNITS; a longer text is a chunk alone", () => {
    const third = Math.floor(CHUNK_UNITS / 3);
    expect(planChunks([units(third), units(third), units(third), units(third)], " ")).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 4 },
    ]);
    expect(planChunks([units(10), units(CHUNK_UNITS + 1), units(10)], " ")).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
  });

  it("counts a word list as its words joined by the delimiter", () => {
    const half = CHUNK_UNITS / 2;
    // Words of half the limit and one unit less, then a text of one unit: together exactly the
    // limit without a delimiter, one unit over with a delimiter of one unit.
    const texts = [[units(half), units(half - 1)], ["a"]];
    expect(planChunks(texts, "")).toEqual([{ start: 0, end: 2 }]);
    expect(planChunks(texts, " ")).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
    ]);
  });
});

describe("a call larger than one chunk", () => {
  it("gives every text its own entities, in input order, as smaller calls do", async () => {
    const texts = manyTexts(2 * CHUNK_TEXTS + 300);
    const before = clf.stats();
    const whole = await clf.classify(texts, EVERY_TOKEN);
    const after = clf.stats();
    expect(after.requests - before.requests).toBe(3); // sent as three chunks
    expect(after.texts - before.texts).toBe(texts.length);
    expect(whole).toHaveLength(texts.length);
    const expected = await inSmallCalls(clf, texts, EVERY_TOKEN);
    expect(withoutScores(whole)).toEqual(withoutScores(expected));
    const [a, b] = [scoresOf(whole), scoresOf(expected)];
    expect(a).toHaveLength(b.length);
    a.forEach((score, i) => expect(Math.abs(score - b[i]!)).toBeLessThan(1e-5));
  });

  it("adds each entity's source text with includeText, from its own text", async () => {
    const texts = manyTexts(CHUNK_TEXTS + 10);
    const results = await clf.classify(texts, { ...EVERY_TOKEN, aggregationStrategy: "first", includeText: true });
    let checked = 0;
    results.forEach((entities, i) =>
      entities.forEach((e) => {
        expect(e.text).toBe(texts[i]!.slice(e.start, e.end));
        checked++;
      }),
    );
    expect(checked).toBeGreaterThan(texts.length);
  });

  it("word lists too", async () => {
    const words = manyTexts(CHUNK_TEXTS + 10).map((t) => t.split(" "));
    const options = { ...EVERY_TOKEN, isSplitIntoWords: true as const };
    const whole = await clf.classify(words, options);
    const expected: Entity[][] = [];
    for (let s = 0; s < words.length; s += 1000) expected.push(...(await clf.classify(words.slice(s, s + 1000), options)));
    expect(withoutScores(whole)).toEqual(withoutScores(expected));
  });

  it("a text that fails in a later chunk rejects the call naming its index in the whole call", async () => {
    // Only tokenizing finds a text's windows over maxWindowTokens, so the error comes from the
    // chunk that holds it, where it is text 100; the caller must read its own index.
    const limited = await TokenClassifier.load(MODEL, { maxWindowTokens: 600 });
    try {
      const texts = manyTexts(CHUNK_TEXTS + 200);
      const bad = CHUNK_TEXTS + 100;
      texts[bad] = "Sarah Parker visited New York City and Paris. ".repeat(100);
      const error = await limited.classify(texts, { stride: 100, fullText: true }).then(
        () => {
          throw new Error("resolved");
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TokClassError);
      expect((error as TokClassError).code).toBe("ERR_INVALID_TEXT");
      expect((error as TokClassError).textIndex).toBe(bad);
      expect((error as TokClassError).message).toMatch(new RegExp(`^text ${bad} needs \\d+ windows`));
      // The classifier goes on, with the chunks cancelled by the failure out of the way.
      expect(await limited.classify(texts.slice(0, 3))).toEqual(await clf.classify(texts.slice(0, 3)));
    } finally {
      await limited.dispose();
    }
  });

  it("an abort rejects with the signal's reason at once; chunks not yet sent are never sent", async () => {
    const texts = manyTexts(CHUNK_TEXTS * (CHUNKS_IN_FLIGHT + 3));
    const all = clf.stats();
    await inSmallCalls(clf, texts.slice(0, CHUNK_TEXTS * CHUNKS_IN_FLIGHT), EVERY_TOKEN);
    const inFlightTokens = clf.stats().tokens - all.tokens; // the tokens of the chunks sent at once
    const controller = new AbortController();
    const before = clf.stats();
    const started = performance.now();
    const call = clf.classify(texts, { ...EVERY_TOKEN, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 1); // soon: the first chunk must not be back yet
    await expect(call).rejects.toThrow("stop");
    expect(performance.now() - started).toBeLessThan(timeBound(2000, 6000));
    // The chunks in flight were cancelled: what had not run when the abort came never ran.
    await new Promise((r) => setTimeout(r, timeBound(300, 1500)));
    const ran = clf.stats().tokens - before.tokens;
    expect(ran, `${ran} tokens run, ${inFlightTokens} in the chunks sent`).toBeLessThan(inFlightTokens / 2);
    const sample = texts.slice(0, 5);
    expect(withoutScores(await clf.classify(sample, EVERY_TOKEN))).toEqual(withoutScores(await inSmallCalls(clf, sample, EVERY_TOKEN)));
    // The chunks sent before the abort, and the two calls above; not the six chunks.
    expect(clf.stats().requests - before.requests).toBeLessThanOrEqual(CHUNKS_IN_FLIGHT + 2);
    expect(clf.stats().texts - before.texts).toBeLessThan(texts.length);
  });

  it("does not change when user code patches Array.prototype.push and slice later", () => {
    const script = `
      const { TokenClassifier } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      const clf = await TokenClassifier.load(${JSON.stringify(MODEL)});
      const texts = Array.from({ length: ${CHUNK_TEXTS + 50} }, (_, i) => "Sarah Parker visited Paris " + i);
      const options = { aggregationStrategy: "none", ignoreLabels: [] };
      const before = await clf.classify(texts, options);
      const { push, slice } = Array.prototype;
      Array.prototype.push = () => { throw new Error("patched push"); };
      Array.prototype.slice = () => { throw new Error("patched slice"); };
      let after, error;
      try { after = await clf.classify(texts, options); } catch (e) { error = String(e); }
      Object.assign(Array.prototype, { push, slice });
      await clf.dispose();
      const words = (r) => JSON.stringify(r.map((es) => es.map((e) => [e.word, e.start, e.end])));
      console.log(JSON.stringify({ error, same: after !== undefined && words(after) === words(before), n: before.length }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({ same: true, n: CHUNK_TEXTS + 50 });
  });

  it("dispose() waits for a chunked call in flight to finish, chunks not yet sent included", async () => {
    const other = await TokenClassifier.load(MODEL);
    const texts = manyTexts(CHUNK_TEXTS * (CHUNKS_IN_FLIGHT + 1) + 7);
    const call = other.classify(texts, EVERY_TOKEN);
    const disposed = other.dispose();
    const results = await call;
    await disposed;
    expect(results).toHaveLength(texts.length);
    expect(results.every((r) => r.length > 0)).toBe(true);
    await expect(other.classify("Sarah Parker")).rejects.toMatchObject({ code: "ERR_DISPOSED" });
  });
});

describe("classifyStream", () => {
  async function collect(source: Iterable<string> | AsyncIterable<string>, options?: ClassifyOptions): Promise<Entity[][]> {
    const out: Entity[][] = [];
    for await (const entities of clf.classifyStream(source, options)) out.push(entities);
    return out;
  }

  async function* slowly(texts: string[]): AsyncGenerator<string> {
    for (const [i, t] of texts.entries()) {
      if (i % 97 === 0) await new Promise((r) => setTimeout(r, 1));
      yield t;
    }
  }

  it("yields each text's entities in input order, as classify() gives them, from an array or an async source", async () => {
    const texts = manyTexts(2 * CHUNK_TEXTS + 300);
    const expected = await inSmallCalls(clf, texts, EVERY_TOKEN);
    const before = clf.stats();
    const fromArray = await collect(texts, EVERY_TOKEN);
    expect(clf.stats().requests - before.requests).toBe(3); // read and sent in three chunks
    expect(withoutScores(fromArray)).toEqual(withoutScores(expected));
    const [a, b] = [scoresOf(fromArray), scoresOf(expected)];
    a.forEach((score, i) => expect(Math.abs(score - b[i]!)).toBeLessThan(1e-5));
    const few = texts.slice(0, 300);
    expect(withoutScores(await collect(slowly(few), EVERY_TOKEN))).toEqual(withoutScores(expected.slice(0, 300)));
    expect(await collect([])).toEqual([]);
  });

  it("reads no further than the chunks in flight ahead of what it has yielded", async () => {
    let read = 0;
    function* counted(): Generator<string> {
      for (const t of manyTexts(CHUNK_TEXTS * (CHUNKS_IN_FLIGHT + 3))) {
        read++;
        yield t;
      }
    }
    const stream = clf.classifyStream(counted(), EVERY_TOKEN);
    await stream.next();
    // The first chunk came back: at most CHUNKS_IN_FLIGHT chunks read, plus the text that
    // started the next one.
    expect(read).toBeLessThanOrEqual(CHUNK_TEXTS * CHUNKS_IN_FLIGHT + 1);
    // stats().requests counts calls as a runner takes them in, which for the chunks just sent
    // may come later on a busy machine: a call of our own, taken in after everything queued
    // before it, settles the count first.
    await clf.classify("probe");
    const [readThen, before] = [read, clf.stats().requests];
    await stream.return();
    await clf.classify("probe");
    // Leaving early reads and sends nothing more: the second probe is the one call since.
    expect(read).toBe(readThen);
    expect(clf.stats().requests).toBe(before + 1);
  });

  it("leaving the loop early cancels the chunks in flight", async () => {
    // A first chunk of one short text, cut off by the long text after it (a chunk of its own, cut
    // to one window), then a chunk of CHUNK_TEXTS short texts: three chunks in flight when the
    // first is taken and the loop is left. The source pauses after the long text, so the first
    // chunk is done before the others are sent, whatever the machine's speed: the loop is then
    // left in the same turn as the third chunk is sent. (Without the pause the first chunk could
    // come back after the short texts had run, its tokenizing shared with the long text's.)
    const first = "Sarah Parker visited Paris";
    const long = "Sarah Parker visited New York City and Paris. ".repeat(Math.ceil(CHUNK_UNITS / 46));
    const short = manyTexts(CHUNK_TEXTS + 10);
    const all = clf.stats();
    await inSmallCalls(clf, short.slice(0, CHUNK_TEXTS), EVERY_TOKEN);
    const shortTokens = clf.stats().tokens - all.tokens; // the third chunk's
    const expected = await clf.classify(first, EVERY_TOKEN);
    const before = clf.stats();
    async function* source(): AsyncGenerator<string> {
      yield first;
      yield long;
      await new Promise((r) => setTimeout(r, 200));
      yield* short;
    }
    for await (const entities of clf.classifyStream(source(), EVERY_TOKEN)) {
      expect(withoutScores([entities])).toEqual(withoutScores([expected]));
      break;
    }
    await new Promise((r) => setTimeout(r, 300)); // what was running finishes
    // The fourth chunk was never sent (a chunk is counted when a runner takes it in, which under
    // the sanitizers may come after this wait: so at most three).
    expect(clf.stats().requests - before.requests).toBeLessThanOrEqual(3);
    const ran = clf.stats().tokens - before.tokens;
    expect(ran, `${ran} tokens run, ${shortTokens} in the third chunk`).toBeLessThan(shortTokens / 2);
    expect(await clf.classify("Sarah Parker")).toBeInstanceOf(Array);
  });

  it("names a failing text by its index in the stream", async () => {
    const texts: unknown[] = manyTexts(CHUNK_TEXTS + 200);
    texts[CHUNK_TEXTS + 100] = 42;
    const error = await collect(texts as string[]).then(
      () => new Error("resolved"),
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", textIndex: CHUNK_TEXTS + 100 });
    expect((error as Error).message).toBe(`text ${CHUNK_TEXTS + 100} is not a string (received number 42)`);
    const long = manyTexts(CHUNK_TEXTS + 200);
    long[CHUNK_TEXTS + 50] = "x".repeat(20);
    const limited = await TokenClassifier.load(MODEL, { maxTextLength: 19 });
    try {
      const tooLong = await (async () => {
        for await (const _ of limited.classifyStream(long.map((t, i) => (i === CHUNK_TEXTS + 50 ? t : "Paris")))) void _;
      })().then(
        () => new Error("resolved"),
        (e: unknown) => e,
      );
      expect(tooLong).toMatchObject({ code: "ERR_INVALID_TEXT", textIndex: CHUNK_TEXTS + 50 });
      expect((tooLong as Error).message).toMatch(new RegExp(`^text ${CHUNK_TEXTS + 50} is 20 UTF-16 code units long`));
    } finally {
      await limited.dispose();
    }
  });

  it("a source that fails, or gives an item that is not a text, gets every text before it first", async () => {
    // Before, up to three chunks' texts already classified (12,288) were dropped with the error.
    const texts = manyTexts(CHUNK_TEXTS + 300);
    const expected = await inSmallCalls(clf, texts, EVERY_TOKEN);
    const failure = new Error("the source failed");
    async function until<T>(source: Iterable<T> | AsyncIterable<T>): Promise<{ got: Entity[][]; error: unknown }> {
      const got: Entity[][] = [];
      try {
        for await (const entities of clf.classifyStream(source as Iterable<string>, EVERY_TOKEN)) got.push(entities);
      } catch (error) {
        return { got, error };
      }
      return { got, error: undefined };
    }
    function* throwing(): Generator<string> {
      yield* texts.slice(0, CHUNK_TEXTS + 100);
      throw failure;
    }
    async function* rejecting(): AsyncGenerator<string> {
      yield* texts.slice(0, 3);
      await new Promise((r) => setTimeout(r, 20));
      throw failure;
    }
    const mixed: unknown[] = texts.slice(0, CHUNK_TEXTS + 150);
    mixed[CHUNK_TEXTS + 100] = 42;
    for (const [source, before, error] of [
      [throwing(), CHUNK_TEXTS + 100, failure],
      [rejecting(), 3, failure],
      [mixed, CHUNK_TEXTS + 100, expect.objectContaining({ code: "ERR_INVALID_ARGUMENT", textIndex: CHUNK_TEXTS + 100 })],
    ] as const) {
      const { got, error: thrown } = await until(source as Iterable<unknown>);
      expect(thrown).toEqual(error);
      expect(got.length).toBe(before);
      expect(withoutScores(got)).toEqual(withoutScores(expected.slice(0, before)));
    }
  });

  it("a source that pauses gets the results of what it gave, without waiting for full chunks or its end", async () => {
    // Before, nothing came out until three chunks (12,289 texts) were read or the source ended.
    const texts = manyTexts(5);
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let resumed = false;
    async function* typing(): AsyncGenerator<string> {
      yield* texts;
      await paused; // a user who has stopped typing
      resumed = true;
      yield "Angela Merkel";
    }
    const deadline = setTimeout(() => release(), 10_000); // a failing stream must not hang the test
    const got: Entity[][] = [];
    try {
      for await (const entities of clf.classifyStream(typing(), EVERY_TOKEN)) {
        got.push(entities);
        if (got.length === texts.length) {
          expect(resumed, "all five came while the source was still paused").toBe(false);
          release();
        }
      }
    } finally {
      clearTimeout(deadline);
    }
    expect(got.length).toBe(6);
    expect(withoutScores(got.slice(0, 5))).toEqual(withoutScores(await inSmallCalls(clf, texts, EVERY_TOKEN)));
  });

  it("a stream paused at a yield, or abandoned, leaves no timer running", () => {
    // The stream's timer holds the process open while it runs: one left running would keep this
    // process from ever exiting. Its one text comes out though the source never answers again.
    const script = `
      const { TokenClassifier } = await import(${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)});
      const clf = await TokenClassifier.load(${JSON.stringify(MODEL)});
      async function* stuck() { yield "Angela Merkel"; await new Promise(() => {}); }
      const stream = clf.classifyStream(stuck());
      console.log(JSON.stringify((await stream.next()).done));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(child.error, "the process did not exit within 30 s").toBeUndefined();
    expect(child.stdout.trim()).toBe("false");
    expect(child.status).toBe(0);
  });

  it("gives the event loop turns while it hands over entities already classified", async () => {
    // Three chunks whose entities are all ready: handed over through promise jobs alone they
    // would keep the event loop from running for a whole chunk (4,096 texts at the consumer's
    // 50 µs each: 205 ms); the stream gives it a turn every few milliseconds.
    const texts = manyTexts(3 * CHUNK_TEXTS);
    const loop = watchEventLoop();
    let longest: number;
    let count = 0;
    try {
      for await (const _ of clf.classifyStream(texts, EVERY_TOKEN)) {
        const until = performance.now() + 0.05;
        while (performance.now() < until); // the consumer's work on each text
        count++;
      }
    } finally {
      longest = loop.stop();
    }
    expect(count).toBe(texts.length);
    expect(longest, `the event loop waited ${longest.toFixed(1)} ms`).toBeLessThan(timeBound(80, 120));
  });

  it("reads its source as for await does, and an abort ends a read the source has not answered", async () => {
    // Closed when the loop is left early; not closed after it threw; its error passes through.
    let closed = 0;
    async function* closing(): AsyncGenerator<string> {
      try {
        for (let i = 0; ; i++) yield `Paris ${i}`;
      } finally {
        closed++;
      }
    }
    for await (const _ of clf.classifyStream(closing())) break;
    expect(closed).toBe(1);
    function* throwing(): Generator<string | Promise<string>> {
      yield Promise.resolve("Sarah Parker"); // a sync source's values are awaited
      throw new Error("source failed");
    }
    await expect(collect(throwing() as Iterable<string>)).rejects.toThrow("source failed");
    // A source that has nothing more to give (a silent socket's lines): the abort still ends it.
    let silentClosed = 0;
    const silent: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => {
        let given = false;
        return {
          next: () => (given ? new Promise<IteratorResult<string>>(() => {}) : ((given = true), Promise.resolve({ done: false, value: "Paris" }))),
          return: () => {
            silentClosed++;
            return Promise.resolve({ done: true, value: undefined });
          },
        };
      },
    };
    const controller = new AbortController();
    const stream = clf.classifyStream(silent, { signal: controller.signal });
    const step = stream.next();
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(step).rejects.toThrow("stop");
    expect(silentClosed).toBe(1);
  });

  it("streams word lists with isSplitIntoWords, each list one text", async () => {
    const words = manyTexts(CHUNK_TEXTS + 10).map((t) => t.split(" "));
    const options: ClassifyOptions = { ...EVERY_TOKEN, isSplitIntoWords: true, includeText: true };
    const expected = await clf.classify(words, options as ClassifyOptions & { isSplitIntoWords: true });
    const before = clf.stats();
    const got: Entity[][] = [];
    for await (const entities of clf.classifyStream(words, options as ClassifyOptions & { isSplitIntoWords: true })) got.push(entities);
    expect(clf.stats().requests - before.requests).toBe(2); // two chunks
    expect(withoutScores(got)).toEqual(withoutScores(expected));
    // An item that is no word list is named by its index in the stream (a string among lists too).
    const bad: unknown[] = words.slice(0, CHUNK_TEXTS + 5);
    bad[CHUNK_TEXTS + 2] = "Sarah Parker";
    const error = await (async () => {
      for await (const _ of clf.classifyStream(bad as string[][], { isSplitIntoWords: true })) void _;
    })().then(
      () => new Error("resolved"),
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "ERR_INVALID_ARGUMENT", textIndex: CHUNK_TEXTS + 2 });
    expect((error as Error).message).toBe(`text ${CHUNK_TEXTS + 2} is not an array of strings (a word list) (received the string "Sarah Parker")`);
  });

  it("refuses what it cannot stream, and stops with the signal's reason", async () => {
    await expect(collect("Sarah Parker" as unknown as string[])).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(collect(42 as unknown as string[])).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    const controller = new AbortController();
    const stopped = collect(manyTexts(CHUNK_TEXTS * 4), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 10);
    await expect(stopped).rejects.toThrow("stop");
    await expect(collect(["Paris"], { signal: AbortSignal.abort(new Error("early")) })).rejects.toThrow("early");
    // Aborted while the loop holds the first of texts already classified: the next one rejects.
    const late = new AbortController();
    const stream = clf.classifyStream(["Paris", "Sarah Parker", "New York"], { signal: late.signal });
    expect((await stream.next()).done).toBe(false);
    late.abort(new Error("late"));
    await expect(stream.next()).rejects.toThrow("late");
  });
});
