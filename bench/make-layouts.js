// Creates the transformers.js model layouts under bench/models/ (symlinks, no copies):
//   bench/models/bert-cased-conll/{config.json,tokenizer*.json,special_tokens_map.json}
//   bench/models/bert-cased-conll/onnx/{model.onnx,model_quantized.onnx}
//   bench/models/bert-base-shape/onnx/{model.onnx,model_fp16.onnx}   (if the model was built)
// transformers.js is then pointed at env.localModelPath = bench/models with the folder name
// as model id. Usage: node bench/make-layouts.js
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitWithUsageIf, helpRequested } from "./lib/usage.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const modelsDir = path.join(here, "models");

function link(target, linkPath) {
  fs.mkdirSync(path.dirname(linkPath), { recursive: true });
  try { fs.unlinkSync(linkPath); } catch {}
  fs.symlinkSync(path.relative(path.dirname(linkPath), target), linkPath);
}

// ONNX file name in the source folder -> name transformers.js looks for under onnx/
const ONNX = { "model.onnx": "model.onnx", "model_quantized.onnx": "model_quantized.onnx", "model_fp16.onnx": "model_fp16.onnx" };

export function makeLayout(srcDir, destDir) {
  if (!fs.existsSync(path.join(srcDir, "model.onnx"))) return false;
  for (const f of fs.readdirSync(srcDir)) {
    const src = path.join(srcDir, f);
    if (ONNX[f]) link(src, path.join(destDir, "onnx", ONNX[f]));
    else if (f.endsWith(".json") && path.resolve(srcDir) !== path.resolve(destDir)) link(src, path.join(destDir, f));
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  exitWithUsageIf(helpRequested(), import.meta.url);
  const pairs = [
    [path.join(root, "models", "bert-cased-conll"), path.join(modelsDir, "bert-cased-conll")],
    [path.join(modelsDir, "bert-base-shape"), path.join(modelsDir, "bert-base-shape")],
  ];
  for (const [src, dest] of pairs) {
    const ok = makeLayout(src, dest);
    console.log(ok ? `[layouts] ${path.relative(root, dest)}/onnx/ -> ${path.relative(root, src)}` : `[layouts] skip ${path.relative(root, src)} (no model.onnx)`);
  }
}
