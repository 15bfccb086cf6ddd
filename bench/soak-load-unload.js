#!/usr/bin/env node
// Soak test of the classifier lifecycle: load a model, (optionally) classify, dispose — N times —
// sampling what a leak would grow: RSS, open file descriptors (/proc/self/fd), OS threads
// (/proc/self/status), and the event loop's active resources (process.getActiveResourcesInfo).
//
//   node bench/soak-load-unload.js [--iterations 1000] [--model DIR] [--classify N]
//        [--concurrent K] [--no-dispose] [--every 50] [--warmup 50] [--max-rss-growth MB]
//
// --classify N   texts classified between load and dispose (default 1; 0 = load/dispose only)
// --concurrent K K classifiers alive at once per round (default 1)
// --no-dispose   drop classifiers without dispose() and rely on GC (the finalizer path)
// --gc-every N   force a full GC every N iterations (default 0: leave it to V8, which does not
//                see the native memory of a model and so may keep many dropped ones alive)
// Growth is measured from the first sample after --warmup iterations (after a GC) to the end
// (after a GC). Exit code 1 when file descriptors, threads or active resources grew, or RSS
// grew by more than --max-rss-growth MB (default 64).
// Uses the compiled package (dist/; `npm run build:ts`) and the addon it finds
// (build/Release or $TOKCLASS_ADDON).
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { exitWithUsageIf } from "./lib/usage.js";
import v8 from "node:v8";
import vm from "node:vm";
import { handleCounts } from "./lib/stats.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: a } = parseArgs({
  options: {
    iterations: { type: "string", default: "1000" },
    model: { type: "string", default: join(root, "test", "fixtures", "models", "bert-tiny-uncased") },
    classify: { type: "string", default: "1" },
    concurrent: { type: "string", default: "1" },
    "no-dispose": { type: "boolean", default: false },
    "gc-every": { type: "string", default: "0" },
    every: { type: "string", default: "50" },
    warmup: { type: "string", default: "50" },
    "max-rss-growth": { type: "string", default: "64" },
    help: { type: "boolean", short: "h", default: false },
  },
});
exitWithUsageIf(a.help, import.meta.url);
const iterations = Number(a.iterations);
const perLoad = Number(a.classify);
const concurrent = Number(a.concurrent);
const every = Number(a.every);
const gcEvery = Number(a["gc-every"]);
const warmup = Math.min(Number(a.warmup), Math.max(0, iterations - 1));

const entry = join(root, "dist", "index.js");
if (!existsSync(entry)) {
  console.error(`soak-load-unload: ${entry} is missing; run \`npm run build:ts\` first`);
  process.exit(2);
}
const { TokenClassifier } = await import(pathToFileURL(entry).href);

v8.setFlagsFromString("--expose-gc");
const gc = globalThis.gc ?? vm.runInNewContext("gc");
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};

function sample(iteration) {
  const m = process.memoryUsage();
  return { iteration, rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20, externalMb: m.external / 2 ** 20, ...handleCounts() };
}

const texts = Array.from({ length: Math.max(perLoad, 0) }, (_, i) => `Sarah Parker visited New York City and Paris (${i}).`);
// Print before the first sample: stdout's pipe or TTY handle is created on first use.
console.log(`soak-load-unload: ${a.model}, ${iterations} iterations, sample every ${every} after #${warmup}`);
const samples = [];
const t0 = performance.now();
let base;
for (let i = 1; i <= iterations; i++) {
  const round = await Promise.all(Array.from({ length: concurrent }, () => TokenClassifier.load(a.model, { intraOpThreads: 1 })));
  if (perLoad > 0) await Promise.all(round.map((c) => c.classify(texts)));
  if (!a["no-dispose"]) await Promise.all(round.map((c) => c.dispose()));
  if (gcEvery > 0 && i % gcEvery === 0) {
    gc();
    await new Promise((r) => setImmediate(r)); // let the native finalizers run
  }
  if (i === warmup) {
    await settle();
    base = sample(i);
    samples.push(base);
  } else if (i % every === 0 || i === iterations) {
    if (i === iterations) await settle();
    const s = sample(i);
    samples.push(s);
    console.log(
      `#${String(i).padStart(5)}  rss ${s.rssMb.toFixed(1)} MB  heap ${s.heapMb.toFixed(1)} MB  external ${s.externalMb.toFixed(1)} MB` +
        `  fds ${s.fds}  threads ${s.threads}  resources ${s.resources} ${JSON.stringify(s.kinds)}`,
    );
  }
}
const seconds = (performance.now() - t0) / 1000;
base ??= samples[0];
const last = samples.at(-1);
const growth = {
  rssMb: last.rssMb - base.rssMb,
  fds: last.fds - base.fds,
  threads: last.threads - base.threads,
  resources: last.resources - base.resources,
};
const perIterationKb = (growth.rssMb * 1024) / Math.max(1, last.iteration - base.iteration);
console.log(
  `\n${iterations} x load${perLoad > 0 ? ` + classify(${perLoad})` : ""}${a["no-dispose"] ? " (no dispose)" : " + dispose"}` +
    `${gcEvery > 0 ? `, GC every ${gcEvery}` : ""}` +
    `${concurrent > 1 ? ` x${concurrent} at once` : ""} in ${seconds.toFixed(1)} s (${((seconds * 1000) / iterations).toFixed(1)} ms each)`,
);
console.log(
  `growth from #${base.iteration} to #${last.iteration}: rss ${growth.rssMb >= 0 ? "+" : ""}${growth.rssMb.toFixed(1)} MB` +
    ` (${perIterationKb.toFixed(1)} KB/iteration), fds ${growth.fds >= 0 ? "+" : ""}${growth.fds}, threads ${growth.threads >= 0 ? "+" : ""}${growth.threads},` +
    ` active resources ${growth.resources >= 0 ? "+" : ""}${growth.resources}`,
);
const failures = [];
if (growth.fds > 0) failures.push(`file descriptors grew by ${growth.fds}`);
if (growth.threads > 0) failures.push(`threads grew by ${growth.threads}`);
if (growth.resources > 0) failures.push(`active resources grew by ${growth.resources}`);
if (growth.rssMb > Number(a["max-rss-growth"])) failures.push(`RSS grew by ${growth.rssMb.toFixed(1)} MB (> ${a["max-rss-growth"]} MB)`);
if (failures.length) {
  console.log(`FAIL: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("OK: no growth in descriptors, threads or active resources; RSS within bounds");
