// A fake classifier for routing tests: capitalised words become "PER" entities (code-point
// offsets). It takes queries the server has resolved (resolvePayload), as the real classifier
// does, and texts fail as natively for the cases the tests need.
import { watchAbort } from "../../src/abort-watch.js";
import { textError, TokClassError } from "../../src/errors.js";
import { loneSurrogateAt, type ResolvedQuery } from "../../src/options.js";
import { queryResolved } from "../../src/query-resolved.js";
import type { ClassifierLoader, ServedClassifier } from "../../src/server/contract.js";
import type { ClassifierInfo, Entity } from "../../src/types.js";

export interface FakeOptions {
  /** Per-text delay in ms (default 0). */
  delayMs?: (text: string) => number;
}

/** setTimeout as a promise that an abort ends early (it then resolves; the caller looks). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    let unwatch = (): void => {};
    const timer = setTimeout(() => {
      unwatch();
      resolve();
    }, ms);
    // As the real classifier watches its signal: one listener for a stream's many inputs.
    if (signal !== undefined && !signal.aborted) {
      unwatch = watchAbort(signal, () => {
        clearTimeout(timer);
        resolve();
      });
    }
  });
}

export class FakeClassifier implements ServedClassifier {
  calls = 0;
  /** Calls that ended because their signal aborted. */
  aborted = 0;
  disposed = false;
  inFlight = 0;
  /** The most calls that were in flight at once. */
  maxInFlight = 0;
  readonly dir: string | undefined;
  readonly #options: FakeOptions;

  constructor(dir: string | undefined, options: FakeOptions = {}) {
    this.dir = dir;
    this.#options = options;
  }

  async [queryResolved](query: ResolvedQuery, signal?: AbortSignal): Promise<Entity[] | Entity[][]> {
    if (this.disposed) throw new TokClassError("ERR_DISPOSED", "disposed");
    this.calls++;
    const { texts, single, options: resolved } = query;
    const strategy = resolved.aggregationStrategy;
    // Checked natively by the real classifier.
    if (resolved.stride !== undefined && strategy === "none") throw new TokClassError("ERR_STRIDE_WITH_NONE", "stride with none");
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const out: Entity[][] = [];
      for (const [i, input] of texts.entries()) {
        const text = Array.isArray(input) ? input.join(resolved.delimiter) : input;
        const lone = loneSurrogateAt(text);
        // As natively: named by its index in the call, in the message and in textIndex.
        if (lone >= 0) throw textError("ERR_INVALID_TEXT", i, `contains a lone surrogate at UTF-16 index ${lone}`);
        if (text.includes("\u{FFFF}")) throw new TokClassError("ERR_INVALID_TEXT", "bad text");
        const delay = this.#options.delayMs?.(text) ?? 0;
        if (delay > 0) await sleep(delay, signal);
        if (signal?.aborted) {
          this.aborted++;
          throw signal.reason;
        }
        out.push(fakeEntities(text, strategy));
      }
      return single ? out[0]! : out;
    } finally {
      this.inFlight--;
    }
  }

  info(): ClassifierInfo {
    return {
      modelDir: this.dir ?? "<embedded>",
      modelFile: "model.onnx",
      labels: ["O", "B-PER", "I-PER"],
      maxLength: 512,
      tokenizer: "fake",
      device: "cpu",
      executionProvider: "CPUExecutionProvider",
      onnxRuntimeVersion: "0",
      batchInvariant: true,
      batched: true,
      runCostTokens: 6,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

export function fakeEntities(text: string, strategy = "simple"): Entity[] {
  const cps = Array.from(text);
  const out: Entity[] = [];
  let i = 0;
  let index = 1;
  while (i < cps.length) {
    if (/\p{Lu}/u.test(cps[i]!)) {
      let j = i;
      while (j < cps.length && /\p{L}/u.test(cps[j]!)) j++;
      const word = cps.slice(i, j).join("");
      out.push(strategy === "none" ? { entity: "B-PER", score: 0.9, index: index++, word, start: i, end: j } : { entity_group: "PER", score: 0.9, word, start: i, end: j });
      i = j;
    } else i++;
  }
  return out;
}

export interface FakeLoader {
  loader: ClassifierLoader;
  loaded: FakeClassifier[];
  /** Resolves pending loads (when created with manual: true). */
  release(): void;
}

export function fakeLoader(opts: { manual?: boolean; fail?: (dir: string | undefined) => unknown } & FakeOptions = {}): FakeLoader {
  const loaded: FakeClassifier[] = [];
  let release!: () => void;
  const gate = opts.manual ? new Promise<void>((r) => (release = r)) : Promise.resolve();
  if (!opts.manual) release = () => {};
  return {
    loaded,
    release: () => release(),
    loader: async (dir) => {
      await gate;
      const err = opts.fail?.(dir);
      if (err) throw err;
      const clf = new FakeClassifier(dir, opts);
      loaded.push(clf);
      return clf;
    },
  };
}
