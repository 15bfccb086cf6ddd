#!/usr/bin/env node
// Paired comparison: raw onnxruntime-node and tokclass in one process, their timed passes
// alternated back to back, so that each ratio compares two passes a second apart.
//
// `npm run bench -- --rounds K` runs each engine in its own child process, one after the
// other; on a shared VM whose speed moves by 30% within minutes, a round's ratio then carries
// that drift (ranges like 0.85-1.70 for one median of 1.20). Here every pair is measured within
// about a second, the order inside a pair alternates (raw first, then tokclass first), and the
// report gives the median ratio with its interquartile range and a distribution-free 95%
// confidence interval of that median, whence a verdict per target: met (the whole interval on
// the target's side), missed (the whole interval beyond it) or undetermined. Peak RSS means
// nothing here (one process holds both engines): take it from `npm run bench`.
//
// Each pair times, on the same texts, the acceptance comparisons of the throughput issue:
//   batched   tokclass classify(all texts) / raw InferenceSession.run on length-sorted
//             batches of 32 (pre-built tensors, tokenization untimed)
//   ceiling   tokclass classify(all texts) / raw with one single-threaded session per core in
//             worker threads, sorted batches of 16 (competitors.js "rawpar"): the model alone,
//             run the way tokclass runs a small model
//   conc64    tokclass with 64 concurrent single-text callers / tokclass one batched call
//   single    tokclass single-text p50 latency / raw single-text p50 latency (one by one)
//
// --only NAMES (comma-separated) times just those comparisons. A pair of every comparison
// takes ~4 s for the embedded model, of which conc64's two passes (with the GC and quiet before
// each) take ~0.8; when one target's interval is what is in doubt, timing only its passes gives
// ~5x the pairs in the same time.
// With every comparison the passes keep their order (batched's two, rawpar, conc64, single's
// two); a comparison whose tokclass pass no earlier one timed alternates both of its passes.
//
// usage: node bench/paired.js [--model conll|base|DIR] [--texts N] [--pairs K] [--threads N]
//          [--only batched,ceiling,conc64,single] [--tokclass-opts JSON] [--no-save]
import { parseArgs } from "node:util";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import { COMPETITORS, loadTokenizer } from "./lib/competitors.js";
import { loadTexts } from "./lib/conll.js";
import { runMode } from "./lib/harness.js";
import { medianInterval, quantile, verdict } from "./lib/stats.js";
import { resolveModel } from "./lib/models.js";
import { writeResult } from "./lib/results.js";

const { values: a } = parseArgs({
  options: {
    model: { type: "string", default: "conll" },
    texts: { type: "string" },
    pairs: { type: "string", default: "20" },
    threads: { type: "string" },
    only: { type: "string", default: "batched,ceiling,conc64,single" },
    "tokclass-opts": { type: "string", default: process.env.TOKCLASS_OPTS ?? "" },
    "no-save": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (a.help) {
  console.log(
    "usage: node bench/paired.js [--model conll|base|DIR] [--texts N] [--pairs K] [--threads N] [--only batched,ceiling,conc64,single] [--tokclass-opts JSON] [--no-save]",
  );
  process.exit(0);
}
const COMPARISONS = ["batched", "ceiling", "conc64", "single"];
const only = new Set(a.only.split(",").map((name) => name.trim()).filter(Boolean));
const unknown = [...only].filter((name) => !COMPARISONS.includes(name));
if (unknown.length > 0 || only.size === 0) {
  console.error(`--only takes a comma-separated list of ${COMPARISONS.join(", ")}; got "${a.only}"`);
  process.exit(2);
}

const model = resolveModel(a.model);
const texts = loadTexts(Number(a.texts ?? model.defaultTexts));
const tok = await loadTokenizer(model.dir);
const tokenCounts = texts.map((t) => tok.encode(t).length);
const threads = Number(a.threads ?? os.availableParallelism());
const opts = {
  threads,
  threadsExplicit: a.threads !== undefined,
  modelFile: "model.onnx",
  device: "cpu",
  tokclassOpts: a["tokclass-opts"] ? JSON.parse(a["tokclass-opts"]) : undefined,
};
// Raw engines only where a chosen comparison times them (each holds a session and its tensors).
const raw = only.has("batched") || only.has("single") ? await COMPETITORS.raw.create(model, texts, opts) : null;
const rawpar = only.has("ceiling") ? await COMPETITORS.rawpar.create(model, texts, opts) : null;
const tokclass = await COMPETITORS.tokclass.create(model, texts, opts);
const pairs = Math.max(1, Number(a.pairs) || 20);

// Before every timed pass: a full GC and 100 ms of quiet, so that a pass does not pay for the
// previous engine's garbage or its still-spinning threads (onnxruntime-node's intra-op threads
// spin after a run). Measured here without it: tokclass's pass right after a raw pass ran 7-8%
// slower than after one of its own; with it, 1-3%.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const time = async (inst, mode) => {
  gc();
  await sleep(100);
  return runMode(inst, mode, tokenCounts, { warmup: 0, repeat: 1 });
};
// Warm-up: every mode once (first runs allocate, JIT compiles the harness).
const warmups = [
  [only.has("batched"), raw, "batch32s"],
  [only.has("single"), raw, "one"],
  [only.has("ceiling"), rawpar, "all"],
  [true, tokclass, "all"],
  [only.has("conc64"), tokclass, "conc64"],
  [only.has("single"), tokclass, "one"],
];
for (const [wanted, inst, mode] of warmups) {
  if (wanted) await time(inst, mode);
}

// Each series' ratio, from one pair's passes.
const RATIOS = {
  batched: (p) => p.tokclassAll / p.rawBatch32s,
  ceiling: (p) => p.tokclassAll / p.rawParallelAll,
  conc64: (p) => p.tokclassConc64 / p.tokclassAll,
  conc64OverRaw: (p) => p.tokclassConc64 / p.rawBatch32s,
  single: (p) => p.tokclassOneP50Ms / p.rawOneP50Ms,
};
// Every series a pair fills; conc64OverRaw needs both batched's raw pass and conc64's.
const series = {};
for (const name of COMPARISONS) if (only.has(name)) series[name] = [];
if (only.has("batched") && only.has("conc64")) series.conc64OverRaw = [];
const samples = [];
for (let k = 0; k < pairs; k++) {
  const tokclassFirst = k % 2 === 1;
  const order = async (x, y) => (tokclassFirst ? [await y(), await x()].reverse() : [await x(), await y()]);
  const pair = {};
  // Times `other` for a comparison with tokclass's whole-array pass: alone when an earlier
  // comparison in this pair timed that pass, else both, alternated with the baseline first in
  // even pairs (the baseline is `other` for raw's passes, the whole-array pass for 64 callers).
  const besideAll = async (other, otherIsBaseline) => {
    if (pair.tokclassAll !== undefined) return (await other()).textsPerSec;
    const all = () => time(tokclass, "all");
    const [first, second] = otherIsBaseline ? await order(other, all) : await order(all, other);
    const [mine, tokAll] = otherIsBaseline ? [first, second] : [second, first];
    pair.tokclassAll = tokAll.textsPerSec;
    return mine.textsPerSec;
  };
  if (only.has("batched")) pair.rawBatch32s = await besideAll(() => time(raw, "batch32s"), true);
  if (only.has("ceiling")) pair.rawParallelAll = await besideAll(() => time(rawpar, "all"), true);
  if (only.has("conc64")) pair.tokclassConc64 = await besideAll(() => time(tokclass, "conc64"), false);
  if (only.has("single")) {
    const [rawOne, tokOne] = await order(() => time(raw, "one"), () => time(tokclass, "one"));
    pair.rawOneP50Ms = rawOne.latencyMs.p50;
    pair.tokclassOneP50Ms = tokOne.latencyMs.p50;
  }
  samples.push(pair);
  for (const [name, xs] of Object.entries(series)) xs.push(RATIOS[name](pair));
  const shown = COMPARISONS.filter((name) => only.has(name)).map((name) => `${name === "single" ? "single p50" : name} ${series[name].at(-1).toFixed(3)}`);
  process.stderr.write(`  pair ${k + 1}/${pairs}: ${shown.join("  ")}\n`);
}
await raw?.dispose();
await rawpar?.dispose();
await tokclass.dispose();

// The issue's targets; "single" is a latency ratio, so lower is better there.
// "ceiling" has no target in the issue; 0.97 is the bar it sets for BERT-base against raw.
// conc64OverRaw reads "one batched call" in the conc64 target as raw's batched call instead.
// The batched target is 1.2x for the embedded model and 0.97x for the BERT-base shape.
const targets = { batched: { at: model.key === "base" ? 0.97 : 1.2, higher: true }, ceiling: { at: 0.97, higher: true }, conc64OverRaw: { at: 0.9, higher: true }, conc64: { at: 0.9, higher: true }, single: { at: 1.1, higher: false } };
const summary = {};
for (const [name, xs] of Object.entries(series)) {
  const t = targets[name];
  const interval = medianInterval(xs);
  summary[name] = {
    median: quantile(xs, 0.5),
    ci95: interval ? { low: interval.low, high: interval.high, coverage: interval.coverage } : null,
    verdict: verdict(interval, t.at, t.higher),
    q1: quantile(xs, 0.25),
    q3: quantile(xs, 0.75),
    min: Math.min(...xs),
    max: Math.max(...xs),
    target: t.at,
    pairsMeetingTarget: xs.filter((x) => (t.higher ? x >= t.at : x <= t.at)).length,
    pairs: xs.length,
  };
}

const label = {
  batched: "tokclass all / raw batch32s (throughput)",
  ceiling: "tokclass all / raw 1 session per core",
  conc64OverRaw: "tokclass conc64 / raw batch32s (throughput)",
  conc64: "tokclass conc64 / tokclass all (throughput)",
  single: "tokclass / raw single-text p50 latency",
};
console.log(`\n== ${model.name}: ${texts.length} CoNLL test sentences, ${pairs} pairs, passes alternated in one process ==`);
for (const [name, s] of Object.entries(summary)) {
  const cmp = targets[name].higher ? ">=" : "<=";
  console.log(
    `  ${label[name].padEnd(44)} median ${s.median.toFixed(3)}x  IQR ${s.q1.toFixed(3)}-${s.q3.toFixed(3)}  range ${s.min.toFixed(2)}-${s.max.toFixed(2)}  ` +
      `(${s.pairsMeetingTarget}/${s.pairs} pairs ${cmp} ${s.target})` +
      (s.ci95 ? `  95% CI of the median ${s.ci95.low.toFixed(3)}-${s.ci95.high.toFixed(3)}: ${s.verdict}` : `  (too few pairs for a 95% CI: ${s.verdict})`),
  );
}
const med = (key) => quantile(samples.map((p) => p[key]), 0.5);
// The host's speed moves between pairs. Raw, whose every run spreads over all cores and waits
// for the slowest at each operator, loses more on a busy host than tokclass's independent
// single-threaded runs, so split the batched ratio by how fast raw ran in that pair.
if (series.batched) {
  const rawMedian = med("rawBatch32s");
  const quiet = series.batched.filter((_, k) => samples[k].rawBatch32s >= rawMedian);
  const busy = series.batched.filter((_, k) => samples[k].rawBatch32s < rawMedian);
  summary.batchedByHost = {
    rawMedianTextsPerSec: rawMedian,
    quieterHalf: { median: quantile(quiet, 0.5), pairs: quiet.length },
    busierHalf: busy.length ? { median: quantile(busy, 0.5), pairs: busy.length } : null,
  };
  console.log(
    `  batched, pairs where raw ran at >= its median speed (quieter host): median ${summary.batchedByHost.quieterHalf.median.toFixed(3)}x (${quiet.length} pairs)` +
      (busy.length ? `; slower (busier host): ${summary.batchedByHost.busierHalf.median.toFixed(3)}x (${busy.length})` : ""),
  );
}
const measured = [
  ["rawBatch32s", "raw batch32s", "texts/s"],
  ["tokclassAll", "tokclass all", "texts/s"],
  ["rawParallelAll", "raw 1 session per core", "texts/s"],
  ["tokclassConc64", "conc64", "texts/s"],
  ["rawOneP50Ms", "single p50 raw", "ms"],
  ["tokclassOneP50Ms", "single p50 tokclass", "ms"],
].filter(([key]) => samples[0][key] !== undefined);
console.log(`  medians: ${measured.map(([key, name, unit]) => `${name} ${med(key).toFixed(unit === "ms" ? 3 : 0)} ${unit}`).join(", ")}`);
if (!a["no-save"]) {
  const file = writeResult("paired", { model: model.name, texts: texts.length, pairs, threads, args: a, summary, samples, info: tokclass.info }, { tag: model.key });
  console.log(`\nwrote ${file}`);
}
