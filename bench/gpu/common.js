// Shared by bench/gpu/conformance.js and bench/gpu/throughput.js: argument parsing, where
// tokclass and ONNX Runtime are, and a description of the machine for the result files.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../lib/conll.js";

export { ROOT };

/** --key value / --flag pairs into an object (values stay strings; flags are true). */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option ${a} (known: ${Object.keys(defaults).map((k) => "--" + k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())).join(", ")})`);
    if (typeof defaults[key] === "boolean") out[key] = true;
    else out[key] = argv[++i];
  }
  return out;
}

/** tokclass's public API: dist/ (TOKCLASS_ENTRY to use another build). */
export async function importTokclass() {
  const entry = process.env.TOKCLASS_ENTRY ? path.resolve(process.env.TOKCLASS_ENTRY) : path.join(ROOT, "dist", "index.js");
  if (!fs.existsSync(entry)) throw new Error(`${entry} not found: build tokclass first (bench/gpu/prepare.sh or npm run build)`);
  return import(pathToFileURL(entry).href);
}

/** The libonnxruntime the run uses: --ort, else TOKCLASS_ORT_LIBRARY, else onnxruntime-node's. */
export async function runtimeLibrary(flag) {
  if (flag) return path.resolve(flag);
  if (process.env.TOKCLASS_ORT_LIBRARY) return process.env.TOKCLASS_ORT_LIBRARY;
  const binding = path.join(ROOT, "dist", "binding.js");
  const { defaultRuntimeLibrary } = await import(pathToFileURL(binding).href);
  return defaultRuntimeLibrary();
}

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

export function machine() {
  const gpu = tryRun("nvidia-smi", ["--query-gpu=name,memory.total,driver_version,clocks.max.sm", "--format=csv,noheader"]);
  const cpu = os.cpus();
  return {
    host: os.hostname(),
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    gpu: gpu ? gpu.split("\n") : null,
    node: process.version,
    commit: process.env.TOKCLASS_COMMIT || tryRun("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]),
  };
}

export function stamp(date = new Date()) {
  return date.toISOString().replace(/[:-]/g, "").replace(/\.\d+Z$/, "Z");
}

export function writeResult(dir, name, data) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  return file;
}
