#!/usr/bin/env node
// Throughput / latency comparison: tokclass vs raw onnxruntime-node vs transformers.js.
//
//   npm run bench -- [--models conll,base] [--competitors raw,rawpar,tjs,tokclass] [--texts N]
//                    [--modes one,batch32s,...] [--threads N] [--repeat R] [--warmup W]
//                    [--model-file model_quantized.onnx] [--micro] [--micro-time S]
//                    [--no-throughput] [--inline] [--no-save] [--split test]
//
// Each (model, competitor) runs in its own child process (clean peak RSS, no thread pools
// competing), on the same texts: the first N CoNLL-2003 test sentences (default 1,000 for
// bert-cased-conll, 300 for the BERT-base shape). See bench/README.md.
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { COMPETITORS } from "./lib/competitors.js";
import { MODELS } from "./lib/models.js";
import { fmt, median, medianInterval, table } from "./lib/stats.js";
import { writeResult, machineInfo } from "./lib/results.js";

const here = path.dirname(fileURLToPath(import.meta.url));

const { values: a } = parseArgs({
  options: {
    models: { type: "string", default: process.env.BENCH_MODELS ?? "conll,base" },
    competitors: { type: "string", default: process.env.BENCH_COMPETITORS ?? "raw,rawpar,tjs,tokclass" },
    texts: { type: "string", default: process.env.BENCH_TEXTS }, // N, or conll=1000,base=300
    modes: { type: "string", default: process.env.BENCH_MODES }, // one,all,batch32,batch32s,conc64; or tokclass=one+all,raw=one
    threads: { type: "string", default: process.env.BENCH_THREADS },
    repeat: { type: "string", default: process.env.BENCH_REPEAT ?? "1" },
    rounds: { type: "string", default: process.env.BENCH_ROUNDS ?? "1" },
    warmup: { type: "string", default: process.env.BENCH_WARMUP ?? "32" },
    "model-file": { type: "string", default: process.env.BENCH_MODEL_FILE ?? "model.onnx" },
    device: { type: "string", default: process.env.BENCH_DEVICE ?? "cpu" },
    "tokclass-opts": { type: "string", default: process.env.TOKCLASS_OPTS }, // JSON LoadOptions
    split: { type: "string", default: "test" },
    offset: { type: "string", default: "0" },
    micro: { type: "boolean", default: false },
    "micro-time": { type: "string", default: "2" },
    "no-throughput": { type: "boolean", default: false },
    inline: { type: "boolean", default: false },
    "no-save": { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (a.help) {
  console.log(`usage: npm run bench -- [options]
  --models conll,base          model keys (conll = models/bert-cased-conll, base = bench/models/bert-base-shape) or folder paths
  --competitors raw,rawpar,tjs,tokclass   (rawpar: one single-threaded session per core, worker threads)
  --texts N | conll=1000,base=300   CoNLL sentences per model (env BENCH_TEXTS)
  --modes one,all,...          override modes for all competitors, or per competitor: tokclass=one+conc64,raw=one
                               (one | all | batchN | batchNs (sorted by length) | concN)
  --threads N                  intra-op threads for every engine (default: all cores)
  --repeat R --warmup W        timed passes (best kept) and warm-up texts per mode
  --rounds K                   run every competitor K times, interleaved (raw, tjs, tokclass, raw, ...),
                               and report medians: ratios are taken within each round, so the
                               host's drift in speed (large on a shared VM) does not skew them
  --model-file F               model.onnx (default) | model_quantized.onnx | model_fp16.onnx
  --device cpu|cuda            tokclass device (raw and transformers.js are CPU only here)
  --tokclass-opts JSON         extra TokenClassifier.load options, e.g. '{"batchWaitMs":0}' (env TOKCLASS_OPTS)
  --micro [--micro-time S]     benchmark.js single-text latency (short/median/long text)
  --no-throughput              only the micro-benchmarks
  --inline                     run in this process (no child processes; RSS less meaningful)
  --no-save                    don't write bench/results/*.json`);
  process.exit(0);
}

const cores = os.availableParallelism?.() ?? os.cpus().length;
const threads = a.threads ? Number(a.threads) : cores;
const models = a.models.split(",").filter(Boolean);
const competitors = a.competitors.split(",").filter(Boolean);
for (const c of competitors) if (!COMPETITORS[c]) throw new Error(`unknown competitor ${c} (${Object.keys(COMPETITORS)})`);

function perKey(spec, key, parse) {
  if (spec == null || spec === "") return undefined;
  if (!spec.includes("=")) return parse(spec);
  for (const part of spec.split(",")) {
    const [k, v] = part.split("=");
    if (k === key) return parse(v);
  }
  return undefined;
}
const textsFor = (m) => perKey(a.texts, m, Number);
const modesFor = (c) => perKey(a.modes, c, (v) => v.split(/[+,]/).filter(Boolean));

function runChild(cfg) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, "lib", "worker.js"), JSON.stringify(cfg)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("@@RESULT "));
      if (line) resolve(JSON.parse(line.slice(9)));
      else resolve({ competitor: cfg.competitor, model: cfg.model, error: `worker exited ${code} without a result:\n${out.slice(-2000)}` });
    });
  });
}

async function runOne(cfg) {
  if (a.inline) {
    const { runCompetitor } = await import("./lib/worker.js");
    return runCompetitor(cfg).catch((e) => ({ competitor: cfg.competitor, model: cfg.model, error: String(e?.stack ?? e) }));
  }
  return runChild(cfg);
}

function best(rows, comp, modes) {
  const r = rows.filter((x) => x.competitor === comp && (!modes || modes.includes(x.mode)));
  return r.length ? r.reduce((p, x) => (x.textsPerSec > p.textsPerSec ? x : p)) : null;
}

function ratios(rows) {
  const get = (c, m) => rows.find((x) => x.competitor === c && x.mode === m) ?? null;
  const ratio = (x, y) => (x && y ? x.textsPerSec / y.textsPerSec : null);
  const out = {};
  const pairs = [
    ["tokclass/raw one-by-one", get("tokclass", "one"), get("raw", "one")],
    ["tokclass/raw best", best(rows, "tokclass"), best(rows, "raw")],
    ["tokclass all / raw batch32s", get("tokclass", "all"), get("raw", "batch32s")],
    ["tokclass all / raw 1 session per core (the model's own ceiling)", get("tokclass", "all"), get("rawpar", "all")],
    ["tokclass/transformers.js one-by-one", get("tokclass", "one"), get("tjs", "one")],
    ["tokclass/transformers.js best", best(rows, "tokclass"), best(rows, "tjs")],
    ["tokclass all / transformers.js batch32", get("tokclass", "all"), get("tjs", "batch32")],
    ["tokclass conc64 / transformers.js one-by-one", get("tokclass", "conc64"), get("tjs", "one")],
    ["transformers.js/raw one-by-one (context)", get("tjs", "one"), get("raw", "one")],
    ["tokclass conc64 / tokclass all", get("tokclass", "conc64"), get("tokclass", "all")],
  ];
  for (const [k, x, y] of pairs) {
    const r = ratio(x, y);
    if (r != null) out[k] = { ratio: Math.round(r * 1000) / 1000, of: `${x.competitor}:${x.mode}`, over: `${y.competitor}:${y.mode}` };
  }
  // Latency, not throughput: lower is better for tokclass.
  const [one, rawOne] = [get("tokclass", "one"), get("raw", "one")];
  if (one && rawOne) {
    out["tokclass/raw single-text p50 latency"] = {
      ratio: Math.round((one.latencyMs.p50 / rawOne.latencyMs.p50) * 1000) / 1000, of: "tokclass:one p50", over: "raw:one p50",
    };
  }
  return out;
}


// Over rounds: each (competitor, mode) row is the round with the median throughput, its p50
// latency the median of the rounds' p50s; each ratio is the median of the per-round ratios.
function medianRows(roundRows) {
  const groups = new Map();
  for (const rows of roundRows) for (const r of rows) {
    const key = `${r.competitor}:${r.mode}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((x, y) => x.textsPerSec - y.textsPerSec);
    const mid = sorted[(sorted.length - 1) >> 1];
    return { ...mid, latencyMs: { ...mid.latencyMs, p50: median(g.map((r) => r.latencyMs.p50)) }, rounds: g.length };
  });
}
function medianRatios(roundRatios) {
  const out = {};
  for (const k of new Set(roundRatios.flatMap((r) => Object.keys(r)))) {
    const vals = roundRatios.map((r) => r[k]?.ratio).filter((v) => v != null);
    const any = roundRatios.find((r) => r[k])[k];
    // With 6 rounds or more, a distribution-free 95% interval of the median (bench/lib/stats.js).
    const ci = medianInterval(vals);
    out[k] = {
      ...any, ratio: Math.round(median(vals) * 1000) / 1000, min: Math.min(...vals), max: Math.max(...vals), rounds: vals.length,
      ...(ci ? { ci95: { low: ci.low, high: ci.high, coverage: ci.coverage } } : {}),
    };
  }
  return out;
}

const machine = machineInfo();
if (!a.quiet) {
  console.log(`tokclass bench — ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}, transformers.js ${machine.transformersJs}, threads ${threads}, ${a["model-file"]}, ${a.device}`);
}

const report = { args: a, threads, models: {} };
let failures = 0;
const roundCount = Math.max(1, Number(a.rounds) || 1);
for (const m of models) {
  const texts = textsFor(m) ?? MODELS[m]?.defaultTexts;
  const perRound = [];
  for (let round = 0; round < roundCount; round++) {
  if (roundCount > 1 && !a.quiet) console.log(`[${m}] round ${round + 1}/${roundCount}`);
  const rows = [];
  const runs = [];
  for (const c of competitors) {
    const cfg = {
      competitor: c, model: m, texts, threads, threadsExplicit: Boolean(a.threads),
      modes: modesFor(c),
      modelFile: a["model-file"],
      device: a.device,
      tokclassOpts: a["tokclass-opts"] ? JSON.parse(a["tokclass-opts"]) : undefined,
      split: a.split, offset: Number(a.offset),
      repeat: Number(a.repeat), warmup: Number(a.warmup),
      micro: a.micro, microTime: Number(a["micro-time"]),
      throughput: !a["no-throughput"],
      verbose: !a.quiet,
    };
    const r = await runOne(cfg);
    runs.push(r);
    if (r.skipped) { console.log(`[${m}] ${c}: SKIPPED — ${r.skipped}`); continue; }
    if (r.error) { failures++; console.log(`[${m}] ${c}: ERROR — ${r.error}`); continue; }
    for (const x of r.modes) rows.push({ ...x, competitor: c, label: r.label, model: r.modelName });
  }
  perRound.push({ rows, runs, ratios: ratios(rows) });
  }
  const rows = roundCount > 1 ? medianRows(perRound.map((p) => p.rows)) : perRound[0].rows;
  const runs = perRound.flatMap((p) => p.runs);
  const rat = roundCount > 1 ? medianRatios(perRound.map((p) => p.ratios)) : perRound[0].ratios;
  report.models[m] = { texts, runs, ratios: rat, ...(roundCount > 1 ? { rounds: perRound.map((p) => p.ratios) } : {}) };
  if (rows.length) {
    console.log(`\n== ${rows[0].model}: ${rows[0].texts} CoNLL ${a.split} sentences, ${rows[0].tokens} tokens ==`);
    console.log(table(rows, [
      { title: "competitor", get: (r) => r.label },
      { title: "mode", get: (r) => r.mode },
      { title: "texts/s", get: (r) => fmt(r.textsPerSec) },
      { title: "tokens/s", get: (r) => fmt(r.tokensPerSec) },
      { title: "p50 ms", get: (r) => fmt(r.latencyMs.p50, 2) + (r.latencyUnit === "call" ? "*" : "") },
      { title: "p99 ms", get: (r) => fmt(r.latencyMs.p99, 2) + (r.latencyUnit === "call" ? "*" : "") },
      { title: "peak RSS MB", get: (r) => fmt(r.peakRssMB) },
      { title: "entities", get: (r) => (r.competitor.startsWith("raw") ? "-" : r.entities) },
    ]));
    console.log("  (* = per call/chunk latency; otherwise per text, including queueing for concN)");
  }
  if (roundCount > 1) console.log(`  (medians of ${roundCount} interleaved rounds; ratios taken within each round, range in brackets; from 6 rounds, the median's 95% confidence interval)`);
  for (const [k, v] of Object.entries(rat)) {
    const range = (v.rounds > 1 ? ` [${v.min.toFixed(2)}–${v.max.toFixed(2)}]` : "") + (v.ci95 ? ` 95% CI ${v.ci95.low.toFixed(2)}–${v.ci95.high.toFixed(2)}` : "");
    console.log(`  ${k}: ${v.ratio.toFixed(2)}x${range}  (${v.of} vs ${v.over})`);
  }
  const micro = runs.filter((r) => r.micro);
  if (micro.length) {
    console.log(`\n  single-text latency (benchmark.js):`);
    for (const r of micro) for (const b of r.micro) {
      console.log(`    ${r.label.padEnd(22)} ${b.name.padEnd(22)} ${fmt(b.meanMs, 3).padStart(8)} ms  ±${b.rmePct.toFixed(1)}%  ${fmt(b.opsPerSec)} ops/s  (${b.samples} samples)`);
    }
  }
}

if (!a["no-save"]) {
  const file = writeResult("bench", report, { tag: models.join("+") });
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
process.exit(failures ? 1 : 0);
