#!/usr/bin/env node
// Conformance on the GPU: every bert-cased-conll dev case of the transformers pipeline golden
// (test/fixtures/golden, made on the CPU) through classify() with device "cuda" and TF32 off.
// A case passes at a tolerance when every entity matches exactly (label, word, offsets, index)
// and every score is within the tolerance; reported at 1e-3 (the acceptance bar on the GPU)
// and 1e-4 (what the CPU meets). Error cases must fail with the mapped code.
// Also checks the device path itself: the execution provider, and that a device id past the
// visible GPUs rejects with ERR_DEVICE_UNAVAILABLE instead of crashing.
//
// usage: node bench/gpu/conformance.js [--device cuda|cpu] [--ort LIB] [--tf32] [--out DIR]
// Prints a summary; writes DIR/gpu-conformance-<device>-<date>.json (default bench/results/tmp).
// Exit status 1 when a case fails at 1e-3 or a device check fails.
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { ROOT, importTokclass, machine, parseArgs, runtimeLibrary, stamp, writeResult } from "./common.js";

const args = parseArgs(process.argv.slice(2), {
  device: "cuda",
  ort: "",
  tf32: false,
  out: process.env.BENCH_RESULTS_DIR || path.join(ROOT, "bench", "results", "tmp"),
});
const ort = await runtimeLibrary(args.ort);
const { TokenClassifier, TokClassError } = await importTokclass();
const MODEL = "bert-cased-conll";
const modelDir = path.join(ROOT, "models", MODEL);
const golden = JSON.parse(gunzipSync(fs.readFileSync(path.join(ROOT, "test", "fixtures", "golden", `${MODEL}.pipeline.json.gz`))).toString("utf8"));
const log = (...a) => console.log("[conformance]", ...a);

function errorCodeFor(pythonError) {
  if (pythonError.includes("`stride` was provided")) return "ERR_STRIDE_WITH_NONE";
  if (pythonError.includes("stride") && pythonError.includes("must be")) return "ERR_STRIDE_TOO_LARGE";
  if (pythonError.includes("unexpected keyword argument")) return "ERR_INVALID_ARGUMENT";
  return "?";
}

/** Largest score difference, or a string saying what else differs. */
function compare(actual, expected) {
  if (actual.length !== expected.length) return `expected ${expected.length} entities, got ${actual.length}`;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    for (const k of Object.keys(e)) {
      if (k === "score") maxDiff = Math.max(maxDiff, Math.abs(a.score - e.score));
      else if (a[k] !== e[k]) return `entity ${i}: ${k} ${JSON.stringify(a[k])} != ${JSON.stringify(e[k])}`;
    }
  }
  return maxDiff;
}

const loadOptions = { device: args.device, runtimeLibrary: ort, cudaTf32: args.tf32 };
const classifiers = new Map();
async function classifierFor(maxLength) {
  const key = maxLength ?? 0;
  if (!classifiers.has(key)) classifiers.set(key, await TokenClassifier.load(modelDir, maxLength ? { ...loadOptions, maxLength } : loadOptions));
  return classifiers.get(key);
}

const checks = {};
const t0 = performance.now();
let main;
try {
  main = await classifierFor(undefined);
} catch (e) {
  log(`cannot load ${MODEL} with device ${args.device}: ${e.code ?? ""} ${e.message}`);
  const file = writeResult(args.out, `gpu-conformance-${args.device}-${stamp()}.json`, {
    kind: "gpu-conformance", date: new Date().toISOString(), machine: machine(), device: args.device, runtimeLibrary: ort,
    model: MODEL, passed: false, loadError: { code: e.code, message: e.message },
  });
  log(`FAIL; wrote ${file}`);
  process.exit(1);
}
checks.info = main.info();
checks.loadSeconds = (performance.now() - t0) / 1000;
log(`loaded ${MODEL} on ${checks.info.executionProvider} (ORT ${checks.info.onnxRuntimeVersion}, batched ${checks.info.batched}) in ${checks.loadSeconds.toFixed(2)} s`);

const counts = { cases: 0, errorCases: 0, errorOk: 0, within1e3: 0, within1e4: 0, mismatched: 0 };
let maxScoreDiff = 0;
const failures = [];
const t1 = performance.now();
for (const c of golden.cases) {
  counts.cases++;
  const clf = await classifierFor(c.model_max_length);
  const options = { aggregationStrategy: c.parameters.aggregation_strategy, ignoreLabels: c.parameters.ignore_labels, stride: c.parameters.stride, offsets: "codepoint" };
  if (c.error !== undefined) {
    counts.errorCases++;
    const error = await clf.classify(c.text, options).then(() => undefined, (e) => e);
    if (error instanceof TokClassError && error.code === errorCodeFor(c.error)) {
      counts.errorOk++;
      counts.within1e3++;
      counts.within1e4++;
    } else failures.push(`${c.id}: expected ${errorCodeFor(c.error)}, got ${String(error)}`);
    continue;
  }
  const actual = await clf.classify(c.text, options);
  const pairs = Array.isArray(c.text) ? c.expected.map((e, i) => [actual[i] ?? [], e]) : [[actual, c.expected]];
  let worst = 0;
  let why;
  for (const [a, e] of pairs) {
    const r = compare(a, e);
    if (typeof r === "string") why ??= r;
    else worst = Math.max(worst, r);
  }
  if (why) {
    counts.mismatched++;
    failures.push(`${c.id}: ${why}`);
    continue;
  }
  maxScoreDiff = Math.max(maxScoreDiff, worst);
  if (worst < 1e-3) counts.within1e3++;
  else failures.push(`${c.id}: score off by ${worst.toExponential(2)}`);
  if (worst < 1e-4) counts.within1e4++;
}
const casesSeconds = (performance.now() - t1) / 1000;
for (const clf of classifiers.values()) await clf.dispose();

// The device path: a device id no machine has must reject, not crash.
if (args.device === "cuda") {
  try {
    const clf = await TokenClassifier.load(modelDir, { ...loadOptions, deviceId: 255 });
    await clf.dispose();
    checks.deviceId255 = { ok: false, got: "loaded" };
  } catch (e) {
    checks.deviceId255 = { ok: e.code === "ERR_DEVICE_UNAVAILABLE", code: e.code, message: e.message.slice(0, 400) };
  }
  checks.providerOk = checks.info.executionProvider === "CUDAExecutionProvider";
}

const passed = counts.within1e3 === counts.cases && (args.device !== "cuda" || (checks.providerOk && checks.deviceId255.ok));
log(`${counts.cases} cases in ${casesSeconds.toFixed(1)} s: ${counts.within1e3} within 1e-3, ${counts.within1e4} within 1e-4, ` +
  `${counts.mismatched} with other differences, errors ${counts.errorOk}/${counts.errorCases}; max score diff ${maxScoreDiff.toExponential(2)}`);
if (checks.deviceId255) log(`deviceId 255: ${checks.deviceId255.ok ? "ERR_DEVICE_UNAVAILABLE as expected" : JSON.stringify(checks.deviceId255)}`);
for (const f of failures.slice(0, 15)) log(`  ${f}`);
const file = writeResult(args.out, `gpu-conformance-${args.device}-${stamp()}.json`, {
  kind: "gpu-conformance",
  date: new Date().toISOString(),
  machine: machine(),
  device: args.device,
  cudaTf32: args.tf32,
  runtimeLibrary: ort,
  model: MODEL,
  golden: { transformers: golden.transformers, cases: golden.cases.length },
  counts,
  maxScoreDiff,
  casesSeconds,
  checks,
  passed,
  failures: failures.slice(0, 100),
});
log(`${passed ? "PASS" : "FAIL"}; wrote ${file}`);
process.exit(passed ? 0 : 1);
