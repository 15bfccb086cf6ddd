// The benchmark scripts on a handful of texts: they must keep running as the library changes
// (a broken benchmark would go unnoticed until someone needs the numbers). Timings here mean
// nothing; what is checked is that every engine ran, the ratios were computed, and the
// engines agree on the work done. Uses dist/ (npm test builds it first).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function node(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // BENCH_RESULTS_DIR is only a guard: --no-save writes nothing.
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, BENCH_RESULTS_DIR: "bench/results/tmp" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("benchmarks (smoke)", () => {
  it("every bench script answers --help with its usage and does nothing else", async () => {
    // make-layouts.js used to take --help for a run and rewrite bench/models/; the others threw
    // an unknown-option error.
    const scripts = ["run.js", "paired.js", "scaling.js", "soak.js", "soak-load-unload.js", "tokenize.js", "verify-model.js", "make-layouts.js", "load/run.js"];
    for (const script of scripts) {
      const r = await node([`bench/${script}`, "--help"]);
      expect(r.code, `${script}: ${r.out}`).toBe(0);
      expect(r.out, script).toMatch(new RegExp(`bench/${script.replace(".", "\\.")}|npm run bench`));
      expect(r.out, script).not.toMatch(/\[layouts\]|Error:|ERR_/);
    }
  });

  it("npm run bench: raw, rawpar and tokclass on 24 CoNLL sentences", async () => {
    const r = await node([
      "bench/run.js", "--models", "conll", "--texts", "24", "--competitors", "raw,rawpar,tokclass",
      "--repeat", "1", "--warmup", "4", "--no-save",
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/error|skipped/i);
    for (const row of [/raw onnxruntime-node\s+one\s+[\d,.]+/, /raw onnxruntime-node\s+batch32s\s+[\d,.]+/,
      /1 session per core\s+all\s+[\d,.]+/, /tokclass\s+all\s+[\d,.]+/, /tokclass\s+conc64\s+[\d,.]+/]) {
      expect(r.out).toMatch(row);
    }
    expect(r.out).toMatch(/tokclass all \/ raw 1 session per core \(the model's own ceiling\): \d+\.\d+x/);
    expect(r.out).toMatch(/tokclass conc64 \/ tokclass all: \d+\.\d+x/);
    // The same entities one by one, batched and from concurrent callers.
    const counts = [...r.out.matchAll(/^tokclass\s+(?:one|all|conc64)\s.*\s(\d+)\s*$/gm)].map((m) => m[1]);
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
  });

  it("bench/soak.js --big-stream: the large measurement through classifyStream()", async () => {
    const r = await node(["bench/soak.js", "--texts", "200", "--chunk", "100", "--big", "5000", "--big-stream", "--no-save"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/classifyStream\(\) of 5,000 texts: [\d.]+ s \([\d,.]+ texts\/s\); RSS [\d,.]+ MB, peak \+[\d,.-]+ MB during the call; event loop: longest block [\d.]+ ms/);
  });

  it("npm run bench:paired: every ratio from one pair", async () => {
    const r = await node(["bench/paired.js", "--pairs", "1", "--texts", "24", "--no-save"]);
    expect(r.code, r.out).toBe(0);
    for (const ratio of ["tokclass all / raw batch32s", "tokclass all / raw 1 session per core", "tokclass conc64 / tokclass all",
      "tokclass conc64 / raw batch32s", "tokclass / raw single-text p50 latency"]) {
      expect(r.out).toMatch(new RegExp(`${ratio.replace(/[/()]/g, "\\$&")}.*median \\d+\\.\\d+x`));
    }
  });

  it("npm run bench:paired --only conc64: that ratio alone, no raw pass", async () => {
    const r = await node(["bench/paired.js", "--only", "conc64", "--pairs", "2", "--texts", "24", "--no-save"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/tokclass conc64 \/ tokclass all \(throughput\)\s+median \d+\.\d+x/);
    expect(r.out).toMatch(/pair 2\/2: conc64 \d+\.\d+\n/);
    expect(r.out).not.toMatch(/raw batch32s|1 session per core|single-text|raw ran at/);
    expect(r.out).toMatch(/medians: tokclass all \d+ texts\/s, conc64 \d+ texts\/s/);
  });

  it("npm run bench:paired --only with an unknown name: a usage error, nothing run", async () => {
    const r = await node(["bench/paired.js", "--only", "conc64,latency", "--pairs", "1", "--no-save"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--only takes a comma-separated list of batched, ceiling, conc64, single; got "conc64,latency"/);
    expect(r.out).not.toMatch(/pair 1\//);
  });
});

describe("benchmark statistics", () => {
  // P(Bin(n, 1/2) <= k), exactly, in integers.
  function binomialCdf(n: number, k: number): number {
    let term = 1n;
    let sum = 0n;
    for (let i = 0; i <= k; i++) {
      sum += term;
      term = (term * BigInt(n - i)) / BigInt(i + 1);
    }
    return Number((sum * 10n ** 15n) / 2n ** BigInt(n)) / 1e15;
  }

  it("the median's 95% interval is the narrowest pair of order statistics that still covers 95%", async () => {
    type Interval = { low: number; high: number; coverage: number } | null;
    const { medianInterval, verdict } = (await import(new URL("../../bench/lib/stats.js", import.meta.url).href)) as {
      medianInterval: (xs: number[], confidence?: number) => Interval;
      verdict: (i: Interval, target: number, higher: boolean) => string;
    };
    for (const n of [6, 7, 9, 10, 20, 30, 31, 60, 100, 250]) {
      // Shuffled, so that the function has to sort; x(i) = i makes the order statistic its index.
      const xs = Array.from({ length: n }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
      const ci = medianInterval(xs);
      expect(ci, `n=${n}`).not.toBeNull();
      const j = ci!.low;
      expect(ci!.high, `n=${n}`).toBe(n + 1 - j);
      const coverage = 1 - 2 * binomialCdf(n, j - 1);
      expect(coverage, `n=${n}`).toBeGreaterThanOrEqual(0.95);
      expect(Math.abs(ci!.coverage - coverage), `n=${n}`).toBeLessThan(1e-9);
      // One order statistic further in would drop below 95%.
      expect(1 - 2 * binomialCdf(n, j), `n=${n}`).toBeLessThan(0.95);
    }
    expect(medianInterval([1, 2, 3, 4, 5])).toBeNull(); // no 95% interval from 5 samples
    const nine = [0.8, 0.85, 0.88, 0.9, 0.92, 0.93, 0.95, 0.97, 1.1]; // interval x(2)..x(8) = 0.85..0.97
    expect(verdict(medianInterval(nine), 0.9, true)).toBe("undetermined");
    expect(verdict(medianInterval(nine), 0.84, true)).toBe("met");
    expect(verdict(medianInterval(nine), 0.98, true)).toBe("missed");
    expect(verdict(medianInterval(nine), 1.0, false)).toBe("met"); // a latency ratio: lower is better
    expect(verdict(null, 0.9, true)).toBe("undetermined");
  });
});
