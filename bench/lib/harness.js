// Runs benchmark modes against a competitor instance and times them.
//
// Modes:  one        texts one by one (await each) -> per-text latency
//         batchN     chunks of N texts in corpus order, one call per chunk
//         batchNs    same, texts sorted by token count first (less padding)
//         all        the whole array in one call
//         concN      N concurrent callers, each awaiting one(text) in a loop
import { now, latencyStats, peakRss, resetPeakRss, rssNow, mb } from "./stats.js";

export function parseMode(m) {
  if (m === "one") return { name: m, kind: "one" };
  if (m === "all") return { name: m, kind: "all" };
  let r = m.match(/^batch(\d+)(s?)$/);
  if (r) return { name: m, kind: "batch", size: Number(r[1]), sorted: r[2] === "s" };
  r = m.match(/^conc(\d+)$/);
  if (r) return { name: m, kind: "conc", workers: Number(r[1]) };
  throw new Error(`unknown mode "${m}" (one, all, batchN, batchNs, concN)`);
}

function chunksFor(mode, indices, tokenCounts) {
  if (mode.kind === "all") return [indices];
  const order = mode.sorted ? [...indices].sort((a, b) => tokenCounts[a] - tokenCounts[b] || a - b) : indices;
  const out = [];
  for (let i = 0; i < order.length; i += mode.size) out.push(order.slice(i, i + mode.size));
  return out;
}

async function pass(inst, mode, indices, tokenCounts, { latencies = true } = {}) {
  const lat = [];
  let entities = 0;
  const count = inst.count ?? (() => 0);
  let t0;
  if (mode.kind === "one") {
    t0 = now();
    for (const i of indices) {
      const s = now();
      const r = await inst.one(i);
      lat.push(now() - s);
      entities += count(r);
    }
  } else if (mode.kind === "conc") {
    let next = 0;
    const worker = async () => {
      while (next < indices.length) {
        const i = indices[next++];
        const s = now();
        const r = await inst.one(i);
        lat.push(now() - s);
        entities += count(r);
      }
    };
    t0 = now();
    await Promise.all(Array.from({ length: Math.min(mode.workers, indices.length) }, worker));
  } else {
    const chunks = chunksFor(mode, indices, tokenCounts);
    if (inst.prepareBatches) inst.prepareBatches(chunks);
    t0 = now();
    for (let k = 0; k < chunks.length; k++) {
      const s = now();
      const r = await inst.batch(chunks[k], k);
      lat.push(now() - s);
      entities += count(r);
    }
  }
  const ms = now() - t0;
  return { ms, lat: latencies ? lat : [], entities };
}

/**
 * Times one mode over all texts: a warm-up pass on the first `warmup` texts, then `repeat`
 * timed passes (the fastest is reported; latencies are pooled over passes).
 */
export async function runMode(inst, modeName, tokenCounts, { warmup = 32, repeat = 1 } = {}) {
  const mode = parseMode(modeName);
  const n = tokenCounts.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const canReset = resetPeakRss();
  if (warmup > 0) await pass(inst, mode, all.slice(0, Math.min(warmup, n)), tokenCounts, { latencies: false });
  let best = null;
  const lat = [];
  for (let r = 0; r < repeat; r++) {
    const p = await pass(inst, mode, all, tokenCounts);
    lat.push(...p.lat);
    if (!best || p.ms < best.ms) best = p;
  }
  const tokens = tokenCounts.reduce((a, b) => a + b, 0);
  const s = best.ms / 1000;
  return {
    mode: modeName,
    texts: n,
    tokens,
    seconds: s,
    textsPerSec: n / s,
    tokensPerSec: tokens / s,
    // "one"/"conc": per-text latency; batch modes: per-call (per-chunk) latency
    latencyMs: latencyStats(lat),
    latencyUnit: mode.kind === "one" || mode.kind === "conc" ? "text" : "call",
    peakRssMB: mb(peakRss()),
    peakRssScope: canReset ? "mode" : "process",
    rssAfterMB: mb(rssNow()),
    entities: best.entities,
    repeat,
  };
}

/**
 * Single-text latency micro-benchmark with benchmark.js (deferred, async), for a few texts
 * picked by token count (short / median / long of the set).
 */
export async function microBench(inst, texts, tokenCounts, { maxTime = 2, minSamples = 20 } = {}) {
  const { default: Benchmark } = await import("benchmark");
  const order = tokenCounts.map((c, i) => [c, i]).sort((a, b) => a[0] - b[0]);
  const picks = [
    ["short", order[Math.floor(order.length * 0.1)][1]],
    ["median", order[Math.floor(order.length * 0.5)][1]],
    ["long", order[Math.floor(order.length * 0.99)][1]],
  ];
  const suite = new Benchmark.Suite();
  const errors = [];
  for (const [label, i] of picks) {
    suite.add(`${label} (${tokenCounts[i]} tokens)`, {
      defer: true,
      maxTime,
      minSamples,
      fn(deferred) { inst.one(i).then(() => deferred.resolve(), (e) => { errors.push(e); deferred.resolve(); }); },
    });
  }
  return await new Promise((resolve, reject) => {
    const out = [];
    suite.on("cycle", (ev) => {
      const b = ev.target;
      if (b.error) { reject(b.error); return; }
      out.push({
        name: b.name,
        opsPerSec: b.hz,
        meanMs: b.stats.mean * 1000,
        rmePct: b.stats.rme,
        samples: b.stats.sample.length,
      });
    });
    suite.on("complete", () => (errors.length ? reject(errors[0]) : resolve(out)));
    suite.on("error", (e) => reject(e.target?.error ?? e));
    suite.run({ async: true });
  });
}
