// Result files: JSON in bench/results/ with date, machine, node and runtime versions.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { BENCH_DIR, ROOT } from "./conll.js";

// BENCH_RESULTS_DIR: elsewhere (e.g. bench/results/tmp, git-ignored, for smoke runs)
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ? path.resolve(process.env.BENCH_RESULTS_DIR) : path.join(BENCH_DIR, "results");

function pkgVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
  } catch { return null; }
}

export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? null;
  let lscpuCpus = null, flags = null;
  try {
    const out = execFileSync("lscpu", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    cpuModel = out.match(/^Model name:\s*(.+)$/m)?.[1]?.trim() ?? cpuModel;
    lscpuCpus = Number(out.match(/^CPU\(s\):\s*(\d+)/m)?.[1]) || null;
    const f = out.match(/^Flags:\s*(.+)$/m)?.[1] ?? "";
    flags = ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"].filter((x) => f.split(/\s+/).includes(x));
  } catch {}
  return {
    cpuModel,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    lscpuCpus,
    simd: flags,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntimeNode: pkgVersion("onnxruntime-node"),
    transformersJs: pkgVersion("@huggingface/transformers"),
    tokclass: JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version,
  };
}

function gitCommit() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch { return null; }
}

/** Writes {kind, date, commit, machine, ...data} to bench/results/<kind>-<model>-<stamp>.json. */
export function writeResult(kind, data, { dir = RESULTS_DIR, tag } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString();
  const stamp = date.replace(/[:]/g, "").replace(/\.\d+Z$/, "Z");
  const name = [kind, tag, stamp].filter(Boolean).join("-") + ".json";
  const file = path.join(dir, name);
  const doc = { kind, date, commit: gitCommit(), machine: machineInfo(), ...data };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
  return file;
}
