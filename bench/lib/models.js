// Benchmark model registry.
import fs from "node:fs";
import path from "node:path";
import { BENCH_DIR, ROOT } from "./conll.js";
import { makeLayout } from "../make-layouts.js";

export const MODELS = {
  conll: {
    key: "conll",
    name: "bert-cased-conll",
    dir: path.join(ROOT, "models", "bert-cased-conll"),
    tjsRoot: path.join(BENCH_DIR, "models"),
    tjsId: "bert-cased-conll",
    defaultTexts: 1000,
  },
  base: {
    key: "base",
    name: "bert-base-shape",
    dir: path.join(BENCH_DIR, "models", "bert-base-shape"),
    tjsRoot: path.join(BENCH_DIR, "models"),
    tjsId: "bert-base-shape",
    defaultTexts: 300,
    missing:
      "bench/models/bert-base-shape/model.onnx is missing: run `bash bench/setup.sh` (or /usr/bin/python3 bench/make-bert-base.py && node bench/make-layouts.js; " +
      "without Python, a stand-in of the same shape in plain Node: node bench/gpu/make-bert-base-onnx.js --out bench/models/bert-base-shape --no-fp16, " +
      "whose graph is not torch's export, so its numbers are not the README's)",
  },
};

/** Resolves a model key ("conll", "base") or a folder path into a model descriptor. */
export function resolveModel(spec) {
  let m = MODELS[spec];
  if (!m) {
    const dir = path.resolve(spec);
    const name = path.basename(dir);
    m = { key: name, name, dir, tjsRoot: path.join(BENCH_DIR, "models", "tjs-layouts"), tjsId: name, defaultTexts: 300 };
  }
  if (!fs.existsSync(path.join(m.dir, "model.onnx")) && !fs.existsSync(path.join(m.dir, "onnx", "model.onnx"))) {
    throw new Error(m.missing ?? `${m.dir}: no model.onnx`);
  }
  // transformers.js wants <localModelPath>/<id>/onnx/model*.onnx next to config/tokenizer files
  const tjsDir = path.join(m.tjsRoot, m.tjsId);
  if (!fs.existsSync(path.join(tjsDir, "onnx", "model.onnx"))) makeLayout(m.dir, tjsDir);
  return m;
}

/** ONNX file of a model folder for a given --model-file (default model.onnx). */
export function onnxPath(model, file = "model.onnx") {
  for (const p of [path.join(model.dir, file), path.join(model.dir, "onnx", file)]) if (fs.existsSync(p)) return p;
  throw new Error(`${model.dir}: no ${file}`);
}
