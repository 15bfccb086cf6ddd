#!/usr/bin/env node
// Throughput of tokclass end to end against bare ONNX Runtime on the same batches.
//
// For each model file (default: the BERT-base shape in fp32 and fp16):
//   raw       bench/gpu/ort_raw (C++): tokclass's own Session and PlanBatches, every batch padded
//             before the clock starts; only Session::run is timed (inputs to the device, the
//             model, logits back). The ceiling.
//   tokclass  TokenClassifier.classify(all texts) in one call: tokenizing, batching, running,
//             softmax, aggregation "simple", entities into JavaScript. Same library, same token
//             budget and row cap, so the same sorted batches (when info().batched).
//   conc64    (--conc) 64 concurrent callers, each awaiting classify(oneText): the server case.
// Texts: the first --texts CoNLL-2003 test sentences (words joined by spaces).
//
// usage: node bench/gpu/throughput.js [--device cuda|cpu] [--model-dir DIR] [--files a.onnx,b.onnx]
//          [--texts 2048] [--repeat 5] [--warmup 1] [--budget N] [--max-rows N] [--threads N]
//          [--ort LIB] [--raw PATH] [--conc] [--tokclass-opts JSON] [--out DIR]
// --tokclass-opts (env TOKCLASS_OPTS): extra TokenClassifier.load options, e.g. '{"parallelRuns":2}'.
// Prints a table; writes DIR/gpu-throughput-<device>-<date>.json (default bench/results/tmp).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadTexts } from "../lib/conll.js";
import { ROOT, importTokclass, machine, parseArgs, runtimeLibrary, stamp, writeResult } from "./common.js";

const args = parseArgs(process.argv.slice(2), {
  device: "cuda",
  modelDir: path.join(ROOT, "bench", "models", "bert-base-shape-gen"),
  files: "model.onnx,model_fp16.onnx",
  texts: "2048",
  repeat: "5",
  warmup: "1",
  budget: "",
  maxRows: "",
  threads: "",
  ort: "",
  raw: process.env.TOKCLASS_ORT_RAW || "/tmp/tokclass-G/tools/ort_raw",
  conc: false,
  tokclassOpts: process.env.TOKCLASS_OPTS || "",
  out: process.env.BENCH_RESULTS_DIR || path.join(ROOT, "bench", "results", "tmp"),
});
const onGpu = args.device === "cuda";
const budget = Number(args.budget || (onGpu ? 65536 : 8192)); // tokclass's defaults per device
const maxRows = Number(args.maxRows || (onGpu ? 256 : 16));
const threads = Number(args.threads || os.availableParallelism());
const repeat = Number(args.repeat);
const warmup = Number(args.warmup);
const ort = await runtimeLibrary(args.ort);
const { TokenClassifier, Tokenizer } = await importTokclass();

const texts = loadTexts(Number(args.texts));
const modelDir = path.resolve(args.modelDir);
const log = (...a) => console.log("[throughput]", ...a);

// Token ids exactly as tokclass makes them (its own tokenizer, 512-token window), for ort_raw.
const tokenizer = await Tokenizer.fromFile(path.join(modelDir, "tokenizer.json"));
const encodings = await tokenizer.encode(texts, { maxLength: 512 });
const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer_config.json"), "utf8"));
const padId = tokenizerConfig.pad_token ? (tokenizer.tokenToId(tokenizerConfig.pad_token) ?? 0) : 0;
const idsFile = path.join(os.tmpdir(), `tokclass-gpu-ids-${process.pid}.bin`);
{
  const total = encodings.reduce((a, e) => a + 1 + e.ids.length, 1);
  const buf = Buffer.alloc(total * 4);
  let o = buf.writeUInt32LE(encodings.length, 0);
  for (const e of encodings) {
    o = buf.writeUInt32LE(e.ids.length, o);
    for (const id of e.ids) o = buf.writeUInt32LE(id, o);
  }
  fs.writeFileSync(idsFile, buf);
}
const tokens = encodings.reduce((a, e) => a + e.ids.length, 0);
log(`${texts.length} texts, ${tokens} tokens (mean ${(tokens / texts.length).toFixed(1)}), device ${args.device}, budget ${budget}, max rows ${maxRows}, ORT ${ort}`);

function runRaw(file) {
  if (!fs.existsSync(args.raw)) return { skipped: `${args.raw} not found (bench/gpu/prepare.sh builds it)` };
  const argv = ["--ort", ort, "--model", path.join(modelDir, file), "--ids", idsFile, "--device", args.device,
    "--budget", String(budget), "--max-rows", String(maxRows), "--pad-id", String(padId), "--threads", String(threads),
    "--tf32", "0", "--warmup", String(warmup), "--repeat", String(repeat)];
  const r = spawnSync(args.raw, argv, { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status} ${r.signal ?? ""}`).trim() };
  return JSON.parse(r.stdout);
}

async function runTokclass(file) {
  const t0 = performance.now();
  const clf = await TokenClassifier.load(modelDir, {
    device: args.device, modelFile: file, runtimeLibrary: ort, cudaTf32: false,
    tokenBudget: budget, maxBatchSize: maxRows, intraOpThreads: threads,
    ...(args.tokclassOpts ? JSON.parse(args.tokclassOpts) : {}),
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const info = clf.info();
  const opts = { aggregationStrategy: "simple", ignoreLabels: ["O"] };
  try {
    const tw = performance.now();
    let entities = 0;
    for (let i = 0; i < warmup; i++) entities = (await clf.classify(texts, opts)).reduce((a, r) => a + r.length, 0);
    const warmupSeconds = (performance.now() - tw) / 1000;
    const passes = [];
    for (let i = 0; i < repeat; i++) {
      const s = performance.now();
      const r = await clf.classify(texts, opts);
      passes.push((performance.now() - s) / 1000);
      entities = r.reduce((a, x) => a + x.length, 0);
    }
    const sorted = [...passes].sort((a, b) => a - b);
    const best = sorted[0];
    const median = sorted[Math.floor(sorted.length / 2)];
    const out = { info, loadSeconds, warmupSeconds, passSeconds: passes, bestSeconds: best, medianSeconds: median,
      textsPerSec: texts.length / best, medianTextsPerSec: texts.length / median, tokensPerSec: tokens / best, entities };
    if (args.conc) {
      const concPass = async () => {
        let next = 0;
        const s = performance.now();
        await Promise.all(Array.from({ length: 64 }, async () => {
          while (next < texts.length) await clf.classify(texts[next++], opts);
        }));
        return (performance.now() - s) / 1000;
      };
      // One untimed pass first: the rounds' small batches bring shapes the batched passes never
      // ran (on CUDA, new shapes can cost kernel selection and allocations the first time).
      await concPass();
      const before = clf.stats();
      const concPasses = [];
      for (let i = 0; i < repeat; i++) concPasses.push(await concPass());
      const after = clf.stats();
      const per = (k) => Math.round(((after[k] - before[k]) / repeat) * 100) / 100;
      const bestConc = Math.min(...concPasses);
      out.conc64 = {
        passSeconds: concPasses, bestSeconds: bestConc, textsPerSec: texts.length / bestConc,
        // Where a pass's time went (scheduler counters, per pass): rounds and their stages.
        perPass: { rounds: per("rounds"), textsPerRound: Math.round((after.texts - before.texts) / Math.max(1, after.rounds - before.rounds)),
          tokenizeMs: per("tokenizeMs"), inferMs: per("inferMs"), postprocessMs: per("postprocessMs"), deliverMs: per("deliverMs") },
      };
    }
    return out;
  } finally {
    await clf.dispose();
  }
}

const results = [];
try {
  for (const file of args.files.split(",").filter(Boolean)) {
    if (!fs.existsSync(path.join(modelDir, file))) {
      results.push({ file, skipped: `${path.join(modelDir, file)} not found` });
      log(`${file}: not found, skipped`);
      continue;
    }
    const raw = runRaw(file);
    log(`${file} raw: ${raw.textsPerSec ? `${raw.textsPerSec.toFixed(0)} texts/s (${raw.batches} batches, ${raw.provider})` : JSON.stringify(raw)}`);
    let tok;
    try {
      tok = await runTokclass(file);
    } catch (e) {
      tok = { error: `${e.code ?? ""} ${e.message}`.trim() };
    }
    log(`${file} tokclass: ${tok.textsPerSec ? `${tok.textsPerSec.toFixed(0)} texts/s (${tok.info.executionProvider}, batched ${tok.info.batched})` : tok.error}`);
    const ratio = raw.textsPerSec && tok.textsPerSec ? tok.textsPerSec / raw.textsPerSec : null;
    results.push({ file, raw, tokclass: tok, ratio });
  }
} finally {
  fs.rmSync(idsFile, { force: true });
}

console.log("\nmodel file            raw texts/s   tokclass texts/s   ratio   conc64 texts/s   batched");
for (const r of results) {
  if (r.skipped) {
    console.log(`${r.file.padEnd(20)}  skipped: ${r.skipped}`);
    continue;
  }
  const f = (x) => (typeof x === "number" ? x.toFixed(0) : "-");
  console.log(`${r.file.padEnd(20)}  ${f(r.raw.textsPerSec).padStart(11)}   ${f(r.tokclass.textsPerSec).padStart(16)}   ${r.ratio ? r.ratio.toFixed(2).padStart(5) : "    -"}   ${f(r.tokclass.conc64?.textsPerSec).padStart(14)}   ${r.tokclass.info?.batched ?? "-"}`);
}
const result = {
  kind: "gpu-throughput",
  date: new Date().toISOString(),
  machine: machine(),
  device: args.device,
  runtimeLibrary: ort,
  modelDir: path.relative(ROOT, modelDir) || modelDir,
  texts: texts.length,
  tokens,
  budget,
  maxRows,
  threads,
  tokclassOpts: args.tokclassOpts ? JSON.parse(args.tokclassOpts) : null,
  repeat,
  warmup,
  acceptance: "fp16 BERT-base shape on one H100: tokclass >= 3,000 texts/s end to end and >= 0.8x bare ORT CUDA on the same batches",
  results,
};
const file = writeResult(args.out, `gpu-throughput-${args.device}-${stamp()}.json`, result);
log(`wrote ${file}`);
const failed = results.some((r) => r.raw?.error || r.tokclass?.error);
process.exit(failed ? 1 : 0);
