// Child process: loads one competitor on one model and runs its modes.
// Usage: node bench/lib/worker.js '<json config>'  -> prints "@@RESULT {json}" on stdout.
import { COMPETITORS, SkipError, loadTokenizer } from "./competitors.js";
import { loadTexts } from "./conll.js";
import { resolveModel } from "./models.js";
import { runMode, microBench } from "./harness.js";
import { now, rssNow, mb } from "./stats.js";

export async function runCompetitor(cfg) {
  const comp = COMPETITORS[cfg.competitor];
  if (!comp) throw new Error(`unknown competitor ${cfg.competitor}`);
  const res = { competitor: cfg.competitor, label: comp.label, note: comp.note, model: cfg.model, modes: [], micro: null };
  let model;
  try { model = resolveModel(cfg.model); } catch (e) { return { ...res, skipped: e.message }; }
  res.modelName = model.name;
  const texts = loadTexts(cfg.texts ?? model.defaultTexts, { split: cfg.split ?? "test", offset: cfg.offset ?? 0 });
  const tok = await loadTokenizer(model.dir);
  const tokenCounts = texts.map((t) => tok.encode(t).length);
  const rss0 = rssNow();
  const t0 = now();
  let inst;
  try {
    inst = await comp.create(model, texts, { threads: cfg.threads, threadsExplicit: cfg.threadsExplicit, modelFile: cfg.modelFile ?? "model.onnx", device: cfg.device ?? "cpu", tokclassOpts: cfg.tokclassOpts });
  } catch (e) {
    if (e instanceof SkipError) return { ...res, skipped: e.message };
    throw e;
  }
  res.loadMs = now() - t0;
  res.loadRssMB = mb(rssNow() - rss0);
  res.info = inst.info;
  const modes = cfg.modes?.length ? cfg.modes : comp.modes;
  try {
    if (cfg.throughput !== false) {
      for (const m of modes) {
        const r = await runMode(inst, m, tokenCounts, { warmup: cfg.warmup ?? 32, repeat: cfg.repeat ?? 1 });
        res.modes.push(r);
        if (cfg.verbose) process.stderr.write(`  ${cfg.model} ${cfg.competitor} ${m}: ${r.textsPerSec.toFixed(1)} texts/s\n`);
      }
    }
    // The micro-benchmark times single texts: a competitor without a one-by-one mode (rawpar runs
    // only the whole set) has nothing to time there, and its one() throws.
    if (cfg.micro && comp.modes.includes("one")) res.micro = await microBench(inst, texts, tokenCounts, { maxTime: cfg.microTime ?? 2 });
  } finally {
    await inst.dispose?.();
  }
  res.processPeakRssMB = mb(process.resourceUsage().maxRSS * 1024);
  return res;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(process.argv[2]);
  runCompetitor(cfg).then(
    (r) => { process.stdout.write("@@RESULT " + JSON.stringify(r) + "\n"); process.exit(0); },
    (e) => { process.stdout.write("@@RESULT " + JSON.stringify({ competitor: cfg.competitor, model: cfg.model, error: String(e?.stack ?? e) }) + "\n"); process.exit(1); },
  );
}
