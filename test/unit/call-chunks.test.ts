// Large calls sent to the addon in chunks (src/call-chunks.ts): where the cuts fall, and that a
// chunked call answers, fails, aborts and disposes as one call.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokClassError, TokenClassifier, type ClassifyOptions, type Entity } from "../../src/index.js";
import { CHUNK_TEXTS, CHUNK_UNITS, CHUNKS_IN_FLIGHT, planChunks } from "../../src/call-chunks.js";
import { timeBound } from "../helpers/time-bounds.js";

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
  let clf: TokenClassifier;
  beforeAll(async () => {
    clf = await TokenClassifier.load(MODEL);
  });
  afterAll(async () => {
    await clf.dispose();
  });

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
    const controller = new AbortController();
    const before = clf.stats();
    const started = performance.now();
    const call = clf.classify(texts, { ...EVERY_TOKEN, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(call).rejects.toThrow("stop");
    expect(performance.now() - started).toBeLessThan(timeBound(2000, 6000));
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
