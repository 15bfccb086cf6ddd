// device: "cuda" where CUDA cannot run (this machine, CI): load() must reject with
// ERR_DEVICE_UNAVAILABLE and a message that names what is missing and how to get it, never
// crash, and leave the process able to run on the CPU. On a machine where ONNX Runtime's CUDA
// provider does load, the "fails" assertions are skipped and the GPU path is checked instead.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, TokClassError, TokenClassifier, type Entity, type GroupedEntity } from "../../src/index.js";
import { defaultRuntimeLibrary } from "../../src/binding.js";
import { rawClassifierConfig } from "../helpers/native-config.js";

/** The default aggregation ("simple") gives grouped entities. */
const group = (e: Entity): string => (e as GroupedEntity).entity_group;

const root = fileURLToPath(new URL("../..", import.meta.url));
const TEXT = "Angela Merkel visited Paris.";

/** What load(undefined, { device: "cuda" }) gave: a classifier, or the error. */
let cuda: { clf?: TokenClassifier; error?: unknown };

beforeAll(async () => {
  try {
    cuda = { clf: await TokenClassifier.load(undefined, { device: "cuda" }) };
  } catch (error) {
    cuda = { error };
  }
});
afterAll(async () => {
  await cuda.clf?.dispose();
});

async function rejection(promise: Promise<unknown>): Promise<TokClassError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TokClassError);
    return error as TokClassError;
  }
  throw new Error("expected a rejection");
}

describe("device: cuda without a usable CUDA provider", () => {
  it("rejects with ERR_DEVICE_UNAVAILABLE naming the missing provider library and how to get it", (ctx) => {
    if (cuda.clf) ctx.skip();
    const error = cuda.error as TokClassError;
    expect(error).toBeInstanceOf(TokClassError);
    expect(error.code).toBe("ERR_DEVICE_UNAVAILABLE");
    // What is missing: the provider library (ORT looks for it beside its core library).
    expect(error.message).toMatch(/libonnxruntime_providers_(shared|cuda)\.so/);
    if (!existsSync(join(defaultRuntimeLibrary(), "..", "libonnxruntime_providers_cuda.so"))) {
      expect(error.message).toMatch(/Missing beside \S+libonnxruntime\.so\.1: (libonnxruntime_providers_shared\.so, )?libonnxruntime_providers_cuda\.so\./);
    }
    // How to get it.
    expect(error.message).toMatch(/To use CUDA: install onnxruntime-node with its CUDA provider/);
    expect(error.message).toContain("TOKCLASS_ORT_LIBRARY");
    expect(error.message).toMatch(/cuDNN/);
    // No C++ internals from ONNX Runtime's message.
    expect(error.message).not.toMatch(/onnxruntime_src|\[ONNXRuntimeError\]/);
  });

  it("fails the same way again (no half-loaded state), and a CPU classifier works afterwards", async (ctx) => {
    if (cuda.clf) ctx.skip();
    const again = await rejection(TokenClassifier.load(undefined, { device: "cuda", deviceId: 0, cudaTf32: true }));
    expect(again.code).toBe("ERR_DEVICE_UNAVAILABLE");
    const cpu = await TokenClassifier.load();
    try {
      expect(cpu.info().executionProvider).toBe("CPUExecutionProvider");
      const entities = await cpu.classify(TEXT);
      expect(entities.map((e) => [group(e), e.word])).toEqual([
        ["PER", "Angela Merkel"],
        ["LOC", "Paris"],
      ]);
    } finally {
      await cpu.dispose();
    }
  });

  it("another device id fails the same way", async (ctx) => {
    if (cuda.clf) ctx.skip();
    const error = await rejection(TokenClassifier.load(undefined, { device: "cuda", deviceId: 3 }));
    expect(error.code).toBe("ERR_DEVICE_UNAVAILABLE");
  });
});

describe("device: cuda where the CUDA provider loads", () => {
  it("runs on CUDAExecutionProvider and gives the CPU's entities", async (ctx) => {
    if (!cuda.clf) ctx.skip();
    const clf = cuda.clf!;
    expect(clf.info().executionProvider).toBe("CUDAExecutionProvider");
    expect(clf.info().device).toBe("cuda");
    const gpu = await clf.classify(TEXT);
    const cpu = await TokenClassifier.load();
    try {
      const ref = await cpu.classify(TEXT);
      expect(gpu.map((e) => [group(e), e.word, e.start, e.end])).toEqual(ref.map((e) => [group(e), e.word, e.start, e.end]));
      gpu.forEach((e, i) => expect(Math.abs(e.score - ref[i]!.score)).toBeLessThan(1e-3));
    } finally {
      await cpu.dispose();
    }
  });

  it("a device id past the visible GPUs rejects with ERR_DEVICE_UNAVAILABLE", async (ctx) => {
    if (!cuda.clf) ctx.skip();
    const error = await rejection(TokenClassifier.load(undefined, { device: "cuda", deviceId: 255 }));
    expect(error.code).toBe("ERR_DEVICE_UNAVAILABLE");
    expect(error.message).toMatch(/255/);
  });
});

describe("device options are validated before anything loads", () => {
  it.each([
    ["deviceId -1", { device: "cuda", deviceId: -1 }],
    ["deviceId 1.5", { device: "cuda", deviceId: 1.5 }],
    ["deviceId '0'", { device: "cuda", deviceId: "0" }],
    ["deviceId 256", { device: "cuda", deviceId: 256 }],
    ["deviceId NaN", { device: "cuda", deviceId: Number.NaN }],
    ["device 'gpu'", { device: "gpu" }],
    ["device 'CUDA'", { device: "CUDA" }],
    ["cudaTf32 1", { device: "cuda", cudaTf32: 1 }],
    ["cudaMemLimit -1", { device: "cuda", cudaMemLimit: -1 }],
    ["cudaMemLimit 1.5", { device: "cuda", cudaMemLimit: 1.5 }],
  ])("%s -> ERR_INVALID_ARGUMENT", async (_name, options) => {
    const error = await rejection(TokenClassifier.load(undefined, options as never));
    expect(error.code).toBe("ERR_INVALID_ARGUMENT");
  });

  it("deviceId 0..255 and the CUDA options are accepted on the CPU too (ignored there)", async () => {
    const clf = await TokenClassifier.load(undefined, { device: "cpu", deviceId: 255, cudaTf32: true, cudaMemLimit: 1 << 30 });
    try {
      expect(clf.info().executionProvider).toBe("CPUExecutionProvider");
      expect(await clf.classify(TEXT)).toHaveLength(2);
    } finally {
      await clf.dispose();
    }
  });
});

// One ONNX Runtime library per process: each copy below runs in a child process that tries
// device "cuda" through the raw addon, then classifies on the CPU with the same library.
const addon = process.env.TOKCLASS_ADDON || join(root, "build", "Release", "tokclass.node");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface ChildOutput {
  cuda: { code: string; message: string } | "loaded";
  info: { executionProvider: string };
  entities: { entity_group: string; word: string }[];
}

/** A temp folder holding a copy of the core library and `beside` (name -> source file). */
function runtimeCopy(beside: Record<string, string>): { dir: string; core: string } {
  const dir = mkdtempSync(join(tmpdir(), "tokclass-ort-partial-"));
  dirs.push(dir);
  const core = join(dir, "libonnxruntime.so.1");
  copyFileSync(defaultRuntimeLibrary(), core);
  for (const [name, source] of Object.entries(beside)) symlinkSync(source, join(dir, name));
  return { dir, core };
}

function runChild(dir: string, core: string, env: NodeJS.ProcessEnv = {}): ChildOutput {
  const config = rawClassifierConfig(DEFAULT_MODEL_DIR, core);
  const script = join(dir, "child.cjs");
  writeFileSync(
    script,
    `const addon = require(${JSON.stringify(addon)});
const config = ${JSON.stringify(config)};
const params = { aggregationStrategy: "simple", ignoreLabels: ["O"], labelScheme: "bio", fullText: false, isSplitIntoWords: false, delimiter: " " };
(async () => {
  const out = {};
  try { const h = await addon.ClassifierHandle.load({ ...config, device: "cuda" }); out.cuda = "loaded"; await h.dispose(); }
  catch (e) { out.cuda = { code: e.code, message: e.message }; }
  const h = await addon.ClassifierHandle.load({ ...config, device: "cpu" });
  out.info = h.info();
  out.entities = (await h.classify([${JSON.stringify(TEXT)}], params, true))[0];
  await h.dispose();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(2); });
`,
  );
  // The library must come from runtimeLibrary alone, not from the environment.
  const childEnv = { ...process.env, ...env };
  delete childEnv.TOKCLASS_ORT_LIBRARY;
  const child = spawnSync(process.execPath, [script], { encoding: "utf8", env: childEnv, timeout: 60_000 });
  expect(child.signal, child.stderr).toBeNull();
  expect(child.status, child.stderr).toBe(0);
  const out = JSON.parse(child.stdout) as ChildOutput;
  // Whatever happened with CUDA, the process is healthy and runs on the CPU.
  expect(out.info.executionProvider).toBe("CPUExecutionProvider");
  expect(out.entities.map((e) => [e.entity_group, e.word])).toEqual([
    ["PER", "Angela Merkel"],
    ["LOC", "Paris"],
  ]);
  return out;
}

describe("a runtime library with only libonnxruntime_providers_shared.so beside it", () => {
  const shared = join(root, "node_modules", "com.github.asus4.onnxruntime", "Plugins", "Linux", "x64", "libonnxruntime_providers_shared.so");

  it("names libonnxruntime_providers_cuda.so as missing; the child stays healthy and runs on the CPU", (ctx) => {
    if (process.platform !== "linux" || !existsSync(shared) || !existsSync(addon)) ctx.skip();
    const { dir, core } = runtimeCopy({ "libonnxruntime_providers_shared.so": shared });
    const out = runChild(dir, core);
    expect(out.cuda).not.toBe("loaded");
    const { code, message } = out.cuda as { code: string; message: string };
    expect(code).toBe("ERR_DEVICE_UNAVAILABLE");
    expect(message).toContain(`Missing beside ${core}: libonnxruntime_providers_cuda.so.`);
    expect(message).not.toMatch(/Missing beside \S+: libonnxruntime_providers_shared\.so/);
    expect(message).toContain(`place libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so in ${dir}`);
  });
});

// Needs the CUDA provider libraries, which are not installed here: point
// TOKCLASS_TEST_CUDA_PROVIDER_DIR at a folder holding them (bench/gpu/prepare.sh unpacks them
// into /tmp/tokclass-gpu-smoke/state/rt/lib). Where CUDA's own libraries are missing, loading
// the provider fails on them; where they and a GPU are there, the provider loads.
describe("the CUDA provider libraries beside the core library", () => {
  const from = process.env.TOKCLASS_TEST_CUDA_PROVIDER_DIR;

  it("without CUDA's libraries (cuBLAS...) or a GPU: ERR_DEVICE_UNAVAILABLE naming the missing library", (ctx) => {
    if (!from || !existsSync(join(from, "libonnxruntime_providers_cuda.so")) || !existsSync(addon)) ctx.skip();
    const { dir, core } = runtimeCopy({
      "libonnxruntime_providers_shared.so": join(from!, "libonnxruntime_providers_shared.so"),
      "libonnxruntime_providers_cuda.so": join(from!, "libonnxruntime_providers_cuda.so"),
    });
    const out = runChild(dir, core);
    if (out.cuda === "loaded") ctx.skip(); // a machine with CUDA and a GPU
    const { code, message } = out.cuda as { code: string; message: string };
    expect(code).toBe("ERR_DEVICE_UNAVAILABLE");
    expect(message).not.toContain("Missing beside");
    // ORT's loader error names the library it could not find (libcublasLt.so.13, ...) or the
    // CUDA failure (no device, driver too old).
    expect(message).toMatch(/lib\w+\.so(\.\d+)*: cannot open shared object file|CUDA|cuda/);
    expect(message).toMatch(/cuBLAS and cuDNN|LD_LIBRARY_PATH/);
  });
});
