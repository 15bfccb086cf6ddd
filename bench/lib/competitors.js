// The competitors. Each create() returns an instance with:
//   one(i)            classify text i alone (awaitable)
//   batch(indices, k) classify texts[indices] in one call; k = chunk number
//   prepareBatches?(chunks)  untimed preparation of the chunks a batch mode will use
//   count?(result)    number of entities in a result (sanity check across competitors)
//   dispose()
// Modes are run by harness.js, which does the timing.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./conll.js";
import { onnxPath } from "./models.js";
import { buildFeeds } from "./ort-feeds.js";

export class SkipError extends Error {}

const CLASSIFY_OPTS = { aggregationStrategy: "simple", ignoreLabels: ["O"] };

/** @huggingface/tokenizers encoder for a model folder (ids with [CLS]/[SEP]). */
export async function loadTokenizer(modelDir, { truncate = true } = {}) {
  const { Tokenizer } = await import("@huggingface/tokenizers");
  const tj = JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer.json"), "utf8"));
  const tc = JSON.parse(fs.readFileSync(path.join(modelDir, "tokenizer_config.json"), "utf8"));
  const tok = new Tokenizer(tj, tc);
  const maxLen = Math.min(tc.model_max_length ?? 512, 512);
  return {
    encode(text) {
      let ids = tok.encode(text).ids;
      if (truncate && ids.length > maxLen) ids = [...ids.slice(0, maxLen - 1), ids[ids.length - 1]];
      return ids;
    },
  };
}

// ---------------------------------------------------------------------------------------
// raw onnxruntime-node: InferenceSession.run on pre-tokenized ids (tokenization untimed)
// ---------------------------------------------------------------------------------------
async function createRaw(model, texts, opts) {
  if (opts.device && opts.device !== "cpu") throw new SkipError(`raw: device ${opts.device} not wired (onnxruntime-node is installed without its CUDA provider); skipped`);
  const ort = await import("onnxruntime-node");
  const file = onnxPath(model, opts.modelFile);
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
  const hasTT = session.inputNames.includes("token_type_ids");
  const tok = await loadTokenizer(model.dir);
  const encoded = texts.map((t) => tok.encode(t));

  const feeds = (rows) => buildFeeds(ort, rows, hasTT);
  const single = encoded.map((e) => feeds([e]));
  let prepared = [];
  return {
    info: { file: path.relative(ROOT, file), ort: ort.env?.versions ?? null, inputs: session.inputNames },
    tokenCounts: encoded.map((e) => e.length),
    async one(i) { const out = await session.run(single[i]); return out.logits.dims; },
    prepareBatches(chunks) { prepared = chunks.map((c) => feeds(c.map((i) => encoded[i]))); },
    async batch(indices, k) {
      const f = prepared[k] ?? feeds(indices.map((i) => encoded[i]));
      const out = await session.run(f);
      return out.logits.dims;
    },
    async dispose() { await session.release?.(); },
  };
}

// ---------------------------------------------------------------------------------------
// raw onnxruntime-node, parallel: one single-threaded session per core, each in its own worker
// thread, taking length-sorted batches of 16 (pre-built tensors) from a shared counter. For a
// model too small to keep several threads busy in one run, this is the fastest the model itself
// runs from JS: the ceiling for tokclass's whole-array call, which runs the same way natively.
// Only "all" (every text in one timed call); tokenization and tensor building untimed.
// ---------------------------------------------------------------------------------------
// A worker's next message, or its error. Both listeners go when either fires: left behind,
// one "error" listener per run piled up on every worker (MaxListenersExceededWarning after ten
// runs).
function nextMessage(worker) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg) => {
      worker.off("error", onError);
      resolve(msg);
    };
    const onError = (error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
  });
}

async function createRawParallel(model, texts, opts) {
  if (opts.device && opts.device !== "cpu") throw new SkipError(`rawpar: device ${opts.device} not wired; skipped`);
  const { Worker } = await import("node:worker_threads");
  const file = onnxPath(model, opts.modelFile);
  const tok = await loadTokenizer(model.dir);
  const encoded = texts.map((t) => tok.encode(t));
  const sorted = encoded.map((e, i) => i).sort((a, b) => encoded[b].length - encoded[a].length || a - b);
  const batches = [];
  for (let i = 0; i < sorted.length; i += 16) batches.push(sorted.slice(i, i + 16).map((k) => encoded[k]));
  const n = Math.max(1, opts.threads ?? 2);
  const workers = [];
  for (let w = 0; w < n; w++) {
    const worker = new Worker(new URL("./raw-parallel-worker.js", import.meta.url), { workerData: { file, batches } });
    await nextMessage(worker);
    workers.push(worker);
  }
  const runAll = async () => {
    const counter = new SharedArrayBuffer(4);
    const done = workers.map(nextMessage);
    for (const w of workers) w.postMessage({ cmd: "run", counter });
    await Promise.all(done);
  };
  return {
    info: { file: path.relative(ROOT, file), workers: n, rowsPerBatch: 16, batches: batches.length },
    tokenCounts: encoded.map((e) => e.length),
    one() { throw new Error("rawpar runs only the whole set (mode all), not one by one"); },
    // Mode "all" only: its tensors are built for the whole set. The harness's warm-up passes a
    // subset, which then runs the whole set too (untimed).
    async batch() {
      await runAll();
      return null;
    },
    async dispose() {
      for (const w of workers) w.postMessage({ cmd: "close" });
      await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
    },
  };
}

// ---------------------------------------------------------------------------------------
// transformers.js pipeline("token-classification"), aggregation "simple"
// ---------------------------------------------------------------------------------------
async function createTransformersJs(model, texts, opts) {
  if (opts.device && opts.device !== "cpu") throw new SkipError(`transformers.js: device ${opts.device} not wired; skipped`);
  let tf;
  try { tf = await import("@huggingface/transformers"); } catch (e) {
    throw new SkipError(`transformers.js: cannot import @huggingface/transformers (${e.message.split("\n")[0]}); run npm install`);
  }
  const { pipeline, env } = tf;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = model.tjsRoot + path.sep;
  if ("useFSCache" in env) env.useFSCache = false;
  if ("useBrowserCache" in env) env.useBrowserCache = false;
  const dtype = { "model.onnx": "fp32", "model_quantized.onnx": "q8", "model_fp16.onnx": "fp16" }[opts.modelFile ?? "model.onnx"];
  if (!dtype) throw new SkipError(`transformers.js: no dtype maps to ${opts.modelFile}`);
  const pipe = await pipeline("token-classification", model.tjsId, {
    local_files_only: true,
    device: "cpu",
    dtype,
    session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 },
  });
  const params = { aggregation_strategy: "simple", ignore_labels: ["O"] };
  return {
    info: { id: model.tjsId, localModelPath: path.relative(ROOT, model.tjsRoot), dtype },
    one: (i) => pipe(texts[i], params),
    batch: (indices) => pipe(indices.map((i) => texts[i]), params),
    count: (r) => (Array.isArray(r) ? (Array.isArray(r[0]) ? r.reduce((a, x) => a + x.length, 0) : r.length) : 0),
    async dispose() { await pipe.dispose?.(); },
  };
}

// ---------------------------------------------------------------------------------------
// tokclass
// ---------------------------------------------------------------------------------------
export async function importTokclass() {
  // TOKCLASS_ENTRY: another build of the library (e.g. node_modules/tokclass/dist/index.js)
  const entry = process.env.TOKCLASS_ENTRY ? path.resolve(process.env.TOKCLASS_ENTRY) : path.join(ROOT, "dist", "index.js");
  if (!fs.existsSync(entry)) {
    throw new SkipError(`tokclass: ${path.relative(ROOT, entry)} not found (run "npm run build" for the addon, then "npm run build:ts"); skipped`);
  }
  let mod;
  try { mod = await import(pathToFileURL(entry).href); } catch (e) {
    throw new SkipError(`tokclass: cannot import dist/index.js (${e.message.split("\n")[0]}); skipped`);
  }
  if (!mod.TokenClassifier) throw new SkipError("tokclass: dist/index.js has no TokenClassifier export; skipped");
  return mod;
}

export async function loadTokclass(model, opts = {}) {
  const { TokenClassifier } = await importTokclass();
  const loadOpts = { device: opts.device ?? "cpu", maxLength: opts.maxLength ?? 512 };
  if (opts.modelFile && opts.modelFile !== "model.onnx") loadOpts.modelFile = opts.modelFile;
  // tokclass picks its own threading from the core count (see LoadOptions); --threads given
  // explicitly pins its intra-op threads like the other engines'.
  if (opts.threads && opts.threadsExplicit) loadOpts.intraOpThreads = opts.threads;
  // extra LoadOptions, e.g. {"batchWaitMs":0,"maxBatchSize":32}: --tokclass-opts / TOKCLASS_OPTS
  const extra = opts.tokclassOpts ?? (process.env.TOKCLASS_OPTS ? JSON.parse(process.env.TOKCLASS_OPTS) : null);
  if (extra) Object.assign(loadOpts, extra);
  try {
    return await TokenClassifier.load(model.dir, loadOpts);
  } catch (e) {
    throw new SkipError(`tokclass: TokenClassifier.load failed (${e.message.split("\n")[0]}); skipped`);
  }
}

async function createTokclass(model, texts, opts) {
  const clf = await loadTokclass(model, opts);
  const cOpts = { ...CLASSIFY_OPTS };
  return {
    info: typeof clf.info === "function" ? clf.info() : clf.info ?? null,
    one: (i) => clf.classify(texts[i], cOpts),
    batch: (indices) => clf.classify(indices.map((i) => texts[i]), cOpts),
    count: (r) => (Array.isArray(r) ? (Array.isArray(r[0]) ? r.reduce((a, x) => a + x.length, 0) : r.length) : 0),
    async dispose() { await clf.dispose(); },
  };
}

export const COMPETITORS = {
  raw: {
    label: "raw onnxruntime-node",
    create: createRaw,
    modes: ["one", "batch32s"],
    note: "InferenceSession.run on pre-tokenized ids; tokenization and tensor building untimed; no post-processing",
  },
  rawpar: {
    label: "raw onnxruntime-node, 1 session per core",
    create: createRawParallel,
    modes: ["all"],
    note: "one single-threaded InferenceSession per core in worker threads, sorted batches of 16 from a shared counter; tokenization and tensor building untimed; no post-processing",
  },
  tjs: {
    label: "transformers.js",
    create: createTransformersJs,
    modes: ["one", "batch32"],
    note: "pipeline('token-classification'), aggregation_strategy simple; batch32 in corpus order",
  },
  tokclass: {
    label: "tokclass",
    create: createTokclass,
    modes: ["one", "all", "conc64"],
    note: "classify(), aggregationStrategy simple; all = whole array in one call; conc64 = 64 concurrent single-text callers",
  },
};
