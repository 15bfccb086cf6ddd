// includeText with code-point offsets: each entity's text is found by walking the code points
// up to its offsets, not by splitting the whole text into code points (which, for a 15M-unit
// text, held the event loop for half a second however few its entities).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSourceText, TokenClassifier } from "../../src/classifier.js";
import { resolveClassifyOptions } from "../../src/options.js";
import type { Entity } from "../../src/index.js";
import { timeBound } from "../helpers/time-bounds.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "models");

/** The straightforward reference: the code points of the text, sliced. */
const codePointSlice = (text: string, start: number, end: number): string => Array.from(text).slice(start, end).join("");

const TEXTS = [
  "😀 Sarah 𝔘 Parker visited 🇫🇷 Paris and 👩‍👩‍👧‍👦 Berlin",
  "𝐀𝐧𝐠𝐞𝐥𝐚 Merkel met 😀😀 Emmanuel Macron in Paris 😀",
  "Ame\u0301lie Poulain lives in Montre\u0301al 🗼",
  "no astral characters at all: Angela Merkel in Paris",
  "",
  "🚀".repeat(40) + " Sarah Parker " + "𝔘".repeat(40) + " New York City",
];

describe("includeText with code-point offsets", () => {
  let clf: TokenClassifier;
  beforeAll(async () => {
    clf = await TokenClassifier.load(join(FIXTURES, "bert-tiny-bioes"));
  });
  afterAll(async () => {
    await clf?.dispose();
  });

  it("gives each entity the code points it spans, for every strategy, texts with astral characters", async () => {
    let entities = 0;
    for (const aggregationStrategy of ["none", "simple", "first", "average", "max"] as const) {
      const results = await clf.classify(TEXTS, { aggregationStrategy, ignoreLabels: [], offsets: "codepoint", includeText: true });
      results.forEach((list, i) => {
        for (const e of list) expect(e.text).toBe(codePointSlice(TEXTS[i]!, e.start, e.end));
        entities += list.length;
      });
      // The same slices as with UTF-16 offsets, entity by entity.
      const utf16 = await clf.classify(TEXTS, { aggregationStrategy, ignoreLabels: [], includeText: true });
      expect(results.map((list) => list.map((e) => e.text))).toEqual(utf16.map((list) => list.map((e) => e.text)));
    }
    expect(entities).toBeGreaterThan(100);
  });

  it("word lists joined by an astral delimiter, and strided windows", async () => {
    const words = [["😀", "Sarah", "𝔘", "Parker"], ["in", "🇫🇷", "Paris"]];
    const delimiter = " 🗽 ";
    const lists = await clf.classify(words, { isSplitIntoWords: true, delimiter, ignoreLabels: [], offsets: "codepoint", includeText: true });
    lists.forEach((list, i) => {
      expect(list.length).toBeGreaterThan(0);
      for (const e of list) expect(e.text).toBe(codePointSlice(words[i]!.join(delimiter), e.start, e.end));
    });
    const long = TEXTS.slice(0, 3).join(" ").repeat(20);
    const strided = await clf.classify(long, { stride: 64, ignoreLabels: [], offsets: "codepoint", includeText: true });
    expect(strided.length).toBeGreaterThan(0);
    for (const e of strided) expect(e.text).toBe(codePointSlice(long, e.start, e.end));
  });
});

describe("addSourceText", () => {
  const codepoint = resolveClassifyOptions({ offsets: "codepoint", includeText: true });
  const entity = (start: number, end: number): Entity => ({ entity_group: "X", score: 1, word: "", start, end });

  it("entities in any order, overlapping, empty or past the end get the reference's slices", () => {
    const text = "a😀b𝔘\u0301c🇫🇷d" + "😀x".repeat(20);
    const length = Array.from(text).length;
    // A fixed pseudo-random sequence of spans (some reversed order, some past the end).
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const spans: [number, number][] = [[0, 0], [length, length + 3], [length - 1, length]];
    for (let k = 0; k < 200; k++) {
      const start = next(length + 2);
      spans.push([start, start + next(6)]);
    }
    const results = [spans.map(([s, e]) => entity(s, e))];
    addSourceText(results, [text], codepoint);
    results[0]!.forEach((e, k) => expect(e.text, `span ${spans[k]}`).toBe(codePointSlice(text, e.start, e.end)));
  });

  it("walks only up to the entities' offsets: a 16M-unit text with entities at its start is fast", () => {
    const head = "😀 Angela Merkel 𝔘 Paris";
    const text = head + "😀".repeat(8_000_000);
    // Built by concatenation, the string is a rope that V8 copies into one flat string on its
    // first read: done here, as the addon's reading of the text does it before any result.
    expect(text.charCodeAt(text.length - 1)).toBe(0xde00);
    const entities = [entity(2, 15), entity(18, 23)];
    const t0 = performance.now();
    addSourceText([entities], [text], codepoint);
    const ms = performance.now() - t0;
    expect(entities.map((e) => e.text)).toEqual([codePointSlice(head, 2, 15), codePointSlice(head, 18, 23)]);
    // Splitting the whole text into its 8M code points took ~2 s here; walking to offset 23, microseconds.
    expect(ms).toBeLessThan(timeBound(100, 500));
  });
});
