#!/usr/bin/env node
// Tokenization throughput: tokclass's native Tokenizer vs @huggingface/tokenizers (pure JS) on
// the CoNLL-2003 test sentences, for the three tokenizer families (WordPiece, byte-level BPE,
// Unigram). Checks that both give the same ids on every text. See bench/README.md
// ("Tokenization").
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { loadTexts, ROOT } from "./lib/conll.js";
import { median, fmt, table } from "./lib/stats.js";
import { writeResult } from "./lib/results.js";
import { FAMILIES, familyFiles, loadNative, loadJs, loadHfRust, jsVersion, compareIds } from "./lib/tokenize-families.js";

const { values: a } = parseArgs({
  options: {
    families: { type: "string", default: "wordpiece,bpe,unigram" },
    texts: { type: "string" }, // default: all sentences of the split
    split: { type: "string", default: "test" },
    repeat: { type: "string", default: "5" },
    chunk: { type: "string", default: "64" },
    diffs: { type: "string", default: "5" },
    "no-micro": { type: "boolean", default: false },
    "micro-time": { type: "string", default: "1" },
    "no-breakdown": { type: "boolean", default: false },
    cxx: { type: "string" }, // encode-only C++ timer: native/tools/encode_timer.cc (make -C native/tools)
    // Hugging Face's Rust tokenizers: a devDependency, so the project's own node_modules by default.
    "hf-rust": { type: "string", default: process.env.HF_TOKENIZERS_DIR ?? ROOT },
    "no-hf-rust": { type: "boolean", default: false },
    "no-save": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (a.help) {
  console.log(`node bench/tokenize.js [options]
  --families wordpiece,bpe,unigram   which tokenizers (models/bert-cased-conll, test/fixtures/models/{roberta,xlmr}-tiny)
  --texts N                          first N sentences (default: all of the split)
  --split test|dev|train             CoNLL-2003 split (default test: 3,453 sentences)
  --repeat 5                         timed passes per mode (median reported, min kept too)
  --chunk 64                         chunk size of the native chunked mode
  --diffs 5                          id differences to print per family
  --no-micro                         skip the benchmark.js single-text latencies
  --micro-time 1                     benchmark.js maxTime per case, seconds
  --no-breakdown                     skip the native time breakdown (sync / worker / JS conversion)
  --cxx BIN                          also time Tokenizer::encode alone in C++: BIN is native/tools/encode_timer
                                     (make -C native/tools -> /tmp/tokclass-tools/encode_timer)
  --hf-rust DIR                      Hugging Face's Rust tokenizers (npm "tokenizers", Node binding) from
                                     DIR/node_modules (env HF_TOKENIZERS_DIR; default this project's, a devDependency):
                                     timed, and the arbiter for id differences; --no-hf-rust skips it
  --no-save                          do not write bench/results/tokenize-<date>.json
                                     (BENCH_RESULTS_DIR=bench/results/tmp for smoke runs)`);
  process.exit(0);
}

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const now = () => performance.now();
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

const families = a.families.split(",").map((s) => s.trim()).filter(Boolean);
for (const f of families) if (!FAMILIES[f]) throw new Error(`unknown family ${f} (${Object.keys(FAMILIES).join(", ")})`);
const repeat = Math.max(1, Number(a.repeat));
const chunk = Math.max(1, Number(a.chunk));
const texts = loadTexts(a.texts ? Number(a.texts) : null, { split: a.split }); // null: every sentence once
const chars = texts.reduce((s, t) => s + t.length, 0);
const loadStart = load();
console.log(`tokenize bench: ${texts.length} CoNLL-2003 ${a.split} sentences (${chars.toLocaleString("en-US")} UTF-16 units), ` +
  `${repeat} passes per mode, node ${process.version}, @huggingface/tokenizers ${jsVersion()}, ` +
  `${os.availableParallelism?.() ?? os.cpus().length} cores, load average ${loadStart.join(" ")}`);

const countTokens = (encs) => encs.reduce((s, e) => s + e.ids.length, 0);

// ---- the timed modes: each returns {ms, encodings} ------------------------------------------
function modesFor(nat, js, rust) {
  const modes = {
    "native all": async () => {
      const t0 = now();
      const encs = await nat.encode(texts);
      return { ms: now() - t0, encs };
    },
    [`native chunk${chunk}`]: async () => {
      const encs = [];
      const t0 = now();
      for (let i = 0; i < texts.length; i += chunk) {
        const part = await nat.encode(texts.slice(i, i + chunk));
        for (const e of part) encs.push(e);
      }
      return { ms: now() - t0, encs };
    },
    // every chunk issued at once: the chunks run concurrently on libuv's thread pool
    // (UV_THREADPOOL_SIZE, default 4), which is how a caller can use more than one core today
    [`native chunk${chunk} concurrent`]: async () => {
      const t0 = now();
      const parts = [];
      for (let i = 0; i < texts.length; i += chunk) parts.push(nat.encode(texts.slice(i, i + chunk)));
      const encs = (await Promise.all(parts)).flat();
      return { ms: now() - t0, encs };
    },
    "native one": async () => {
      const encs = new Array(texts.length);
      const t0 = now();
      for (let i = 0; i < texts.length; i++) encs[i] = await nat.encode(texts[i]);
      return { ms: now() - t0, encs };
    },
    "js one": async () => {
      const encs = new Array(texts.length);
      const t0 = now();
      for (let i = 0; i < texts.length; i++) encs[i] = js.encode(texts[i]);
      return { ms: now() - t0, encs };
    },
  };
  if (rust) {
    // ids fetched into JS inside the timing (getIds()), as the native modes hand them over
    modes["hf-rust batch"] = async () => {
      const t0 = now();
      const out = await rust.encodeBatch(texts);
      const encs = out.map((e) => ({ ids: e.getIds() }));
      return { ms: now() - t0, encs };
    };
    modes["hf-rust one"] = async () => {
      const encs = new Array(texts.length);
      const t0 = now();
      for (let i = 0; i < texts.length; i++) encs[i] = { ids: (await rust.encode(texts[i])).getIds() };
      return { ms: now() - t0, encs };
    };
  }
  return modes;
}

/**
 * Where the time of one native batched call goes (main thread vs worker), from the event loop's
 * own accounting: `encode()` converts the strings to code points synchronously (sync), the
 * worker thread tokenizes while the loop sits idle in epoll, then the completion callback builds
 * the JS encodings (typed arrays, token strings) on the main thread; performance.eventLoopUtilization
 * counts the loop's non-idle time between the sync return and the awaited result, which is that
 * callback (plus a negligible promise hop). worker = total - sync - callback.
 */
// CPU time of the calling (main) thread in ms, from /proc/thread-self/schedstat (ns, Linux);
// null elsewhere.
function threadCpuMs() {
  try { return Number(fs.readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6; } catch { return null; }
}

async function breakdown(nat, input) {
  gc();
  const c0 = process.cpuUsage();
  const m0 = threadCpuMs();
  const t0 = now();
  const p = nat.encode(input);
  const t1 = now();
  const m1 = threadCpuMs();
  const elu0 = performance.eventLoopUtilization();
  const encs = await p;
  const elu = performance.eventLoopUtilization(elu0);
  const t2 = now();
  const m2 = threadCpuMs();
  const c = process.cpuUsage(c0);
  const total = t2 - t0, sync = t1 - t0, convert = elu.active;
  // CPU split: main thread before the call returns (sync) and after (JS objects), the rest of
  // the process (the libuv worker tokenizing; V8 helper threads) = process CPU - main thread
  const cpu = m0 == null ? null : {
    sync: m1 - m0,
    convert: m2 - m1,
    worker: Math.max(0, (c.user + c.system) / 1000 - (m2 - m0)),
  };
  return { total, sync, convert, worker: Math.max(0, total - sync - convert), cpu, tokens: countTokens(encs) };
}

async function micro(nat, js, picks, maxTime) {
  const { default: Benchmark } = await import("benchmark");
  const suite = new Benchmark.Suite();
  for (const p of picks) {
    const text = texts[p.index];
    suite.add(`native ${p.label}`, {
      defer: true, maxTime, minSamples: 20,
      fn(d) { nat.encode(text).then(() => d.resolve()); },
    });
    suite.add(`js ${p.label}`, { maxTime, minSamples: 20, fn() { js.encode(text); } });
  }
  return await new Promise((resolve, reject) => {
    const out = [];
    suite.on("cycle", (ev) => {
      const b = ev.target;
      if (b.error) return reject(b.error);
      out.push({ name: b.name, opsPerSec: b.hz, meanUs: b.stats.mean * 1e6, rmePct: b.stats.rme, samples: b.stats.sample.length });
    });
    suite.on("complete", () => resolve(out));
    suite.on("error", (e) => reject(e.target?.error ?? e));
    suite.run({ async: true });
  });
}

function cxxTiming(bin, family) {
  const file = path.join(os.tmpdir(), `tokclass-tokenize-bench-${process.pid}.txt`);
  if (texts.some((t) => t.includes("\n"))) throw new Error("--cxx needs texts without newlines");
  fs.writeFileSync(file, texts.join("\n") + "\n");
  try {
    const out = execFileSync(bin, [familyFiles(family).tokenizerJson, file, String(Math.max(5, repeat))], { encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").pop());
  } finally { fs.rmSync(file, { force: true }); }
}

// ---- run ----------------------------------------------------------------------------------------
const report = {
  texts: texts.length,
  split: a.split,
  utf16Units: chars,
  repeat,
  chunk,
  huggingfaceTokenizers: jsVersion(),
  hfRustDir: a["no-hf-rust"] ? null : a["hf-rust"],
  loadAverage: { start: loadStart },
  note: "tokens counted from the ids (special tokens included); ms = median of the timed passes (wall clock); cpuMs = median process CPU time of a pass (all threads); " +
    "native modes return ids, tokens, offsets, type ids, special-token mask and word ids (typed arrays + a token string array); " +
    "@huggingface/tokenizers returns ids, tokens and attention_mask (plain arrays), no offsets",
  families: {},
};

for (const family of families) {
  const fam = FAMILIES[family];
  const nat = await loadNative(family);
  const js = await loadJs(family);
  const rust = a["no-hf-rust"] ? null : loadHfRust(family, a["hf-rust"]);
  console.log(`\n== ${fam.label} (${fam.dir}) ==`);

  // correctness: ids on every text
  const natEncs = await nat.encode(texts);
  const jsEncs = texts.map((t) => js.encode(t));
  const cmp = compareIds(texts, natEncs, jsEncs, { keep: Number(a.diffs) });
  const tokensNative = countTokens(natEncs), tokensJs = countTokens(jsEncs);
  console.log(`ids agree on ${cmp.agree}/${cmp.total} texts; tokens: native ${tokensNative.toLocaleString("en-US")}, js ${tokensJs.toLocaleString("en-US")}`);
  let rustCmp = null;
  if (rust) {
    // Hugging Face's Rust tokenizers as the arbiter: which side of each difference is right
    const rustEncs = [];
    for (const t of texts) { const e = await rust.encode(t); rustEncs.push({ ids: e.getIds(), tokens: e.getTokens() }); }
    rustCmp = compareIds(texts, natEncs, rustEncs, { keep: Number(a.diffs) });
    const jsVsRust = compareIds(texts, jsEncs, rustEncs, { keep: 0 });
    rustCmp.jsAgree = jsVsRust.agree;
    console.log(`Hugging Face Rust tokenizers ${rust.version}: native agrees on ${rustCmp.agree}/${rustCmp.total}, @huggingface/tokenizers on ${jsVsRust.agree}/${jsVsRust.total}`);
    for (const d of cmp.diffs) {
      const r = rustEncs[d.index].ids;
      const eq = (x) => x.length === r.length && Array.from(x).every((v, k) => v === r[k]);
      d.rustAgreesWith = eq(natEncs[d.index].ids) ? "native" : eq(jsEncs[d.index].ids) ? "js" : "neither";
    }
    for (const d of rustCmp.diffs) {
      console.log(`  native vs Rust, text ${d.index} (…${d.excerpt}…): first difference at token ${d.firstDifferenceAt}`);
      console.log(`    native ${JSON.stringify(d.native.tokens)}\n    rust   ${JSON.stringify(d.js.tokens)}`);
    }
  }
  for (const d of cmp.diffs) {
    console.log(`  text ${d.index} (…${d.excerpt}…): first difference at token ${d.firstDifferenceAt} (lengths ${d.nativeLength} / ${d.jsLength})` +
      (d.rustAgreesWith ? `; HF Rust tokenizers agrees with ${d.rustAgreesWith}` : ""));
    console.log(`    native ${JSON.stringify(d.native.tokens)} ${JSON.stringify(d.native.ids)}`);
    console.log(`    js     ${JSON.stringify(d.js.tokens)} ${JSON.stringify(d.js.ids)}`);
  }

  // throughput: one untimed warm-up pass per mode, then `repeat` rounds, modes interleaved
  const modes = modesFor(nat, js, rust);
  const names = Object.keys(modes);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const cpuSamples = Object.fromEntries(names.map((n) => [n, []]));
  const tokensOf = {};
  for (const n of names) { gc(); tokensOf[n] = countTokens((await modes[n]()).encs); }
  for (let r = 0; r < repeat; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const n of order) {
      gc();
      // process CPU time (all threads: main, libuv workers, V8 helpers): the work done, which
      // other processes on a busy machine inflate much less than the wall time
      const c0 = process.cpuUsage();
      const { ms } = await modes[n]();
      const c = process.cpuUsage(c0);
      samples[n].push(ms);
      cpuSamples[n].push((c.user + c.system) / 1000);
    }
  }
  const jsMs = median(samples["js one"]);
  const jsCpu = median(cpuSamples["js one"]);
  const rows = names.map((n) => {
    const ms = median(samples[n]);
    const cpuMs = median(cpuSamples[n]);
    return {
      mode: n,
      ms,
      minMs: Math.min(...samples[n]),
      passesMs: samples[n].map((x) => Math.round(x * 10) / 10),
      cpuMs,
      passesCpuMs: cpuSamples[n].map((x) => Math.round(x * 10) / 10),
      tokensPerCpuS: tokensOf[n] / (cpuMs / 1000),
      cpuVsJs: n.startsWith("js") ? null : jsCpu / cpuMs,
      tokens: tokensOf[n],
      textsPerS: texts.length / (ms / 1000),
      tokensPerS: tokensOf[n] / (ms / 1000),
      usPerText: (ms * 1000) / texts.length,
      vsJs: n.startsWith("js") ? null : jsMs / ms,
      vsRustBatch: samples["hf-rust batch"] ? median(samples["hf-rust batch"]) / ms : undefined,
    };
  });
  console.log(table(rows, [
    { title: "mode", get: (r) => r.mode },
    { title: "ms (median)", get: (r) => fmt(r.ms) },
    { title: "min ms", get: (r) => fmt(r.minMs) },
    { title: "texts/s", get: (r) => fmt(r.textsPerS) },
    { title: "tokens/s", get: (r) => fmt(r.tokensPerS) },
    { title: "µs/text", get: (r) => fmt(r.usPerText, 1) },
    { title: "speed vs js", get: (r) => (r.vsJs == null ? "" : `${r.vsJs.toFixed(2)}x`) },
    { title: "CPU ms", get: (r) => fmt(r.cpuMs) },
    { title: "tokens/CPU-s", get: (r) => fmt(r.tokensPerCpuS) },
    { title: "CPU vs js", get: (r) => (r.cpuVsJs == null ? "" : `${r.cpuVsJs.toFixed(2)}x`) },
  ]));

  const out = { label: fam.label, dir: fam.dir, ids: { agree: cmp.agree, differ: cmp.differing, total: cmp.total, diffs: cmp.diffs }, tokens: { native: tokensNative, js: tokensJs }, modes: rows };
  if (rustCmp) out.hfRust = { version: rust.version, nativeAgree: rustCmp.agree, jsAgree: rustCmp.jsAgree, total: rustCmp.total, nativeDiffs: rustCmp.diffs };

  if (!a["no-breakdown"]) {
    // native batched call split into main-thread string conversion, worker, JS-object building
    const b = [];
    for (let r = 0; r < repeat; r++) b.push(await breakdown(nat, texts));
    const m = (k) => median(b.map((x) => x[k]));
    const bd = { totalMs: m("total"), syncMs: m("sync"), workerMs: m("worker"), convertMs: m("convert") };
    if (b[0].cpu) {
      const mc = (k) => median(b.map((x) => x.cpu[k]));
      bd.cpu = { syncMs: mc("sync"), workerMs: mc("worker"), convertMs: mc("convert") };
    }
    out.breakdown = bd;
    console.log(`native all, where the time goes (median of ${repeat}): wall ${fmt(bd.totalMs)} ms = ` +
      `JS strings copied (main thread, sync) ${fmt(bd.syncMs)} + decode + tokenize (worker) ${fmt(bd.workerMs)} + ` +
      `encodings -> JS objects (main thread) ${fmt(bd.convertMs)}` +
      (bd.cpu ? `; CPU ms: sync ${fmt(bd.cpu.syncMs)}, worker ${fmt(bd.cpu.workerMs)}, JS objects ${fmt(bd.cpu.convertMs)}` : ""));
  }
  if (a.cxx) {
    const c = cxxTiming(path.resolve(a.cxx), family);
    out.cxx = c;
    console.log(`C++ Tokenizer::encode alone (${a.cxx}): ${fmt(c.encode_ms_median)} ms median` +
      (c.encode_cpu_ms_median != null ? ` (thread CPU ${fmt(c.encode_cpu_ms_median)} ms)` : "") +
      `, ${fmt(c.tokens_per_s_median)} tokens/s; UTF-8 -> code points ${fmt(c.utf8_decode_ms)} ms`);
  }

  if (!a["no-micro"]) {
    const counts = natEncs.map((e) => e.ids.length);
    const order = counts.map((c, i) => [c, i]).sort((x, y) => x[0] - y[0]);
    const picks = [["short", 0.1], ["median", 0.5], ["long", 0.99]].map(([label, q]) => {
      const index = order[Math.floor(order.length * q)][1];
      return { label: `${label} (${counts[index]} tokens)`, index };
    });
    const res = await micro(nat, js, picks, Number(a["micro-time"]));
    out.micro = res;
    console.log("single-text latency (benchmark.js):");
    console.log(table(res, [
      { title: "case", get: (r) => r.name },
      { title: "ops/s", get: (r) => fmt(r.opsPerSec) },
      { title: "mean µs", get: (r) => fmt(r.meanUs) },
      { title: "±%", get: (r) => r.rmePct.toFixed(1) },
      { title: "samples", get: (r) => r.samples },
    ]));
  }
  out.loadAverage = load();
  report.families[family] = out;
}

report.loadAverage.end = load();
console.log(`\nsummary (tokens/s, median of ${repeat}; load average at start ${loadStart.join(" ")}, end ${report.loadAverage.end.join(" ")}):`);
const sumRows = families.map((f) => {
  const r = report.families[f];
  const by = Object.fromEntries(r.modes.map((m) => [m.mode, m]));
  return { f, r, by };
});
console.log(table(sumRows, [
  { title: "family", get: (s) => s.r.label },
  { title: "native all", get: (s) => fmt(s.by["native all"].tokensPerS) },
  { title: `native chunk${chunk}`, get: (s) => fmt(s.by[`native chunk${chunk}`].tokensPerS) },
  { title: "conc.", get: (s) => fmt(s.by[`native chunk${chunk} concurrent`].tokensPerS) },
  { title: "native one", get: (s) => fmt(s.by["native one"].tokensPerS) },
  { title: "js", get: (s) => fmt(s.by["js one"].tokensPerS) },
  { title: "all/js", get: (s) => `${s.by["native all"].vsJs.toFixed(2)}x` },
  { title: `chunk${chunk}/js`, get: (s) => `${s.by[`native chunk${chunk}`].vsJs.toFixed(2)}x` },
  { title: "conc./js", get: (s) => `${s.by[`native chunk${chunk} concurrent`].vsJs.toFixed(2)}x` },
  { title: "one/js", get: (s) => `${s.by["native one"].vsJs.toFixed(2)}x` },
  { title: "all/js CPU", get: (s) => `${s.by["native all"].cpuVsJs.toFixed(2)}x` },
  { title: "ids agree", get: (s) => `${s.r.ids.agree}/${s.r.ids.total}` },
  ...(sumRows.some((s) => s.by["hf-rust batch"]) ? [
    { title: "hf-rust batch", get: (s) => fmt(s.by["hf-rust batch"]?.tokensPerS) },
    { title: "hf-rust one", get: (s) => fmt(s.by["hf-rust one"]?.tokensPerS) },
    { title: "native=rust", get: (s) => (s.r.hfRust ? `${s.r.hfRust.nativeAgree}/${s.r.hfRust.total}` : "-") },
    { title: "js=rust", get: (s) => (s.r.hfRust ? `${s.r.hfRust.jsAgree}/${s.r.hfRust.total}` : "-") },
  ] : []),
]));

if (!a["no-save"]) {
  const file = writeResult("tokenize", report, { tag: a.split });
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
