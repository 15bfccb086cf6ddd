// labelScheme "bioes" / "bilou" on test/fixtures/models/bert-tiny-bioes, whose labels are fixed
// by token id (test/fixtures/make-tiny-bioes.py): Sarah B-PER, Park E-PER, Jones E-PER,
// Lee I-PER, Maria S-PER, New B-LOC, York I-LOC, City E-LOC, Paris S-LOC, London I-LOC,
// Tokyo E-LOC, Rome B-LOC, everything else O. A mapped token with logit s scores
// e^s / (e^s + 8); an unmapped one is O with logit 4. The "bio" expectations are what the
// transformers pipeline's get_tag gives: E-X / S-X are not B-/I-, so their tag is the whole
// label ("E-LOC"), which continues like I- only next to the same whole label.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenClassifier } from "../../src/index.js";
import type { AggregationStrategy, Entity, GroupedEntity, LabelScheme, TokenEntity } from "../../src/index.js";

const MODEL = join(import.meta.dirname, "..", "fixtures", "models", "bert-tiny-bioes");

const p = (logit: number): number => Math.exp(logit) / (Math.exp(logit) + 8);
const mean = (...xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const S = { Sarah: p(4), Park: p(5), Jones: p(3), Lee: p(3.5), Maria: p(4.5), New: p(3), York: p(4), City: p(5), Paris: p(6), London: p(3), Tokyo: p(3.5), Rome: p(2) };

type Want = [entity_group: string, word: string, start: number, end: number, score: number];

const TEXT = "Sarah Parker visited New York City and Paris Paris";
// Sarah 0-5, Park 6-10, ##er 10-12, visited 13-20, New 21-24, York 25-29, City 30-34,
// and 35-38, Paris 39-44, Paris 45-50.
const MALFORMED = "Maria Jones met Sarah Lee Jones in London Tokyo and Rome.";
// Maria 0-5 S-PER, Jones 6-11 E-PER, met O, Sarah 16-21 B-PER, Lee 22-25 I-PER,
// Jones 26-31 E-PER, in O, London 35-41 I-LOC, Tokyo 42-47 E-LOC, and O, Rome 52-56 B-LOC, . O

let bioes: TokenClassifier;
let bilou: TokenClassifier;
let bilouDir: string;

beforeAll(async () => {
  bioes = await TokenClassifier.load(MODEL);
  // The same graph with E- -> L- and S- -> U-.
  bilouDir = mkdtempSync(join(tmpdir(), "tokclass-bilou-"));
  cpSync(MODEL, bilouDir, { recursive: true });
  const config = JSON.parse(readFileSync(join(MODEL, "config.json"), "utf8")) as { id2label: Record<string, string>; label2id: Record<string, number> };
  const relabel = (l: string): string => l.replace(/^E-/, "L-").replace(/^S-/, "U-");
  config.id2label = Object.fromEntries(Object.entries(config.id2label).map(([k, v]) => [k, relabel(v)]));
  config.label2id = Object.fromEntries(Object.entries(config.label2id).map(([k, v]) => [relabel(k), v]));
  writeFileSync(join(bilouDir, "config.json"), JSON.stringify(config));
  bilou = await TokenClassifier.load(bilouDir);
});

afterAll(async () => {
  await bioes?.dispose();
  await bilou?.dispose();
  if (bilouDir) rmSync(bilouDir, { recursive: true, force: true });
});

async function run(clf: TokenClassifier, text: string, labelScheme: LabelScheme | undefined, aggregationStrategy: AggregationStrategy = "simple"): Promise<Entity[]> {
  return (await clf.classify(text, { labelScheme, aggregationStrategy })) as Entity[];
}

function expectGroups(actual: Entity[], want: Want[]): void {
  const got = (actual as GroupedEntity[]).map((e) => [e.entity_group, e.word, e.start, e.end]);
  expect(got).toEqual(want.map((w) => w.slice(0, 4)));
  want.forEach((w, i) => expect(actual[i].score).toBeCloseTo(w[4], 5));
}

describe("labelScheme bio (default) is the Hugging Face grouping", () => {
  const want: Want[] = [
    ["PER", "Sarah", 0, 5, S.Sarah],
    ["PER", "Park", 6, 10, S.Park], // E-PER: tag "E-PER" != "PER"
    ["LOC", "New York", 21, 29, mean(S.New, S.York)],
    ["LOC", "City", 30, 34, S.City],
    ["LOC", "Paris Paris", 39, 50, S.Paris], // S-LOC S-LOC: same whole-label tag, merged
  ];
  it("simple, default scheme", async () => expectGroups(await run(bioes, TEXT, undefined), want));
  it("simple, explicit bio", async () => expectGroups(await run(bioes, TEXT, "bio"), want));
  it("bilou on a BIOES model: E-/S- are plain labels", async () => expectGroups(await run(bioes, TEXT, "bilou"), want));
  it("malformed sequence", async () =>
    expectGroups(await run(bioes, MALFORMED, "bio"), [
      ["PER", "Maria", 0, 5, S.Maria],
      ["PER", "Jones", 6, 11, S.Jones],
      ["PER", "Sarah Lee", 16, 25, mean(S.Sarah, S.Lee)],
      ["PER", "Jones", 26, 31, S.Jones],
      ["LOC", "London", 35, 41, S.London],
      ["LOC", "Tokyo", 42, 47, S.Tokyo],
      ["LOC", "Rome", 52, 56, S.Rome],
    ]));
});

describe("labelScheme bioes", () => {
  it("simple: B I E is one group, adjacent S- stay apart, ##er (O) is left out", async () =>
    expectGroups(await run(bioes, TEXT, "bioes"), [
      ["PER", "Sarah Park", 0, 10, mean(S.Sarah, S.Park)],
      ["LOC", "New York City", 21, 34, mean(S.New, S.York, S.City)],
      ["LOC", "Paris", 39, 44, S.Paris],
      ["LOC", "Paris", 45, 50, S.Paris],
    ]));

  for (const strategy of ["first", "average", "max"] as const) {
    it(`${strategy}: word-level labels (Parker takes E-PER)`, async () => {
      const actual = await run(bioes, TEXT, "bioes", strategy);
      const got = (actual as GroupedEntity[]).map((e) => [e.entity_group, e.word, e.start, e.end]);
      expect(got).toEqual([
        ["PER", "Sarah Parker", 0, 12],
        ["LOC", "New York City", 21, 34],
        ["LOC", "Paris", 39, 44],
        ["LOC", "Paris", 45, 50],
      ]);
      if (strategy !== "average") expect(actual[0].score).toBeCloseTo(mean(S.Sarah, S.Park), 5);
    });
  }

  it("malformed: E- without B- is its own group, I- after O starts a group, a trailing open group is kept", async () =>
    expectGroups(await run(bioes, MALFORMED, "bioes"), [
      ["PER", "Maria", 0, 5, S.Maria],
      ["PER", "Jones", 6, 11, S.Jones],
      ["PER", "Sarah Lee Jones", 16, 31, mean(S.Sarah, S.Lee, S.Jones)],
      ["LOC", "London Tokyo", 35, 47, mean(S.London, S.Tokyo)],
      ["LOC", "Rome", 52, 56, S.Rome],
    ]));

  it("none: no grouping, labels unchanged", async () => {
    const a = (await run(bioes, TEXT, "bioes", "none")) as TokenEntity[];
    const b = (await run(bioes, TEXT, "bio", "none")) as TokenEntity[];
    expect(a).toEqual(b);
    expect(a.map((e) => e.entity)).toEqual(["B-PER", "E-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC", "S-LOC"]);
  });

  it("several texts in one call", async () => {
    const [one, two] = (await bioes.classify([TEXT, MALFORMED], { labelScheme: "bioes" })) as Entity[][];
    expect((one as GroupedEntity[]).map((e) => e.word)).toEqual(["Sarah Park", "New York City", "Paris", "Paris"]);
    expect((two as GroupedEntity[]).map((e) => e.word)).toEqual(["Maria", "Jones", "Sarah Lee Jones", "London Tokyo", "Rome"]);
  });
});

describe("labelScheme bilou (relabelled copy: L- / U-)", () => {
  it("simple: same groups as bioes on the original", async () => {
    const a = await run(bilou, TEXT, "bilou");
    expect(a).toEqual(await run(bioes, TEXT, "bioes"));
    expect((a as GroupedEntity[]).map((e) => e.word)).toEqual(["Sarah Park", "New York City", "Paris", "Paris"]);
  });
  it("malformed: same groups as bioes on the original", async () => {
    const a = await run(bilou, MALFORMED, "bilou", "first");
    expect(a).toEqual(await run(bioes, MALFORMED, "bioes", "first"));
    expect((a as GroupedEntity[]).map((e) => e.word)).toEqual(["Maria", "Jones", "Sarah Lee Jones", "London Tokyo", "Rome"]);
  });
  it("bioes on a BILOU model: L-/U- are plain labels, as bio", async () => {
    expect(await run(bilou, TEXT, "bioes")).toEqual(await run(bioes, TEXT, "bio"));
    expect(await run(bilou, MALFORMED, "bioes")).toEqual(await run(bioes, MALFORMED, "bio"));
  });
});
