// The public API's own features beyond the goldens: offsets units, includeText, fullText,
// model-card defaults, info(), concurrent callers sharing batches.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, TokenClassifier, type Entity } from "../../src/index.js";
import { parseFrontMatter } from "../../src/model-card.js";

let clf: TokenClassifier;
beforeAll(async () => {
  clf = await TokenClassifier.load();
});
afterAll(async () => {
  await clf.dispose();
});

// Entities without scores, and the scores apart, for comparing results whose batch mates
// differ: padding moves scores by float rounding only.
const strip = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v) => (k === "score" ? undefined : v)));
const scores = (r: unknown): number[] => JSON.stringify(r).match(/"score":[^,}]+/g)?.map((s) => Number(s.slice(8))) ?? [];

// The built library, for the tests that run it in a child process of their own.
const DIST_INDEX = new URL("../../dist/index.js", import.meta.url).href;

const EMOJI_TEXT = "🚀🚀 Angela Merkel met Emmanuel Macron in Paris 🗼 on Tuesday.";

describe("offsets", () => {
  it("utf16 offsets slice the JS string; codepoint offsets slice its code points", async () => {
    const utf16 = await clf.classify(EMOJI_TEXT, { aggregationStrategy: "first" });
    const cps = await clf.classify(EMOJI_TEXT, { aggregationStrategy: "first", offsets: "codepoint" });
    expect(utf16.length).toBeGreaterThan(1);
    expect(utf16.map((e) => e.word)).toEqual(cps.map((e) => e.word));
    const chars = Array.from(EMOJI_TEXT);
    utf16.forEach((e, i) => {
      // The same entity in both units: UTF-16 index = length of the code points before it.
      expect(e.start).toBe(chars.slice(0, cps[i]!.start).join("").length);
      expect(e.end).toBe(chars.slice(0, cps[i]!.end).join("").length);
      expect(EMOJI_TEXT.slice(e.start, e.end)).toBe(chars.slice(cps[i]!.start, cps[i]!.end).join(""));
    });
    // Past the two astral emoji, the units differ by exactly 2.
    const person = utf16.find((e) => e.word === "Emmanuel Macron");
    expect(person).toBeDefined();
    expect(EMOJI_TEXT.slice(person!.start, person!.end)).toBe("Emmanuel Macron");
    expect(person!.start - cps[utf16.indexOf(person!)]!.start).toBe(2);
  });

  it("includeText adds the exact source slice", async () => {
    const ents = await clf.classify("ANGELA MERKEL visited paris", { includeText: true, aggregationStrategy: "none", ignoreLabels: [] });
    for (const e of ents) expect(e.text).toBe("ANGELA MERKEL visited paris".slice(e.start, e.end));
  });
});

describe("result objects", () => {
  // In a child process: while the prototypes are patched, nothing but tokclass may run, and in
  // vitest's worker its own RPC and timers push to arrays during the await (a CI run caught
  // the patched push thrown from there as an unhandled error).
  it("do not change when user code patches String.prototype.slice or Array.prototype.push later", async () => {
    const script = `
      const { TokenClassifier } = await import(${JSON.stringify(DIST_INDEX)});
      const clf = await TokenClassifier.load();
      const text = ${JSON.stringify(["Angela Merkel met Emmanuel Macron in Paris.", EMOJI_TEXT])};
      const options = { aggregationStrategy: "none", ignoreLabels: [] };
      const before = await clf.classify(text, options);
      const slice = String.prototype.slice, push = Array.prototype.push;
      let after, error;
      String.prototype.slice = () => "patched";
      Array.prototype.push = () => { throw new Error("patched push"); };
      try { after = await clf.classify(text, options); } catch (e) { error = String(e); }
      String.prototype.slice = slice;
      Array.prototype.push = push;
      await clf.dispose();
      console.log(JSON.stringify({ before, after, error }));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const { before, after, error } = JSON.parse(child.stdout) as { before: Entity[][]; after: Entity[][]; error?: string };
    expect(error).toBeUndefined();
    expect(after).toEqual(before);
    expect(before[0]!.length).toBeGreaterThan(5);
  });
});

describe("parameters", () => {
  // The classifier converts each distinct option set once and reuses the conversion (#nativeParams
  // and the handle's cache of the last 8 conversions); these calls must still each get their own
  // options.
  const text = "Angela Merkel met Emmanuel Macron in Paris.";

  it("option sets alternating within one burst of concurrent calls each apply to their own call", async () => {
    const sets: Array<Record<string, unknown>> = [
      { aggregationStrategy: "none" },
      { aggregationStrategy: "simple" },
      { aggregationStrategy: "simple", ignoreLabels: ["O", "PER"] },
      { aggregationStrategy: "first", ignoreLabels: ["O", "LOC"], offsets: "codepoint" },
      { aggregationStrategy: "none", ignoreLabels: [] },
    ];
    const alone: unknown[] = [];
    for (const o of sets) alone.push(strip(await clf.classify(text, o)));
    // Distinct answers, so that a call given another call's options would show.
    expect(new Set(alone.map((r) => JSON.stringify(r))).size).toBe(sets.length);
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => clf.classify(text, sets[i % sets.length])));
    burst.forEach((r, i) => expect(strip(r)).toEqual(alone[i % sets.length]));
  });

  it("more option sets than the handle keeps conversions of (16 ignore-label subsets, interleaved) still each apply", async () => {
    const labels = ["O", "B-PER", "I-PER", "B-LOC"];
    const sets = Array.from({ length: 16 }, (_, bits) => ({ aggregationStrategy: "none" as const, ignoreLabels: labels.filter((_, k) => bits & (1 << k)) }));
    const alone: unknown[] = [];
    for (const o of sets) alone.push(strip(await clf.classify(text, o)));
    expect(new Set(alone.map((r) => JSON.stringify(r))).size).toBe(sets.length);
    for (let round = 0; round < 3; round++) {
      const order = sets.map((_, i) => (i * 7 + round * 5) % sets.length);
      const burst = await Promise.all(order.map((i) => clf.classify(text, sets[i])));
      burst.forEach((r, k) => expect(strip(r)).toEqual(alone[order[k]!]));
    }
  });

  it("an options object changed between calls (in place, its ignoreLabels array too) applies as changed", async () => {
    const options = { aggregationStrategy: "none" as string, ignoreLabels: ["O"] };
    const none = await clf.classify(text, options as never);
    expect(none[0]).toHaveProperty("entity");
    options.aggregationStrategy = "simple";
    const simple = await clf.classify(text, options as never);
    expect(simple[0]).toHaveProperty("entity_group");
    const group = (e: Entity) => (e as { entity_group?: string }).entity_group;
    expect(simple.some((e) => group(e) === "PER")).toBe(true);
    options.ignoreLabels.push("PER");  // the pipeline compares the grouped label
    const withoutPersons = await clf.classify(text, options as never);
    expect(withoutPersons.some((e) => group(e) === "PER")).toBe(false);
    expect(withoutPersons.length).toBeGreaterThan(0);
  });
});

describe("long texts", () => {
  const text = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(60);
  it("stride reproduces the pipeline (first window only); fullText windows the whole text", async () => {
    const pipeline = (await clf.classify(text, { stride: 32 })) as Entity[];
    const full = (await clf.classify(text, { stride: 32, fullText: true })) as Entity[];
    expect(pipeline.at(-1)!.end).toBeLessThan(text.length / 2);
    expect(full.at(-1)!.end).toBeGreaterThan(text.length - 10);
    // Where both cover the text, they agree.
    expect(full.slice(0, 10)).toEqual(pipeline.slice(0, 10));
  });
});

describe("concurrency", () => {
  it("64 concurrent single-text calls give the same results as one batched call", async () => {
    const texts = Array.from({ length: 64 }, (_, i) => `Person ${i}: Angela Merkel met Emmanuel Macron in Paris ${i} times.`);
    const batched = await clf.classify(texts);
    const single = await Promise.all(texts.map((t) => clf.classify(t)));
    expect(single).toEqual(batched);
  });

  it("calls sharing a round (large, single, strided, failing) each get what they get alone", async () => {
    const many = Array.from({ length: 300 }, (_, i) => `Report ${i}: Apple Inc. hired Tim Cook in ${1980 + (i % 40)}.`);
    const long = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(40);
    const alone = {
      many: await clf.classify(many),
      single: await clf.classify("Angela Merkel met Emmanuel Macron."),
      strided: await clf.classify(long, { stride: 16, fullText: true, aggregationStrategy: "first" }),
    };
    // Submitted in one tick, so they are queued together and share the scheduler's next round.
    const together = await Promise.allSettled([
      clf.classify(many),
      clf.classify("Angela Merkel met Emmanuel Macron."),
      clf.classify(long, { stride: 16, fullText: true, aggregationStrategy: "first" }),
      clf.classify(["fine", "bad \ud800 surrogate"]),
      clf.classify(many.slice(0, 5)),
    ]);
    expect(together.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const value = (i: number) => (together[i] as PromiseFulfilledResult<unknown>).value;
    expect(value(0)).toEqual(alone.many);
    expect(value(1)).toEqual(alone.single);
    expect(value(2)).toEqual(alone.strided);
    expect((alone.strided as Entity[]).length).toBeGreaterThan(100);  // many windows, several batches
    expect((together[3] as PromiseRejectedResult).reason.code).toBe("ERR_INVALID_TEXT");
    expect(value(4)).toEqual(alone.many.slice(0, 5));
  });

  it("a call finished early in a round resolves while the round's other calls still run", async () => {
    // batchWaitMs holds the queued calls until the large call arrives, so both are taken in
    // together (one intake, counted as one round); the wait ends there, as a round's worth of
    // text is then queued (else the long text's result could not come before the 1,000 ms wait
    // is over). The 2,000 short texts make ~125 batches; the long text's batch is taken once it
    // is the cheapest or has been passed over by 16 batches, so its caller hears back long
    // before the large call ends. (parallelRuns: 2 streams on any machine.)
    const held = await TokenClassifier.load(undefined, { batchWaitMs: 1000, parallelRuns: 2 });
    try {
      const short = Array.from({ length: 2000 }, (_, i) => `Tim Cook ${i}.`);
      const t0 = performance.now();
      let longAt = 0;
      let largeAt = 0;
      await Promise.all([
        held.classify("Angela Merkel visited Paris and Berlin. ".repeat(12)).then(() => (longAt = performance.now() - t0)),
        held.classify(short).then(() => (largeAt = performance.now() - t0)),
      ]);
      expect(held.stats().rounds).toBe(1);
      expect(longAt).toBeLessThan(1000);
      expect(longAt).toBeLessThan(largeAt / 2);
    } finally {
      await held.dispose();
    }
  });

  it("streaming (parallel runs) and rounds (one run at a time) give the same results under mixed concurrent load", async () => {
    const stream = await TokenClassifier.load(undefined, { parallelRuns: 2 });
    const rounds = await TokenClassifier.load(undefined, { parallelRuns: 1, intraOpThreads: 1 });
    const long = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(30);
    const calls = (c: TokenClassifier) =>
      Promise.allSettled(
        Array.from({ length: 240 }, (_, i) => {
          if (i % 40 === 7) return c.classify(long, { stride: 24, fullText: true, aggregationStrategy: "max" });
          if (i % 40 === 13) return c.classify(["ok Angela Merkel", "bad \ud800"]);
          if (i % 40 === 21) return c.classify([["Tim", "Cook", "works", "at", "Apple"], ["in", "Cupertino"]], { isSplitIntoWords: true });
          if (i % 40 === 33) return c.classify(Array.from({ length: 50 }, (_, k) => `Report ${k}: Apple Inc. hired Tim Cook in ${1980 + k}.`));
          return c.classify(`${"Sundar Pichai of Google met ".repeat(1 + (i % 7))}Satya Nadella ${i} in Seattle.`, { aggregationStrategy: i % 2 ? "simple" : "none" });
        }),
      );
    try {
      const a = await calls(stream);
      const b = await calls(rounds);
      expect(a.map((r) => r.status)).toEqual(b.map((r) => r.status));
      expect(a.filter((r) => r.status === "rejected").length).toBe(6);
      const values = (s: PromiseSettledResult<unknown>[]) => s.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as { code: string }).code));
      expect(strip(values(a))).toEqual(strip(values(b)));
      const sa = scores(values(a));
      const sb = scores(values(b));
      expect(sa.length).toBeGreaterThan(1000);
      expect(sa.length).toBe(sb.length);
      sa.forEach((s, k) => expect(Math.abs(s - sb[k]!)).toBeLessThan(1e-5));
      // Concurrent calls were taken in together, not one by one.
      expect(stream.stats().rounds).toBeLessThan(stream.stats().requests);
    } finally {
      await stream.dispose();
      await rounds.dispose();
    }
  });

  it("seeded random load (with batchWaitMs, and dispose() while calls are in flight) settles every call as rounds do", async () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const sentence = (i: number) => `${["Angela Merkel", "Tim Cook", "Apple Inc.", "the UN"][i % 4]} met ${"people ".repeat(i % 9)}in ${["Paris", "Berlin", "Tokyo"][i % 3]} ${i}.`;
    const makeCall = (): [string | string[] | string[][], Record<string, unknown>] => {
      const x = rnd();
      const i = Math.floor(rnd() * 1000);
      if (x < 0.6) return [sentence(i), { aggregationStrategy: ["simple", "first", "max", "average", "none"][i % 5] }];
      if (x < 0.75) return [Array.from({ length: 1 + (i % 60) }, (_, k) => sentence(i + k)), {}];
      if (x < 0.8) return [sentence(i).repeat(30), { stride: 16, fullText: true, aggregationStrategy: "first" }];
      if (x < 0.85) return [["ok", "bad \ud800"], {}];
      if (x < 0.9) return ["", {}];
      return [[sentence(i).split(" ")], { isSplitIntoWords: true }];
    };
    const settle = (p: Promise<unknown>) => p.then((v) => ({ ok: strip(v) }), (e: { code: string }) => ({ err: e.code }));
    const rounds = await TokenClassifier.load(undefined, { parallelRuns: 1, intraOpThreads: 1 });
    try {
      for (const [it, options] of [[0, { parallelRuns: 2 }], [1, { parallelRuns: 2, batchWaitMs: 2 }], [2, { parallelRuns: 2 }]] as const) {
        const stream = await TokenClassifier.load(undefined, options);
        const calls = Array.from({ length: 200 }, makeCall);
        const pending = calls.map(([input, o]) => settle(stream.classify(input as string, o)));
        if (it === 2) setTimeout(() => void stream.dispose(), 5);  // calls already made still finish
        const got = await Promise.all(pending);
        for (let i = 0; i < calls.length; i++) {
          expect(got[i]).toEqual(await settle(rounds.classify(calls[i]![0] as string, calls[i]![1])));
        }
        expect(got.filter((g) => "err" in g).every((g) => (g as { err: string }).err === "ERR_INVALID_TEXT")).toBe(true);
        await stream.dispose();
      }
    } finally {
      await rounds.dispose();
    }
  });

  it("a call made while a large call runs is served within a few batches, not after it", async () => {
    const c = await TokenClassifier.load(undefined, { parallelRuns: 2 });
    try {
      // ~250 batches of 16; the small call arrives some 20 batches in.
      const large = Array.from({ length: 4000 }, (_, i) => `Tim Cook ${i} met Angela Merkel in Paris on day ${i % 31}.`);
      const t0 = performance.now();
      let largeAt = 0;
      const big = c.classify(large).then(() => (largeAt = performance.now() - t0));
      while (c.stats().runs < 20) await new Promise((r) => setImmediate(r));
      const sentAt = performance.now() - t0;
      const small = await c.classify("Angela Merkel visited Paris.");
      const smallAt = performance.now() - t0;
      await big;
      expect(small.map((e) => e.word)).toEqual(["Angela Merkel", "Paris"]);
      expect(c.stats().runs).toBeGreaterThan(200);
      // Served as a starved request after at most 16 more batches (of ~230 left), not at the end.
      expect(smallAt - sentAt).toBeLessThan((largeAt - sentAt) / 3);
    } finally {
      await c.dispose();
    }
  });

  it("a call made while a long strided text runs full batches waits about one batch per runner, not 16 batches", async () => {
    const c = await TokenClassifier.load(undefined, { parallelRuns: 2, tokenBudget: 2048 });
    try {
      // Windows of 512 tokens every 110 (stride 400): ~30 batches of 4 windows, each a full
      // token budget, so the short call's own batch is never the cheapest and it is served as
      // a starved request: once a budget's worth of tokens has run past it.
      const long = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(950);
      const r0 = c.stats().runs;
      const big = c.classify(long, { stride: 400, fullText: true });
      while (c.stats().runs < r0 + 3) await new Promise((r) => setTimeout(r, 1));
      const sentAt = c.stats().runs;
      const small = await c.classify("Angela Merkel visited Paris.");
      const waited = c.stats().runs - sentAt;
      await big;
      expect(small.map((e) => e.word)).toEqual(["Angela Merkel", "Paris"]);
      expect(c.stats().runs - r0).toBeGreaterThan(25);
      // The two runs under way when it came, one budget's worth, then its own (16 before).
      expect(waited).toBeLessThanOrEqual(4);
    } finally {
      await c.dispose();
    }
  });

  it("with one run at a time, a small call made during a long round is served between two of its runs, not after the round", async () => {
    // Rounds (parallelRuns 1): the long strided text is one round of ~38 batches of 2 windows.
    const c = await TokenClassifier.load(undefined, { parallelRuns: 1, intraOpThreads: 1, tokenBudget: 1024 });
    try {
      const alone = await c.classify("Angela Merkel visited Paris.");
      const long = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(600);
      const r0 = c.stats().runs;
      const rounds0 = c.stats().rounds;
      const big = c.classify(long, { stride: 400, fullText: true });
      while (c.stats().runs < r0 + 3) await new Promise((r) => setTimeout(r, 1));
      const sentAt = c.stats().runs;
      const small = await c.classify("Angela Merkel visited Paris.");
      const waited = c.stats().runs - sentAt;
      const longResult = await big;
      expect(small).toEqual(alone);
      expect(longResult).toEqual(await c.classify(long, { stride: 400, fullText: true }));
      expect(c.stats().runs - r0).toBeGreaterThan(50);  // both long calls
      expect(c.stats().rounds - rounds0).toBe(3);  // the small call's round was its own
      // The run under way when it came, then its own (the rest of the round before).
      expect(waited).toBeLessThanOrEqual(3);
    } finally {
      await c.dispose();
    }
  });

  it("with one run at a time, a short call in the same round as a long one comes back after a run or two, not after the round", async () => {
    // batchWaitMs holds the short call until the long one is queued (its text ends the wait at
    // once): one round of both. Its batches run longest first, then shortest first, and texts
    // are finished between runs, so the short call's text is done after the second run.
    const c = await TokenClassifier.load(undefined, { parallelRuns: 1, intraOpThreads: 1, tokenBudget: 1024, batchWaitMs: 1000 });
    try {
      const alone = await c.classify("Angela Merkel visited Paris.");
      const long = "Angela Merkel visited Paris and met Emmanuel Macron in Berlin. ".repeat(600);
      const r0 = c.stats().runs;
      const rounds0 = c.stats().rounds;
      let longDone = false;
      const smallCall = c.classify("Angela Merkel visited Paris.");
      const big = c.classify(long, { stride: 400, fullText: true }).then((r) => ((longDone = true), r));
      const small = await smallCall;
      const runsBefore = c.stats().runs - r0;
      expect(longDone).toBe(false);
      expect(small).toEqual(alone);
      const longResult = await big;
      expect(c.stats().rounds - rounds0).toBe(1);
      expect(c.stats().runs - r0).toBeGreaterThan(30);
      expect(runsBefore).toBeLessThanOrEqual(4);
      expect(longResult).toEqual(await c.classify(long, { stride: 400, fullText: true }));
    } finally {
      await c.dispose();
    }
  });

  it("texts without a single token (a tokenizer without special tokens) come back empty beside others", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-nospecial-"));
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    const tokenizerPath = join(dir, "tokenizer.json");
    const tokenizer = JSON.parse(readFileSync(tokenizerPath, "utf8"));
    tokenizer.post_processor = null;
    writeFileSync(tokenizerPath, JSON.stringify(tokenizer));
    for (const parallelRuns of [2, 1]) {
      const c = await TokenClassifier.load(dir, { parallelRuns });
      try {
        const alone = await c.classify("Angela Merkel visited Paris.");
        expect(alone.length).toBeGreaterThan(0);
        expect(await c.classify("")).toEqual([]);
        expect(await c.classify(["", "Angela Merkel visited Paris.", " "])).toEqual([[], alone, []]);
        const together = await Promise.all([c.classify(""), c.classify("Angela Merkel visited Paris."), c.classify(["", ""])]);
        expect(together).toEqual([[], alone, [[], []]]);
      } finally {
        await c.dispose();
      }
    }
  });

  it("host threads beyond the parallel runs (the CUDA layout) give the same results as one thread", async () => {
    // 600 texts: enough for parallel_for to split tokenizing and post-processing across threads.
    const texts = Array.from({ length: 600 }, (_, i) => `${i % 7 ? "Angela Merkel" : "Apple Inc."} visited Paris and Berlin ${"again ".repeat(i % 23)}in ${1990 + (i % 30)}.`);
    const one = await TokenClassifier.load(undefined, { parallelRuns: 1, hostThreads: 1 });
    const many = await TokenClassifier.load(undefined, { parallelRuns: 1, hostThreads: 8 });
    try {
      const expected = await one.classify(texts, { aggregationStrategy: "simple" });
      expect(expected.flat().length).toBeGreaterThan(600);
      expect(await many.classify(texts, { aggregationStrategy: "simple" })).toEqual(expected);
    } finally {
      await one.dispose();
      await many.dispose();
    }
  });
});

describe("model card defaults", () => {
  it("README.md inference.parameters set the model's defaults; request parameters win", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-card-"));
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    writeFileSync(
      join(dir, "README.md"),
      "---\nlanguage: en\ninference:\n  parameters:\n    aggregation_strategy: none\n    ignore_labels:\n      - O\n      - B-PER\n---\n# card\n",
    );
    const carded = await TokenClassifier.load(dir);
    try {
      const text = "Angela Merkel visited Paris";
      const byDefault = await carded.classify(text);
      expect(byDefault.every((e) => "entity" in e && e.entity !== "B-PER")).toBe(true);
      expect(await carded.query({ inputs: text })).toEqual(byDefault.map((e) => ({ ...e })));
      const overridden = await carded.classify(text, { aggregationStrategy: "simple", ignoreLabels: ["O"] });
      expect(overridden).toEqual(await clf.classify(text));
    } finally {
      await carded.dispose();
    }
  });

  it("a card's stride is the default of every strategy but none, which takes none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tokclass-card-stride-"));
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "README.md"), "---\ninference:\n  parameters:\n    stride: 16\n---\n");
    const carded = await TokenClassifier.load(dir, { maxLength: 64 });
    const windowed = await TokenClassifier.load(undefined, { maxLength: 64 });
    try {
      const long = "Angela Merkel met Emmanuel Macron in Paris. ".repeat(12);
      // The card's stride applies (the result of stride 16, not the plain truncated one)...
      expect(await carded.classify(long)).toEqual(await windowed.classify(long, { stride: 16 }));
      expect(await windowed.classify(long, { stride: 16 })).not.toEqual(await windowed.classify(long));
      // ... but not to "none": the pipeline refuses a stride with it, and the caller passed none.
      const none = await windowed.classify(long, { aggregationStrategy: "none" });
      expect(await carded.classify(long, { aggregationStrategy: "none" })).toEqual(none);
      expect(await carded.query({ inputs: long, parameters: { aggregation_strategy: "none" } })).toEqual(none); // ASCII: offsets alike
      // A caller's own stride with none is still refused.
      await expect(carded.classify(long, { aggregationStrategy: "none", stride: 16 })).rejects.toMatchObject({ code: "ERR_STRIDE_WITH_NONE" });
      // fullText takes the card's stride; without any stride it is refused (it did nothing).
      expect(await carded.classify(long, { fullText: true })).toEqual(await windowed.classify(long, { stride: 16, fullText: true }));
      await expect(windowed.classify(long, { fullText: true })).rejects.toMatchObject({
        code: "ERR_INVALID_ARGUMENT",
        message: "options.fullText needs a stride (options.stride, 0 for windows that do not overlap)",
      });
    } finally {
      await carded.dispose();
      await windowed.dispose();
    }
  });

  it("parses the YAML subset of front matter", () => {
    expect(parseFrontMatter("---\na:\n  b: [x, 'y']\n  c: 3\n---\n")).toEqual({ a: { b: ["x", "y"], c: 3 } });
    expect(parseFrontMatter("no front matter")).toEqual({});
  });
});

describe("info", () => {
  it("reports the model, labels, window, tokenizer, provider and runtime", () => {
    const info = clf.info();
    expect(info.labels).toEqual(["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]);
    expect(info.maxLength).toBe(512);
    expect(info.tokenizer).toBe("WordPiece");
    expect(info.executionProvider).toBe("CPUExecutionProvider");
    expect(info.onnxRuntimeVersion).toMatch(/^1\.\d+\.\d+/);
    // Measured at load from tiny runs: bounded, and a whole number of tokens.
    expect(Number.isInteger(info.runCostTokens)).toBe(true);
    expect(info.runCostTokens).toBeGreaterThanOrEqual(1);
    expect(info.runCostTokens).toBeLessThanOrEqual(512);
  });
});

describe("batch planning", () => {
  it("runCostTokens trades runs for padding without changing any result", async () => {
    // Lengths from 3 to ~60 tokens, so the planner has padding to weigh against runs.
    const texts = Array.from({ length: 300 }, (_, i) => `${"Angela Merkel met Emmanuel Macron in Paris. ".repeat(1 + (i % 5))}${"word ".repeat(i % 17)}`);
    const cheap = await TokenClassifier.load(undefined, { runCostTokens: 1 });
    const dear = await TokenClassifier.load(undefined, { runCostTokens: 100_000 });
    try {
      expect(cheap.info().runCostTokens).toBe(1);
      expect(dear.info().runCostTokens).toBe(100_000);
      const a = await cheap.classify(texts);
      const b = await dear.classify(texts);
      // A costly run: as few runs as the row cap allows (300 / 16). A cheap one: a run per
      // distinct length rather than much padding.
      expect(dear.stats().runs).toBe(Math.ceil(texts.length / 16));
      expect(cheap.stats().runs).toBeGreaterThan(2 * dear.stats().runs);
      // The same tokens run either way; the dear run cost pads more to run less.
      expect(cheap.stats().tokens).toBe(dear.stats().tokens);
      expect(cheap.stats().tokens).toBeGreaterThan(300 * 10);
      expect(cheap.stats().paddedTokens).toBeGreaterThanOrEqual(cheap.stats().tokens);
      expect(dear.stats().paddedTokens).toBeGreaterThan(cheap.stats().paddedTokens);
      expect(a.flat().length).toBeGreaterThan(600);
      // Padding is masked out: the same entities, scores equal to float rounding.
      expect(strip(a)).toEqual(strip(b));
      const sa = scores(a);
      const sb = scores(b);
      expect(sa.length).toBe(a.flat().length);
      sa.forEach((s, k) => expect(Math.abs(s - sb[k]!)).toBeLessThan(1e-5));
    } finally {
      await cheap.dispose();
      await dear.dispose();
    }
  });
});

describe("batch invariance (the embedded model's dynamically quantized int8 graph)", () => {
  // Lengths from ~10 to ~60 tokens, so that batches mix lengths and pad.
  const texts = Array.from({ length: 64 }, (_, i) => `${"Angela Merkel met Emmanuel Macron in Paris. ".repeat(1 + (i % 4))}${"word ".repeat(i % 9)}`);

  it("is detected at load; such a model runs one text per run, so batch mates change nothing", async () => {
    expect(clf.info().batchInvariant).toBe(true);
    expect(clf.info().batched).toBe(true);
    const int8 = await TokenClassifier.load(undefined, { modelFile: "model_quantized.onnx" });
    try {
      expect(int8.info().batchInvariant).toBe(false);
      expect(int8.info().batched).toBe(false);
      const together = await int8.classify(texts);
      expect(int8.stats().runs).toBe(texts.length);
      const alone: Entity[][] = [];
      for (const t of texts) alone.push(await int8.classify(t));
      expect(together.flat().length).toBeGreaterThan(100);
      expect(strip(together)).toEqual(strip(alone));
      const a = scores(together);
      const b = scores(alone);
      a.forEach((s, k) => expect(Math.abs(s - b[k]!)).toBeLessThan(1e-6));
    } finally {
      await int8.dispose();
    }
  });

  it("requireBatchInvariance: false batches it anyway", async () => {
    const int8 = await TokenClassifier.load(undefined, { modelFile: "model_quantized.onnx", requireBatchInvariance: false });
    try {
      expect(int8.info().batchInvariant).toBe(false);
      expect(int8.info().batched).toBe(true);
      const together = await int8.classify(texts);
      expect(int8.stats().runs).toBeLessThan(texts.length / 2);
      expect(together.length).toBe(texts.length);
      expect(together.flat().length).toBeGreaterThan(100);
    } finally {
      await int8.dispose();
    }
    // A model that is batch-invariant is batched either way.
    const fp32 = await TokenClassifier.load(undefined, { requireBatchInvariance: true });
    try {
      expect(fp32.info().batched).toBe(true);
    } finally {
      await fp32.dispose();
    }
    await expect(TokenClassifier.load(undefined, { requireBatchInvariance: "no" as unknown as boolean })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
  });
});

/** The runs counter once it has stood still for 5 looks 20 ms apart (the classifier idle). */
async function runsSettled(classifier: TokenClassifier): Promise<number> {
  let runs = classifier.stats().runs;
  for (let still = 0; still < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = classifier.stats().runs;
    still = now === runs ? still + 1 : 0;
    runs = now;
  }
  return runs;
}

describe("abort (options.signal)", () => {
  const many = Array.from({ length: 4000 }, (_, i) => `Angela Merkel met Emmanuel Macron in Paris on day ${i}.`);

  it("an aborted call rejects with the signal's reason, and its texts not yet run are dropped", async () => {
    const own = await TokenClassifier.load();
    try {
      const full = await own.classify(many);
      const fullRuns = own.stats().runs;
      expect(full.length).toBe(many.length);
      const controller = new AbortController();
      const call = own.classify(many, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await expect(call).rejects.toMatchObject({ name: "AbortError" });
      // The call's windows were dropped, so runs stop soon, far short of a whole call's.
      const runs = await runsSettled(own);
      expect(runs - fullRuns).toBeLessThan(fullRuns / 2);
      // And the classifier goes on as before.
      expect(await own.classify("Angela Merkel")).toEqual(await clf.classify("Angela Merkel"));
      // A reason of the caller's own is what the call rejects with.
      const reason = new Error("mine");
      const second = new AbortController();
      const call2 = own.classify(many, { signal: second.signal });
      second.abort(reason);
      await expect(call2).rejects.toBe(reason);
    } finally {
      await own.dispose();
    }
  });

  it("one run at a time (rounds): a call aborted before its round is never tokenized, one aborted in its round stops", async () => {
    const own = await TokenClassifier.load(undefined, { intraOpThreads: 2, parallelRuns: 1 });
    const half = many.slice(0, 2000);
    try {
      const busy = own.classify(half); // a round of 2,000 texts, started before the next call
      await new Promise((resolve) => setTimeout(resolve, 10));
      const controller = new AbortController();
      // 1,000 texts, more than a token budget's worth: not served between the busy round's runs
      // (as a small call is), so it waits for the next round.
      const waiting = own.classify(many.slice(2000, 3000), { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
      expect((await busy).length).toBe(half.length);
      expect(await own.classify("Angela Merkel")).toEqual(await clf.classify("Angela Merkel"));
      // The busy round's texts and the lone text: the aborted call's 1,000 were never taken in.
      expect(own.stats().texts).toBe(half.length + 1);
      // A call aborted while its own round runs: the batches left, all of its windows, are not run.
      const fullRuns = own.stats().runs;
      await own.classify(half);
      const perCall = own.stats().runs - fullRuns;
      const controller2 = new AbortController();
      const running = own.classify(half, { signal: controller2.signal });
      setTimeout(() => controller2.abort(), 100);
      await expect(running).rejects.toMatchObject({ name: "AbortError" });
      // A round's runs are counted when it ends, and the next call waits for that end.
      expect(await own.classify("Angela Merkel")).toEqual(await clf.classify("Angela Merkel"));
      const abortedRuns = own.stats().runs - fullRuns - perCall - 1;
      expect(abortedRuns).toBeLessThan(perCall / 2);
    } finally {
      await own.dispose();
    }
  });

  it("an already aborted signal rejects before any work; an unused one changes nothing", async () => {
    const before = clf.stats().texts;
    await expect(clf.classify("Angela Merkel", { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    await expect(clf.query({ inputs: "Angela Merkel" }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    expect(clf.stats().texts).toBe(before);
    // Whatever the input, no texts included: it resolved [] before the signal was looked at.
    const reason = new Error("already aborted");
    const aborted = AbortSignal.abort(reason);
    await expect(clf.classify([], { signal: aborted })).rejects.toBe(reason);
    await expect(clf.classify([""], { signal: aborted })).rejects.toBe(reason);
    await expect(clf.classify([], { signal: aborted, isSplitIntoWords: true })).rejects.toBe(reason);
    await expect(clf.query({ inputs: [] }, { signal: aborted })).rejects.toBe(reason);
    await expect(clf.query({ inputs: [[]], parameters: { is_split_into_words: true } }, { signal: aborted })).rejects.toBe(reason);
    expect(clf.stats().texts).toBe(before);
    const signal = new AbortController().signal;
    const texts = many.slice(0, 40);
    expect(await clf.classify(texts, { signal })).toEqual(await clf.classify(texts));
    expect(await clf.query({ inputs: texts[0]! }, { signal })).toEqual(await clf.query({ inputs: texts[0]! }));
    // Its listeners are removed once the calls settle.
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("many concurrent calls sharing one signal add one listener to it (no MaxListenersExceededWarning) and abort together", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on("warning", onWarning);
    try {
      const texts = many.slice(0, 64);
      const controller = new AbortController();
      const calls = texts.map((t) => clf.classify(t, { signal: controller.signal }));
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      const results = await Promise.all(calls);
      expect(results.map(strip)).toEqual((await clf.classify(texts)).map(strip));
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      // The same signal again, aborted with every call in flight: each rejects with its reason.
      const again = texts.map((t) => clf.classify(t, { signal: controller.signal }));
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
      controller.abort();
      const settled = await Promise.allSettled(again);
      for (const s of settled) expect(s).toMatchObject({ status: "rejected", reason: { name: "AbortError" } });
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("aborting some of many concurrent calls leaves the others' results as they are alone", async () => {
    const texts = many.slice(0, 64).map((t, i) => `${"word ".repeat(i % 7)}${t}`);
    const alone = await clf.classify(texts);
    const controllers = texts.map(() => new AbortController());
    const calls = texts.map((t, i) => clf.classify(t, { signal: controllers[i]!.signal }));
    controllers.forEach((c, i) => i % 2 === 1 && c.abort());
    const settled = await Promise.allSettled(calls);
    settled.forEach((s, i) => {
      if (i % 2 === 1) {
        expect(s.status).toBe("rejected");
      } else {
        expect(s.status).toBe("fulfilled");
        expect(strip((s as PromiseFulfilledResult<Entity[]>).value)).toEqual(strip(alone[i]));
      }
    });
  });

  it("a signal must be an AbortSignal; query() takes no other option", async () => {
    await expect(clf.classify("x", { signal: {} as AbortSignal })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(clf.query({ inputs: "x" }, { signal: "no" as unknown as AbortSignal })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(clf.query({ inputs: "x" }, { timeout: 5 } as unknown as { signal?: AbortSignal })).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
  });
});

describe("process exit", () => {
  // Regression: with several classifiers alive, Node's environment teardown finalized the
  // result channel before the classifier handle, and releasing it again aborted the process.
  it("exits cleanly with several classifiers (disposed, garbage-collected, left open, busy)", async () => {
    const script = `
      const { TokenClassifier } = await import(${JSON.stringify(DIST_INDEX)});
      const a = await TokenClassifier.load(), b = await TokenClassifier.load(undefined, { spinning: false });
      for (let i = 0; i < 4; i++) { const c = await TokenClassifier.load(); await c.classify("x"); if (i % 2) await c.dispose(); }
      await a.classify("Angela Merkel"); await b.classify("Paris");
      await a.dispose();
      globalThis.gc();
      b.classify(Array(100).fill("Angela Merkel visited Paris"));
      console.log("ok");`;
    const child = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("ok");
    expect(child.status).toBe(0);
  });
});
