#!/usr/bin/env node
// Throughput and latency against text length and against batch size.
//
//   node bench/scaling.js [--model conll|base|DIR] [--engine tokclass|tjs]
//        [--lengths 10,20,50,100,200,500,1000,2000,5000] [--stride 128] [--budget TOKENS]
//        [--batch-sizes 1,2,4,...,256] [--batch-texts N] [--threads N] [--tokclass-opts JSON] [--no-save]
//
// Length sweep: texts of L tokens (special tokens included) made of consecutive CoNLL test
// sentences; L above the model window (512) is processed with `stride` (overlapping windows).
// For each L: one-by-one latency (p50/p99) and one batched classify() call over the same texts.
// Batch sweep: N CoNLL sentences, classify() in chunks of B, one call per chunk.
// Writes bench/results/scaling-<model>-<date>.json and bench/scaling-<model>.svg (+ .png when
// rsvg-convert or ImageMagick is installed).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { exitWithUsageIf } from "./lib/usage.js";
import { fileURLToPath } from "node:url";
import { loadConllSentences, CONLL_DIR } from "./lib/conll.js";
import { resolveModel } from "./lib/models.js";
import { SkipError, loadTokenizer } from "./lib/competitors.js";
import { createEngine } from "./lib/engines.js";
import { now, latencyStats, fmt, table, mb, peakRss } from "./lib/stats.js";
import { writeResult } from "./lib/results.js";
import { chart, svgDocument, svgToPng } from "./lib/svg.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: a } = parseArgs({
  options: {
    model: { type: "string", default: "conll" },
    engine: { type: "string", default: "tokclass" },
    lengths: { type: "string", default: "10,20,50,100,200,500,1000,2000,5000" },
    stride: { type: "string", default: "128" },
    budget: { type: "string" }, // tokens per length (default 60k conll, 6k base)
    "min-texts": { type: "string", default: "2" },
    "max-texts": { type: "string", default: "200" },
    "batch-sizes": { type: "string", default: "1,2,4,8,16,32,64,128,256" },
    "batch-texts": { type: "string" }, // default 512 conll, 96 base
    "no-lengths": { type: "boolean", default: false },
    "no-batches": { type: "boolean", default: false },
    threads: { type: "string" },
    "model-file": { type: "string", default: "model.onnx" },
    device: { type: "string", default: "cpu" },
    "tokclass-opts": { type: "string" }, // JSON LoadOptions, as run.js takes (env TOKCLASS_OPTS)
    "no-save": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
exitWithUsageIf(a.help, import.meta.url);
// The competitors read TOKCLASS_OPTS when no options are passed to them.
if (a["tokclass-opts"] !== undefined) process.env.TOKCLASS_OPTS = a["tokclass-opts"];

const model = resolveModel(a.model);
const isBase = model.key === "base";
const threads = a.threads ? Number(a.threads) : os.availableParallelism();
const budget = Number(a.budget ?? (isBase ? 6000 : 60000));
const stride = Number(a.stride);

let engine;
try {
  engine = await createEngine(a.engine, model, { threads, modelFile: a["model-file"], device: a.device });
} catch (e) {
  if (e instanceof SkipError) { console.log(`scaling: SKIPPED — ${e.message}`); process.exit(0); }
  throw e;
}
const tok = await loadTokenizer(model.dir, { truncate: false });
const sents = loadConllSentences(path.join(CONLL_DIR, "test.txt"));
const words = sents.flatMap((s) => s.words);

/** Text of about `target` tokens (incl. specials) from the word stream at `start`. */
function textOfLength(target, start) {
  const take = (n) => { const w = []; for (let i = 0; i < n; i++) w.push(words[(start + i) % words.length]); return w.join(" "); };
  let lo = 1, hi = Math.max(2, target);
  while (tok.encode(take(hi)).length < target) hi *= 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tok.encode(take(mid)).length <= target) lo = mid; else hi = mid - 1;
  }
  const text = take(lo);
  return { text, tokens: tok.encode(text).length };
}

console.log(`scaling — ${model.name}, engine ${engine.name}, threads ${threads}, stride ${stride}`);
const result = { model: model.name, engine: engine.name, threads, stride, lengths: [], batches: [] };

if (!a["no-lengths"]) {
  const lengths = a.lengths.split(",").map(Number);
  for (const L of lengths) {
    if (!engine.supportsStride && L > 512) { console.log(`  length ${L}: skipped (${engine.name} truncates at 512)`); continue; }
    const k = Math.max(Number(a["min-texts"]), Math.min(Number(a["max-texts"]), Math.round(budget / L)));
    const items = Array.from({ length: k }, (_, i) => textOfLength(L, (i * 7919 * Math.max(1, Math.ceil(L / 50))) % words.length));
    const texts = items.map((x) => x.text);
    const tokens = items.reduce((s, x) => s + x.tokens, 0);
    const opt = L > 512 ? { stride } : {};
    await engine.classify(texts[0], opt); // warm-up
    const lat = [];
    let coverage = 0; // how far into the text the last entity ends (1 = the end): catches dropped windows
    const t0 = now();
    for (const t of texts) {
      const s = now();
      const ents = await engine.classify(t, opt);
      lat.push(now() - s);
      const end = Array.isArray(ents) && ents.length ? Math.max(...ents.map((e) => e.end ?? 0)) : 0;
      coverage = Math.max(coverage, end / t.length);
    }
    const oneS = (now() - t0) / 1000;
    const t1 = now();
    await engine.classify(texts, opt);
    const batchS = (now() - t1) / 1000;
    const r = {
      length: L, texts: k, tokens, meanTokens: tokens / k, stride: opt.stride ?? null,
      one: { textsPerSec: k / oneS, tokensPerSec: tokens / oneS, latencyMs: latencyStats(lat) },
      batched: { textsPerSec: k / batchS, tokensPerSec: tokens / batchS, ms: batchS * 1000 },
      entityCoverage: engine.supportsStride ? coverage : null,
    };
    if (engine.supportsStride && L > 1024 && coverage < 0.5) {
      r.warning = `entities end at ${(coverage * 100).toFixed(0)}% of the text at most: windows after the first may be dropped`;
      console.log(`  WARNING length ${L}: ${r.warning}`);
    }
    result.lengths.push(r);
    console.log(`  length ${String(L).padStart(5)}: ${k} texts, one-by-one ${fmt(r.one.tokensPerSec)} tok/s p50 ${fmt(r.one.latencyMs.p50, 2)} ms p99 ${fmt(r.one.latencyMs.p99, 2)} ms; batched ${fmt(r.batched.tokensPerSec)} tok/s`);
  }
}

if (!a["no-batches"]) {
  const n = Number(a["batch-texts"] ?? (isBase ? 96 : 512));
  const texts = Array.from({ length: n }, (_, i) => sents[i % sents.length].text);
  const tokens = texts.reduce((s, t) => s + tok.encode(t).length, 0);
  await engine.classify(texts.slice(0, 32));
  for (const B of a["batch-sizes"].split(",").map(Number)) {
    if (B > n) continue;
    const lat = [];
    const t0 = now();
    for (let i = 0; i < n; i += B) { const s = now(); await engine.classify(texts.slice(i, i + B)); lat.push(now() - s); }
    const sec = (now() - t0) / 1000;
    const r = { batchSize: B, texts: n, tokens, textsPerSec: n / sec, tokensPerSec: tokens / sec, callLatencyMs: latencyStats(lat) };
    result.batches.push(r);
    console.log(`  batch ${String(B).padStart(4)}: ${fmt(r.textsPerSec)} texts/s, ${fmt(r.tokensPerSec)} tok/s, call p50 ${fmt(r.callLatencyMs.p50, 2)} ms`);
  }
}
await engine.dispose?.();
result.peakRssMB = mb(peakRss());

if (result.lengths.length) {
  console.log("\n" + table(result.lengths, [
    { title: "tokens", get: (r) => r.length },
    { title: "texts", get: (r) => r.texts },
    { title: "1-by-1 tok/s", get: (r) => fmt(r.one.tokensPerSec) },
    { title: "p50 ms", get: (r) => fmt(r.one.latencyMs.p50, 2) },
    { title: "p99 ms", get: (r) => fmt(r.one.latencyMs.p99, 2) },
    { title: "batched tok/s", get: (r) => fmt(r.batched.tokensPerSec) },
    { title: "batched texts/s", get: (r) => fmt(r.batched.textsPerSec) },
  ]));
}

const title = `${model.name} — ${engine.name}, ${threads} threads, ${os.cpus()[0]?.model ?? ""}`;
const panels = [];
if (result.lengths.length) {
  panels.push(chart([
    { name: "one by one", points: result.lengths.map((r) => [r.meanTokens, r.one.tokensPerSec]) },
    { name: "batched (one call)", points: result.lengths.map((r) => [r.meanTokens, r.batched.tokensPerSec]) },
  ], { title: "throughput vs text length", xLabel: "tokens per text (log)", yLabel: "tokens/s", xLog: 10 }));
  panels.push(chart([
    { name: "p50", points: result.lengths.map((r) => [r.meanTokens, r.one.latencyMs.p50]) },
    { name: "p99", points: result.lengths.map((r) => [r.meanTokens, r.one.latencyMs.p99]), dashed: true },
  ], { title: "single-text latency vs length", xLabel: "tokens per text (log)", yLabel: "ms (log)", xLog: 10, yLog: true }));
}
if (result.batches.length) {
  panels.push(chart([
    { name: "texts/s", points: result.batches.map((r) => [r.batchSize, r.textsPerSec]) },
  ], { title: "throughput vs batch size", xLabel: "texts per classify() call (log2)", yLabel: "texts/s", xLog: 2 }));
}

if (!a["no-save"]) {
  // Another engine's run is named for it, beside tokclass's (and not tracked: .gitignore).
  const suffix = engine.name === "tokclass" ? "" : `-${engine.name}`;
  const file = writeResult("scaling", result, { tag: `${model.name}${suffix}` });
  const svg = path.join(here, `scaling-${model.name}${suffix}.svg`);
  fs.writeFileSync(svg, svgDocument(panels, { title }));
  const png = svgToPng(svg);
  const stale = svg.replace(/\.svg$/, ".png");
  const noPng = fs.existsSync(stale)
    ? ` (no rsvg-convert/convert: ${path.relative(process.cwd(), stale)} is left from an earlier run; bash bench/setup.sh installs rsvg-convert)`
    : " (no rsvg-convert/convert: no PNG)";
  console.log(`\nwrote ${path.relative(process.cwd(), file)}, ${path.relative(process.cwd(), svg)}${png ? ", " + path.relative(process.cwd(), png) : noPng}`);
}
