// A uniform classify(text | text[], {stride}) over tokclass and transformers.js, for
// scaling.js and soak.js (which default to tokclass; transformers.js is there to compare
// and to check the scripts before tokclass is built; it truncates at 512 and has no stride).
import { SkipError, loadTokclass } from "./competitors.js";
import path from "node:path";

export async function createEngine(name, model, opts = {}) {
  if (name === "tokclass") {
    const clf = await loadTokclass(model, opts);
    return {
      name,
      supportsStride: true,
      classify: (input, { stride } = {}) =>
        // fullText: window the whole document (the HF pipeline would stop at the first window).
        clf.classify(input, stride ? { aggregationStrategy: "simple", ignoreLabels: ["O"], stride, fullText: true } : { aggregationStrategy: "simple", ignoreLabels: ["O"] }),
      // Entities text by text from any iterable, with bounded memory (soak.js --big-stream).
      stream: (texts) => clf.classifyStream(texts, { aggregationStrategy: "simple", ignoreLabels: ["O"] }),
      dispose: () => clf.dispose(),
    };
  }
  if (name === "tjs") {
    let tf;
    try { tf = await import("@huggingface/transformers"); } catch (e) { throw new SkipError(`transformers.js unavailable: ${e.message}`); }
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.localModelPath = model.tjsRoot + path.sep;
    const pipe = await tf.pipeline("token-classification", model.tjsId, {
      local_files_only: true, device: "cpu", dtype: "fp32",
      session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 },
    });
    return {
      name,
      supportsStride: false,
      classify: (input) => pipe(input, { aggregation_strategy: "simple", ignore_labels: ["O"] }),
      dispose: () => pipe.dispose?.(),
    };
  }
  throw new Error(`unknown engine ${name} (tokclass, tjs)`);
}
