#!/usr/bin/env node
// Soak test: many texts through one classifier, watching memory and the event loop.
//
//   node bench/soak.js [--texts 100000] [--model conll|base|DIR] [--engine tokclass|tjs]
//        [--mode batch|one|conc] [--chunk 500] [--concurrency 64] [--interval 2]
//        [--big 10000] [--big-stream] [--max-growth PCT] [--threads N] [--tokclass-opts JSON] [--no-save]
//
// 1. Soak: --texts CoNLL test sentences (cycled) through one classifier, in classify() calls
//    of --chunk texts (mode batch), one text per call (mode one), or --concurrency callers of
//    one text each (mode conc). RSS is sampled every --interval seconds; the headline growth
//    is from a sample taken after a GC once 10% of the texts are done to the end (after a GC);
//    growth from the start (after the warm-up call and a GC) is reported too.
// 2. Event loop: one classify() call on --big texts while monitorEventLoopDelay records the
//    loop's delay (a native library that works off the main thread keeps it near the
//    timer resolution; a synchronous one blocks it for the whole call), and the RSS the call
//    adds at its peak (sampled every 20 ms). With --big-stream, classifyStream() over a
//    generator of --big texts instead, counting the entities (tokclass only).
// --max-growth PCT makes the exit code 1 when RSS grew more than PCT percent.
import os from "node:os";
import v8 from "node:v8";
import vm from "node:vm";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { exitWithUsageIf } from "./lib/usage.js";
import { loadTexts } from "./lib/conll.js";
import { resolveModel } from "./lib/models.js";
import { SkipError } from "./lib/competitors.js";
import { createEngine } from "./lib/engines.js";
import { now, rssNow, mb, fmt, peakRss, handleCounts } from "./lib/stats.js";
import { writeResult } from "./lib/results.js";

const { values: a } = parseArgs({
  options: {
    texts: { type: "string", default: process.env.SOAK_TEXTS ?? "100000" },
    model: { type: "string", default: "conll" },
    engine: { type: "string", default: "tokclass" },
    mode: { type: "string", default: "batch" },
    chunk: { type: "string", default: "500" },
    concurrency: { type: "string", default: "64" },
    interval: { type: "string", default: "2" },
    big: { type: "string", default: "10000" },
    "big-stream": { type: "boolean", default: false },
    "max-growth": { type: "string" },
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

v8.setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? vm.runInNewContext("gc");
const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); } };

/**
 * Max gap between 5 ms timer ticks. Unlike monitorEventLoopDelay's histogram, this also
 * catches a loop that stays blocked for the whole measured call (then the histogram has no
 * sample at all).
 */
function gapMonitor(every = 5) {
  const start = now();
  let last = start, maxGap = 0, ticks = 0;
  const t = setInterval(() => { const n = now(); maxGap = Math.max(maxGap, n - last); last = n; ticks++; }, every);
  return {
    stop() {
      clearInterval(t);
      const n = now();
      maxGap = Math.max(maxGap, n - last);
      return { maxBlockedMs: Math.max(0, maxGap - every), ticks, expectedTicks: Math.floor((n - start) / every) };
    },
  };
}

const N = Number(a.texts);
const chunk = Number(a.chunk);
const model = resolveModel(a.model);
const threads = a.threads ? Number(a.threads) : os.availableParallelism();
let engine;
try {
  engine = await createEngine(a.engine, model, { threads, modelFile: a["model-file"], device: a.device });
} catch (e) {
  if (e instanceof SkipError) { console.log(`soak: SKIPPED — ${e.message}`); process.exit(0); }
  throw e;
}
const pool = loadTexts(); // the whole test split (3,453 sentences), cycled
const textAt = (i) => pool[i % pool.length];
console.log(`soak — ${model.name}, engine ${engine.name}, ${N.toLocaleString("en-US")} texts, mode ${a.mode}, threads ${threads}`);

// warm-up, then baseline
await engine.classify(pool.slice(0, Math.min(chunk, 500)));
await settle();
const t0 = now();
const samples = [];
const sample = (done) => {
  const m = process.memoryUsage();
  const h = handleCounts();
  // V8's share of RSS (its heap's resident pages), so that growth can be told apart: V8 sizing
  // its heap, or native memory (tokclass's, ONNX Runtime's, the allocator's arenas).
  const v8PhysicalMB = mb(v8.getHeapStatistics().total_physical_size);
  samples.push({ s: (now() - t0) / 1000, done, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), v8PhysicalMB, externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers), fds: h.fds, threads: h.threads, resources: h.resources });
};
let done = 0;
sample(0);
const timer = setInterval(() => sample(done), Number(a.interval) * 1000);
const loopAll = monitorEventLoopDelay({ resolution: 10 });
loopAll.enable();
const gapAll = gapMonitor();

// The baseline for growth: RSS after a full GC once a tenth of the texts went through (the
// allocator arenas of every thread and V8's heap have reached their working size by then),
// compared with RSS after a full GC at the end. Both after a GC, so V8's heap sizing (which
// swings RSS by 10-20 MB either way) does not count as growth or hide it.
let at10 = null;
const markTenth = async () => {
  if (at10 != null || done < N / 10) return;
  await settle();
  const m = process.memoryUsage();
  at10 = { s: (now() - t0) / 1000, done, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), v8PhysicalMB: mb(v8.getHeapStatistics().total_physical_size), afterGc: true };
  samples.push({ ...at10, externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers) });
};
if (a.mode === "batch") {
  for (let i = 0; i < N; i += chunk) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + chunk); j++) batch.push(textAt(j));
    await engine.classify(batch);
    done += batch.length;
    await markTenth();
  }
} else if (a.mode === "one") {
  for (let i = 0; i < N; i++) { await engine.classify(textAt(i)); done++; await markTenth(); }
} else if (a.mode === "conc") {
  let next = 0;
  const worker = async () => { while (next < N) { const i = next++; await engine.classify(textAt(i)); done++; } };
  await Promise.all(Array.from({ length: Number(a.concurrency) }, worker));
} else throw new Error(`unknown mode ${a.mode} (batch, one, conc)`);

const soakS = (now() - t0) / 1000;
loopAll.disable();
const gapsAll = gapAll.stop();
clearInterval(timer);
sample(done);
await settle();
sample(done);

const base = samples[0].rssMB;
const end = samples[samples.length - 1].rssMB;
const maxRss = Math.max(...samples.map((s) => s.rssMB));
// least-squares slope of RSS over the second half of the run, MB per 10,000 texts
const half = samples.filter((s) => s.done >= N / 2);
let slope = null;
if (half.length >= 3) {
  const xs = half.map((s) => s.done / 1e4), ys = half.map((s) => s.rssMB);
  const mx = xs.reduce((p, x) => p + x, 0) / xs.length, my = ys.reduce((p, y) => p + y, 0) / ys.length;
  const sxx = xs.reduce((p, x) => p + (x - mx) ** 2, 0);
  slope = sxx ? xs.reduce((p, x, i) => p + (x - mx) * (ys[i] - my), 0) / sxx : null;
}
const growthFromStartPct = ((end - base) / base) * 100;
// headline: growth after the first 10% of texts (allocator arenas and caches have settled);
// mode conc has no point to stop at, so there it is the first periodic sample past 10%.
if (at10 == null) at10 = samples.find((x) => x.done >= N / 10 && x.done > 0) ?? samples[0];
const growthPct = ((end - at10.rssMB) / at10.rssMB) * 100;

console.log(`  ${done.toLocaleString("en-US")} texts in ${soakS.toFixed(1)} s (${fmt(done / soakS)} texts/s)`);
console.log(`  RSS: start ${base} MB, at 10% ${at10.rssMB} MB, max ${maxRss} MB, end ${end} MB -> growth ${growthPct.toFixed(1)}% from the 10% mark (${growthFromStartPct.toFixed(1)}% from start)` +
  (slope != null ? `, second-half slope ${slope.toFixed(2)} MB / 10k texts` : ""));
// The same growth outside V8's heap (RSS less V8's resident pages): native memory.
const outside = (x) => (x.v8PhysicalMB == null ? null : x.rssMB - x.v8PhysicalMB);
const last = samples[samples.length - 1];
if (outside(at10) != null && outside(last) != null)
  console.log(`  outside V8's heap: ${outside(at10).toFixed(1)} MB at 10%, ${outside(last).toFixed(1)} MB at the end (V8's heap ${at10.v8PhysicalMB} -> ${last.v8PhysicalMB} MB)`);
const firstH = samples[0], lastH = samples[samples.length - 1];
const handles = { fds: [firstH.fds, lastH.fds], threads: [firstH.threads, lastH.threads], resources: [firstH.resources, lastH.resources] };
console.log(`  handles (start -> end, after GC): fds ${handles.fds.join(" -> ")}, threads ${handles.threads.join(" -> ")}, active resources ${handles.resources.join(" -> ")}`);
console.log(`  event loop during soak: longest block ${gapsAll.maxBlockedMs.toFixed(1)} ms; monitorEventLoopDelay max ${(loopAll.max / 1e6).toFixed(2)} ms, p99 ${(loopAll.percentile(99) / 1e6).toFixed(2)} ms`);

// event-loop delay during one large batch
const big = Number(a.big);
let bigRes = null;
if (big > 0) {
  const streamed = a["big-stream"];
  if (streamed && engine.stream === undefined) throw new Error(`--big-stream: engine ${engine.name} has no stream`);
  const texts = streamed ? null : Array.from({ length: big }, (_, i) => textAt(i));
  await settle();
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const gap = gapMonitor();
  // RSS over the call, sampled by a timer (the process's peak would include the soak's).
  const rssBefore = rssNow();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssNow()); }, 20);
  const s = now();
  // How many results came back: one per text.
  let results = null;
  if (streamed) {
    // Read as the stream asks for them, so only the chunks in flight are ever held.
    function* source() { for (let i = 0; i < big; i++) yield textAt(i); }
    results = 0;
    for await (const _ of engine.stream(source())) results++;
  } else {
    const out = await engine.classify(texts);
    if (Array.isArray(out)) results = out.length;
  }
  const bigS = (now() - s) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssNow());
  h.disable();
  const g = gap.stop();
  bigRes = {
    texts: big, streamed, seconds: bigS, textsPerSec: big / bigS, results,
    rssMB: { before: mb(rssBefore), peak: mb(rssPeak), growth: mb(rssPeak - rssBefore) },
    maxBlockedMs: g.maxBlockedMs,
    monitorEventLoopDelayMs: { max: h.max / 1e6, p99: h.percentile(99) / 1e6, p50: h.percentile(50) / 1e6, mean: h.mean / 1e6, samples: h.count },
    timerTicks5ms: g.ticks, expectedTicks: g.expectedTicks,
  };
  console.log(`  ${streamed ? "classifyStream() of" : "one classify() of"} ${big.toLocaleString("en-US")} texts: ${bigS.toFixed(2)} s (${fmt(big / bigS)} texts/s); RSS ${fmt(bigRes.rssMB.before)} MB, peak +${fmt(bigRes.rssMB.growth)} MB during the call; event loop: longest block ${g.maxBlockedMs.toFixed(1)} ms, ` +
    `monitorEventLoopDelay max ${bigRes.monitorEventLoopDelayMs.max.toFixed(2)} ms over ${h.count} samples; 5 ms timer fired ${g.ticks}/${g.expectedTicks}`);
}
await engine.dispose?.();

const result = {
  model: model.name, engine: engine.name, mode: a.mode, chunk, texts: done, threads,
  seconds: soakS, textsPerSec: done / soakS,
  rss: { startMB: base, at10PctMB: at10.rssMB, at10AfterGc: at10.afterGc === true, maxMB: maxRss, endMB: end, growthPct, growthFromStartPct, slopeMBPer10kTexts: slope, processPeakMB: mb(peakRss()), outsideV8At10PctMB: outside(at10), outsideV8EndMB: outside(last) },
  handles,
  loopDuringSoak: { maxBlockedMs: gapsAll.maxBlockedMs, monitorEventLoopDelayMs: { max: loopAll.max / 1e6, p99: loopAll.percentile(99) / 1e6, mean: loopAll.mean / 1e6 } },
  bigBatch: bigRes,
  samples,
};
if (!a["no-save"]) {
  const file = writeResult("soak", result, { tag: model.name });
  console.log(`wrote ${file}`);
}
const limit = a["max-growth"] != null ? Number(a["max-growth"]) : null;
if (limit != null && growthPct > limit) {
  console.log(`FAIL: RSS grew ${growthPct.toFixed(1)}% > ${limit}%`);
  process.exit(1);
}
process.exit(0);
